//! Run with: `cargo xtask <command>` (an alias in .cargo/config.toml)
//!
//! - `dist`  build the widget into dist/ and print its size table and budgets
//! - `demo`  build everything and run the demo: collector + clinic page + dashboard, SQLite
//! - `test`  every check CI runs: fmt, clippy, unit, collector, browser, size, end-to-end
//! - `bench` the side-by-side bench against the reference survey page, CPU throttled 4x
//! - `cost`  what each question kind adds to the widget, in brotli bytes (one build per kind)

mod bench;
mod cost;
mod demo;
mod dist;
mod guard;
mod minify;
mod postgres;
mod test;
mod tools;
mod unused;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `dist` links the widget's wasm through xtask (see `unused.rs`).
    if let Some(lld) = std::env::var_os(unused::LINKER_ENV) {
        return match unused::link(lld.as_ref(), &args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => {
                eprintln!("xtask (linking): {message}");
                ExitCode::FAILURE
            }
        };
    }
    let result = match args.first().map(String::as_str) {
        Some("dist") => dist::dist().map(|d| print!("{}", d.report())),
        Some("demo") => demo::demo(&args[1..]),
        Some("test") => test::test(&args[1..]),
        Some("bench") => bench::bench(&args[1..]),
        Some("cost") => cost::cost(),
        _ => Err(
            "usage: cargo xtask <dist | demo [--port N] | test [--only STEP] | bench [--runs N] | cost>"
                .to_owned(),
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The value after `--name` in `args`.
pub fn flag<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(String::as_str)
}
