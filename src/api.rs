//! `window.Sayso`, the page's handle on the widget: `open(id?)`, `close()`,
//! `setAttributes({...})`, `on(event, fn)`, with the calls the page made before the widget
//! loaded (queued by the loader) replayed in order; and the events the widget reports, both to
//! `on` listeners and as DOM `CustomEvent`s (`sayso:shown`, `sayso:answered`,
//! `sayso:submitted`, `sayso:dismissed`, `sayso:error`) on the host element.

use std::cell::RefCell;
use std::rc::Rc;

use sayso_schema::{Json, JsonObject};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CustomEvent, CustomEventInit, HtmlElement};

use crate::browser::{console_error, window};

/// Most attributes a page may set (as the schema allows in a response).
const MAX_ATTRIBUTES: usize = 20;

thread_local! {
    static LISTENERS: RefCell<Vec<(String, js_sys::Function)>> = const { RefCell::new(Vec::new()) };
    static ATTRIBUTES: RefCell<JsonObject> = const { RefCell::new(JsonObject::EMPTY) };
    static HOST: RefCell<Option<HtmlElement>> = const { RefCell::new(None) };
    /// The survey's id once known (from the tag, else from the definition), for `error`.
    static SURVEY: RefCell<String> = const { RefCell::new(String::new()) };
}

/// The survey this tag shows, named in the `error` event's detail from now on.
pub fn set_survey(id: &str) {
    SURVEY.with_borrow_mut(|s| id.clone_into(s));
}

/// What `open` and `close` do, supplied by the presentation.
pub struct Controls {
    /// `Sayso.open(id?)`.
    pub open: Rc<dyn Fn(Option<String>)>,
    /// `Sayso.close()`.
    pub close: Rc<dyn Fn()>,
}

/// Give `api` (the loader's `window.Sayso`) its methods, then replay its queue.
pub fn install(api: &JsValue, controls: Controls) {
    let queue = js_sys::Reflect::get(api, &"q".into())
        .ok()
        .filter(|q| q.is_object());
    let Controls { open, close } = controls;
    let open = Closure::<dyn Fn(JsValue)>::new(move |id: JsValue| open(id.as_string()));
    let close = Closure::<dyn Fn()>::new(move || close());
    let set_attributes = Closure::<dyn Fn(JsValue)>::new(set_attributes);
    let on = Closure::<dyn Fn(JsValue, JsValue)>::new(|event: JsValue, listener: JsValue| {
        match (event.as_string(), listener.dyn_into::<js_sys::Function>()) {
            (Some(e), Ok(f)) => LISTENERS.with(|l| l.borrow_mut().push((e, f))),
            _ => console_error("Sayso.on(event, listener) needs an event name and a function"),
        }
    });
    for (name, method) in [
        ("open", open.as_ref()),
        ("close", close.as_ref()),
        ("setAttributes", set_attributes.as_ref()),
        ("on", on.as_ref()),
    ] {
        let _ = js_sys::Reflect::set(api, &name.into(), method);
    }
    // The page keeps these for as long as it lives.
    open.forget();
    close.forget();
    set_attributes.forget();
    on.forget();
    let Some(queue) = queue else { return };
    // One queued call, `[method, arguments]`; anything else in the queue is passed over
    // (`Array.from` throws on `undefined` and `null`).
    let target = api.clone();
    let call = Closure::<dyn Fn(JsValue)>::new(move |call: JsValue| {
        let array = |v: JsValue| {
            if v.is_object() {
                js_sys::Array::from(&v)
            } else {
                js_sys::Array::new()
            }
        };
        let call = array(call);
        if let Ok(f) = js_sys::Reflect::get(&target, &call.get(0))
            .and_then(|f| f.dyn_into::<js_sys::Function>())
        {
            let _ = f.apply(&target, &array(call.get(1)));
        }
    });
    let f: &js_sys::Function = call.as_ref().unchecked_ref();
    for queued in js_sys::Array::from(&queue).iter() {
        let _ = f.call1(&JsValue::NULL, &queued);
    }
    // Stubs the page kept from before (`onclick = Sayso.open`) still push to this queue: from
    // now on a push is the call itself.
    let _ = js_sys::Reflect::set(&queue, &"length".into(), &0.into());
    let _ = js_sys::Reflect::set(&queue, &"push".into(), f);
    call.forget();
}

