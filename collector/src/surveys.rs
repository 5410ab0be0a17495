//! `GET /v1/surveys/{id}` (the definitions the widget fetches) and `GET /v1/schemas/{name}`
//! (the JSON Schema documents, for site owners who validate in their own tools).

use std::sync::LazyLock;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::catalog::Survey;
use crate::cors::{self, Decision};
use crate::extract::Path;
use crate::problem::ApiError;
use crate::{AppState, SurveyCatalog};

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/surveys/{id}", get(definition).options(preflight))
        .route("/v1/schemas/{name}", get(schema))
}

/// The CORS decision for a survey; for an unknown id, the test of any survey, so that an
/// allowed page can read the 404 instead of a network error.
fn decide(catalog: &SurveyCatalog, survey: Option<&Survey>, headers: &HeaderMap) -> Decision {
    cors::decide(headers, |o| match survey {
        Some(s) => s.allows(o),
        None => catalog.any_allows(o),
    })
}

async fn preflight(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let catalog = state.catalog();
    decide(&catalog, catalog.get(&id), &headers).preflight()
}

async fn definition(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let catalog = state.catalog();
    let survey = catalog.get(&id);
    let cors = decide(&catalog, survey, &headers);
    if !cors.permits() {
        return ApiError::OriginRefused.into_response();
    }
    let mut response = match survey {
        None => ApiError::NotFound(format!("no survey \"{id}\" on this collector")).into_response(),
        Some(s) if if_none_match(&headers, &s.etag) => StatusCode::NOT_MODIFIED.into_response(),
        Some(s) => {
            let mut r = s.json.clone().into_response();
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            r
        }
    };
    if let Some(s) = survey {
        let h = response.headers_mut();
        // Always revalidate: a site owner's edit must reach visitors at once, and the ETag
        // makes revalidation cheap.
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        if let Ok(etag) = HeaderValue::from_str(&s.etag) {
            h.insert(header::ETAG, etag);
        }
    }
    cors.apply(response.headers_mut());
    response
}

/// Whether the client's `If-None-Match` already names `etag`.
fn if_none_match(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|tag| {
            let tag = tag.trim();
            tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag
        })
}

static SCHEMAS: LazyLock<Vec<(&'static str, String)>> =
    LazyLock::new(sayso_schema::json_schema::documents);

async fn schema(Path(name): Path<String>) -> Response {
    let Some((_, text)) = SCHEMAS.iter().find(|(n, _)| *n == name) else {
        let names: Vec<&str> = SCHEMAS.iter().map(|(n, _)| *n).collect();
        return ApiError::NotFound(format!(
            "no schema \"{name}\"; there are: {}",
            names.join(", ")
        ))
        .into_response();
    };
    let mut response = text.clone().into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/schema+json"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    // Public documentation: any tool on any origin may read it.
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditional_requests() {
        let mut h = HeaderMap::new();
        assert!(!if_none_match(&h, "\"a-1-00\""));
        h.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_static("\"x\", W/\"a-1-00\""),
        );
        assert!(if_none_match(&h, "\"a-1-00\""));
        assert!(!if_none_match(&h, "\"a-2-00\""));
    }
}
