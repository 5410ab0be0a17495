//! Finding, and where possible installing, what the other commands need: the wasm target, the
//! wasm-bindgen CLI of exactly the version in Cargo.lock, the npm tools, Chromium.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Errors are sentences for the person at the terminal.
pub type Result<T> = std::result::Result<T, String>;

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits in the workspace")
        .to_path_buf()
}

/// Run `command`, echoing it; fail with its exit status.
pub fn run(command: &mut Command) -> Result<()> {
    eprintln!("$ {}", describe(command));
    let status = command
        .status()
        .map_err(|e| format!("could not start {}: {e}", describe(command)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{} failed ({status})", describe(command)))
    }
}

/// Run `command` quietly and return its standard output, or `None` if it could not run or failed.
pub fn output(command: &mut Command) -> Option<String> {
    let out = command.stderr(Stdio::null()).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

pub fn describe(command: &Command) -> String {
    let mut s = command.get_program().to_string_lossy().into_owned();
    for a in command.get_args() {
        s.push(' ');
        s.push_str(&a.to_string_lossy());
    }
    s
}

/// `cargo` as the one running us.
pub fn cargo() -> Command {
    let mut c = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    c.current_dir(root());
    c
}

/// Make sure the wasm32 target is installed.
pub fn ensure_wasm_target() -> Result<()> {
    let installed = output(Command::new("rustup").args(["target", "list", "--installed"]))
        .ok_or("rustup is missing: install Rust with rustup (https://rustup.rs), then rerun")?;
    if !installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }
    Ok(())
}

/// The toolchain that builds the widget's release wasm, pinned so that a build is repeatable.
/// It is a nightly because two options that make the widget about 12 KB brotli smaller (a
/// tenth) are unstable: rebuilding the standard library for size (`-Zbuild-std`), and
/// `-Cpanic=immediate-abort`, which drops panic messages and their formatting code. Everything
/// else (tests, the collector, clippy) uses the stable toolchain.
pub const WIDGET_TOOLCHAIN: &str = "nightly-2026-10-30";

/// `cargo` of the widget's toolchain, installing that toolchain (with the standard library's
/// source, which `-Zbuild-std` compiles) when needed.
pub fn widget_cargo() -> Result<Command> {
    let installed = output(Command::new("rustup").args([
        "component",
        "list",
        "--installed",
        "--toolchain",
        WIDGET_TOOLCHAIN,
    ]))
    .is_some_and(|c| c.lines().any(|l| l.starts_with("rust-src")));
    if !installed {
        run(Command::new("rustup").args([
            "toolchain",
            "install",
            WIDGET_TOOLCHAIN,
            "--profile",
            "minimal",
            "--component",
            "rust-src",
        ]))
        .map_err(|e| {
            format!("{e}: the widget's release build needs Rust {WIDGET_TOOLCHAIN} with rust-src (rustup toolchain install {WIDGET_TOOLCHAIN} --profile minimal --component rust-src)")
        })?;
    }
    let mut c = Command::new("rustup");
    // What the outer (stable) cargo told us must not leak into the nightly build.
    c.args(["run", WIDGET_TOOLCHAIN, "cargo"])
        .env_remove("CARGO")
        .env_remove("RUSTC")
        .env_remove("RUSTDOC")
        .current_dir(root());
    Ok(c)
}

/// The `rust-lld` of the widget's toolchain (installed by [`widget_cargo`]), which links wasm.
pub fn widget_rust_lld() -> Result<PathBuf> {
    let sysroot = output(Command::new("rustup").args([
        "run",
        WIDGET_TOOLCHAIN,
        "rustc",
        "--print",
        "sysroot",
    ]))
    .ok_or_else(|| format!("rustc {WIDGET_TOOLCHAIN} did not tell its sysroot"))?;
    let host = output(Command::new("rustup").args(["run", WIDGET_TOOLCHAIN, "rustc", "-vV"]))
        .and_then(|v| {
            v.lines()
                .find_map(|l| l.strip_prefix("host: ").map(str::to_owned))
        })
        .ok_or_else(|| format!("rustc {WIDGET_TOOLCHAIN} did not tell its host"))?;
    let lld = Path::new(sysroot.trim())
        .join("lib/rustlib")
        .join(host.trim())
        .join("bin/rust-lld");
    if lld.is_file() {
        Ok(lld)
    } else {
        Err(format!("{} is missing", lld.display()))
    }
}

/// The version of the `wasm-bindgen` crate in Cargo.lock: the CLI must match it exactly.
pub fn wasm_bindgen_version() -> Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock"))
        .map_err(|e| format!("Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\""
            && let Some(v) = lines.next().and_then(|l| l.strip_prefix("version = \""))
        {
            return Ok(v.trim_end_matches('"').to_owned());
        }
    }
    Err("Cargo.lock has no wasm-bindgen".into())
}

/// The directory holding `wasm-bindgen` and `wasm-bindgen-test-runner` of the locked version,
/// installing them (into target/tools) when needed.
pub fn wasm_bindgen_bin() -> Result<PathBuf> {
    let version = wasm_bindgen_version()?;
    let matches = |dir: Option<&Path>| {
        let program = dir.map_or(PathBuf::from("wasm-bindgen"), |d| d.join("wasm-bindgen"));
        output(Command::new(program).arg("--version"))
            .is_some_and(|v| v.trim() == format!("wasm-bindgen {version}"))
    };
    let local = root().join("target/tools/bin");
    if matches(Some(&local)) {
        return Ok(local);
    }
    if matches(None)
        && let Some(found) = output(Command::new("sh").args(["-c", "command -v wasm-bindgen"]))
    {
        return Ok(Path::new(found.trim())
            .parent()
            .expect("a path to a program")
            .to_path_buf());
    }
    // Not `--locked`: one of the CLI's locked dependencies is no longer in the registry.
    run(cargo()
        .args([
            "install",
            "wasm-bindgen-cli",
            "--version",
            &format!("={version}"),
            "--root",
        ])
        .arg(root().join("target/tools")))?;
    Ok(local)
}

/// Install the npm tools (package-lock.json) unless they are current; return node_modules/.bin.
pub fn npm_tools() -> Result<PathBuf> {
    let root = root();
    let lock = root.join("package-lock.json");
    let stamp = root.join("node_modules/.package-lock.json");
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    if output(Command::new("node").arg("--version")).is_none() {
        return Err(
            "Node.js is missing: install it (Debian: apt-get install nodejs npm), then rerun"
                .into(),
        );
    }
    if modified(&stamp).is_none() || modified(&stamp) < modified(&lock) {
        run(Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&root))?;
    }
    Ok(root.join("node_modules/.bin"))
}

/// Paths of Chromium and ChromeDriver, installing the Debian packages when we are root and
/// apt-get exists.
pub fn chromium() -> Result<(PathBuf, PathBuf)> {
    let find = |name: &str| {
        output(Command::new("sh").args(["-c", &format!("command -v {name}")]))
            .map(|p| PathBuf::from(p.trim()))
    };
    if let (Some(c), Some(d)) = (find("chromium"), find("chromedriver")) {
        return Ok((c, d));
    }
    let root_user = output(Command::new("id").arg("-u")).is_some_and(|u| u.trim() == "0");
    if root_user && find("apt-get").is_some() {
        run(Command::new("apt-get")
            .args(["install", "-y", "-q", "chromium", "chromium-driver"])
            .env("DEBIAN_FRONTEND", "noninteractive"))?;
    }
    match (find("chromium"), find("chromedriver")) {
        (Some(c), Some(d)) => Ok((c, d)),
        _ => Err(
            "Chromium and ChromeDriver are missing: apt-get install chromium chromium-driver"
                .into(),
        ),
    }
}
