//! Component tests in a real browser: `cargo xtask test --only browser` (wasm-bindgen-test in
//! headless Chromium through ChromeDriver). Each test mounts the widget the way the loader does,
//! into a shadow root on a host element, then acts on the DOM and checks what a visitor gets.
#![cfg(target_arch = "wasm32")]

use sayso::config::{SurveySource, WidgetConfig};
use sayso_schema::SurveyDefinition;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlInputElement, HtmlTextAreaElement, ShadowRoot};

wasm_bindgen_test_configure!(run_in_browser);

const EVERY_KIND: &str = include_str!("../schema/tests/fixtures/every-kind.json");
const DEMO: &str = include_str!("../surveys/patient-experience.json");

/// Mount `definition` into a fresh element of the test page; return the widget's shadow root.
async fn mount(definition: &str) -> ShadowRoot {
    let document = web_sys::window().unwrap().document().unwrap();
    let parent = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&parent).unwrap();
    let config = WidgetConfig {
        endpoint: "http://127.0.0.1:9/v1".into(),
        survey: SurveySource::Inline("#unused".into()),
        locale: Some("en".into()),
        target: None,
        overrides: Default::default(),
    };
    let definition = SurveyDefinition::from_json(definition).unwrap();
    let count = definition.questions.len() as u32;
    let responses = "http://127.0.0.1:9/v1/responses".to_owned();
    sayso::mount(definition, &config, &parent, responses).unwrap();
    let root = parent.first_element_child().unwrap().shadow_root().unwrap();
    // Questions are built one per task: wait, at most 300 frames, until all are there.
    for _ in 0..300 {
        if root
            .query_selector_all("fieldset.sayso-question")
            .unwrap()
            .length()
            == count
        {
            break;
        }
        next_frame().await;
    }
    leptos::task::tick().await;
    root
}

/// Resolve at the next animation frame: a bounded wait-until loop polls once per frame.
async fn next_frame() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = web_sys::window().unwrap().request_animation_frame(&resolve);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

fn all(root: &ShadowRoot, selector: &str) -> Vec<Element> {
    let list = root.query_selector_all(selector).unwrap();
    (0..list.length())
        .map(|i| list.item(i).unwrap().dyn_into().unwrap())
        .collect()
}

fn one<T: JsCast>(root: &ShadowRoot, selector: &str) -> T {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no {selector}"))
        .dyn_into()
        .unwrap()
}

fn hidden(e: &Element) -> bool {
    web_sys::window()
        .unwrap()
        .get_computed_style(e)
        .unwrap()
        .unwrap()
        .get_property_value("display")
        .unwrap()
        == "none"
}

/// Type `text` the way a browser does: set the value, fire `input`.
fn type_into(field: &HtmlTextAreaElement, text: &str) {
    field.set_value(text);
    field
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
}

#[wasm_bindgen_test]
async fn renders_into_a_shadow_root_with_its_own_stylesheet() {
    let root = mount(DEMO).await;
    assert_eq!(root.mode(), web_sys::ShadowRootMode::Open);
    assert_eq!(root.adopted_style_sheets().length(), 1);
    assert_eq!(all(&root, "style").len(), 0, "no inline <style>");
    let document = web_sys::window().unwrap().document().unwrap();
    assert_eq!(
        document.adopted_style_sheets().length(),
        0,
        "nothing added to the host document"
    );
    let title: HtmlElement = one(&root, "#sayso-title");
    assert_eq!(title.inner_text(), "How did our support centre do?");
}

#[wasm_bindgen_test]
async fn every_question_kind_renders_with_its_controls() {
    let root = mount(EVERY_KIND).await;
    let questions = all(&root, "fieldset.sayso-question");
    assert_eq!(questions.len(), 11);
    assert_eq!(all(&root, "#sayso-nps-q input[type=radio]").len(), 11);
    assert_eq!(all(&root, "#sayso-csat-q input[type=radio]").len(), 5);
    assert_eq!(all(&root, "#sayso-ces-q input[type=radio]").len(), 7);
    assert_eq!(all(&root, "#sayso-rating-q input[type=radio]").len(), 4);
    assert_eq!(
        all(&root, "#sayso-channel-q input[type=radio]").len(),
        3,
        "two options and Other"
    );
    assert_eq!(
        all(&root, "#sayso-topics-q input[type=checkbox]").len(),
        5,
        "four options and Other"
    );
    assert_eq!(
        all(&root, "#sayso-agreement-q [role=radiogroup]").len(),
        2,
        "one group per likert row"
    );
    assert_eq!(
        all(&root, "#sayso-may_contact-q input[type=checkbox]").len(),
        1
    );
    // The contact question waits for consent.
    let contact: Element = one(&root, "#sayso-contact-q");
    assert!(hidden(&contact));
    one::<HtmlElement>(&root, "#sayso-may_contact-q input").click();
    leptos::task::tick().await;
    assert!(!hidden(&contact));
}

