//! The survey definition: what a site owner writes (a JSON file) and what the widget renders.

use crate::json::{Json, JsonObject};
use crate::logic::Condition;
use crate::parse::{Object, boolean, keyword, list, member, small, string, text, uint};
use crate::presentation::{Display, Targeting, Theme, Trigger};
use crate::problem::Problems;
use crate::text::{self as texts, Locales, LocalizedText};

/// A whole survey. Validate it with [`SurveyDefinition::validate`] (or parse it with
/// [`SurveyDefinition::from_json`], which validates) before use.
#[derive(Debug, Clone, PartialEq)]
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
    #[cfg_attr(feature = "json-schema", schemars(default))]
    pub description: Option<LocalizedText>,
    /// The default and further languages of every text in this definition.
    #[cfg_attr(feature = "json-schema", schemars(default))]
    pub locales: Locales,
    /// The questions, in the order they are asked.
    pub questions: Vec<Question>,
    /// Skip rules, applied in question order.
    #[cfg_attr(feature = "json-schema", schemars(default))]
    pub logic: Vec<SkipRule>,
    /// How the survey is presented: layout, mode, corner.
    #[cfg_attr(feature = "json-schema", schemars(default))]
    pub display: Display,
    /// When it appears.
    #[cfg_attr(feature = "json-schema", schemars(default))]
    pub trigger: Trigger,
    /// Who sees it.
    #[cfg_attr(feature = "json-schema", schemars(default))]
    pub targeting: Targeting,
    /// Colours, corner radius, font.
    #[cfg_attr(feature = "json-schema", schemars(default))]
    pub theme: Theme,
    /// What the visitor sees after submitting.
    #[cfg_attr(feature = "json-schema", schemars(default))]
    pub thank_you: ThankYou,
    /// What the widget may do with the visitor's data before sending it.
    #[cfg_attr(feature = "json-schema", schemars(default))]
    pub privacy: Privacy,
    /// Web origins (`https://clinic.example`) whose pages may load this survey and send
    /// responses to it. Same-origin pages are always allowed; `"*"` allows any origin.
    #[cfg_attr(feature = "json-schema", schemars(default))]
    pub allowed_origins: Vec<String>,
    /// The widget's own words (buttons, messages, accessible names), reworded or translated
    /// into a language it does not speak: `{"submit": {"en": "Send", "it": "Invia"}}`. The
    /// names, and the placeholders each may use, are listed in the README.
    #[cfg_attr(feature = "json-schema", schemars(default))]
    #[cfg_attr(
        feature = "json-schema",
        schemars(with = "std::collections::BTreeMap<String, LocalizedText>")
    )]
    pub strings: Vec<(String, LocalizedText)>,
}

/// The widget's built-in strings that a definition's `strings` may set, each with the
/// placeholders its text may use (filled in by the widget).
pub const BUILT_IN_STRINGS: [(&str, &[&str]); 32] = [
    ("submit", &[]),
    ("sending", &[]),
    ("next", &[]),
    ("back", &[]),
    ("progress", &["n", "total"]),
    ("thank_you", &[]),
    ("send_failed", &[]),
    ("send_refused", &[]),
    ("retry", &[]),
    ("required", &[]),
    ("required_mark", &[]),
    ("other", &[]),
    ("other_detail", &[]),
    ("other_empty", &[]),
    ("your_definition", &["term"]),
    ("attribution", &[]),
    ("publish", &[]),
    ("chars_left", &["n"]),
    ("out_of", &["n", "max"]),
    ("nps_low", &[]),
    ("nps_high", &[]),
    ("privacy_note", &[]),
    ("email", &[]),
    ("phone", &[]),
    ("select_at_least", &["n"]),
    ("select_at_most", &["n"]),
    ("invalid_email", &[]),
    ("invalid_phone", &[]),
    ("too_long", &["n"]),
    ("launcher", &[]),
    ("close", &[]),
    ("redaction_note", &[]),
];

