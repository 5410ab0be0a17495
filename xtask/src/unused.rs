//! JS stream adapters the widget links but never uses, dropped from the wasm and its glue.
//!
//! Leptos' `csr` feature turns on server_fn's browser support, which brings in wasm-streams.
//! Its `#[wasm_bindgen]` classes (`IntoUnderlyingSource`, `IntoUnderlyingSink`,
//! `IntoUnderlyingByteSource`) are exports of the module, so the linker keeps them with all
//! they reach, and wasm-bindgen writes a JS class for each, although the widget makes no server
//! function call and never builds a stream. About 5.3 KB brotli. The build links the wasm through
//! [`link`], which leaves their exports out, so the linker drops them with what only they
//! reached (their futures sit in vtables, which no optimiser after the linker can prove unused),
//! and [`drop_classes`] removes the classes from the glue.

use std::path::Path;
use std::process::Command;

use crate::tools::Result;

/// Set by `dist` for the wasm build: the real linker, `rust-lld`. When set, xtask is the
/// linker (`-Clinker`), and runs [`link`].
pub const LINKER_ENV: &str = "SAYSO_RUST_LLD";

/// Whether an exported symbol belongs to a stream adapter (method, `__wbg_*_free`, or
/// `__wbindgen_describe_*`).
fn is_stream_export(symbol: &str) -> bool {
    symbol.to_ascii_lowercase().contains("intounderlying")
}

/// Linker arguments without the exports of the stream adapters: `--export NAME`,
/// `--export=NAME`, or the same as lines of a response file.
pub fn without_stream_exports(args: &[String]) -> Vec<String> {
    let mut kept = Vec::with_capacity(args.len());
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        if arg == "--export" {
            match args.next() {
                Some(symbol) if is_stream_export(symbol) => {}
                Some(symbol) => kept.extend([arg.clone(), symbol.clone()]),
                None => kept.push(arg.clone()),
            }
        } else if !arg.strip_prefix("--export=").is_some_and(is_stream_export) {
            kept.push(arg.clone());
        }
    }
    kept
}

/// Run `rust-lld` with `args` less the stream adapters' exports; a response file (`@path`,
/// one argument per line) is filtered the same way into `path.kept`.
pub fn link(lld: &Path, args: &[String]) -> Result<()> {
    let mut kept = Vec::new();
    for arg in without_stream_exports(args) {
        match arg.strip_prefix('@') {
            Some(file) => {
                let text = std::fs::read_to_string(file).map_err(|e| format!("{file}: {e}"))?;
                let lines: Vec<String> = text.lines().map(str::to_owned).collect();
                let filtered = format!("{file}.kept");
                std::fs::write(&filtered, without_stream_exports(&lines).join("\n"))
                    .map_err(|e| format!("{filtered}: {e}"))?;
                kept.push(format!("@{filtered}"));
            }
            None => kept.push(arg),
        }
    }
    let status = Command::new(lld)
        .args(&kept)
        .status()
        .map_err(|e| format!("could not start {}: {e}", lld.display()))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{} failed ({status})", lld.display()))
    }
}

/// The wasm-streams classes, as wasm-bindgen names them in the glue.
pub const CLASSES: [&str; 3] = [
    "IntoUnderlyingByteSource",
    "IntoUnderlyingSink",
    "IntoUnderlyingSource",
];

/// Remove from the wasm-bindgen glue each class in `classes`: its `export class` block, its
/// `Symbol.dispose` line, its `FinalizationRegistry`, and enum tables only they read. Fails
/// unless each is found exactly once and nothing mentions the class or its exports afterwards,
/// so a change in wasm-bindgen's output stops the build instead of shipping a glue that calls
/// exports the module no longer has.
pub fn drop_classes(glue: &str, classes: &[&str]) -> Result<String> {
    let mut glue = glue.to_owned();
    for class in classes {
        let block = format!("export class {class} {{\n");
        glue = cut(&glue, &block, "\n}\n")?;
        let dispose = format!(
            "if (Symbol.dispose) {class}.prototype[Symbol.dispose] = {class}.prototype.free;\n"
        );
        glue = cut(&glue, &dispose, "")?;
        glue = cut(&glue, &format!("const {class}Finalization = "), ";\n")?;
        if glue.contains(class) {
            return Err(format!("the glue still mentions {class} after removing it"));
        }
    }
    // An enum table (`const __wbindgen_enum_X = [...];`) that only the classes read.
    let mut kept = String::with_capacity(glue.len());
    for line in glue.split_inclusive('\n') {
        let unused = line
            .strip_prefix("const __wbindgen_enum_")
            .and_then(|rest| rest.split_once(' '))
            .is_some_and(|(name, _)| glue.matches(&format!("__wbindgen_enum_{name}")).count() == 1);
        if !unused {
            kept.push_str(line);
        }
    }
    if kept.to_ascii_lowercase().contains("intounderlying") {
        return Err("the glue still calls a removed stream export".into());
    }
    Ok(kept)
}

