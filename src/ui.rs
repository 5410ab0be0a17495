//! The survey's components. They render the models of [`crate::form`] and forward input to the
//! [`SurveySession`]; every rule lives there. Any question, of any kind, is rendered by the same
//! three components, which keeps the wasm small.

use std::sync::Arc;

use leptos::either::Either;
use leptos::ev::SubmitEvent;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use crate::browser::{console_error, now_rfc3339, random_uuid, strip_query, window};
use crate::delivery;
use crate::form::{self, FieldView, Group, OptionView, QuestionView};
use crate::i18n::{Strings, fill};
use crate::outbox::Pending;
use crate::session::{Issue, SurveySession};
use crate::transport::Delivery;

/// What the visitor sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// The questions.
    Answering,
    /// The response is on its way.
    Sending,
    /// The endpoint stored it.
    Thanks,
    /// It could not be sent; it stays queued and a retry button is offered.
    Failed,
}

/// The whole survey: questions, then sending, thank-you, or an error with a retry button.
#[component]
pub fn SurveyWidget(
    /// The visitor's answers.
    session: RwSignal<SurveySession>,
    /// Where responses are POSTed.
    responses_url: String,
    /// Built-in strings in the survey's locale.
    strings: &'static Strings,
) -> impl IntoView {
    let phase = RwSignal::new(Phase::Answering);
    let announcement = RwSignal::new(String::new());
    let sent = StoredValue::new(None::<Pending>);
    let responses_url = StoredValue::new(responses_url);
    let form_ref = NodeRef::<html::Form>::new();
    let outcome_ref = NodeRef::<html::H2>::new();

    let (title, description, thanks_title, thanks_message, questions) =
        session.with_untracked(|s| {
            let d = s.definition();
            let t = |text: &sayso_schema::LocalizedText| d.text(text, s.locale()).to_owned();
            let questions: Vec<QuestionView> = d
                .questions
                .iter()
                .map(|q| form::question_view(d, q, s.locale(), strings))
                .collect();
            (
                t(&d.title),
                d.description.as_ref().map(t),
                d.thank_you
                    .title
                    .as_ref()
                    .map_or_else(|| strings.thank_you.to_owned(), t),
                d.thank_you.message.as_ref().map(t),
                questions,
            )
        });
    let thanks_title = StoredValue::new(thanks_title);

    let send = Callback::new(move |pending: Pending| {
        phase.set(Phase::Sending);
        spawn_local(async move {
            let next = match delivery::deliver(&pending).await {
                Delivery::Stored => Phase::Thanks,
                Delivery::Rejected(_) | Delivery::Failed(_) => Phase::Failed,
            };
            announcement.set(if next == Phase::Thanks {
                thanks_title.get_value()
            } else {
                strings.send_failed.to_owned()
            });
            phase.set(next);
        });
    });

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if phase.get_untracked() == Phase::Sending {
            return;
        }
        if !session.try_update(SurveySession::check).unwrap_or(false) {
            let first = session.with_untracked(|s| s.first_issue().map(str::to_owned));
            if let Some(id) = first {
                announcement.set(
                    session
                        .with_untracked(|s| s.issue(&id))
                        .map(|i| issue_text(i, strings))
                        .unwrap_or_default(),
                );
                focus_first_input(form_ref, &id);
            }
            return;
        }
        match session.with_untracked(|s| s.response(random_uuid(), page_context(s), false)) {
            Ok(response) => {
                let pending = Pending {
                    url: responses_url.get_value(),
                    response,
                };
                delivery::queue(pending.clone());
                sent.set_value(Some(pending.clone()));
                send.run(pending);
            }
            Err(problems) => {
                console_error(&format!("the response does not fit the survey: {problems}"))
            }
        }
    };
    let retry = move |_| {
        if let Some(pending) = sent.get_value() {
            delivery::queue(pending.clone());
            send.run(pending);
        }
    };

    let answering = move || matches!(phase.get(), Phase::Answering | Phase::Sending);
    // Move focus to the outcome so that keyboard and screen-reader users land on it.
    Effect::new(move |_| {
        if !answering() {
            if let Some(h) = outcome_ref.get() {
                let _ = h.focus();
            }
        }
    });

    view! {
        <section class="sayso-card" aria-labelledby="sayso-title">
            <div hidden=move || !answering()>
                <h2 id="sayso-title" class="sayso-title">{title}</h2>
                {description.map(|d| view! { <p class="sayso-text">{d}</p> })}
                <form class="sayso-form" novalidate node_ref=form_ref on:submit=on_submit>
                    {questions
                        .into_iter()
                        .map(|q| view! { <QuestionField view=q session=session strings=strings /> })
                        .collect_view()}
                    <div class="sayso-actions">
                        <button type="submit" class="sayso-button" aria-disabled=move || (phase.get() == Phase::Sending).to_string()>
                            {move || if phase.get() == Phase::Sending { strings.sending } else { strings.submit }}
                        </button>
                    </div>
                    <p class="sayso-note">{strings.privacy_note}</p>
                </form>
            </div>
            <div class="sayso-outcome" hidden=answering>
                <h2 class="sayso-title" tabindex="-1" node_ref=outcome_ref>
                    {move || if phase.get() == Phase::Failed { strings.send_failed.to_owned() } else { thanks_title.get_value() }}
                </h2>
                {thanks_message.map(|m| view! { <p class="sayso-text" hidden=move || phase.get() != Phase::Thanks>{m}</p> })}
                <button type="button" class="sayso-button" hidden=move || phase.get() != Phase::Failed on:click=retry>
                    {strings.retry}
                </button>
            </div>
            <div class="sayso-visually-hidden" aria-live="polite">{move || announcement.get()}</div>
        </section>
    }
}

