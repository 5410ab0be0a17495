//! Getting responses to the endpoint: no loss, and no duplicate stored. Every response waits in
//! the outbox until a 2xx answer. It is sent at once; after a failure it is retried with
//! exponential backoff ([`retry_delay`]), at once when the browser comes back online, by a
//! `keepalive` request (a beacon without cookies) when the page goes away, and by the next page
//! load. The endpoint stores each id once, so the same response sent twice (two tabs, or a
//! request on leaving and one already under way) is
//! harmless; within one page it is never in two requests at the same time.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use crate::browser::{LocalStore, console_error, console_warn, window};
use crate::outbox::{OUTBOX_CAPACITY, Outbox, Pending};
use crate::transport::{Delivery, next_retry, post_response};

/// What a page leaves behind when the visitor goes: a partial response, or nothing.
type Leaving = Rc<dyn Fn() -> Option<Pending>>;
/// Told the id of a response this page had acknowledged.
type StoredHook = Rc<dyn Fn(&str)>;

/// What this page knows about delivery beyond the outbox.
#[derive(Default)]
struct State {
    /// Requests under way (a few at most: a plain list).
    in_flight: Vec<Rc<Flight>>,
    /// Failed attempts since the last success (or `online` event): the backoff step.
    failures: u32,
    /// The one retry timer, when set.
    timer: Option<i32>,
    /// A flush is running; `again`: another was asked for while it ran.
    flushing: bool,
    again: bool,
    /// The page listens to `online`, `pagehide`, `pageshow` and `visibilitychange`.
    listening: bool,
    /// The "storage refused" warning was given (once per page).
    warned: bool,
    /// The outbox was beaconed since the page was last shown.
    beaconed: bool,
    /// What the page leaves behind when the visitor goes (see [`on_leave`]).
    leaving: Vec<Leaving>,
    /// Told the id of every response this page had acknowledged (see [`on_stored`]).
    stored: Vec<StoredHook>,
}

thread_local! {
    static OUTBOX: RefCell<Outbox<LocalStore>> = RefCell::new(Outbox::new(LocalStore));
    static STATE: RefCell<State> = RefCell::default();
}

fn state<R>(f: impl FnOnce(&mut State) -> R) -> R {
    STATE.with(|s| f(&mut s.borrow_mut()))
}

fn outbox<R>(f: impl FnOnce(&mut Outbox<LocalStore>) -> R) -> R {
    OUTBOX.with(|o| f(&mut o.borrow_mut()))
}

/// Queue `pending` before its first attempt, so that nothing can lose it.
pub fn queue(pending: Pending) {
    listen();
    if !outbox(|o| o.put(pending)) && !state(|s| std::mem::replace(&mut s.warned, true)) {
        console_warn(
            "this page cannot store data (storage blocked or full); answers will be sent, but not retried after the page is closed",
        );
    }
}

/// Send `pending` (already [`queue`]d) and settle its place in the outbox. If it fails, a retry
/// is scheduled; if it is already on its way, this waits for that request instead of sending it
/// twice.
pub async fn deliver(pending: &Pending) -> Delivery {
    listen();
    send(pending).await
}

/// Send every response still in the outbox, oldest first, one at a time: those an earlier page
/// left unacknowledged (called once the survey is mounted), and those waiting for a retry.
/// A failure schedules the next retry and passes over the rest for that endpoint in this
/// round, not those for others: one endpoint that is down (or gone, after a site moved its
/// collector) must not hold back responses to another.
pub async fn flush() {
    listen();
    if state(|s| std::mem::replace(&mut s.flushing, true)) {
        // The running flush makes one more pass for this call.
        state(|s| s.again = true);
        return;
    }
    for _pass in 0..3 {
        state(|s| s.again = false);
        let mut tried: Vec<String> = Vec::new();
        let mut down: Vec<String> = Vec::new();
        // The queue is read again before every send: another tab may have sent (and removed)
        // an entry, or queued one, meanwhile.
        while tried.len() < OUTBOX_CAPACITY {
            let next = outbox(|o| o.pending())
                .into_iter()
                .find(|p| !tried.contains(&p.response.id) && !down.contains(&p.url));
            let Some(pending) = next else { break };
            tried.push(pending.response.id.clone());
            if let Delivery::Failed { .. } = send(&pending).await {
                down.push(pending.url);
            }
        }
        if !state(|s| s.again) {
            break;
        }
    }
    // Asked again during the last pass (a retry timer, `online`): that asking must not be lost
    // with this flush, or what it meant to send could wait for the next page load.
    if state(|s| {
        s.flushing = false;
        std::mem::take(&mut s.again)
    }) {
        wasm_bindgen_futures::spawn_local(flush());
    }
}

