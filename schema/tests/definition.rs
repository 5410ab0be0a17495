//! Definition validation: valid fixtures pass; each kind of mistake is reported at its path.

use sayso_schema::{QuestionKind, SurveyDefinition};
use serde_json::{Value, json};

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn demo() -> String {
    std::fs::read_to_string(format!(
        "{}/../surveys/patient-experience.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// Paths of every problem reported for `doc`.
/// (what the case is, how it changes a valid document, the path that must be reported)
type Case = (&'static str, Box<dyn Fn(&mut Value)>, &'static str);

fn problem_paths(doc: &Value) -> Vec<String> {
    match SurveyDefinition::from_json(&doc.to_string()) {
        Ok(_) => vec![],
        Err(p) => p.iter().map(|p| p.path.clone()).collect(),
    }
}

fn every_kind() -> Value {
    serde_json::from_str(&fixture("every-kind.json")).unwrap()
}

#[test]
fn fixtures_are_valid_and_cover_every_kind() {
    let d = SurveyDefinition::from_json(&fixture("every-kind.json")).unwrap();
    let kinds: Vec<&str> = d.questions.iter().map(|q| q.kind.name()).collect();
    assert_eq!(
        kinds,
        [
            "nps",
            "csat",
            "ces",
            "rating",
            "single_choice",
            "multi_choice",
            "text",
            "definition",
            "likert",
            "consent",
            "contact"
        ]
    );
    assert!(matches!(
        d.questions[3].kind,
        QuestionKind::Rating { max: 4, .. }
    ));
    SurveyDefinition::from_json(&demo()).unwrap();
}

/// README's "Examples of each kind", all in one survey: valid, and one of every kind.
#[test]
fn the_readme_examples_of_each_kind_are_valid() {
    let readme =
        std::fs::read_to_string(format!("{}/../README.md", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let (_, after) = readme.split_once("Examples of each kind:").unwrap();
    let block = after
        .split("```json")
        .nth(1)
        .unwrap()
        .split("```")
        .next()
        .unwrap();
    let questions: Vec<Value> = serde_json::Deserializer::from_str(block)
        .into_iter::<Value>()
        .map(Result::unwrap)
        .collect();
    let survey = json!({"id": "readme", "version": 1, "title": "README", "questions": questions});
    let d = SurveyDefinition::from_json(&survey.to_string())
        .unwrap_or_else(|p| panic!("README's examples: {p}"));
    let mut kinds: Vec<&str> = d.questions.iter().map(|q| q.kind.name()).collect();
    kinds.sort_unstable();
    kinds.dedup();
    assert_eq!(kinds.len(), 11, "{kinds:?}");
}

#[test]
fn conditions_that_some_answers_meet_are_accepted() {
    // Each can hold: the check must not refuse them (a refused definition stops the collector).
    let conditions = [
        json!({"question": "comment", "not_equals": "-"}),
        json!({"all": [{"question": "comment", "answered": true}, {"not": {"question": "comment", "one_of": ["a", "b"]}}]}),
        json!({"all": [{"question": "topics", "includes": "insulin"}, {"not": {"question": "topics", "includes": "billing"}}]}),
        json!({"all": [{"question": "nps", "at_least": 3}, {"question": "nps", "at_most": 3}]}),
        json!({"any": [{"question": "channel", "equals": "chat"}, {"question": "engagement", "answered": true}]}),
        json!({"all": [{"question": "may_contact", "equals": true}, {"question": "agreement", "answered": false}]}),
    ];
    for condition in conditions {
        let mut doc = every_kind();
        doc["questions"][10]["show_if"] = condition.clone();
        let paths = problem_paths(&doc);
        assert!(paths.is_empty(), "{condition}: {paths:?}");
    }
}

#[test]
fn serialising_a_definition_gives_it_back() {
    let mut doc = every_kind();
    doc["strings"] =
        json!({"submit": {"en": "Send it", "es": "Enviar ya"}, "chars_left": "{n} left"});
    let d = SurveyDefinition::from_json(&doc.to_string()).unwrap();
    assert_eq!(d.strings.len(), 2);
    let again = SurveyDefinition::from_json(&d.to_json().to_string()).unwrap();
    assert_eq!(d, again);
}

#[test]
fn each_mistake_is_reported_at_its_path() {
    // (what to change in every-kind.json, the path that must be reported)
    let cases: Vec<Case> = vec![
        (
            "bad id",
            Box::new(|d| d["id"] = json!("Not A Slug")),
            "$.id",
        ),
        (
            "version 0",
            Box::new(|d| d["version"] = json!(0)),
            "$.version",
        ),
        (
            "typo in a field",
            Box::new(|d| d["questions"][0]["requird"] = json!(true)),
            "$.questions[0].requird",
        ),
        (
            "unknown kind",
            Box::new(|d| d["questions"][1]["kind"] = json!("slider")),
            "$.questions[1].kind",
        ),
        (
            "duplicate question id",
            Box::new(|d| d["questions"][2]["id"] = json!("nps")),
            "$.questions[2].id",
        ),
        (
            "question id with capitals",
            Box::new(|d| d["questions"][2]["id"] = json!("Ces")),
            "$.questions[2].id",
        ),
        (
            "rating max 11",
            Box::new(|d| d["questions"][3]["max"] = json!(11)),
            "$.questions[3].max",
        ),
        (
            "one option",
            Box::new(|d| d["questions"][4]["options"] = json!([{"id": "a", "label": "A"}])),
            "$.questions[4].options",
        ),
        (
            "duplicate option",
            Box::new(|d| d["questions"][4]["options"][1]["id"] = json!("phone")),
            "$.questions[4].options[1].id",
        ),
        (
            "exclusive in single choice",
            Box::new(|d| d["questions"][4]["options"][0]["exclusive"] = json!(true)),
            "$.questions[4].options",
        ),
        (
            "min above max",
            Box::new(|d| d["questions"][5]["min"] = json!(3)),
            "$.questions[5].min",
        ),
        (
            "text max 0",
            Box::new(|d| d["questions"][6]["max_length"] = json!(0)),
            "$.questions[6].max_length",
        ),
        (
            "empty term",
            Box::new(|d| d["questions"][7]["term"] = json!({"en": " ", "es": "x"})),
            "$.questions[7].term.en",
        ),
        (
            "likert 6 points",
            Box::new(|d| d["questions"][8]["points"] = json!(6)),
            "$.questions[8].points",
        ),
        (
            "link not http",
            Box::new(|d| d["questions"][9]["link"]["url"] = json!("javascript:alert(1)")),
            "$.questions[9].link.url",
        ),
        (
            "contact without consent",
            Box::new(|d| d["questions"][10]["consent_question"] = json!("nps")),
            "$.questions[10].consent_question",
        ),
        (
            "missing default translation",
            Box::new(|d| d["title"] = json!({"es": "Hola"})),
            "$.title",
        ),
        (
            "undeclared locale",
            Box::new(|d| d["title"] = json!({"en": "Hi", "fr": "Salut"})),
            "$.title.fr",
        ),
        (
            "bad origin",
            Box::new(|d| d["allowed_origins"][0] = json!("https://clinic.example/page")),
            "$.allowed_origins[0]",
        ),
        (
            "wrong type",
            Box::new(|d| d["questions"][0]["required"] = json!("yes")),
            "$.questions[0].required",
        ),
        (
            "unknown mode",
            Box::new(|d| d["display"] = json!({"mode": "popup"})),
            "$.display.mode",
        ),
        (
            "event trigger without event",
            Box::new(|d| d["trigger"] = json!({"on": "event"})),
            "$.trigger.event",
        ),
        (
            "click trigger without selector",
            Box::new(|d| d["trigger"] = json!({"on": "click"})),
            "$.trigger.selector",
        ),
        (
            "scroll 0%",
            Box::new(|d| d["trigger"] = json!({"on": "scroll", "scroll_percent": 0})),
            "$.trigger.scroll_percent",
        ),
        (
            "bad targeting locale",
            Box::new(|d| d["targeting"] = json!({"locales": ["English"]})),
            "$.targeting.locales[0]",
        ),
        (
            "sample over 100",
            Box::new(|d| d["targeting"] = json!({"sample_percent": 101})),
            "$.targeting.sample_percent",
        ),
        (
            "unknown device",
            Box::new(|d| d["targeting"] = json!({"devices": ["watch"]})),
            "$.targeting.devices[0]",
        ),
        (
            "colour that could load a URL",
            Box::new(|d| d["theme"] = json!({"accent": "url(https://x.example/a.png)"})),
            "$.theme.accent",
        ),
        (
            "bad font",
            Box::new(|d| d["theme"] = json!({"font": "x; background: red"})),
            "$.theme.font",
        ),
        (
            "bad hidden field",
            Box::new(|d| d["privacy"] = json!({"hidden_fields": ["utm source"]})),
            "$.privacy.hidden_fields[0]",
        ),
        (
            "required contact",
            Box::new(|d| d["questions"][10]["required"] = json!(true)),
            "$.questions[10].required",
        ),
        (
            "no questions",
            Box::new(|d| d["questions"] = json!([])),
            "$.questions",
        ),
        (
            "conditions that cannot hold together",
            Box::new(|d| {
                d["questions"][2]["show_if"] = json!({"all": [
                    {"question": "nps", "at_least": 9},
                    {"any": [{"question": "nps", "at_most": 6}, {"question": "nps", "answered": false}]}
                ]})
            }),
            "$.questions[2].show_if",
        ),
        (
            "a condition that needs an answer and none",
            Box::new(|d| {
                d["questions"][2]["show_if"] = json!({"all": [
                    {"question": "nps", "equals": 3},
                    {"not": {"question": "nps", "answered": true}}
                ]})
            }),
            "$.questions[2].show_if",
        ),
        (
            "a built-in string that does not exist",
            Box::new(|d| d["strings"] = json!({"submitt": "Go"})),
            "$.strings.submitt",
        ),
        (
            "a placeholder the widget does not fill",
            Box::new(|d| d["strings"] = json!({"progress": "{n} / {count}"})),
            "$.strings.progress",
        ),
        (
            "a built-in string in a locale the survey does not have",
            Box::new(|d| d["strings"] = json!({"submit": {"it": "Invia"}})),
            "$.strings.submit.it",
        ),
    ];
    for (name, change, path) in cases {
        let mut doc = every_kind();
        change(&mut doc);
        let paths = problem_paths(&doc);
        assert!(
            paths.iter().any(|p| p == path),
            "{name}: expected a problem at {path}, got {paths:?}"
        );
    }
}

#[test]
fn every_problem_is_reported_at_once() {
    let mut doc = every_kind();
    doc["id"] = json!("");
    doc["questions"][3]["max"] = json!(1);
    doc["questions"][8]["points"] = json!(3);
    assert_eq!(
        problem_paths(&doc),
        ["$.id", "$.questions[3].max", "$.questions[8].points"]
    );
}

#[test]
fn not_json_is_reported_at_the_root() {
    let err = SurveyDefinition::from_json("{ \"id\": ").unwrap_err();
    assert_eq!(err.0[0].path, "$");
    assert!(err.0[0].message.starts_with("not valid JSON"), "{err}");
}
