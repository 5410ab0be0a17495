//! Every question kind as the same few controls: groups of radio buttons or checkboxes, and
//! text fields. This module says which controls a question has, what turning one on or typing
//! into one does to the answer, and what the visitor sees. The components render any question
//! with one code path, which keeps the widget small and all of this testable natively.

use sayso_schema::{
    Answer, Choice, ContactAnswer, ContactChannel, CsatStyle, DefinitionAnswer, Question,
    QuestionKind, RatingStyle, SurveyDefinition, TextStyle,
};

use crate::i18n::{Strings, fill, number};

impl Field {
    /// A name for element ids.
    pub fn slug(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::OtherText => "other",
            Self::Definition => "definition",
            Self::Attribution => "attribution",
            Self::Email => "email",
            Self::Phone => "phone",
        }
    }
}

/// A radio button or checkbox, by what it means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Control {
    /// A point of a numeric scale.
    Score(u8),
    /// An option of a choice question, by id.
    Option(String),
    /// The "Other" option.
    Other,
    /// A point of one likert row.
    Likert(String, u8),
    /// "You may publish my definition".
    Publish,
    /// The consent checkbox.
    Agree,
    /// Which contact detail the visitor gives.
    Channel(ContactChannel),
}

/// A text field, by what it edits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// The answer of a text question.
    Text,
    /// The text of the "Other" option.
    OtherText,
    /// The definition itself.
    Definition,
    /// Who to credit a definition to.
    Attribution,
    /// An e-mail address.
    Email,
    /// A phone number.
    Phone,
}

/// A group of controls: the options of a scale or choice, or one likert row.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// The row's statement (likert); scales and choices are named by the question.
    pub label: Option<String>,
    /// Checkboxes rather than radio buttons.
    pub multiple: bool,
    /// Radio group name, unique in the widget.
    pub name: String,
    /// Modifier of the group's CSS class: `nps`, `stars`, `faces`, `numbers`, `choices`.
    pub variant: &'static str,
    /// The controls in order.
    pub options: Vec<OptionView>,
}

/// One radio button or checkbox.
#[derive(Debug, Clone, PartialEq)]
pub struct OptionView {
    /// What it means.
    pub control: Control,
    /// What is shown: a label, a number, a star or a face.
    pub text: String,
    /// The accessible name when `text` alone says too little ("8 out of 10").
    pub aria_label: Option<String>,
}

/// One text field.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldView {
    /// What it edits.
    pub field: Field,
    /// Its visible label; `None` when the question's title names it.
    pub label: Option<String>,
    /// A multi-line area rather than one line.
    pub long: bool,
    /// Most characters.
    pub max: u32,
    /// Show the characters left.
    pub counter: bool,
    /// `type` of the input: text, email, tel.
    pub input_type: &'static str,
    /// `autocomplete` hint.
    pub autocomplete: &'static str,
    /// Hint shown in the empty field.
    pub placeholder: Option<String>,
    /// A note under the field (that e-mail addresses and phone numbers are removed).
    pub note: Option<&'static str>,
}

/// Everything needed to render one question.
#[derive(Debug, Clone, PartialEq)]
pub struct QuestionView {
    /// The question's id.
    pub id: String,
    /// Its title.
    pub legend: String,
    /// Its help text.
    pub description: Option<String>,
    /// Whether it must be answered.
    pub required: bool,
    /// Radio/checkbox groups.
    pub groups: Vec<Group>,
    /// Text fields.
    pub fields: Vec<FieldView>,
    /// Render the fields before the groups (a definition's text comes before "publish").
    pub fields_first: bool,
    /// Labels of the two ends of a scale.
    pub scale_labels: Option<(String, String)>,
    /// A link under a consent checkbox: (url, text).
    pub link: Option<(String, String)>,
}

const FACES: [&str; 5] = ["😞", "🙁", "😐", "🙂", "😄"];

