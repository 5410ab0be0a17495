//! One question of any kind, rendered from its [`QuestionView`] model: a fieldset with its
//! title as legend, its groups of radio buttons or checkboxes, its text fields, and the issue
//! shown when its answer cannot be sent yet. Input goes to the [`SurveySession`]; every rule
//! lives there.

use std::rc::Rc;

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlInputElement, HtmlTextAreaElement};

use crate::dom::{Node, el, toggle_attr};
use crate::form::{FieldView, Group, OptionView, QuestionView};
use crate::i18n::{Strings, fill, number};
use crate::session::{Issue, SurveySession};

/// Build question `view`.
pub fn question(
    view: QuestionView,
    session: RwSignal<SurveySession>,
    strings: &'static Strings,
) -> Element {
    let QuestionView {
        id,
        legend,
        description,
        required,
        groups,
        fields,
        fields_first,
        scale_labels,
        link,
    } = view;
    let q: Rc<str> = id.as_str().into();
    let issue_id = format!("sayso-{id}-issue");
    let description_id = format!("sayso-{id}-description");
    let (low_id, high_id) = (format!("sayso-{id}-low"), format!("sayso-{id}-high"));
    let title_id = format!("sayso-{id}-title");

    let mut title = el("legend", "sayso-question__title")
        .attr("id", &title_id)
        .child(piped(el("span", ""), &legend, q.clone(), session, false));
    if required {
        title = title
            .child(
                el("span", "sayso-required")
                    .attr("aria-hidden", "true")
                    .text(" *"),
            )
            .child(
                el("span", "sayso-visually-hidden").text(&format!(" ({})", strings.required_mark)),
            );
    }
    let fields: Vec<Node> = fields
        .into_iter()
        .map(|f| field(f, q.clone(), [&title_id, &issue_id], session, strings))
        .collect();
    let (before, after) = if fields_first {
        (fields, Vec::new())
    } else {
        (Vec::new(), fields)
    };

    let issue = {
        let q = q.clone();
        el("p", "sayso-issue").attr("id", &issue_id).bind(move |e| {
            let issue = session.with(|s| s.issue(&q));
            toggle_attr(e, "hidden", issue.is_none());
            e.set_text_content(issue.map(|i| issue_text(i, strings)).as_deref());
        })
    };
    let has_description = description.is_some();
    let has_scale_labels = scale_labels.is_some();
    el("fieldset", "sayso-question")
        .attr("id", &format!("sayso-{id}-q"))
        .child(title)
        .maybe_child(description.map(|d| {
            let p = el("p", "sayso-question__description").attr("id", &description_id);
            piped(p, &d, q.clone(), session, true)
        }))
        .children(before)
        .children(groups.into_iter().map(|g| group(g, q.clone(), session)))
        .maybe_child(scale_labels.map(|(low, high)| {
            el("div", "sayso-scale-labels")
                .child(el("span", "").attr("id", &low_id).text(&low))
                .child(el("span", "").attr("id", &high_id).text(&high))
        }))
        .children(after)
        .maybe_child(link.map(|(url, text)| {
            el("a", "sayso-link")
                .attr("href", &url)
                .attr("target", "_blank")
                .attr("rel", "noopener noreferrer")
                .text(&text)
        }))
        .child(issue)
        .bind(move |e| {
            let (visible, invalid) = session.with(|s| (s.on_screen(&q), s.issue(&q).is_some()));
            toggle_attr(e, "hidden", !visible);
            let _ = e
                .class_list()
                .toggle_with_force("sayso-question--invalid", invalid);
            // The ends of a scale are read with the group, not only seen under it.
            let described: Vec<&str> = [
                (has_description, description_id.as_str()),
                (has_scale_labels, low_id.as_str()),
                (has_scale_labels, high_id.as_str()),
                (invalid, issue_id.as_str()),
            ]
            .into_iter()
            .filter_map(|(on, id)| on.then_some(id))
            .collect();
            toggle_attr(e, "aria-describedby", false);
            if !described.is_empty() {
                let _ = e.set_attribute("aria-describedby", &described.join(" "));
            }
        })
        .0
}

