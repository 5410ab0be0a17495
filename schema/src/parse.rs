//! JSON text to typed documents, with every error located by JSON path.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::problem::Problems;

/// Parse `text` as a `T`, reporting malformed JSON, type errors and unknown fields (a typo such
/// as `"requird"` must not be silently ignored) with their JSON path.
pub(crate) fn parse<T: DeserializeOwned + Serialize>(text: &str) -> Result<T, Problems> {
    let raw: Value = serde_json::from_str(text)
        .map_err(|e| Problems::single("$", format!("not valid JSON: {e}")))?;
    parse_value(&raw)
}

/// Like [`parse`], from an already parsed JSON value.
pub(crate) fn parse_value<T: DeserializeOwned + Serialize>(raw: &Value) -> Result<T, Problems> {
    let typed: T = serde_path_to_error::deserialize(raw).map_err(|e| {
        let path = json_path(e.path());
        Problems::single(path, friendly(&e.into_inner().to_string()))
    })?;
    // Serialising the typed value gives every field serde knows; a key present in the input
    // and absent there was not understood.
    let known = serde_json::to_value(&typed).map_err(|e| Problems::single("$", e.to_string()))?;
    let mut problems = Problems::default();
    unknown_fields(raw, &known, "$".to_owned(), &mut problems);
    problems.into_result(typed)
}

fn unknown_fields(raw: &Value, known: &Value, path: String, problems: &mut Problems) {
    match (raw, known) {
        (Value::Object(raw), Value::Object(known)) => {
            for (key, value) in raw {
                let at = member(&path, key);
                match known.get(key) {
                    Some(k) => unknown_fields(value, k, at, problems),
                    None if !value.is_null() => problems.push(at, "unknown field"),
                    None => {}
                }
            }
        }
        (Value::Array(raw), Value::Array(known)) => {
            for (i, (r, k)) in raw.iter().zip(known).enumerate() {
                unknown_fields(r, k, format!("{path}[{i}]"), problems);
            }
        }
        _ => {}
    }
}

/// `path.key`, or `path["key"]` when the key is not a plain identifier.
pub(crate) fn member(path: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && !key.starts_with(|c: char| c.is_ascii_digit())
        && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if plain {
        format!("{path}.{key}")
    } else {
        format!("{path}[{}]", Value::String(key.to_owned()))
    }
}

fn json_path(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::from("$");
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => out = format!("{out}[{index}]"),
            Segment::Map { key } => out = member(&out, key),
            Segment::Enum { .. } | Segment::Unknown => {}
        }
    }
    out
}

fn friendly(message: &str) -> String {
    if message.contains("untagged enum LocalizedText") {
        "expected a text, or an object of texts by locale (\"en\": \"...\")".to_owned()
    } else {
        message.to_owned()
    }
}