/// The render model of `question` in `locale`.
/// The render model of `question` in `locale`. `seed` orders the options of questions that
/// ask for shuffling, the same way for the whole of one visitor's session.
pub fn question_view(
    definition: &SurveyDefinition,
    question: &Question,
    locale: &str,
    strings: &Strings,
    seed: u64,
) -> QuestionView {
    let t = |text: &sayso_schema::LocalizedText| definition.text(text, locale).to_owned();
    let id = question.id.clone();
    let mut view = QuestionView {
        id: id.clone(),
        legend: t(&question.title),
        description: question.description.as_ref().map(t),
        required: question.required,
        groups: Vec::new(),
        fields: Vec::new(),
        fields_first: false,
        scale_labels: None,
        link: None,
    };
    let group = |variant, multiple, options| Group {
        label: None,
        multiple,
        name: id.clone(),
        variant,
        options,
    };
    let redacted = definition.privacy.redact.then_some(strings.redaction_note);
    let field = |field, label: Option<String>, long, max| FieldView {
        field,
        label,
        long,
        max,
        counter: long,
        input_type: "text",
        autocomplete: "off",
        placeholder: None,
        // Free text is redacted; e-mail and phone fields exist to carry exactly that.
        note: if matches!(field, Field::Text | Field::Definition | Field::OtherText) {
            redacted
        } else {
            None
        },
    };
    match &question.kind {
        QuestionKind::Nps { labels }
        | QuestionKind::Csat { labels, .. }
        | QuestionKind::Ces { labels }
        | QuestionKind::Rating { labels, .. } => {
            let (low, high) = question.kind.scale().expect("scale kinds have a scale");
            let variant = match &question.kind {
                QuestionKind::Nps { .. } => "nps",
                QuestionKind::Csat {
                    style: CsatStyle::Stars,
                    ..
                }
                | QuestionKind::Rating {
                    style: RatingStyle::Stars,
                    ..
                } => "stars",
                QuestionKind::Csat {
                    style: CsatStyle::Emoji,
                    ..
                } => "faces",
                _ => "numbers",
            };
            let options = (low..=high)
                .map(|n| {
                    let shown = number(locale, u32::from(n));
                    let max = number(locale, u32::from(high));
                    let out_of = fill(strings.out_of, &[("n", &shown), ("max", &max)]);
                    let (text, aria_label) = match variant {
                        "stars" => ("★".to_owned(), out_of),
                        "faces" => (
                            FACES[usize::from(n - 1)].to_owned(),
                            strings.faces[usize::from(n - 1)].to_owned(),
                        ),
                        _ => (shown, out_of),
                    };
                    OptionView {
                        control: Control::Score(n),
                        text,
                        aria_label: Some(aria_label),
                    }
                })
                .collect();
            view.groups.push(group(variant, false, options));
            view.scale_labels = match labels {
                Some(l) => Some((t(&l.low), t(&l.high))),
                // An NPS scale always says what its ends mean.
                None if variant == "nps" => {
                    Some((strings.nps_low.to_owned(), strings.nps_high.to_owned()))
                }
                None => None,
            };
        }
        QuestionKind::SingleChoice {
            options,
            allow_other,
            other_label,
            shuffle,
        }
        | QuestionKind::MultiChoice {
            options,
            allow_other,
            other_label,
            shuffle,
            ..
        } => {
            let multiple = matches!(question.kind, QuestionKind::MultiChoice { .. });
            let mut order: Vec<&sayso_schema::ChoiceOption> = options.iter().collect();
            if *shuffle {
                shuffle_options(&mut order, seed);
            }
            let mut controls: Vec<OptionView> = order
                .into_iter()
                .map(|o| OptionView {
                    control: Control::Option(o.id.clone()),
                    text: t(&o.label),
                    aria_label: None,
                })
                .collect();
            if *allow_other {
                let text = other_label
                    .as_ref()
                    .map_or_else(|| strings.other.to_owned(), t);
                controls.push(OptionView {
                    control: Control::Other,
                    text,
                    aria_label: None,
                });
                view.fields.push(field(
                    Field::OtherText,
                    Some(strings.other_detail.to_owned()),
                    false,
                    sayso_schema::MAX_OTHER_LENGTH as u32,
                ));
            }
            view.groups.push(group("choices", multiple, controls));
        }
        QuestionKind::Text {
            style,
            max_length,
            placeholder,
        } => {
            let mut f = field(Field::Text, None, *style == TextStyle::Long, *max_length);
            f.counter = true;
            f.placeholder = placeholder.as_ref().map(t);
            view.fields.push(f);
        }
        QuestionKind::Definition {
            term,
            ask_attribution,
            ask_publish,
            max_length,
        } => {
            view.fields_first = true;
            let label = fill(strings.your_definition, &[("term", &t(term))]);
            view.fields
                .push(field(Field::Definition, Some(label), true, *max_length));
            if *ask_attribution {
                let mut f = field(
                    Field::Attribution,
                    Some(strings.attribution.to_owned()),
                    false,
                    200,
                );
                f.autocomplete = "name";
                view.fields.push(f);
            }
            if *ask_publish {
                let publish = OptionView {
                    control: Control::Publish,
                    text: strings.publish.to_owned(),
                    aria_label: None,
                };
                view.groups.push(group("choices", true, vec![publish]));
            }
        }
        QuestionKind::Likert {
            rows,
            points,
            point_labels,
        } => {
            let labels: Vec<String> = match point_labels {
                Some(l) => l.iter().map(t).collect(),
                None if *points == 7 => strings.agree7.iter().map(|s| s.to_string()).collect(),
                None => strings.agree5.iter().map(|s| s.to_string()).collect(),
            };
            for row in rows {
                let options = (1..=*points)
                    .map(|p| OptionView {
                        control: Control::Likert(row.id.clone(), p),
                        text: labels[usize::from(p - 1)].clone(),
                        aria_label: None,
                    })
                    .collect();
                view.groups.push(Group {
                    label: Some(t(&row.label)),
                    multiple: false,
                    name: format!("{id}.{}", row.id),
                    variant: "likert",
                    options,
                });
            }
        }
        QuestionKind::Contact { channel, .. } => {
            if *channel == ContactChannel::Either {
                let options = [
                    (ContactChannel::Email, strings.email),
                    (ContactChannel::Phone, strings.phone),
                ]
                .into_iter()
                .map(|(c, text)| OptionView {
                    control: Control::Channel(c),
                    text: text.to_owned(),
                    aria_label: None,
                })
                .collect();
                view.groups.push(group("choices", false, options));
            }
            let mut email = field(Field::Email, Some(strings.email.to_owned()), false, 254);
            (email.input_type, email.autocomplete) = ("email", "email");
            let mut phone = field(Field::Phone, Some(strings.phone.to_owned()), false, 32);
            (phone.input_type, phone.autocomplete) = ("tel", "tel");
            view.fields.extend([email, phone]);
        }
        QuestionKind::Consent { label, link } => {
            view.groups.push(group(
                "choices",
                true,
                vec![OptionView {
                    control: Control::Agree,
                    text: t(label),
                    aria_label: None,
                }],
            ));
            view.link = link.as_ref().map(|l| (l.url.clone(), t(&l.text)));
        }
    }
    view
}

