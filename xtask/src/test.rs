//! `cargo xtask test`: every check CI runs, in order, then one summary.
//!
//! fmt -> clippy (native and wasm) -> unit and collector tests (native) -> the collector's
//! PostgreSQL tests against a throwaway server -> component tests in headless Chromium
//! (wasm-bindgen-test) -> dist and its size check -> end-to-end tests in Chromium against the
//! real collector (node:test + playwright-core).

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::dist::{self, LOADER_BUDGET};
use crate::flag;
use crate::postgres;
use crate::tools::{self, Result, root};

/// The widget may not grow past this many brotli bytes while it is over its 80 KB budget:
/// a ratchet, lowered as the widget shrinks. Raised only for a fix that must ship, by the
/// least whole KiB, with the reason in its commit (112 to 114 KiB, to 116,135 B: no response
/// lost to a long URL or a second tab, redacted answers judged as the collector judges them,
/// conditions no accepted choice meets refused (660 B of it), the scroll trigger on app shells,
/// `Sayso.open()`/`close()` while the survey is built, Enter choosing an option and focus
/// on the field at fault).
pub const WIDGET_CEILING: usize = 114 * 1024;

struct Step {
    name: &'static str,
    ok: bool,
    seconds: f64,
    detail: String,
}

/// Run every step (or only `--only NAME`); fail if any failed.
pub fn test(args: &[String]) -> Result<()> {
    let only = flag(args, "--only");
    let wanted = |name: &str| only.is_none_or(|o| o == name);
    let mut steps = Vec::new();
    let mut step = |name: &'static str, body: &mut dyn FnMut() -> Result<String>| {
        if !wanted(name) {
            return;
        }
        eprintln!("\n==> {name}");
        let start = Instant::now();
        let outcome = body();
        let seconds = start.elapsed().as_secs_f64();
        let (ok, detail) = match outcome {
            Ok(d) => (true, d),
            Err(e) => (false, e),
        };
        steps.push(Step {
            name,
            ok,
            seconds,
            detail,
        });
    };

    step("fmt", &mut || cargo_step(&["fmt", "--all", "--check"]));
    step("clippy", &mut || {
        cargo_step(&[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ])?;
        tools::ensure_wasm_target()?;
        cargo_step(&[
            "clippy",
            "-p",
            "sayso",
            "--target",
            "wasm32-unknown-unknown",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ])
    });
    step("unit", &mut || {
        let out = tee(tools::cargo().args(["test", "--workspace"]))?;
        Ok(cargo_counts(&out))
    });
    step("postgres", &mut || {
        let server = postgres::Server::start()?;
        let out = tee(tools::cargo()
            .args([
                "test",
                "-p",
                "sayso-collector",
                "--test",
                "postgres",
                "--",
                "--ignored",
            ])
            .env("SAYSO_TEST_POSTGRES", &server.url)
            .env("SAYSO_TEST_POSTGRES_CA", &server.ca))?;
        Ok(cargo_counts(&out))
    });
    step("browser", &mut || {
        tools::ensure_wasm_target()?;
        let bindgen = tools::wasm_bindgen_bin()?;
        let (_, driver) = tools::chromium()?;
        let out = tee(tools::cargo()
            .args([
                "test",
                "-p",
                "sayso",
                "--target",
                "wasm32-unknown-unknown",
                "--test",
                "web",
            ])
            .env(
                "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
                bindgen.join("wasm-bindgen-test-runner"),
            )
            .env("CHROMEDRIVER", driver)
            .env("WASM_BINDGEN_TEST_TIMEOUT", "120"))?;
        Ok(cargo_counts(&out))
    });
    step("size", &mut || {
        let built = dist::dist()?;
        let report = built.report();
        print!("{report}");
        if built.loader_brotli() > LOADER_BUDGET {
            return Err(format!(
                "the loader is {} bytes brotli, over its {LOADER_BUDGET} byte budget",
                built.loader_brotli()
            ));
        }
        if built.total_brotli() > WIDGET_CEILING {
            return Err(format!(
                "the widget grew to {} bytes brotli, past its ceiling of {WIDGET_CEILING}",
                built.total_brotli()
            ));
        }
        Ok(report.lines().last().unwrap_or_default().to_owned())
    });
    step("e2e", &mut || {
        let (chromium, _) = tools::chromium()?;
        tools::npm_tools()?;
        if !root().join("dist/sayso.js").exists() {
            dist::dist()?;
        }
        tee(tools::cargo().args(["build", "-p", "sayso-collector"]))?;
        let out = tee(Command::new("node")
            .args([
                "--test",
                "--test-concurrency=1",
                "--test-reporter=spec",
                "tests/e2e/",
            ])
            .current_dir(root())
            .env("SAYSO_ROOT", root())
            .env(
                "SAYSO_COLLECTOR",
                root().join("target/debug/sayso-collector"),
            )
            .env("CHROMIUM", chromium))?;
        Ok(node_counts(&out))
    });

    println!("\nSayso test summary");
    for s in &steps {
        println!(
            "  {:<8} {:<6} {:>6.1}s  {}",
            s.name,
            if s.ok { "ok" } else { "FAILED" },
            s.seconds,
            s.detail.lines().next().unwrap_or("")
        );
    }
    let failed: Vec<&str> = steps.iter().filter(|s| !s.ok).map(|s| s.name).collect();
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("failed: {}", failed.join(", ")))
    }
}

