//! Determination (penetapan) of a round, its awards, revocation and certificates. (Being
//! written.)

use axum::extract::State;
use axum::response::Response;
use axum::Json;
use ovop_core::award::{Award, Determination};
use ovop_core::dto::awards::{AwardList, DecreeUpload};
use ovop_core::dto::uploads::SignedRequest;
use ovop_platform::auth::Caller;
use ovop_platform::extract::ApiPath;
use ovop_platform::ApiError;

use crate::AppState;

#[utoipa::path(post, path = "/api/v1/rounds/{round}/decree/upload", tag = "awards")]
pub async fn decree_upload(
    State(_s): State<AppState>,
    _c: Caller,
    ApiPath(_round): ApiPath<String>,
) -> Result<Json<DecreeUpload>, ApiError> {
    Err(ApiError::NotFound)
}

#[utoipa::path(get, path = "/api/v1/rounds/{round}/decree/link", tag = "awards")]
pub async fn decree_link(
    State(_s): State<AppState>,
    _c: Caller,
    ApiPath(_round): ApiPath<String>,
) -> Result<Json<SignedRequest>, ApiError> {
    Err(ApiError::NotFound)
}

#[utoipa::path(post, path = "/api/v1/rounds/{round}/determination", tag = "awards")]
pub async fn determine(
    State(_s): State<AppState>,
    _c: Caller,
    ApiPath(_round): ApiPath<String>,
) -> Result<Json<Determination>, ApiError> {
    Err(ApiError::NotFound)
}

#[utoipa::path(get, path = "/api/v1/rounds/{round}/determination", tag = "awards")]
pub async fn determination(
    State(_s): State<AppState>,
    _c: Caller,
    ApiPath(_round): ApiPath<String>,
) -> Result<Json<Determination>, ApiError> {
    Err(ApiError::NotFound)
}

#[utoipa::path(get, path = "/api/v1/rounds/{round}/awards", tag = "awards")]
pub async fn awards(
    State(_s): State<AppState>,
    _c: Caller,
    ApiPath(_round): ApiPath<String>,
) -> Result<Json<AwardList>, ApiError> {
    Err(ApiError::NotFound)
}

#[utoipa::path(get, path = "/api/v1/awards/{id}", tag = "awards")]
pub async fn award(
    State(_s): State<AppState>,
    _c: Caller,
    ApiPath(_id): ApiPath<String>,
) -> Result<Json<Award>, ApiError> {
    Err(ApiError::NotFound)
}

#[utoipa::path(post, path = "/api/v1/awards/{id}/revocation", tag = "awards")]
pub async fn revoke(
    State(_s): State<AppState>,
    _c: Caller,
    ApiPath(_id): ApiPath<String>,
) -> Result<Json<Award>, ApiError> {
    Err(ApiError::NotFound)
}

#[utoipa::path(get, path = "/api/v1/awards/{id}/certificate", tag = "awards")]
pub async fn certificate(
    State(_s): State<AppState>,
    _c: Caller,
    ApiPath(_id): ApiPath<String>,
) -> Result<Response, ApiError> {
    Err(ApiError::NotFound)
}
