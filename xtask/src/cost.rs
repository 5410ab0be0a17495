//! `cargo xtask cost`: what each question kind, and a few other parts, add to the widget, in
//! brotli bytes; and what the smallest Leptos widget of the same shape weighs (`xtask/floor`).
//!
//! The widget is built once whole, then once per kind with that kind's code cut out. The cuts
//! happen in a copy of the workspace (`target/cost/ws`, cargo's output in `target/cost/target`):
//! every `match` arm whose pattern names that kind alone (`QuestionKind::Likert { .. } => ...`,
//! and the definition reader's `"likert" => ...`) gets `std::process::abort()` (one trap
//! instruction) for a body, so the compiler drops whatever only that arm used. Arms shared by
//! several kinds (`Nps | Csat | Ces`) stay: each figure is what that one kind adds on top of the
//! others, and the families are measured together too. Strings of the built-in translations
//! stay. Other parts (`PARTS`) are cut by replacing one snippet of one file. Brotli figures move
//! by some tens of bytes with any change to the file, so small ones are rough. One release build
//! per row (one to three minutes each on two cores) keeps this out of `cargo xtask test`.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::dist;
use crate::tools::{self, Result, root};

/// Each kind: its variant in `QuestionKind` and its name in a definition.
const KINDS: [(&str, &str); 11] = [
    ("Nps", "nps"),
    ("Csat", "csat"),
    ("Ces", "ces"),
    ("Rating", "rating"),
    ("SingleChoice", "single_choice"),
    ("MultiChoice", "multi_choice"),
    ("Text", "text"),
    ("Definition", "definition"),
    ("Likert", "likert"),
    ("Contact", "contact"),
    ("Consent", "consent"),
];

/// Kinds that share most of their code, also measured together: one arm serves them all.
const FAMILIES: [(&str, &[&str]); 2] = [
    (
        "scales (nps, csat, ces, rating)",
        &["nps", "csat", "ces", "rating"],
    ),
    (
        "choices (single, multi)",
        &["single_choice", "multi_choice"],
    ),
];

/// Other parts, each cut by replacing one snippet of one file: (label, file, snippet, stand-in).
const PARTS: [(&str, &str, &str, &str); 2] = [
    (
        "definition checks beyond reading",
        "schema/src/validate.rs",
        "        c.definition_fields();\n        c.problems.into_result(())",
        "        let _ = &mut c;\n        Ok(())",
    ),
    (
        "the five languages besides en",
        "src/i18n.rs",
        "pub const ALL: [&Strings; 6] = [&EN, &ES, &FR, &DE, &PT, &AR];",
        "pub const ALL: [&Strings; 1] = [&EN];",
    ),
];

/// The source folders whose arms are cut: the widget's and the schema's.
const SOURCES: [&str; 2] = ["src", "schema/src"];

/// Build the widget whole and without each kind or part; print what each adds.
pub fn cost() -> Result<()> {
    let root = root();
    let base = root.join("target/cost");
    let ws = base.join("ws");
    let target = base.join("target");
    copy_workspace(&root, &ws)?;
    let sizes = |(wasm, glue): (Vec<u8>, Vec<u8>)| {
        (
            wasm.len() + glue.len(),
            dist::brotli(&wasm).len() + dist::brotli(&glue).len(),
        )
    };
    let size = |label: &str| -> Result<(usize, usize)> {
        eprintln!("\n==> cost: {label}");
        Ok(sizes(dist::widget(&ws, &target, &base.join("work"))?))
    };
    let whole = size("whole widget")?;
    eprintln!("\n==> cost: the Leptos floor (xtask/floor)");
    let floor_ws = ws.join("xtask/floor");
    std::fs::copy(ws.join("Cargo.lock"), floor_ws.join("Cargo.lock")).map_err(|e| e.to_string())?;
    let floor = sizes(dist::wasm_library(
        &floor_ws,
        "floor",
        &target,
        &base.join("work"),
    )?);
    let mut rows = Vec::new();
    let mut units = Vec::new();
    for (_, name) in KINDS {
        units.push((name.to_owned(), cut_kinds(&root, &[name])?));
    }
    for (label, names) in FAMILIES {
        units.push((label.to_owned(), cut_kinds(&root, names)?));
    }
    for (label, file, snippet, stand_in) in PARTS {
        units.push((label.to_owned(), cut_part(&root, file, snippet, stand_in)?));
    }
    for (label, files) in units {
        let mut arms = 0;
        for (file, cut, n) in files {
            arms += n;
            let copy = ws.join(file.strip_prefix(&root).expect("a file under the root"));
            std::fs::write(&copy, cut).map_err(|e| e.to_string())?;
        }
        let without = size(&format!("without {label} ({arms} cuts)"));
        // Put the sources back before anything else can fail.
        copy_workspace(&root, &ws)?;
        let without = without?;
        let added = |whole: usize, without: usize| whole as i64 - without as i64;
        rows.push((
            label,
            arms,
            added(whole.0, without.0),
            added(whole.1, without.1),
        ));
    }
    println!("\nwhat each question kind or part adds to the widget (glue + wasm), bytes");
    println!(
        "{:<34}{:>6}{:>10}{:>10}",
        "kind or part", "cuts", "raw", "brotli"
    );
    for (label, arms, raw, br) in &rows {
        println!("{label:<34}{arms:>6}{raw:>10}{br:>10}");
    }
    println!(
        "{:<34}{:>6}{:>10}{:>10}",
        "Leptos floor (xtask/floor)", "", floor.0, floor.1
    );
    println!(
        "{:<34}{:>6}{:>10}{:>10}",
        "whole widget", "", whole.0, whole.1
    );
    Ok(())
}