/// One question. The common fields sit beside `kind` and the fields of that kind.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
pub struct Question {
    /// Identifier of the answer in responses: a lowercase letter, then letters, digits or `_`.
    pub id: String,
    /// The question as asked.
    pub title: LocalizedText,
    /// Optional help text under the title.
    #[cfg_attr(feature = "json-schema", schemars(default))]
    pub description: Option<LocalizedText>,
    /// Whether a complete response must answer it (when it is shown).
    #[cfg_attr(feature = "json-schema", schemars(default))]
    pub required: bool,
    /// Show the question only when this condition on earlier questions holds.
    #[cfg_attr(feature = "json-schema", schemars(default))]
    pub show_if: Option<Condition>,
    /// The kind of question and its settings.
    #[cfg_attr(feature = "json-schema", schemars(flatten))]
    pub kind: QuestionKind,
}

/// The kinds of question Sayso renders.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[cfg_attr(
    feature = "json-schema",
    schemars(tag = "kind", rename_all = "snake_case")
)]
pub enum QuestionKind {
    /// Net Promoter Score: 0 to 10. Answer: an integer.
    Nps {
        /// Labels under both ends of the scale.
        #[cfg_attr(feature = "json-schema", schemars(default))]
        labels: Option<ScaleLabels>,
    },
    /// Customer satisfaction: 1 to 5. Answer: an integer.
    Csat {
        /// How the five points look.
        #[cfg_attr(feature = "json-schema", schemars(default))]
        style: CsatStyle,
        /// Labels under both ends of the scale.
        #[cfg_attr(feature = "json-schema", schemars(default))]
        labels: Option<ScaleLabels>,
    },
    /// Customer effort score: 1 to 7. Answer: an integer.
    Ces {
        /// Labels under both ends of the scale.
        #[cfg_attr(feature = "json-schema", schemars(default))]
        labels: Option<ScaleLabels>,
    },
    /// A rating from 1 to `max` (2..=10). Answer: an integer.
    Rating {
        /// Highest point of the scale.
        max: u8,
        /// Stars or numbers.
        #[cfg_attr(feature = "json-schema", schemars(default))]
        style: RatingStyle,
        /// Labels under both ends of the scale.
        #[cfg_attr(feature = "json-schema", schemars(default))]
        labels: Option<ScaleLabels>,
    },
    /// Pick one option. Answer: the option id, or `{"other": "text"}`.
    SingleChoice {
        /// The options (2..=50).
        options: Vec<ChoiceOption>,
        /// Offer an "Other" option with a text field.
        #[cfg_attr(feature = "json-schema", schemars(default))]
        allow_other: bool,
        /// Label of the "Other" option (default: the built-in, translated "Other").
        #[cfg_attr(feature = "json-schema", schemars(default))]
        other_label: Option<LocalizedText>,
        /// Show the options in a random order for each visitor.
        #[cfg_attr(feature = "json-schema", schemars(default))]
        shuffle: bool,
    },
    /// Pick several options. Answer: an array of option ids and at most one `{"other": "text"}`.
    MultiChoice {
        /// The options (2..=50); one marked `exclusive` ("none of these") clears the others.
        options: Vec<ChoiceOption>,
        /// Fewest selections of a complete answer.
        #[cfg_attr(feature = "json-schema", schemars(default))]
        min: Option<u32>,
        /// Most selections of a complete answer.
        #[cfg_attr(feature = "json-schema", schemars(default))]
        max: Option<u32>,
        /// Offer an "Other" option with a text field.
        #[cfg_attr(feature = "json-schema", schemars(default))]
        allow_other: bool,
        /// Label of the "Other" option.
        #[cfg_attr(feature = "json-schema", schemars(default))]
        other_label: Option<LocalizedText>,
        /// Show the options in a random order for each visitor.
        #[cfg_attr(feature = "json-schema", schemars(default))]
        shuffle: bool,
    },
    /// Free text. Answer: a string.
    Text {
        /// A one-line field or a multi-line area.
        #[cfg_attr(feature = "json-schema", schemars(default))]
        style: TextStyle,
        /// Most characters (1..=10000; default 1000).
        #[cfg_attr(feature = "json-schema", schemars(default = "default_text_max"))]
        max_length: u32,
        /// Hint shown in the empty field.
        #[cfg_attr(feature = "json-schema", schemars(default))]
        placeholder: Option<LocalizedText>,
    },
    /// The visitor's own definition of a term ("How do you define patient engagement?").
    /// Answer: `{"text": "...", "attribution": "Name, role" | null, "publish": bool}`.
    Definition {
        /// The term being defined, e.g. "patient engagement".
        term: LocalizedText,
        /// Ask for an optional name or role to credit the definition to.
        #[cfg_attr(feature = "json-schema", schemars(default))]
        ask_attribution: bool,
        /// Ask, separately, for permission to publish the definition.
        #[cfg_attr(feature = "json-schema", schemars(default))]
        ask_publish: bool,
        /// Most characters of the definition (1..=10000; default 1000).
        #[cfg_attr(feature = "json-schema", schemars(default = "default_text_max"))]
        max_length: u32,
    },
    /// Agreement with several statements on one scale. Answer: `{"<row id>": point}`.
    Likert {
        /// The statements (1..=20).
        rows: Vec<ChoiceOption>,
        /// Points of the agreement scale: 5 or 7.
        #[cfg_attr(feature = "json-schema", schemars(default = "default_likert_points"))]
        points: u8,
        /// Labels of the points, lowest first (default: built-in agreement labels).
        #[cfg_attr(feature = "json-schema", schemars(default))]
        point_labels: Option<Vec<LocalizedText>>,
    },
    /// A way to reach the visitor, asked only after they consented in `consent_question`.
    /// Answer: `{"email": "..."}` or `{"phone": "..."}`.
    Contact {
        /// Which contact detail to ask for.
        #[cfg_attr(feature = "json-schema", schemars(default))]
        channel: ContactChannel,
        /// Id of an earlier `consent` question that must be answered `true` first.
        consent_question: String,
    },
    /// A checkbox the visitor ticks to agree. Answer: `true` or `false`.
    Consent {
        /// The statement agreed to.
        label: LocalizedText,
        /// An optional link, e.g. to the privacy notice.
        #[cfg_attr(feature = "json-schema", schemars(default))]
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

    /// The most characters a text or definition answer may have.
    pub fn max_length(&self) -> Option<usize> {
        match self {
            Self::Text { max_length, .. } | Self::Definition { max_length, .. } => {
                Some(*max_length as usize)
            }
            _ => None,
        }
    }
}

/// Labels under the lowest and highest point of a scale.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
pub struct ScaleLabels {
    /// Under the lowest point, e.g. "Not at all likely".
    pub low: LocalizedText,
    /// Under the highest point, e.g. "Extremely likely".
    pub high: LocalizedText,
}

/// How a CSAT question looks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "json-schema", schemars(rename_all = "snake_case"))]
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
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "json-schema", schemars(rename_all = "snake_case"))]
pub enum RatingStyle {
    /// Stars.
    #[default]
    Stars,
    /// Numbers.
    Numbers,
}

