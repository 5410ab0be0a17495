//! Talking to the endpoint: fetch a survey definition, POST a response.

use gloo_net::http::{Request, Response};
use js_sys::Promise;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, RequestCredentials};

/// How long a request may take before it counts as failed (and the response stays queued).
const TIMEOUT_MS: u32 = 15_000;

/// A signal that aborts a request after [`TIMEOUT_MS`], where the browser has
/// `AbortSignal.timeout` (Safari 16, Chrome 103, Firefox 100); older ones wait as long as their
/// network stack does. Looked up, not called blindly: the call would throw into the page there.
fn timeout() -> Option<AbortSignal> {
    let class = js_sys::Reflect::get(&js_sys::global(), &"AbortSignal".into()).ok()?;
    let make = js_sys::Reflect::get(&class, &"timeout".into())
        .ok()?
        .dyn_into::<js_sys::Function>()
        .ok()?;
    make.call1(&class, &TIMEOUT_MS.into()).ok()?.dyn_into().ok()
}

/// What became of one attempt to deliver a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// The endpoint acknowledged it (2xx): it is stored.
    Stored,
    /// The endpoint refused it for good (a 4xx other than 408 and 429): retrying cannot help.
    Rejected(String),
    /// No answer, or a temporary failure: keep it and try again later; `wait_ms` is how long
    /// the endpoint asked us to wait first (`Retry-After`), if it said. Why it failed is not
    /// kept: nothing shows it (the browser's console already names a failed request), and its
    /// texts would only add to the wasm.
    Failed { wait_ms: Option<u32> },
}

impl Delivery {
    /// A failure the endpoint gave no wait for.
    pub const FAILED: Self = Self::Failed { wait_ms: None };
}

/// The wait before the first retry after a failed attempt; it doubles after each further failure.
pub const RETRY_BASE_MS: u32 = 2_000;
/// The longest wait between retries (5 minutes).
pub const RETRY_CAP_MS: u32 = 300_000;

/// How long to wait (ms) before retrying after the `failures`-th failed attempt in a row
/// (0 for the first): base 2 s doubled per failure up to 5 min, with "equal jitter" — half of
/// that fixed, half random — so that visitors whose endpoint came back at the same moment do
/// not all retry together, and no retry comes sooner than half the schedule. `random01` is a
/// random number in `[0, 1)` (out-of-range values are clamped); the caller supplies it, so this
/// stays a pure function.
pub fn retry_delay(failures: u32, random01: f64) -> u32 {
    let doubled = 1u32
        .checked_shl(failures)
        .map_or(u32::MAX, |f| RETRY_BASE_MS.saturating_mul(f));
    let ceiling = doubled.min(RETRY_CAP_MS);
    let half = ceiling / 2;
    // `as` saturates and turns NaN into 0.
    half + (f64::from(ceiling - half) * random01.clamp(0.0, 1.0)) as u32
}

/// The wait (ms) a `Retry-After` header value asks for, in its delay-seconds form, at most
/// [`RETRY_CAP_MS`]. The HTTP-date form is not read (the backoff alone decides then): an
/// endpoint that limits rates sends seconds, and a date would need the visitor's clock.
pub fn retry_after_ms(value: &str) -> Option<u32> {
    let digits = value.as_bytes().trim_ascii();
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    // By hand, not `str::parse`, which would bring its generic code into the wasm.
    let seconds = digits.iter().fold(0u32, |n, d| {
        n.saturating_mul(10).saturating_add(u32::from(d - b'0'))
    });
    Some(seconds.saturating_mul(1000).min(RETRY_CAP_MS))
}

