//! The survey definition: what a site owner writes (a JSON file) and what the widget renders.

use serde::{Deserialize, Serialize};

use crate::text::{Locales, LocalizedText};

/// A whole survey. Validate it with [`SurveyDefinition::validate`] (or parse it with
/// [`SurveyDefinition::from_json`], which validates) before use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "json-schema", schemars(title = "Sayso survey definition"))]
pub struct SurveyDefinition {
    /// Stable identifier used in URLs: lowercase letters, digits, `-` and `_`, at most 64.
    pub id: String,
    /// Bump it whenever questions change, so that stored answers keep their meaning.
    pub version: u32,
    /// Shown at the top of the survey.
    pub title: LocalizedText,
    /// Optional introduction under the title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<LocalizedText>,
    /// The default and further languages of every text in this definition.
    #[serde(default)]
    pub locales: Locales,
    /// The questions, in the order they are asked.
    pub questions: Vec<Question>,
    /// What the visitor sees after submitting.
    #[serde(default)]
    pub thank_you: ThankYou,
    /// What the widget may do with the visitor's data before sending it.
    #[serde(default)]
    pub privacy: Privacy,
    /// Web origins (`https://clinic.example`) whose pages may load this survey and send
    /// responses to it. Same-origin pages are always allowed; `"*"` allows any origin.
    #[serde(default)]
    pub allowed_origins: Vec<String>,
}

/// One question. The common fields sit beside `kind` and the fields of that kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
pub struct Question {
    /// Identifier of the answer in responses: a lowercase letter, then letters, digits or `_`.
    pub id: String,
    /// The question as asked.
    pub title: LocalizedText,
    /// Optional help text under the title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<LocalizedText>,
    /// Whether a complete response must answer it.
    #[serde(default)]
    pub required: bool,
    /// The kind of question and its settings.
    #[serde(flatten)]
    pub kind: QuestionKind,
}

/// The kinds of question Sayso renders.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum QuestionKind {
    /// Net Promoter Score: 0 to 10. Answer: an integer.
    Nps {
        /// Labels under both ends of the scale.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        labels: Option<ScaleLabels>,
    },
    /// Customer satisfaction: 1 to 5. Answer: an integer.
    Csat {
        /// How the five points look.
        #[serde(default)]
        style: CsatStyle,
        /// Labels under both ends of the scale.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        labels: Option<ScaleLabels>,
    },
    /// Customer effort score: 1 to 7. Answer: an integer.
    Ces {
        /// Labels under both ends of the scale.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        labels: Option<ScaleLabels>,
    },
    /// A rating from 1 to `max` (2..=10). Answer: an integer.
    Rating {
        /// Highest point of the scale.
        max: u8,
        /// Stars or numbers.
        #[serde(default)]
        style: RatingStyle,
        /// Labels under both ends of the scale.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        labels: Option<ScaleLabels>,
    },
    /// Pick one option. Answer: the option id, or `{"other": "text"}`.
    SingleChoice {
        /// The options (2..=50).
        options: Vec<ChoiceOption>,
        /// Offer an "Other" option with a text field.
        #[serde(default)]
        allow_other: bool,
        /// Label of the "Other" option (default: the built-in, translated "Other").
        #[serde(default, skip_serializing_if = "Option::is_none")]
        other_label: Option<LocalizedText>,
        /// Show the options in a random order for each visitor.
        #[serde(default)]
        shuffle: bool,
    },
    /// Pick several options. Answer: an array of option ids and at most one `{"other": "text"}`.
    MultiChoice {
        /// The options (2..=50); one marked `exclusive` ("none of these") clears the others.
        options: Vec<ChoiceOption>,
        /// Fewest selections of a complete answer.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min: Option<u32>,
        /// Most selections of a complete answer.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max: Option<u32>,
        /// Offer an "Other" option with a text field.
        #[serde(default)]
        allow_other: bool,
        /// Label of the "Other" option.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        other_label: Option<LocalizedText>,
        /// Show the options in a random order for each visitor.
        #[serde(default)]
        shuffle: bool,
    },
    /// Free text. Answer: a string.
    Text {
        /// A one-line field or a multi-line area.
        #[serde(default)]
        style: TextStyle,
        /// Most characters (1..=10000; default 1000).
        #[serde(default = "default_text_max")]
        max_length: u32,
        /// Hint shown in the empty field.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        placeholder: Option<LocalizedText>,
    },
    /// The visitor's own definition of a term ("How do you define patient engagement?").
    /// Answer: `{"text": "...", "attribution": "Name, role" | null, "publish": bool}`.
    Definition {
        /// The term being defined, e.g. "patient engagement".
        term: LocalizedText,
        /// Ask for an optional name or role to credit the definition to.
        #[serde(default)]
        ask_attribution: bool,
        /// Ask, separately, for permission to publish the definition.
        #[serde(default)]
        ask_publish: bool,
        /// Most characters of the definition (1..=10000; default 1000).
        #[serde(default = "default_text_max")]
        max_length: u32,
    },
    /// Agreement with several statements on one scale. Answer: `{"<row id>": point}`.
    Likert {
        /// The statements (1..=20).
        rows: Vec<ChoiceOption>,
        /// Points of the agreement scale: 5 or 7.
        #[serde(default = "default_likert_points")]
        points: u8,
        /// Labels of the points, lowest first (default: built-in agreement labels).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        point_labels: Option<Vec<LocalizedText>>,
    },
    /// A way to reach the visitor, asked only after they consented in `consent_question`.
    /// Answer: `{"email": "..."}` or `{"phone": "..."}`.
    Contact {
        /// Which contact detail to ask for.
        #[serde(default)]
        channel: ContactChannel,
        /// Id of an earlier `consent` question that must be answered `true` first.
        consent_question: String,
    },
    /// A checkbox the visitor ticks to agree. Answer: `true` or `false`.
    Consent {
        /// The statement agreed to.
        label: LocalizedText,
        /// An optional link, e.g. to the privacy notice.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        link: Option<Link>,
    },
}

