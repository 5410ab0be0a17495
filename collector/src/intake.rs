//! `POST /v1/responses`: the widget's responses come in here.
//!
//! Order of checks: origin allowed by anyone, content type, size and read time, parse, survey
//! and version, origin allowed by that survey, the survey's privacy settings applied (query
//! strings dropped), validation against that version, durable write. A refusal stores nothing.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Extension, State};
use axum::http::StatusCode;
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use sayso_schema::{Json, JsonObject, Problems, SurveyRef};

use crate::cors;
use crate::problem::ApiError;
use crate::rate;
use crate::store::{Outcome, Unavailable};
use crate::{AppState, SurveyCatalog};

/// Largest response body accepted: far above a usual response (a long text answer is a few
/// KB), small enough that nobody can fill the database or memory with one request. The widget
/// keeps every response under it (see `MAX_RESPONSE_BYTES`).
pub const MAX_BODY_BYTES: usize = sayso_schema::MAX_RESPONSE_BYTES;

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new().route("/v1/responses", post(receive).options(preflight))
}

/// A preflight names no survey, so any survey's (or the collector's) allowed origins will do;
/// the POST itself is then checked against its own survey.
async fn preflight(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let catalog = state.catalog();
    cors::decide(&headers, |o| catalog.any_allows(o)).preflight()
}

async fn receive(
    State(state): State<AppState>,
    peer: Option<Extension<Peer>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let catalog = state.catalog();
    let cors = cors::decide(&headers, |o| catalog.any_allows(o));
    if !cors.permits() {
        state.metrics.refused(ApiError::OriginRefused.slug());
        return ApiError::OriginRefused.into_response();
    }
    let result = match within_rate(&state, peer.map(|Extension(Peer(ip))| ip), &headers) {
        Ok(()) => accept(&state, &catalog, &headers, body).await,
        Err(e) => Err(e),
    };
    match &result {
        Ok(stored) => state.metrics.acknowledged(stored.outcome),
        Err(e) => state.metrics.refused(e.slug()),
    }
    // Every answer here is readable by a page some survey allows, a refusal by this survey
    // included: an unreadable 403 looks to the widget like a network failure, and it would
    // retry, on every page load, a response that can never be stored.
    let mut response = result.into_response();
    cors.apply(response.headers_mut());
    response
}

/// The address of the connection a request came on (set by [`crate::serve`]).
#[derive(Debug, Clone, Copy)]
pub struct Peer(pub IpAddr);

/// Take one of the client's responses a minute, when the collector limits them; refused
/// before the body is read.
fn within_rate(
    state: &AppState,
    peer: Option<IpAddr>,
    headers: &HeaderMap,
) -> Result<(), ApiError> {
    let Some(limiter) = &state.rate_limit else {
        return Ok(());
    };
    let Some(client) = rate::client_address(peer, headers, state.client_ip_header.as_ref()) else {
        return Ok(());
    };
    limiter
        .take(client, Instant::now())
        .map_err(|wait| ApiError::RateLimited(wait.as_secs_f64().ceil() as u64))
}

async fn accept(
    state: &AppState,
    catalog: &SurveyCatalog,
    headers: &HeaderMap,
    body: Body,
) -> Result<Stored, ApiError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    if !is_accepted_content_type(content_type) {
        return Err(ApiError::UnsupportedMediaType);
    }
    let bytes = read_body(headers, body, state.read_timeout).await?;
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| ApiError::Malformed(Problems::single("$", "the body is not UTF-8 text")))?;
    let mut response = sayso_schema::Response::from_json(text).map_err(ApiError::Malformed)?;
    let definition = match catalog.definition_for(&response.survey) {
        Ok(definition) => definition,
        Err(problems) => return Err(not_known(state, catalog, &response.survey, problems).await),
    };
    let survey = catalog.get(&response.survey.id).expect("found just above");
    if !cors::decide(headers, |o| survey.allows(o)).permits() {
        return Err(ApiError::OriginRefused);
    }
    // Query strings go before anything else looks at the URLs (the widget has dropped them
    // already; other clients may not have).
    response.apply_privacy(&definition.privacy);
    response
        .validate_against(definition)
        .map_err(ApiError::Invalid)?;
    let outcome = if expired(state.retention_days, &response) {
        Outcome::Expired
    } else {
        state
            .store
            .save(&response, webhook_event(state, definition, &response))
            .await
            .map_err(|_| ApiError::Unavailable)?
    };
    tracing::info!(
        id = %response.id,
        survey = %response.survey.id,
        version = response.survey.version,
        partial = response.partial,
        outcome = outcome.as_str(),
        "response received"
    );
    let status = acknowledge(outcome).ok_or_else(|| {
        ApiError::Conflict(format!(
            "response id {} is already stored for another survey",
            response.id
        ))
    })?;
    Ok(Stored {
        id: response.id,
        outcome,
        status,
    })
}

