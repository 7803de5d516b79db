//! The scoring API's OpenAPI description, generated from the handlers' annotations. Intake
//! serves the whole API's document and merges a JSON copy of this one,
//! `functions/intake/scoring.openapi.json` (as it does for uploads; `OVOP_BLESS=1 cargo test -p
//! ovop-tests --test openapi_document` rewrites it).

use utoipa::OpenApi;

use crate::{panels, progress, results, rubric, score, verification};

/// The scoring API description.
#[derive(OpenApi)]
#[openapi(
    paths(verification::decide, verification::history, rubric::list, rubric::define, rubric::proposed, rubric::copy,
        panels::panels, panels::save_panels, panels::assign, panels::assessors, panels::declare_conflict, panels::bulk_assign,
        score::sheet, score::save_draft, score::submit, score::scores, score::assessment,
        panels::balance, panels::declare_relation, panels::relations, progress::mine, progress::progress, progress::audit,
        results::result, results::moderate, results::board, results::lock, results::recommendation),
    components(schemas(ovop_core::errors::Problem)),
    tags((name = "selection", description = "Seleksi administrasi dan penilaian"))
)]
pub struct ApiDoc;

/// The scoring document as JSON, as intake's copy holds it.
pub fn json() -> String {
    let mut json = ApiDoc::openapi()
        .to_pretty_json()
        .expect("the OpenAPI document serialises");
    json.push('\n');
    json
}
