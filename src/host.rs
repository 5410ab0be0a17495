//! The widget's place on the host page: one host element with an open shadow root whose only
//! styles are one constructable stylesheet. Nothing is added to the host document's styles.

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CssStyleSheet, Element, HtmlElement, ShadowRootInit, ShadowRootMode};

use crate::browser::{js_error_text, window};

/// The widget's CSS (from `style/`, minified at build time).
pub const CSS: &str = include_str!(concat!(env!("OUT_DIR"), "/sayso.min.css"));

/// The host element's tag name.
pub const HOST_TAG: &str = "sayso-survey";

/// Find where the widget goes: the element `target` selects, else `<body>`.
pub fn find_parent(target: Option<&str>) -> Result<Element, String> {
    let document = window().document().ok_or("no document")?;
    match target {
        Some(selector) => document
            .query_selector(selector)
            .map_err(|_| format!("data-target \"{selector}\" is not a valid CSS selector"))?
            .ok_or_else(|| format!("data-target \"{selector}\" matches no element on this page")),
        None => document
            .body()
            .map(Element::from)
            .ok_or_else(|| "the page has no <body>".to_owned()),
    }
}

/// Create the host element in `parent` and return it with the element to mount into, inside
/// its shadow root.
pub fn create(
    parent: &Element,
    locale: &str,
    rtl: bool,
) -> Result<(HtmlElement, HtmlElement), String> {
    build(parent, locale, rtl).map_err(|e| {
        format!(
            "could not create the widget's element ({})",
            js_error_text(&e)
        )
    })
}

fn build(parent: &Element, locale: &str, rtl: bool) -> Result<(HtmlElement, HtmlElement), JsValue> {
    let document = window().document().ok_or("no document")?;
    let host: HtmlElement = document.create_element(HOST_TAG)?.unchecked_into();
    host.set_attribute("lang", locale)?;
    host.set_attribute("dir", if rtl { "rtl" } else { "ltr" })?;
    let shadow = host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))?;
    let sheet = CssStyleSheet::new()?;
    sheet.replace_sync(CSS)?;
    shadow.set_adopted_style_sheets(&js_sys::Array::of1(&sheet));
    let root: HtmlElement = document.create_element("div")?.unchecked_into();
    root.set_class_name("sayso");
    shadow.append_child(&root)?;
    parent.append_child(&host)?;
    Ok((host, root))
}
