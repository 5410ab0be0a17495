//! Visitor-facing text that a site owner can translate.

use crate::json::{Json, JsonObject};
use crate::parse::{Object, string, strings};
use crate::problem::Problems;

/// A string shown to visitors: either one string for every language, or one per locale tag.
///
/// ```json
/// "title": "How likely are you to recommend us?"
/// "title": { "en": "How likely are you to recommend us?", "es": "¿Nos recomendaría?" }
/// ```
/// A missing translation falls back to the survey's default locale, never to a key name.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "json-schema", schemars(untagged))]
pub enum LocalizedText {
    /// The same text in every language.
    Plain(String),
    /// Text per locale tag (`en`, `es`, `pt-BR`, ...); must include the default locale.
    Translated(
        #[cfg_attr(
            feature = "json-schema",
            schemars(with = "std::collections::BTreeMap<String, String>")
        )]
        Vec<(String, String)>,
    ),
}

impl LocalizedText {
    /// The text for `locale`: the exact tag, then its language (`es-MX` -> `es`), then
    /// `default`, then any translation at all.
    pub fn resolve<'a>(&'a self, locale: &str, default: &str) -> &'a str {
        match self {
            Self::Plain(text) => text,
            Self::Translated(map) => {
                let language = locale.split('-').next().unwrap_or(locale);
                let get = |tag: &str| map.iter().find(|(k, _)| k == tag).map(|(_, v)| v.as_str());
                get(locale)
                    .or_else(|| get(language))
                    .or_else(|| get(default))
                    .or(map.first().map(|(_, v)| v.as_str()))
                    .unwrap_or("")
            }
        }
    }

    /// Every (locale, text) pair; a plain text reports the locale `None`.
    pub fn variants(&self) -> Vec<(Option<&str>, &str)> {
        match self {
            Self::Plain(text) => vec![(None, text.as_str())],
            Self::Translated(map) => map
                .iter()
                .map(|(k, v)| (Some(k.as_str()), v.as_str()))
                .collect(),
        }
    }

    /// The JSON form: a string, or an object of strings by locale.
    pub fn to_json(&self) -> Json {
        match self {
            Self::Plain(text) => Json::from(text.as_str()),
            Self::Translated(map) => {
                Json::Object(map.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect())
            }
        }
    }
}

impl From<&str> for LocalizedText {
    fn from(text: &str) -> Self {
        Self::Plain(text.to_owned())
    }
}

impl From<String> for LocalizedText {
    fn from(text: String) -> Self {
        Self::Plain(text)
    }
}

/// Which languages a survey speaks.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
pub struct Locales {
    /// The language every text must have and every missing translation falls back to.
    #[cfg_attr(feature = "json-schema", schemars(default = "default_locale"))]
    pub default: String,
    /// Further languages the survey is translated into (the default is implied).
    #[cfg_attr(feature = "json-schema", schemars(default))]
    pub available: Vec<String>,
}

impl Default for Locales {
    fn default() -> Self {
        Self {
            default: default_locale(),
            available: Vec::new(),
        }
    }
}

impl Locales {
    /// The best locale of this survey for a visitor who asked for `wanted` (a BCP 47 tag).
    pub fn negotiate(&self, wanted: &str) -> &str {
        let wanted_language = wanted.split('-').next().unwrap_or(wanted);
        let all = std::iter::once(&self.default).chain(&self.available);
        all.clone()
            .find(|l| l.eq_ignore_ascii_case(wanted))
            .or_else(|| {
                all.clone().find(|l| {
                    l.split('-')
                        .next()
                        .unwrap_or(l)
                        .eq_ignore_ascii_case(wanted_language)
                })
            })
            .unwrap_or(&self.default)
    }

    /// Whether `tag` is the default or an available locale.
    pub fn contains(&self, tag: &str) -> bool {
        self.default == tag || self.available.iter().any(|l| l == tag)
    }
}

impl Locales {
    /// The JSON form.
    pub fn to_json(&self) -> Json {
        let mut o = JsonObject::new();
        o.insert("default", self.default.as_str());
        o.insert("available", self.available.clone());
        Json::Object(o)
    }
}

/// Read `locales` from JSON.
pub(crate) fn read_locales(v: &Json, path: &str, p: &mut Problems) -> Option<Locales> {
    let mut o = Object::new(v, path, p)?;
    let default = o.or("default", default_locale(), string);
    let available = o.or("available", Vec::new(), strings);
    o.finish();
    Some(Locales {
        default: default?,
        available: available?,
    })
}

fn default_locale() -> String {
    "en".to_owned()
}

/// Whether `tag` looks like a BCP 47 language tag (`en`, `pt-BR`, `zh-Hant-TW`).
pub fn is_locale_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let language = parts.next().unwrap_or("");
    (2..=3).contains(&language.len())
        && language.bytes().all(|b| b.is_ascii_lowercase())
        && parts.all(|p| (2..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn translated(pairs: &[(&str, &str)]) -> LocalizedText {
        LocalizedText::Translated(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn resolve_prefers_exact_then_language_then_default() {
        let t = translated(&[("en", "Hello"), ("es", "Hola"), ("pt-BR", "Olá")]);
        assert_eq!(t.resolve("pt-BR", "en"), "Olá");
        assert_eq!(t.resolve("es-MX", "en"), "Hola");
        assert_eq!(t.resolve("de", "en"), "Hello");
        assert_eq!(LocalizedText::from("Hi").resolve("fr", "en"), "Hi");
    }

    #[test]
    fn negotiate_falls_back_to_default() {
        let l = Locales {
            default: "en".into(),
            available: vec!["es".into(), "ar".into()],
        };
        assert_eq!(l.negotiate("es-419"), "es");
        assert_eq!(l.negotiate("AR"), "ar");
        assert_eq!(l.negotiate("de-DE"), "en");
    }

    #[test]
    fn locale_tags() {
        for ok in ["en", "pt-BR", "zh-Hant-TW", "ast"] {
            assert!(is_locale_tag(ok), "{ok}");
        }
        for bad in ["", "e", "EN", "english", "en_US", "en-", "en-x"] {
            assert!(!is_locale_tag(bad), "{bad}");
        }
    }
}
