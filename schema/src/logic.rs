//! Survey flow: conditions on answers, which questions are shown, answers piped into texts, and
//! the thank-you page that fits the answers.
//!
//! Conditions may only look back: a question's `show_if` refers to earlier questions, a skip
//! rule to its `after` question or earlier ones. One forward pass over the questions therefore
//! decides what is shown, and no definition can loop. The widget (answers kept per question)
//! and the collector (the [`TypedAnswers`] of a response) both ask [`SurveyDefinition::shown`],
//! so they agree on what a visitor saw.

use crate::answer::{Answer, Choice};
use crate::definition::{Question, QuestionKind, SkipTarget, SurveyDefinition};
use crate::json::{Json, JsonObject};
use crate::parse::{Object, list, member, string};
use crate::problem::Problems;
use crate::response::TypedAnswers;
use crate::text::LocalizedText;
use crate::validate::is_identifier;

/// A condition on a visitor's answers.
///
/// ```json
/// {"question": "nps", "answered": true}
/// {"question": "nps", "at_most": 6}
/// {"all": [...]}   {"any": [...]}   {"not": {...}}
/// ```
/// A test of a question without an answer, or with a blank one (empty text, unticked consent),
/// is false, `not_equals` included; test presence with `answered`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "json-schema", schemars(rename_all = "snake_case"))]
pub enum Condition {
    /// Every condition holds (at least one condition).
    All(Vec<Condition>),
    /// At least one condition holds (at least one condition).
    Any(Vec<Condition>),
    /// The condition does not hold.
    Not(Box<Condition>),
    /// Whether `question` has a non-blank answer.
    #[cfg_attr(feature = "json-schema", schemars(untagged))]
    Answered {
        /// Id of the question.
        question: String,
        /// `true`: it has an answer; `false`: it has none.
        answered: bool,
    },
    /// One test of the answer to `question`.
    #[cfg_attr(feature = "json-schema", schemars(untagged))]
    Test {
        /// Id of the question.
        question: String,
        /// The test, beside `question`.
        #[cfg_attr(feature = "json-schema", schemars(flatten))]
        test: Test,
    },
}

/// A test of one answer; exactly one per condition.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "json-schema", schemars(rename_all = "snake_case"))]
pub enum Test {
    /// The answer is this value: a point of a scale, an option id of a single choice, `true`
    /// for a ticked consent, or a text (compared without surrounding white space).
    Equals(#[cfg_attr(feature = "json-schema", schemars(with = "TestValue"))] Json),
    /// The answer is not this value (and there is an answer).
    NotEquals(#[cfg_attr(feature = "json-schema", schemars(with = "TestValue"))] Json),
    /// A scale answer (nps, csat, ces, rating) of at least this point.
    AtLeast(u32),
    /// A scale answer of at most this point.
    AtMost(u32),
    /// The answer equals one of these values.
    OneOf(#[cfg_attr(feature = "json-schema", schemars(with = "Vec<TestValue>"))] Vec<Json>),
    /// A multi choice answer that includes this option id.
    Includes(String),
}

/// A value a condition compares answers with.
#[cfg(feature = "json-schema")]
#[derive(schemars::JsonSchema)]
#[schemars(untagged)]
#[allow(dead_code)]
enum TestValue {
    Point(u32),
    Text(String),
    Flag(bool),
}

/// The answers a condition looks at, by question id. Implemented for a response's
/// [`TypedAnswers`]; implement it for any other store of answers (a session that keeps one
/// answer per question, say): one method, no copying.
pub trait Answers {
    /// The answer to question `id`, if any.
    fn answer(&self, id: &str) -> Option<&Answer>;
}

impl Answers for TypedAnswers<'_> {
    fn answer(&self, id: &str) -> Option<&Answer> {
        self.get(id)
    }
}

/// The answers of the questions shown so far: a hidden question counts as unanswered, whatever
/// was typed into it before it was hidden.
struct Seen<'a> {
    definition: &'a SurveyDefinition,
    answers: &'a dyn Answers,
    shown: &'a [bool],
}

impl Answers for Seen<'_> {
    fn answer(&self, id: &str) -> Option<&Answer> {
        let i = self.definition.question_index(id)?;
        match self.shown.get(i) {
            Some(true) => self.answers.answer(id),
            _ => None,
        }
    }
}

