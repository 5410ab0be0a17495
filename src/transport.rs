//! Talking to the endpoint: fetch a survey definition, POST a response.

use gloo_net::http::{Request, Response};
use js_sys::Promise;
use sayso_schema::SurveyDefinition;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, RequestCredentials};

/// How long a request may take before it counts as failed (and the response stays queued).
const TIMEOUT_MS: u32 = 15_000;

/// What became of one attempt to deliver a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// The endpoint acknowledged it (2xx): it is stored.
    Stored,
    /// The endpoint refused it for good (a 4xx other than 408 and 429): retrying cannot help.
    Rejected(String),
    /// No answer, or a temporary failure: keep it and try again later.
    Failed(String),
}

/// Classify an HTTP status for a POSTed response.
pub fn delivery_for_status(status: u16, detail: String) -> Delivery {
    match status {
        200..=299 => Delivery::Stored,
        408 | 429 => Delivery::Failed(format!("the endpoint answered {status}")),
        400..=499 => Delivery::Rejected(format!(
            "the endpoint refused the response ({status}): {detail}"
        )),
        _ => Delivery::Failed(format!("the endpoint answered {status}")),
    }
}

/// POST `body` (a response as JSON) to `url`. It is sent as `text/plain`, a CORS-safelisted
/// type, so that a cross-origin endpoint needs no preflight round trip; the collector parses it
/// as JSON all the same. No cookies are sent.
pub async fn post_response(url: &str, body: &str) -> Delivery {
    let request = Request::post(url)
        .header("content-type", "text/plain;charset=UTF-8")
        .credentials(RequestCredentials::Omit)
        .abort_signal(Some(&AbortSignal::timeout_with_u32(TIMEOUT_MS)))
        .body(body.to_owned());
    let response = match request {
        Ok(r) => r.send().await,
        Err(e) => return Delivery::Failed(e.to_string()),
    };
    match response {
        Ok(r) => {
            let status = r.status();
            let detail = if (400..500).contains(&status) {
                problem_summary(&r.text().await.unwrap_or_default())
            } else {
                String::new()
            };
            delivery_for_status(status, detail)
        }
        Err(e) => Delivery::Failed(format!("could not reach {url} ({e})")),
    }
}

/// Fetch and validate the survey definition at `url`, or take the response of the request the
/// loader already `started` for it (the loader starts it early to save a round trip).
pub async fn fetch_definition(
    url: &str,
    started: Option<Promise>,
) -> Result<SurveyDefinition, String> {
    // The loader's request counts only if it asked for exactly this URL and got an answer;
    // otherwise ask again, so that nothing the loader guessed decides the outcome.
    let early = match started {
        Some(promise) => JsFuture::from(promise)
            .await
            .ok()
            .map(|r| r.unchecked_into::<web_sys::Response>()),
        None => None,
    };
    let response = match early.filter(|r| r.url() == url) {
        Some(r) => Response::from(r),
        None => Request::get(url)
            .credentials(RequestCredentials::Omit)
            .abort_signal(Some(&AbortSignal::timeout_with_u32(TIMEOUT_MS)))
            .send()
            .await
            .map_err(|e| format!("could not load the survey from {url} ({e})"))?,
    };
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    match status {
        200..=299 => SurveyDefinition::from_json(&text)
            .map_err(|p| format!("the survey at {url} is invalid: {p}")),
        404 => Err(format!(
            "there is no survey at {url} (404): check data-survey"
        )),
        _ => Err(format!(
            "could not load the survey from {url} ({status}: {})",
            problem_summary(&text)
        )),
    }
}

/// The `detail` (or `title`) of an RFC 9457 problem document, else the text itself, shortened.
pub fn problem_summary(text: &str) -> String {
    let parsed = sayso_schema::Json::parse(text).ok();
    let field = |k: &str| {
        parsed
            .as_ref()
            .and_then(|v| v.get(k))
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    };
    let summary = field("detail")
        .or_else(|| field("title"))
        .unwrap_or_else(|| text.to_owned());
    summary.chars().take(300).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_decide_whether_to_retry() {
        assert_eq!(delivery_for_status(201, String::new()), Delivery::Stored);
        assert_eq!(delivery_for_status(200, String::new()), Delivery::Stored);
        assert!(
            matches!(delivery_for_status(422, "bad".into()), Delivery::Rejected(m) if m.contains("bad"))
        );
        for retry in [408, 429, 500, 502, 503] {
            assert!(
                matches!(
                    delivery_for_status(retry, String::new()),
                    Delivery::Failed(_)
                ),
                "{retry}"
            );
        }
    }

    #[test]
    fn problem_documents_are_summarised() {
        let p = r#"{"type":"about:blank","title":"Invalid response","status":422,"detail":"$.answers.nps: expected an integer from 0 to 10"}"#;
        assert_eq!(
            problem_summary(p),
            "$.answers.nps: expected an integer from 0 to 10"
        );
        assert_eq!(problem_summary("Bad Gateway"), "Bad Gateway");
    }
}
