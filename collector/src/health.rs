//! `GET /healthz`: for load balancers and orchestrators. Healthy means the database answers,
//! since a collector that cannot store is of no use. The check has a database connection of
//! its own: slow exports holding every reader do not make a working collector look down.

use axum::Router;
use axum::extract::State;
use axum::http::header::{self, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::AppState;
use crate::problem::ApiError;

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new().route("/healthz", get(health))
}

async fn health(State(state): State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) => {
            let mut response = "ok".into_response();
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(_) => ApiError::DatabaseUnavailable.into_response(),
    }
}