/// When the visitor leaves the page (or hides it: on phones a hidden page may never come back),
/// queue what `leaving` returns (a partial response) and send everything still in the outbox
/// in requests that outlive the page (`keepalive`, like a beacon, but without cookies). The
/// outbox keeps it until a later page load has it acknowledged.
pub fn on_leave(leaving: impl Fn() -> Option<Pending> + 'static) {
    listen();
    state(|s| s.leaving.push(Rc::new(leaving)));
}

/// Call `stored` with the id of every response this page gets acknowledged by `fetch`, whatever
/// sent it (the visitor, a retry, the `online` event): a page that told the visitor "could not
/// send" can then thank them.
pub fn on_stored(stored: impl Fn(&str) + 'static) {
    state(|s| s.stored.push(Rc::new(stored)));
}

/// One request under way; whoever asks to send the same response meanwhile waits for its result.
#[derive(Default)]
struct Flight {
    /// The response id, and the JSON sent.
    id: String,
    body: String,
    result: RefCell<Option<Delivery>>,
    waiting: RefCell<Vec<Waker>>,
}

impl Flight {
    fn finish(&self, result: Delivery) {
        self.result.borrow_mut().get_or_insert(result);
        for waker in self.waiting.take() {
            waker.wake();
        }
    }
}

/// The result of a [`Flight`], once it lands.
struct Landed(Rc<Flight>);

