//! Routes every call from the page into the widget through `src/js/guard.js`, so that the
//! first unexpected failure (a panic, or an exception the host page throws from a built-in it
//! replaced) stops the widget with one console error instead of surfacing, again and again, as
//! an uncaught error of the host page. See guard.js for what stopping does.
//!
//! wasm-bindgen's glue (`--target web`) calls Rust from JS in three kinds of places: its
//! exports (the widget has one, `start`), the wrappers `makeClosure` and `makeMutClosure` give
//! Rust closures (each written only when some closure needs it), and the destructors of those
//! closures. [`apply`] rewrites each, and fails unless it finds exactly what it expects, so that
//! a change in wasm-bindgen's output stops the build instead of shipping a widget that is not
//! guarded.

use crate::tools::Result;

/// The guard's code, appended to the glue.
const GUARD: &str = include_str!("../../src/js/guard.js");

/// How the closure wrappers (`makeClosure`, `makeMutClosure`) call the closure, and what they
/// call instead.
const CALLS: [(&str, &str); 2] = [
    (
        "return f(state.a, state.b, ...args);",
        "return guarded(f, [state.a, state.b, ...args]);",
    ),
    (
        "return f(a, state.b, ...args);",
        "return guarded(f, [a, state.b, ...args]);",
    ),
];

/// How a closure's destructor is called: `wasm.<export>(state.a, state.b)`, from the
/// finalization registry and from each wrapper's `_wbg_cb_unref`.
const DESTRUCTOR_ARGS: &str = "(state.a, state.b)";

/// The glue with every entry into the wasm guarded (before the export names are minified).
pub fn apply(glue: &str) -> Result<String> {
    let mut out = glue.to_owned();
    let mut wrappers = 0;
    for (call, guarded) in CALLS {
        match out.matches(call).count() {
            0 => {}
            1 => {
                out = out.replacen(call, guarded, 1);
                wrappers += 1;
            }
            n => {
                return Err(format!(
                    "the glue has `{call}` {n} times, expected at most once (xtask/src/guard.rs)"
                ));
            }
        }
    }
    // The registry's and each wrapper's.
    let destructors = if wrappers == 0 { 0 } else { 1 + wrappers };
    out = guard_destructors(&out, destructors)?;
    // The one export: renamed, and exported again through the guard.
    let export = "export function start(";
    out = replace_once(&out, export, "function startUnguarded(")?;
    out.push_str(
        "\nexport function start(...args) {\n    return guarded(startUnguarded, args);\n}\n",
    );
    let exports = out.matches("\nexport function ").count();
    if exports != 1 {
        return Err(format!(
            "the glue exports {exports} functions besides `start`'s guard: guard them too (xtask/src/guard.rs)"
        ));
    }
    out.push('\n');
    out.push_str(GUARD);
    Ok(out)
}

fn replace_once(text: &str, from: &str, to: &str) -> Result<String> {
    match text.matches(from).count() {
        1 => Ok(text.replacen(from, to, 1)),
        n => Err(format!(
            "the glue has `{from}` {n} times, expected once (xtask/src/guard.rs)"
        )),
    }
}

