//! The OpenAPI document of the whole API, served at `GET /api/v1/openapi.json`: intake's paths,
//! generated from its handlers' annotations, merged with the uploads and scoring functions'.
//!
//! Intake does not link `ovop-uploads` (that would bring the S3 SDK and the image codecs into
//! its Lambda): the uploads paths come from `uploads.openapi.json` beside this crate's
//! manifest, a copy of `ovop_uploads::openapi::ApiDoc` that `tests/tests/openapi_document.rs`
//! keeps equal to the code (`OVOP_BLESS=1` rewrites it). API Gateway routes this path to intake,
//! and the local app serves intake's routes, so both answer the same complete document.

use std::sync::LazyLock;

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

/// The uploads function's document, as generated from its handlers (see the module's notes).
pub const UPLOADS_JSON: &str = include_str!("../uploads.openapi.json");

/// The scoring function's document, kept the same way.
pub const SCORING_JSON: &str = include_str!("../scoring.openapi.json");

/// The awards function's document, kept the same way.
pub const AWARDS_JSON: &str = include_str!("../awards.openapi.json");

/// The uploads function's document.
pub fn uploads() -> utoipa::openapi::OpenApi {
    serde_json::from_str(UPLOADS_JSON).expect("uploads.openapi.json is an OpenAPI document")
}

/// The scoring function's document.
pub fn scoring() -> utoipa::openapi::OpenApi {
    serde_json::from_str(SCORING_JSON).expect("scoring.openapi.json is an OpenAPI document")
}

/// The awards function's document.
pub fn awards() -> utoipa::openapi::OpenApi {
    serde_json::from_str(AWARDS_JSON).expect("awards.openapi.json is an OpenAPI document")
}

/// The whole API: intake's document with the uploads, scoring and awards paths, schemas and
/// tags merged in.
pub fn openapi() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
        .merge_from(uploads())
        .merge_from(scoring())
        .merge_from(awards())
}

static DOCUMENT: LazyLock<utoipa::openapi::OpenApi> = LazyLock::new(openapi);

/// `GET /api/v1/openapi.json`.
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(DOCUMENT.clone())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_uploads_copy_parses_and_merges() {
        let doc = super::openapi();
        assert!(doc
            .paths
            .paths
            .contains_key("/api/v1/nominations/{id}/uploads"));
        assert!(doc
            .paths
            .paths
            .contains_key("/api/v1/nominations/{id}/submit"));
        assert!(doc
            .paths
            .paths
            .contains_key("/api/v1/nominations/{id}/verification"));
    }
}
