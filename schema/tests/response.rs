//! Response validation against its definition: a table of cases, each failing at its path.

use sayso_schema::{Answer, Choice, Response, SurveyDefinition};
use serde_json::{Value, json};

fn every_kind() -> SurveyDefinition {
    let text = std::fs::read_to_string(format!(
        "{}/tests/fixtures/every-kind.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    SurveyDefinition::from_json(&text).unwrap()
}

fn valid() -> Value {
    json!({
        "schema": "sayso.response/v1",
        "id": "0b5f3a4e-8c1d-4f7a-9e2b-6d3c1a0f4e5b",
        "survey": { "id": "every-kind", "version": 3 },
        "answers": {
            "nps": 9, "csat": 4, "ces": 2, "rating": 4,
            "channel": { "other": "A letter" },
            "topics": ["billing", { "other": "Parking" }],
            "comment": "Quick and kind.",
            "engagement": { "text": "Taking part in decisions about my care.", "attribution": "Ana, patient", "publish": true },
            "agreement": { "clear": 5, "kind": 4 },
            "may_contact": true,
            "contact": { "email": "ana@example.org" }
        },
        "context": {
            "url": "https://clinic.example/support", "referrer": "", "locale": "en",
            "started_at": "2026-11-24T09:00:00.000Z", "submitted_at": "2026-11-24T09:02:10.500Z",
            "attributes": { "plan": "basic", "visits": 3, "member": true }
        },
        "partial": false
    })
}

/// (what the case is, how it changes a valid document, the path that must be reported)
type Case = (&'static str, Box<dyn Fn(&mut Value)>, &'static str);

fn problem_paths(doc: &Value) -> Vec<String> {
    let result =
        Response::from_json(&doc.to_string()).and_then(|r| r.validate_against(&every_kind()));
    match result {
        Ok(()) => vec![],
        Err(p) => p.iter().map(|p| p.path.clone()).collect(),
    }
}

#[test]
fn a_complete_response_is_valid_and_typed() {
    let r = Response::from_json(&valid().to_string()).unwrap();
    let d = every_kind();
    r.validate_against(&d).unwrap();
    let typed = r.typed_answers(&d);
    assert_eq!(typed.get("nps"), Some(&Answer::Score(9)));
    assert_eq!(
        *typed.get("topics").unwrap(),
        Answer::Choices(vec![
            Choice::Option("billing".into()),
            Choice::Other("Parking".into())
        ])
    );
    assert_eq!(typed.len(), 11);
}

#[test]
fn each_mistake_is_reported_at_its_path() {
    let cases: Vec<Case> = vec![
        (
            "wrong schema",
            Box::new(|r| r["schema"] = json!("sayso.response/v2")),
            "$.schema",
        ),
        ("bad id", Box::new(|r| r["id"] = json!("1234")), "$.id"),
        (
            "other survey",
            Box::new(|r| r["survey"]["id"] = json!("other")),
            "$.survey.id",
        ),
        (
            "other version",
            Box::new(|r| r["survey"]["version"] = json!(2)),
            "$.survey.version",
        ),
        (
            "unknown question",
            Box::new(|r| r["answers"]["shoe_size"] = json!(42)),
            "$.answers.shoe_size",
        ),
        (
            "nps 11",
            Box::new(|r| r["answers"]["nps"] = json!(11)),
            "$.answers.nps",
        ),
        (
            "nps as text",
            Box::new(|r| r["answers"]["nps"] = json!("9")),
            "$.answers.nps",
        ),
        (
            "csat 0",
            Box::new(|r| r["answers"]["csat"] = json!(0)),
            "$.answers.csat",
        ),
        (
            "ces 8",
            Box::new(|r| r["answers"]["ces"] = json!(8)),
            "$.answers.ces",
        ),
        (
            "rating above max",
            Box::new(|r| r["answers"]["rating"] = json!(5)),
            "$.answers.rating",
        ),
        (
            "unknown option",
            Box::new(|r| r["answers"]["channel"] = json!("fax")),
            "$.answers.channel",
        ),
        (
            "empty other",
            Box::new(|r| r["answers"]["channel"] = json!({"other": " "})),
            "$.answers.channel.other",
        ),
        (
            "too many choices",
            Box::new(|r| r["answers"]["topics"] = json!(["billing", "insulin", "devices"])),
            "$.answers.topics",
        ),
        (
            "exclusive combined",
            Box::new(|r| r["answers"]["topics"] = json!(["none", "billing"])),
            "$.answers.topics",
        ),
        (
            "duplicate choice",
            Box::new(|r| r["answers"]["topics"] = json!(["billing", "billing"])),
            "$.answers.topics",
        ),
        (
            "text too long",
            Box::new(|r| r["answers"]["comment"] = json!("x".repeat(81))),
            "$.answers.comment",
        ),
        (
            "definition without text",
            Box::new(|r| r["answers"]["engagement"] = json!({"publish": true})),
            "$.answers.engagement.text",
        ),
        (
            "definition extra field",
            Box::new(|r| r["answers"]["engagement"]["score"] = json!(1)),
            "$.answers.engagement.score",
        ),
        (
            "likert unknown row",
            Box::new(|r| r["answers"]["agreement"]["fast"] = json!(3)),
            "$.answers.agreement.fast",
        ),
        (
            "likert point 6",
            Box::new(|r| r["answers"]["agreement"]["clear"] = json!(6)),
            "$.answers.agreement.clear",
        ),
        (
            "bad email",
            Box::new(|r| r["answers"]["contact"] = json!({"email": "ana@"})),
            "$.answers.contact.email",
        ),
        (
            "contact without consent",
            Box::new(|r| r["answers"]["may_contact"] = json!(false)),
            "$.answers.contact",
        ),
        (
            "consent not boolean",
            Box::new(|r| r["answers"]["may_contact"] = json!("yes")),
            "$.answers.may_contact",
        ),
        (
            "required missing",
            Box::new(|r| {
                r["answers"].as_object_mut().unwrap().remove("nps");
            }),
            "$.answers.nps",
        ),
        (
            "bad url",
            Box::new(|r| r["context"]["url"] = json!("javascript:alert(1)")),
            "$.context.url",
        ),
        (
            "bad locale",
            Box::new(|r| r["context"]["locale"] = json!("English")),
            "$.context.locale",
        ),
        (
            "bad time",
            Box::new(|r| r["context"]["started_at"] = json!("yesterday")),
            "$.context.started_at",
        ),
        (
            "nested attribute",
            Box::new(|r| r["context"]["attributes"]["plan"] = json!({"a": 1})),
            "$.context.attributes.plan",
        ),
        (
            "unknown top-level field",
            Box::new(|r| r["ip"] = json!("10.0.0.1")),
            "$.ip",
        ),
        (
            "unknown context field",
            Box::new(|r| r["context"]["user_agent"] = json!("x")),
            "$.context.user_agent",
        ),
    ];
    for (name, change, path) in cases {
        let mut doc = valid();
        change(&mut doc);
        let paths = problem_paths(&doc);
        assert!(
            paths.iter().any(|p| p == path),
            "{name}: expected a problem at {path}, got {paths:?}"
        );
    }
}

#[test]
fn a_partial_response_may_miss_required_answers_but_not_be_empty() {
    let mut doc = valid();
    doc["partial"] = json!(true);
    doc["answers"] = json!({ "comment": "Left early" });
    assert_eq!(problem_paths(&doc), Vec::<String>::new());
    doc["answers"] = json!({});
    assert_eq!(problem_paths(&doc), ["$.answers"]);
}

#[test]
fn a_blank_required_answer_counts_as_missing() {
    let mut doc = valid();
    doc["answers"]["nps"] = json!(0);
    assert_eq!(
        problem_paths(&doc),
        Vec::<String>::new(),
        "0 is an answer, not a blank"
    );
    let d: SurveyDefinition = {
        let mut v: Value = serde_json::from_str(&every_kind().to_json().to_string()).unwrap();
        v["questions"][6]["required"] = json!(true);
        SurveyDefinition::from_json(&v.to_string()).unwrap()
    };
    doc["answers"]["comment"] = json!("   ");
    let err = Response::from_json(&doc.to_string())
        .unwrap()
        .validate_against(&d)
        .unwrap_err();
    assert_eq!(err.0[0].path, "$.answers.comment");
}
