//! The response, wire format v1: what the widget POSTs to `{endpoint}/responses`.

use crate::json::{Json, JsonObject};

use crate::answer::Answer;
use crate::definition::{QuestionKind, SurveyDefinition};
use crate::parse::{self, Object, boolean, member, raw_object, string, uint};
use crate::problem::Problems;
use crate::text::is_locale_tag;

/// The value of `schema` in every v1 response.
pub const RESPONSE_SCHEMA: &str = "sayso.response/v1";
/// Most context attributes in one response.
pub const MAX_ATTRIBUTES: usize = 20;
/// Most characters of a URL or referrer in the context.
pub const MAX_URL_LENGTH: usize = 2048;
/// Most bytes of a response's JSON: the collector's body limit. Free-text limits allow more in
/// total, so the widget asks the visitor to shorten an answer rather than send a response the
/// collector would refuse.
pub const MAX_RESPONSE_BYTES: usize = 64 * 1024;

const NOT_SHOWN: &str =
    "this question was not shown: its condition is false, or a skip rule passed over it";

/// One visitor's answers to one survey.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "json-schema", schemars(title = "Sayso response v1"))]
pub struct Response {
    /// Always `"sayso.response/v1"`.
    pub schema: String,
    /// A UUID made in the browser: the idempotency key. Sending the same response twice
    /// stores it once.
    pub id: String,
    /// Which survey, and which version of it, was answered.
    pub survey: SurveyRef,
    /// Answers by question id; see the answer table in the README for each kind's value.
    #[cfg_attr(
        feature = "json-schema",
        schemars(with = "std::collections::BTreeMap<String, serde_json::Value>")
    )]
    pub answers: JsonObject,
    /// Where and when the survey was answered. Never an IP address or user agent.
    pub context: Context,
    /// `true` when the visitor left before finishing; a later complete response with the same
    /// id replaces it.
    #[cfg_attr(feature = "json-schema", schemars(default))]
    pub partial: bool,
}

/// Identifies the survey a response answers.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
pub struct SurveyRef {
    /// The survey's `id`.
    pub id: String,
    /// The survey's `version` when it was answered.
    pub version: u32,
}

/// Where and when a response was given.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
pub struct Context {
    /// The page the survey was answered on (without query or fragment unless the survey's
    /// privacy settings keep them).
    pub url: String,
    /// The page's referrer, stripped the same way; empty when there was none.
    #[cfg_attr(feature = "json-schema", schemars(default))]
    pub referrer: String,
    /// The locale the survey was shown in.
    pub locale: String,
    /// When the survey was shown (RFC 3339).
    pub started_at: String,
    /// When the response was sent (RFC 3339).
    pub submitted_at: String,
    /// Jsons the host page passed (`Sayso.setAttributes`): strings, numbers or booleans.
    #[cfg_attr(feature = "json-schema", schemars(default))]
    #[cfg_attr(
        feature = "json-schema",
        schemars(with = "std::collections::BTreeMap<String, serde_json::Value>")
    )]
    pub attributes: JsonObject,
}

impl Response {
    /// Parse a response from JSON text, reporting every malformed or unknown field with its
    /// path. Check it against its survey with [`Response::validate_against`].
    pub fn from_json(text: &str) -> Result<Self, Problems> {
        parse::parse(text, Self::read)
    }

    /// Read a response from a parsed JSON value.
    pub fn from_value(value: &Json) -> Result<Self, Problems> {
        parse::read_document(value, Self::read)
    }

    fn read(v: &Json, path: &str, p: &mut Problems) -> Option<Self> {
        let mut o = Object::new(v, path, p)?;
        let schema = o.required("schema", string);
        let id = o.required("id", string);
        let survey = o.required("survey", |v, path, p| {
            let mut o = Object::new(v, path, p)?;
            let id = o.required("id", string);
            let version = o.required("version", uint);
            o.finish();
            Some(SurveyRef {
                id: id?,
                version: version?,
            })
        });
        let answers = o.required("answers", raw_object);
        let context = o.required("context", Context::read);
        let partial = o.or("partial", false, boolean);
        o.finish();
        Some(Self {
            schema: schema?,
            id: id?,
            survey: survey?,
            answers: answers?,
            context: context?,
            partial: partial?,
        })
    }