/// Focus the first input of question `id` (the first with an issue, after a failed submit).
fn focus_first_input(form: NodeRef<html::Form>, id: &str) {
    let input = form
        .get_untracked()
        .and_then(|f| {
            f.query_selector(&format!("#sayso-q-{id} input, #sayso-q-{id} textarea"))
                .ok()
                .flatten()
        })
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(input) = input {
        let _ = input.focus();
    }
}

/// The page the survey is answered on, stripped of query strings unless the survey keeps them.
fn page_context(session: &SurveySession) -> sayso_schema::Context {
    let strip = session.definition().privacy.strip_url_query;
    let clean = |url: String| {
        if strip {
            strip_query(&url).to_owned()
        } else {
            url
        }
    };
    sayso_schema::Context {
        url: clean(window().location().href().unwrap_or_default()),
        referrer: clean(
            window()
                .document()
                .map(|d| d.referrer())
                .unwrap_or_default(),
        ),
        locale: String::new(),
        started_at: String::new(),
        submitted_at: now_rfc3339(),
        attributes: Default::default(),
    }
}

/// The words for an issue.
fn issue_text(issue: Issue, strings: &Strings) -> String {
    let n = |template: &str, n: u32| fill(template, &[("n", &n.to_string())]);
    match issue {
        Issue::Required => strings.required.to_owned(),
        Issue::OtherEmpty => strings.other_empty.to_owned(),
        Issue::SelectAtLeast(k) => n(strings.select_at_least, k),
        Issue::SelectAtMost(k) => n(strings.select_at_most, k),
        Issue::InvalidEmail => strings.invalid_email.to_owned(),
        Issue::InvalidPhone => strings.invalid_phone.to_owned(),
    }
}

/// One question of any kind: its title as legend, its controls, and its issue when it has one.
#[component]
fn QuestionField(
    view: QuestionView,
    session: RwSignal<SurveySession>,
    strings: &'static Strings,
) -> impl IntoView {
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
    let question: Arc<str> = id.clone().into();
    let issue = {
        let q = question.clone();
        Signal::derive(move || session.with(|s| s.issue(&q)))
    };
    let visible = {
        let q = question.clone();
        Signal::derive(move || session.with(|s| s.visible(&q)))
    };
    let invalid = Signal::derive(move || issue.with(Option::is_some));
    let hidden = Signal::derive(move || !visible.get());
    let issue_id = format!("sayso-{id}-issue");
    let description_id = format!("sayso-{id}-description");
    let described_by = {
        let (issue_id, description_id) = (issue_id.clone(), description_id.clone());
        let has_description = description.is_some();
        move || {
            let mut ids = Vec::new();
            if has_description {
                ids.push(description_id.as_str());
            }
            if issue.get().is_some() {
                ids.push(issue_id.as_str());
            }
            ids.join(" ")
        }
    };
    let render_fields = |fields: Vec<FieldView>| {
        fields
            .into_iter()
            .map(|f| view! { <TextInput field=f question=question.clone() legend=legend.clone() session=session strings=strings /> })
            .collect_view()
    };
    let (fields_before, fields_after) = if fields_first {
        (Some(render_fields(fields)), None)
    } else {
        (None, Some(render_fields(fields)))
    };
    let groups = groups
        .into_iter()
        .map(|g| view! { <OptionGroup group=g question=question.clone() session=session /> })
        .collect_view();
    view! {
        <fieldset
            id=format!("sayso-q-{id}")
            class="sayso-question"
            class=("sayso-question--invalid", invalid)
            hidden=hidden
            aria-describedby=described_by
        >
            <legend class="sayso-question__title">
                {legend.clone()}
                {required.then(|| view! {
                    <span class="sayso-required" aria-hidden="true">" *"</span>
                    <span class="sayso-visually-hidden">{format!(" ({})", strings.required_mark)}</span>
                })}
            </legend>
            {description.map(|d| view! { <p id=description_id class="sayso-question__description">{d}</p> })}
            {fields_before}
            {groups}
            {scale_labels.map(|(low, high)| view! {
                <div class="sayso-scale-labels"><span>{low}</span><span>{high}</span></div>
            })}
            {fields_after}
            {link.map(|(url, text)| view! {
                <a class="sayso-link" href=url target="_blank" rel="noopener noreferrer">{text}</a>
            })}
            <p id=issue_id class="sayso-issue" hidden=Signal::derive(move || !invalid.get())>
                {move || issue.get().map(|i| issue_text(i, strings))}
            </p>
        </fieldset>
    }
}

