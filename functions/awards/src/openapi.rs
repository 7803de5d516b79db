//! The awards API's OpenAPI description, generated from the handlers' annotations. Intake
//! serves the whole API's document and merges a JSON copy of this one,
//! `functions/intake/awards.openapi.json` (`OVOP_BLESS=1 cargo test -p ovop-tests --test
//! openapi_document` rewrites it).

use utoipa::OpenApi;

use crate::{determination, publish};

/// The awards API description.
#[derive(OpenApi)]
#[openapi(
    paths(determination::decree_upload, determination::decree_link, determination::determine,
        determination::determination, determination::awards, determination::award,
        determination::revoke, determination::certificate, publish::current, publish::publish),
    components(schemas(ovop_core::errors::Problem)),
    tags((name = "awards", description = "Penetapan, piagam dan publikasi"))
)]
pub struct ApiDoc;

/// The awards document as JSON, as intake's copy holds it.
pub fn json() -> String {
    let mut json = ApiDoc::openapi()
        .to_pretty_json()
        .expect("the OpenAPI document serialises");
    json.push('\n');
    json
}
