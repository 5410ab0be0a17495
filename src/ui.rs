//! The survey's frame: title, questions, send button, and the outcome (thank you, or an error
//! with a retry button). The questions themselves are built by [`crate::questions`]; every rule
//! lives in the [`SurveySession`].

use leptos::ev::SubmitEvent;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use crate::browser::{console_error, now_rfc3339, random_uuid, strip_query, window};
use crate::delivery;
use crate::form;
use crate::i18n::Strings;
use crate::outbox::Pending;
use crate::questions::{issue_text, question};
use crate::session::SurveySession;
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
    let questions_ref = NodeRef::<html::Div>::new();
    let outcome_ref = NodeRef::<html::H2>::new();

    let (title, description, thanks_title, thanks_message, questions) =
        session.with_untracked(|s| {
            let d = s.definition();
            let t = |text: &sayso_schema::LocalizedText| d.text(text, s.locale()).to_owned();
            let questions: Vec<form::QuestionView> = d
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
    let questions: Vec<web_sys::Element> = questions
        .into_iter()
        .map(|q| question(q, session, strings))
        .collect();
    questions_ref.on_load(move |div| {
        for q in &questions {
            let _ = div.append_child(q);
        }
    });

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
        if !answering()
            && let Some(h) = outcome_ref.get()
        {
            let _ = h.focus();
        }
    });

    view! {
        <section class="sayso-card" aria-labelledby="sayso-title">
            <div hidden=move || !answering()>
                <h2 id="sayso-title" class="sayso-title">{title}</h2>
                {description.map(|d| view! { <p class="sayso-text">{d}</p> })}
                <form class="sayso-form" novalidate node_ref=form_ref on:submit=on_submit>
                    <div class="sayso-questions" node_ref=questions_ref></div>
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