impl Future for Landed {
    type Output = Delivery;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Delivery> {
        match self.0.result.borrow().clone() {
            Some(result) => Poll::Ready(result),
            None => {
                self.0.waiting.borrow_mut().push(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

/// Takes a flight off the in-flight list however its sender ends, even dropped mid-way.
struct Boarding(Rc<Flight>);

impl Drop for Boarding {
    fn drop(&mut self) {
        state(|s| s.in_flight.retain(|f| !Rc::ptr_eq(f, &self.0)));
        self.0.finish(Delivery::FAILED);
    }
}

/// POST `pending` once, unless this page is already sending it, and act on the answer.
async fn send(pending: &Pending) -> Delivery {
    let id = &pending.response.id;
    let body = pending.response.to_json().to_string();
    // Each wait ends when a request ends (they time out), and only this page starts them.
    while let Some(flight) = state(|s| s.in_flight.iter().find(|f| f.id == *id).cloned()) {
        let result = Landed(flight.clone()).await;
        if flight.body == body {
            return result;
        }
    }
    let flight = Rc::new(Flight {
        id: id.clone(),
        body,
        ..Flight::default()
    });
    state(|s| s.in_flight.push(flight.clone()));
    let boarding = Boarding(flight.clone());
    let result = post_response(&pending.url, &flight.body).await;
    match &result {
        Delivery::Stored => outbox(|o| o.settle(pending)),
        Delivery::Rejected(reason) => {
            // Re-sending cannot change the answer; keeping it would retry forever.
            outbox(|o| o.settle(pending));
            console_error(reason);
        }
        Delivery::Failed { .. } => {}
    }
    flight.finish(result.clone());
    drop(boarding);
    match &result {
        Delivery::Stored => stored(id),
        Delivery::Failed { wait_ms } => failed(*wait_ms),
        Delivery::Rejected(_) => {}
    }
    result
}

/// After an acknowledgement: the endpoint works, so reset the backoff and send what else waits.
/// A retry timer already set stays: it may be for another endpoint, one that failed earlier in
/// the same flush, and nothing else would send its responses again on this page.
fn stored(id: &str) {
    let (flushing, hooks) = state(|s| {
        s.failures = 0;
        (s.flushing, s.stored.clone())
    });
    for hook in hooks {
        hook(id);
    }
    if !flushing && !outbox(|o| o.pending().is_empty()) {
        wasm_bindgen_futures::spawn_local(flush());
    }
}

/// After a failure: one step further in the backoff, and a retry timer unless one is set, no
/// sooner than the endpoint asked (`asked_ms`, from `Retry-After`): when it asked, a timer set
/// earlier (which may fire sooner) is set again.
fn failed(asked_ms: Option<u32>) {
    let (delay, earlier) = state(|s| {
        let failures = s.failures;
        s.failures = failures.saturating_add(1);
        let earlier = s.timer.take_if(|_| asked_ms.is_some());
        let delay = s
            .timer
            .is_none()
            .then(|| next_retry(failures, js_sys::Math::random(), asked_ms));
        (delay, earlier)
    });
    if let Some(timer) = earlier {
        window().clear_timeout_with_handle(timer);
    }
    let Some(delay) = delay else { return };
    let retry = RETRY
        .with(|f| window().set_timeout_with_callback_and_timeout_and_arguments_0(f, delay as i32));
    state(|s| s.timer = retry.ok());
}

thread_local! {
    /// The retry timer's callback, made once and kept for the page's life.
    static RETRY: js_sys::Function = Closure::<dyn Fn()>::new(|| {
        state(|s| s.timer = None);
        wasm_bindgen_futures::spawn_local(flush());
    })
    .into_js_value()
    .unchecked_into();
}

/// Back online: whatever waits is sent now, with the backoff reset.
fn online() {
    let timer = state(|s| {
        s.failures = 0;
        s.timer.take()
    });
    if let Some(timer) = timer {
        window().clear_timeout_with_handle(timer);
    }
    wasm_bindgen_futures::spawn_local(flush());
}

/// `pagehide` and `visibilitychange` to hidden: beacon the outbox, once until the page is
/// shown again. `pageshow` and `visibilitychange` to visible: the page is back.
fn leave(event: web_sys::Event) {
    let kind = event.type_();
    let hidden = window()
        .document()
        .is_some_and(|d| d.visibility_state() == web_sys::VisibilityState::Hidden);
    if kind == "pageshow" || (kind == "visibilitychange" && !hidden) {
        state(|s| s.beaconed = false);
        return;
    }
    // Closing a tab fires both `visibilitychange` and `pagehide`: one round of beacons.
    if state(|s| std::mem::replace(&mut s.beaconed, true)) {
        return;
    }
    for leaving in state(|s| s.leaving.clone()) {
        if let Some(pending) = leaving() {
            queue(pending);
        }
    }
    // Everything unacknowledged, requests under way included: the page may not live to see
    // their answers. Kept in the outbox; the next page load finds them stored (200) and forgets
    // them. Newest first: the browser caps what such requests may carry in all (64 KiB), and
    // the response just sent matters more than an old one stuck for an endpoint that is gone.
    for pending in outbox(|o| o.pending()).into_iter().rev() {
        send_on_leaving(&pending.url, &pending.response.to_json().to_string());
    }
}

/// POST `body` in a request that outlives the page, as `sendBeacon` does, but without cookies:
/// a beacon always carries the endpoint origin's cookies, which could tie a response to the
/// visitor's session on the site owner's domain. `no-cors`, as a beacon: nothing reads the
/// answer, and a `text/plain` body needs no preflight. A failure is left to the outbox.
fn send_on_leaving(url: &str, body: &str) {
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_body(&body.into());
    // Not in web-sys' `RequestInit` yet.
    let _ = js_sys::Reflect::set(&init, &"keepalive".into(), &true.into());
    init.set_mode(web_sys::RequestMode::NoCors);
    init.set_credentials(web_sys::RequestCredentials::Omit);
    let sent = window().fetch_with_str_and_init(url, &init);
    // A failure is no error of the page's (an unhandled rejection would be one).
    let ignore = Closure::<dyn FnMut(wasm_bindgen::JsValue)>::new(|_| {});
    let _ = sent.catch(&ignore);
    ignore.forget();
}

/// Listen to the page's events once.
fn listen() {
    if state(|s| std::mem::replace(&mut s.listening, true)) {
        return;
    }
    let window = window();
    let leave = Closure::<dyn Fn(web_sys::Event)>::new(leave).into_js_value();
    let leave = leave.unchecked_ref();
    let _ = window.add_event_listener_with_callback_and_bool("pagehide", leave, false);
    let _ = window.add_event_listener_with_callback_and_bool("pageshow", leave, false);
    if let Some(document) = window.document() {
        let _ =
            document.add_event_listener_with_callback_and_bool("visibilitychange", leave, false);
    }
    let online = Closure::<dyn Fn()>::new(online).into_js_value();
    let _ =
        window.add_event_listener_with_callback_and_bool("online", online.unchecked_ref(), false);
}