/// `wasm.<name>(state.a, state.b)` becomes `stopped || wasm.<name>(state.a, state.b)`: a
/// stopped widget's closures are not dropped (its memory is no longer to be trusted).
fn guard_destructors(glue: &str, expected: usize) -> Result<String> {
    let mut out = String::with_capacity(glue.len() + 64);
    let mut rest = glue;
    let mut found = 0;
    while let Some(at) = rest.find(DESTRUCTOR_ARGS) {
        let before = &rest[..at];
        let name_start = before
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '$'))
            .map_or(0, |i| i + 1);
        let Some(call_start) = before[..name_start].strip_suffix("wasm.").map(str::len) else {
            return Err(format!(
                "the glue calls `{}{DESTRUCTOR_ARGS}`, expected a wasm export (xtask/src/guard.rs)",
                &before[name_start..]
            ));
        };
        out.push_str(&before[..call_start]);
        out.push_str("stopped || ");
        out.push_str(&before[call_start..]);
        out.push_str(DESTRUCTOR_ARGS);
        rest = &rest[at + DESTRUCTOR_ARGS.len()..];
        found += 1;
    }
    out.push_str(rest);
    if found != expected {
        return Err(format!(
            "the glue destroys closures in {found} places, expected {expected} (xtask/src/guard.rs)"
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The parts of wasm-bindgen 0.2's glue that the guard rewrites.
    const GLUE: &str = r#"
export function start(config_json, survey_request, api) {
    wasm.start(1, 2, api);
}
const CLOSURE_DTORS = new FinalizationRegistry(state => wasm.__wbindgen_destroy_closure(state.a, state.b));
function makeClosure(arg0, arg1, f) {
    const real = (...args) => {
        try {
            return f(state.a, state.b, ...args);
        } finally {
            real._wbg_cb_unref();
        }
    };
    real._wbg_cb_unref = () => {
        if (--state.cnt === 0) {
            wasm.__wbindgen_destroy_closure(state.a, state.b);
        }
    };
}
function makeMutClosure(arg0, arg1, f) {
    const real = (...args) => {
        try {
            return f(a, state.b, ...args);
        } finally {
            real._wbg_cb_unref();
        }
    };
    real._wbg_cb_unref = () => {
        if (--state.cnt === 0) {
            wasm.__wbindgen_destroy_closure(state.a, state.b);
        }
    };
}
export { initSync, __wbg_init as default };
"#;

    #[test]
    fn every_entry_into_the_wasm_is_guarded() {
        let out = apply(GLUE).unwrap();
        assert!(out.contains("return guarded(f, [state.a, state.b, ...args]);"));
        assert!(out.contains("return guarded(f, [a, state.b, ...args]);"));
        let rewritten = out.strip_suffix(GUARD).expect("the guard comes last");
        assert!(!rewritten.contains("return f("));
        assert_eq!(
            out.matches("stopped || wasm.__wbindgen_destroy_closure(state.a, state.b)")
                .count(),
            3
        );
        assert!(out.contains("function startUnguarded(config_json, survey_request, api) {"));
        assert!(out.contains(
            "export function start(...args) {\n    return guarded(startUnguarded, args);\n}"
        ));
    }

    #[test]
    fn refuses_glue_it_does_not_understand() {
        let cases = [
            GLUE.replace("return f(a, state.b, ...args);", "return f(a, b, ...args);"),
            GLUE.replace(
                "wasm.__wbindgen_destroy_closure(state.a, state.b);",
                "destroy(state.a, state.b);",
            ),
            GLUE.replace(
                "state => wasm.__wbindgen_destroy_closure(state.a, state.b)",
                "() => {}",
            ),
            GLUE.replace("export function start(", "export function begin("),
            // A wrapper without its destructor.
            GLUE.replace(
                "            wasm.__wbindgen_destroy_closure(state.a, state.b);\n        }\n    };\n}\nexport",
                "        }\n    };\n}\nexport",
            ),
            format!("{GLUE}\nexport function other() {{ wasm.other(); }}\n"),
        ];
        for glue in cases {
            assert!(apply(&glue).is_err(), "{glue}");
        }
    }

    #[test]
    fn glue_without_closures_has_only_its_export_guarded() {
        let glue = "export function start(url) {\n    wasm.start(url);\n}\n";
        let out = apply(glue).unwrap();
        assert!(out.starts_with("function startUnguarded(url) {"));
        assert!(out.contains("return guarded(startUnguarded, args);"));
        let with_one_wrapper = format!(
            "{glue}const D = new FinalizationRegistry(state => wasm.d(state.a, state.b));\n\
             function makeMutClosure(arg0, arg1, f) {{ try {{ return f(a, state.b, ...args); }} \
             finally {{ if (--state.cnt === 0) wasm.d(state.a, state.b); }} }}\n"
        );
        let out = apply(&with_one_wrapper).unwrap();
        assert_eq!(
            out.matches("stopped || wasm.d(state.a, state.b)").count(),
            2
        );
    }

    #[test]
    fn the_guard_removes_the_widgets_own_elements() {
        // The host element's tag, as `src/host.rs` names it.
        let host = include_str!("../../src/host.rs");
        assert!(host.contains("pub const HOST_TAG: &str = \"sayso-survey\";"));
        assert!(GUARD.contains("document.querySelectorAll(\"sayso-survey\")"));
    }
}
