//! The uploads API's OpenAPI description, generated from the handlers' annotations.
//!
//! Intake serves the one document of the whole API at `GET /api/v1/openapi.json` (API Gateway
//! routes that path to intake). Intake must not link this crate (it would bring the S3 SDK and
//! the image codecs into its Lambda), so it merges a JSON copy of [`ApiDoc`] kept beside its own
//! sources, `functions/intake/uploads.openapi.json`; `tests/tests/openapi_document.rs` fails
//! when that copy differs from [`ApiDoc`] and rewrites it with `OVOP_BLESS=1`.

use utoipa::OpenApi;

use crate::{documents, uploads};

/// The uploads API description.
#[derive(OpenApi)]
#[openapi(
    paths(
        documents::checklist, documents::link, documents::shipment, documents::receipt,
        uploads::declare, uploads::list, uploads::status, uploads::parts, uploads::complete,
        uploads::abort,
    ),
    components(schemas(ovop_core::errors::Problem)),
    tags((name = "documents", description = "Dokumen usulan dan sampel produk"),
         (name = "uploads", description = "Unggahan berkas langsung ke S3"))
)]
pub struct ApiDoc;

/// The uploads document as JSON, as intake's copy holds it.
pub fn json() -> String {
    let mut json = ApiDoc::openapi()
        .to_pretty_json()
        .expect("the OpenAPI document serialises");
    json.push('\n');
    json
}