/// A one-line or a multi-line text field.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "json-schema", schemars(rename_all = "snake_case"))]
pub enum TextStyle {
    /// One line.
    Short,
    /// Several lines.
    #[default]
    Long,
}

/// Which contact detail a contact question asks for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "json-schema", schemars(rename_all = "snake_case"))]
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
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
pub struct ChoiceOption {
    /// Identifier stored in responses (same rules as question ids).
    pub id: String,
    /// Text shown to the visitor.
    pub label: LocalizedText,
    /// Multi choice only: selecting it clears every other option ("none of these").
    #[cfg_attr(feature = "json-schema", schemars(default))]
    pub exclusive: bool,
}

/// A link: beside a consent checkbox, or on the thank-you page.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
pub struct Link {
    /// An `https:` (or `http:`) URL.
    pub url: String,
    /// The link's text.
    pub text: LocalizedText,
}

/// What the visitor sees after submitting.
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
pub struct ThankYou {
    /// Heading (default: the built-in, translated "Thank you!").
    #[cfg_attr(feature = "json-schema", schemars(default))]
    pub title: Option<LocalizedText>,
    /// A message under the heading.
    #[cfg_attr(feature = "json-schema", schemars(default))]
    pub message: Option<LocalizedText>,
    /// A link under the message.
    #[cfg_attr(feature = "json-schema", schemars(default))]
    pub link: Option<Link>,
    /// Pages for some visitors (promoters get a review link, say): the first variant whose
    /// condition holds replaces the title, message and link it sets.
    #[cfg_attr(feature = "json-schema", schemars(default))]
    pub variants: Vec<ThankYouVariant>,
}