impl Condition {
    /// Whether the condition holds for these answers.
    pub fn holds(&self, answers: &dyn Answers) -> bool {
        let answer = |id: &str| answers.answer(id).filter(|a| !a.is_blank());
        match self {
            Self::All(all) => all.iter().all(|c| c.holds(answers)),
            Self::Any(any) => any.iter().any(|c| c.holds(answers)),
            Self::Not(c) => !c.holds(answers),
            Self::Answered { question, answered } => answer(question).is_some() == *answered,
            Self::Test { question, test } => answer(question).is_some_and(|a| test.holds(a)),
        }
    }

    /// The JSON form, as the definition reader reads it.
    pub fn to_json(&self) -> Json {
        let (key, value) = match self {
            Self::All(all) => ("all", Json::Array(all.iter().map(Self::to_json).collect())),
            Self::Any(any) => ("any", Json::Array(any.iter().map(Self::to_json).collect())),
            Self::Not(c) => ("not", c.to_json()),
            Self::Answered { answered, .. } => ("answered", Json::from(*answered)),
            Self::Test { test, .. } => (
                test.key(),
                match test {
                    Test::Equals(v) | Test::NotEquals(v) => v.clone(),
                    Test::AtLeast(n) | Test::AtMost(n) => Json::from(*n),
                    Test::OneOf(values) => Json::Array(values.clone()),
                    Test::Includes(id) => Json::from(id.as_str()),
                },
            ),
        };
        let mut o = JsonObject::new();
        if let Self::Answered { question, .. } | Self::Test { question, .. } = self {
            o.insert("question", question.as_str());
        }
        o.insert(key, value);
        Json::Object(o)
    }

    pub(crate) fn read(v: &Json, path: &str, p: &mut Problems) -> Option<Self> {
        // Groups first, then tests; matched by position, which is smaller code than by name.
        const KEYS: [&str; 10] = [
            "all",
            "any",
            "not",
            "answered",
            "equals",
            "not_equals",
            "at_least",
            "at_most",
            "one_of",
            "includes",
        ];
        let mut o = Object::new(v, path, p)?;
        let (mut index, mut found) = (0, 0);
        for (k, x) in v.as_object().into_iter().flat_map(JsonObject::iter) {
            if let Some(i) = KEYS.iter().position(|key| *key == k)
                && !x.is_null()
            {
                index = i;
                found += 1;
            }
        }
        let (mut question, mut value) = (None, None);
        if found == 1 {
            value = o.required(KEYS[index], any);
            if index > 2 {
                question = o.required("question", string);
            }
        } else {
            // Read them all, so that only unknown fields (a typo such as "at_leat") are reported
            // as such.
            let _ = o.optional("question", string);
            for key in KEYS {
                let _ = o.optional(key, any);
            }
        }
        o.finish();
        if found != 1 {
            p.push(
                path,
                "expected \"question\" with one test (answered, equals, not_equals, at_least, at_most, one_of, includes), or one of \"all\", \"any\", \"not\"",
            );
        }
        let (value, at) = (value?, member(path, KEYS[index]));
        let number = value.as_u64().and_then(|n| u32::try_from(n).ok());
        let test = match (index, value) {
            (0 | 1, v) => {
                let group = if index == 0 { Self::All } else { Self::Any };
                return list(&v, &at, p, Self::read).map(group);
            }
            (2, v) => return Self::read(&v, &at, p).map(|c| Self::Not(Box::new(c))),
            (3, Json::Bool(b)) => Err(b),
            (4, v) => Ok(Test::Equals(v)),
            (5, v) => Ok(Test::NotEquals(v)),
            (6, _) if number.is_some() => Ok(Test::AtLeast(number.unwrap_or(0))),
            (7, _) if number.is_some() => Ok(Test::AtMost(number.unwrap_or(0))),
            (8, Json::Array(values)) => Ok(Test::OneOf(values)),
            (9, Json::String(id)) => Ok(Test::Includes(id)),
            _ => {
                let expected = match index {
                    3 => "expected true or false",
                    8 => "expected an array",
                    9 => "expected an option id",
                    _ => "expected a whole number of at least 0",
                };
                p.push(at, expected);
                return None;
            }
        };
        let question = question?;
        Some(match test {
            Err(answered) => Self::Answered { question, answered },
            Ok(test) => Self::Test { question, test },
        })
    }
}

/// Answers given by position, for [`Condition::satisfiable`].
struct Trial<'a>(Vec<(&'a str, Option<&'a Answer>)>);

