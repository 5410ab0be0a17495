//! Getting responses to the endpoint exactly once: queue in the outbox, send, forget only
//! after a 2xx.

use std::cell::RefCell;

use crate::browser::{LocalStore, console_error, console_warn, window};
use crate::outbox::{Outbox, Pending};
use crate::transport::{Delivery, post_response};

thread_local! {
    static OUTBOX: RefCell<Outbox<LocalStore>> = RefCell::new(Outbox::new(LocalStore));
}

/// Queue `pending` before its first attempt, so that nothing can lose it.
pub fn queue(pending: Pending) {
    let durable = OUTBOX.with(|o| o.borrow_mut().put(pending));
    if !durable {
        console_warn(
            "this browser does not let the page store data; answers will be sent, but not retried after the page is closed",
        );
    }
}

/// Send `pending` once and settle its place in the outbox.
pub async fn deliver(pending: &Pending) -> Delivery {
    let body = pending.response.to_json().to_string();
    let result = post_response(&pending.url, &body).await;
    match &result {
        Delivery::Stored => OUTBOX.with(|o| o.borrow_mut().remove(&pending.response.id)),
        Delivery::Rejected(reason) => {
            // Re-sending cannot change the answer; keeping it would retry forever.
            OUTBOX.with(|o| o.borrow_mut().remove(&pending.response.id));
            console_error(reason);
        }
        Delivery::Failed(_) => {}
    }
    result
}

/// When the visitor leaves the page (or hides it: on phones a hidden page may never come back),
/// queue what `leaving` returns and send it with `navigator.sendBeacon`, which outlives the
/// page. The outbox keeps it until a later page load has it acknowledged.
pub fn on_leave(leaving: impl Fn() -> Option<Pending> + 'static) {
    let last_sent = std::cell::RefCell::new(String::new());
    let handler = move |event: web_sys::Event| {
        let hidden = window()
            .document()
            .is_some_and(|d| d.visibility_state() == web_sys::VisibilityState::Hidden);
        let Some(pending) = leaving().filter(|_| hidden || event.type_() == "pagehide") else {
            return;
        };
        let body = pending.response.to_json().to_string();
        // Unchanged since the last time: nothing new to say.
        if *last_sent.borrow() == body {
            return;
        }
        queue(pending.clone());
        let _ = window()
            .navigator()
            .send_beacon_with_opt_str(&pending.url, Some(&body));
        *last_sent.borrow_mut() = body;
    };
    let closure = wasm_bindgen::closure::Closure::<dyn Fn(web_sys::Event)>::new(handler);
    let callback = wasm_bindgen::JsCast::unchecked_ref(closure.as_ref());
    let _ = window().add_event_listener_with_callback("pagehide", callback);
    if let Some(document) = window().document() {
        let _ = document.add_event_listener_with_callback("visibilitychange", callback);
    }
    closure.forget();
}

/// Send every response an earlier page left unacknowledged, oldest first. Failures stay
/// queued quietly for the next chance.
pub async fn flush() {
    let queued = OUTBOX.with(|o| o.borrow().pending());
    for pending in queued {
        deliver(&pending).await;
    }
}
