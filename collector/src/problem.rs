//! Errors as RFC 9457 problem documents (`application/problem+json`).
//!
//! Every refusal names what was wrong in `detail` and, for document problems, every field at
//! fault in `errors`, so that a site owner debugging their own endpoint integration sees the
//! same paths as the widget does. Storage failures never show their text to clients: it is
//! logged where it happens and the client is told only to retry.

use axum::http::StatusCode;
use axum::http::header::{self, HeaderValue};
use axum::response::{IntoResponse, Response};
use sayso_schema::{Json, JsonObject, Problem, Problems};

use crate::intake::MAX_BODY_BYTES;

/// Media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// Every way a request can be refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// No such resource; the detail says which.
    NotFound(String),
    /// The request is not understood (e.g. a missing query parameter); the detail says why.
    BadRequest(String),
    /// A response body that is neither `application/json` nor `text/plain`.
    UnsupportedMediaType,
    /// A body over [`MAX_BODY_BYTES`].
    PayloadTooLarge,
    /// A body that is not a response document: bad JSON, unknown or missing fields.
    Malformed(Problems),
    /// A response to a survey, or a version of it, this collector does not know.
    UnknownSurvey(Problems),
    /// A response to a version of a known survey newer than any this collector has: another
    /// collector (or the page) has the new definition, this one not yet. Temporary, so the
    /// widget keeps the response and sends it again, rather than dropping it.
    VersionNotYetKnown(Problems),
    /// A well-formed response that does not fit the survey it answers.
    Invalid(Problems),
    /// A cross-origin page that the survey does not allow.
    OriginRefused,
    /// The response id is already stored for another survey.
    Conflict(String),
    /// Missing or wrong admin credentials.
    Unauthorized,
    /// The path exists, but not for this method; the detail names both.
    MethodNotAllowed(String),
    /// The body did not arrive within the read timeout.
    RequestTimeout,
    /// Storage failed; nothing was stored and the client should retry.
    Unavailable,
    /// The database does not answer a read (health check, dashboard, export).
    DatabaseUnavailable,
    /// As many exports as may run at once are running.
    ExportsBusy,
    /// The client sent more responses than `--rate-limit` allows; it may send again after
    /// this many seconds.
    RateLimited(u64),
}

impl ApiError {
    /// HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::BadRequest(_) | Self::Malformed(_) => StatusCode::BAD_REQUEST,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnknownSurvey(_) | Self::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::OriginRefused => StatusCode::FORBIDDEN,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            Self::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            Self::Unavailable
            | Self::DatabaseUnavailable
            | Self::ExportsBusy
            | Self::VersionNotYetKnown(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
        }
    }

    /// The last part of the problem type, `urn:sayso:problem:<slug>`.
    pub fn slug(&self) -> &'static str {
        match self {
            Self::NotFound(_) => "not-found",
            Self::BadRequest(_) => "bad-request",
            Self::UnsupportedMediaType => "unsupported-media-type",
            Self::PayloadTooLarge => "payload-too-large",
            Self::Malformed(_) => "malformed-response",
            Self::UnknownSurvey(_) => "unknown-survey",
            Self::VersionNotYetKnown(_) => "survey-version-not-yet-known",
            Self::Invalid(_) => "invalid-response",
            Self::OriginRefused => "origin-not-allowed",
            Self::Conflict(_) => "id-conflict",
            Self::Unauthorized => "unauthorized",
            Self::MethodNotAllowed(_) => "method-not-allowed",
            Self::RequestTimeout => "request-timeout",
            Self::Unavailable => "storage-unavailable",
            Self::DatabaseUnavailable => "database-unavailable",
            Self::ExportsBusy => "exports-busy",
            Self::RateLimited(_) => "rate-limited",
        }
    }

    fn title(&self) -> &'static str {
        match self {
            Self::NotFound(_) => "Not found",
            Self::BadRequest(_) => "Bad request",
            Self::UnsupportedMediaType => "Unsupported content type",
            Self::PayloadTooLarge => "Response too large",
            Self::Malformed(_) => "Malformed response",
            Self::UnknownSurvey(_) => "Unknown survey",
            Self::VersionNotYetKnown(_) => "Survey version not known yet",
            Self::Invalid(_) => "Invalid response",
            Self::OriginRefused => "Origin not allowed",
            Self::Conflict(_) => "Response id already used",
            Self::Unauthorized => "Authentication required",
            Self::MethodNotAllowed(_) => "Method not allowed",
            Self::RequestTimeout => "Request timeout",
            Self::Unavailable => "Storage unavailable",
            Self::DatabaseUnavailable => "Database unavailable",
            Self::ExportsBusy => "Too many exports",
            Self::RateLimited(_) => "Too many responses",
        }
    }

    /// A sentence for people; for document problems, the first field at fault.
    pub fn detail(&self) -> String {
        match self {
            Self::NotFound(detail)
            | Self::BadRequest(detail)
            | Self::Conflict(detail)
            | Self::MethodNotAllowed(detail) => detail.clone(),
            Self::UnsupportedMediaType => {
                "send the response as application/json or text/plain".to_owned()
            }
            Self::PayloadTooLarge => format!("a response may be at most {MAX_BODY_BYTES} bytes"),
            Self::Malformed(p) | Self::UnknownSurvey(p) | Self::Invalid(p) => summary(p),
            Self::VersionNotYetKnown(p) => format!(
                "{}; nothing was stored, send it again later (this collector has not been given that version's definition yet)",
                summary(p)
            ),
            Self::OriginRefused => {
                "this page's origin is not in the survey's allowed_origins".to_owned()
            }
            Self::Unauthorized => "sign in as admin with the collector's admin token".to_owned(),
            Self::RequestTimeout => {
                "the request did not arrive in time; nothing was stored, send it again".to_owned()
            }
            Self::Unavailable => "the response was not stored; send it again later".to_owned(),
            Self::DatabaseUnavailable => "the database does not answer; try again later".to_owned(),
            Self::ExportsBusy => format!(
                "{} exports are running, as many as may at once; try again when one has finished",
                crate::store::MAX_EXPORTS
            ),
            Self::RateLimited(seconds) => format!(
                "more responses from this address than the collector takes a minute; nothing was stored, send it again in {seconds} s"
            ),
        }
    }

    fn problems(&self) -> &[Problem] {
        match self {
            Self::Malformed(p)
            | Self::UnknownSurvey(p)
            | Self::VersionNotYetKnown(p)
            | Self::Invalid(p) => &p.0,
            _ => &[],
        }
    }

    /// The problem document.
    pub fn to_json(&self) -> Json {
        let errors = self
            .problems()
            .iter()
            .map(|p| {
                let mut e = JsonObject::new();
                e.insert("path", p.path.as_str());
                e.insert("message", p.message.as_str());
                Json::Object(e)
            })
            .collect();
        let mut o = JsonObject::new();
        o.insert("type", format!("urn:sayso:problem:{}", self.slug()));
        o.insert("title", self.title());
        o.insert("status", u32::from(self.status().as_u16()));
        o.insert("detail", self.detail());
        o.insert("errors", Json::Array(errors));
        Json::Object(o)
    }
}

