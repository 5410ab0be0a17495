//! The survey's frame: title, questions, send button, and the outcome (thank you, or an error
//! with a retry button). The questions themselves are built by [`crate::questions`]; every rule
//! lives in the [`SurveySession`].

use std::rc::Rc;

use leptos::ev::SubmitEvent;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use crate::browser::{now_rfc3339, strip_query, window, yield_to_browser};
use crate::delivery;
use crate::form;
use crate::i18n::{Strings, fill, number};
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

/// Hears of each response the visitor sends, by its id.
pub type SentHook = Rc<dyn Fn(&str)>;

/// The thank-you page: title, message, and a link (url, text).
type ThankYouPage = (String, Option<String>, Option<(String, String)>);

/// The whole survey: questions (on one page, or one per step with progress, back and next),
/// then sending, thank-you, or an error with a retry button.
#[component]
pub fn SurveyWidget(
    /// The visitor's answers.
    session: RwSignal<SurveySession>,
    /// Where responses are POSTed.
    responses_url: String,
    /// Built-in strings in the survey's locale.
    strings: &'static Strings,
    /// Hears of each response the visitor sends (its id).
    on_sent: Option<SentHook>,
    /// Called once every question is built: the frame shows then, all at once, so that its
    /// content does not grow under the visitor's eyes (or shift the page).
    on_ready: Option<Rc<dyn Fn()>>,
) -> impl IntoView {
    let phase = RwSignal::new(Phase::Answering);
    let announcement = RwSignal::new(String::new());
    let thanks = RwSignal::new((strings.thank_you.to_owned(), None, None) as ThankYouPage);
    let sent = StoredValue::new(None::<Pending>);
    let responses_url = StoredValue::new(responses_url);
    let form_ref = NodeRef::<html::Form>::new();
    let questions_ref = NodeRef::<html::Div>::new();
    let outcome_ref = NodeRef::<html::H2>::new();

    let (title, description, steps) = session.with_untracked(|s| {
        let d = s.definition();
        let text = |t: &sayso_schema::LocalizedText| d.text(t, s.locale()).to_owned();
        (
            text(&d.title),
            d.description.as_ref().map(text),
            s.in_steps(),
        )
    });
    // One question per task: building the first runs much of the widget's code for the first
    // time, which the browser compiles as it goes; in one task it all came to a long task.
    // Their effects belong to this component, whichever task builds them.
    let owner = Owner::current().expect("a component runs under an owner");
    questions_ref.on_load(move |div| {
        spawn_local(async move {
            let count = session.with_untracked(|s| s.definition().questions.len());
            for i in 0..count {
                yield_to_browser().await;
                let element = owner.with(|| {
                    let view = session.with_untracked(|s| {
                        let d = s.definition();
                        form::question_view(d, &d.questions[i], s.locale(), strings, s.seed())
                    });
                    question(view, session, strings)
                });
                let _ = div.append_child(&element);
            }
            if let Some(ready) = &on_ready {
                ready();
            }
        });
    });

    let progress_text = move || {
        session.with(|s| {
            let (n, total) = s.progress();
            let number = |n: usize| number(strings.locale, n as u32);
            fill(
                strings.progress,
                &[("n", &number(n)), ("total", &number(total))],
            )
        })
    };
    let progress_value = move || session.with(|s| s.progress().0.to_string());
    let progress_max = move || session.with(|s| s.progress().1.to_string());
    let last_step = move || session.with(|s| !s.in_steps() || s.last_step());
    let first_step = move || session.with(|s| s.progress().0 <= 1);

    // After a step change: say where we are and put the focus on the new question.
    let arrived = move || {
        announcement.set(progress_text());
        let id = session.with_untracked(|s| s.current().to_owned());
        // The new step is shown by an effect: focus it once effects have run.
        spawn_local(async move {
            leptos::task::tick().await;
            focus_first_input(form_ref, &id);
        });
    };
    let refused = move |id: String| {
        announcement.set(
            session
                .with_untracked(|s| s.issue(&id))
                .map(|i| issue_text(i, strings))
                .unwrap_or_default(),
        );
        focus_first_input(form_ref, &id);
    };
    let next = move || {
        if session
            .try_update(SurveySession::next_step)
            .unwrap_or(false)
        {
            arrived();
        } else {
            refused(session.with_untracked(|s| s.current().to_owned()));
        }
    };
    let back = move |_| {
        session.update(SurveySession::previous_step);
        arrived();
    };

    let send = Callback::new(move |pending: Pending| {
        phase.set(Phase::Sending);
        spawn_local(async move {
            let next = match delivery::deliver(&pending).await {
                Delivery::Stored => Phase::Thanks,
                Delivery::Rejected(_) | Delivery::Failed(_) => Phase::Failed,
            };
            announcement.set(if next == Phase::Thanks {
                thanks.get_untracked().0
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
        // Enter in a field before the last step means "next".
        if !last_step() {
            return next();
        }
        if !session.try_update(SurveySession::check).unwrap_or(false) {
            if let Some(id) = session.with_untracked(|s| s.first_issue().map(str::to_owned)) {
                refused(id);
            }
            return;
        }
        let ((title, message, link), response) =
            session.with_untracked(|s| (s.thank_you(), s.response(page_context(s), false)));
        thanks.set((
            title.unwrap_or_else(|| strings.thank_you.to_owned()),
            message,
            link,
        ));
        if let Some(on_sent) = &on_sent {
            on_sent(&response.id);
        }
        let pending = Pending {
            url: responses_url.get_value(),
            response,
        };
        delivery::queue(pending.clone());
        sent.set_value(Some(pending.clone()));
        send.run(pending);
    };
    let retry = move |_| {
        if let Some(pending) = sent.get_value() {
            delivery::queue(pending.clone());
            send.run(pending);
        }
    };

    // A visitor who leaves after answering something leaves a partial response; finishing later
    // completes it in place (same id).
    delivery::on_leave(move || {
        if phase.get_untracked() != Phase::Answering
            || !session.with_untracked(SurveySession::has_answers)
        {
            return None;
        }
        let response = session.with_untracked(|s| s.response(page_context(s), true));
        Some(Pending {
            url: responses_url.get_value(),
            response,
        })
    });

    // A response that failed at first and was then sent by a retry (backoff, back online):
    // thank the visitor instead of leaving "could not send" on screen.
    delivery::on_stored(move |id| {
        if phase.get_untracked() == Phase::Failed
            && sent.with_value(|s| s.as_ref().is_some_and(|p| p.response.id == id))
        {
            announcement.set(thanks.get_untracked().0);
            phase.set(Phase::Thanks);
        }
    });
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
                <div class="sayso-progress" hidden=!steps>
                    <span>{progress_text}</span>
                    <progress class="sayso-progress__bar" aria-hidden="true" value=progress_value max=progress_max></progress>
                </div>
                <form class="sayso-form" novalidate node_ref=form_ref on:submit=on_submit>
                    <div class="sayso-questions" node_ref=questions_ref></div>
                    <div class="sayso-actions">
                        <button type="button" class="sayso-button sayso-button--secondary" hidden=move || !steps || first_step() on:click=back>
                            {strings.back}
                        </button>
                        <button type="button" class="sayso-button" hidden=last_step on:click=move |_| next()>
                            {strings.next}
                        </button>
                        <button type="submit" class="sayso-button" hidden=move || !last_step() aria-disabled=move || (phase.get() == Phase::Sending).to_string()>
                            {move || if phase.get() == Phase::Sending { strings.sending } else { strings.submit }}
                        </button>
                    </div>
                    <p class="sayso-note">{strings.privacy_note}</p>
                </form>
            </div>
            <div class="sayso-outcome" hidden=answering>
                <h2 class="sayso-title" tabindex="-1" node_ref=outcome_ref>
                    {move || if phase.get() == Phase::Failed { strings.send_failed.to_owned() } else { thanks.get().0 }}
                </h2>
                <p class="sayso-text" hidden=move || phase.get() != Phase::Thanks || thanks.with(|t| t.1.is_none())>
                    {move || thanks.get().1}
                </p>
                <a class="sayso-link" href=move || thanks.get().2.map(|l| l.0) target="_blank" rel="noopener noreferrer"
                    hidden=move || phase.get() != Phase::Thanks || thanks.with(|t| t.2.is_none())>
                    {move || thanks.get().2.map(|l| l.1)}
                </a>
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
        attributes: crate::api::attributes(),
    }
}