/// A thank-you page for the visitors whose answers meet a condition.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
pub struct ThankYouVariant {
    /// When this variant applies; it may refer to any question.
    #[cfg_attr(feature = "json-schema", schemars(rename = "if"))]
    pub condition: Condition,
    /// Heading instead of the default one.
    #[cfg_attr(feature = "json-schema", schemars(default))]
    pub title: Option<LocalizedText>,
    /// Message instead of the default one.
    #[cfg_attr(feature = "json-schema", schemars(default))]
    pub message: Option<LocalizedText>,
    /// Link instead of the default one.
    #[cfg_attr(feature = "json-schema", schemars(default))]
    pub link: Option<Link>,
}

/// Skip questions: once question `after` is shown and the condition holds, every question
/// after it and before `skip_to` is skipped.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
pub struct SkipRule {
    /// Id of the question the rule follows.
    pub after: String,
    /// When to skip; it may refer to `after` and earlier questions.
    #[cfg_attr(feature = "json-schema", schemars(rename = "if"))]
    pub condition: Condition,
    /// `"end"`, or the id of a later question to continue at.
    #[cfg_attr(feature = "json-schema", schemars(with = "String"))]
    pub skip_to: SkipTarget,
}

/// Where a skip rule continues.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipTarget {
    /// Skip every later question (`"end"`).
    End,
    /// Continue at this later question.
    Question(String),
}

/// Privacy settings.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
pub struct Privacy {
    /// Send the page URL and referrer without their query string and fragment, which often
    /// carry personal data (default `true`).
    #[cfg_attr(feature = "json-schema", schemars(default = "yes"))]
    pub strip_url_query: bool,
    /// Remove e-mail addresses and phone numbers from free-text answers before they leave the
    /// browser, and say so under those fields (default `true`; contact questions are kept).
    #[cfg_attr(feature = "json-schema", schemars(default = "yes"))]
    pub redact: bool,
    /// Names of URL query parameters (`utm_source`, `campaign`) whose values are sent with the
    /// response in `context.attributes`.
    #[cfg_attr(feature = "json-schema", schemars(default))]
    pub hidden_fields: Vec<String>,
}

impl Default for Privacy {
    fn default() -> Self {
        Self {
            strip_url_query: true,
            redact: true,
            hidden_fields: Vec::new(),
        }
    }
}

#[cfg_attr(not(feature = "json-schema"), allow(dead_code))]
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

// Reading from and writing to JSON (see `parse.rs` for why this is not derived). Field names
// and defaults mirror the attributes above; the property tests hold reader and writer together.

/// Collects the members of a JSON object; `None` values are left out.
struct Writer(JsonObject);

impl Writer {
    fn new() -> Self {
        Self(JsonObject::new())
    }
    fn set(mut self, key: &str, value: impl Into<Json>) -> Self {
        self.0.insert(key, value);
        self
    }
    fn text(self, key: &str, value: &LocalizedText) -> Self {
        self.set(key, value.to_json())
    }
    fn maybe_text(self, key: &str, value: Option<&LocalizedText>) -> Self {
        match value {
            Some(t) => self.text(key, t),
            None => self,
        }
    }
    fn maybe(self, key: &str, value: Option<Json>) -> Self {
        match value {
            Some(v) => self.set(key, v),
            None => self,
        }
    }
    fn done(self) -> Json {
        Json::Object(self.0)
    }
}