fn cargo_step(args: &[&str]) -> Result<String> {
    tools::run(tools::cargo().args(args)).map(|()| "clean".to_owned())
}

/// Run `command` with its output shown and kept; fail with the output's tail.
fn tee(command: &mut Command) -> Result<String> {
    let mut child = command
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("could not start: {e}"))?;
    let mut kept = String::new();
    for line in BufReader::new(child.stdout.take().expect("piped"))
        .lines()
        .map_while(std::result::Result::ok)
    {
        println!("{line}");
        kept.push_str(&line);
        kept.push('\n');
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    if status.success() {
        Ok(kept)
    } else {
        let tail: Vec<&str> = kept.lines().rev().take(3).collect();
        Err(format!(
            "{status}: {}",
            tail.into_iter().rev().collect::<Vec<_>>().join(" | ")
        ))
    }
}

/// "N passed, M failed" summed over cargo's `test result:` lines.
fn cargo_counts(out: &str) -> String {
    let (mut passed, mut failed, mut ignored) = (0, 0, 0);
    for line in out.lines().filter(|l| l.starts_with("test result:")) {
        let number = |word: &str| {
            line.split(';')
                .find(|p| p.contains(word))
                .and_then(|p| p.split_whitespace().rev().nth(1)?.parse::<u32>().ok())
        };
        passed += number(" passed").unwrap_or(0);
        failed += number(" failed").unwrap_or(0);
        ignored += number(" ignored").unwrap_or(0);
    }
    format!("{passed} passed, {failed} failed, {ignored} ignored")
}

/// The node test runner's own totals.
fn node_counts(out: &str) -> String {
    let total = |word: &str| {
        out.lines().rev().find_map(|l| {
            l.trim_start_matches(['ℹ', '#', ' '])
                .strip_prefix(word)?
                .trim()
                .parse::<u32>()
                .ok()
        })
    };
    format!(
        "{} tests, {} passed, {} failed",
        total("tests").unwrap_or(0),
        total("pass").unwrap_or(0),
        total("fail").unwrap_or(0)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_cargo_results() {
        let out = "test result: ok. 5 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out\n\
                   noise\ntest result: FAILED. 2 passed; 3 failed; 0 ignored; 0 measured; 0 filtered out\n";
        assert_eq!(cargo_counts(out), "7 passed, 3 failed, 1 ignored");
    }

    #[test]
    fn counts_node_results() {
        let out = "ℹ tests 12\nℹ suites 0\nℹ pass 11\nℹ fail 1\nℹ cancelled 0\n";
        assert_eq!(node_counts(out), "12 tests, 11 passed, 1 failed");
    }
}
