//! JS stream adapters the widget links but never uses, dropped from the wasm and its glue.
//!
//! Leptos' `csr` feature turns on server_fn's browser support, which brings in wasm-streams.
//! Its `#[wasm_bindgen]` classes (`IntoUnderlyingSource`, `IntoUnderlyingSink`,
//! `IntoUnderlyingByteSource`) are exports of the module, so the linker keeps them, and
//! wasm-bindgen writes a JS class for each, although the widget makes no server function call
//! and never builds a stream. About 1.7 KB brotli. The build removes the exports from the module
//! (`wasm-opt --remove-exports`, before it optimises, so that what only they reached goes too)
//! and the classes from the glue ([`drop_classes`]).

use crate::tools::Result;

/// The wasm-streams classes, as wasm-bindgen names them in the glue.
pub const CLASSES: [&str; 3] = [
    "IntoUnderlyingByteSource",
    "IntoUnderlyingSink",
    "IntoUnderlyingSource",
];

/// wasm-opt arguments that remove these classes' exports (methods and `__wbg_*_free`).
pub const REMOVE_EXPORTS: [&str; 2] = [
    "--remove-exports",
    "--pass-arg=remove-exports@*intounderlying*",
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
