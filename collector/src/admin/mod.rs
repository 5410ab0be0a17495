//! The site owner's pages: `/admin` (dashboard), `/admin/export.ndjson`, `/admin/export.csv`,
//! `/admin/style.css` and `/admin/metrics`, and `DELETE /admin/responses/{id}`, all behind HTTP Basic
//! authentication. (The erasure cannot be forged by another site: a cross-origin `DELETE`
//! needs a CORS preflight, which these routes never grant.)
//!
//! Without an admin token these routes answer 404, as if they did not exist. Every answer,
//! refusals included, forbids caching (the pages hold personal data) and carries a CSP that
//! allows nothing but the stylesheet: the pages show visitors' free text, and even a mistake
//! in escaping must not be able to run a script.

pub mod auth;
pub mod dashboard;
pub mod erase;
pub mod export;
pub mod html;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::header::{self, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};

use crate::AppState;
use crate::problem::ApiError;

/// Content-Security-Policy of every admin answer.
pub const CSP: &str = "default-src 'none'; style-src 'self'";

/// The routes of this module, guarded by [`guard`]: every request to them, also one with a
/// method they do not take. Their 405 answer is set here, before the guard (`layer`, unlike
/// `route_layer`, wraps it), so that without a token it is a 404 and without credentials a 401.
pub fn routes(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/admin", get(dashboard::page))
        .route("/admin/style.css", get(style))
        .route("/admin/export.ndjson", get(export::ndjson))
        .route("/admin/export.csv", get(export::csv))
        .route("/admin/responses/{id}", delete(erase::erase))
        .route("/admin/metrics", get(crate::metrics::page))
        .method_not_allowed_fallback(crate::method_not_allowed)
        .layer(middleware::from_fn_with_state(state, guard))
}

/// Let only the admin through, and mark every answer private and script-free.
async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(token) = &state.admin_token else {
        return ApiError::NotFound(format!("nothing at {}", request.uri().path())).into_response();
    };
    let credentials = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let mut response = if auth::authorized(credentials, token.expose()) {
        next.run(request).await
    } else {
        ApiError::Unauthorized.into_response()
    };
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

async fn style() -> Response {
    let mut response = include_str!("style.css").into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/css; charset=utf-8"),
    );
    response
}