    /// Every problem of this response as an answer to `definition` (the version it names).
    /// Only the questions [`SurveyDefinition::shown`] for these answers may be answered, and
    /// only those of them that are required must be.
    pub fn validate_against(&self, definition: &SurveyDefinition) -> Result<(), Problems> {
        let mut problems = Problems::default();
        if self.schema != RESPONSE_SCHEMA {
            problems.push("$.schema", format!("expected \"{RESPONSE_SCHEMA}\""));
        }
        if !is_uuid(&self.id) {
            problems.push(
                "$.id",
                "expected a UUID such as 0b5f3a4e-8c1d-4f7a-9e2b-6d3c1a0f4e5b",
            );
        }
        if self.survey.id != definition.id {
            problems.push("$.survey.id", format!("expected \"{}\"", definition.id));
        }
        if self.survey.version != definition.version {
            problems.push(
                "$.survey.version",
                format!("expected {}", definition.version),
            );
        }
        let answers = self.typed_answers_into(definition, &mut problems);
        // Which questions this visitor saw: an answer to any other is refused, and a required
        // question is required only when shown.
        let shown = definition.shown(&answers);
        for (id, _) in &answers.0 {
            let i = definition
                .question_index(id)
                .expect("typed answers only for known questions");
            if shown[i] {
                continue;
            }
            let message = match &definition.questions[i].kind {
                QuestionKind::Contact {
                    consent_question, ..
                } if answers.get(consent_question) != Some(&Answer::Consent(true)) => format!(
                    "a contact detail needs consent: \"{consent_question}\" must be answered true"
                ),
                _ => NOT_SHOWN.to_owned(),
            };
            problems.push(member("$.answers", id), message);
        }
        if self.partial {
            if answers.0.iter().all(|(_, a)| a.is_blank()) && problems.is_empty() {
                problems.push("$.answers", "a partial response needs at least one answer");
            }
        } else {
            for (q, _) in definition
                .questions
                .iter()
                .zip(&shown)
                .filter(|(q, s)| q.required && **s)
            {
                let answered = answers.get(q.id.as_str()).is_some_and(|a| !a.is_blank());
                let invalid = self.answers.contains_key(&q.id) && answers.get(&q.id).is_none();
                if !answered && !invalid {
                    problems.push(member("$.answers", &q.id), "this question is required");
                }
            }
        }
        self.context.check(&mut problems);
        problems.into_result(())
    }

    /// The answers as typed values, skipping any that do not fit their question.
    pub fn typed_answers<'a>(&'a self, definition: &SurveyDefinition) -> TypedAnswers<'a> {
        self.typed_answers_into(definition, &mut Problems::default())
    }

    fn typed_answers_into<'a>(
        &'a self,
        definition: &SurveyDefinition,
        problems: &mut Problems,
    ) -> TypedAnswers<'a> {
        let mut out = Vec::new();
        for (id, value) in self.answers.iter() {
            let path = member("$.answers", id);
            match definition.question(id) {
                None => problems.push(
                    path,
                    format!("no such question in survey \"{}\"", definition.id),
                ),
                Some(question) => {
                    if let Some(answer) = Answer::parse(question, value, &path, problems) {
                        out.push((id, answer));
                    }
                }
            }
        }
        TypedAnswers(out)
    }

    /// The JSON form, as [`Response::from_json`] reads it.
    pub fn to_json(&self) -> Json {
        let mut survey = JsonObject::new();
        survey.insert("id", self.survey.id.as_str());
        survey.insert("version", self.survey.version);
        let c = &self.context;
        let mut context = JsonObject::new();
        context.insert("url", c.url.as_str());
        context.insert("referrer", c.referrer.as_str());
        context.insert("locale", c.locale.as_str());
        context.insert("started_at", c.started_at.as_str());
        context.insert("submitted_at", c.submitted_at.as_str());
        context.insert("attributes", c.attributes.clone());
        let mut o = JsonObject::new();
        o.insert("schema", self.schema.as_str());
        o.insert("id", self.id.as_str());
        o.insert("survey", survey);
        o.insert("answers", self.answers.clone());
        o.insert("context", context);
        o.insert("partial", self.partial);
        Json::Object(o)
    }
}

/// The typed answers of a response, in the response's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypedAnswers<'a>(pub Vec<(&'a str, Answer)>);

