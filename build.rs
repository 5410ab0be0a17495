//! Minify `style/*.css` into one stylesheet the widget embeds (see `src/host.rs`).

use std::{env, fs, path::Path};

fn main() {
    let mut css = String::new();
    let mut files: Vec<_> = fs::read_dir("style")
        .expect("style/ exists")
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for path in files
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "css"))
    {
        println!("cargo:rerun-if-changed={}", path.display());
        css.push_str(&fs::read_to_string(path).unwrap());
    }
    println!("cargo:rerun-if-changed=style");
    let out = Path::new(&env::var("OUT_DIR").unwrap()).join("sayso.min.css");
    fs::write(out, minify(&css)).unwrap();
}

/// Drop comments and needless whitespace. Conservative: spaces are only removed next to
/// `{ } ; , >` and after `:` inside declarations, never inside selectors such as `a :hover`.
fn minify(css: &str) -> String {
    let mut without_comments = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        without_comments.push_str(&rest[..start]);
        rest = rest[start + 2..]
            .split_once("*/")
            .map_or("", |(_, after)| after);
    }
    without_comments.push_str(rest);
    let collapsed = without_comments
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let mut out = String::with_capacity(collapsed.len());
    let mut depth = 0;
    let chars: Vec<char> = collapsed.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            _ => {}
        }
        if c == ' ' {
            let prev = out.chars().last().unwrap_or(' ');
            let next = chars.get(i + 1).copied().unwrap_or(' ');
            let tight = |ch: char| "{};,>".contains(ch);
            if tight(prev) || tight(next) || (depth > 0 && prev == ':' && next != ':') {
                continue;
            }
        }
        out.push(c);
    }
    out.replace(";}", "}")
}