/// `node` showing `text`, kept up to date with the answers it pipes in (`{nps}`) when it has
/// any placeholder.
fn piped(
    node: Node,
    text: &str,
    q: Rc<str>,
    session: RwSignal<SurveySession>,
    description: bool,
) -> Node {
    if !text.contains('{') {
        return node.text(text);
    }
    node.bind(move |e| {
        let text = session.with(|s| {
            let question = s.definition().question(&q)?;
            let source = if description {
                question.description.as_ref()?
            } else {
                &question.title
            };
            Some(s.piped(source))
        });
        e.set_text_content(text.as_deref());
    })
}

/// Tell the page (`sayso:answered`) which question was just answered; never the answer.
fn answered(session: RwSignal<SurveySession>, q: &str) {
    let survey = session.with_untracked(|s| s.definition().id.clone());
    crate::api::emit("answered", &crate::api::detail(&survey, &[("question", q)]));
}

/// The words for an issue.
pub fn issue_text(issue: Issue, strings: &Strings) -> String {
    let n = |template: &str, n: u32| fill(template, &[("n", &number(strings.locale, n))]);
    match issue {
        Issue::Required => strings.required.to_owned(),
        Issue::OtherEmpty => strings.other_empty.to_owned(),
        Issue::SelectAtLeast(k) => n(strings.select_at_least, k),
        Issue::SelectAtMost(k) => n(strings.select_at_most, k),
        Issue::InvalidEmail => strings.invalid_email.to_owned(),
        Issue::InvalidPhone => strings.invalid_phone.to_owned(),
        Issue::TooLong(k) => n(strings.too_long, k),
    }
}

/// A group of radio buttons or checkboxes: a scale, the options of a choice, a likert row.
/// Native inputs give arrow-key movement within a radio group and one tab stop for free.
fn group(group: Group, q: Rc<str>, session: RwSignal<SurveySession>) -> Node {
    let Group {
        label,
        multiple,
        name,
        variant,
        options,
    } = group;
    let node = el("div", &format!("sayso-group sayso-group--{variant}"));
    let node = match &label {
        Some(l) => node.attr("role", "radiogroup").attr("aria-label", l).child(
            el("p", "sayso-group__label")
                .attr("aria-hidden", "true")
                .text(l),
        ),
        None => node,
    };
    node.child(
        el("div", "sayso-group__options").children(
            options
                .into_iter()
                .map(|o| option(o, &name, multiple, q.clone(), session)),
        ),
    )
}

/// One radio button or checkbox with its visible text.
fn option(
    option: OptionView,
    name: &str,
    multiple: bool,
    q: Rc<str>,
    session: RwSignal<SurveySession>,
) -> Node {
    let OptionView {
        control,
        text,
        aria_label,
    } = option;
    let control = Rc::new(control);
    let input = {
        let (q, control) = (q.clone(), control.clone());
        el("input", "sayso-option__input")
            .attr("type", if multiple { "checkbox" } else { "radio" })
            .attr("name", name)
            .maybe_attr("aria-label", aria_label.as_deref())
            .on("change", move |ev| {
                let on = ev
                    .target()
                    .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
                    .is_some_and(|i| i.checked());
                session.update(|s| s.toggle(&q, &control, on));
                answered(session, &q);
            })
            // Enter chooses, as Space does: the browser would send the form instead.
            .on("keydown", |ev| {
                if ev
                    .dyn_ref::<web_sys::KeyboardEvent>()
                    .is_some_and(|k| k.key() == "Enter")
                {
                    ev.prevent_default();
                    if let Some(input) = ev
                        .target()
                        .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
                    {
                        input.click();
                    }
                }
            })
    };
    let input_element: HtmlInputElement = input.0.clone().unchecked_into();
    el("label", "sayso-option")
        .child(input)
        .child(
            el("span", "sayso-option__text")
                .maybe_attr("aria-hidden", aria_label.is_some().then_some("true"))
                .text(&text),
        )
        .bind(move |e| {
            let (on, lit) = session.with(|s| (s.is_on(&q, &control), s.is_lit(&q, &control)));
            input_element.set_checked(on);
            let classes = e.class_list();
            let _ = classes.toggle_with_force("sayso-option--on", on);
            let _ = classes.toggle_with_force("sayso-option--lit", lit);
        })
}

