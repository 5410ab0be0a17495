//! Validation of a survey definition: every problem, with its JSON path.

use crate::definition::{ChoiceOption, QuestionKind, SurveyDefinition};
use crate::parse;
use crate::problem::Problems;
use crate::text::{LocalizedText, is_locale_tag};

/// Most questions in one survey.
pub const MAX_QUESTIONS: usize = 50;
/// Most options of a choice question.
pub const MAX_OPTIONS: usize = 50;
/// Most rows of a likert question.
pub const MAX_LIKERT_ROWS: usize = 20;
/// Most characters of one visitor-facing text.
pub const MAX_TEXT_LENGTH: usize = 2000;
/// Most characters a free-text answer may be allowed.
pub const MAX_ANSWER_LENGTH: u32 = 10_000;

impl SurveyDefinition {
    /// Parse and validate a definition from JSON text.
    pub fn from_json(text: &str) -> Result<Self, Problems> {
        let definition = parse::parse(text, Self::read)?;
        definition.validate()?;
        Ok(definition)
    }

    /// Read and validate a definition from a parsed JSON value.
    pub fn from_value(value: &crate::json::Json) -> Result<Self, Problems> {
        let definition = parse::read_document(value, Self::read)?;
        definition.validate()?;
        Ok(definition)
    }

    /// Every problem of this definition, each with the JSON path of the value at fault.
    pub fn validate(&self) -> Result<(), Problems> {
        let mut c = Checker {
            problems: Problems::default(),
            definition: self,
        };
        c.definition_fields();
        c.problems.into_result(())
    }
}

struct Checker<'a> {
    problems: Problems,
    definition: &'a SurveyDefinition,
}

