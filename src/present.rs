//! When and how a survey appears. Targeting (in the schema, tested natively) decides whether;
//! the trigger decides when; the frame (`host.rs`) decides how. What the visitor's browser
//! remembers (`visitor.rs`) is read and written here.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::Arc;

use sayso_schema::presentation::{Refusal, device_class, scrolled_percent};
use sayso_schema::{Json, Mode, SurveyDefinition, TriggerKind, Visit};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{Element, MouseEvent};

use crate::api::{self, Controls};
use crate::browser::{
    console_warn, now_rfc3339, page_language, random_uuid, store, stored, window, yield_to_browser,
};
use crate::config::WidgetConfig;
use crate::host::{self, Frame, FrameSpec};
use crate::i18n::{self, Strings};
use crate::session::SurveySession;
use crate::visitor::{self, VisitorMemory};

/// One survey on this page: its definition, and its frame once it has been shown.
struct Presentation {
    definition: Arc<SurveyDefinition>,
    target: Option<String>,
    responses_url: String,
    /// The visitor's language, as the page or the tag gives it.
    wanted: String,
    locale: String,
    strings: &'static Strings,
    frame: RefCell<Option<Frame>>,
    /// Every question of the frame is built: it can be presented.
    ready: Cell<bool>,
    /// Until then, how it is to be presented once ready (`true`: opened by the visitor);
    /// `None` when the page closed it meanwhile.
    pending: Cell<Option<bool>>,
    /// The frame has been presented on this page (for a launcher: the button).
    shown: Cell<bool>,
    /// `sayso:shown` was emitted and the session recorded: the survey itself was shown.
    announced: Cell<bool>,
    sent: Cell<bool>,
    /// The visitor closed it without sending: a route change does not bring it back.
    dismissed: Cell<bool>,
    /// A route change to a page it is not for hid it: coming back shows it again.
    hidden_by_route: Cell<bool>,
    /// The trigger's listeners are in place (once per page).
    armed: Cell<bool>,
    /// The browser keeps nothing, which was said once, and the survey does not open by itself.
    forgetful: Cell<bool>,
    /// Bumped by each route change: a timer set before one does not fire after it.
    route: Cell<u32>,
}

thread_local! {
    static CURRENT: RefCell<Option<Rc<Presentation>>> = const { RefCell::new(None) };
    /// `Sayso.open(id?)` called before the survey was ready (and not closed since).
    static OPEN_ASKED: RefCell<Option<Option<String>>> = const { RefCell::new(None) };
}

/// What `Sayso.open` and `Sayso.close` do.
pub fn controls() -> Controls {
    Controls {
        open: Rc::new(
            |id: Option<String>| match CURRENT.with(|c| c.borrow().clone()) {
                Some(p) => p.open(id),
                None => OPEN_ASKED.with(|o| *o.borrow_mut() = Some(id)),
            },
        ),
        close: Rc::new(|| match CURRENT.with(|c| c.borrow().clone()) {
            Some(p) => p.close(),
            None => OPEN_ASKED.with(|o| *o.borrow_mut() = None),
        }),
    }
}

/// Take charge of `definition` on this page: decide whether it may show, and arm its trigger.
pub fn begin(definition: SurveyDefinition, config: &WidgetConfig, endpoint: &str) {
    let wanted = config.locale.clone().unwrap_or_else(page_language);
    let locale = definition.locales.negotiate(&wanted).to_owned();
    let p = Rc::new(Presentation {
        strings: i18n::for_survey(&definition, &locale),
        locale,
        wanted,
        target: config.target.clone(),
        responses_url: format!("{endpoint}/responses"),
        definition: Arc::new(definition),
        frame: RefCell::new(None),
        ready: Cell::new(false),
        pending: Cell::new(None),
        shown: Cell::new(false),
        announced: Cell::new(false),
        sent: Cell::new(false),
        dismissed: Cell::new(false),
        hidden_by_route: Cell::new(false),
        armed: Cell::new(false),
        forgetful: Cell::new(false),
        route: Cell::new(0),
    });
    CURRENT.with(|c| *c.borrow_mut() = Some(p.clone()));
    p.capture_hidden_fields();
    let allowed = p.allowed(true);
    watch_navigation(p.clone());
    // An early `Sayso.open()` opens it now, and the trigger stays armed all the same: a click
    // trigger opens it again after a close, and an open for another survey is only an error.
    if let Some(id) = OPEN_ASKED.with(|o| o.borrow_mut().take()) {
        p.open(id);
    }
    if allowed {
        p.arm();
    }
}

