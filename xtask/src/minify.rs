//! Short names for what the wasm module and its JS glue call each other.
//!
//! wasm-bindgen names every import after its function plus a 16-digit hash
//! (`__wbg_addEventListener_847fd86b8c33ec43`), and every name is written twice: in the module's
//! import section and in the glue. Hashes do not compress; about 250 of them cost some 5 KB
//! brotli. `wasm-opt --minify-imports-and-exports-and-modules` renames them in the module (`a`,
//! `b`, ... in module `a`) and prints the mapping; [`apply`] renames them in the glue to match.

use std::collections::HashMap;

use crate::tools::Result;

/// The module and the names wasm-opt gave to what it imports and exports.
#[derive(Debug, Default, PartialEq)]
pub struct Renames {
    /// (import module, import name, new name)
    pub imports: Vec<(String, String, String)>,
    /// (export name, new name)
    pub exports: Vec<(String, String)>,
}

/// The module every import is taken from once renamed.
const MODULE: &str = "a";

/// Read the mapping wasm-opt prints: `["module", "name", "new"]` lines under `"imports"`,
/// `["name", "new"]` lines under `"exports"`.
pub fn parse(printed: &str) -> Result<Renames> {
    let mut renames = Renames::default();
    for line in printed.lines() {
        let quoted: Vec<&str> = line.split('"').skip(1).step_by(2).collect();
        match quoted.as_slice() {
            [module, name, new] => {
                renames
                    .imports
                    .push((module.to_string(), name.to_string(), new.to_string()));
            }
            [name, new] => renames.exports.push((name.to_string(), new.to_string())),
            [] | ["imports"] | ["exports"] => {}
            _ => {
                return Err(format!(
                    "unexpected line in wasm-opt's name mapping: {line}"
                ));
            }
        }
    }
    if renames.imports.is_empty() {
        return Err("wasm-opt printed no renamed imports".into());
    }
    Ok(renames)
}

/// Rename, in the wasm-bindgen glue (`--target web`, before minification), the import
/// object's keys, the module it is given as, and every `wasm.<export>` access. Fails unless
/// every import is found exactly once and the module once, so that a change in wasm-bindgen's
/// output stops the build instead of shipping a widget that cannot load.
pub fn apply(glue: &str, renames: &Renames) -> Result<String> {
    let imports: HashMap<&str, &str> = renames
        .imports
        .iter()
        .map(|(_, name, new)| (name.as_str(), new.as_str()))
        .collect();
    let exports: HashMap<&str, &str> = renames
        .exports
        .iter()
        .map(|(name, new)| (name.as_str(), new.as_str()))
        .collect();
    let mut modules: Vec<&str> = renames.imports.iter().map(|i| i.0.as_str()).collect();
    modules.dedup();
    let [module] = modules.as_slice() else {
        return Err(format!(
            "expected imports from one module, found {modules:?}"
        ));
    };

    let quoted_module = format!("\"{module}\":");
    let module_uses = glue.matches(&quoted_module).count();
    if module_uses != 1 {
        return Err(format!(
            "the glue names module {quoted_module} {module_uses} times, expected once"
        ));
    }
    let glue = glue.replace(&quoted_module, &format!("\"{MODULE}\":"));

    let is_ident = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '$';
    let mut out = String::with_capacity(glue.len());
    let mut renamed_imports = HashMap::new();
    let mut rest = glue.as_str();
    while let Some(start) = rest.find(is_ident) {
        let (before, from_token) = rest.split_at(start);
        out.push_str(before);
        let end = from_token
            .find(|c| !is_ident(c))
            .unwrap_or(from_token.len());
        let (token, after) = from_token.split_at(end);
        let export = out
            .strip_suffix("wasm.")
            .filter(|o| !o.ends_with(|c: char| is_ident(c) || c == '.'))
            .and_then(|_| exports.get(token));
        let import = after.starts_with(':').then(|| imports.get(token)).flatten();
        match (export, import) {
            (Some(new), _) => out.push_str(new),
            (None, Some(new)) => {
                *renamed_imports.entry(token).or_insert(0) += 1;
                out.push_str(new);
            }
            (None, None) => out.push_str(token),
        }
        rest = after;
    }
    out.push_str(rest);

    for name in imports.keys() {
        match renamed_imports.get(name) {
            Some(1) => {}
            n => {
                return Err(format!(
                    "import {name} is defined {} times in the glue, expected once",
                    n.unwrap_or(&0)
                ));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PRINTED: &str = r#"{
 "imports": [
  ["./w_bg.js", "__wbg_get_2080c49015e35254", "$"],
  ["./w_bg.js", "__wbindgen_init_externref_table", "b"]
 ],
"exports": [
  ["memory", "c"],
  ["start", "Jc"]
 ]
}"#;

    const GLUE: &str = r#"function start(a) { wasm.start(a); }
function __wbg_get_imports() {
    const import0 = {
        __proto__: null,
        __wbg_get_2080c49015e35254: function(a, b) { return a[b]; },
        __wbindgen_init_externref_table: function() { const t = wasm.memory; },
    };
    return { __proto__: null, "./w_bg.js": import0 };
}
const x = { start: 1, memory: my.wasm.memory, other: wasm.starts };"#;

    #[test]
    fn parses_the_mapping_wasm_opt_prints() {
        let r = parse(PRINTED).unwrap();
        assert_eq!(
            r.imports[0],
            (
                "./w_bg.js".into(),
                "__wbg_get_2080c49015e35254".into(),
                "$".into()
            )
        );
        assert_eq!(
            r.exports,
            [("memory".into(), "c".into()), ("start".into(), "Jc".into())]
        );
        assert!(parse("{\n \"imports\": [\n ],\n}").is_err());
        assert!(parse("[\"a\", \"b\", \"c\", \"d\"]").is_err());
    }

    #[test]
    fn renames_imports_the_module_and_export_accesses_only() {
        let out = apply(GLUE, &parse(PRINTED).unwrap()).unwrap();
        assert!(out.contains("function start(a) { wasm.Jc(a); }"), "{out}");
        assert!(out.contains("$: function(a, b)"), "{out}");
        assert!(out.contains("b: function() { const t = wasm.c; }"), "{out}");
        assert!(out.contains("\"a\": import0"), "{out}");
        // Object keys that are not imports, other objects' `wasm`, longer names: untouched.
        assert!(
            out.contains("{ start: 1, memory: my.wasm.memory, other: wasm.starts }"),
            "{out}"
        );
    }

    #[test]
    fn refuses_glue_it_does_not_understand() {
        let r = parse(PRINTED).unwrap();
        let missing = GLUE.replace("__wbg_get_2080c49015e35254:", "get:");
        assert!(
            apply(&missing, &r)
                .unwrap_err()
                .contains("__wbg_get_2080c49015e35254")
        );
        let twice = GLUE.replace(
            "\"./w_bg.js\": import0",
            "\"./w_bg.js\": import0, \"./w_bg.js\": 1",
        );
        assert!(apply(&twice, &r).is_err());
    }
}
