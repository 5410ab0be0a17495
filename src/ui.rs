//! The survey's frame: title, questions, send button, and the outcome (thank you, or an error
//! with a retry button). The questions themselves are built by [`crate::questions`]; every rule
//! lives in the [`SurveySession`].

use std::rc::Rc;

use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use sayso_schema::page_url;
use wasm_bindgen::JsCast;
use web_sys::Element;

use crate::browser::{now_rfc3339, window, yield_to_browser};
use crate::delivery;
use crate::dom::{el, toggle_attr};
use crate::form;
use crate::i18n::{Strings, fill, number};
use crate::outbox::Pending;
use crate::questions::{issue_text, question};
use crate::session::{Issue, SurveySession};
use crate::transport::Delivery;

/// How long (wall clock ms) a task building questions may go on before it gives the browser a
/// turn. A task can overrun it by one question, and still stays well under the 50 ms that count
/// as a long task on a phone-class CPU (the bench throttles 4x).
const SLICE_MS: f64 = 20.0;

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
    /// The endpoint refused it for good (a 4xx other than 408 and 429): nothing to retry.
    Refused,
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
    // What a screen reader should say: written straight into the live region, with no signal
    // of its own.
    let live = el("div", "sayso-visually-hidden").attr("aria-live", "polite");
    let live_element = StoredValue::new_local(live.0.clone());
    let announce = move |mut text: String| {
        live_element.with_value(|e| {
            // The same words again would be no change to the region, and go unsaid.
            if e.text_content().is_some_and(|t| t == text) {
                text.push('\u{a0}');
            }
            e.set_text_content(Some(&text));
        })
    };
    // The thank-you page of the last response sent. Not a signal either: it changes only
    // before the phase does, and the outcome is redrawn when the phase changes.
    let thanks = StoredValue::new((strings.thank_you.to_owned(), None, None) as ThankYouPage);
    let sent = StoredValue::new(None::<Pending>);
    // The heading once the questions are done.
    let outcome_text = move |p: Phase| match p {
        Phase::Failed => strings.send_failed.to_owned(),
        Phase::Refused => strings.send_refused.to_owned(),
        _ => thanks.with_value(|t| t.0.clone()),
    };
    let responses_url = StoredValue::new(responses_url);
    let (title, description, steps) = session.with_untracked(|s| {
        let d = s.definition();
        let text = |t: &sayso_schema::LocalizedText| d.text(t, s.locale()).to_owned();
        (
            text(&d.title),
            d.description.as_ref().map(text),
            s.in_steps(),
        )
    });
    let questions = el("div", "sayso-questions");
    let form = el("form", "sayso-form").attr("novalidate", "");
    let form_element = StoredValue::new_local(form.0.clone());
    let outcome = el("h2", "sayso-title").attr("tabindex", "-1");
    let outcome_element = StoredValue::new_local(outcome.0.clone());

    // Questions are built in tasks of their own, never for longer than SLICE_MS in one: building
    // the first runs much of the widget's code for the first time, which the browser compiles
    // as it goes, and in one task with the frame it all came to a long task; the later ones are
    // quick, and a task each only added the browser's turns in between.
    // Their effects belong to this component, whichever task builds them. In steps the survey
    // shows as soon as its first question is there (it has no condition, so it is the first
    // step); on one page it waits for all of them, or it would grow and move as they come.
    let owner = Owner::current().expect("a component runs under an owner");
    let list = questions.0.clone();
    spawn_local(async move {
        let count = session.with_untracked(|s| s.definition().questions.len());
        let shown_with = if steps { 1 } else { count };
        let mut slice_start = f64::NEG_INFINITY;
        for i in 0..count {
            if js_sys::Date::now() - slice_start > SLICE_MS {
                yield_to_browser().await;
                slice_start = js_sys::Date::now();
            }
            let element = owner.with(|| {
                let view = session.with_untracked(|s| {
                    let d = s.definition();
                    form::question_view(d, &d.questions[i], s.locale(), strings, s.seed())
                });
                question(view, session, strings)
            });
            let _ = list.append_child(&element);
            if i + 1 == shown_with
                && let Some(ready) = &on_ready
            {
                ready();
                // Let the browser show it before building on.
                slice_start = f64::NEG_INFINITY;
            }
        }
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
    let last_step = move || session.with(|s| !s.in_steps() || s.last_step());

    // After a step change: say where we are and put the focus on the new question.
    let arrived = move || {
        let id = session.with_untracked(|s| s.current().to_owned());
        // The new step is shown by an effect: focus it once effects have run, then speak (a
        // focus change cuts off speech in progress).
        spawn_local(async move {
            leptos::task::tick().await;
            focus_first_input(&form_element.get_value(), &id);
            announce(progress_text());
        });
    };
    // Focus first, then the live region: a focus change cuts off speech in progress.
    // Once effects have run: they mark the field at fault, where the focus goes.
    let refused = move |id: String| {
        spawn_local(async move {
            leptos::task::tick().await;
            let issue = session.with_untracked(|s| s.issue(&id));
            let form = form_element.get_value();
            // "Other" picked and left empty: its text field, not the first option, wants the
            // visitor.
            if issue == Some(Issue::OtherEmpty) {
                focus_in(&form, &format!("#sayso-{id}-other"));
            } else {
                focus_first_input(&form, &id);
            }
            announce(issue.map(|i| issue_text(i, strings)).unwrap_or_default());
        });
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

    // Show the outcome and say it. The focus moves to it only from inside the survey (the
    // visitor pressed Send or Retry): a response delivered later, once they have moved on to
    // the page, does not pull them back.
    let settle = move |next: Phase| {
        let heading: web_sys::HtmlElement = outcome_element.get_value().unchecked_into();
        let had_focus = heading
            .get_root_node()
            .dyn_into::<web_sys::ShadowRoot>()
            .ok()
            .and_then(|r| r.active_element())
            .is_some();
        phase.set(next);
        spawn_local(async move {
            // Once effects have shown it; focus first, as a focus change cuts off speech.
            leptos::task::tick().await;
            if had_focus {
                let _ = heading.focus();
            }
            announce(outcome_text(next));
        });
    };
    let send = move |pending: Pending| {
        phase.set(Phase::Sending);
        spawn_local(async move {
            settle(match delivery::deliver(&pending).await {
                Delivery::Stored => Phase::Thanks,
                Delivery::Failed { .. } => Phase::Failed,
                Delivery::Rejected(_) => Phase::Refused,
            });
        });
    };

    let on_submit = move |ev: web_sys::Event| {
        ev.prevent_default();
        if phase.get_untracked() == Phase::Sending {
            return;
        }
        // Enter in a field before the last step means "next".
        if !last_step() {
            return next();
        }
        let sendable = session.try_update(|s| {
            let context = page_context(s);
            s.check() && s.fits(context)
        });
        if !sendable.unwrap_or(false) {
            if let Some(id) = session.with_untracked(|s| s.first_issue().map(str::to_owned)) {
                // In steps, an answer too long brings back its step: focus once it is shown.
                spawn_local(async move {
                    leptos::task::tick().await;
                    refused(id);
                });
            }
            return;
        }
        let ((title, message, link), response) =
            session.with_untracked(|s| (s.thank_you(), s.response(page_context(s), false)));
        thanks.set_value((
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
        send(pending);
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
            settle(Phase::Thanks);
        }
    });
    let answering = move || matches!(phase.get(), Phase::Answering | Phase::Sending);
    // Hidden unless `shown` holds; `shown` is re-read whenever a signal it reads changes.
    let shown_when =
        |shown: Box<dyn Fn() -> bool>| move |e: &Element| toggle_attr(e, "hidden", !shown());
    let button = |class: &str, kind: &str| el("button", class).attr("type", kind);

    let progress = el("div", "sayso-progress")
        .bind(shown_when(Box::new(move || steps)))
        .child(el("span", "").bind(move |e| e.set_text_content(Some(&progress_text()))))
        .child(
            el("progress", "sayso-progress__bar")
                .attr("aria-hidden", "true")
                .bind(move |e| {
                    let (n, total) = session.with(SurveySession::progress);
                    let _ = e.set_attribute("value", &n.to_string());
                    let _ = e.set_attribute("max", &total.to_string());
                }),
        );
    let actions = el("div", "sayso-actions")
        .child(
            button("sayso-button sayso-button--secondary", "button")
                .text(strings.back)
                .bind(shown_when(Box::new(move || {
                    steps && session.with(|s| s.progress().0 > 1)
                })))
                .on("click", move |_| {
                    session.update(SurveySession::previous_step);
                    arrived();
                }),
        )
        .child(
            button("sayso-button", "button")
                .text(strings.next)
                .bind(shown_when(Box::new(move || !last_step())))
                .on("click", move |_| next()),
        )
        .child(
            button("sayso-button", "submit")
                .bind(shown_when(Box::new(last_step)))
                .bind(move |e| {
                    let sending = phase.get() == Phase::Sending;
                    let _ =
                        e.set_attribute("aria-disabled", if sending { "true" } else { "false" });
                    e.set_text_content(Some(if sending {
                        strings.sending
                    } else {
                        strings.submit
                    }));
                }),
        );
    let answering_part = el("div", "")
        .bind(shown_when(Box::new(answering)))
        .child(
            el("h2", "sayso-title")
                .attr("id", "sayso-title")
                .text(&title),
        )
        .maybe_child(description.map(|d| el("p", "sayso-text").text(&d)))
        .child(progress)
        .child(
            form.child(questions)
                .child(actions)
                .child(el("p", "sayso-note").text(strings.privacy_note))
                .on("submit", on_submit),
        );
    let outcome_part = el("div", "sayso-outcome")
        .bind(shown_when(Box::new(move || !answering())))
        .child(outcome.bind(move |e| e.set_text_content(Some(&outcome_text(phase.get())))))
        .child(el("p", "sayso-text").bind(move |e| {
            let message = thanks.with_value(|t| t.1.clone());
            toggle_attr(
                e,
                "hidden",
                phase.get() != Phase::Thanks || message.is_none(),
            );
            e.set_text_content(message.as_deref());
        }))
        .child(
            el("a", "sayso-link")
                .attr("target", "_blank")
                .attr("rel", "noopener noreferrer")
                .bind(move |e| {
                    let link = thanks.with_value(|t| t.2.clone());
                    toggle_attr(e, "hidden", phase.get() != Phase::Thanks || link.is_none());
                    match link {
                        Some((href, text)) => {
                            let _ = e.set_attribute("href", &href);
                            e.set_text_content(Some(&text));
                        }
                        None => {
                            let _ = e.remove_attribute("href");
                            e.set_text_content(None);
                        }
                    }
                }),
        )
        .child(
            button("sayso-button", "button")
                .text(strings.retry)
                .bind(shown_when(Box::new(move || phase.get() == Phase::Failed)))
                .on("click", move |_| {
                    if let Some(pending) = sent.get_value() {
                        delivery::queue(pending.clone());
                        send(pending);
                        // The button goes with the outcome; the focus goes to "Sending…".
                        spawn_local(async move {
                            leptos::task::tick().await;
                            focus_in(&form_element.get_value(), "button[type=submit]");
                        });
                    }
                }),
        );

    // The frame is built with `dom.rs` too (one shape for tachys instead of fifteen); it is
    // attached to the component's one element as soon as that exists.
    let parts = [answering_part, outcome_part, live];
    let card = NodeRef::<html::Section>::new();
    card.on_load(move |section| {
        for part in parts {
            let _ = section.append_child(&part.0);
        }
    });
    view! { <section class="sayso-card" aria-labelledby="sayso-title" node_ref=card></section> }
}

/// Focus the field at fault of question `id` (the first with an issue, after a failed
/// submit), as a phone number not written as one; else its first control. Never one of a field
/// hidden now (a contact question's e-mail when the phone was chosen).
fn focus_first_input(form: &Element, id: &str) {
    let shown = |what: &str| format!("#sayso-{id}-q :not([hidden]) > {what}");
    if !focus_in(form, &shown("[aria-invalid=true]")) {
        focus_in(form, &shown(":is(input, textarea)"));
    }
}

/// Focus the first element under `root` that `selector` finds; whether there was one.
fn focus_in(root: &Element, selector: &str) -> bool {
    let found = root
        .query_selector(selector)
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    found.is_some_and(|element| element.focus().is_ok())
}

/// The page the survey is answered on, stripped of query strings unless the survey keeps them
/// (see [`page_url`]).
fn page_context(session: &SurveySession) -> sayso_schema::Context {
    let strip = session.definition().privacy.strip_url_query;
    let document = window().document();
    sayso_schema::Context {
        url: page_url(&window().location().href().unwrap_or_default(), strip),
        referrer: page_url(&document.map(|d| d.referrer()).unwrap_or_default(), strip),
        locale: String::new(),
        started_at: String::new(),
        submitted_at: now_rfc3339(),
        attributes: crate::api::attributes(),
    }
}
