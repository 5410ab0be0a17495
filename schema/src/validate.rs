//! Validation of a survey definition: every problem, with its JSON path.

use crate::definition::{
    BUILT_IN_STRINGS, ChoiceOption, Link, Question, QuestionKind, SkipTarget, SurveyDefinition,
};
use crate::json::Json;
use crate::logic::{Condition, Test, placeholder};
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
        let definition = Self::read_json(text)?;
        definition.validate()?;
        Ok(definition)
    }

    /// Parse and read a definition from JSON text without the checks of [`Self::validate`]:
    /// for a caller that runs the two in separate tasks (the widget, whose first run of each
    /// is compiled as it goes). Anything read this way must be validated before it is used.
    #[inline(never)] // compiled in the task that reads, not in its caller's
    pub fn read_json(text: &str) -> Result<Self, Problems> {
        parse::parse(text, Self::read)
    }

    /// Read and validate a definition from a parsed JSON value.
    pub fn from_value(value: &crate::json::Json) -> Result<Self, Problems> {
        let definition = parse::read_document(value, Self::read)?;
        definition.validate()?;
        Ok(definition)
    }

    /// Every problem of this definition, each with the JSON path of the value at fault.
    #[inline(never)] // one copy in the widget, however many callers
    pub fn validate(&self) -> Result<(), Problems> {
        let mut c = Checker {
            problems: Problems::default(),
            definition: self,
            piping: None,
        };
        c.definition_fields();
        c.problems.into_result(())
    }
}

struct Checker<'a> {
    problems: Problems,
    definition: &'a SurveyDefinition,
    /// While checking a text that may show answers: how many questions it may name.
    piping: Option<usize>,
}