/// A group of radio buttons or checkboxes: a scale, the options of a choice, a likert row.
/// Native inputs give arrow-key movement within a radio group and one tab stop for free.
#[component]
fn OptionGroup(
    group: Group,
    question: Arc<str>,
    session: RwSignal<SurveySession>,
) -> impl IntoView {
    let Group {
        label,
        multiple,
        name,
        variant,
        options,
    } = group;
    let options = options
        .into_iter()
        .map(|option| {
            view! { <OptionInput option=option name=name.clone() multiple=multiple question=question.clone() session=session /> }
        })
        .collect_view();
    let role = label.as_ref().map(|_| "radiogroup");
    let aria_label = label.clone();
    view! {
        <div class=format!("sayso-group sayso-group--{variant}") role=role aria-label=aria_label>
            {label.map(|l| view! { <p class="sayso-group__label" aria-hidden="true">{l}</p> })}
            <div class="sayso-group__options">{options}</div>
        </div>
    }
}

/// One radio button or checkbox with its visible text.
#[component]
fn OptionInput(
    option: OptionView,
    name: String,
    multiple: bool,
    question: Arc<str>,
    session: RwSignal<SurveySession>,
) -> impl IntoView {
    let OptionView {
        control,
        text,
        aria_label,
    } = option;
    let control = Arc::new(control);
    let checked = {
        let (q, c) = (question.clone(), control.clone());
        Signal::derive(move || session.with(|s| s.is_on(&q, &c)))
    };
    let lit = {
        let (q, c) = (question.clone(), control.clone());
        Signal::derive(move || session.with(|s| s.is_lit(&q, &c)))
    };
    let on_change = move |ev| {
        let on = event_target_checked(&ev);
        session.update(|s| s.toggle(&question, &control, on));
    };
    let text_hidden = aria_label.is_some().then_some("true");
    view! {
        <label
            class="sayso-option"
            class=("sayso-option--on", checked)
            class=("sayso-option--lit", lit)
        >
            <input
                type=if multiple { "checkbox" } else { "radio" }
                class="sayso-option__input"
                name=name
                aria-label=aria_label
                prop:checked=checked
                on:change=on_change
            />
            <span class="sayso-option__text" aria-hidden=text_hidden>{text}</span>
        </label>
    }
}

/// One text field: a line or an area, with its label and the characters left.
#[component]
fn TextInput(
    field: FieldView,
    question: Arc<str>,
    /// The question's title: the field's accessible name when it has no label of its own.
    legend: String,
    session: RwSignal<SurveySession>,
    strings: &'static Strings,
) -> impl IntoView {
    let FieldView {
        field,
        label,
        long,
        max,
        counter,
        input_type,
        autocomplete,
        placeholder,
    } = field;
    let input_id = format!("sayso-{question}-{}", field.slug());
    let counter_id = format!("{input_id}-left");
    let value = {
        let q = question.clone();
        Signal::derive(move || session.with(|s| s.field_text(&q, field)))
    };
    let shown = {
        let q = question.clone();
        Signal::derive(move || session.with(|s| s.field_shown(&q, field)))
    };
    let hidden = Signal::derive(move || !shown.get());
    let on_input = move |ev| {
        let text = event_target_value(&ev);
        session.update(|s| s.type_into(&question, field, text));
    };
    let aria_label = label.is_none().then_some(legend);
    let described_by = counter.then(|| counter_id.clone());
    let left = move || {
        fill(
            strings.chars_left,
            &[(
                "n",
                &(max as usize)
                    .saturating_sub(value.with(|v| v.chars().count()))
                    .to_string(),
            )],
        )
    };
    let input = if long {
        Either::Left(view! {
            <textarea id=input_id.clone() class="sayso-input sayso-input--long" rows="4" maxlength=max.to_string()
                placeholder=placeholder aria-label=aria_label aria-describedby=described_by
                prop:value=value on:input=on_input></textarea>
        })
    } else {
        Either::Right(view! {
            <input id=input_id.clone() class="sayso-input" type=input_type autocomplete=autocomplete maxlength=max.to_string()
                placeholder=placeholder aria-label=aria_label aria-describedby=described_by
                prop:value=value on:input=on_input />
        })
    };
    view! {
        <div class="sayso-field" hidden=hidden>
            {label.map(|l| view! { <label class="sayso-field__label" for=input_id>{l}</label> })}
            {input}
            {counter.then(|| view! { <p id=counter_id class="sayso-counter">{left}</p> })}
        </div>
    }
}