impl Answers for Trial<'_> {
    fn answer(&self, id: &str) -> Option<&Answer> {
        self.0.iter().find(|(q, _)| *q == id)?.1
    }
}

impl Condition {
    /// Every (question, test) in the condition; `None` for `answered`.
    fn tests<'a>(&'a self, out: &mut Vec<(&'a str, Option<&'a Test>)>) {
        match self {
            Self::All(list) | Self::Any(list) => list.iter().for_each(|c| c.tests(out)),
            Self::Not(c) => c.tests(out),
            Self::Answered { question, .. } => out.push((question, None)),
            Self::Test { question, test } => out.push((question, Some(test))),
        }
    }

    /// Whether any answers make the condition hold: every combination of the answers that
    /// matter to it is tried (no answer, each point of a scale, each option, the options it
    /// names picked or not, the texts it names, a ticked consent). `true` when there are too
    /// many combinations to try.
    pub(crate) fn satisfiable(&self, definition: &SurveyDefinition) -> bool {
        let mut tests = Vec::new();
        self.tests(&mut tests);
        // Each question the condition looks at, with the answers to try (and no answer).
        let mut tried: Vec<(&str, Vec<Answer>)> = Vec::new();
        for &(id, _) in &tests {
            if tried.iter().any(|(q, _)| *q == id) {
                continue;
            }
            let Some(question) = definition.question(id) else {
                continue;
            };
            let mut answers = Vec::new();
            let option = |id: &str| Choice::Option(id.to_owned());
            let other = || Choice::Other("-".into());
            if let Some((low, high)) = question.kind.scale() {
                answers.extend((low..=high).map(Answer::Score));
            }
            match &question.kind {
                QuestionKind::SingleChoice {
                    options,
                    allow_other,
                    ..
                } => {
                    for o in options {
                        answers.push(Answer::Choice(option(&o.id)));
                    }
                    if *allow_other {
                        answers.push(Answer::Choice(other()));
                    }
                }
                QuestionKind::MultiChoice {
                    options,
                    max,
                    allow_other,
                    ..
                } => {
                    // Every subset of the options it names, with and without one it does not,
                    // that the question accepts: an exclusive option ("none of these") alone,
                    // and no more than `max`.
                    let mut named: Vec<&str> = Vec::new();
                    for (q, t) in &tests {
                        if let (true, Some(Test::Includes(o))) = (*q == id, t)
                            && !named.contains(&o.as_str())
                        {
                            named.push(o);
                        }
                    }
                    if named.len() > 10 {
                        return true;
                    }
                    let exclusive = |c: &Choice| matches!(c, Choice::Option(id) if options.iter().any(|o| o.id == *id && o.exclusive));
                    let unnamed = options.iter().filter(|o| !named.contains(&o.id.as_str()));
                    let extra = unnamed
                        .clone()
                        .find(|o| !o.exclusive)
                        .map(|o| option(&o.id))
                        .or_else(|| allow_other.then(other))
                        .or_else(|| unnamed.clone().next().map(|o| option(&o.id)));
                    for mask in 0..2u32 << named.len() {
                        let mut picked: Vec<Choice> = (named.iter().enumerate())
                            .filter(|(i, _)| mask >> i & 1 == 1)
                            .map(|(_, o)| option(o))
                            .collect();
                        if mask >> named.len() & 1 == 1 {
                            let Some(extra) = &extra else { continue };
                            picked.push(extra.clone());
                        }
                        let n = picked.len();
                        if n == 0
                            || n > 1 && picked.iter().any(exclusive)
                            || max.is_some_and(|m| n as u32 > m)
                        {
                            continue;
                        }
                        answers.push(Answer::Choices(picked));
                    }
                }
                QuestionKind::Consent { .. } => answers.push(Answer::Consent(true)),
                kind if kind.scale().is_none() => {
                    // Each text it compares with, and one unlike all of them (longer than each).
                    let mut unlike = String::from("-");
                    for (q, t) in &tests {
                        let values = match t {
                            Some(Test::Equals(v) | Test::NotEquals(v)) if *q == id => {
                                std::slice::from_ref(v)
                            }
                            Some(Test::OneOf(vs)) if *q == id => vs,
                            _ => &[],
                        };
                        for v in values.iter().filter_map(Json::as_str) {
                            answers.push(Answer::Text(v.to_owned()));
                            unlike.push_str(v);
                        }
                    }
                    answers.push(Answer::Text(unlike));
                }
                _ => {}
            }
            tried.push((id, answers));
        }
        let mut total = 1usize;
        for (_, answers) in &tried {
            total = total.saturating_mul(answers.len() + 1);
        }
        if total > 10_000 {
            return true;
        }
        (0..total).any(|mut k| {
            let mut trial = Vec::new();
            for (id, answers) in &tried {
                let n = answers.len() + 1;
                trial.push((*id, answers.get(k % n)));
                k /= n;
            }
            self.holds(&Trial(trial))
        })
    }
}