#[wasm_bindgen_test]
async fn scale_points_have_names_and_show_the_choice() {
    let root = mount(DEMO).await;
    let eight: HtmlInputElement = one(&root, "input[aria-label='8 out of 10']");
    eight.click();
    leptos::task::tick().await;
    assert!(eight.checked());
    assert!(
        eight
            .parent_element()
            .unwrap()
            .class_list()
            .contains("sayso-option--on")
    );
    // Stars light up to the one picked.
    one::<HtmlElement>(&root, "input[aria-label='3 out of 5']").click();
    leptos::task::tick().await;
    let lit = all(&root, "#sayso-response_time-q .sayso-option--lit").len();
    assert_eq!(lit, 3);
}

#[wasm_bindgen_test]
async fn required_questions_are_flagged_until_answered() {
    let root = mount(DEMO).await;
    let issue: Element = one(&root, "#sayso-nps-issue");
    assert!(hidden(&issue));
    one::<HtmlElement>(&root, "button[type=submit]").click();
    leptos::task::tick().await;
    assert!(!hidden(&issue));
    assert_eq!(
        issue.text_content().unwrap(),
        "Please answer this question."
    );
    let fieldset: Element = one(&root, "#sayso-nps-q");
    assert!(
        fieldset
            .get_attribute("aria-describedby")
            .unwrap()
            .contains("sayso-nps-issue")
    );
    one::<HtmlElement>(&root, "input[aria-label='0 out of 10']").click();
    leptos::task::tick().await;
    assert!(hidden(&issue), "fixing the answer clears the message");
}

#[wasm_bindgen_test]
async fn text_fields_count_the_characters_left() {
    let root = mount(DEMO).await;
    let definition: HtmlTextAreaElement = one(&root, "#sayso-engagement-definition");
    assert_eq!(definition.max_length(), 1000);
    type_into(&definition, "Being heard");
    leptos::task::tick().await;
    let counter: Element = one(&root, "#sayso-engagement-definition-left");
    assert_eq!(counter.text_content().unwrap(), "Characters left: 989");
}

#[wasm_bindgen_test]
async fn other_reveals_its_text_field() {
    let root = mount(EVERY_KIND).await;
    let field: Element = one(&root, "#sayso-channel-other");
    assert!(hidden(&field.parent_element().unwrap()));
    let other: HtmlInputElement = all(&root, "#sayso-channel-q input[type=radio]")
        .pop()
        .unwrap()
        .dyn_into()
        .unwrap();
    other.click();
    leptos::task::tick().await;
    assert!(!hidden(&field.parent_element().unwrap()));
}

#[wasm_bindgen_test]
async fn element_ids_are_unique_whatever_the_question_ids() {
    // A question `other` beside `q`, whose "other" text field is `q`'s part: a question's own id
    // and its parts' ids must not meet.
    let root = mount(
        r#"{"id":"s","version":1,"title":"t","questions":[
            {"id":"other","kind":"text","title":"Anything?"},
            {"id":"q","kind":"single_choice","title":"Where?","allow_other":true,
             "options":[{"id":"a","label":"A"},{"id":"b","label":"B"}]}]}"#,
    )
    .await;
    let ids: Vec<String> = all(&root, "[id]").iter().map(Element::id).collect();
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "{ids:?}");
    // And each label names the control it is for.
    for label in all(&root, "label[for]") {
        let target = root.get_element_by_id(&label.get_attribute("for").unwrap());
        assert!(
            target.is_some_and(|t| t.tag_name() != "FIELDSET"),
            "{}",
            label.outer_html()
        );
    }
}

#[wasm_bindgen_test]
fn numbers_match_intl() {
    let regional = [
        "ar-SA", "ar-EG", "pt-PT", "de-CH", "es-MX", "fr-CA", "en-IN",
    ];
    let languages = ["en", "es", "fr", "de", "pt", "ar"];
    let tags = languages
        .into_iter()
        .chain(sayso::i18n::SAME_AS_LANGUAGE)
        .chain(regional);
    for locale in tags {
        let locales = js_sys::Array::of1(&locale.into());
        let format = js_sys::Intl::NumberFormat::new(&locales, &js_sys::Object::new()).format();
        for n in [0u32, 7, 10, 999, 1000, 1234, 10_000, 12_345, 1_234_567] {
            let intl = format
                .call1(&wasm_bindgen::JsValue::NULL, &n.into())
                .unwrap()
                .as_string()
                .unwrap();
            assert_eq!(sayso::i18n::number(locale, n), intl, "{locale} {n}");
        }
    }
}
