//! Reading documents from JSON: one hand-written reader for both documents, used by the widget
//! and the collector alike.
//!
//! Why not `#[derive(Deserialize)]`: the derive stops at the first error, knows nothing of
//! unknown fields once `flatten` is involved, and its monomorphised code was more than half of
//! the widget's wasm (measured: +150 KB raw for the definition alone). This reader reports every
//! problem at once with its JSON path, refuses unknown fields (a typo such as `"requird"` must
//! not be silently ignored), and is small. Each type's `to_json` writes what its reader reads;
//! the property tests hold the two together.

use crate::json::{Json, JsonObject};
use crate::problem::Problems;
use crate::text::LocalizedText;

/// Parse JSON text, then read it with `read`; every problem is located by JSON path.
pub(crate) fn parse<T>(
    text: &str,
    read: fn(&Json, &str, &mut Problems) -> Option<T>,
) -> Result<T, Problems> {
    let value =
        Json::parse(text).map_err(|e| Problems::single("$", format!("not valid JSON: {e}")))?;
    read_document(&value, read)
}

/// Read an already parsed JSON value with `read`.
pub(crate) fn read_document<T>(
    value: &Json,
    read: fn(&Json, &str, &mut Problems) -> Option<T>,
) -> Result<T, Problems> {
    let mut problems = Problems::default();
    match read(value, "$", &mut problems) {
        Some(doc) if problems.is_empty() => Ok(doc),
        _ => Err(problems),
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
        format!("{path}[{}]", Json::from(key))
    }
}

static EMPTY: JsonObject = JsonObject::EMPTY;

/// A JSON object being read field by field; [`Object::finish`] reports the fields nobody read.
pub(crate) struct Object<'v, 'p> {
    map: &'v JsonObject,
    path: String,
    read: Vec<&'static str>,
    problems: &'p mut Problems,
}

/// Reads one JSON value at a path, recording problems.
pub(crate) type Reader<T> = fn(&Json, &str, &mut Problems) -> Option<T>;

impl<'v, 'p> Object<'v, 'p> {
    /// Start reading `value`, which must be an object.
    pub fn new(value: &'v Json, path: &str, problems: &'p mut Problems) -> Option<Self> {
        match value {
            Json::Object(map) => Some(Self {
                map,
                path: path.to_owned(),
                read: Vec::new(),
                problems,
            }),
            _ => {
                problems.push(path, "expected an object");
                None
            }
        }
    }

    /// Record a problem at field `key`.
    pub fn problem(&mut self, key: &str, message: impl Into<String>) {
        let at = member(&self.path, key);
        self.problems.push(at, message);
    }