/// Any value, kept as it is: the validator checks it against the question's answers.
fn any(v: &Json, _: &str, _: &mut Problems) -> Option<Json> {
    Some(v.clone())
}

impl Test {
    /// The key of this test in JSON.
    pub fn key(&self) -> &'static str {
        match self {
            Self::Equals(_) => "equals",
            Self::NotEquals(_) => "not_equals",
            Self::AtLeast(_) => "at_least",
            Self::AtMost(_) => "at_most",
            Self::OneOf(_) => "one_of",
            Self::Includes(_) => "includes",
        }
    }

    /// Whether `answer` passes the test.
    pub fn holds(&self, answer: &Answer) -> bool {
        let score = match answer {
            Answer::Score(n) => Some(u32::from(*n)),
            _ => None,
        };
        match self {
            Self::Equals(v) => equals(answer, v),
            Self::NotEquals(v) => !equals(answer, v),
            Self::AtLeast(n) => score.is_some_and(|s| s >= *n),
            Self::AtMost(n) => score.is_some_and(|s| s <= *n),
            Self::OneOf(values) => values.iter().any(|v| equals(answer, v)),
            Self::Includes(id) => {
                let picked = |c: &Choice| matches!(c, Choice::Option(o) if o == id);
                matches!(answer, Answer::Choices(cs) if cs.iter().any(picked))
            }
        }
    }
}

/// Whether `answer` is `value`. An "other" choice equals no option id.
fn equals(answer: &Answer, value: &Json) -> bool {
    match (answer, value) {
        (Answer::Score(n), Json::Number(_)) => value.as_u64() == Some(u64::from(*n)),
        (Answer::Choice(Choice::Option(id)), Json::String(s)) => id == s,
        (Answer::Text(t), Json::String(s)) => t.trim() == s.trim(),
        (Answer::Consent(b), Json::Bool(v)) => b == v,
        _ => false,
    }
}

impl SurveyDefinition {
    /// The index of the question with this id.
    pub fn question_index(&self, id: &str) -> Option<usize> {
        self.questions.iter().position(|q| q.id == id)
    }

    /// Whether each question (in definition order) is shown for these answers. A question is
    /// shown when its `show_if` holds (or it has none), no skip rule passes over it, and, for a
    /// contact question, its consent question is answered `true`. A skip rule applies once its
    /// `after` question is shown and its condition holds. Answers to questions that are not
    /// shown count as no answers.
    pub fn shown(&self, answers: &dyn Answers) -> Vec<bool> {
        let n = self.questions.len();
        let mut shown = Vec::with_capacity(n);
        // Questions before this index are skipped (those after the rule's `after` question).
        let mut skip_until = 0;
        for (i, q) in self.questions.iter().enumerate() {
            let seen = Seen {
                definition: self,
                answers,
                shown: &shown,
            };
            let consented = match &q.kind {
                QuestionKind::Contact {
                    consent_question, ..
                } => seen.answer(consent_question) == Some(&Answer::Consent(true)),
                _ => true,
            };
            let visible =
                i >= skip_until && consented && q.show_if.as_ref().is_none_or(|c| c.holds(&seen));
            shown.push(visible);
            let seen = Seen {
                definition: self,
                answers,
                shown: &shown,
            };
            for rule in &self.logic {
                if visible && rule.after == q.id && rule.condition.holds(&seen) {
                    let to = match &rule.skip_to {
                        SkipTarget::End => n,
                        SkipTarget::Question(id) => self.question_index(id).unwrap_or(0),
                    };
                    skip_until = skip_until.max(to);
                }
            }
        }
        shown
    }

