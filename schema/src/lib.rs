//! # sayso-schema
//!
//! One definition of a Sayso survey and of a response, shared by the widget (compiled to
//! wasm) and the collector (native), so that both sides judge a document alike.
//!
//! - [`SurveyDefinition`]: what a site owner writes; [`SurveyDefinition::from_json`] parses and
//!   validates it, reporting every problem with its JSON path.
//! - [`Response`]: wire format v1; [`Response::validate_against`] checks it against the
//!   definition it answers.
//! - [`Answer`]: the typed value of one answer, by question kind.
//! - [`score`]: NPS, CSAT top-2-box, CES mean and per-question summaries.
//! - [`Condition`], [`SurveyDefinition::shown`], [`pipe`], [`SurveyDefinition::thank_you_for`]:
//!   survey flow (which questions a visitor sees), answers piped into texts, and the thank-you
//!   page that fits the answers.

mod answer;
pub mod colour;
mod definition;
pub mod json;
mod logic;
mod parse;
pub mod presentation;
mod problem;
mod response;
pub mod score;
mod text;
mod validate;

pub use answer::{
    Answer, Choice, ContactAnswer, DefinitionAnswer, MAX_ATTRIBUTION_LENGTH, MAX_OTHER_LENGTH,
    is_email, is_phone,
};
pub use definition::{
    ChoiceOption, ContactChannel, CsatStyle, Link, Privacy, Question, QuestionKind, RatingStyle,
    ScaleLabels, SkipRule, SkipTarget, SurveyDefinition, TextStyle, ThankYou, ThankYouVariant,
};
pub use json::{Json, JsonObject};
pub use logic::{Answers, Condition, Test, pipe};
pub use presentation::{
    Corner, Device, Display, Layout, Memory, Mode, Refusal, Scheme, Targeting, Theme, Trigger,
    TriggerKind, Visit,
};
pub use problem::{Problem, Problems};
pub use response::{
    Context, MAX_RESPONSE_BYTES, RESPONSE_SCHEMA, Response, SurveyRef, TypedAnswers,
    canonical_time, is_rfc3339, is_uuid, page_url, utc_time,
};
pub use text::{Locales, LocalizedText, is_locale_tag};
pub use validate::{is_identifier, is_origin, is_slug};

/// JSON Schema documents of the definition and the response, as committed under `schema/json/`.
#[cfg(feature = "json-schema")]
pub mod json_schema {
    /// File name and pretty-printed JSON Schema of each document.
    pub fn documents() -> Vec<(&'static str, String)> {
        let pretty = |s: schemars::Schema| {
            serde_json::to_string_pretty(&s).expect("schemas serialise") + "\n"
        };
        vec![
            (
                "survey-definition.schema.json",
                pretty(schemars::schema_for!(crate::SurveyDefinition)),
            ),
            (
                "response-v1.schema.json",
                pretty(schemars::schema_for!(crate::Response)),
            ),
        ]
    }
}