/// `Sayso.setAttributes({...})`: merged into `context.attributes` of the responses sent from
/// now on. Values are strings (up to 500 characters), numbers or booleans.
fn set_attributes(values: JsValue) {
    let text = js_sys::JSON::stringify(&values)
        .ok()
        .and_then(|t| t.as_string())
        .unwrap_or_default();
    let Some(Json::Object(values)) = Json::parse(&text).ok() else {
        return console_error("Sayso.setAttributes needs an object such as {plan: \"basic\"}");
    };
    for (key, value) in values.iter() {
        if let Err(why) = set_attribute(key, value.clone()) {
            console_error(&format!("Sayso.setAttributes: \"{key}\" {why}"));
        }
    }
}

/// Set one attribute, or say why not.
pub fn set_attribute(key: &str, value: Json) -> Result<(), &'static str> {
    let key_ok = (1..=64).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(&b));
    if !key_ok {
        return Err("is not an attribute name (1 to 64 letters, digits, '_', '-', '.')");
    }
    match &value {
        Json::String(s) if s.chars().count() > 500 => return Err("is longer than 500 characters"),
        Json::String(_) | Json::Number(_) | Json::Bool(_) => {}
        _ => return Err("must be a string, a number or a boolean"),
    }
    ATTRIBUTES.with(|a| {
        let mut a = a.borrow_mut();
        if !a.contains_key(key) && a.len() >= MAX_ATTRIBUTES {
            return Err("is one attribute too many (at most 20)");
        }
        a.insert(key, value);
        Ok(())
    })
}

/// The attributes set so far.
pub fn attributes() -> JsonObject {
    ATTRIBUTES.with(|a| a.borrow().clone())
}

/// The host element events are dispatched on from now on.
pub fn set_host(host: &HtmlElement) {
    HOST.with(|h| *h.borrow_mut() = Some(host.clone()));
}

/// Report `event` with `detail`: to the page's `on` listeners, and as `sayso:<event>` on the
/// host element (on the document before there is one). A listener that throws is the page's
/// problem, not a reason to stop.
pub fn emit(event: &str, detail: &JsonObject) {
    let detail =
        js_sys::JSON::parse(&Json::Object(detail.clone()).to_string()).unwrap_or(JsValue::NULL);
    let listeners: Vec<js_sys::Function> = LISTENERS.with(|l| {
        l.borrow()
            .iter()
            .filter(|(e, _)| e == event)
            .map(|(_, f)| f.clone())
            .collect()
    });
    for f in listeners {
        let _ = f.call1(&JsValue::UNDEFINED, &detail);
    }
    let init = CustomEventInit::new();
    init.set_bubbles(true);
    init.set_composed(true);
    init.set_detail(&detail);
    if let Ok(e) = CustomEvent::new_with_event_init_dict(&format!("sayso:{event}"), &init) {
        let target: Option<web_sys::EventTarget> = HOST
            .with(|h| h.borrow().clone().map(Into::into))
            .or_else(|| window().document().map(Into::into));
        if let Some(t) = target {
            let _ = t.dispatch_event(&e);
        }
    }
}

/// A detail object: `{"survey": id}` plus `extra`.
pub fn detail(survey: &str, extra: &[(&str, &str)]) -> JsonObject {
    let mut d = JsonObject::new();
    d.insert("survey", survey);
    for (k, v) in extra {
        d.insert(*k, *v);
    }
    d
}

/// A problem the site owner must fix: one console error, and the `error` event.
pub fn error(message: &str) {
    console_error(message);
    let mut d = JsonObject::new();
    SURVEY.with_borrow(|s| {
        if !s.is_empty() {
            d.insert("survey", s.as_str());
        }
    });
    d.insert("message", message);
    emit("error", &d);
}