/// The wait (ms) before the next retry: the backoff of [`retry_delay`], or longer when the
/// endpoint asked for a longer wait (`Retry-After`: a 429 from a rate limit, a 503 while it
/// restarts). A requested wait is spread over up to a fifth more, so that the visitors it
/// turned away do not all come back in the same second; never past [`RETRY_CAP_MS`].
pub fn next_retry(failures: u32, random01: f64, asked_ms: Option<u32>) -> u32 {
    let backoff = retry_delay(failures, random01);
    let Some(asked) = asked_ms else {
        return backoff;
    };
    let asked = asked.min(RETRY_CAP_MS);
    let spread = (f64::from(asked / 5) * random01.clamp(0.0, 1.0)) as u32;
    backoff.max((asked + spread).min(RETRY_CAP_MS))
}

/// Classify an HTTP status for a POSTed response; `retry_after` is its `Retry-After` header.
pub fn delivery_for_status(status: u16, detail: String, retry_after: Option<&str>) -> Delivery {
    match status {
        200..=299 => Delivery::Stored,
        400..=499 if !matches!(status, 408 | 429) => Delivery::Rejected(format!(
            "the endpoint refused the response ({status}): {detail}"
        )),
        _ => Delivery::Failed {
            wait_ms: retry_after.and_then(retry_after_ms),
        },
    }
}

/// POST `body` (a response as JSON) to `url`. It is sent as `text/plain`, a CORS-safelisted
/// type, so that a cross-origin endpoint needs no preflight round trip; the collector parses it
/// as JSON all the same. No cookies are sent.
pub async fn post_response(url: &str, body: &str) -> Delivery {
    let request = Request::post(url)
        .header("content-type", "text/plain;charset=UTF-8")
        .credentials(RequestCredentials::Omit)
        .abort_signal(timeout().as_ref())
        .body(body.to_owned());
    let response = match request {
        Ok(r) => r.send().await,
        Err(_) => return Delivery::FAILED,
    };
    match response {
        Ok(r) => {
            let status = r.status();
            // Read the body whatever the status: until it is read the request is not over
            // (the browser keeps the connection busy, and the page never goes network-idle).
            let text = r.text().await.unwrap_or_default();
            let detail = if (400..500).contains(&status) {
                problem_summary(&text)
            } else {
                String::new()
            };
            // Readable cross-origin only if the endpoint exposes it (the collector does).
            let retry_after = r.headers().get("retry-after");
            delivery_for_status(status, detail, retry_after.as_deref())
        }
        Err(_) => Delivery::FAILED,
    }
}

/// What the browser said went wrong with a request. Not `gloo_net::Error`'s own `Display`: that
/// one also formats JSON decoding errors, which we never ask for, and would bring serde_json's
/// and std's I/O error texts into the wasm (1.5 KB).
fn reason(e: gloo_net::Error) -> String {
    match e {
        gloo_net::Error::JsError(e) => e.to_string(),
        gloo_net::Error::GlooError(e) => e,
        _ => "the request failed".to_owned(),
    }
}