impl SurveyDefinition {
    /// The JSON form, as [`SurveyDefinition::from_json`] reads it.
    pub fn to_json(&self) -> Json {
        Writer::new()
            .set("id", self.id.as_str())
            .set("version", self.version)
            .text("title", &self.title)
            .maybe_text("description", self.description.as_ref())
            .set("locales", self.locales.to_json())
            .set(
                "questions",
                Json::Array(self.questions.iter().map(Question::to_json).collect()),
            )
            .maybe(
                "logic",
                (!self.logic.is_empty())
                    .then(|| Json::Array(self.logic.iter().map(SkipRule::to_json).collect())),
            )
            .maybe(
                "display",
                (self.display != Display::default()).then(|| self.display.to_json()),
            )
            .maybe(
                "trigger",
                (self.trigger != Trigger::default()).then(|| self.trigger.to_json()),
            )
            .maybe(
                "targeting",
                (self.targeting != Targeting::default()).then(|| self.targeting.to_json()),
            )
            .maybe(
                "theme",
                (self.theme != Theme::default()).then(|| self.theme.to_json()),
            )
            .set(
                "thank_you",
                Writer::new()
                    .maybe_text("title", self.thank_you.title.as_ref())
                    .maybe_text("message", self.thank_you.message.as_ref())
                    .maybe("link", self.thank_you.link.as_ref().map(Link::to_json))
                    .maybe(
                        "variants",
                        (!self.thank_you.variants.is_empty()).then(|| {
                            let variants = self.thank_you.variants.iter();
                            Json::Array(variants.map(ThankYouVariant::to_json).collect())
                        }),
                    )
                    .done(),
            )
            .set(
                "privacy",
                Writer::new()
                    .set("strip_url_query", self.privacy.strip_url_query)
                    .set("redact", self.privacy.redact)
                    .set("hidden_fields", self.privacy.hidden_fields.clone())
                    .done(),
            )
            .set("allowed_origins", self.allowed_origins.clone())
            .maybe(
                "strings",
                (!self.strings.is_empty()).then(|| {
                    let strings = self.strings.iter();
                    Json::Object(strings.map(|(k, t)| (k.as_str(), t.to_json())).collect())
                }),
            )
            .done()
    }
}

impl Question {
    fn to_json(&self) -> Json {
        let w = Writer::new()
            .set("id", self.id.as_str())
            .set("kind", self.kind.name())
            .text("title", &self.title)
            .maybe_text("description", self.description.as_ref())
            .set("required", self.required)
            .maybe("show_if", self.show_if.as_ref().map(Condition::to_json));
        let labels = |w: Writer, labels: &Option<ScaleLabels>| {
            w.maybe(
                "labels",
                labels.as_ref().map(|l| {
                    Writer::new()
                        .text("low", &l.low)
                        .text("high", &l.high)
                        .done()
                }),
            )
        };
        let options = |options: &[ChoiceOption]| {
            Json::Array(
                options
                    .iter()
                    .map(|o| {
                        Writer::new()
                            .set("id", o.id.as_str())
                            .text("label", &o.label)
                            .set("exclusive", o.exclusive)
                            .done()
                    })
                    .collect(),
            )
        };
        match &self.kind {
            QuestionKind::Nps { labels: l } | QuestionKind::Ces { labels: l } => labels(w, l),
            QuestionKind::Csat { style, labels: l } => {
                let style = match style {
                    CsatStyle::Stars => "stars",
                    CsatStyle::Emoji => "emoji",
                    CsatStyle::Numbers => "numbers",
                };
                labels(w.set("style", style), l)
            }
            QuestionKind::Rating {
                max,
                style,
                labels: l,
            } => {
                let style = if *style == RatingStyle::Stars {
                    "stars"
                } else {
                    "numbers"
                };
                labels(w.set("max", *max).set("style", style), l)
            }
            QuestionKind::SingleChoice {
                options: o,
                allow_other,
                other_label,
                shuffle,
            } => w
                .set("options", options(o))
                .set("allow_other", *allow_other)
                .maybe_text("other_label", other_label.as_ref())
                .set("shuffle", *shuffle),
            QuestionKind::MultiChoice {
                options: o,
                min,
                max,
                allow_other,
                other_label,
                shuffle,
            } => w
                .set("options", options(o))
                .maybe("min", min.map(Json::from))
                .maybe("max", max.map(Json::from))
                .set("allow_other", *allow_other)
                .maybe_text("other_label", other_label.as_ref())
                .set("shuffle", *shuffle),
            QuestionKind::Text {
                style,
                max_length,
                placeholder,
            } => w
                .set(
                    "style",
                    if *style == TextStyle::Short {
                        "short"
                    } else {
                        "long"
                    },
                )
                .set("max_length", *max_length)
                .maybe_text("placeholder", placeholder.as_ref()),
            QuestionKind::Definition {
                term,
                ask_attribution,
                ask_publish,
                max_length,
            } => w
                .text("term", term)
                .set("ask_attribution", *ask_attribution)
                .set("ask_publish", *ask_publish)
                .set("max_length", *max_length),
            QuestionKind::Likert {
                rows,
                points,
                point_labels,
            } => w.set("rows", options(rows)).set("points", *points).maybe(
                "point_labels",
                point_labels
                    .as_ref()
                    .map(|l| Json::Array(l.iter().map(LocalizedText::to_json).collect())),
            ),
            QuestionKind::Contact {
                channel,
                consent_question,
            } => {
                let channel = match channel {
                    ContactChannel::Email => "email",
                    ContactChannel::Phone => "phone",
                    ContactChannel::Either => "either",
                };
                w.set("channel", channel)
                    .set("consent_question", consent_question.as_str())
            }
            QuestionKind::Consent { label, link } => w
                .text("label", label)
                .maybe("link", link.as_ref().map(Link::to_json)),
        }
        .done()
    }
}