/// Every source file under `root` with the arms of the kinds `names` cut, and how many were.
fn cut_kinds(root: &Path, names: &[&str]) -> Result<Vec<(PathBuf, String, usize)>> {
    let (mut patterns, mut others) = (Vec::new(), Vec::new());
    for (variant, name) in KINDS {
        let list = if names.contains(&name) {
            &mut patterns
        } else {
            &mut others
        };
        list.extend([format!("QuestionKind::{variant}"), format!("\"{name}\"")]);
    }
    let mut files = Vec::new();
    for dir in SOURCES {
        for file in rust_files(&root.join(dir))? {
            let source = std::fs::read_to_string(&file).map_err(|e| e.to_string())?;
            let (cut, n) = cut_arms(&source, &patterns, &others);
            files.push((file, cut, n));
        }
    }
    Ok(files)
}

/// `file` under `root` with its one `snippet` replaced by `stand_in`.
fn cut_part(
    root: &Path,
    file: &str,
    snippet: &str,
    stand_in: &str,
) -> Result<Vec<(PathBuf, String, usize)>> {
    let path = root.join(file);
    let source = std::fs::read_to_string(&path).map_err(|e| format!("{file}: {e}"))?;
    if source.matches(snippet).count() != 1 {
        return Err(format!(
            "{file} no longer has this snippet exactly once (update PARTS in xtask/src/cost.rs):\n{snippet}"
        ));
    }
    Ok(vec![(path, source.replacen(snippet, stand_in, 1), 1)])
}

/// Copy the files git tracks, or would (not ignored), from `root` into `ws`, overwriting what a
/// cut changed.
fn copy_workspace(root: &Path, ws: &Path) -> Result<()> {
    let listed = tools::output(Command::new("git").arg("-C").arg(root).args([
        "ls-files",
        "--cached",
        "--others",
        "--exclude-standard",
    ]))
    .ok_or("git ls-files failed: `cargo xtask cost` needs the project's git checkout")?;
    for name in listed.lines() {
        let (from, to) = (root.join(name), ws.join(name));
        if !from.is_file() {
            continue; // deleted in the work tree
        }
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        let same = std::fs::read(&to).ok() == std::fs::read(&from).ok();
        if !same {
            std::fs::copy(&from, &to).map_err(|e| format!("{}: {e}", to.display()))?;
        }
    }
    Ok(())
}

fn rust_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_dir() {
            files.extend(rust_files(&path)?);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    Ok(files)
}