impl Presentation {
    /// `Sayso.open(id?)`: this survey, whatever the targeting says; another id is an error.
    fn open(self: &Rc<Self>, id: Option<String>) {
        match id {
            Some(id) if id != self.definition.id => api::error(&format!(
                "Sayso.open(\"{id}\"): this page's tag shows the survey \"{}\"",
                self.definition.id
            )),
            _ => self.show(true),
        }
    }

    /// Whether the page's URL is one the survey is for (the rules a route change can change).
    fn url_ok(&self) -> bool {
        let url = window().location().href().unwrap_or_default();
        self.definition.targeting.allows_url(&url)
    }

    /// Whether targeting lets the survey show here and now; `count_view` records this page.
    fn allowed(&self, count_view: bool) -> bool {
        let id = &self.definition.id;
        let mut memory = VisitorMemory::parse(stored(visitor::VISITOR_KEY).as_deref());
        if count_view {
            memory.views += 1;
        }
        let targeting = &self.definition.targeting;
        memory.draw(id, js_sys::Math::random());
        let d = &self.definition;
        if !store(visitor::VISITOR_KEY, &memory.to_text()) && d.display.interrupts(&d.trigger) {
            if !self.forgetful.replace(true) {
                console_warn(
                    "this page cannot store data (storage blocked or full), so this survey could not remember being answered or dismissed; it does not open by itself here (Sayso.open() still opens it)",
                );
            }
            return false;
        }
        let url = window().location().href().unwrap_or_default();
        let coarse = window()
            .match_media("(pointer: coarse)")
            .ok()
            .flatten()
            .is_some_and(|m| m.matches());
        // The screen's shorter side: a phone is a phone turned sideways too, and on a page
        // without a viewport meta tag, where the window is 980 px wide.
        let width = window()
            .screen()
            .and_then(|s| Ok(s.width()?.min(s.height()?)))
            .map_or(1024, |w| w.max(0) as u32);
        let session = visitor::shown_in_session(session_stored().as_deref());
        let visit = Visit {
            url: &url,
            locale: &self.wanted,
            device: device_class(width, coarse),
            now: js_sys::Date::now(),
            shown_this_session: session.iter().any(|s| s == id) && !self.shown.get(),
        };
        let trigger = &self.definition.trigger;
        let enough_views =
            trigger.on != TriggerKind::PageViews || memory.views >= trigger.page_views;
        // A click is the visitor asking: only whom and where the survey is for apply.
        let asked = trigger.on == TriggerKind::Click;
        let verdict = targeting.allows(&visit, &memory.survey(id));
        (verdict.is_ok() || asked && verdict.is_err_and(Refusal::yields_to_visitor)) && enough_views
    }