impl SurveyDefinition {
    pub(crate) fn read(v: &Json, path: &str, p: &mut Problems) -> Option<Self> {
        let mut o = Object::new(v, path, p)?;
        let id = o.required("id", string);
        let version = o.required("version", uint);
        let title = o.required("title", text);
        let description = o.optional("description", text);
        let locales = o.or("locales", Locales::default(), texts::read_locales);
        let questions = o.required("questions", |v, path, p| list(v, path, p, Question::read));
        let logic = o.or("logic", Vec::new(), |v, path, p| {
            list(v, path, p, SkipRule::read)
        });
        let display = o.or("display", Display::default(), Display::read);
        let trigger = o.or("trigger", Trigger::default(), Trigger::read);
        let targeting = o.or("targeting", Targeting::default(), Targeting::read);
        let theme = o.or("theme", Theme::default(), Theme::read);
        let thank_you = o.or("thank_you", ThankYou::default(), ThankYou::read);
        let privacy = o.or("privacy", Privacy::default(), Privacy::read);
        let allowed_origins = o.or("allowed_origins", Vec::new(), crate::parse::strings);
        let strings = o.or("strings", Vec::new(), |v, path, p| {
            let Some(map) = v.as_object() else {
                p.push(path, "expected an object");
                return None;
            };
            let mut out = Vec::new();
            for (k, v) in map.iter() {
                out.push((k.to_owned(), text(v, &member(path, k), p)));
            }
            out.into_iter().map(|(k, t)| Some((k, t?))).collect()
        });
        o.finish();
        Some(Self {
            id: id?,
            version: version?,
            title: title?,
            description: description.ok()?,
            locales: locales?,
            questions: questions?,
            logic: logic?,
            display: display?,
            trigger: trigger?,
            targeting: targeting?,
            theme: theme?,
            thank_you: thank_you?,
            privacy: privacy?,
            allowed_origins: allowed_origins?,
            strings: strings?,
        })
    }
}

impl Question {
    fn read(v: &Json, path: &str, p: &mut Problems) -> Option<Self> {
        let mut o = Object::new(v, path, p)?;
        let id = o.required("id", string);
        let title = o.required("title", text);
        let description = o.optional("description", text);
        let required = o.or("required", false, boolean);
        let show_if = o.optional("show_if", Condition::read);
        let kind = o
            .required("kind", string)
            .and_then(|k| QuestionKind::read(&k, &mut o));
        o.finish();
        Some(Self {
            id: id?,
            title: title?,
            description: description.ok()?,
            required: required?,
            show_if: show_if.ok()?,
            kind: kind?,
        })
    }
}

