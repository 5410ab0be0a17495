//! # Sayso widget
//!
//! The survey a visitor sees, compiled to WebAssembly and started by the `sayso.js` loader:
//! read the configuration, load and validate the survey, render it in a shadow root, and
//! deliver the response through the outbox. See ARCHITECTURE.md for the whole picture.
//!
//! Logic lives in plain modules tested natively ([`config`], [`session`], [`outbox`],
//! [`transport`] rules, [`i18n`]); [`ui`] only displays it.

pub mod browser;
pub mod config;
pub mod delivery;
pub mod dom;
pub mod form;
pub mod host;
pub mod i18n;
pub mod outbox;
pub mod questions;
pub mod session;
pub mod transport;
pub mod ui;

use std::sync::Arc;

use leptos::prelude::*;
use sayso_schema::SurveyDefinition;
use wasm_bindgen::prelude::*;

use crate::browser::{console_error, now_rfc3339, page_language, resolve_url, window};
use crate::config::{SurveySource, WidgetConfig};
use crate::session::SurveySession;

/// Entry point, called by the loader with its configuration as JSON and, when it could start it
/// early, the request for the survey definition. Never throws: every failure is one
/// `console.error` and the page is left as it was.
#[wasm_bindgen]
pub fn start(config_json: &str, survey_request: Option<js_sys::Promise>) {
    // Development builds say why they panicked; release builds stay small and just stop.
    #[cfg(debug_assertions)]
    std::panic::set_hook(Box::new(|info| console_error(&info.to_string())));
    let config = match WidgetConfig::from_json(config_json) {
        Ok(c) => c,
        Err(e) => return console_error(&e.0),
    };
    let Some(endpoint) = resolve_url(&config.endpoint) else {
        return console_error(&format!(
            "data-endpoint \"{}\" is not an http(s) URL",
            config.endpoint
        ));
    };
    // Leptos' executor starts with the first mount; until then, futures run on wasm-bindgen's.
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(message) = show(config, endpoint, survey_request).await {
            console_error(&message);
        }
        // Then the responses an earlier page could not deliver, whatever happened above.
        delivery::flush().await;
    });
}

/// Load the survey and mount it; every error is worded for the site owner.
async fn show(
    config: WidgetConfig,
    endpoint: String,
    started: Option<js_sys::Promise>,
) -> Result<(), String> {
    let parent = host::find_parent(config.target.as_deref())?;
    let definition = match &config.survey {
        SurveySource::Remote(id) => {
            transport::fetch_definition(&format!("{endpoint}/surveys/{id}"), started).await?
        }
        SurveySource::Inline(selector) => inline_definition(selector)?,
    };
    mount(
        definition,
        &config,
        &parent,
        format!("{endpoint}/responses"),
    )
}

/// Read the definition from the JSON text of the element `selector` finds.
fn inline_definition(selector: &str) -> Result<SurveyDefinition, String> {
    let element = window()
        .document()
        .and_then(|d| d.query_selector(selector).ok().flatten())
        .ok_or_else(|| {
            format!("data-survey-inline \"{selector}\" matches no element on this page")
        })?;
    let text = element.text_content().unwrap_or_default();
    SurveyDefinition::from_json(&text)
        .map_err(|p| format!("the inline survey in \"{selector}\" is invalid: {p}"))
}

/// Render the survey into a new host element in `parent`.
pub fn mount(
    definition: SurveyDefinition,
    config: &WidgetConfig,
    parent: &web_sys::Element,
    responses_url: String,
) -> Result<(), String> {
    let wanted = config.locale.clone().unwrap_or_else(page_language);
    let locale = definition.locales.negotiate(&wanted).to_owned();
    let strings = i18n::strings(&locale);
    let (_host, root) = host::create(parent, &locale, strings.rtl)?;
    let session = SurveySession::new(
        Arc::new(definition),
        locale,
        now_rfc3339(),
        browser::random_uuid(),
    );
    leptos::mount::mount_to(root, move || {
        let session = RwSignal::new(session);
        view! { <ui::SurveyWidget session=session responses_url=responses_url strings=strings /> }
    })
    .forget();
    Ok(())
}