impl Checker<'_> {
    fn definition_fields(&mut self) {
        let d = self.definition;
        if !is_slug(&d.id) {
            self.problems.push("$.id", "use 1 to 64 lowercase letters, digits, '-' or '_', starting with a letter or digit");
        }
        if d.version == 0 {
            self.problems.push("$.version", "versions start at 1");
        }
        self.locales();
        self.text(&d.title, "$.title");
        self.optional_text(d.description.as_ref(), "$.description");
        self.questions();
        self.optional_text(d.thank_you.title.as_ref(), "$.thank_you.title");
        self.optional_text(d.thank_you.message.as_ref(), "$.thank_you.message");
        for (i, origin) in d.allowed_origins.iter().enumerate() {
            if origin != "*" && !is_origin(origin) {
                self.problems.push(
                    format!("$.allowed_origins[{i}]"),
                    "expected an origin such as https://clinic.example (scheme, host, optional port; no path) or \"*\"",
                );
            }
        }
    }

    fn locales(&mut self) {
        let l = &self.definition.locales;
        if !is_locale_tag(&l.default) {
            self.problems.push(
                "$.locales.default",
                "expected a locale tag such as \"en\" or \"pt-BR\"",
            );
        }
        for (i, tag) in l.available.iter().enumerate() {
            let at = format!("$.locales.available[{i}]");
            if !is_locale_tag(tag) {
                self.problems
                    .push(at, "expected a locale tag such as \"es\" or \"pt-BR\"");
            } else if tag == &l.default || l.available[..i].contains(tag) {
                self.problems.push(at, format!("\"{tag}\" is listed twice"));
            }
        }
    }

    fn questions(&mut self) {
        let questions = &self.definition.questions;
        if questions.is_empty() || questions.len() > MAX_QUESTIONS {
            self.problems.push(
                "$.questions",
                format!("a survey has 1 to {MAX_QUESTIONS} questions"),
            );
        }
        for (i, q) in questions.iter().enumerate() {
            let at = format!("$.questions[{i}]");
            if !is_identifier(&q.id) {
                self.problems.push(
                    format!("{at}.id"),
                    "use a lowercase letter, then up to 63 lowercase letters, digits or '_'",
                );
            } else if questions[..i].iter().any(|earlier| earlier.id == q.id) {
                self.problems.push(
                    format!("{at}.id"),
                    format!("\"{}\" is used by an earlier question", q.id),
                );
            }
            self.text(&q.title, &format!("{at}.title"));
            self.optional_text(q.description.as_ref(), &format!("{at}.description"));
            self.kind(i, &q.kind, &at);
        }
    }

    fn kind(&mut self, index: usize, kind: &QuestionKind, at: &str) {
        match kind {
            QuestionKind::Nps { labels }
            | QuestionKind::Csat { labels, .. }
            | QuestionKind::Ces { labels } => {
                self.labels(labels.as_ref(), at);
            }
            QuestionKind::Rating { max, labels, .. } => {
                if !(2..=10).contains(max) {
                    self.problems
                        .push(format!("{at}.max"), "a rating goes up to 2..=10");
                }
                self.labels(labels.as_ref(), at);
            }
            QuestionKind::SingleChoice {
                options,
                other_label,
                ..
            } => {
                self.options(options, &format!("{at}.options"), 2, MAX_OPTIONS);
                if options.iter().any(|o| o.exclusive) {
                    self.problems.push(
                        format!("{at}.options"),
                        "\"exclusive\" only applies to multi_choice",
                    );
                }
                self.optional_text(other_label.as_ref(), &format!("{at}.other_label"));
            }
            QuestionKind::MultiChoice {
                options,
                min,
                max,
                allow_other,
                other_label,
                ..
            } => {
                self.options(options, &format!("{at}.options"), 2, MAX_OPTIONS);
                self.optional_text(other_label.as_ref(), &format!("{at}.other_label"));
                let choosable = options.iter().filter(|o| !o.exclusive).count() as u32
                    + u32::from(*allow_other);
                if let (Some(min), Some(max)) = (min, max)
                    && min > max
                {
                    self.problems.push(
                        format!("{at}.min"),
                        format!("min ({min}) is above max ({max})"),
                    );
                }
                if let Some(min) = min.filter(|m| *m > choosable) {
                    self.problems.push(
                        format!("{at}.min"),
                        format!(
                            "min ({min}) is more than the {choosable} options that can be combined"
                        ),
                    );
                }
                if max == &Some(0) {
                    self.problems
                        .push(format!("{at}.max"), "max must be at least 1");
                }
            }
            QuestionKind::Text {
                max_length,
                placeholder,
                ..
            } => {
                self.max_length(*max_length, &format!("{at}.max_length"));
                self.optional_text(placeholder.as_ref(), &format!("{at}.placeholder"));
            }
            QuestionKind::Definition {
                term, max_length, ..
            } => {
                self.text(term, &format!("{at}.term"));
                self.max_length(*max_length, &format!("{at}.max_length"));
            }
            QuestionKind::Likert {
                rows,
                points,
                point_labels,
            } => {
                self.options(rows, &format!("{at}.rows"), 1, MAX_LIKERT_ROWS);
                if rows.iter().any(|o| o.exclusive) {
                    self.problems.push(
                        format!("{at}.rows"),
                        "\"exclusive\" only applies to multi_choice",
                    );
                }
                if !matches!(points, 5 | 7) {
                    self.problems
                        .push(format!("{at}.points"), "a likert scale has 5 or 7 points");
                }
                if let Some(labels) = point_labels {
                    if labels.len() != usize::from(*points) {
                        self.problems.push(
                            format!("{at}.point_labels"),
                            format!("expected {points} labels, one per point"),
                        );
                    }
                    for (j, label) in labels.iter().enumerate() {
                        self.text(label, &format!("{at}.point_labels[{j}]"));
                    }
                }
            }
            QuestionKind::Contact {
                consent_question, ..
            } => {
                if self.definition.questions[index].required {
                    // It is shown only after consent, so requiring it would make consent compulsory.
                    self.problems.push(
                        format!("{at}.required"),
                        "a contact question cannot be required",
                    );
                }
                let earlier = &self.definition.questions[..index];
                match earlier.iter().find(|q| &q.id == consent_question) {
                    Some(q) if matches!(q.kind, QuestionKind::Consent { .. }) => {}
                    Some(_) => self.problems.push(
                        format!("{at}.consent_question"),
                        format!("\"{consent_question}\" is not a consent question"),
                    ),
                    None => self.problems.push(
                        format!("{at}.consent_question"),
                        format!("no consent question \"{consent_question}\" before this one"),
                    ),
                }
            }
            QuestionKind::Consent { label, link } => {
                self.text(label, &format!("{at}.label"));
                if let Some(link) = link {
                    if !(link.url.starts_with("https://") || link.url.starts_with("http://"))
                        || link.url.len() > 2048
                    {
                        self.problems
                            .push(format!("{at}.link.url"), "expected an http(s) URL");
                    }
                    self.text(&link.text, &format!("{at}.link.text"));
                }
            }
        }
    }

    fn labels(&mut self, labels: Option<&crate::definition::ScaleLabels>, at: &str) {
        if let Some(l) = labels {
            self.text(&l.low, &format!("{at}.labels.low"));
            self.text(&l.high, &format!("{at}.labels.high"));
        }
    }

    fn options(&mut self, options: &[ChoiceOption], at: &str, min: usize, max: usize) {
        if !(min..=max).contains(&options.len()) {
            self.problems
                .push(at, format!("expected {min} to {max} entries"));
        }
        for (j, o) in options.iter().enumerate() {
            if !is_identifier(&o.id) {
                self.problems.push(
                    format!("{at}[{j}].id"),
                    "use a lowercase letter, then up to 63 lowercase letters, digits or '_'",
                );
            } else if options[..j].iter().any(|earlier| earlier.id == o.id) {
                self.problems.push(
                    format!("{at}[{j}].id"),
                    format!("\"{}\" is used twice", o.id),
                );
            }
            self.text(&o.label, &format!("{at}[{j}].label"));
        }
    }

    fn max_length(&mut self, n: u32, at: &str) {
        if !(1..=MAX_ANSWER_LENGTH).contains(&n) {
            self.problems
                .push(at, format!("expected 1 to {MAX_ANSWER_LENGTH}"));
        }
    }

    fn optional_text(&mut self, text: Option<&LocalizedText>, at: &str) {
        if let Some(t) = text {
            self.text(t, at);
        }
    }

    fn text(&mut self, text: &LocalizedText, at: &str) {
        let locales = &self.definition.locales;
        if let LocalizedText::Translated(map) = text
            && !map.iter().any(|(k, _)| *k == locales.default)
        {
            self.problems.push(
                at,
                format!("needs a text in the default locale \"{}\"", locales.default),
            );
        }
        for (locale, value) in text.variants() {
            let here = match locale {
                Some(tag) => parse::member(at, tag),
                None => at.to_owned(),
            };
            if let Some(tag) = locale.filter(|t| !locales.contains(t)) {
                self.problems.push(
                    &here,
                    format!("\"{tag}\" is not the default locale nor in locales.available"),
                );
            }
            if value.trim().is_empty() {
                self.problems.push(&here, "empty text");
            } else if value.chars().count() > MAX_TEXT_LENGTH {
                self.problems
                    .push(&here, format!("at most {MAX_TEXT_LENGTH} characters"));
            }
        }
    }
}

/// Survey ids: 1 to 64 of `[a-z0-9_-]`, starting with a letter or digit.
pub fn is_slug(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        && s.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
}

/// Question and option ids: a lowercase letter, then up to 63 of `[a-z0-9_]`.
pub fn is_identifier(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// A web origin: `http(s)://host[:port]`, no path, query or trailing slash.
pub fn is_origin(s: &str) -> bool {
    let Some(rest) = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
    else {
        return false;
    };
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || rest.starts_with('[') => (h, Some(p)),
        _ => (rest, None),
    };
    let host_ok = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-.[]:".contains(c));
    let port_ok =
        port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
    host_ok && port_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins() {
        for ok in [
            "https://clinic.example",
            "http://127.0.0.1:8080",
            "http://localhost:3000",
            "http://[::1]:8080",
        ] {
            assert!(is_origin(ok), "{ok}");
        }
        for bad in [
            "clinic.example",
            "https://clinic.example/",
            "https://clinic.example/path",
            "ftp://x.y",
            "https://",
            "https://a:b",
        ] {
            assert!(!is_origin(bad), "{bad}");
        }
    }
}