impl QuestionKind {
    fn read(kind: &str, o: &mut Object) -> Option<Self> {
        let labels = |o: &mut Object| o.optional("labels", ScaleLabels::read).ok();
        Some(match kind {
            "nps" => Self::Nps { labels: labels(o)? },
            "csat" => {
                let style = o.or("style", CsatStyle::Stars, |v, path, p| {
                    keyword(
                        v,
                        path,
                        p,
                        &[
                            ("stars", CsatStyle::Stars),
                            ("emoji", CsatStyle::Emoji),
                            ("numbers", CsatStyle::Numbers),
                        ],
                    )
                });
                Self::Csat {
                    style: style?,
                    labels: labels(o)?,
                }
            }
            "ces" => Self::Ces { labels: labels(o)? },
            "rating" => {
                let max = o.required("max", small);
                let style = o.or("style", RatingStyle::Stars, |v, path, p| {
                    keyword(
                        v,
                        path,
                        p,
                        &[
                            ("stars", RatingStyle::Stars),
                            ("numbers", RatingStyle::Numbers),
                        ],
                    )
                });
                Self::Rating {
                    max: max?,
                    style: style?,
                    labels: labels(o)?,
                }
            }
            "single_choice" | "multi_choice" => {
                let options =
                    o.required("options", |v, path, p| list(v, path, p, ChoiceOption::read));
                let allow_other = o.or("allow_other", false, boolean);
                let other_label = o.optional("other_label", text);
                let shuffle = o.or("shuffle", false, boolean);
                if kind == "single_choice" {
                    Self::SingleChoice {
                        options: options?,
                        allow_other: allow_other?,
                        other_label: other_label.ok()?,
                        shuffle: shuffle?,
                    }
                } else {
                    let min = o.optional("min", uint);
                    let max = o.optional("max", uint);
                    Self::MultiChoice {
                        options: options?,
                        min: min.ok()?,
                        max: max.ok()?,
                        allow_other: allow_other?,
                        other_label: other_label.ok()?,
                        shuffle: shuffle?,
                    }
                }
            }
            "text" => {
                let style = o.or("style", TextStyle::Long, |v, path, p| {
                    keyword(
                        v,
                        path,
                        p,
                        &[("short", TextStyle::Short), ("long", TextStyle::Long)],
                    )
                });
                let max_length = o.or("max_length", default_text_max(), uint);
                let placeholder = o.optional("placeholder", text);
                Self::Text {
                    style: style?,
                    max_length: max_length?,
                    placeholder: placeholder.ok()?,
                }
            }
            "definition" => {
                let term = o.required("term", text);
                let ask_attribution = o.or("ask_attribution", false, boolean);
                let ask_publish = o.or("ask_publish", false, boolean);
                let max_length = o.or("max_length", default_text_max(), uint);
                Self::Definition {
                    term: term?,
                    ask_attribution: ask_attribution?,
                    ask_publish: ask_publish?,
                    max_length: max_length?,
                }
            }
            "likert" => {
                let rows = o.required("rows", |v, path, p| list(v, path, p, ChoiceOption::read));
                let points = o.or("points", default_likert_points(), small);
                let point_labels = o.optional("point_labels", |v, path, p| list(v, path, p, text));
                Self::Likert {
                    rows: rows?,
                    points: points?,
                    point_labels: point_labels.ok()?,
                }
            }
            "contact" => {
                let channel = o.or("channel", ContactChannel::Email, |v, path, p| {
                    keyword(
                        v,
                        path,
                        p,
                        &[
                            ("email", ContactChannel::Email),
                            ("phone", ContactChannel::Phone),
                            ("either", ContactChannel::Either),
                        ],
                    )
                });
                let consent_question = o.required("consent_question", string);
                Self::Contact {
                    channel: channel?,
                    consent_question: consent_question?,
                }
            }
            "consent" => {
                let label = o.required("label", text);
                let link = o.optional("link", Link::read);
                Self::Consent {
                    label: label?,
                    link: link.ok()?,
                }
            }
            other => {
                o.ignore_rest();
                o.problem(
                    "kind",
                    format!("unknown kind \"{other}\"; expected one of: nps, csat, ces, rating, single_choice, multi_choice, text, definition, likert, contact, consent"),
                );
                return None;
            }
        })
    }
}

