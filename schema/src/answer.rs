//! Typed answers, and their JSON form in a response (`answers.<question id>`).
//!
//! | kind | JSON value |
//! |---|---|
//! | nps, csat, ces, rating | an integer on the question's scale |
//! | single_choice | an option id, or `{"other": "text"}` |
//! | multi_choice | an array of option ids and at most one `{"other": "text"}` |
//! | text | a string |
//! | definition | `{"text": "...", "attribution": "..." or null, "publish": bool}` |
//! | likert | `{"<row id>": point}` |
//! | contact | `{"email": "..."}` or `{"phone": "..."}` |
//! | consent | `true` or `false` |

use crate::json::{Json, JsonObject};

use crate::definition::{ContactChannel, Question, QuestionKind};
use crate::parse::member;
use crate::problem::Problems;

/// Most characters of the free text of an "Other" option.
pub const MAX_OTHER_LENGTH: usize = 500;
/// Most characters of the attribution of a definition.
pub const MAX_ATTRIBUTION_LENGTH: usize = 200;

/// One answer, typed by the kind of its question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// nps, csat, ces, rating.
    Score(u8),
    /// single_choice.
    Choice(Choice),
    /// multi_choice.
    Choices(Vec<Choice>),
    /// text.
    Text(String),
    /// definition.
    Definition(DefinitionAnswer),
    /// likert: point per row id, in the order answered.
    Likert(Vec<(String, u8)>),
    /// contact.
    Contact(ContactAnswer),
    /// consent.
    Consent(bool),
}

/// A picked option.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Choice {
    /// One of the defined options, by id.
    Option(String),
    /// The "Other" option, with the visitor's text.
    Other(String),
}

/// A visitor's definition of a term.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DefinitionAnswer {
    /// The definition in the visitor's words.
    pub text: String,
    /// Optional name or role to credit it to.
    pub attribution: Option<String>,
    /// The visitor allowed it to be published.
    pub publish: bool,
}

/// A way to reach the visitor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContactAnswer {
    /// An e-mail address.
    Email(String),
    /// A phone number.
    Phone(String),
}

impl Answer {
    /// The JSON form of this answer.
    pub fn to_value(&self) -> Json {
        let object = |pairs: Vec<(&str, Json)>| Json::Object(pairs.into_iter().collect());
        match self {
            Self::Score(n) => Json::from(*n),
            Self::Choice(c) => c.to_value(),
            Self::Choices(cs) => Json::Array(cs.iter().map(Choice::to_value).collect()),
            Self::Text(t) => Json::from(t.as_str()),
            Self::Definition(d) => object(vec![
                ("text", d.text.as_str().into()),
                ("attribution", d.attribution.clone().into()),
                ("publish", d.publish.into()),
            ]),
            Self::Likert(rows) => {
                Json::Object(rows.iter().map(|(r, p)| (r.as_str(), *p)).collect())
            }
            Self::Contact(ContactAnswer::Email(e)) => object(vec![("email", e.as_str().into())]),
            Self::Contact(ContactAnswer::Phone(p)) => object(vec![("phone", p.as_str().into())]),
            Self::Consent(b) => Json::from(*b),
        }
    }

    /// Whether the answer says nothing (empty text, no selection): a required question
    /// answered this way counts as unanswered.
    pub fn is_blank(&self) -> bool {
        match self {
            Self::Text(t) => t.trim().is_empty(),
            Self::Choices(cs) => cs.is_empty(),
            Self::Definition(d) => d.text.trim().is_empty(),
            Self::Likert(rows) => rows.is_empty(),
            Self::Consent(agreed) => !agreed,
            Self::Contact(ContactAnswer::Email(v) | ContactAnswer::Phone(v)) => v.trim().is_empty(),
            Self::Score(_) | Self::Choice(_) => false,
        }
    }

    /// Read `value` as an answer to `question`; every problem is recorded under `path`.
    pub fn parse(
        question: &Question,
        value: &Json,
        path: &str,
        problems: &mut Problems,
    ) -> Option<Answer> {
        let before = problems.len();
        let answer = parse_kind(&question.kind, value, path, problems);
        if problems.len() > before {
            None
        } else {
            answer
        }
    }
}

impl Choice {
    fn to_value(&self) -> Json {
        match self {
            Self::Option(id) => Json::from(id.as_str()),
            Self::Other(text) => Json::Object([("other", text.as_str())].into_iter().collect()),
        }
    }
}