/// "path: message" of the first problem, and how many more there are.
fn summary(problems: &Problems) -> String {
    match problems.0.as_slice() {
        [] => "the document is not valid".to_owned(),
        [only] => only.to_string(),
        [first, rest @ ..] => format!("{first} (and {} more)", rest.len()),
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status(), self.to_json().to_string()).into_response();
        let h = response.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        match self {
            Self::Unauthorized => {
                h.insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Basic realm=\"sayso\""),
                );
            }
            Self::Unavailable | Self::DatabaseUnavailable => {
                h.insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
            }
            Self::VersionNotYetKnown(_) => {
                h.insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
            }
            Self::ExportsBusy => {
                h.insert(header::RETRY_AFTER, HeaderValue::from_static("30"));
            }
            Self::RateLimited(seconds) => {
                h.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            }
            // A client that stalled mid-body must not go on sending on this connection.
            Self::RequestTimeout => {
                h.insert(header::CONNECTION, HeaderValue::from_static("close"));
            }
            _ => {}
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_name_the_field_at_fault() {
        let mut p = Problems::single("$.answers.nps", "expected an integer from 0 to 10");
        p.push("$.context.locale", "expected a locale tag");
        let doc = ApiError::Invalid(p).to_json();
        assert_eq!(
            doc.get("type").and_then(Json::as_str),
            Some("urn:sayso:problem:invalid-response")
        );
        assert_eq!(doc.get("status").and_then(Json::as_u64), Some(422));
        assert_eq!(
            doc.get("detail").and_then(Json::as_str),
            Some("$.answers.nps: expected an integer from 0 to 10 (and 1 more)")
        );
        let errors = doc.get("errors").and_then(Json::as_array).unwrap();
        assert_eq!(errors.len(), 2);
        assert_eq!(
            errors[1].get("path").and_then(Json::as_str),
            Some("$.context.locale")
        );
    }

    #[test]
    fn responses_are_problem_json() {
        let r = ApiError::Unauthorized.into_response();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(r.headers()[header::CONTENT_TYPE], PROBLEM_JSON);
        assert!(
            r.headers()[header::WWW_AUTHENTICATE]
                .to_str()
                .unwrap()
                .contains("sayso")
        );
        assert_eq!(
            ApiError::Unavailable.into_response().headers()[header::RETRY_AFTER],
            "5"
        );
        let busy = ApiError::ExportsBusy.into_response();
        assert_eq!(busy.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(busy.headers()[header::RETRY_AFTER], "30");
        let timeout = ApiError::RequestTimeout.into_response();
        assert_eq!(timeout.status(), StatusCode::REQUEST_TIMEOUT);
        assert_eq!(timeout.headers()[header::CONNECTION], "close");
    }

    #[test]
    fn a_failed_read_does_not_speak_of_a_response() {
        let detail = ApiError::DatabaseUnavailable.detail();
        assert!(detail.contains("database does not answer"), "{detail}");
        assert!(!detail.contains("response"), "{detail}");
    }
}
