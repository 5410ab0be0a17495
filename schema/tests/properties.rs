//! Property tests: any valid response survives a JSON round trip and validates; junk never
//! panics either parser or the validator.

use proptest::prelude::*;
use sayso_schema::{
    Answer, Choice, ChoiceOption, Condition, ContactAnswer, ContactChannel, Context,
    DefinitionAnswer, Json, JsonObject, LocalizedText, Question, QuestionKind, RESPONSE_SCHEMA,
    Response, SkipRule, SkipTarget, SurveyDefinition, SurveyRef, Test, TypedAnswers,
};
use serde_json::Value;

/// Raw material for one question: kind selector, two size knobs, two flags, and logic (none,
/// a `show_if`, or a skip rule, on an earlier question).
type QuestionSeed = (u8, u8, u8, bool, bool, u8);
/// Raw material for one answer: answered?, a number, a text.
type AnswerSeed = (bool, u16, String);

fn options(prefix: &str, n: usize) -> Vec<ChoiceOption> {
    (0..n)
        .map(|i| ChoiceOption {
            id: format!("{prefix}{i}"),
            label: LocalizedText::Plain(format!("Option {i}")),
            exclusive: false,
        })
        .collect()
}

/// A condition that can hold on `question` (an earlier one), chosen by `n`.
fn condition_on(question: &Question, n: u8) -> Condition {
    let id = question.id.clone();
    let test = match &question.kind {
        QuestionKind::SingleChoice { options, .. } => Some(Test::OneOf(vec![Json::from(
            options[usize::from(n) % options.len()].id.as_str(),
        )])),
        QuestionKind::MultiChoice { options, .. } => Some(Test::Includes(
            options[usize::from(n) % options.len()].id.clone(),
        )),
        QuestionKind::Consent { .. } => Some(Test::Equals(Json::from(true))),
        kind => kind.scale().map(|(low, high)| {
            let point = u32::from(low + n % (high - low + 1));
            if n.is_multiple_of(2) {
                Test::AtLeast(point)
            } else {
                Test::AtMost(point)
            }
        }),
    };
    let leaf = match test {
        Some(test) if !n.is_multiple_of(3) => Condition::Test {
            question: id.clone(),
            test,
        },
        _ => Condition::Answered {
            question: id.clone(),
            answered: n.is_multiple_of(2),
        },
    };
    match n % 7 {
        0 => Condition::Not(Box::new(leaf)),
        1 => Condition::Any(vec![
            leaf,
            Condition::Answered {
                question: id,
                answered: false,
            },
        ]),
        _ => leaf,
    }
}