    /// The thank-you page for these answers, in `locale`: `(title, message, (url, link text))`.
    /// The first variant whose condition holds gives the texts it sets; the others come from
    /// the default page. Answers are piped into the title and message (see [`pipe`]). `None`
    /// means the page has no such text (the widget then shows its built-in title).
    pub fn thank_you_for(
        &self,
        answers: &dyn Answers,
        locale: &str,
        number: Number,
    ) -> (Option<String>, Option<String>, Option<(String, String)>) {
        let shown = self.shown(answers);
        let seen = Seen {
            definition: self,
            answers,
            shown: &shown,
        };
        let t = &self.thank_you;
        let variant = t.variants.iter().find(|v| v.condition.holds(&seen));
        let text = |own: Option<&LocalizedText>, default: Option<&LocalizedText>| {
            own.or(default)
                .map(|text| fill(self, self.text(text, locale), &seen, locale, number))
        };
        let title = text(variant.and_then(|v| v.title.as_ref()), t.title.as_ref());
        let message = text(variant.and_then(|v| v.message.as_ref()), t.message.as_ref());
        let link = variant
            .and_then(|v| v.link.as_ref())
            .or(t.link.as_ref())
            .map(|l| (l.url.clone(), self.text(&l.text, locale).to_owned()));
        (title, message, link)
    }
}

/// How a piped score is written: `n.to_string()`, or as the visitor's locale writes numbers.
pub type Number<'a> = &'a dyn Fn(u32) -> String;

/// `text` with every `{question_id}` replaced by the display text of that question's answer in
/// `locale`: a scale's number (written by `number`); a choice's option label (an "other" answer's own text; several
/// joined with ", "); a text or definition as written. Consent, likert and contact answers,
/// unanswered questions and questions not shown give an empty string; contact details are never
/// piped. A `{` that does not start `{id}` of a question is left as it is.
pub fn pipe(
    definition: &SurveyDefinition,
    text: &str,
    answers: &dyn Answers,
    locale: &str,
    number: Number,
) -> String {
    let shown = definition.shown(answers);
    let seen = Seen {
        definition,
        answers,
        shown: &shown,
    };
    fill(definition, text, &seen, locale, number)
}

fn fill(
    definition: &SurveyDefinition,
    text: &str,
    answers: &dyn Answers,
    locale: &str,
    number: Number,
) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some((before, id, after)) = placeholder(rest) {
        out.push_str(before);
        match definition.question(id) {
            Some(q) => {
                let answer = answers.answer(id);
                out.push_str(&display_text(definition, q, answer, locale, number));
            }
            None => {
                out.push('{');
                out.push_str(id);
                out.push('}');
            }
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// The first `{id}` of `text` (an identifier between braces): the text before it, the id and
/// the text after it.
pub(crate) fn placeholder(text: &str) -> Option<(&str, &str, &str)> {
    let mut from = 0;
    while let Some(i) = text[from..].find('{') {
        let open = from + i;
        let body = &text[open + 1..];
        if let Some(end) = body.find('}')
            && is_identifier(&body[..end])
        {
            return Some((&text[..open], &body[..end], &body[end + 1..]));
        }
        from = open + 1;
    }
    None
}

fn display_text(
    definition: &SurveyDefinition,
    question: &Question,
    answer: Option<&Answer>,
    locale: &str,
    number: Number,
) -> String {
    let options: &[crate::definition::ChoiceOption] = match &question.kind {
        QuestionKind::SingleChoice { options, .. } | QuestionKind::MultiChoice { options, .. } => {
            options
        }
        _ => &[],
    };
    let label = |c: &Choice| match c {
        Choice::Option(id) => options
            .iter()
            .find(|o| o.id == *id)
            .map_or(id.as_str(), |o| definition.text(&o.label, locale))
            .to_owned(),
        Choice::Other(text) => text.trim().to_owned(),
    };
    match answer.filter(|a| !a.is_blank()) {
        Some(Answer::Score(n)) => number(u32::from(*n)),
        Some(Answer::Choice(c)) => label(c),
        // Not `[String]::join`: the widget joins only `&str`s elsewhere, and each kind of join
        // is its own copy of the code in the wasm.
        Some(Answer::Choices(cs)) => {
            let mut labels = String::new();
            for (i, c) in cs.iter().enumerate() {
                if i > 0 {
                    labels.push_str(", ");
                }
                labels.push_str(&label(c));
            }
            labels
        }
        Some(Answer::Text(text)) => text.trim().to_owned(),
        Some(Answer::Definition(d)) => d.text.trim().to_owned(),
        _ => String::new(),
    }
}