impl ScaleLabels {
    fn read(v: &Json, path: &str, p: &mut Problems) -> Option<Self> {
        let mut o = Object::new(v, path, p)?;
        let low = o.required("low", text);
        let high = o.required("high", text);
        o.finish();
        Some(Self {
            low: low?,
            high: high?,
        })
    }
}

impl ChoiceOption {
    fn read(v: &Json, path: &str, p: &mut Problems) -> Option<Self> {
        let mut o = Object::new(v, path, p)?;
        let id = o.required("id", string);
        let label = o.required("label", text);
        let exclusive = o.or("exclusive", false, boolean);
        o.finish();
        Some(Self {
            id: id?,
            label: label?,
            exclusive: exclusive?,
        })
    }
}

impl Link {
    fn to_json(&self) -> Json {
        Writer::new()
            .set("url", self.url.as_str())
            .text("text", &self.text)
            .done()
    }

    fn read(v: &Json, path: &str, p: &mut Problems) -> Option<Self> {
        let mut o = Object::new(v, path, p)?;
        let url = o.required("url", string);
        let text = o.required("text", text);
        o.finish();
        Some(Self {
            url: url?,
            text: text?,
        })
    }
}

impl ThankYou {
    fn read(v: &Json, path: &str, p: &mut Problems) -> Option<Self> {
        let mut o = Object::new(v, path, p)?;
        let title = o.optional("title", text);
        let message = o.optional("message", text);
        let link = o.optional("link", Link::read);
        let variants = o.or("variants", Vec::new(), |v, path, p| {
            list(v, path, p, ThankYouVariant::read)
        });
        o.finish();
        Some(Self {
            title: title.ok()?,
            message: message.ok()?,
            link: link.ok()?,
            variants: variants?,
        })
    }
}

impl ThankYouVariant {
    fn to_json(&self) -> Json {
        Writer::new()
            .set("if", self.condition.to_json())
            .maybe_text("title", self.title.as_ref())
            .maybe_text("message", self.message.as_ref())
            .maybe("link", self.link.as_ref().map(Link::to_json))
            .done()
    }

    fn read(v: &Json, path: &str, p: &mut Problems) -> Option<Self> {
        let mut o = Object::new(v, path, p)?;
        let condition = o.required("if", Condition::read);
        let title = o.optional("title", text);
        let message = o.optional("message", text);
        let link = o.optional("link", Link::read);
        o.finish();
        Some(Self {
            condition: condition?,
            title: title.ok()?,
            message: message.ok()?,
            link: link.ok()?,
        })
    }
}

impl SkipRule {
    fn to_json(&self) -> Json {
        let skip_to = match &self.skip_to {
            SkipTarget::End => "end",
            SkipTarget::Question(id) => id.as_str(),
        };
        Writer::new()
            .set("after", self.after.as_str())
            .set("if", self.condition.to_json())
            .set("skip_to", skip_to)
            .done()
    }

    fn read(v: &Json, path: &str, p: &mut Problems) -> Option<Self> {
        let mut o = Object::new(v, path, p)?;
        let after = o.required("after", string);
        let condition = o.required("if", Condition::read);
        let skip_to = o.required("skip_to", string);
        o.finish();
        Some(Self {
            after: after?,
            condition: condition?,
            skip_to: match skip_to? {
                end if end == "end" => SkipTarget::End,
                id => SkipTarget::Question(id),
            },
        })
    }
}

impl Privacy {
    fn read(v: &Json, path: &str, p: &mut Problems) -> Option<Self> {
        let mut o = Object::new(v, path, p)?;
        let strip_url_query = o.or("strip_url_query", true, boolean);
        let redact = o.or("redact", true, boolean);
        let hidden_fields = o.or("hidden_fields", Vec::new(), crate::parse::strings);
        o.finish();
        Some(Self {
            strip_url_query: strip_url_query?,
            redact: redact?,
            hidden_fields: hidden_fields?,
        })
    }
}