fn build_definition(seeds: &[QuestionSeed]) -> SurveyDefinition {
    let mut questions: Vec<Question> = Vec::new();
    let mut logic = Vec::new();
    for (i, &(selector, a, b, flag, required, flow)) in seeds.iter().enumerate() {
        let n = 2 + usize::from(a % 5);
        let mut kind = match selector % 11 {
            0 => QuestionKind::Nps { labels: None },
            1 => QuestionKind::Csat {
                style: Default::default(),
                labels: None,
            },
            2 => QuestionKind::Ces { labels: None },
            3 => QuestionKind::Rating {
                max: 2 + a % 9,
                style: Default::default(),
                labels: None,
            },
            4 => QuestionKind::SingleChoice {
                options: options("o", n),
                allow_other: flag,
                other_label: None,
                shuffle: false,
            },
            5 => {
                let mut opts = options("o", n);
                opts[n - 1].exclusive = b % 2 == 0;
                let max = 1 + u32::from(b) % (n as u32);
                QuestionKind::MultiChoice {
                    options: opts,
                    min: Some(1),
                    max: Some(max),
                    allow_other: flag,
                    other_label: None,
                    shuffle: false,
                }
            }
            6 => QuestionKind::Text {
                style: Default::default(),
                max_length: 1 + u32::from(b),
                placeholder: None,
            },
            7 => QuestionKind::Definition {
                term: "care".into(),
                ask_attribution: flag,
                ask_publish: !flag,
                max_length: 1 + u32::from(b),
            },
            8 => QuestionKind::Likert {
                rows: options("r", 1 + usize::from(a % 4)),
                points: if flag { 7 } else { 5 },
                point_labels: None,
            },
            9 => QuestionKind::Consent {
                label: "I agree".into(),
                link: None,
            },
            _ => QuestionKind::Contact {
                channel: [
                    ContactChannel::Email,
                    ContactChannel::Phone,
                    ContactChannel::Either,
                ][usize::from(a % 3)],
                consent_question: String::new(),
            },
        };
        if let QuestionKind::Contact {
            consent_question, ..
        } = &mut kind
        {
            match questions
                .iter()
                .rev()
                .find(|q| matches!(q.kind, QuestionKind::Consent { .. }))
            {
                Some(consent) => *consent_question = consent.id.clone(),
                None => {
                    kind = QuestionKind::Consent {
                        label: "I agree".into(),
                        link: None,
                    }
                }
            }
        }
        let required = required && !matches!(kind, QuestionKind::Contact { .. });
        let mut show_if = None;
        if i > 0 {
            let earlier = &questions[usize::from(flow) % i];
            match flow / 32 % 4 {
                1 => show_if = Some(condition_on(earlier, b)),
                2 => logic.push(SkipRule {
                    after: earlier.id.clone(),
                    condition: condition_on(earlier, b),
                    skip_to: if flag {
                        SkipTarget::End
                    } else {
                        SkipTarget::Question(format!("q{i}"))
                    },
                }),
                _ => {}
            }
        }
        // Titles show an earlier answer now and then.
        let title = match i.checked_sub(1) {
            Some(j) if a % 4 == 0 && !matches!(questions[j].kind, QuestionKind::Contact { .. }) => {
                format!("Question {i} after {{q{j}}}")
            }
            _ => format!("Question {i}"),
        };
        questions.push(Question {
            id: format!("q{i}"),
            title: title.into(),
            description: None,
            required,
            show_if,
            kind,
        });
    }
    SurveyDefinition {
        id: "generated".into(),
        version: 1,
        title: "Generated".into(),
        description: None,
        locales: Default::default(),
        questions,
        logic,
        display: presentation(seeds.len()),
        trigger: trigger(seeds.len()),
        targeting: targeting(seeds.len()),
        theme: theme(seeds.len()),
        thank_you: Default::default(),
        privacy: Default::default(),
        allowed_origins: vec![],
        // A reworded button every other time.
        strings: (seeds.len() % 2 == 1)
            .then(|| ("submit".to_owned(), "Go".into()))
            .into_iter()
            .collect(),
    }
}

/// Every mode and corner, with a launcher label every other time.
fn presentation(n: usize) -> sayso_schema::Display {
    let (_, mode) = sayso_schema::presentation::modes()[n % 4];
    let (_, position) = sayso_schema::presentation::corners()[n / 4 % 4];
    let launcher_label = n.is_multiple_of(2).then(|| "Feedback".into());
    sayso_schema::Display {
        layout: Default::default(),
        mode,
        position,
        launcher_label,
    }
}

/// Every trigger, with the parameter it needs.
fn trigger(n: usize) -> sayso_schema::Trigger {
    let (_, on) = sayso_schema::presentation::triggers()[n % 8];
    sayso_schema::Trigger {
        on,
        delay_seconds: n as u32,
        scroll_percent: 1 + (n % 100) as u8,
        page_views: 1 + n as u32,
        event: Some("feedback:open".into()),
        selector: Some("#feedback-button".into()),
    }
}

fn targeting(n: usize) -> sayso_schema::Targeting {
    sayso_schema::Targeting {
        include_urls: vec!["/support/*".into()],
        exclude_urls: vec![],
        locales: vec!["en".into()],
        devices: vec![sayso_schema::Device::Mobile],
        sample_percent: (n * 10 % 101) as u8,
        after_answer_days: n as u32,
        after_dismiss_days: 0,
        once_per_session: n.is_multiple_of(2),
    }
}

