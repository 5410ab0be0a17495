//! `cargo xtask bench`: Sayso against the reference survey page (../shared/reference), side by
//! side in one headless Chromium run with the CPU throttled 4x; then where Sayso's time goes,
//! from traces of its page (`xtask/bench/trace.mjs`); then the collector's throughput
//! (`xtask/bench/load.mjs`), on SQLite and then on a throwaway PostgreSQL server. Prints the
//! size table too.
//!
//! Sayso pages are served by the collector (brotli from dist/); the reference page by a small
//! static server in `xtask/bench/serve.mjs` that also answers brotli, so bytes compare fairly.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use crate::tools::{self, Result, root, run};
use crate::{dist, flag, postgres};

/// Kills the child process when dropped, so that no server outlives the bench.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Run the bench and print its table.
pub fn bench(args: &[String]) -> Result<()> {
    let runs = flag(args, "--runs").unwrap_or("5");
    let built = dist::dist()?;
    print!("{}", built.report());
    run(tools::cargo().args(["build", "--release", "-p", "sayso-collector"]))?;
    let (chromium, _) = tools::chromium()?;
    tools::npm_tools()?;
    let root = root();
    let work = root.join("target/bench");
    let reference = prepare_reference(&work)?;

    // `name` names its log; `database` is a file under `work` or a URL.
    let collector = |page: &str, surveys: &Path, name: &str, database: &str| {
        let port = free_port()?;
        // Its log (a line per response, as in production) goes to a file beside its database.
        let log =
            std::fs::File::create(work.join(format!("{name}.log"))).map_err(|e| e.to_string())?;
        let child = Command::new(root.join("target/release/sayso-collector"))
            .current_dir(&root)
            .args([
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--dist",
                "dist",
                "--demo-page",
                page,
            ])
            .arg("--surveys")
            .arg(surveys)
            .arg("--database")
            .arg(if database.contains("://") {
                database.into()
            } else {
                work.join(database)
            })
            .stdout(log.try_clone().map_err(|e| e.to_string())?)
            .stderr(log)
            .spawn()
            .map_err(|e| format!("could not start the collector: {e}"))?;
        let server = Server(child);
        wait_for_port(port)?;
        Result::Ok((server, port))
    };
    let three_surveys = root.join("xtask/bench/surveys");
    let (_demo, demo_port) = collector("index.html", &root.join("surveys"), "demo", "demo.db")?;
    let (_three, three_port) = collector(
        "xtask/bench/sayso.html",
        &three_surveys,
        "three",
        "three.db",
    )?;
    let reference_port = free_port()?;
    let _static = Server(
        Command::new("node")
            .arg(root.join("xtask/bench/serve.mjs"))
            .arg(&reference)
            .arg(reference_port.to_string())
            .spawn()
            .map_err(|e| format!("could not start the static server: {e}"))?,
    );
    wait_for_port(reference_port)?;

    let pages = format!(
        r#"[{{"name":"sayso (same 3 questions)","url":"http://127.0.0.1:{three_port}/","ready":"sayso"}},
            {{"name":"sayso (demo clinic page)","url":"http://127.0.0.1:{demo_port}/","ready":"sayso"}},
            {{"name":"reference (SurveyJS)","url":"http://127.0.0.1:{reference_port}/surveyjs.html","ready":"surveyjs"}}]"#
    );
    run(Command::new("node")
        .arg(root.join("xtask/bench/bench.mjs"))
        .current_dir(&root)
        .env("PAGES", pages)
        .env("RUNS", runs)
        .env("REFERENCE", "reference (SurveyJS)")
        .env("CHROMIUM", &chromium))?;
    // Where Sayso's time to ready goes, on the same-3 page.
    run(Command::new("node")
        .arg(root.join("xtask/bench/trace.mjs"))
        .current_dir(&root)
        .env("URL", format!("http://127.0.0.1:{three_port}/"))
        .env("RUNS", runs)
        .env("CHROMIUM", &chromium))?;
    // The collector that served the same-3 page takes its responses too.
    let load = |port: u16, database: &str| {
        run(Command::new("node")
            .arg(root.join("xtask/bench/load.mjs"))
            .env("ENDPOINT", format!("http://127.0.0.1:{port}/v1"))
            .env("SURVEY", "clinic-three")
            .env("DATABASE", database))
    };
    load(three_port, "SQLite")?;
    // The same load on PostgreSQL (the server's own database; the cluster is thrown away).
    match postgres::Server::start() {
        Ok(pg) => {
            let url = format!("{}/postgres", pg.url);
            let (_pg_collector, pg_port) =
                collector("xtask/bench/sayso.html", &three_surveys, "postgres", &url)?;
            load(pg_port, "PostgreSQL")
        }
        Err(why) => {
            println!("\ncollector load on PostgreSQL: not run ({why})");
            Ok(())
        }
    }
}

/// Copy the reference page beside its npm dependencies (installed once) under target/bench.
fn prepare_reference(work: &Path) -> Result<std::path::PathBuf> {
    let source = root().join("../shared/reference");
    let target = work.join("reference");
    std::fs::create_dir_all(&target).map_err(|e| e.to_string())?;
    for name in ["surveyjs.html", "package.json"] {
        std::fs::copy(source.join(name), target.join(name))
            .map_err(|e| format!("{}: {e}", source.join(name).display()))?;
    }
    if !target.join("node_modules/survey-core").exists() {
        run(Command::new("npm")
            .args(["install", "--no-audit", "--no-fund"])
            .current_dir(&target))?;
    }
    Ok(target)
}

fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(listener.local_addr().map_err(|e| e.to_string())?.port())
}

/// Wait until something accepts connections on `port` (at most 30 s).
fn wait_for_port(port: u16) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err(format!("nothing listens on port {port} after 30 s"))
}