/// Shuffle `options` by `seed` (xorshift, Fisher-Yates); "none of these" options keep their
/// place (at the end, usually, where visitors look for them), and the others move around them.
fn shuffle_options(options: &mut [&sayso_schema::ChoiceOption], mut seed: u64) {
    let movable: Vec<usize> = (0..options.len())
        .filter(|&i| !options[i].exclusive)
        .collect();
    for i in (1..movable.len()).rev() {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        options.swap(movable[i], movable[(seed % (i as u64 + 1)) as usize]);
    }
}

/// Whether `control` is on for the answer `answer`.
pub fn is_on(answer: Option<&Answer>, control: &Control) -> bool {
    match (answer, control) {
        (Some(Answer::Score(s)), Control::Score(n)) => s == n,
        (Some(Answer::Choice(Choice::Option(o))), Control::Option(id)) => o == id,
        (Some(Answer::Choice(Choice::Other(_))), Control::Other) => true,
        (Some(Answer::Choices(cs)), Control::Option(id)) => {
            cs.iter().any(|c| matches!(c, Choice::Option(o) if o == id))
        }
        (Some(Answer::Choices(cs)), Control::Other) => {
            cs.iter().any(|c| matches!(c, Choice::Other(_)))
        }
        (Some(Answer::Likert(rows)), Control::Likert(row, p)) => {
            rows.iter().any(|(r, q)| r == row && q == p)
        }
        (Some(Answer::Definition(d)), Control::Publish) => d.publish,
        (Some(Answer::Consent(agreed)), Control::Agree) => *agreed,
        (
            Some(Answer::Contact(ContactAnswer::Email(_))),
            Control::Channel(ContactChannel::Email),
        ) => true,
        (
            Some(Answer::Contact(ContactAnswer::Phone(_))),
            Control::Channel(ContactChannel::Phone),
        ) => true,
        _ => false,
    }
}

