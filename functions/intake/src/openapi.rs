//! The OpenAPI document, generated from the handlers' annotations.

use axum::Json;
use utoipa::OpenApi;

use crate::{nominations, rounds};

/// The intake API description.
#[derive(OpenApi)]
#[openapi(
    info(title = "OVOP API", description = "Nomination, assessment and award platform of the OVOP programme (Kemenperin, Ditjen IKMA)."),
    paths(
        nominations::me, nominations::list, nominations::create, nominations::read,
        nominations::update, nominations::submit, nominations::withdraw, nominations::history,
        rounds::list, rounds::create, rounds::open, rounds::close,
    ),
    components(schemas(ovop_core::errors::Problem, ovop_core::dto::NominationSummary)),
    tags((name = "nominations", description = "Usulan IKM"), (name = "rounds", description = "Periode penghargaan"))
)]
pub struct ApiDoc;

/// `GET /api/v1/openapi.json`.
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
