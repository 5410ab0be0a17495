//! Who may call the survey and response endpoints from a browser.
//!
//! The decision is made by hand rather than by a generic CORS layer because it depends on the
//! survey: each survey lists its own origins, and a POST is checked against the survey its body
//! names. An origin no survey allows gets no CORS headers at all, so the browser hides even the
//! error; one that some survey allows may read every answer, the refusal of a survey that does
//! not allow it included (the widget then drops that response instead of retrying it forever).

use axum::http::StatusCode;
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};

use crate::problem::ApiError;

/// Methods announced in preflight answers.
pub const ALLOW_METHODS: &str = "GET, POST, OPTIONS";
/// Request headers announced in preflight answers: a JSON content type is the only one the
/// widget may set.
pub const ALLOW_HEADERS: &str = "content-type";
/// Response headers a cross-origin page may read besides the safelisted ones.
pub const EXPOSE_HEADERS: &str = "retry-after";
/// How long (seconds) a browser may cache a preflight answer: one per origin per day.
pub const MAX_AGE: &str = "86400";

/// What to do with a request, judged by its `Origin` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// No `Origin` header: not a cross-origin browser request (curl, server to server).
    NoOrigin,
    /// The page is on this collector's own host.
    SameOrigin(HeaderValue),
    /// A cross-origin page that the survey (or the collector) allows.
    Allowed(HeaderValue),
    /// A cross-origin page that nobody allowed.
    Refused,
}

impl Decision {
    /// Whether the request may go on.
    pub fn permits(&self) -> bool {
        !matches!(self, Self::Refused)
    }

    /// Add the CORS headers of an actual (non-preflight) response.
    ///
    /// `Vary: Origin` goes on every answer of these endpoints, because the same URL is
    /// answered differently per origin and a shared cache must not mix them up. `Retry-After`
    /// is exposed to the page, so that a widget told to wait (429, 503) waits that long.
    /// A page of this collector's own host gets them too: its scheme may differ from the one
    /// the request came in on (an `http` page, an `https` endpoint), and then the browser
    /// judges the request cross-origin, as the preflight already answered.
    pub fn apply(&self, headers: &mut HeaderMap) {
        headers.append(header::VARY, HeaderValue::from_static("origin"));
        if let Self::Allowed(origin) | Self::SameOrigin(origin) = self {
            headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
            headers.insert(
                header::ACCESS_CONTROL_EXPOSE_HEADERS,
                HeaderValue::from_static(EXPOSE_HEADERS),
            );
        }
    }

    /// The answer to an `OPTIONS` preflight request.
    pub fn preflight(&self) -> Response {
        let origin = match self {
            Self::Refused => return ApiError::OriginRefused.into_response(),
            Self::NoOrigin => None,
            Self::SameOrigin(origin) | Self::Allowed(origin) => Some(origin.clone()),
        };
        let mut response = StatusCode::NO_CONTENT.into_response();
        let h = response.headers_mut();
        h.insert(header::ALLOW, HeaderValue::from_static(ALLOW_METHODS));
        h.insert(header::VARY, HeaderValue::from_static("origin"));
        if let Some(origin) = origin {
            h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            h.insert(
                header::ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static(ALLOW_METHODS),
            );
            h.insert(
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                HeaderValue::from_static(ALLOW_HEADERS),
            );
            h.insert(
                header::ACCESS_CONTROL_MAX_AGE,
                HeaderValue::from_static(MAX_AGE),
            );
        }
        response
    }
}

/// Judge a request by its `Origin` and `Host` headers; `allows` says whether a (normalised)
/// cross origin is allowed.
pub fn decide(headers: &HeaderMap, allows: impl Fn(&str) -> bool) -> Decision {
    let Some(value) = headers.get(header::ORIGIN) else {
        return Decision::NoOrigin;
    };
    let Ok(origin) = value.to_str() else {
        return Decision::Refused;
    };
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    if host.is_some_and(|host| is_same_origin(origin, host)) {
        return Decision::SameOrigin(value.clone());
    }
    if !origin.is_empty() && allows(&normalize_origin(origin)) {
        Decision::Allowed(value.clone())
    } else {
        Decision::Refused
    }
}

