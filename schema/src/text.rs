//! Visitor-facing text that a site owner can translate.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A string shown to visitors: either one string for every language, or one per locale tag.
///
/// ```json
/// "title": "How likely are you to recommend us?"
/// "title": { "en": "How likely are you to recommend us?", "es": "¿Nos recomendaría?" }
/// ```
/// A missing translation falls back to the survey's default locale, never to a key name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[serde(untagged)]
pub enum LocalizedText {
    /// The same text in every language.
    Plain(String),
    /// Text per locale tag (`en`, `es`, `pt-BR`, ...); must include the default locale.
    Translated(BTreeMap<String, String>),
}

impl LocalizedText {
    /// The text for `locale`: the exact tag, then its language (`es-MX` -> `es`), then
    /// `default`, then any translation at all.
    pub fn resolve<'a>(&'a self, locale: &str, default: &str) -> &'a str {
        match self {
            Self::Plain(text) => text,
            Self::Translated(map) => {
                let language = locale.split('-').next().unwrap_or(locale);
                map.get(locale)
                    .or_else(|| map.get(language))
                    .or_else(|| map.get(default))
                    .or_else(|| map.values().next())
                    .map(String::as_str)
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
pub struct Locales {
    /// The language every text must have and every missing translation falls back to.
    #[serde(default = "default_locale")]
    pub default: String,
    /// Further languages the survey is translated into (the default is implied).
    #[serde(default)]
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