    /// Make the trigger show the survey when it fires: once, and only on a page the URL rules
    /// allow. Timers start again after each route change to an allowed page; listeners are
    /// set once.
    fn arm(self: &Rc<Self>) {
        let trigger = self.definition.trigger.clone();
        let p = self.clone();
        let fire = move || {
            if p.frame.borrow().is_none() && p.url_ok() {
                p.show(false);
            }
        };
        let route = self.route.get();
        let p = self.clone();
        let after = move |milliseconds: f64, fire: Box<dyn Fn()>| {
            let once = Closure::once_into_js(move || {
                if p.route.get() == route {
                    fire()
                }
            });
            let _ = window().set_timeout_with_callback_and_timeout_and_arguments_0(
                once.unchecked_ref(),
                milliseconds.clamp(0.0, f64::from(i32::MAX)) as i32,
            );
        };
        match trigger.on {
            // A task later: reading the survey and deciding is one task and building it another,
            // as together they made one long task on a slow phone.
            TriggerKind::Load | TriggerKind::PageViews => return after(0.0, Box::new(fire)),
            // Counted from the page's start, not from the widget's (which waits for idle time).
            TriggerKind::Delay => {
                let since_start = window().performance().map_or(0.0, |p| p.now());
                return after(trigger.delay_left_ms(since_start), Box::new(fire));
            }
            _ if self.armed.replace(true) => return,
            _ => {}
        }
        match trigger.on {
            TriggerKind::Scroll => {
                let percent = trigger.scroll_percent;
                let p = self.clone();
                // How far the page has scrolled, or a container that scrolls most of it (an app
                // shell, whose body never scrolls): `None` for the page.
                let check = Rc::new(move |scroller: Option<Element>| {
                    // Once shown, a scroll reads no layout.
                    if p.frame.borrow().is_some() {
                        return;
                    }
                    let w = window();
                    let viewport = w
                        .inner_height()
                        .ok()
                        .and_then(|h| h.as_f64())
                        .unwrap_or(0.0);
                    let (top, seen, height) = match scroller {
                        Some(e) => {
                            let seen = f64::from(e.client_height());
                            // Not a text box or a carousel: a container of half the window or
                            // more, that scrolls up and down.
                            if seen * 2.0 < viewport || e.scroll_height() <= e.client_height() {
                                return;
                            }
                            (
                                f64::from(e.scroll_top()),
                                seen,
                                f64::from(e.scroll_height()),
                            )
                        }
                        None => {
                            let page = w
                                .document()
                                .and_then(|d| d.document_element())
                                .map_or(0.0, |e| f64::from(e.scroll_height()));
                            (w.scroll_y().unwrap_or(0.0), viewport, page)
                        }
                    };
                    if scrolled_percent(top, seen, height) >= percent {
                        fire();
                    }
                });
                // Also at once: a page too short to scroll, or opened already scrolled down;
                // not an app shell, whose page cannot scroll at all.
                if !page_clipped() {
                    let now = check.clone();
                    after(0.0, Box::new(move || now(None)));
                }
                // A container's scroll does not bubble: caught on its way down.
                listen(&document(), "scroll", move |ev| {
                    check(ev.target().and_then(|t| t.dyn_into::<Element>().ok()))
                });
            }
            TriggerKind::ExitIntent => {
                // Leaving through the top edge towards tabs and address bar, with a mouse.
                let mouse = window()
                    .match_media("(pointer: fine)")
                    .ok()
                    .flatten()
                    .is_some_and(|m| m.matches());
                if mouse {
                    listen(&document(), "mouseout", move |ev| {
                        let leaving = ev
                            .dyn_ref::<MouseEvent>()
                            .is_some_and(|m| m.related_target().is_none() && m.client_y() <= 0);
                        if leaving {
                            fire();
                        }
                    });
                }
            }
            TriggerKind::Event => {
                let name = trigger.event.unwrap_or_default();
                let fire = Rc::new(fire);
                let again = fire.clone();
                listen(&window(), &name, move |_| fire());
                listen(&document(), &name, move |_| again());
            }
            TriggerKind::Click => {
                let selector = trigger.selector.unwrap_or_default();
                // Checked once: a selector the browser cannot parse is one error, not one a click.
                if document().query_selector(&selector).is_err() {
                    return api::error(&format!(
                        "data-selector \"{selector}\" is not a valid CSS selector"
                    ));
                }
                let p = self.clone();
                listen(&document(), "click", move |ev| {
                    let target = ev.target().and_then(|t| t.dyn_into::<Element>().ok());
                    if let Some(Ok(Some(_))) = target.map(|t| t.closest(&selector))
                        && p.url_ok()
                    {
                        p.show(true);
                    }
                });
            }
            // Handled above, or nothing to wait for.
            TriggerKind::Load
            | TriggerKind::Delay
            | TriggerKind::PageViews
            | TriggerKind::Manual => {}
        }
    }

    /// Show the survey (or, in launcher mode, its launcher; `by_visitor` opens it at once).
    /// Asked again while it is being built, it shows once it is ready, opened if either asked.
    fn show(self: &Rc<Self>, by_visitor: bool) {
        if by_visitor {
            self.dismissed.set(false);
        }
        if self.frame.borrow().is_some() {
            if !self.ready.get() {
                let opened = self.pending.get().unwrap_or(false) || by_visitor;
                return self.pending.set(Some(opened));
            }
            return self.present(by_visitor);
        }
        // The first time, the frame shows once every question is built.
        match self.build(by_visitor) {
            Ok(frame) => *self.frame.borrow_mut() = Some(frame),
            Err(message) => api::error(&message),
        }
    }