/// Whether `origin` is this collector's own host.
///
/// The scheme is not compared: behind a TLS-terminating proxy the collector cannot know
/// whether its public address is `http` or `https`, and both schemes on the same host belong
/// to the same site owner.
pub fn is_same_origin(origin: &str, host: &str) -> bool {
    let Some(rest) = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
    else {
        return false;
    };
    let strip_default_port = |h: &str| -> String {
        let h = h.to_ascii_lowercase();
        h.strip_suffix(":80")
            .or_else(|| h.strip_suffix(":443"))
            .map(str::to_owned)
            .unwrap_or(h)
    };
    strip_default_port(rest) == strip_default_port(host)
}

/// The form origins are compared in: lower case, no trailing slash, no default port
/// (browsers send `https://clinic.example`, a site owner may write `https://Clinic.example/`).
pub fn normalize_origin(origin: &str) -> String {
    let o = origin.trim().trim_end_matches('/').to_ascii_lowercase();
    if let Some(host) = o.strip_prefix("https://")
        && let Some(bare) = host.strip_suffix(":443")
    {
        return format!("https://{bare}");
    }
    if let Some(host) = o.strip_prefix("http://")
        && let Some(bare) = host.strip_suffix(":80")
    {
        return format!("http://{bare}");
    }
    o
}

/// Whether a list of normalised origins allows `origin` (normalised); `*` allows any.
pub fn listed(allowed: &[String], origin: &str) -> bool {
    allowed.iter().any(|a| a == "*" || a == origin)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(origin: Option<&str>, host: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_str(host).unwrap());
        if let Some(o) = origin {
            h.insert(header::ORIGIN, HeaderValue::from_str(o).unwrap());
        }
        h
    }

    fn clinic_only(origin: &str) -> bool {
        listed(&["https://clinic.example".to_owned()], origin)
    }

    #[test]
    fn decisions() {
        let host = "feedback.example.org";
        assert_eq!(
            decide(&headers(None, host), clinic_only),
            Decision::NoOrigin
        );
        assert!(matches!(
            decide(
                &headers(Some("https://feedback.example.org"), host),
                clinic_only
            ),
            Decision::SameOrigin(_)
        ));
        assert_eq!(
            decide(&headers(Some("https://clinic.example"), host), clinic_only),
            Decision::Allowed(HeaderValue::from_static("https://clinic.example"))
        );
        assert_eq!(
            decide(&headers(Some("https://evil.example"), host), clinic_only),
            Decision::Refused
        );
        assert_eq!(
            decide(&headers(Some("null"), host), clinic_only),
            Decision::Refused
        );
        assert!(decide(&headers(Some("null"), host), |o| listed(&["*".into()], o)).permits());
    }

    #[test]
    fn same_origin_ignores_scheme_and_default_ports() {
        assert!(is_same_origin("http://127.0.0.1:8080", "127.0.0.1:8080"));
        assert!(is_same_origin(
            "https://Feedback.example",
            "feedback.example:443"
        ));
        assert!(!is_same_origin("http://127.0.0.1:8081", "127.0.0.1:8080"));
        assert!(!is_same_origin(
            "https://feedback.example.evil",
            "feedback.example"
        ));
        assert!(!is_same_origin("null", "feedback.example"));
    }

    #[test]
    fn origins_are_normalised() {
        assert_eq!(
            normalize_origin("https://Clinic.Example/"),
            "https://clinic.example"
        );
        assert_eq!(
            normalize_origin("https://clinic.example:443"),
            "https://clinic.example"
        );
        assert_eq!(normalize_origin("http://localhost:80"), "http://localhost");
        assert_eq!(
            normalize_origin("http://localhost:8080"),
            "http://localhost:8080"
        );
        assert!(listed(&["*".into()], "https://anything.example"));
    }

    #[test]
    fn refused_preflights_carry_no_cors_headers() {
        let refused = Decision::Refused.preflight();
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        assert!(
            !refused
                .headers()
                .contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN)
        );
        let allowed = Decision::Allowed(HeaderValue::from_static("https://c.example")).preflight();
        assert_eq!(allowed.status(), StatusCode::NO_CONTENT);
        assert_eq!(allowed.headers()[header::ACCESS_CONTROL_MAX_AGE], "86400");
    }
}