impl QuestionKind {
    /// The `kind` tag as written in JSON.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Nps { .. } => "nps",
            Self::Csat { .. } => "csat",
            Self::Ces { .. } => "ces",
            Self::Rating { .. } => "rating",
            Self::SingleChoice { .. } => "single_choice",
            Self::MultiChoice { .. } => "multi_choice",
            Self::Text { .. } => "text",
            Self::Definition { .. } => "definition",
            Self::Likert { .. } => "likert",
            Self::Contact { .. } => "contact",
            Self::Consent { .. } => "consent",
        }
    }

    /// The lowest and highest point of a numeric scale question.
    pub fn scale(&self) -> Option<(u8, u8)> {
        match self {
            Self::Nps { .. } => Some((0, 10)),
            Self::Csat { .. } => Some((1, 5)),
            Self::Ces { .. } => Some((1, 7)),
            Self::Rating { max, .. } => Some((1, *max)),
            _ => None,
        }
    }
}

/// Labels under the lowest and highest point of a scale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
pub struct ScaleLabels {
    /// Under the lowest point, e.g. "Not at all likely".
    pub low: LocalizedText,
    /// Under the highest point, e.g. "Extremely likely".
    pub high: LocalizedText,
}

/// How a CSAT question looks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum CsatStyle {
    /// Five stars.
    #[default]
    Stars,
    /// Five faces from very unhappy to very happy.
    Emoji,
    /// The numbers 1 to 5.
    Numbers,
}

/// How a rating question looks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum RatingStyle {
    /// Stars.
    #[default]
    Stars,
    /// Numbers.
    Numbers,
}

/// A one-line or a multi-line text field.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum TextStyle {
    /// One line.
    Short,
    /// Several lines.
    #[default]
    Long,
}

/// Which contact detail a contact question asks for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ContactChannel {
    /// An e-mail address.
    #[default]
    Email,
    /// A phone number.
    Phone,
    /// Either; the visitor chooses.
    Either,
}

/// An option of a choice question, or a row of a likert question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
pub struct ChoiceOption {
    /// Identifier stored in responses (same rules as question ids).
    pub id: String,
    /// Text shown to the visitor.
    pub label: LocalizedText,
    /// Multi choice only: selecting it clears every other option ("none of these").
    #[serde(default)]
    pub exclusive: bool,
}

/// A link shown beside a consent checkbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
pub struct Link {
    /// An `https:` (or `http:`) URL.
    pub url: String,
    /// The link's text.
    pub text: LocalizedText,
}

/// What the visitor sees after submitting.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
pub struct ThankYou {
    /// Heading (default: the built-in, translated "Thank you!").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<LocalizedText>,
    /// A message under the heading.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<LocalizedText>,
}

/// Privacy settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
pub struct Privacy {
    /// Send the page URL and referrer without their query string and fragment, which often
    /// carry personal data (default `true`).
    #[serde(default = "yes")]
    pub strip_url_query: bool,
}

impl Default for Privacy {
    fn default() -> Self {
        Self {
            strip_url_query: true,
        }
    }
}

fn yes() -> bool {
    true
}

fn default_text_max() -> u32 {
    1000
}

fn default_likert_points() -> u8 {
    5
}

impl SurveyDefinition {
    /// The question with this id.
    pub fn question(&self, id: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.id == id)
    }

    /// Resolve a visitor-facing text in `locale`, falling back to the default locale.
    pub fn text<'a>(&'a self, text: &'a LocalizedText, locale: &str) -> &'a str {
        text.resolve(locale, &self.locales.default)
    }
}