/// Whether a star scale shows `control` lit: every star up to the chosen one.
pub fn is_lit(answer: Option<&Answer>, control: &Control) -> bool {
    matches!((answer, control), (Some(Answer::Score(s)), Control::Score(n)) if n <= s)
}

/// The answer after the visitor turns `control` on (or, for checkboxes, off).
pub fn toggle(
    kind: &QuestionKind,
    answer: Option<&Answer>,
    control: &Control,
    on: bool,
) -> Option<Answer> {
    match (kind, control) {
        (_, Control::Score(n)) => Some(Answer::Score(*n)),
        (QuestionKind::SingleChoice { .. }, Control::Option(id)) => {
            Some(Answer::Choice(Choice::Option(id.clone())))
        }
        (QuestionKind::SingleChoice { .. }, Control::Other) => match answer {
            Some(a @ Answer::Choice(Choice::Other(_))) => Some(a.clone()),
            _ => Some(Answer::Choice(Choice::Other(String::new()))),
        },
        (QuestionKind::MultiChoice { options, .. }, Control::Option(_) | Control::Other) => {
            let mut choices = match answer {
                Some(Answer::Choices(cs)) => cs.clone(),
                _ => Vec::new(),
            };
            let exclusive = |c: &Choice| matches!(c, Choice::Option(o) if options.iter().any(|x| &x.id == o && x.exclusive));
            let this = match control {
                Control::Option(id) => Choice::Option(id.clone()),
                _ => Choice::Other(String::new()),
            };
            let same = |c: &Choice| match (c, &this) {
                (Choice::Other(_), Choice::Other(_)) => true,
                (a, b) => a == b,
            };
            choices.retain(|c| !same(c));
            if on {
                if exclusive(&this) {
                    choices.clear();
                } else {
                    choices.retain(|c| !exclusive(c));
                }
                // Keep the definition's order, "Other" last, whatever order they were ticked in.
                let rank = |c: &Choice| match c {
                    Choice::Option(o) => options
                        .iter()
                        .position(|x| &x.id == o)
                        .unwrap_or(usize::MAX - 1),
                    Choice::Other(_) => usize::MAX,
                };
                let at = choices
                    .iter()
                    .position(|c| rank(c) > rank(&this))
                    .unwrap_or(choices.len());
                choices.insert(at, this);
            }
            (!choices.is_empty()).then_some(Answer::Choices(choices))
        }
        (_, Control::Likert(row, p)) => {
            let mut rows = match answer {
                Some(Answer::Likert(r)) => r.clone(),
                _ => Vec::new(),
            };
            match rows.iter_mut().find(|(r, _)| r == row) {
                Some((_, point)) => *point = *p,
                None => rows.push((row.clone(), *p)),
            }
            Some(Answer::Likert(rows))
        }
        (_, Control::Publish) => {
            let mut d = definition_of(answer);
            d.publish = on;
            Some(Answer::Definition(d))
        }
        (_, Control::Agree) => Some(Answer::Consent(on)),
        (_, Control::Channel(channel)) => {
            let text = field_text(answer, Field::Email) + &field_text(answer, Field::Phone);
            Some(Answer::Contact(match channel {
                ContactChannel::Phone => ContactAnswer::Phone(text),
                _ => ContactAnswer::Email(text),
            }))
        }
        _ => answer.cloned(),
    }
}