/// `source` with the body of every match arm whose pattern starts with one of `patterns` and
/// names none of `others` replaced by `std::process::abort()`; and how many arms that was. An arm
/// whose alternatives (`A | B`) are all in `patterns` is cut too.
pub fn cut_arms(source: &str, patterns: &[String], others: &[String]) -> (String, usize) {
    let bytes = source.as_bytes();
    let mut out = String::with_capacity(source.len());
    let (mut copied, mut count, mut i) = (0, 0, 0);
    while i < bytes.len() {
        let at_line_start = i == 0 || bytes[i - 1] == b'\n';
        if !at_line_start {
            i += 1;
            continue;
        }
        let start = i + source[i..].len() - source[i..].trim_start_matches([' ', '\t']).len();
        i = start + 1;
        let names = |p: &String| {
            source[start..].starts_with(p.as_str())
                && !source[start + p.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
        };
        if !patterns.iter().any(names) || !arm_may_start(&source[..start]) {
            continue;
        }
        let Some(arrow) = scan(source, start, Stop::Arrow) else {
            continue;
        };
        let pattern = &source[start..arrow];
        if others.iter().any(|o| pattern.contains(o.as_str())) {
            continue;
        }
        let body = arrow + 2 + source[arrow + 2..].len() - source[arrow + 2..].trim_start().len();
        let (end, replacement) = if bytes[body] == b'{' {
            match scan(source, body + 1, Stop::Close) {
                Some(close) => (close + 1, "{ std::process::abort() }"),
                None => continue,
            }
        } else {
            match scan(source, body, Stop::Comma) {
                Some(end) => (end, "std::process::abort()"),
                None => continue,
            }
        };
        out.push_str(&source[copied..body]);
        out.push_str(replacement);
        copied = end;
        count += 1;
        i = end;
    }
    out.push_str(&source[copied..]);
    (out, count)
}

/// Whether an arm may start after `before`: the previous code ends an arm or opens a match.
fn arm_may_start(before: &str) -> bool {
    matches!(before.trim_end().chars().last(), Some('{' | ',' | '}'))
}

#[derive(Clone, Copy, PartialEq)]
enum Stop {
    /// `=>` at the starting depth: the end of an arm's pattern.
    Arrow,
    /// The bracket closing the starting depth.
    Close,
    /// A `,` at the starting depth or the bracket closing it: the end of an arm's expression.
    Comma,
}

/// Where `stop` is found scanning `source` from `from`, skipping strings, characters and
/// comments; `None` when a statement or the enclosing bracket ends first.
fn scan(source: &str, from: usize, stop: Stop) -> Option<usize> {
    let b = source.as_bytes();
    let (mut depth, mut i) = (0i32, from);
    while i < b.len() {
        match b[i] {
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'\'' if b.get(i + 1) == Some(&b'\\') => {
                i += 2;
                while i < b.len() && b[i] != b'\'' {
                    i += 1;
                }
            }
            b'\'' if b.get(i + 2) == Some(&b'\'') => i += 2,
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                if depth == 0 {
                    return match stop {
                        Stop::Close | Stop::Comma => Some(i),
                        Stop::Arrow => None,
                    };
                }
                depth -= 1;
            }
            b'=' if depth == 0 && stop == Stop::Arrow && b.get(i + 1) == Some(&b'>') => {
                return Some(i);
            }
            b',' if depth == 0 && stop == Stop::Comma => return Some(i),
            b';' if depth == 0 && stop != Stop::Close => return None,
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cut(source: &str) -> (String, usize) {
        cut_arms(
            source,
            &["QuestionKind::Likert".into(), "\"likert\"".into()],
            &["QuestionKind::Nps".into(), "QuestionKind::Text".into()],
        )
    }

    #[test]
    fn block_and_expression_arms_lose_their_bodies() {
        let source = "match k {\n    QuestionKind::Likert {\n        rows, ..\n    } => {\n        let x = '}';\n        rows(\"}\")\n    }\n    QuestionKind::Text { .. } => 2,\n}\nmatch s {\n    \"likert\" => read(o, |v| { v }),\n    _ => None,\n}\n";
        let (out, n) = cut(source);
        assert_eq!(n, 2);
        assert_eq!(
            out,
            "match k {\n    QuestionKind::Likert {\n        rows, ..\n    } => { std::process::abort() }\n    QuestionKind::Text { .. } => 2,\n}\nmatch s {\n    \"likert\" => std::process::abort(),\n    _ => None,\n}\n"
        );
    }

    #[test]
    fn every_kind_has_arms_of_its_own_in_widget_and_schema() {
        let root = root();
        for (_, name) in KINDS {
            let cut = cut_kinds(&root, &[name]).unwrap();
            let arms_in = |dir: &str| {
                cut.iter()
                    .filter(|(file, _, _)| file.starts_with(root.join(dir)))
                    .map(|(_, _, n)| n)
                    .sum::<usize>()
            };
            eprintln!(
                "{name}: {} arms in the widget, {} in the schema",
                arms_in("src"),
                arms_in("schema/src")
            );
            assert!(
                arms_in("schema/src") > 0,
                "{name}: no arm of its own in the schema"
            );
        }
    }

    #[test]
    fn the_floor_is_built_like_the_widget() {
        let profile = |manifest: &str| {
            let text = std::fs::read_to_string(root().join(manifest)).unwrap();
            let start = text
                .find("[profile.wasm-release]")
                .expect("a wasm-release profile");
            text[start..]
                .lines()
                .take_while(|l| !l.trim().is_empty())
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert_eq!(profile("xtask/floor/Cargo.toml"), profile("Cargo.toml"));
    }

    #[test]
    fn every_part_is_found_in_the_sources() {
        for (label, file, snippet, stand_in) in PARTS {
            let cut = cut_part(&root(), file, snippet, stand_in).unwrap();
            assert!(cut[0].1.contains(stand_in), "{label}");
        }
    }

    #[test]
    fn arms_shared_only_by_the_kinds_cut_go_too() {
        let source = "match k {\n    QuestionKind::Likert { .. }\n    | QuestionKind::Contact { .. } => 1,\n    _ => 2,\n}\n";
        let (out, n) = cut_arms(
            source,
            &[
                "QuestionKind::Likert".into(),
                "QuestionKind::Contact".into(),
            ],
            &["QuestionKind::Nps".into()],
        );
        assert_eq!(n, 1);
        assert!(out.contains("| QuestionKind::Contact { .. } => std::process::abort(),"));
    }

    #[test]
    fn shared_arms_and_other_uses_stay() {
        let source = "match k {\n    QuestionKind::Nps { .. }\n    | QuestionKind::Likert { .. } => 1,\n    (QuestionKind::Likert { .. }, x) => 2,\n}\nlet ok = matches!(\n    k,\n    QuestionKind::Likert { .. }\n);\nlet l = QuestionKind::LikertRow;\n";
        let (out, n) = cut(source);
        assert_eq!((out.as_str(), n), (source, 0));
    }
}