/// Fetch the text of the survey definition at `url`, or take the response of the request the
/// loader already `started` for it (the loader starts it early to save a round trip).
pub async fn fetch_definition(url: &str, started: Option<Promise>) -> Result<String, String> {
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
            .abort_signal(timeout().as_ref())
            .send()
            .await
            .map_err(|e| format!("could not load the survey from {url} ({})", reason(e)))?,
    };
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    match status {
        200..=299 => Ok(text),
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
        assert_eq!(
            delivery_for_status(201, String::new(), None),
            Delivery::Stored
        );
        assert_eq!(
            delivery_for_status(200, String::new(), Some("9")),
            Delivery::Stored
        );
        assert!(
            matches!(delivery_for_status(422, "bad".into(), None), Delivery::Rejected(m) if m.contains("bad"))
        );
        for retry in [408, 429, 500, 502, 503] {
            assert_eq!(
                delivery_for_status(retry, String::new(), None),
                Delivery::FAILED,
            );
            assert!(
                matches!(
                    delivery_for_status(retry, String::new(), Some(" 30 ")),
                    Delivery::Failed {
                        wait_ms: Some(30_000)
                    }
                ),
                "{retry}"
            );
        }
        // A 4xx that cannot succeed later is not retried, whatever it says about waiting.
        assert!(matches!(
            delivery_for_status(400, String::new(), Some("5")),
            Delivery::Rejected(_)
        ));
    }

    #[test]
    fn retry_after_is_read_in_seconds_and_capped() {
        let table: &[(&str, Option<u32>)] = &[
            ("0", Some(0)),
            ("1", Some(1_000)),
            (" 12\t", Some(12_000)),
            ("300", Some(300_000)),
            ("301", Some(RETRY_CAP_MS)),
            ("99999999999999999999", Some(RETRY_CAP_MS)),
            ("+5", None),
            ("18446744073709551615", Some(RETRY_CAP_MS)),
            ("-5", None),
            ("1.5", None),
            ("", None),
            ("Wed, 21 Oct 2026 07:28:00 GMT", None),
        ];
        for &(value, ms) in table {
            assert_eq!(retry_after_ms(value), ms, "{value:?}");
        }
    }

    #[test]
    fn a_requested_wait_outlasts_the_backoff_and_is_spread() {
        // (failures before, random, asked ms, wait ms)
        let table: &[(u32, f64, Option<u32>, u32)] = &[
            // Nothing asked: the backoff alone.
            (0, 0.5, None, 1_500),
            // Asked for less than the backoff: the backoff.
            (2, 0.0, Some(1_000), 4_000),
            // Asked for more: at least that, up to a fifth more.
            (0, 0.0, Some(5_000), 5_000),
            (0, 0.5, Some(5_000), 5_500),
            (0, 1.0, Some(5_000), 6_000),
            (0, 0.5, Some(0), 1_500),
            // Never past the cap, however much was asked or spread.
            (0, 1.0, Some(290_000), RETRY_CAP_MS),
            (0, 0.0, Some(u32::MAX), RETRY_CAP_MS),
            (0, f64::NAN, Some(10_000), 10_000),
        ];
        for &(failures, random, asked, wait) in table {
            assert_eq!(
                next_retry(failures, random, asked),
                wait,
                "next_retry({failures}, {random}, {asked:?})"
            );
        }
    }

    #[test]
    fn retries_back_off_exponentially_with_equal_jitter() {
        // (failures before, random, wait in ms)
        let table: &[(u32, f64, u32)] = &[
            (0, 0.0, 1_000),
            (0, 0.5, 1_500),
            (0, 0.999_999, 1_999),
            (0, 1.0, 2_000),
            (1, 0.0, 2_000),
            (1, 1.0, 4_000),
            (2, 0.0, 4_000),
            (2, 1.0, 8_000),
            (3, 0.25, 10_000),
            (6, 1.0, 128_000),
            (7, 0.0, 128_000),
            (7, 1.0, 256_000),
            // 2 s x 2^8 = 512 s: capped at 5 min.
            (8, 0.0, 150_000),
            (8, 1.0, 300_000),
            (20, 0.5, 225_000),
            (31, 1.0, 300_000),
            (32, 1.0, 300_000),
            (u32::MAX, 0.0, 150_000),
            // A broken random source cannot make it retry at once or never.
            (0, -3.0, 1_000),
            (0, 7.0, 2_000),
            (0, f64::NAN, 1_000),
            (u32::MAX, f64::INFINITY, 300_000),
        ];
        for &(failures, random, wait) in table {
            assert_eq!(
                retry_delay(failures, random),
                wait,
                "retry_delay({failures}, {random})"
            );
        }
    }

    #[test]
    fn retry_waits_stay_within_half_and_all_of_the_schedule() {
        for failures in 0..40 {
            let ceiling =
                (RETRY_BASE_MS as u64 * (1u64 << failures.min(20))).min(RETRY_CAP_MS as u64);
            for step in 0..=100 {
                let wait = u64::from(retry_delay(failures, f64::from(step) / 100.0));
                assert!(
                    ceiling / 2 <= wait && wait <= ceiling,
                    "{failures} {step}: {wait}"
                );
            }
            assert!(retry_delay(failures + 1, 0.0) >= retry_delay(failures, 0.0));
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