fn parse_kind(
    kind: &QuestionKind,
    value: &Json,
    path: &str,
    problems: &mut Problems,
) -> Option<Answer> {
    if let Some((low, high)) = kind.scale() {
        return match value.as_u64() {
            Some(n) if (u64::from(low)..=u64::from(high)).contains(&n) => {
                Some(Answer::Score(n as u8))
            }
            _ => {
                problems.push(path, format!("expected an integer from {low} to {high}"));
                None
            }
        };
    }
    match kind {
        QuestionKind::SingleChoice {
            options,
            allow_other,
            ..
        } => {
            let ids = options.iter().map(|o| o.id.as_str()).collect();
            parse_choice(value, &ids, *allow_other, path, problems).map(Answer::Choice)
        }
        QuestionKind::MultiChoice {
            options,
            min,
            max,
            allow_other,
            ..
        } => {
            let Some(items) = value.as_array() else {
                problems.push(path, "expected an array of option ids");
                return None;
            };
            let ids = options.iter().map(|o| o.id.as_str()).collect();
            let choices: Vec<Choice> = items
                .iter()
                .enumerate()
                .filter_map(|(i, v)| {
                    parse_choice(v, &ids, *allow_other, &format!("{path}[{i}]"), problems)
                })
                .collect();
            if choices
                .iter()
                .enumerate()
                .any(|(i, c)| choices[..i].contains(c))
            {
                problems.push(path, "an option is selected twice");
            }
            if choices
                .iter()
                .filter(|c| matches!(c, Choice::Other(_)))
                .count()
                > 1
            {
                problems.push(path, "at most one \"other\" answer");
            }
            let exclusive = options
                .iter()
                .filter(|o| o.exclusive)
                .map(|o| o.id.as_str())
                .collect::<Vec<_>>();
            let picked_exclusive = choices
                .iter()
                .any(|c| matches!(c, Choice::Option(id) if exclusive.contains(&id.as_str())));
            if picked_exclusive && choices.len() > 1 {
                problems.push(
                    path,
                    "an exclusive option (\"none of these\") cannot be combined with others",
                );
            }
            let n = choices.len() as u32;
            if n > 0
                && !picked_exclusive
                && let Some(min) = min.filter(|m| n < *m)
            {
                problems.push(path, format!("select at least {min}"));
            }
            if let Some(max) = max.filter(|m| n > *m) {
                problems.push(path, format!("select at most {max}"));
            }
            Some(Answer::Choices(choices))
        }
        QuestionKind::Text { max_length, .. } => {
            let text = string(value, path, problems)?;
            check_length(text, *max_length as usize, path, problems);
            Some(Answer::Text(text.to_owned()))
        }
        QuestionKind::Definition {
            ask_attribution,
            ask_publish,
            max_length,
            ..
        } => {
            let object = object(value, &["text", "attribution", "publish"], path, problems)?;
            let text_path = member(path, "text");
            let text = match object.get("text") {
                Some(v) => string(v, &text_path, problems)?,
                None => {
                    problems.push(text_path, "missing");
                    return None;
                }
            };
            check_length(text, *max_length as usize, &text_path, problems);
            let attribution = match object.get("attribution") {
                None | Some(Json::Null) => None,
                Some(v) => {
                    let at = member(path, "attribution");
                    let a = string(v, &at, problems)?;
                    if !ask_attribution {
                        problems.push(&at, "this question does not ask for an attribution");
                    }
                    check_length(a, MAX_ATTRIBUTION_LENGTH, &at, problems);
                    Some(a.to_owned()).filter(|a| !a.trim().is_empty())
                }
            };
            let publish = match object.get("publish") {
                None | Some(Json::Null) => false,
                Some(Json::Bool(b)) => *b,
                Some(_) => {
                    problems.push(member(path, "publish"), "expected true or false");
                    false
                }
            };
            if publish && !ask_publish {
                problems.push(
                    member(path, "publish"),
                    "this question does not ask for permission to publish",
                );
            }
            Some(Answer::Definition(DefinitionAnswer {
                text: text.to_owned(),
                attribution,
                publish,
            }))
        }
        QuestionKind::Likert { rows, points, .. } => {
            let Some(object) = value.as_object() else {
                problems.push(path, "expected an object of points by row id");
                return None;
            };
            let mut out = Vec::new();
            for (row, point) in object.iter() {
                let at = member(path, row);
                if !rows.iter().any(|r| r.id == row) {
                    problems.push(at, "no such row");
                    continue;
                }
                match point.as_u64() {
                    Some(p) if (1..=u64::from(*points)).contains(&p) => {
                        out.push((row.to_owned(), p as u8));
                    }
                    _ => problems.push(at, format!("expected an integer from 1 to {points}")),
                }
            }
            Some(Answer::Likert(out))
        }
        QuestionKind::Contact { channel, .. } => {
            let object = object(value, &["email", "phone"], path, problems)?;
            let answer = match (object.get("email"), object.get("phone")) {
                (Some(e), None) if *channel != ContactChannel::Phone => {
                    let at = member(path, "email");
                    let e = string(e, &at, problems)?.trim();
                    if !is_email(e) {
                        problems.push(at, "not an e-mail address");
                    }
                    ContactAnswer::Email(e.to_owned())
                }
                (None, Some(p)) if *channel != ContactChannel::Email => {
                    let at = member(path, "phone");
                    let p = string(p, &at, problems)?.trim();
                    if !is_phone(p) {
                        problems.push(
                            at,
                            "not a phone number (7 to 15 digits, optional leading +)",
                        );
                    }
                    ContactAnswer::Phone(p.to_owned())
                }
                _ => {
                    let wanted = match channel {
                        ContactChannel::Email => "{\"email\": ...}",
                        ContactChannel::Phone => "{\"phone\": ...}",
                        ContactChannel::Either => "{\"email\": ...} or {\"phone\": ...}",
                    };
                    problems.push(path, format!("expected {wanted}"));
                    return None;
                }
            };
            Some(Answer::Contact(answer))
        }
        QuestionKind::Consent { .. } => match value {
            Json::Bool(b) => Some(Answer::Consent(*b)),
            _ => {
                problems.push(path, "expected true or false");
                None
            }
        },
        QuestionKind::Nps { .. }
        | QuestionKind::Csat { .. }
        | QuestionKind::Ces { .. }
        | QuestionKind::Rating { .. } => {
            unreachable!("scales are handled above")
        }
    }
}