    fn present(&self, by_visitor: bool) {
        if let Some(frame) = self.frame.borrow().as_ref() {
            frame.present(by_visitor);
        }
        self.shown.set(true);
        // A launcher on its own is not the survey shown: that is when the visitor opens it
        // (and a launcher stays on the session's later pages).
        let opened = by_visitor || self.definition.display.mode != Mode::Launcher;
        if opened && !self.announced.replace(true) {
            // Read at the start (a landing URL's campaign) and again where it shows.
            self.capture_hidden_fields();
            let id = self.definition.id.clone();
            let mut session = visitor::shown_in_session(session_stored().as_deref());
            if !session.contains(&id) {
                session.push(id.clone());
                session_store(&visitor::session_text(&session));
            }
            api::emit("shown", &api::detail(&id, &[]));
        }
    }

    /// The frame, with the survey mounted in it and its buttons wired.
    fn build(self: &Rc<Self>, by_visitor: bool) -> Result<Frame, String> {
        let d = &self.definition;
        let inline = d.display.mode == Mode::Inline;
        let parent = if inline {
            host::find_parent(self.target.as_deref())?
        } else {
            host::find_parent(None)?
        };
        let title = d.text(&d.title, &self.locale).to_owned();
        let label = d
            .display
            .launcher_label
            .as_ref()
            .map_or(self.strings.launcher, |l| d.text(l, &self.locale))
            .to_owned();
        let frame = Frame::create(
            &parent,
            &FrameSpec {
                mode: d.display.mode,
                corner: d.display.position,
                locale: &self.locale,
                strings: self.strings,
                title: &title,
                launcher_label: &label,
                theme: &d.theme,
            },
        )?;
        api::set_host(&frame.host);
        let session =
            SurveySession::new(d.clone(), self.locale.clone(), now_rfc3339(), random_uuid());
        let p = self.clone();
        let sent: Rc<dyn Fn(&str)> = Rc::new(move |response_id: &str| p.sent(response_id));
        self.pending.set(Some(by_visitor));
        let p = self.clone();
        let ready: Rc<dyn Fn()> = Rc::new(move || {
            p.ready.set(true);
            // Closed by the page while it was being built: it stays closed.
            let Some(by_visitor) = p.pending.take() else {
                return;
            };
            if by_visitor || p.url_ok() {
                p.present(by_visitor)
            } else {
                // Built while the visitor moved on to a page it is not for: it shows when they
                // come back.
                p.shown.set(true);
                p.hidden_by_route.set(true);
            }
        });
        // Mounted a task later: building the frame (its stylesheet too) and the survey in it
        // made one long task on a slow phone. Nothing shows before the survey is ready.
        let (root, strings, url) = (frame.root.clone(), self.strings, self.responses_url.clone());
        wasm_bindgen_futures::spawn_local(async move {
            yield_to_browser().await;
            crate::mount_widget(root, session, strings, url, Some(sent), Some(ready));
        });
        let p = self.clone();
        frame.on_close(move || p.closed_by_visitor());
        let p = self.clone();
        frame.on_launcher(move || {
            // A toggle: closing the survey with it is the visitor closing it.
            let open = p.frame.borrow().as_ref().map(Frame::is_open);
            match open {
                Some(true) => p.closed_by_visitor(),
                Some(false) => p.present(true),
                None => {}
            }
        });
        Ok(frame)
    }

    /// `Sayso.close()`: close it, or, while it is being built, keep it from opening once ready
    /// (a launcher still shows its button).
    fn close(&self) {
        if !self.ready.get() {
            let launcher = self.definition.display.mode == Mode::Launcher;
            self.pending
                .set(self.pending.get().and(launcher.then_some(false)));
        } else if let Some(f) = self.frame.borrow().as_ref() {
            f.close();
        }
    }

    /// The visitor closed the survey: remembered as dismissed, unless they had answered.
    fn closed_by_visitor(&self) {
        if let Some(f) = self.frame.borrow().as_ref() {
            f.close();
        }
        if !self.sent.get() {
            self.dismissed.set(true);
            self.remember(|m, id, now| m.dismissed(id, now));
            api::emit("dismissed", &api::detail(&self.definition.id, &[]));
        }
    }