/// `text` without the one span that starts with `start` and ends with the first `end` after it
/// (or with `start` itself when `end` is empty).
fn cut(text: &str, start: &str, end: &str) -> Result<String> {
    let found = text.matches(start).count();
    if found != 1 {
        return Err(format!(
            "expected `{}` once in the glue, found it {found} times",
            start.trim_end()
        ));
    }
    let from = text.find(start).expect("counted above");
    let after = from + start.len();
    let to = after
        + text[after..]
            .find(end)
            .ok_or_else(|| format!("no end to `{}` in the glue", start.trim_end()))?
        + end.len();
    Ok(format!("{}{}", &text[..from], &text[to..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    const GLUE: &str = r#"export class Source {
    free() {
        SourceFinalization.unregister(this);
        wasm.__wbg_intounderlyingsource_free(this.__wbg_ptr, 0);
    }
    get type() {
        return __wbindgen_enum_StreamType[wasm.intounderlyingsource_type(this.__wbg_ptr)];
    }
}
if (Symbol.dispose) Source.prototype[Symbol.dispose] = Source.prototype.free;

export function start(a) { wasm.start(a); }
const __wbindgen_enum_StreamType = ["bytes"];
const __wbindgen_enum_ShadowRootMode = ["open", "closed"];
const SourceFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_intounderlyingsource_free(ptr, 1));
function f() { return __wbindgen_enum_ShadowRootMode[0]; }
"#;

    fn strings(args: &[&str]) -> Vec<String> {
        args.iter().map(|a| (*a).to_owned()).collect()
    }

    #[test]
    fn the_linker_is_not_asked_to_export_the_stream_adapters() {
        let args = strings(&[
            "-flavor",
            "wasm",
            "--export",
            "start_ea88",
            "--export",
            "intounderlyingsource_pull_58a9",
            "--export=__wbg_intounderlyingsink_free_58a9",
            "--export=__wbindgen_malloc",
            "--export",
            "__wbindgen_describe_IntoUnderlyingByteSource_58a9",
            "--gc-sections",
            "-o",
            "sayso.wasm",
        ]);
        assert_eq!(
            without_stream_exports(&args),
            strings(&[
                "-flavor",
                "wasm",
                "--export",
                "start_ea88",
                "--export=__wbindgen_malloc",
                "--gc-sections",
                "-o",
                "sayso.wasm",
            ])
        );
    }

    #[test]
    fn drops_the_class_its_registry_and_its_enum_only() {
        let out = drop_classes(GLUE, &["Source"]).unwrap();
        assert_eq!(
            out,
            "\nexport function start(a) { wasm.start(a); }\n\
             const __wbindgen_enum_ShadowRootMode = [\"open\", \"closed\"];\n\
             function f() { return __wbindgen_enum_ShadowRootMode[0]; }\n"
        );
    }

    #[test]
    fn refuses_glue_it_does_not_understand() {
        // A class that is not there, or a registry under another name.
        assert!(drop_classes(GLUE, &["Sink"]).unwrap_err().contains("Sink"));
        let renamed = GLUE.replace("const SourceFinalization", "const SourceRegistry");
        assert!(drop_classes(&renamed, &["Source"]).is_err());
        // Something else still uses the class, or a removed export.
        let used = format!("{GLUE}new Source();\n");
        assert!(
            drop_classes(&used, &["Source"])
                .unwrap_err()
                .contains("still mentions")
        );
        let called = format!("{GLUE}wasm.intounderlyingsource_pull(p);\n");
        assert!(
            drop_classes(&called, &["Source"])
                .unwrap_err()
                .contains("stream export")
        );
    }
}
