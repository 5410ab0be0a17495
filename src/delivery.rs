//! Getting responses to the endpoint exactly once: queue in the outbox, send, forget only
//! after a 2xx.

use std::cell::RefCell;

use crate::browser::{LocalStore, console_error, console_warn};
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

/// Send every response an earlier page left unacknowledged, oldest first. Failures stay
/// queued quietly for the next chance.
pub async fn flush() {
    let queued = OUTBOX.with(|o| o.borrow().pending());
    for pending in queued {
        deliver(&pending).await;
    }
}
