//! Extractors whose refusals are problem documents like every other error of the collector
//! (axum's own answer plain text).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::problem::ApiError;

/// A path parameter, as [`axum::extract::Path`]; a path that cannot be read as one (e.g.
/// `%ff`, which is not UTF-8) is a 400 problem naming the path.
#[derive(Debug)]
pub struct Path<T>(pub T);

impl<T, S> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Self(value)),
            Err(_) => Err(ApiError::BadRequest(format!(
                "{} is not a path this collector can read (a name must be UTF-8 text)",
                parts.uri.path()
            ))),
        }
    }
}
