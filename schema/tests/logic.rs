//! Survey flow: conditions, which questions are shown, skip rules, piping and thank-you
//! variants; the mistakes a definition can make with them, each at its path; and responses
//! judged by what the visitor was shown.

use sayso_schema::{
    Answer, Choice, ContactAnswer, DefinitionAnswer, Layout, Response, SurveyDefinition,
    TypedAnswers, pipe,
};
use serde_json::{Value, json};

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// The clinic survey: NPS; detractors (<= 6) are asked for consent and contact; promoters
/// (>= 9) skip to the end after the reason.
fn clinic() -> SurveyDefinition {
    SurveyDefinition::from_json(&fixture("branching.json")).unwrap()
}

fn clinic_json() -> Value {
    serde_json::from_str(&fixture("branching.json")).unwrap()
}

fn every_kind() -> SurveyDefinition {
    SurveyDefinition::from_json(&fixture("every-kind.json")).unwrap()
}

/// Answers by question id, as a test gives them.
type Given = Vec<(&'static str, Answer)>;

fn answers(pairs: &[(&'static str, Answer)]) -> TypedAnswers<'static> {
    TypedAnswers(pairs.to_vec())
}

fn score(n: u8) -> Answer {
    Answer::Score(n)
}

fn choice(id: &str) -> Answer {
    Answer::Choice(Choice::Option(id.into()))
}

fn choices(ids: &[&str]) -> Answer {
    Answer::Choices(
        ids.iter()
            .map(|id| Choice::Option(id.to_string()))
            .collect(),
    )
}

fn text(t: &str) -> Answer {
    Answer::Text(t.into())
}

fn email() -> Answer {
    Answer::Contact(ContactAnswer::Email("ana@example.org".into()))
}

/// Ids of the questions of `d` shown for `a`, in order.
fn shown_ids<'d>(d: &'d SurveyDefinition, a: &TypedAnswers) -> Vec<&'d str> {
    d.questions
        .iter()
        .zip(d.shown(a))
        .filter(|(_, shown)| *shown)
        .map(|(q, _)| q.id.as_str())
        .collect()
}

#[test]
fn the_clinic_fixture_reads_writes_and_reads_back() {
    let d = clinic();
    assert_eq!(d.display.layout, Layout::Steps);
    assert_eq!(d.logic.len(), 1);
    assert_eq!(d.thank_you.variants.len(), 3);
    assert_eq!(
        d.questions[3]
            .show_if
            .as_ref()
            .unwrap()
            .to_json()
            .to_string(),
        r#"{"question":"nps","at_most":8}"#
    );
    let again = SurveyDefinition::from_json(&d.to_json().to_string()).unwrap();
    assert_eq!(again, d);
    // A survey without flow is written as before: stored definitions keep their exact text.
    let plain = every_kind().to_json();
    for key in ["logic", "display"] {
        assert!(
            plain.get(key).is_none(),
            "{key} written for a survey without it"
        );
    }
    assert!(
        plain.get("questions").unwrap().as_array().unwrap()[0]
            .get("show_if")
            .is_none()
    );
}

#[test]
fn shown_follows_conditions_skips_and_consent() {
    let d = clinic();
    let cases: Vec<(&str, Given, Vec<&str>)> = vec![
        (
            "nothing answered: conditions on nps are false",
            vec![],
            vec!["nps", "reason", "visit", "ease"],
        ),
        (
            "a promoter skips to the end after the reason",
            vec![("nps", score(10))],
            vec!["nps", "reason"],
        ),
        (
            "9 is a promoter too",
            vec![("nps", score(9)), ("reason", text("Kind nurses"))],
            vec!["nps", "reason"],
        ),
        (
            "a passive is asked what to improve",
            vec![("nps", score(8))],
            vec!["nps", "reason", "visit", "improve", "ease"],
        ),
        (
            "billing chosen: its follow-up is shown",
            vec![
                ("nps", score(7)),
                ("improve", choices(&["waiting", "billing"])),
            ],
            vec!["nps", "reason", "visit", "improve", "billing_issue", "ease"],
        ),
        (
            "an 'other' text saying billing is not the billing option",
            vec![
                ("nps", score(7)),
                (
                    "improve",
                    Answer::Choices(vec![Choice::Other("billing".into())]),
                ),
            ],
            vec!["nps", "reason", "visit", "improve", "ease"],
        ),
        (
            "6 is a detractor: asked for consent, not yet for contact",
            vec![("nps", score(6))],
            vec!["nps", "reason", "visit", "improve", "may_contact", "ease"],
        ),
        (
            "a detractor who consents is asked how to reach them",
            vec![("nps", score(0)), ("may_contact", Answer::Consent(true))],
            vec![
                "nps",
                "reason",
                "visit",
                "improve",
                "may_contact",
                "contact",
                "ease",
            ],
        ),
        (
            "an unticked consent hides the contact question",
            vec![("nps", score(2)), ("may_contact", Answer::Consent(false))],
            vec!["nps", "reason", "visit", "improve", "may_contact", "ease"],
        ),
        (
            "answers left behind by a changed score neither show nor count",
            vec![
                ("nps", score(10)),
                ("improve", choices(&["billing"])),
                ("may_contact", Answer::Consent(true)),
            ],
            vec!["nps", "reason"],
        ),
        (
            "consent given, then the score raised: contact hidden with its consent",
            vec![("nps", score(8)), ("may_contact", Answer::Consent(true))],
            vec!["nps", "reason", "visit", "improve", "ease"],
        ),
        (
            "an empty selection is no answer",
            vec![("nps", score(5)), ("improve", choices(&[]))],
            vec!["nps", "reason", "visit", "improve", "may_contact", "ease"],
        ),
    ];
    for (name, given, expected) in cases {
        assert_eq!(shown_ids(&d, &TypedAnswers(given)), expected, "{name}");
    }
}

#[test]
fn conditions_of_every_form_and_kind() {
    // Each condition is the `show_if` of a question added after every-kind's eleven, so that it
    // is read from JSON, validated and evaluated as a site owner's would be.
    let cases: Vec<(Value, Given, bool)> = vec![
        (
            json!({"question": "nps", "at_least": 9}),
            vec![("nps", score(9))],
            true,
        ),
        (
            json!({"question": "nps", "at_least": 9}),
            vec![("nps", score(8))],
            false,
        ),
        (json!({"question": "nps", "at_least": 0}), vec![], false),
        (
            json!({"question": "nps", "at_most": 6}),
            vec![("nps", score(6))],
            true,
        ),
        (
            json!({"question": "nps", "at_most": 6}),
            vec![("nps", score(7))],
            false,
        ),
        (
            json!({"question": "nps", "equals": 0}),
            vec![("nps", score(0))],
            true,
        ),
        (
            json!({"question": "nps", "not_equals": 10}),
            vec![("nps", score(3))],
            true,
        ),
        (
            json!({"question": "nps", "not_equals": 10}),
            vec![("nps", score(10))],
            false,
        ),
        (json!({"question": "nps", "not_equals": 10}), vec![], false),
        (
            json!({"not": {"question": "nps", "equals": 10}}),
            vec![],
            true,
        ),
        (
            json!({"question": "nps", "one_of": [9, 10]}),
            vec![("nps", score(10))],
            true,
        ),
        (
            json!({"question": "nps", "one_of": [9, 10]}),
            vec![("nps", score(8))],
            false,
        ),
        (
            json!({"question": "csat", "at_least": 4}),
            vec![("csat", score(4))],
            true,
        ),
        (
            json!({"question": "rating", "at_most": 2}),
            vec![("rating", score(3))],
            false,
        ),
        (
            json!({"question": "channel", "equals": "phone"}),
            vec![("channel", choice("phone"))],
            true,
        ),
        (
            json!({"question": "channel", "equals": "phone"}),
            vec![("channel", Answer::Choice(Choice::Other("phone".into())))],
            false,
        ),
        (
            json!({"question": "channel", "one_of": ["phone", "chat"]}),
            vec![("channel", choice("chat"))],
            true,
        ),
        (
            json!({"question": "channel", "not_equals": "phone"}),
            vec![("channel", choice("chat"))],
            true,
        ),
        (
            json!({"question": "topics", "includes": "billing"}),
            vec![("topics", choices(&["insulin", "billing"]))],
            true,
        ),
        (
            json!({"question": "topics", "includes": "billing"}),
            vec![("topics", choices(&["insulin"]))],
            false,
        ),
        (
            json!({"question": "topics", "includes": "billing"}),
            vec![("topics", choices(&[]))],
            false,
        ),
        (
            json!({"question": "comment", "equals": "yes"}),
            vec![("comment", text("  yes "))],
            true,
        ),
        (
            json!({"question": "comment", "equals": "yes"}),
            vec![("comment", text("Yes"))],
            false,
        ),
        (
            json!({"question": "comment", "answered": true}),
            vec![("comment", text("x"))],
            true,
        ),
        (
            json!({"question": "comment", "answered": true}),
            vec![("comment", text("   "))],
            false,
        ),
        (
            json!({"question": "comment", "answered": false}),
            vec![("comment", text("   "))],
            true,
        ),
        (
            json!({"question": "comment", "answered": false}),
            vec![],
            true,
        ),
        (
            json!({"question": "engagement", "answered": true}),
            vec![(
                "engagement",
                Answer::Definition(DefinitionAnswer {
                    text: "Being heard".into(),
                    attribution: None,
                    publish: false,
                }),
            )],
            true,
        ),
        (
            json!({"question": "agreement", "answered": true}),
            vec![("agreement", Answer::Likert(vec![("clear".into(), 4)]))],
            true,
        ),
        (
            json!({"question": "may_contact", "equals": true}),
            vec![("may_contact", Answer::Consent(true))],
            true,
        ),
        (
            json!({"question": "may_contact", "equals": true}),
            vec![("may_contact", Answer::Consent(false))],
            false,
        ),
        (
            json!({"question": "contact", "answered": true}),
            vec![("may_contact", Answer::Consent(true)), ("contact", email())],
            true,
        ),
        (
            json!({"question": "contact", "answered": true}),
            vec![("contact", email())],
            false,
        ),
        (
            json!({"all": [{"question": "nps", "at_least": 7}, {"question": "topics", "includes": "billing"}]}),
            vec![("nps", score(7)), ("topics", choices(&["billing"]))],
            true,
        ),
        (
            json!({"all": [{"question": "nps", "at_least": 7}, {"question": "topics", "includes": "billing"}]}),
            vec![("nps", score(7))],
            false,
        ),
        (
            json!({"any": [{"question": "nps", "at_least": 9}, {"question": "csat", "at_most": 2}]}),
            vec![("csat", score(1))],
            true,
        ),
        (
            json!({"any": [{"question": "nps", "at_least": 9}, {"question": "csat", "at_most": 2}]}),
            vec![("nps", score(8)), ("csat", score(3))],
            false,
        ),
        (
            json!({"not": {"any": [{"question": "nps", "answered": true}, {"question": "csat", "answered": true}]}}),
            vec![],
            true,
        ),
    ];
    let base: Value = serde_json::from_str(&fixture("every-kind.json")).unwrap();
    for (condition, given, expected) in cases {
        let mut doc = base.clone();
        doc["questions"].as_array_mut().unwrap().push(json!({
            "id": "probe", "kind": "text", "title": "Probe", "show_if": condition
        }));
        let d = SurveyDefinition::from_json(&doc.to_string())
            .unwrap_or_else(|e| panic!("{condition}: {e}"));
        let shown = d.shown(&answers(&given));
        // `holds` sees the answers given; `shown` only those to questions shown (a contact
        // detail without consent counts as no answer).
        let seen: Vec<_> = given
            .iter()
            .filter(|(id, _)| shown[d.question_index(id).unwrap()])
            .cloned()
            .collect();
        let holds = d.questions[11]
            .show_if
            .as_ref()
            .unwrap()
            .holds(&TypedAnswers(seen));
        assert_eq!(
            (holds, shown[11]),
            (expected, expected),
            "{condition} with {given:?}"
        );
    }
}

/// Every problem path reported for `doc`.
fn problem_paths(doc: &Value) -> Vec<String> {
    match SurveyDefinition::from_json(&doc.to_string()) {
        Ok(_) => vec![],
        Err(p) => p.iter().map(|p| p.path.clone()).collect(),
    }
}

/// (what the case is, how it changes the clinic survey, every path that must be reported)
type Case = (
    &'static str,
    Box<dyn Fn(&mut Value)>,
    &'static [&'static str],
);

#[test]
fn each_flow_mistake_is_reported_at_its_path() {
    let cases: Vec<Case> = vec![
        (
            "show_if refers to a later question (a possible cycle)",
            Box::new(|d| {
                d["questions"][3]["show_if"] = json!({"question": "may_contact", "equals": true})
            }),
            &["$.questions[3].show_if.question"],
        ),
        (
            "show_if refers to its own question",
            Box::new(|d| {
                d["questions"][3]["show_if"] = json!({"question": "improve", "answered": true})
            }),
            &["$.questions[3].show_if.question"],
        ),
        (
            "unknown question",
            Box::new(|d| {
                d["questions"][4]["show_if"] =
                    json!({"question": "improvements", "includes": "billing"})
            }),
            &["$.questions[4].show_if.question"],
        ),
        (
            "unknown question deep in a group",
            Box::new(|d| {
                d["questions"][5]["show_if"] = json!({"all": [
                    {"question": "nps", "at_most": 6},
                    {"not": {"question": "nosuch", "answered": true}}
                ]})
            }),
            &["$.questions[5].show_if.all[1].not.question"],
        ),
        (
            "empty group",
            Box::new(|d| d["questions"][3]["show_if"] = json!({"any": []})),
            &["$.questions[3].show_if.any"],
        ),
        (
            "skip backwards",
            Box::new(|d| d["logic"][0]["skip_to"] = json!("nps")),
            &["$.logic[0].skip_to"],
        ),
        (
            "skip to the rule's own question",
            Box::new(|d| d["logic"][0]["skip_to"] = json!("reason")),
            &["$.logic[0].skip_to"],
        ),
        (
            "a question named end, which skip_to means the end by",
            Box::new(|d| d["questions"][4]["id"] = json!("end")),
            &["$.questions[4].id"],
        ),
        (
            "skip to an unknown question",
            Box::new(|d| d["logic"][0]["skip_to"] = json!("finish")),
            &["$.logic[0].skip_to"],
        ),
        (
            "skip after an unknown question",
            Box::new(|d| d["logic"][0]["after"] = json!("score")),
            &["$.logic[0].after"],
        ),
        (
            "skip condition looks past its question",
            Box::new(|d| d["logic"][0]["if"] = json!({"question": "visit", "equals": "checkup"})),
            &["$.logic[0].if.question"],
        ),
        (
            "skip rule without a condition",
            Box::new(|d| {
                d["logic"][0].as_object_mut().unwrap().remove("if");
            }),
            &["$.logic[0].if"],
        ),
        (
            "at_least beyond the nps scale",
            Box::new(|d| d["questions"][3]["show_if"] = json!({"question": "nps", "at_least": 11})),
            &["$.questions[3].show_if.at_least"],
        ),
        (
            "at_most on a text question",
            Box::new(|d| {
                d["questions"][3]["show_if"] = json!({"question": "reason", "at_most": 3})
            }),
            &["$.questions[3].show_if.at_most"],
        ),
        (
            "includes on a single choice",
            Box::new(|d| {
                d["questions"][4]["show_if"] = json!({"question": "visit", "includes": "checkup"})
            }),
            &["$.questions[4].show_if.includes"],
        ),
        (
            "includes an unknown option",
            Box::new(|d| {
                d["questions"][4]["show_if"] = json!({"question": "improve", "includes": "food"})
            }),
            &["$.questions[4].show_if.includes"],
        ),
        (
            "unknown option in equals",
            Box::new(|d| {
                d["questions"][3]["show_if"] = json!({"question": "visit", "equals": "dentist"})
            }),
            &["$.questions[3].show_if.equals"],
        ),
        (
            "a score written as text",
            Box::new(|d| {
                d["questions"][3]["show_if"] = json!({"question": "nps", "not_equals": "9"})
            }),
            &["$.questions[3].show_if.not_equals"],
        ),
        (
            "one value of one_of is off the scale",
            Box::new(|d| {
                d["questions"][2]["show_if"] = json!({"question": "nps", "one_of": [9, 12]})
            }),
            &["$.questions[2].show_if.one_of[1]"],
        ),
        (
            "equals on a multi_choice",
            Box::new(|d| {
                d["questions"][4]["show_if"] = json!({"question": "improve", "equals": "billing"})
            }),
            &["$.questions[4].show_if.equals"],
        ),
        (
            "an unticked consent can never be equal to anything",
            Box::new(|d| {
                d["questions"][6]["show_if"] = json!({"question": "may_contact", "equals": false})
            }),
            &["$.questions[6].show_if.equals"],
        ),
        (
            "not_equals on a consent never holds",
            Box::new(|d| {
                d["questions"][6]["show_if"] =
                    json!({"question": "may_contact", "not_equals": true})
            }),
            &["$.questions[6].show_if.not_equals"],
        ),
        (
            "equals on a contact question",
            Box::new(|d| {
                d["questions"][7]["show_if"] =
                    json!({"question": "contact", "equals": "ana@example.org"})
            }),
            &["$.questions[7].show_if.equals"],
        ),
        (
            "two tests in a leaf",
            Box::new(|d| {
                d["questions"][3]["show_if"] =
                    json!({"question": "nps", "at_least": 3, "at_most": 6})
            }),
            &["$.questions[3].show_if"],
        ),
        (
            "no test in a leaf",
            Box::new(|d| d["questions"][3]["show_if"] = json!({"question": "nps"})),
            &["$.questions[3].show_if"],
        ),
        (
            "a typo in a test",
            Box::new(|d| d["questions"][3]["show_if"] = json!({"question": "nps", "at_mots": 6})),
            &["$.questions[3].show_if.at_mots", "$.questions[3].show_if"],
        ),
        (
            "a group beside a leaf",
            Box::new(|d| {
                d["questions"][3]["show_if"] =
                    json!({"question": "nps", "not": {"question": "nps", "at_least": 9}})
            }),
            &["$.questions[3].show_if.question"],
        ),
        (
            "a condition written as text",
            Box::new(|d| d["questions"][3]["show_if"] = json!("nps <= 8")),
            &["$.questions[3].show_if"],
        ),
        (
            "every option of a single choice ruled out, with no other answer to give",
            Box::new(|d| {
                d["questions"][2]["allow_other"] = json!(false);
                d["questions"][4]["show_if"] = json!({"all": [
                    {"question": "visit", "not_equals": "checkup"},
                    {"question": "visit", "not_equals": "vaccination"},
                    {"question": "visit", "not_equals": "urgent"}
                ]})
            }),
            &["$.questions[4].show_if"],
        ),
        (
            "an exclusive option together with another",
            Box::new(|d| {
                d["questions"][3]["options"][3]["exclusive"] = json!(true);
                d["questions"][4]["show_if"] = json!({"all": [
                    {"question": "improve", "includes": "waiting"},
                    {"question": "improve", "includes": "staff"}
                ]})
            }),
            &["$.questions[4].show_if"],
        ),
        (
            "more options picked than the question allows",
            Box::new(|d| {
                d["questions"][3]["max"] = json!(1);
                d["questions"][4]["show_if"] = json!({"all": [
                    {"question": "improve", "includes": "waiting"},
                    {"question": "improve", "includes": "billing"}
                ]})
            }),
            &["$.questions[4].show_if"],
        ),
        (
            "a thank-you variant with an impossible test",
            Box::new(|d| {
                d["thank_you"]["variants"][1]["if"] = json!({"question": "nps", "at_least": 11})
            }),
            &["$.thank_you.variants[1].if.at_least"],
        ),
        (
            "a thank-you variant that changes nothing",
            Box::new(|d| {
                d["thank_you"]["variants"][2] = json!({"if": {"question": "nps", "at_most": 6}})
            }),
            &["$.thank_you.variants[2]"],
        ),
        (
            "a thank-you link that is not http",
            Box::new(|d| {
                d["thank_you"]["variants"][0]["link"]["url"] = json!("javascript:alert(1)")
            }),
            &["$.thank_you.variants[0].link.url"],
        ),
        (
            "piping a later question",
            Box::new(|d| {
                d["questions"][1]["title"]["es"] = json!("¿Por qué un {nps}, con {ease}?")
            }),
            &["$.questions[1].title.es"],
        ),
        (
            "piping the question itself",
            Box::new(|d| d["questions"][1]["description"] = json!("Your reason: {reason}")),
            &["$.questions[1].description"],
        ),
        (
            "piping an unknown question",
            Box::new(|d| d["questions"][2]["description"] = json!("About {visits}")),
            &["$.questions[2].description"],
        ),
        (
            "piping a contact question",
            Box::new(|d| d["thank_you"]["message"] = json!("We will write to {contact}.")),
            &["$.thank_you.message"],
        ),
        (
            "bad layout",
            Box::new(|d| d["display"]["layout"] = json!("wizard")),
            &["$.display.layout"],
        ),
        (
            "unknown display field",
            Box::new(|d| d["display"]["mode"] = json!("popup")),
            &["$.display.mode"],
        ),
    ];
    assert!(problem_paths(&clinic_json()).is_empty());
    for (name, change, paths) in cases {
        let mut doc = clinic_json();
        change(&mut doc);
        assert_eq!(problem_paths(&doc), paths.to_vec(), "{name}");
    }
}

#[test]
fn conditions_that_some_accepted_answer_meets_are_kept() {
    type Change = fn(&mut Value);
    let cases: [(&str, Change); 4] = [
        ("an exclusive option on its own", |d| {
            d["questions"][3]["options"][3]["exclusive"] = json!(true);
            d["questions"][4]["show_if"] = json!({"question": "improve", "includes": "staff"});
        }),
        ("within max, and an option not picked", |d| {
            d["questions"][3]["max"] = json!(1);
            d["questions"][4]["show_if"] = json!({"all": [
                {"question": "improve", "includes": "waiting"},
                {"not": {"question": "improve", "includes": "billing"}}
            ]});
        }),
        ("the one option left", |d| {
            d["questions"][2]["allow_other"] = json!(false);
            d["questions"][4]["show_if"] = json!({"all": [
                {"question": "visit", "not_equals": "checkup"},
                {"question": "visit", "not_equals": "vaccination"}
            ]});
        }),
        ("some option other than every one named", |d| {
            d["questions"][4]["show_if"] = json!({"not": {"any": [
                {"question": "improve", "includes": "waiting"},
                {"question": "improve", "includes": "billing"},
                {"question": "improve", "includes": "parking"}
            ]}});
        }),
    ];
    for (name, change) in cases {
        let mut d = clinic_json();
        change(&mut d);
        assert_eq!(problem_paths(&d), Vec::<String>::new(), "{name}");
    }
}

#[test]
fn messages_say_what_to_do() {
    let mut doc = clinic_json();
    doc["questions"][3]["show_if"] = json!({"question": "ease", "at_least": 3});
    doc["logic"][0]["skip_to"] = json!("nps");
    let err = SurveyDefinition::from_json(&doc.to_string()).unwrap_err();
    let messages: Vec<&str> = err.iter().map(|p| p.message.as_str()).collect();
    assert!(messages[0].contains("may only look back"), "{messages:?}");
    assert!(
        messages[1].contains("a skip only goes forward"),
        "{messages:?}"
    );
}

#[test]
fn thank_you_texts_and_variants_may_name_any_question() {
    let mut doc = clinic_json();
    doc["thank_you"]["variants"][0]["if"] = json!({"question": "ease", "at_least": 6});
    doc["thank_you"]["title"] =
        json!({"en": "Thanks for the {ease}", "es": "Gracias por el {ease}"});
    doc["questions"][7]["title"] = json!("After {reason} and {visit}: booking was easy.");
    assert_eq!(problem_paths(&doc), Vec::<String>::new());
}

fn response(answers: Value, partial: bool) -> Response {
    Response::from_json(
        &json!({
            "schema": "sayso.response/v1",
            "id": "0b5f3a4e-8c1d-4f7a-9e2b-6d3c1a0f4e5b",
            "survey": { "id": "clinic-visit", "version": 1 },
            "answers": answers,
            "context": {
                "url": "https://clinic.example/visit", "locale": "en",
                "started_at": "2026-11-24T09:00:00.000Z", "submitted_at": "2026-11-24T09:02:00.000Z"
            },
            "partial": partial
        })
        .to_string(),
    )
    .unwrap()
}

#[test]
fn responses_are_judged_by_what_was_shown() {
    let d = clinic();
    // (what the case is, the answers, whether partial, every path that must be reported)
    let cases: Vec<(&str, Value, bool, &[&str])> = vec![
        (
            "a promoter may leave the skipped required question out",
            json!({"nps": 10, "reason": "Kind nurses"}),
            false,
            &[],
        ),
        (
            "a detractor answers every question shown",
            json!({"nps": 3, "reason": "Long wait", "visit": "urgent", "improve": ["waiting", "billing"],
                   "billing_issue": "Charged twice", "may_contact": true,
                   "contact": {"phone": "+44 20 7946 0958"}, "ease": 2}),
            false,
            &[],
        ),
        (
            "a passive must answer the required question they were shown",
            json!({"nps": 8, "visit": "checkup"}),
            false,
            &["$.answers.ease"],
        ),
        (
            "a promoter cannot answer a skipped question",
            json!({"nps": 9, "reason": "Quick", "ease": 7}),
            false,
            &["$.answers.ease"],
        ),
        (
            "a promoter was not asked what to improve",
            json!({"nps": 10, "improve": ["parking"]}),
            false,
            &["$.answers.improve"],
        ),
        (
            "a passive was not asked for consent",
            json!({"nps": 8, "may_contact": true, "ease": 5}),
            false,
            &["$.answers.may_contact"],
        ),
        (
            "a billing follow-up without billing chosen",
            json!({"nps": 5, "improve": ["staff"], "billing_issue": "?", "ease": 4}),
            false,
            &["$.answers.billing_issue"],
        ),
        (
            "contact details without consent",
            json!({"nps": 2, "contact": {"email": "ana@example.org"}, "ease": 1}),
            false,
            &["$.answers.contact"],
        ),
        (
            "a partial response is judged alike",
            json!({"nps": 10, "visit": "checkup"}),
            true,
            &["$.answers.visit"],
        ),
        (
            "an invalid score is reported once; the flow treats it as unanswered",
            json!({"nps": 11, "ease": 3}),
            false,
            &["$.answers.nps"],
        ),
    ];
    for (name, answers, partial, paths) in cases {
        let r = response(answers, partial);
        let got: Vec<String> = match r.validate_against(&d) {
            Ok(()) => vec![],
            Err(p) => p.iter().map(|p| p.path.clone()).collect(),
        };
        assert_eq!(got, paths.to_vec(), "{name}");
    }
    let err = response(json!({"nps": 10, "improve": ["parking"]}), false)
        .validate_against(&d)
        .unwrap_err();
    assert!(err.0[0].message.contains("not shown"), "{err}");
    let err = response(
        json!({"nps": 2, "contact": {"email": "a@b.co"}, "ease": 1}),
        false,
    )
    .validate_against(&d)
    .unwrap_err();
    assert!(err.0[0].message.contains("needs consent"), "{err}");
}

#[test]
fn pipe_shows_answers_as_the_visitor_reads_them() {
    let d = clinic();
    let title = "You gave us {nps}. What is the main reason?";
    // (what the case is, the text, the answers, the locale, the text shown)
    let cases: Vec<(&str, &str, Given, &str, &str)> = vec![
        (
            "a score",
            title,
            vec![("nps", score(7))],
            "en",
            "You gave us 7. What is the main reason?",
        ),
        ("0 is a score", "{nps}", vec![("nps", score(0))], "en", "0"),
        (
            "unanswered",
            title,
            vec![],
            "en",
            "You gave us . What is the main reason?",
        ),
        (
            "no placeholder",
            "Nothing to fill {",
            vec![("nps", score(7))],
            "en",
            "Nothing to fill {",
        ),
        (
            "not placeholders",
            "{ nps } {NPS} {nope} {nps",
            vec![("nps", score(7))],
            "en",
            "{ nps } {NPS} {nope} {nps",
        ),
        (
            "braces around a placeholder",
            "{{nps}}",
            vec![("nps", score(7))],
            "en",
            "{7}",
        ),
        (
            "an option label",
            "{visit}",
            vec![("visit", choice("vaccination"))],
            "en",
            "A vaccination",
        ),
        (
            "a translated label",
            "{visit}",
            vec![("visit", choice("vaccination"))],
            "es",
            "Una vacuna",
        ),
        (
            "a regional locale",
            "{visit}",
            vec![("visit", choice("vaccination"))],
            "es-MX",
            "Una vacuna",
        ),
        (
            "an untranslated locale falls back",
            "{visit}",
            vec![("visit", choice("vaccination"))],
            "de",
            "A vaccination",
        ),
        (
            "an 'other' answer",
            "{visit}",
            vec![(
                "visit",
                Answer::Choice(Choice::Other(" Blood test ".into())),
            )],
            "en",
            "Blood test",
        ),
        (
            "several options",
            "{improve}",
            vec![
                ("nps", score(5)),
                ("improve", choices(&["waiting", "billing"])),
            ],
            "es",
            "El tiempo de espera, La facturación",
        ),
        (
            "a text",
            "«{reason}»",
            vec![("reason", text("  Kind nurses "))],
            "en",
            "«Kind nurses»",
        ),
        (
            "a consent",
            "[{may_contact}]",
            vec![("nps", score(1)), ("may_contact", Answer::Consent(true))],
            "en",
            "[]",
        ),
        (
            "contact details are never piped",
            "[{contact}]",
            vec![
                ("nps", score(1)),
                ("may_contact", Answer::Consent(true)),
                ("contact", email()),
            ],
            "en",
            "[]",
        ),
        (
            "the answer of a question no longer shown",
            "[{improve}]",
            vec![("nps", score(10)), ("improve", choices(&["waiting"]))],
            "en",
            "[]",
        ),
    ];
    for (name, text, given, locale, expected) in cases {
        assert_eq!(
            pipe(&d, text, &answers(&given), locale, &|n| n.to_string()),
            expected,
            "{name}"
        );
    }
    let every = every_kind();
    let engagement = Answer::Definition(DefinitionAnswer {
        text: "Being heard.".into(),
        attribution: None,
        publish: false,
    });
    let likert = Answer::Likert(vec![("clear".into(), 5)]);
    let given = answers(&[("engagement", engagement), ("agreement", likert)]);
    assert_eq!(
        pipe(&every, "{engagement}|{agreement}", &given, "en", &|n| n
            .to_string()),
        "Being heard.|"
    );
}

#[test]
fn thank_you_fits_the_answers() {
    let d = clinic();
    type Page = (Option<String>, Option<String>, Option<(String, String)>);
    let page = |title: &str, message: &str, link: Option<(&str, &str)>| -> Page {
        (
            Some(title.to_owned()),
            Some(message.to_owned()),
            link.map(|(u, t)| (u.to_owned(), t.to_owned())),
        )
    };
    let review = Some(("https://reviews.example/clinic", "Leave a review"));
    let cases: Vec<(&str, Given, &str, Page)> = vec![
        (
            "a promoter is asked for a review, with their score",
            vec![("nps", score(10))],
            "en",
            page(
                "Thank you, we are glad!",
                "You gave us 10. Would you tell others about your visit?",
                review,
            ),
        ),
        (
            "in Spanish",
            vec![("nps", score(9))],
            "es",
            page(
                "¡Gracias, nos alegra!",
                "Nos dio un 9. ¿Contaría su visita a otros?",
                Some(("https://reviews.example/clinic", "Deje una reseña")),
            ),
        ),
        (
            "a locale the survey lacks falls back to the default",
            vec![("nps", score(9))],
            "fr",
            page(
                "Thank you, we are glad!",
                "You gave us 9. Would you tell others about your visit?",
                review,
            ),
        ),
        (
            "a detractor who consented hears back; the default title stays",
            vec![("nps", score(4)), ("may_contact", Answer::Consent(true))],
            "en",
            page(
                "Thank you!",
                "We are sorry your visit fell short. We will be in touch within two working days.",
                None,
            ),
        ),
        (
            "a detractor who did not consent",
            vec![("nps", score(4))],
            "en",
            page(
                "Thank you!",
                "We are sorry your visit fell short. Thank you for telling us.",
                None,
            ),
        ),
        (
            "a passive gets the default page",
            vec![("nps", score(8)), ("may_contact", Answer::Consent(true))],
            "en",
            page("Thank you!", "Your answers help us improve.", None),
        ),
        (
            "no answers: the default page",
            vec![],
            "es",
            page("¡Gracias!", "Sus respuestas nos ayudan a mejorar.", None),
        ),
    ];
    for (name, given, locale, expected) in cases {
        assert_eq!(
            d.thank_you_for(&answers(&given), locale, &|n| n.to_string()),
            expected,
            "{name}"
        );
    }
    // Without texts the widget shows its built-in title.
    assert_eq!(
        every_kind().thank_you_for(&answers(&[]), "en", &|n| n.to_string()),
        (None, None, None)
    );
}