/// One text field: a line or an area, with its label (or the question's title, `title_id`, as
/// its name), the characters left, and while the question has an issue (`issue_id`) marked
/// invalid and described by it.
fn field(
    view: FieldView,
    q: Rc<str>,
    [title_id, issue_id]: [&str; 2],
    session: RwSignal<SurveySession>,
    strings: &'static Strings,
) -> Node {
    let FieldView {
        field,
        label,
        long,
        max,
        counter,
        input_type,
        autocomplete,
        placeholder,
        note,
    } = view;
    let input_id = format!("sayso-{q}-{}", field.slug());
    let counter_id = format!("{input_id}-left");
    let note_id = format!("{input_id}-note");
    let described_by: Vec<&str> = [
        (counter, counter_id.as_str()),
        (note.is_some(), note_id.as_str()),
    ]
    .into_iter()
    .filter_map(|(on, id)| on.then_some(id))
    .collect();
    let described_by = described_by.join(" ");
    let issue_id = issue_id.to_owned();
    let input = if long {
        el("textarea", "sayso-input sayso-input--long").attr("rows", "4")
    } else {
        el("input", "sayso-input")
            .attr("type", input_type)
            .attr("autocomplete", autocomplete)
    };
    let input = {
        let q = q.clone();
        input
            .attr("id", &input_id)
            .attr("maxlength", &max.to_string())
            .maybe_attr("placeholder", placeholder.as_deref())
            .maybe_attr("aria-labelledby", label.is_none().then_some(title_id))
            .bind({
                let q = q.clone();
                move |e| {
                    let invalid = session.with(|s| s.issue(&q).is_some_and(|i| i.is_about(field)));
                    toggle_attr(e, "aria-invalid", false);
                    toggle_attr(e, "aria-describedby", false);
                    if invalid {
                        let _ = e.set_attribute("aria-invalid", "true");
                    }
                    let described = [described_by.as_str(), if invalid { &issue_id } else { "" }];
                    let described = described.join(" ");
                    if !described.trim().is_empty() {
                        let _ = e.set_attribute("aria-describedby", described.trim());
                    }
                }
            })
            .on("input", move |ev| {
                let text = ev
                    .target()
                    .map(|t| text_value(t.unchecked_ref()))
                    .unwrap_or_default();
                session.update(|s| s.type_into(&q, field, text));
            })
    };
    // Typing is reported once the visitor leaves the field, not at every key.
    let input = {
        let q = q.clone();
        input.on("change", move |_| answered(session, &q))
    };
    let input_element = input.0.clone();
    let counter_node = counter.then(|| {
        let q = q.clone();
        el("p", "sayso-counter")
            .attr("id", &counter_id)
            .bind(move |e| {
                // In UTF-16 units, as the browser's maxlength counts.
                let used = session.with(|s| s.field_text(&q, field).encode_utf16().count());
                let left = number(strings.locale, (max as usize).saturating_sub(used) as u32);
                e.set_text_content(Some(&fill(strings.chars_left, &[("n", &left)])));
            })
    });
    el("div", "sayso-field")
        .maybe_child(label.map(|l| {
            el("label", "sayso-field__label")
                .attr("for", &input_id)
                .text(&l)
        }))
        .child(input)
        .maybe_child(counter_node)
        .maybe_child(note.map(|n| el("p", "sayso-counter").attr("id", &note_id).text(n)))
        .bind(move |e| {
            let (shown, text) =
                session.with(|s| (s.field_shown(&q, field), s.field_text(&q, field)));
            toggle_attr(e, "hidden", !shown);
            // Only when it differs: rewriting the value moves the caret.
            if text_value(&input_element) != text {
                set_text_value(&input_element, &text);
            }
        })
}

fn text_value(e: &Element) -> String {
    match e.dyn_ref::<HtmlTextAreaElement>() {
        Some(area) => area.value(),
        None => e.unchecked_ref::<HtmlInputElement>().value(),
    }
}

fn set_text_value(e: &Element, value: &str) {
    match e.dyn_ref::<HtmlTextAreaElement>() {
        Some(area) => area.set_value(value),
        None => e.unchecked_ref::<HtmlInputElement>().set_value(value),
    }
}