    /// The visitor sent a response (it is in the outbox, on its way).
    fn sent(&self, response_id: &str) {
        self.sent.set(true);
        self.remember(|m, id, now| m.answered(id, now));
        api::emit(
            "submitted",
            &api::detail(&self.definition.id, &[("id", response_id)]),
        );
    }

    fn remember(&self, change: impl Fn(&mut VisitorMemory, &str, f64)) {
        let mut memory = VisitorMemory::parse(stored(visitor::VISITOR_KEY).as_deref());
        change(&mut memory, &self.definition.id, js_sys::Date::now());
        store(visitor::VISITOR_KEY, &memory.to_text());
    }

    /// URL parameters the survey names (`utm_source`...) go into `context.attributes`; one
    /// that is not in the URL keeps the value it had.
    fn capture_hidden_fields(&self) {
        let search = window().location().search().unwrap_or_default();
        let Ok(params) = web_sys::UrlSearchParams::new_with_str(&search) else {
            return;
        };
        for name in &self.definition.privacy.hidden_fields {
            if let Some(value) = params.get(name) {
                let _ = api::set_attribute(name, Json::from(value));
            }
        }
    }

    /// The page's URL changed without a load (a single-page app): show or hide by the URL
    /// rules, without counting a page view. Timers set before it are void.
    fn navigated(self: &Rc<Self>) {
        self.route.set(self.route.get().wrapping_add(1));
        let frame = self.frame.borrow();
        match (self.url_ok(), frame.as_ref()) {
            (false, Some(f)) => {
                if f.is_open() || f.has_launcher() {
                    self.hidden_by_route.set(true);
                }
                f.hide_all()
            }
            // Back on a page it is for, what the route change hid shows again, unless answered
            // or dismissed (the launcher, the visitor's own way back in, returns either way).
            // What is on screen, or what the page closed, is left as it is.
            (true, Some(f))
                if self.hidden_by_route.replace(false)
                    && self.shown.get()
                    && !self.sent.get()
                    && (!self.dismissed.get() || f.has_launcher()) =>
            {
                drop(frame);
                self.present(false)
            }
            (true, None) => {
                drop(frame);
                if self.allowed(false) {
                    self.arm();
                }
            }
            _ => {}
        }
    }
}

/// Re-evaluate targeting when a single-page app changes its URL (the Navigation API where
/// there is one, `popstate` everywhere): no patching of the page's `history`.
fn watch_navigation(p: Rc<Presentation>) {
    let again = p.clone();
    listen(&window(), "popstate", move |_| again.navigated());
    if let Ok(navigation) = js_sys::Reflect::get(&window(), &"navigation".into())
        && let Ok(target) = navigation.dyn_into::<web_sys::EventTarget>()
    {
        listen(&target, "currententrychange", move |_| p.navigated());
    }
}

fn listen(
    target: &web_sys::EventTarget,
    event: &str,
    handler: impl FnMut(web_sys::Event) + 'static,
) {
    let closure = Closure::<dyn FnMut(web_sys::Event)>::new(handler);
    // In the capture phase: the same for events that bubble, and it catches those that do not
    // (a container's scroll) on their way down to it.
    let _ = target.add_event_listener_with_callback_and_bool(
        event,
        closure.as_ref().unchecked_ref(),
        true,
    );
    closure.forget();
}

/// Whether the page itself cannot scroll (`overflow: hidden` on its body), as in an app shell
/// whose content scrolls in a container.
fn page_clipped() -> bool {
    let style = (document().body()).and_then(|b| window().get_computed_style(&b).ok().flatten());
    style
        .and_then(|s| s.get_property_value("overflow-y").ok())
        .is_some_and(|o| o == "hidden" || o == "clip")
}

fn document() -> web_sys::Document {
    window().document().expect("a document")
}

fn session_stored() -> Option<String> {
    window()
        .session_storage()
        .ok()
        .flatten()?
        .get_item(visitor::SESSION_KEY)
        .ok()
        .flatten()
}

fn session_store(text: &str) {
    if let Some(s) = window().session_storage().ok().flatten() {
        let _ = s.set_item(visitor::SESSION_KEY, text);
    }
}