fn parse_choice(
    value: &Json,
    ids: &Vec<&str>,
    allow_other: bool,
    path: &str,
    problems: &mut Problems,
) -> Option<Choice> {
    match value {
        Json::String(id) if ids.contains(&id.as_str()) => Some(Choice::Option(id.clone())),
        Json::String(_) => {
            problems.push(
                path,
                format!(
                    "not an option of this question (options: {})",
                    ids.join(", ")
                ),
            );
            None
        }
        Json::Object(_) if allow_other => {
            let object = object(value, &["other"], path, problems)?;
            let at = member(path, "other");
            let text = string(object.get("other").unwrap_or(&Json::Null), &at, problems)?;
            if text.trim().is_empty() {
                problems.push(&at, "the \"other\" answer is empty");
            }
            check_length(text, MAX_OTHER_LENGTH, &at, problems);
            Some(Choice::Other(text.to_owned()))
        }
        _ if allow_other => {
            problems.push(path, "expected an option id or {\"other\": \"...\"}");
            None
        }
        _ => {
            problems.push(path, "expected an option id");
            None
        }
    }
}

fn string<'a>(value: &'a Json, path: &str, problems: &mut Problems) -> Option<&'a str> {
    match value.as_str() {
        Some(s) => Some(s),
        None => {
            problems.push(path, "expected a string");
            None
        }
    }
}

fn object<'a>(
    value: &'a Json,
    allowed: &[&str],
    path: &str,
    problems: &mut Problems,
) -> Option<&'a JsonObject> {
    let Some(object) = value.as_object() else {
        problems.push(path, "expected an object");
        return None;
    };
    for key in object.keys().filter(|k| !allowed.contains(k)) {
        problems.push(member(path, key), "unknown field");
    }
    Some(object)
}

fn check_length(text: &str, max: usize, path: &str, problems: &mut Problems) {
    let n = text.chars().count();
    if n > max {
        problems.push(path, format!("{n} characters, at most {max} allowed"));
    }
}

/// A pragmatic e-mail check: one `@`, a non-empty local part, a dotted domain, no spaces.
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    let domain_ok = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && domain.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                // Letters and digits, ASCII or not (internationalised domains such as hôpital.fr).
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || !c.is_ascii())
        });
    s.len() <= 254
        && (1..=64).contains(&local.len())
        && !local
            .chars()
            .any(|c| c.is_whitespace() || c == '@' || c.is_control())
        && domain_ok
}

/// A phone number: digits with optional spaces, dots, dashes and brackets, an optional
/// leading `+`, and 7 to 15 digits (the E.164 range).
pub fn is_phone(s: &str) -> bool {
    let body = s.strip_prefix('+').unwrap_or(s);
    let digits = body.chars().filter(char::is_ascii_digit).count();
    (7..=15).contains(&digits)
        && body
            .chars()
            .all(|c| c.is_ascii_digit() || " .-()".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        for ok in [
            "a@b.co",
            "jane.doe+care@clinic.example.org",
            "josé@hôpital.fr",
        ] {
            assert!(is_email(ok), "{ok}");
        }
        for bad in [
            "", "a", "a@b", "a@@b.co", "a b@c.co", "@b.co", "a@.co", "a@b.co.", "a@-b.co",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
    }

    #[test]
    fn phones() {
        for ok in [
            "+44 20 7946 0958",
            "(555) 010-9999",
            "0612345678",
            "+1.555.010.9999",
        ] {
            assert!(is_phone(ok), "{ok}");
        }
        for bad in [
            "",
            "12345",
            "+1 555 CALL NOW",
            "++15550109999",
            "1234567890123456",
        ] {
            assert!(!is_phone(bad), "{bad}");
        }
    }
}
