//! Webhooks: every completed response, POSTed to the site owner's URLs, signed, at least once.
//!
//! A delivery is written in the transaction that stores its response (see `store`), so a
//! committed response has its deliveries whatever crashes afterwards. One task per collector
//! claims the deliveries that are due, leasing them for [`LEASE`] so that another collector on
//! the same PostgreSQL database does not send them too; POSTs each (at most [`TIMEOUT`], no
//! redirects: a response goes nowhere but the configured URL); deletes it on a 2xx answer, and
//! otherwise tries again later, each wait twice the last, up to [`MAX_BACKOFF`]. A receiver may
//! see an event twice (a crash between its answer and the delete): it deduplicates by `id`.
//! Only deliveries for the collector's own `--webhook` URLs are sent: those for a URL taken out
//! of the configuration wait, unsent (the dashboard shows them), until it is put back or their
//! response is erased.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use sayso_schema::{Answer, Json, JsonObject, QuestionKind, Response, SurveyDefinition};
use sha2::Sha256;
use tokio::sync::Notify;

use crate::config::Secret;
use crate::metrics::Metrics;
use crate::store::{Delivery, ResponseStore};

/// Longest wait between two attempts of one delivery.
pub const MAX_BACKOFF: Duration = Duration::from_secs(3600);
/// Longest a receiver may take to answer.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// How long a claimed delivery stays with the collector that claimed it: longer than an
/// attempt takes, so that nobody else sends it meanwhile; short enough that a delivery claimed
/// by a collector that then died is soon sent by another.
pub const LEASE: Duration = Duration::from_secs(60);
/// Path segments this long are taken for tokens and never shown (see [`display_url`]).
pub const TOKEN_CHARS: usize = 16;
/// Deliveries sent at once.
const BATCH: u32 = 16;
/// Longest the task sleeps with nothing due (another collector may have added deliveries).
const IDLE: Duration = Duration::from_secs(30);

/// The webhooks of a collector.
#[derive(Debug, Clone)]
pub struct Webhooks {
    /// Where every completed response goes.
    pub urls: Vec<String>,
    /// The key of the signatures.
    pub secret: Secret,
    /// Wait before the first retry.
    pub retry: Duration,
}

/// What a response asks of the people reading it: `detractor` (an NPS of 0 to 6),
/// `dissatisfied` (a CSAT of 1 or 2), `contact_requested` (contact details were left). A
/// receiver can route these to whoever follows up.
pub fn alerts(definition: &SurveyDefinition, response: &Response) -> Vec<&'static str> {
    let answers = response.typed_answers(definition);
    let mut alerts = Vec::new();
    let mut raise = |alert| {
        if !alerts.contains(&alert) {
            alerts.push(alert);
        }
    };
    for question in &definition.questions {
        match (&question.kind, answers.get(&question.id)) {
            (QuestionKind::Nps { .. }, Some(Answer::Score(score))) if *score <= 6 => {
                raise("detractor")
            }
            (QuestionKind::Csat { .. }, Some(Answer::Score(score))) if *score <= 2 => {
                raise("dissatisfied")
            }
            (QuestionKind::Contact { .. }, Some(Answer::Contact(_))) => raise("contact_requested"),
            _ => {}
        }
    }
    alerts
}

