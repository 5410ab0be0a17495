//! The few things the widget asks of the browser, each in one place and none of them able to
//! throw into the host page.

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Storage, Window};

use crate::outbox::KeyStore;

/// The window. The widget only ever runs in one.
pub fn window() -> Window {
    web_sys::window().expect("the widget runs in a window")
}

/// Report a problem to the site owner: one line in the console, prefixed "Sayso:".
pub fn console_error(message: &str) {
    web_sys::console::error_1(&JsValue::from_str(&format!("Sayso: {message}")));
}

/// Report something worth knowing that is not a failure.
pub fn console_warn(message: &str) {
    web_sys::console::warn_1(&JsValue::from_str(&format!("Sayso: {message}")));
}

/// Now, as an RFC 3339 UTC time with milliseconds.
pub fn now_rfc3339() -> String {
    String::from(js_sys::Date::new_0().to_iso_string())
}

/// A random (version 4) UUID from the browser's cryptographic generator, which unlike
/// `crypto.randomUUID` also exists on plain-http pages.
pub fn random_uuid() -> String {
    let mut bytes = [0u8; 16];
    let filled = window()
        .crypto()
        .and_then(|c| c.get_random_values_with_u8_array(&mut bytes).map(|_| ()));
    if filled.is_err() {
        // No Web Crypto: Math.random is enough for an idempotency key, not for secrets.
        for b in &mut bytes {
            *b = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    format_uuid_v4(bytes)
}

/// Format 16 random bytes as a version 4, variant 1 UUID.
pub fn format_uuid_v4(mut b: [u8; 16]) -> String {
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// Resolve `url` against the page's base URL; `None` when it is not a valid URL.
pub fn resolve_url(url: &str) -> Option<String> {
    let base = window().document()?.base_uri().ok().flatten()?;
    let resolved = web_sys::Url::new_with_base(url, &base).ok()?;
    let protocol = resolved.protocol();
    (protocol == "https:" || protocol == "http:").then(|| resolved.href())
}

/// The language the host page asks for: `<html lang>`, then the browser's language.
pub fn page_language() -> String {
    let lang = window()
        .document()
        .and_then(|d| d.document_element())
        .and_then(|e| e.get_attribute("lang"))
        .filter(|l| !l.trim().is_empty());
    lang.or_else(|| window().navigator().language())
        .unwrap_or_else(|| "en".to_owned())
}

/// `localStorage`, when the browser lets the page use it (it may not: private modes,
/// disabled storage, sandboxed frames; even reading the property can throw).
fn local_storage() -> Option<Storage> {
    window().local_storage().ok().flatten()
}

/// The text stored under `key` in `localStorage`, if the browser lets the page have it.
pub fn stored(key: &str) -> Option<String> {
    local_storage()?.get_item(key).ok().flatten()
}

/// Store `text` under `key` in `localStorage`; whether the browser let it (blocked or full
/// storage is not an error).
pub fn store(key: &str, text: &str) -> bool {
    local_storage().is_some_and(|s| s.set_item(key, text).is_ok())
}

/// The outbox's place: `localStorage`.
pub struct LocalStore;

impl KeyStore for LocalStore {
    fn keys(&self) -> Vec<String> {
        let Some(s) = local_storage() else {
            return Vec::new();
        };
        let count = s.length().unwrap_or(0);
        (0..count).filter_map(|i| s.key(i).ok().flatten()).collect()
    }

    fn get(&self, key: &str) -> Option<String> {
        local_storage()?.get_item(key).ok().flatten()
    }

    fn set(&self, key: &str, text: &str) -> bool {
        store(key, text)
    }

    fn remove(&self, key: &str) {
        if let Some(s) = local_storage() {
            let _ = s.remove_item(key);
        }
    }
}

/// Resolve in a later task of the event loop, so that long work is split into tasks the
/// browser can interleave with the page's own (no long task on the host page). With
/// `scheduler.yield()` (Chrome 129) the rest runs ahead of tasks queued meanwhile, with no timer
/// delay; elsewhere, or if the page replaced it with something that is not a promise, a timer.
pub async fn yield_to_browser() {
    let scheduled = js_sys::Reflect::get(&js_sys::global(), &"scheduler".into())
        .ok()
        .filter(|s| s.is_object())
        .and_then(|s| {
            let yield_now = js_sys::Reflect::get(&s, &"yield".into()).ok()?;
            let promise = yield_now.dyn_ref::<js_sys::Function>()?.call0(&s).ok()?;
            promise.dyn_into::<js_sys::Promise>().ok()
        });
    let promise = scheduled.unwrap_or_else(|| {
        js_sys::Promise::new(&mut |resolve, _| {
            let _ = window().set_timeout_with_callback(&resolve);
        })
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Turn a thrown JavaScript value into a short message.
pub fn js_error_text(error: &JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "unknown error".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_have_version_and_variant_bits() {
        let id = format_uuid_v4([0xff; 16]);
        assert_eq!(id, "ffffffff-ffff-4fff-bfff-ffffffffffff");
        assert!(sayso_schema::is_uuid(&id));
        assert_eq!(
            format_uuid_v4([0; 16]),
            "00000000-0000-4000-8000-000000000000"
        );
    }
}