/// The refusal of a response to a survey or version this collector does not have: for now
/// (503), never for good, when a rolling update is the reason (a newer version than its
/// newest, or a survey that a collector started later on the same database recorded), so that
/// the widget keeps the response and sends it again; for good (422) otherwise.
async fn not_known(
    state: &AppState,
    catalog: &SurveyCatalog,
    survey: &SurveyRef,
    problems: Problems,
) -> ApiError {
    let newer = match (catalog.get(&survey.id), catalog.versions(&survey.id)) {
        (Some(s), _) => survey.version > s.current.version,
        // Retired here: its file was removed on purpose.
        (None, Some(_)) => false,
        (None, None) => match state.store.others_know(survey).await {
            Ok(known) => known,
            Err(Unavailable) => return ApiError::Unavailable,
        },
    };
    if !newer {
        return ApiError::UnknownSurvey(problems);
    }
    tracing::warn!(
        survey = %survey.id, version = survey.version,
        "a response answers a survey version this collector does not have yet: give it that definition"
    );
    ApiError::VersionNotYetKnown(problems)
}

/// Whether `response` was submitted before the retention period of `days`: acknowledged, not
/// stored. Judged by the visitor's clock (`submitted_at`), the only time a copy sent again
/// carries; a clock that many days wrong is rarer than an old copy.
fn expired(days: Option<u32>, response: &sayso_schema::Response) -> bool {
    let Some(days) = days else { return false };
    response
        .context
        .submitted_at_utc()
        .is_some_and(|at| at < crate::retention::cutoff(crate::webhooks::now_ms(), days))
}

/// The webhook event of `response` when it completes and the collector sends webhooks: built
/// here, in the handler, so that the one writer task does not.
fn webhook_event(
    state: &AppState,
    definition: &sayso_schema::SurveyDefinition,
    response: &sayso_schema::Response,
) -> Option<String> {
    (state.store.sends_webhooks() && !response.partial)
        .then(|| crate::webhooks::event(response, &crate::webhooks::alerts(definition, response)))
}

/// Whether a body of this content type is read as a response: JSON, or plain text (what the
/// widget and `sendBeacon` send, because it needs no CORS preflight). Parameters such as
/// `charset` are ignored; the body must be UTF-8 either way.
pub fn is_accepted_content_type(content_type: Option<&str>) -> bool {
    let Some(value) = content_type else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or("").trim();
    essence.eq_ignore_ascii_case("application/json") || essence.eq_ignore_ascii_case("text/plain")
}

/// The HTTP status of a write's outcome: 201 when something new was stored, 200 when the
/// request changed a partial or nothing (an erased response included: the visitor's browser
/// must stop sending it); `None` for an id taken by another survey (answered as a 409 problem).
pub fn acknowledge(outcome: Outcome) -> Option<StatusCode> {
    match outcome {
        Outcome::Inserted | Outcome::Completed => Some(StatusCode::CREATED),
        Outcome::Updated | Outcome::Duplicate | Outcome::Erased | Outcome::Expired => {
            Some(StatusCode::OK)
        }
        Outcome::Conflict => None,
    }
}

/// The body, refusing more than [`MAX_BODY_BYTES`] (at once when `Content-Length` says so,
/// otherwise as soon as the limit is passed), and a body that takes longer than `timeout` to
/// arrive (a client that stalls must not hold the connection, or shutdown, forever).
async fn read_body(headers: &HeaderMap, body: Body, timeout: Duration) -> Result<Bytes, ApiError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return Err(ApiError::PayloadTooLarge);
    }
    let read = tokio::time::timeout(timeout, Limited::new(body, MAX_BODY_BYTES).collect());
    match read.await.map_err(|_| ApiError::RequestTimeout)? {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => Err(ApiError::PayloadTooLarge),
        Err(_) => Err(ApiError::BadRequest(
            "the body could not be read".to_owned(),
        )),
    }
}

/// A stored response, as acknowledged to the client.
#[derive(Debug)]
struct Stored {
    id: String,
    outcome: Outcome,
    status: StatusCode,
}

impl IntoResponse for Stored {
    fn into_response(self) -> Response {
        let mut o = JsonObject::new();
        o.insert("id", self.id);
        o.insert("status", self.outcome.as_str());
        let mut response = (self.status, Json::Object(o).to_string()).into_response();
        let h = response.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types() {
        for ok in [
            "application/json",
            "application/json; charset=utf-8",
            "text/plain;charset=UTF-8",
            "Text/Plain",
            "text/plain; charset=iso-8859-1",
        ] {
            assert!(is_accepted_content_type(Some(ok)), "{ok}");
        }
        for bad in [
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "text/html",
            "application/jsonp",
            "",
        ] {
            assert!(!is_accepted_content_type(Some(bad)), "{bad}");
        }
        assert!(!is_accepted_content_type(None));
    }

    #[test]
    fn outcome_statuses() {
        assert_eq!(acknowledge(Outcome::Inserted), Some(StatusCode::CREATED));
        assert_eq!(acknowledge(Outcome::Completed), Some(StatusCode::CREATED));
        assert_eq!(acknowledge(Outcome::Updated), Some(StatusCode::OK));
        assert_eq!(acknowledge(Outcome::Duplicate), Some(StatusCode::OK));
        assert_eq!(acknowledge(Outcome::Erased), Some(StatusCode::OK));
        assert_eq!(acknowledge(Outcome::Conflict), None);
    }
}
