//! The response, wire format v1: what the widget POSTs to `{endpoint}/responses`.

use crate::json::{Json, JsonObject};

use crate::answer::Answer;
use crate::definition::{Privacy, QuestionKind, SurveyDefinition};
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
            // One UUID written in either case is one id.
            id: id?.to_ascii_lowercase(),
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

    /// Remove what the survey's privacy settings say must not be kept: unless
    /// `strip_url_query` is off, the query string and fragment of the page URL and of the
    /// referrer (they often carry personal data). The widget does this before sending; a
    /// receiver does it again, for responses from any other client.
    pub fn apply_privacy(&mut self, privacy: &Privacy) {
        if privacy.strip_url_query {
            let c = &mut self.context;
            c.url.truncate(without_query(&c.url).len());
            c.referrer.truncate(without_query(&c.referrer).len());
        }
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

    /// `submitted_at` in UTC as `YYYY-MM-DDTHH:MM:SS.sssZ`, a form whose text order is time
    /// order (see [`canonical_time`]); `None` when it is not an RFC 3339 time.
    pub fn submitted_at_utc(&self) -> Option<String> {
        canonical_time(&self.submitted_at)
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

/// `url` without its query string and fragment.
pub fn without_query(url: &str) -> &str {
    &url[..url.find(['?', '#']).unwrap_or(url.len())]
}

/// A page's URL (or referrer) as a response records it: without query and fragment when
/// `strip_query` (they often carry personal data), and always within [`MAX_URL_LENGTH`], which
/// the endpoint holds to: a longer one loses its query and fragment, then its end, at a
/// character boundary. A long tracking query must never get the answers refused.
pub fn page_url(url: &str, strip_query: bool) -> String {
    let mut url = if strip_query || url.len() > MAX_URL_LENGTH {
        without_query(url)
    } else {
        url
    };
    if url.len() > MAX_URL_LENGTH {
        let mut end = MAX_URL_LENGTH;
        while !url.is_char_boundary(end) {
            end -= 1;
        }
        url = &url[..end];
    }
    url.to_owned()
}

/// Whether `s` is an RFC 3339 date-time: `YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)`, with
/// `T` and `Z` in either case, a day that exists in its month, and a UTC year from 0 to 9999.
pub fn is_rfc3339(s: &str) -> bool {
    canonical_time(s).is_some()
}

/// The UTC form `YYYY-MM-DDTHH:MM:SS.sssZ` of an RFC 3339 date-time (see [`is_rfc3339`]), or
/// `None` when `s` is not one. Fixed width and in UTC, so that comparing two such texts
/// compares the times: `2026-11-24t10:30:00+02:00` becomes `2026-11-24T08:30:00.000Z`.
/// Fractions are cut to milliseconds, and a leap second (`:60`) becomes the last millisecond
/// of its minute, so that it still sorts before the next minute.
pub fn canonical_time(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let number = |range: std::ops::Range<usize>| -> Option<i64> {
        let d = b.get(range)?;
        d.iter()
            .all(u8::is_ascii_digit)
            .then(|| d.iter().fold(0, |n, d| n * 10 + i64::from(d - b'0')))
    };
    let separators = [(4, b'-'), (7, b'-'), (13, b':'), (16, b':')];
    if b.len() < 20 || !separators.iter().all(|&(i, c)| b[i] == c) || !matches!(b[10], b'T' | b't')
    {
        return None;
    }
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let (hour, minute, mut second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    if !(1..=12).contains(&month)
        || !(1..=days_in_month(year, month)).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut i = 19;
    let mut millis = 0;
    if b[i] == b'.' {
        let start = i + 1;
        i = start;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return None;
        }
        let kept = &b[start..i.min(start + 3)];
        millis = kept.iter().fold(0, |n, d| n * 10 + i64::from(d - b'0'))
            * 10_i64.pow(3 - kept.len() as u32);
    }
    let offset_minutes = match &b[i..] {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let (h, m) = (number(i + 1..i + 3)?, number(i + 4..i + 6)?);
            if h > 23 || m > 59 {
                return None;
            }
            if *sign == b'-' {
                -(h * 60 + m)
            } else {
                h * 60 + m
            }
        }
        _ => return None,
    };
    if second == 60 {
        second = 59;
        millis = 999;
    }
    const DAY_MS: i64 = 86_400_000;
    let minutes = hour * 60 + minute - offset_minutes;
    let total =
        days_from_civil(year, month, day) * DAY_MS + (minutes * 60 + second) * 1000 + millis;
    utc_time(total)
}

/// `unix_ms` (milliseconds since 1970-01-01T00:00:00Z) in the form [`canonical_time`] gives:
/// `YYYY-MM-DDTHH:MM:SS.sssZ`, whose text order is time order. `None` outside years 0 to 9999.
pub fn utc_time(unix_ms: i64) -> Option<String> {
    const DAY_MS: i64 = 86_400_000;
    let (days, ms) = (unix_ms.div_euclid(DAY_MS), unix_ms.rem_euclid(DAY_MS));
    let (year, month, day) = civil_from_days(days);
    if !(0..=9999).contains(&year) {
        return None;
    }
    Some(format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        ms / 3_600_000,
        ms / 60_000 % 60,
        ms / 1000 % 60,
        ms % 1000
    ))
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The date `days` after 1970-01-01: the inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_urls_are_stripped_as_asked_and_always_fit() {
        let long_query = format!("https://a.example/p?utm={}", "x".repeat(3000));
        let long_path = format!("https://a.example/{}é/x", "p".repeat(MAX_URL_LENGTH - 19));
        // (url, strip_query, recorded)
        let table: &[(&str, bool, &str)] = &[
            (
                "https://a.example/p?patient=42#x",
                true,
                "https://a.example/p",
            ),
            ("https://a.example/p#x?y", true, "https://a.example/p"),
            ("https://a.example/", true, "https://a.example/"),
            (
                "https://a.example/p?q=1#f",
                false,
                "https://a.example/p?q=1#f",
            ),
            ("", true, ""),
            // Too long with its query: the query goes, even if the survey keeps queries.
            (&long_query, false, "https://a.example/p"),
        ];
        for &(url, strip, recorded) in table {
            assert_eq!(page_url(url, strip), recorded, "{url}");
        }
        // Too long without one: cut, never inside a character, and then accepted.
        let cut = page_url(&long_path, false);
        assert_eq!(cut.len(), MAX_URL_LENGTH - 1);
        assert!(long_path.starts_with(&cut) && cut.ends_with('p'));
        let context = Context {
            url: cut,
            referrer: page_url(&long_query, false),
            locale: "en".into(),
            started_at: "2026-01-31T09:30:00Z".into(),
            submitted_at: "2026-01-31T09:31:00Z".into(),
            attributes: JsonObject::new(),
        };
        let mut problems = Problems::default();
        context.check(&mut problems);
        assert!(problems.is_empty(), "{problems}");
    }

    #[test]
    fn unix_times_in_utc() {
        assert_eq!(utc_time(0).as_deref(), Some("1970-01-01T00:00:00.000Z"));
        assert_eq!(
            utc_time(1_769_851_800_123).as_deref(),
            Some("2026-01-31T09:30:00.123Z")
        );
        assert_eq!(utc_time(-1).as_deref(), Some("1969-12-31T23:59:59.999Z"));
        assert_eq!(utc_time(i64::MAX), None);
        assert_eq!(
            canonical_time("2026-01-31T10:30:00.123+01:00"),
            utc_time(1_769_851_800_123)
        );
    }

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
            "2026-02-29T09:30:00Z",
            "2026-04-31T09:30:00Z",
            "2026-01-31T24:00:00Z",
            "2026-01-31T09:30:00+24:00",
            "0000-01-01T00:30:00+01:00",
        ] {
            assert!(!is_rfc3339(bad), "{bad}");
        }
        assert!(is_rfc3339("2028-02-29T09:30:00Z"));
    }

    #[test]
    fn canonical_times_sort_as_text_in_time_order() {
        for (time, utc) in [
            ("2026-11-24t09:30:00z", "2026-11-24T09:30:00.000Z"),
            ("2026-11-24T09:30:00.5Z", "2026-11-24T09:30:00.500Z"),
            ("2026-11-24T09:30:00.123456Z", "2026-11-24T09:30:00.123Z"),
            ("2026-11-24T10:30:00+02:00", "2026-11-24T08:30:00.000Z"),
            ("2026-12-31T23:30:00-01:00", "2027-01-01T00:30:00.000Z"),
            ("2026-03-01T00:15:00+05:30", "2026-02-28T18:45:00.000Z"),
            ("2016-12-31T23:59:60Z", "2016-12-31T23:59:59.999Z"),
            ("1970-01-01T00:00:00-00:00", "1970-01-01T00:00:00.000Z"),
        ] {
            assert_eq!(canonical_time(time).as_deref(), Some(utc), "{time}");
        }
        // Later in time is later as text, whatever the form each was written in.
        let order = [
            "2026-11-24t08:30:00z",
            "2026-11-24T10:45:00+02:00",
            "2026-11-24T09:00:00.000Z",
            "2026-11-24T09:29:60Z",
            "2026-11-24T09:30:00Z",
            "2026-11-24T04:30:00.001-05:00",
        ];
        let utc: Vec<String> = order.iter().map(|t| canonical_time(t).unwrap()).collect();
        assert!(utc.windows(2).all(|w| w[0] < w[1]), "{utc:?}");
    }

    #[test]
    fn ids_are_read_in_lowercase() {
        let text = r#"{"schema": "sayso.response/v1", "id": "0B5F3A4E-8C1D-4F7A-9E2B-6D3C1A0F4E5B",
            "survey": {"id": "s", "version": 1}, "answers": {},
            "context": {"url": "https://a.example/", "locale": "en",
                "started_at": "2026-01-31T09:30:00Z", "submitted_at": "2026-01-31T09:31:00Z"}}"#;
        let response = Response::from_json(text).unwrap();
        assert_eq!(response.id, "0b5f3a4e-8c1d-4f7a-9e2b-6d3c1a0f4e5b");
        assert_eq!(
            response.context.submitted_at_utc().as_deref(),
            Some("2026-01-31T09:31:00.000Z")
        );
    }

    #[test]
    fn privacy_strips_queries_unless_kept() {
        let text = r#"{"schema": "sayso.response/v1", "id": "0b5f3a4e-8c1d-4f7a-9e2b-6d3c1a0f4e5b",
            "survey": {"id": "s", "version": 1}, "answers": {},
            "context": {"url": "https://a.example/p?patient=42#x",
                "referrer": "https://b.example/#top?q", "locale": "en",
                "started_at": "2026-01-31T09:30:00Z", "submitted_at": "2026-01-31T09:31:00Z"}}"#;
        let sent = Response::from_json(text).unwrap();
        let mut stripped = sent.clone();
        stripped.apply_privacy(&Privacy::default());
        assert_eq!(stripped.context.url, "https://a.example/p");
        assert_eq!(stripped.context.referrer, "https://b.example/");
        let mut kept = sent.clone();
        kept.apply_privacy(&Privacy {
            strip_url_query: false,
            ..Privacy::default()
        });
        assert_eq!(kept, sent);
        assert_eq!(without_query("https://a.example/"), "https://a.example/");
    }

    #[test]
    fn uuids() {
        assert!(is_uuid("0b5f3a4e-8c1d-4f7a-9e2b-6d3c1a0f4e5b"));
        assert!(!is_uuid("0b5f3a4e8c1d4f7a9e2b6d3c1a0f4e5b"));
        assert!(!is_uuid("0b5f3a4e-8c1d-4f7a-9e2b-6d3c1a0f4e5g"));
    }
}