impl TypedAnswers<'_> {
    /// The answer to question `id`.
    pub fn get(&self, id: &str) -> Option<&Answer> {
        self.0.iter().find(|(k, _)| *k == id).map(|(_, a)| a)
    }

    /// Number of answers.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Context {
    fn read(v: &Json, path: &str, p: &mut Problems) -> Option<Self> {
        let mut o = Object::new(v, path, p)?;
        let url = o.required("url", string);
        let referrer = o.or("referrer", String::new(), string);
        let locale = o.required("locale", string);
        let started_at = o.required("started_at", string);
        let submitted_at = o.required("submitted_at", string);
        let attributes = o.or("attributes", JsonObject::new(), raw_object);
        o.finish();
        Some(Self {
            url: url?,
            referrer: referrer?,
            locale: locale?,
            started_at: started_at?,
            submitted_at: submitted_at?,
            attributes: attributes?,
        })
    }

    fn check(&self, problems: &mut Problems) {
        if self.url.len() > MAX_URL_LENGTH
            || !(self.url.starts_with("https://") || self.url.starts_with("http://"))
        {
            problems.push(
                "$.context.url",
                format!("expected an http(s) URL of at most {MAX_URL_LENGTH} bytes"),
            );
        }
        if self.referrer.len() > MAX_URL_LENGTH {
            problems.push(
                "$.context.referrer",
                format!("at most {MAX_URL_LENGTH} bytes"),
            );
        }
        if !is_locale_tag(&self.locale) {
            problems.push(
                "$.context.locale",
                "expected a locale tag such as \"en\" or \"pt-BR\"",
            );
        }
        for (field, value) in [
            ("started_at", &self.started_at),
            ("submitted_at", &self.submitted_at),
        ] {
            if !is_rfc3339(value) {
                problems.push(
                    format!("$.context.{field}"),
                    "expected an RFC 3339 time such as 2026-01-31T09:30:00.000Z",
                );
            }
        }
        if self.attributes.len() > MAX_ATTRIBUTES {
            problems.push(
                "$.context.attributes",
                format!("at most {MAX_ATTRIBUTES} attributes"),
            );
        }
        for (key, value) in self.attributes.iter() {
            let at = member("$.context.attributes", key);
            let key_ok = (1..=64).contains(&key.len())
                && key
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(&b));
            if !key_ok {
                problems.push(
                    &at,
                    "attribute names are 1 to 64 letters, digits, '_', '-' or '.'",
                );
            }
            match value {
                Json::String(s) if s.chars().count() > 500 => {
                    problems.push(at, "at most 500 characters")
                }
                Json::String(_) | Json::Number(_) | Json::Bool(_) => {}
                _ => problems.push(at, "expected a string, number or boolean"),
            }
        }
    }
}

/// Whether `s` is a UUID in its 8-4-4-4-12 hexadecimal form.
pub fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// Whether `s` is an RFC 3339 date-time: `YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)`.
pub fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        b.get(range)
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
    };
    let number = |range: std::ops::Range<usize>| -> u32 {
        b[range].iter().fold(0, |n, d| n * 10 + u32::from(d - b'0'))
    };
    if b.len() < 20
        || !(digits(0..4)
            && digits(5..7)
            && digits(8..10)
            && digits(11..13)
            && digits(14..16)
            && digits(17..19))
    {
        return false;
    }
    if b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't')
        || b[13] != b':'
        || b[16] != b':'
    {
        return false;
    }
    let (month, day, hour, minute, second) = (
        number(5..7),
        number(8..10),
        number(11..13),
        number(14..16),
        number(17..19),
    );
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return false;
    }
    let mut i = 19;
    if b[i] == b'.' {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    match &b[i..] {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', _, _, b':', _, _] => digits(i + 1..i + 3) && digits(i + 4..i + 6),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_times() {
        for ok in [
            "2026-11-24T16:45:22.123Z",
            "2026-01-31T09:30:00Z",
            "2026-01-31T09:30:00+05:30",
        ] {
            assert!(is_rfc3339(ok), "{ok}");
        }
        for bad in [
            "",
            "2026-11-24",
            "2026-13-24T16:45:22Z",
            "2026-11-24 16:45:22Z",
            "2026-11-24T16:45:22",
            "2026-11-24T16:45:22.Z",
        ] {
            assert!(!is_rfc3339(bad), "{bad}");
        }
    }

    #[test]
    fn uuids() {
        assert!(is_uuid("0b5f3a4e-8c1d-4f7a-9e2b-6d3c1a0f4e5b"));
        assert!(!is_uuid("0b5f3a4e8c1d4f7a9e2b6d3c1a0f4e5b"));
        assert!(!is_uuid("0b5f3a4e-8c1d-4f7a-9e2b-6d3c1a0f4e5g"));
    }
}
