//! # Sayso widget
//!
//! The survey a visitor sees, compiled to WebAssembly and started by the `sayso.js` loader:
//! read the configuration, load and validate the survey, render it in a shadow root, and
//! deliver the response through the outbox. See ARCHITECTURE.md for the whole picture.
//!
//! Logic lives in plain modules tested natively ([`config`], [`session`], [`outbox`],
//! [`transport`] rules, [`i18n`]); [`ui`] only displays it.

pub mod api;
pub mod browser;
pub mod config;
pub mod delivery;
pub mod dom;
pub mod form;
pub mod host;
pub mod i18n;
pub mod outbox;
pub mod present;
pub mod questions;
pub mod redact;
pub mod session;
pub mod transport;
pub mod ui;
pub mod visitor;

use std::rc::Rc;
use std::sync::Arc;

use leptos::prelude::*;
use sayso_schema::{Mode, SurveyDefinition};
use wasm_bindgen::prelude::*;

use crate::browser::{now_rfc3339, page_language, resolve_url, window};
use crate::config::{SurveySource, WidgetConfig};
use crate::session::SurveySession;

/// Entry point, called by the loader with its configuration as JSON, the request for the
/// survey definition when it could start it early, and `window.Sayso` (whose queued calls are
/// replayed). Never throws: every failure is one `console.error` (and a `sayso:error` event)
/// and the page is left as it was.
#[wasm_bindgen]
pub fn start(config_json: &str, survey_request: Option<js_sys::Promise>, api: JsValue) {
    // Development builds say why they panicked; release builds stay small and just stop.
    #[cfg(debug_assertions)]
    std::panic::set_hook(Box::new(|info| browser::console_error(&info.to_string())));
    if api.is_object() {
        api::install(&api, present::controls());
    }
    for warning in config::misspelt(config_json) {
        browser::console_warn(&warning);
    }
    let config = match WidgetConfig::from_json(config_json) {
        Ok(c) => c,
        Err(e) => return api::error(&e.0),
    };
    // Resolved, then without its final `/` (`https://x` resolves to `https://x/`): paths
    // such as `/responses` are added to it.
    let resolved = resolve_url(&config.endpoint);
    let Some(endpoint) = resolved.map(|e| e.trim_end_matches('/').to_owned()) else {
        return api::error(&format!(
            "data-endpoint \"{}\" is not an http(s) URL",
            config.endpoint
        ));
    };
    // Leptos' executor starts with the first mount; until then, futures run on wasm-bindgen's.
    // Starting is cut into tasks, so that none is a long task on the host page: this call;
    // reading the survey; checking it and deciding whether it shows (`present`); building it.
    wasm_bindgen_futures::spawn_local(async move {
        browser::yield_to_browser().await;
        match load(&config, &endpoint, survey_request).await {
            Ok(definition) => present::begin(definition, &config, &endpoint),
            Err(message) => api::error(&message),
        }
        // Then the responses an earlier page could not deliver, whatever happened above; in a
        // task of their own, so that the task which read the survey stays short.
        browser::yield_to_browser().await;
        delivery::flush().await;
    });
}

/// Load the survey, apply the tag's overrides and check where it goes; every error is worded
/// for the site owner.
async fn load(
    config: &WidgetConfig,
    endpoint: &str,
    started: Option<js_sys::Promise>,
) -> Result<SurveyDefinition, String> {
    let (text, source) = match &config.survey {
        SurveySource::Remote(id) => {
            api::set_survey(id);
            let url = format!("{endpoint}/surveys/{id}");
            let text = transport::fetch_definition(&url, started).await?;
            (text, format!("the survey at {url}"))
        }
        SurveySource::Inline(selector) => (
            inline_text(selector)?,
            format!("the inline survey in \"{selector}\""),
        ),
    };
    let mut definition = read_and_check(&text)
        .await
        .map_err(|p| format!("{source} is invalid: {p}"))?;
    api::set_survey(&definition.id);
    if config.overrides != Default::default() {
        config.overrides.apply(&mut definition)?;
    }
    if definition.display.mode == Mode::Inline {
        host::find_parent(config.target.as_deref())?;
    }
    Ok(definition)
}

/// Read a definition, then check it in a task of its own: the first run of either is much of
/// the widget's code, which the browser compiles as it goes, and together they made a long
/// task on a slow phone.
async fn read_and_check(text: &str) -> Result<SurveyDefinition, sayso_schema::Problems> {
    browser::yield_to_browser().await;
    let definition = SurveyDefinition::read_json(text)?;
    browser::yield_to_browser().await;
    definition.validate()?;
    Ok(definition)
}

/// The JSON text of the element `selector` finds.
fn inline_text(selector: &str) -> Result<String, String> {
    let element = window()
        .document()
        .and_then(|d| d.query_selector(selector).ok().flatten())
        .ok_or_else(|| {
            format!("data-survey-inline \"{selector}\" matches no element on this page")
        })?;
    Ok(element.text_content().unwrap_or_default())
}

/// Render `session` into `root` (the mount point of a frame). `sent` hears of each response the
/// visitor sends.
pub fn mount_widget(
    root: web_sys::HtmlElement,
    session: SurveySession,
    strings: &'static i18n::Strings,
    responses_url: String,
    sent: Option<ui::SentHook>,
    ready: Option<Rc<dyn Fn()>>,
) {
    leptos::mount::mount_to(root, move || {
        let session = RwSignal::new(session);
        view! { <ui::SurveyWidget session=session responses_url=responses_url strings=strings on_sent=sent on_ready=ready /> }
    })
    .forget();
}

/// Render `definition` inline and open into `parent`, as the loader would with no trigger
/// (for tests and for pages that embed the crate).
pub fn mount(
    definition: SurveyDefinition,
    config: &WidgetConfig,
    parent: &web_sys::Element,
    responses_url: String,
) -> Result<(), String> {
    let wanted = config.locale.clone().unwrap_or_else(page_language);
    let locale = definition.locales.negotiate(&wanted).to_owned();
    let strings = i18n::for_survey(&definition, &locale);
    let title = definition.text(&definition.title, &locale).to_owned();
    let frame = host::Frame::create(
        parent,
        &host::FrameSpec {
            mode: Mode::Inline,
            corner: definition.display.position,
            locale: &locale,
            strings,
            title: &title,
            launcher_label: strings.launcher,
            theme: &definition.theme,
        },
    )?;
    frame.present(false);
    let session = SurveySession::new(
        Arc::new(definition),
        locale,
        now_rfc3339(),
        browser::random_uuid(),
    );
    mount_widget(frame.root, session, strings, responses_url, None, None);
    Ok(())
}