fn definition_of(answer: Option<&Answer>) -> DefinitionAnswer {
    match answer {
        Some(Answer::Definition(d)) => d.clone(),
        _ => DefinitionAnswer::default(),
    }
}

/// What field `field` shows for the answer `answer`.
pub fn field_text(answer: Option<&Answer>, field: Field) -> String {
    let text = match (answer, field) {
        (Some(Answer::Text(t)), Field::Text) => t,
        (Some(Answer::Choice(Choice::Other(t))), Field::OtherText) => t,
        (Some(Answer::Choices(cs)), Field::OtherText) => {
            return cs
                .iter()
                .find_map(|c| {
                    if let Choice::Other(t) = c {
                        Some(t.clone())
                    } else {
                        None
                    }
                })
                .unwrap_or_default();
        }
        (Some(Answer::Definition(d)), Field::Definition) => &d.text,
        (Some(Answer::Definition(d)), Field::Attribution) => {
            return d.attribution.clone().unwrap_or_default();
        }
        (Some(Answer::Contact(ContactAnswer::Email(e))), Field::Email) => e,
        (Some(Answer::Contact(ContactAnswer::Phone(p))), Field::Phone) => p,
        _ => return String::new(),
    };
    text.clone()
}

/// The answer after the visitor types `text` into `field`.
pub fn type_into(answer: Option<&Answer>, field: Field, text: String) -> Option<Answer> {
    match field {
        Field::Text => (!text.is_empty()).then_some(Answer::Text(text)),
        Field::OtherText => match answer {
            Some(Answer::Choices(cs)) => Some(Answer::Choices(
                cs.iter()
                    .map(|c| {
                        if let Choice::Other(_) = c {
                            Choice::Other(text.clone())
                        } else {
                            c.clone()
                        }
                    })
                    .collect(),
            )),
            _ => Some(Answer::Choice(Choice::Other(text))),
        },
        Field::Definition | Field::Attribution => {
            let mut d = definition_of(answer);
            if field == Field::Definition {
                d.text = text;
            } else {
                d.attribution = Some(text).filter(|t| !t.trim().is_empty());
            }
            Some(Answer::Definition(d))
        }
        Field::Email => Some(Answer::Contact(ContactAnswer::Email(text))),
        Field::Phone => Some(Answer::Contact(ContactAnswer::Phone(text))),
    }
}

