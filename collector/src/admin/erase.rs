//! `DELETE /admin/responses/{id}`: erase one response, when the visitor who gave it asks for
//! that (or it should never have been given). The response goes, with its webhook deliveries
//! not yet sent; its id stays, so that a copy still waiting in the visitor's browser is
//! answered `200` and not stored again. `204` when erased, now or before; `404` when no
//! response was ever stored under that id.

use axum::extract::State;
use axum::http::StatusCode;
use sayso_schema::is_uuid;

use crate::AppState;
use crate::extract::Path;
use crate::metrics::ErasedBy;
use crate::problem::ApiError;
use crate::store::Erasure;

/// Erase the response `id` (a UUID, in any case).
pub async fn erase(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = id.to_ascii_lowercase();
    if !is_uuid(&id) {
        return Err(ApiError::BadRequest(format!(
            "\"{id}\" is not a response id: expected a UUID such as 0b5f3a4e-8c1d-4f7a-9e2b-6d3c1a0f4e5b"
        )));
    }
    match state.store.erase(&id).await {
        Ok(Erasure::Erased) => {
            state.metrics.erased(ErasedBy::Request, 1);
            tracing::info!(%id, "response erased on request");
            Ok(StatusCode::NO_CONTENT)
        }
        Ok(Erasure::AlreadyErased) => Ok(StatusCode::NO_CONTENT),
        Ok(Erasure::Unknown) => Err(ApiError::NotFound(format!(
            "no response with id {id} is stored"
        ))),
        Err(_) => Err(ApiError::DatabaseUnavailable),
    }
}
