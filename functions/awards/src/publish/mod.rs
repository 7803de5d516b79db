//! Publication of the public gallery. (Being written.)

use axum::extract::State;
use axum::Json;
use ovop_core::dto::awards::PublicationReport;
use ovop_core::gallery::Pointer;
use ovop_platform::auth::Caller;
use ovop_platform::ApiError;

use crate::AppState;

/// `GET /publication`: the published version.
#[utoipa::path(get, path = "/api/v1/publication", tag = "awards")]
pub async fn current(
    State(_state): State<AppState>,
    _caller: Caller,
) -> Result<Json<Pointer>, ApiError> {
    Err(ApiError::NotFound)
}

/// `POST /publication`: publishes every determined round.
#[utoipa::path(post, path = "/api/v1/publication", tag = "awards")]
pub async fn publish(
    State(_state): State<AppState>,
    _caller: Caller,
) -> Result<Json<PublicationReport>, ApiError> {
    Err(ApiError::NotFound)
}