/// Whether `field` of a question of `kind` is shown for the answer `answer`.
pub fn field_shown(kind: &QuestionKind, answer: Option<&Answer>, field: Field) -> bool {
    match field {
        Field::OtherText => is_on(answer, &Control::Other),
        Field::Email | Field::Phone => {
            let channel = match kind {
                QuestionKind::Contact { channel, .. } => *channel,
                _ => return false,
            };
            match (channel, field) {
                (ContactChannel::Email, Field::Email) | (ContactChannel::Phone, Field::Phone) => {
                    true
                }
                (ContactChannel::Either, f) => {
                    let wanted = if f == Field::Email {
                        ContactChannel::Email
                    } else {
                        ContactChannel::Phone
                    };
                    is_on(answer, &Control::Channel(wanted))
                }
                _ => false,
            }
        }
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::EN;

    fn every_kind() -> SurveyDefinition {
        SurveyDefinition::from_json(include_str!("../schema/tests/fixtures/every-kind.json"))
            .unwrap()
    }

    fn view_of(id: &str) -> QuestionView {
        let d = every_kind();
        question_view(&d, d.question(id).unwrap(), "en", &EN, 7)
    }

    #[test]
    fn an_nps_scale_without_labels_says_what_its_ends_mean() {
        let d = SurveyDefinition::from_json(
            r#"{"id":"s","version":1,"title":"t","questions":[{"id":"n","kind":"nps","title":"?"}]}"#,
        )
        .unwrap();
        let view = question_view(&d, &d.questions[0], "en", &EN, 7);
        let ends = (EN.nps_low.to_owned(), EN.nps_high.to_owned());
        assert_eq!(view.scale_labels, Some(ends));
    }

    #[test]
    fn scales_name_every_point() {
        let nps = view_of("nps");
        let names: Vec<_> = nps.groups[0]
            .options
            .iter()
            .map(|o| o.aria_label.clone().unwrap())
            .collect();
        assert_eq!(names.len(), 11);
        assert_eq!(names[8], "8 out of 10");
        assert_eq!(
            nps.scale_labels,
            Some(("Not likely".into(), "Very likely".into()))
        );
        let csat = view_of("csat");
        assert_eq!(csat.groups[0].variant, "faces");
        assert_eq!(
            csat.groups[0].options[0].aria_label.as_deref(),
            Some("Very dissatisfied")
        );
        let rating = view_of("rating");
        assert_eq!(
            (rating.groups[0].variant, rating.groups[0].options.len()),
            ("numbers", 4)
        );
    }

    #[test]
    fn every_kind_has_controls() {
        let d = every_kind();
        for q in &d.questions {
            let v = question_view(&d, q, "en", &EN, 7);
            assert!(
                !v.groups.is_empty() || !v.fields.is_empty(),
                "{} renders nothing",
                q.id
            );
        }
        let likert = view_of("agreement");
        assert_eq!(likert.groups.len(), 2);
        assert_eq!(likert.groups[0].name, "agreement.clear");
        assert_eq!(likert.groups[0].options[4].text, "Strongly agree");
    }

    #[test]
    fn shuffled_options_differ_by_visitor_but_keep_exclusive_last() {
        let d = every_kind();
        let ids = |seed| -> Vec<String> {
            let mut q = d.question("topics").unwrap().clone();
            if let QuestionKind::MultiChoice { shuffle, .. } = &mut q.kind {
                *shuffle = true;
            }
            let v = question_view(&d, &q, "en", &EN, seed);
            v.groups[0]
                .options
                .iter()
                .map(|o| format!("{:?}", o.control))
                .collect()
        };
        let orders: Vec<Vec<String>> = (1..=20).map(ids).collect();
        assert!(
            orders.iter().any(|o| *o != orders[0]),
            "some visitors see another order"
        );
        for o in &orders {
            assert_eq!(o[3], "Option(\"none\")", "{o:?}");
            assert_eq!(o[4], "Other", "{o:?}");
            assert_eq!(ids(1), orders[0], "the same seed, the same order");
        }
        // "None of these" listed first stays first; the others still move.
        let d = SurveyDefinition::from_json(
            r#"{"id":"s","version":1,"title":"t","questions":[{"id":"m","kind":"multi_choice",
                "title":"?","shuffle":true,"options":[{"id":"none","label":"None","exclusive":true},
                {"id":"a","label":"A"},{"id":"b","label":"B"},{"id":"c","label":"C"}]}]}"#,
        )
        .unwrap();
        let first: Vec<Vec<String>> = (1..=20)
            .map(|seed| {
                let v = question_view(&d, &d.questions[0], "en", &EN, seed);
                v.groups[0]
                    .options
                    .iter()
                    .map(|o| format!("{:?}", o.control))
                    .collect()
            })
            .collect();
        assert!(
            first.iter().all(|o| o[0] == "Option(\"none\")"),
            "{first:?}"
        );
        assert!(
            first.iter().any(|o| *o != first[0]),
            "some visitors see another order"
        );
    }

    #[test]
    fn multi_choice_keeps_order_and_exclusivity() {
        let d = every_kind();
        let kind = &d.question("topics").unwrap().kind;
        let mut a = toggle(kind, None, &Control::Option("devices".into()), true);
        a = toggle(kind, a.as_ref(), &Control::Option("billing".into()), true);
        assert_eq!(
            a,
            Some(Answer::Choices(vec![
                Choice::Option("billing".into()),
                Choice::Option("devices".into())
            ]))
        );
        a = toggle(kind, a.as_ref(), &Control::Other, true);
        a = type_into(a.as_ref(), Field::OtherText, "Parking".into());
        assert!(field_shown(kind, a.as_ref(), Field::OtherText));
        assert_eq!(field_text(a.as_ref(), Field::OtherText), "Parking");
        // "None of these" clears the others; picking another clears it.
        a = toggle(kind, a.as_ref(), &Control::Option("none".into()), true);
        assert_eq!(
            a,
            Some(Answer::Choices(vec![Choice::Option("none".into())]))
        );
        a = toggle(kind, a.as_ref(), &Control::Option("insulin".into()), true);
        assert_eq!(
            a,
            Some(Answer::Choices(vec![Choice::Option("insulin".into())]))
        );
        assert_eq!(
            toggle(kind, a.as_ref(), &Control::Option("insulin".into()), false),
            None
        );
    }

    #[test]
    fn single_choice_other_keeps_its_text() {
        let d = every_kind();
        let kind = &d.question("channel").unwrap().kind;
        let a = toggle(kind, None, &Control::Other, true);
        assert!(field_shown(kind, a.as_ref(), Field::OtherText));
        let a = type_into(a.as_ref(), Field::OtherText, "Letter".into());
        assert_eq!(
            toggle(kind, a.as_ref(), &Control::Other, true),
            a,
            "re-selecting Other keeps the text"
        );
        let a = toggle(kind, a.as_ref(), &Control::Option("chat".into()), true);
        assert!(is_on(a.as_ref(), &Control::Option("chat".into())));
        assert!(!field_shown(kind, a.as_ref(), Field::OtherText));
    }

    #[test]
    fn definitions_and_contacts_are_edited_field_by_field() {
        let a = type_into(None, Field::Definition, "Shared decisions".into());
        let a = type_into(a.as_ref(), Field::Attribution, "Ana".into());
        let d = every_kind();
        let a = toggle(
            &d.question("engagement").unwrap().kind,
            a.as_ref(),
            &Control::Publish,
            true,
        );
        assert_eq!(
            a,
            Some(Answer::Definition(DefinitionAnswer {
                text: "Shared decisions".into(),
                attribution: Some("Ana".into()),
                publish: true
            }))
        );
        let contact = &d.question("contact").unwrap().kind;
        assert!(
            !field_shown(contact, None, Field::Email),
            "either: the visitor picks a channel first"
        );
        let a = toggle(
            contact,
            None,
            &Control::Channel(ContactChannel::Phone),
            true,
        );
        assert!(field_shown(contact, a.as_ref(), Field::Phone));
        let a = type_into(a.as_ref(), Field::Phone, "+44 20 7946 0958".into());
        assert_eq!(
            a,
            Some(Answer::Contact(ContactAnswer::Phone(
                "+44 20 7946 0958".into()
            )))
        );
    }

    #[test]
    fn stars_light_up_to_the_choice() {
        let a = Some(Answer::Score(3));
        assert!(is_lit(a.as_ref(), &Control::Score(1)));
        assert!(is_lit(a.as_ref(), &Control::Score(3)));
        assert!(!is_lit(a.as_ref(), &Control::Score(4)));
    }
}