impl<'a> Checker<'a> {
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
        self.logic();
        self.thank_you();
        self.built_in_strings();
        self.optional_text(
            d.display.launcher_label.as_ref(),
            "$.display.launcher_label",
        );
        d.trigger.check(&mut self.problems);
        d.targeting.check(&mut self.problems);
        d.theme.check(&mut self.problems);
        if d.privacy.hidden_fields.len() > 20 {
            self.problems
                .push("$.privacy.hidden_fields", "at most 20 fields");
        }
        for (i, name) in d.privacy.hidden_fields.iter().enumerate() {
            let ok = (1..=64).contains(&name.len())
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(&b));
            if !ok {
                self.problems.push(
                    format!("$.privacy.hidden_fields[{i}]"),
                    "a URL parameter name: 1 to 64 letters, digits, '_', '-' or '.'",
                );
            }
        }
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
            } else if q.id == "end" {
                self.problems.push(
                    format!("{at}.id"),
                    "\"end\" is what skip_to calls the end of the survey: name the question otherwise",
                );
            } else if questions[..i].iter().any(|earlier| earlier.id == q.id) {
                self.problems.push(
                    format!("{at}.id"),
                    format!("\"{}\" is used by an earlier question", q.id),
                );
            }
            self.piped(Some(&q.title), &format!("{at}.title"), i);
            self.piped(q.description.as_ref(), &format!("{at}.description"), i);
            if let Some(c) = &q.show_if {
                self.possible(c, &format!("{at}.show_if"), i);
            }
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
                self.link(link.as_ref(), &format!("{at}.link"));
            }
        }
    }

    fn link(&mut self, link: Option<&Link>, at: &str) {
        if let Some(link) = link {
            if !(link.url.starts_with("https://") || link.url.starts_with("http://"))
                || link.url.len() > 2048
            {
                self.problems
                    .push(format!("{at}.url"), "expected an http(s) URL");
            }
            self.text(&link.text, &format!("{at}.text"));
        }
    }

    fn logic(&mut self) {
        let d = self.definition;
        for (k, rule) in d.logic.iter().enumerate() {
            let at = format!("$.logic[{k}]");
            let all = d.questions.len();
            let Some(after) = self.earlier(&rule.after, format!("{at}.after"), all) else {
                continue;
            };
            let after = d.question_index(&after.id).unwrap_or(all);
            // The condition may look at `after` itself: it is answered when the rule applies.
            self.possible(&rule.condition, &format!("{at}.if"), after + 1);
            if let SkipTarget::Question(id) = &rule.skip_to
                && d.question_index(id).is_none_or(|to| to <= after)
            {
                self.problems.push(
                    format!("{at}.skip_to"),
                    "expected \"end\" or a question after \"after\" (a skip only goes forward)",
                );
            }
        }
    }

    /// Known names, texts in the survey's locales, and only the placeholders the widget fills.
    fn built_in_strings(&mut self) {
        let locales = &self.definition.locales;
        for (name, text) in &self.definition.strings {
            let at = parse::member("$.strings", name);
            let Some((_, allowed)) = BUILT_IN_STRINGS.iter().find(|(n, _)| n == name) else {
                let names: Vec<&str> = BUILT_IN_STRINGS.iter().map(|(n, _)| *n).collect();
                let names = names.join(", ");
                self.problems
                    .push(&at, format!("not a built-in string; one of: {names}"));
                continue;
            };
            for (locale, value) in text.variants() {
                let here = locale.map_or(at.clone(), |tag| parse::member(&at, tag));
                if let Some(tag) = locale.filter(|t| !locales.contains(t)) {
                    self.problems.push(
                        &here,
                        format!("\"{tag}\" is not the default locale nor in locales.available"),
                    );
                }
                if value.trim().is_empty() || value.chars().count() > MAX_TEXT_LENGTH {
                    self.problems
                        .push(&here, format!("1 to {MAX_TEXT_LENGTH} characters"));
                }
                let mut rest = value;
                while let Some((_, word, after)) = placeholder(rest) {
                    rest = after;
                    if !allowed.contains(&word) {
                        let may = match allowed.join("}, {") {
                            may if may.is_empty() => "none".to_owned(),
                            may => format!("{{{may}}}"),
                        };
                        self.problems.push(
                            &here,
                            format!("{{{word}}} is not filled in here (it may use: {may})"),
                        );
                    }
                }
            }
        }
    }

    fn thank_you(&mut self) {
        let t = &self.definition.thank_you;
        let all = self.definition.questions.len();
        self.piped(t.title.as_ref(), "$.thank_you.title", all);
        self.piped(t.message.as_ref(), "$.thank_you.message", all);
        self.link(t.link.as_ref(), "$.thank_you.link");
        for (k, v) in t.variants.iter().enumerate() {
            let at = format!("$.thank_you.variants[{k}]");
            self.possible(&v.condition, &format!("{at}.if"), all);
            self.piped(v.title.as_ref(), &format!("{at}.title"), all);
            self.piped(v.message.as_ref(), &format!("{at}.message"), all);
            self.link(v.link.as_ref(), &format!("{at}.link"));
            if v.title.is_none() && v.message.is_none() && v.link.is_none() {
                self.problems
                    .push(at, "a variant needs a title, a message or a link");
            }
        }
    }

    /// The question `id` referred to at `at`, which must be one of the first `before`:
    /// conditions and placeholders may only look back, so that nothing depends on itself.
    fn earlier(&mut self, id: &str, at: String, before: usize) -> Option<&'a Question> {
        let questions = &self.definition.questions[..];
        let message = match questions.iter().position(|q| q.id == id) {
            Some(i) if i < before => return Some(&questions[i]),
            Some(_) => format!(
                "\"{id}\" is this question or a later one; conditions and placeholders may only look back"
            ),
            None => format!("no question \"{id}\""),
        };
        self.problems.push(at, message);
        None
    }

    /// Check a condition at `at` that may refer to the first `before` questions.
    /// A whole condition: each part checked, then the whole able to hold for some answers
    /// (`{"all": [{"question": "nps", "at_least": 9}, {"question": "nps", "at_most": 6}]}`
    /// never does).
    fn possible(&mut self, condition: &Condition, at: &str, before: usize) {
        let known = self.problems.len();
        self.condition(condition, at, before);
        if self.problems.len() == known && !condition.satisfiable(self.definition) {
            self.problems
                .push(at, "never holds: no answers make it true");
        }
    }

    fn condition(&mut self, condition: &Condition, at: &str, before: usize) {
        match condition {
            Condition::All(list) | Condition::Any(list) => {
                let key = if matches!(condition, Condition::All(_)) {
                    "all"
                } else {
                    "any"
                };
                if list.is_empty() {
                    self.problems
                        .push(format!("{at}.{key}"), "expected at least one condition");
                }
                for (i, c) in list.iter().enumerate() {
                    self.condition(c, &format!("{at}.{key}[{i}]"), before);
                }
            }
            Condition::Not(c) => self.condition(c, &format!("{at}.not"), before),
            Condition::Answered { question, .. } => {
                self.earlier(question, format!("{at}.question"), before);
            }
            Condition::Test { question, test } => {
                if let Some(q) = self.earlier(question, format!("{at}.question"), before) {
                    self.test(q, test, &format!("{at}.{}", test.key()));
                }
            }
        }
    }

    /// Check that `test` can hold for an answer to `q`.
    fn test(&mut self, q: &Question, test: &Test, at: &str) {
        let message = match (test, &q.kind) {
            (Test::AtLeast(n) | Test::AtMost(n), kind) => match kind.scale() {
                Some((low, high)) if (u32::from(low)..=u32::from(high)).contains(n) => return,
                Some(_) => "outside the scale of that question",
                None => "only nps, csat, ces and rating questions have points",
            },
            (Test::Includes(id), QuestionKind::MultiChoice { options, .. }) => {
                if options.iter().any(|o| o.id == *id) {
                    return;
                }
                "not an option of that question"
            }
            (Test::Includes(_), _) => "only a multi_choice question can include an option",
            (Test::NotEquals(_), QuestionKind::Consent { .. }) => {
                "never holds (an unticked consent is no answer): use \"not\" with \"equals\": true"
            }
            (Test::Equals(v) | Test::NotEquals(v), _) => return self.value(q, v, at),
            (Test::OneOf(values), _) => {
                for (i, v) in values.iter().enumerate() {
                    self.value(q, v, &format!("{at}[{i}]"));
                }
                if !values.is_empty() {
                    return;
                }
                "expected at least one value"
            }
        };
        self.problems.push(at, message);
    }

    /// Check that `value` is a possible (non-blank) answer to `q`.
    fn value(&mut self, q: &Question, value: &Json, at: &str) {
        let kind = &q.kind;
        let (fits, message) = match (kind, kind.scale()) {
            (_, Some((low, high))) => (
                value
                    .as_u64()
                    .is_some_and(|n| (u64::from(low)..=u64::from(high)).contains(&n)),
                "not a point on the scale of that question",
            ),
            (QuestionKind::SingleChoice { options, .. }, _) => (
                options
                    .iter()
                    .any(|o| Some(o.id.as_str()) == value.as_str()),
                "not an option id of that question",
            ),
            (QuestionKind::Consent { .. }, _) => (
                value.as_bool() == Some(true),
                "expected true: an unticked consent is no answer (test that with \"answered\")",
            ),
            (QuestionKind::Text { .. }, _) => (
                value.as_str().is_some_and(|s| !s.trim().is_empty()),
                "expected a text that is not empty",
            ),
            (QuestionKind::MultiChoice { .. }, _) => {
                (false, "test a multi_choice question with \"includes\"")
            }
            _ => (false, "only \"answered\" applies to this kind of question"),
        };
        if !fits {
            self.problems.push(at, message);
        }
    }

    /// Check a text that may show the answers of the first `before` questions as `{id}`.
    fn piped(&mut self, text: Option<&LocalizedText>, at: &str, before: usize) {
        if let Some(text) = text {
            self.piping = Some(before);
            self.text(text, at);
            self.piping = None;
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
            // Placeholders name earlier questions; contact details are never shown back.
            let mut rest = value;
            while let Some(before) = self.piping
                && let Some((_, id, after)) = placeholder(rest)
            {
                rest = after;
                if let Some(q) = self.earlier(id, here.clone(), before)
                    && matches!(q.kind, QuestionKind::Contact { .. })
                {
                    self.problems
                        .push(&here, "contact details are never shown back");
                }
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
