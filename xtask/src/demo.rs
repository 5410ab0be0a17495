//! `cargo xtask demo`: build the widget and the collector, then run the collector on loopback
//! with SQLite, the demo surveys, the clinic page and the dashboard.

use std::process::Command;

use crate::tools::{self, Result, root, run};
use crate::{dist, flag};

/// Build and run the demo until interrupted.
pub fn demo(args: &[String]) -> Result<()> {
    let port = flag(args, "--port").unwrap_or("8080");
    let built = dist::dist()?;
    print!("{}", built.report());
    run(tools::cargo().args(["build", "--release", "-p", "sayso-collector"]))?;
    let root = root();
    let data = root.join("target/demo");
    std::fs::create_dir_all(&data).map_err(|e| e.to_string())?;
    let token = random_token();
    let base = format!("http://127.0.0.1:{port}");
    println!();
    println!("Sayso demo");
    println!("  clinic page with the survey: {base}/");
    println!("  same survey, launcher mode:  {base}/demo/appointments.html");
    println!("  same survey, exit intent:    {base}/demo/prescriptions.html");
    println!("  dashboard:                   {base}/admin   (user: admin  password: {token})");
    println!("  survey definition:           {base}/v1/surveys/patient-experience");
    println!(
        "  database:                    {}",
        data.join("demo.db").display()
    );
    println!("Stop with Ctrl-C.");
    println!();
    run(Command::new(root.join("target/release/sayso-collector"))
        .current_dir(&root)
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .arg("--database")
        .arg(data.join("demo.db"))
        .args([
            "--surveys",
            "surveys",
            "--dist",
            "dist",
            "--demo-page",
            "index.html",
            "--demo-dir",
            "demo",
        ])
        .env("SAYSO_ADMIN_TOKEN", &token))
}

/// A fresh password for the demo's dashboard.
pub fn random_token() -> String {
    let mut buf = [0u8; 12];
    match std::fs::File::open("/dev/urandom")
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut buf))
    {
        Ok(()) => buf.iter().map(|b| format!("{b:02x}")).collect(),
        Err(_) => {
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
            format!("{:032x}", now.map(|d| d.as_nanos()).unwrap_or(0))
        }
    }
}