    fn take(&mut self, key: &'static str) -> Option<&'v Json> {
        self.read.push(key);
        self.map.get(key).filter(|v| !v.is_null())
    }

    /// A field that must be present.
    pub fn required<T>(&mut self, key: &'static str, read: Reader<T>) -> Option<T> {
        match self.take(key) {
            Some(v) => read(v, &member(&self.path, key), self.problems),
            None => {
                self.problem(key, "missing");
                None
            }
        }
    }

    /// A field that may be absent or null; `Err(())` when present but unreadable.
    pub fn optional<T>(&mut self, key: &'static str, read: Reader<T>) -> Result<Option<T>, ()> {
        match self.take(key) {
            Some(v) => read(v, &member(&self.path, key), self.problems)
                .map(Some)
                .ok_or(()),
            None => Ok(None),
        }
    }

    /// A field with a default when absent; `None` when present but unreadable.
    pub fn or<T>(&mut self, key: &'static str, default: T, read: Reader<T>) -> Option<T> {
        self.optional(key, read).ok().map(|v| v.unwrap_or(default))
    }

    /// Read no more: the other fields cannot be judged (an unknown `kind`, say).
    pub fn ignore_rest(&mut self) {
        self.read.clear();
        self.map = &EMPTY;
    }

    /// Report every field that was never read.
    pub fn finish(self) {
        for key in self.map.keys().filter(|k| !self.read.contains(k)) {
            self.problems.push(member(&self.path, key), "unknown field");
        }
    }
}

/// A string.
pub(crate) fn string(v: &Json, path: &str, p: &mut Problems) -> Option<String> {
    match v {
        Json::String(s) => Some(s.clone()),
        _ => {
            p.push(path, "expected a string");
            None
        }
    }
}

/// `true` or `false`.
pub(crate) fn boolean(v: &Json, path: &str, p: &mut Problems) -> Option<bool> {
    match v {
        Json::Bool(b) => Some(*b),
        _ => {
            p.push(path, "expected true or false");
            None
        }
    }
}

/// A non-negative integer that fits `u32`.
pub(crate) fn uint(v: &Json, path: &str, p: &mut Problems) -> Option<u32> {
    match v.as_u64().and_then(|n| u32::try_from(n).ok()) {
        Some(n) => Some(n),
        None => {
            p.push(path, "expected a whole number from 0 to 4294967295");
            None
        }
    }
}

/// A small non-negative integer.
pub(crate) fn small(v: &Json, path: &str, p: &mut Problems) -> Option<u8> {
    match v.as_u64().and_then(|n| u8::try_from(n).ok()) {
        Some(n) => Some(n),
        None => {
            p.push(path, "expected a whole number from 0 to 255");
            None
        }
    }
}

/// One of a fixed set of keywords.
pub(crate) fn keyword<T: Copy>(
    v: &Json,
    path: &str,
    p: &mut Problems,
    choices: &[(&str, T)],
) -> Option<T> {
    let found = v
        .as_str()
        .and_then(|s| choices.iter().find(|(name, _)| *name == s));
    if found.is_none() {
        let names: Vec<&str> = choices.iter().map(|(n, _)| *n).collect();
        p.push(path, format!("expected one of: {}", names.join(", ")));
    }
    found.map(|(_, t)| *t)
}

/// An array whose every item `item` reads.
pub(crate) fn list<T>(v: &Json, path: &str, p: &mut Problems, item: Reader<T>) -> Option<Vec<T>> {
    let Json::Array(items) = v else {
        p.push(path, "expected an array");
        return None;
    };
    // A plain loop: this function is instantiated for every item type, and the loop is much
    // smaller in wasm than collecting into `Option<Vec<T>>`.
    let mut out = Vec::with_capacity(items.len());
    let mut ok = true;
    for (i, x) in items.iter().enumerate() {
        match item(x, &format!("{path}[{i}]"), p) {
            Some(t) => out.push(t),
            None => ok = false,
        }
    }
    ok.then_some(out)
}

/// An array of strings.
pub(crate) fn strings(v: &Json, path: &str, p: &mut Problems) -> Option<Vec<String>> {
    list(v, path, p, string)
}

/// Any JSON object, kept as it is (answers, attributes): its content is checked elsewhere.
pub(crate) fn raw_object(v: &Json, path: &str, p: &mut Problems) -> Option<JsonObject> {
    match v {
        Json::Object(m) => Some(m.clone()),
        _ => {
            p.push(path, "expected an object");
            None
        }
    }
}

/// A visitor-facing text: a string, or an object of strings by locale.
pub(crate) fn text(v: &Json, path: &str, p: &mut Problems) -> Option<LocalizedText> {
    match v {
        Json::String(s) => Some(LocalizedText::Plain(s.clone())),
        Json::Object(m) => {
            let mut out = Vec::new();
            let mut ok = true;
            for (locale, t) in m.iter() {
                match t {
                    Json::String(s) => {
                        out.push((locale.to_owned(), s.clone()));
                    }
                    _ => {
                        p.push(member(path, locale), "expected a string");
                        ok = false;
                    }
                }
            }
            ok.then_some(LocalizedText::Translated(out))
        }
        _ => {
            p.push(
                path,
                "expected a text, or an object of texts by locale (\"en\": \"...\")",
            );
            None
        }
    }
}