fn theme(n: usize) -> sayso_schema::Theme {
    sayso_schema::Theme {
        scheme: [
            sayso_schema::Scheme::Auto,
            sayso_schema::Scheme::Light,
            sayso_schema::Scheme::Dark,
        ][n % 3],
        accent: Some("#006b5f".into()),
        accent_text: None,
        radius: (!n.is_multiple_of(2)).then(|| "8px".into()),
        font: Some("\"Source Sans 3\", Arial, sans-serif".into()),
    }
}

/// A valid answer to `question` made from `seed`, or `None` to leave it unanswered.
fn build_answer(question: &Question, (answered, n, text): &AnswerSeed) -> Option<Answer> {
    if !answered && !question.required {
        return None;
    }
    let text = if text.trim().is_empty() {
        "x".to_owned()
    } else {
        text.clone()
    };
    let fit = |max: u32| text.chars().take(max as usize).collect::<String>();
    Some(match &question.kind {
        QuestionKind::SingleChoice {
            options,
            allow_other,
            ..
        } => {
            if *allow_other && n % 3 == 0 {
                Answer::Choice(Choice::Other(fit(500)))
            } else {
                Answer::Choice(Choice::Option(
                    options[usize::from(*n) % options.len()].id.clone(),
                ))
            }
        }
        QuestionKind::MultiChoice { options, max, .. } => {
            let ordinary: Vec<&ChoiceOption> = options.iter().filter(|o| !o.exclusive).collect();
            let k = 1 + usize::from(*n) % max.unwrap_or(1) as usize;
            Answer::Choices(
                ordinary
                    .iter()
                    .take(k.min(ordinary.len()))
                    .map(|o| Choice::Option(o.id.clone()))
                    .collect(),
            )
        }
        QuestionKind::Text { max_length, .. } => Answer::Text(fit(*max_length)),
        QuestionKind::Definition {
            ask_attribution,
            ask_publish,
            max_length,
            ..
        } => Answer::Definition(DefinitionAnswer {
            text: fit(*max_length),
            attribution: ask_attribution.then(|| "Ana, nurse".to_owned()),
            publish: *ask_publish && n % 2 == 0,
        }),
        QuestionKind::Likert { rows, points, .. } => Answer::Likert(
            rows.iter()
                .map(|r| (r.id.clone(), 1 + (*n % u16::from(*points)) as u8))
                .collect(),
        ),
        QuestionKind::Consent { .. } => Answer::Consent(question.required || n % 2 == 0),
        // Shown, so its consent was given.
        QuestionKind::Contact { channel, .. } => match channel {
            ContactChannel::Phone => {
                Answer::Contact(ContactAnswer::Phone(format!("+44 20 {:04} {:04}", n, n)))
            }
            _ => Answer::Contact(ContactAnswer::Email(format!("visitor{n}@example.org"))),
        },
        kind => {
            let (low, high) = kind.scale().unwrap();
            Answer::Score(low + (*n % u16::from(high - low + 1)) as u8)
        }
    })
}

/// A valid response: only the questions shown for the answers given so far are answered
/// (conditions look back, so the earlier answers decide whether a question is shown).
fn build_response(definition: &SurveyDefinition, seeds: &[AnswerSeed], partial: bool) -> Response {
    let mut given = TypedAnswers(Vec::new());
    for (i, (q, seed)) in definition
        .questions
        .iter()
        .zip(seeds.iter().cycle())
        .enumerate()
    {
        if definition.shown(&given)[i]
            && let Some(a) = build_answer(q, seed)
        {
            given.0.push((q.id.as_str(), a));
        }
    }
    let answers = given.0.iter().map(|(id, a)| (*id, a.to_value())).collect();
    Response {
        schema: RESPONSE_SCHEMA.into(),
        id: "3f1c2b9e-0a4d-4e8f-b6c7-9d2e1f0a3b4c".into(),
        survey: SurveyRef {
            id: definition.id.clone(),
            version: definition.version,
        },
        answers,
        context: Context {
            url: "https://clinic.example/support".into(),
            referrer: String::new(),
            locale: "en".into(),
            started_at: "2026-11-24T09:00:00.000Z".into(),
            submitted_at: "2026-11-24T09:01:00.000Z".into(),
            attributes: JsonObject::new(),
        },
        partial,
    }
}