/// The event sent for a completed response: its type, id (the response id), survey, alerts
/// and the whole response as stored.
pub fn event(response: &Response, alerts: &[&'static str]) -> String {
    let mut survey = JsonObject::new();
    survey.insert("id", response.survey.id.as_str());
    survey.insert("version", response.survey.version);
    let mut event = JsonObject::new();
    event.insert("type", "response.completed");
    event.insert("id", response.id.as_str());
    event.insert("survey", Json::Object(survey));
    event.insert(
        "alerts",
        Json::Array(alerts.iter().map(|a| Json::from(*a)).collect()),
    );
    event.insert("response", response.to_json());
    Json::Object(event).to_string()
}

/// The `Sayso-Signature` header of `body` sent at `timestamp` (Unix seconds):
/// `t=<timestamp>,v1=<hex HMAC-SHA256 of "<timestamp>.<body>">`. The timestamp lets a receiver
/// refuse old replays.
pub fn signature(secret: &Secret, timestamp: u64, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.expose().as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    let digest = mac.finalize().into_bytes();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("t={timestamp},v1={hex}")
}

/// The wait after failed attempt number `attempts` (1 for the first): `first`, doubled for
/// each further attempt, at most [`MAX_BACKOFF`], less up to a fifth (spread by `seq`, so that
/// deliveries that failed together do not all come back together).
pub fn backoff(first: Duration, attempts: u32, seq: i64) -> Duration {
    let doubled = first.saturating_mul(1 << attempts.saturating_sub(1).min(20));
    let wait = doubled.min(MAX_BACKOFF);
    let spread = (seq.unsigned_abs().wrapping_mul(2_654_435_761) % 1000) as u32;
    wait - wait / 5 * spread / 1000
}

/// `url` as logs and the dashboard show it: without the places receivers keep a token. The
/// user name, password, query and fragment go, and so does any path segment of
/// [`TOKEN_CHARS`] or more characters (`https://hooks.example/in/T01/B02/Xy7...?key=...` is
/// shown as `https://hooks.example/in/T01/B02/…?…`); identifiers are shorter, so two
/// webhooks on one host still look different.
pub fn display_url(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let end = rest.find(['?', '#']).unwrap_or(rest.len());
    let (location, hidden) = rest.split_at(end);
    let authority_end = location.find('/').unwrap_or(location.len());
    let (authority, path) = location.split_at(authority_end);
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let path: Vec<&str> = path
        .split('/')
        .map(|segment| {
            if segment.chars().count() >= TOKEN_CHARS {
                "…"
            } else {
                segment
            }
        })
        .collect();
    let path = path.join("/");
    let mut shown = if scheme.is_empty() {
        format!("{host}{path}")
    } else {
        format!("{scheme}://{host}{path}")
    };
    if !hidden.is_empty() {
        shown.push_str("?…");
    }
    shown
}

/// Now, in Unix milliseconds (the clock of `next_attempt_ms`).
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// The delivery task: runs until the store is closed.
pub async fn run(
    store: ResponseStore,
    webhooks: Webhooks,
    wake: Arc<Notify>,
    metrics: Arc<Metrics>,
) {
    let client = match reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(TIMEOUT)
        .user_agent(concat!("sayso-collector/", env!("CARGO_PKG_VERSION")))
        .build()
    {
        Ok(client) => client,
        Err(e) => {
            tracing::error!(error = %e, "webhooks are off: no HTTP client");
            return;
        }
    };
    loop {
        let sending = store.sending().await;
        if store.is_closed() {
            return;
        }
        let now = now_ms();
        let claimed = store
            .claim_deliveries(now, now + ms(LEASE), BATCH, &webhooks.urls)
            .await
            .unwrap_or_default();
        let sends = claimed.iter().map(|d| send(&client, &webhooks.secret, d));
        let results = futures_util::future::join_all(sends).await;
        for (delivery, result) in claimed.iter().zip(results) {
            metrics.delivery(result.is_ok());
            match result {
                Ok(()) => {
                    let _ = store.delivered(delivery).await;
                }
                Err(error) => {
                    let attempts = delivery.attempts + 1;
                    let wait = backoff(webhooks.retry, attempts, delivery.seq);
                    tracing::warn!(
                        url = %display_url(&delivery.url), event = %delivery.event_id,
                        attempts, %error,
                        retry_in_ms = ms(wait), "webhook delivery failed"
                    );
                    let next = now_ms() + ms(wait);
                    let _ = store.retry_delivery(delivery, attempts, next, &error).await;
                }
            }
        }
        drop(sending);
        if claimed.len() == BATCH as usize {
            continue;
        }
        // Sleep until the next delivery is due, new ones are written, or the store closes.
        let pause = match store.next_delivery_due(&webhooks.urls).await {
            Ok(Some(due)) => Duration::from_millis(u64::try_from(due - now_ms()).unwrap_or(0)),
            _ => IDLE,
        };
        if !pause.is_zero() {
            let _ = tokio::time::timeout(pause.min(IDLE), wake.notified()).await;
        }
    }
}

/// One attempt: `Ok` when the receiver answered 2xx.
async fn send(
    client: &reqwest::Client,
    secret: &Secret,
    delivery: &Delivery,
) -> Result<(), String> {
    let timestamp = u64::try_from(now_ms() / 1000).unwrap_or(0);
    let answer = client
        .post(&delivery.url)
        .header("content-type", "application/json")
        .header("sayso-event", "response.completed")
        .header(
            "sayso-signature",
            signature(secret, timestamp, &delivery.body),
        )
        .body(delivery.body.clone())
        .send()
        .await
        .map_err(|e| failure(&e.without_url()))?;
    if answer.status().is_success() {
        Ok(())
    } else {
        Err(format!("answered {}", answer.status()))
    }
}

/// Why a request failed, with the causes (the URL is left out: it may hold a token).
fn failure(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(e) = cause {
        let more = e.to_string();
        // hyper's and reqwest's layers often repeat their cause's words.
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        cause = e.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    const SURVEY: &str = r#"{
        "id": "s", "version": 1, "title": "T",
        "questions": [
            {"id": "nps", "kind": "nps", "title": "Recommend?"},
            {"id": "csat", "kind": "csat", "title": "Satisfied?"},
            {"id": "ok", "kind": "consent", "title": "May we contact you?",
             "label": "Yes, you may.", "required": false},
            {"id": "reach", "kind": "contact", "title": "How?", "channel": "email",
             "consent_question": "ok", "required": false}
        ]
    }"#;

    fn response(answers: &str) -> Response {
        Response::from_json(&format!(
            r#"{{"schema": "sayso.response/v1", "id": "00000000-0000-4000-8000-000000000001",
                "survey": {{"id": "s", "version": 1}}, "answers": {answers},
                "context": {{"url": "https://c.example/", "locale": "en",
                    "started_at": "2026-01-31T09:30:00Z", "submitted_at": "2026-01-31T09:31:00Z"}}}}"#
        ))
        .unwrap()
    }

    #[test]
    fn alerts_of_every_case() {
        let definition = SurveyDefinition::from_json(SURVEY).unwrap();
        let cases: [(&str, &[&str]); 7] = [
            (r#"{"nps": 9, "csat": 5}"#, &[]),
            (r#"{"nps": 7, "csat": 3}"#, &[]),
            (r#"{"nps": 6, "csat": 3}"#, &["detractor"]),
            (r#"{"nps": 0, "csat": 1}"#, &["detractor", "dissatisfied"]),
            (r#"{"nps": 10, "csat": 2}"#, &["dissatisfied"]),
            (
                r#"{"nps": 3, "csat": 4, "ok": true, "reach": {"email": "a@b.example"}}"#,
                &["detractor", "contact_requested"],
            ),
            (r#"{"nps": 8, "csat": 4, "ok": false}"#, &[]),
        ];
        for (answers, want) in cases {
            let r = response(answers);
            r.validate_against(&definition).expect(answers);
            assert_eq!(alerts(&definition, &r), want, "{answers}");
        }
    }

    #[test]
    fn the_event_carries_the_stored_response() {
        let r = response(r#"{"nps": 3, "csat": 4}"#);
        let event = Json::parse(&event(&r, &["detractor"])).unwrap();
        assert_eq!(
            event.get("type").unwrap().as_str(),
            Some("response.completed")
        );
        assert_eq!(event.get("id").unwrap().as_str(), Some(r.id.as_str()));
        assert_eq!(
            event.get("survey").unwrap().get("id").unwrap().as_str(),
            Some("s")
        );
        assert_eq!(
            event.get("alerts").unwrap().as_array().unwrap(),
            [Json::from("detractor")]
        );
        // The response as the store writes it.
        assert_eq!(
            event.get("response").unwrap(),
            &Json::parse(&crate::store::NewRow::new(&r).body).unwrap()
        );
    }

    #[test]
    fn signatures_are_hmac_sha256_of_time_and_body() {
        let secret = Secret::new("key").unwrap();
        // HMAC-SHA256("key", "1700000000.{}"), computed independently (Python hmac).
        assert_eq!(
            signature(&secret, 1_700_000_000, "{}"),
            "t=1700000000,v1=9d713ed406bb7076d4123f0dc2c39d2df5c654ed4b0cd56b52c8b4c940bd63ae"
        );
    }

    #[test]
    fn urls_are_shown_without_credentials_query_or_path_tokens() {
        let cases = [
            ("https://hooks.example/in", "https://hooks.example/in"),
            ("https://hooks.example", "https://hooks.example"),
            (
                "https://user:pa55@hooks.example:8443/a/b?key=s3cret#x",
                "https://hooks.example:8443/a/b?…",
            ),
            ("http://127.0.0.1:9/in#frag", "http://127.0.0.1:9/in?…"),
            ("https://a@b@hooks.example/p", "https://hooks.example/p"),
            ("https://hooks.example/p@q", "https://hooks.example/p@q"),
            // Tokens in the path: Slack-, Discord- and Make-style URLs.
            (
                "https://hooks.example/services/T0123ABCD/B0456EFGH/aB3dE6gH9jK2mN5pQ8sT1vW4",
                "https://hooks.example/services/T0123ABCD/B0456EFGH/…",
            ),
            (
                "https://chat.example/api/webhooks/1234567890123456789/tok_abcdefghijkl?wait=1",
                "https://chat.example/api/webhooks/…/…?…",
            ),
            (
                "https://hook.example/abcdefghijklmnop",
                "https://hook.example/…",
            ),
            (
                "https://hook.example/abcdefghijklmno/",
                "https://hook.example/abcdefghijklmno/",
            ),
        ];
        for (url, shown) in cases {
            assert_eq!(display_url(url), shown, "{url}");
        }
    }

    #[test]
    fn retries_back_off_to_an_hour() {
        let first = Duration::from_secs(10);
        let waits: Vec<u64> = (1..=12).map(|n| backoff(first, n, 0).as_secs()).collect();
        assert_eq!(
            waits,
            [10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600, 3600, 3600]
        );
        assert_eq!(backoff(first, u32::MAX, 0), MAX_BACKOFF);
        for seq in 0..200 {
            let wait = backoff(first, 3, seq);
            assert!(wait <= Duration::from_secs(40) && wait >= Duration::from_secs(32));
        }
        let spread: std::collections::BTreeSet<_> = (0..50).map(|s| backoff(first, 3, s)).collect();
        assert!(
            spread.len() > 10,
            "deliveries that failed together spread out"
        );
    }
}