fn arbitrary_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        "\\PC{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("id".to_owned()),
                    Just("kind".to_owned()),
                    Just("answers".to_owned()),
                    Just("questions".to_owned()),
                    Just("show_if".to_owned()),
                    Just("question".to_owned()),
                    Just("all".to_owned()),
                    Just("not".to_owned()),
                    Just("at_least".to_owned()),
                    Just("logic".to_owned()),
                    "[a-z_]{1,8}"
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn generated_definitions_are_valid(seeds in prop::collection::vec(any::<QuestionSeed>(), 1..12)) {
        let d = build_definition(&seeds);
        prop_assert!(d.validate().is_ok(), "{:?}", d.validate());
        let text = d.to_json().to_string();
        prop_assert_eq!(SurveyDefinition::from_json(&text).unwrap(), d);
    }

    #[test]
    fn valid_responses_survive_a_json_round_trip_and_validate(
        seeds in prop::collection::vec(any::<QuestionSeed>(), 1..12),
        answers in prop::collection::vec((any::<bool>(), any::<u16>(), "\\PC{0,60}"), 1..12),
        partial in any::<bool>(),
    ) {
        let d = build_definition(&seeds);
        let r = build_response(&d, &answers, partial);
        // A partial response must say something: at least one answer that is not blank.
        prop_assume!(!partial || r.typed_answers(&d).0.iter().any(|(_, a)| !a.is_blank()));
        let text = r.to_json().to_string();
        let parsed = Response::from_json(&text).unwrap();
        prop_assert_eq!(&parsed, &r);
        prop_assert!(parsed.validate_against(&d).is_ok(), "{:?}", parsed.validate_against(&d));
        // Typed answers give back exactly the JSON that was sent.
        let typed = parsed.typed_answers(&d);
        prop_assert_eq!(typed.len(), r.answers.len());
        for (id, a) in &typed.0 {
            prop_assert_eq!(Some(&a.to_value()), r.answers.get(id));
        }
        // An answer to a question that was not shown is refused, at its path.
        let shown = d.shown(&typed);
        let hidden = d.questions.iter().zip(&shown).find(|(_, s)| !**s).map(|(q, _)| q);
        if let Some(q) = hidden
            && let Some(a) = build_answer(q, &(true, 1, "x".into()))
        {
            let mut more = r.clone();
            more.answers.insert(q.id.clone(), a.to_value());
            let problems = more.validate_against(&d).unwrap_err();
            let at = format!("$.answers.{}", q.id);
            prop_assert!(problems.iter().any(|p| p.path == at), "{} not reported: {}", at, problems);
        }
    }

    #[test]
    fn junk_text_never_panics(text in "\\PC{0,200}") {
        let _ = SurveyDefinition::from_json(&text);
        let _ = Response::from_json(&text);
    }

    #[test]
    fn junk_json_never_panics(doc in arbitrary_json(), seeds in prop::collection::vec(any::<QuestionSeed>(), 1..6)) {
        let _ = SurveyDefinition::from_json(&doc.to_string());
        if let Ok(r) = Response::from_json(&doc.to_string()) {
            let _ = r.validate_against(&build_definition(&seeds));
        }
    }

    #[test]
    fn junk_answers_never_panic(answers in prop::collection::btree_map("q[0-9]", arbitrary_json(), 0..8), seeds in prop::collection::vec(any::<QuestionSeed>(), 1..10)) {
        let d = build_definition(&seeds);
        let mut r = build_response(&d, &[(false, 0, String::new())], false);
        r.answers = answers.into_iter().map(|(k, v)| (k, Json::parse(&v.to_string()).unwrap())).collect();
        let _ = r.validate_against(&d);
        let typed = r.typed_answers(&d);
        prop_assert_eq!(d.shown(&typed).len(), d.questions.len());
        let _ = d.thank_you_for(&typed, "en", &|n| n.to_string());
        for q in &d.questions {
            let _ = sayso_schema::pipe(&d, d.text(&q.title, "en"), &typed, "en", &|n| n.to_string());
        }
    }
}
