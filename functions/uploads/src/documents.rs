//! The bundle as its reader sees it: the checklist, short-lived download links, and the
//! physical product sample (D08): its shipment (regency office) and receipt (secretariat).

use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use ovop_core::authz::Action;
use ovop_core::document::{
    Document, DocumentKind, DocumentType, ProductSample, SampleError, SampleReceiptForm,
    SampleShipmentForm,
};
use ovop_core::dto::uploads::{ChecklistView, Link};
use ovop_core::nomination::Nomination;
use ovop_core::Text;
use ovop_platform::auth::Caller;
use ovop_platform::extract::{ApiPath, ApiQuery};
use ovop_platform::http::optional_if_match;
use ovop_platform::idempotency::{Answer, Idempotency};
use ovop_platform::json::ApiJson;
use ovop_platform::nominations::{bundle_of, round_of};
use ovop_platform::objects::Disposition;
use ovop_platform::store::Tx;
use ovop_platform::ApiError;
use serde::Deserialize;

use crate::uploads::{load, thumbnail_key_for};
use crate::AppState;

/// Lifetime of a download link.
pub const LINK_LIFETIME: Duration = Duration::from_secs(5 * 60);

/// Every document type of the nomination's commodity with its requirement, accepted types,
/// size limit and state, the sample, and whether the bundle is complete.
#[utoipa::path(get, path = "/api/v1/nominations/{id}/documents", tag = "documents", params(("id" = String, Path, description = "Nomination id")),
    responses((status = 200, body = ChecklistView), (status = 401, body = ovop_core::errors::Problem), (status = 404, body = ovop_core::errors::Problem)))]
pub async fn checklist(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ChecklistView>, ApiError> {
    let n = load(&state, &caller, &id, Action::ReadNomination).await?;
    let round = round_of(&state.store, &n).await?;
    let (checklist, sample) = bundle_of(&state.store, &state.commodities, &n, &round).await?;
    Ok(Json(ChecklistView {
        nomination_id: n.id,
        missing: checklist.missing(),
        complete: checklist.is_complete(),
        entries: checklist.entries,
        sample,
    }))
}

/// Which file a link is for.
#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LinkParams {
    /// `true`: a photo's thumbnail instead of the photo.
    #[serde(default)]
    pub thumbnail: bool,
}

/// A presigned GET of the document `code`, valid 5 minutes, for whoever may read the
/// nomination; `?thumbnail=true` for a photo's thumbnail.
#[utoipa::path(get, path = "/api/v1/nominations/{id}/documents/{code}/link", tag = "documents",
    params(("id" = String, Path, description = "Nomination id"), ("code" = String, Path, description = "`D01`…`D14`"), LinkParams),
    responses((status = 200, body = Link), (status = 400, body = ovop_core::errors::Problem), (status = 401, body = ovop_core::errors::Problem),
              (status = 404, body = ovop_core::errors::Problem, description = "No such nomination or document, or a thumbnail of a document that is not a photo")))]
pub async fn link(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath((id, code)): ApiPath<(String, String)>,
    ApiQuery(params): ApiQuery<LinkParams>,
) -> Result<Json<Link>, ApiError> {
    let n = load(&state, &caller, &id, Action::ReadNomination).await?;
    let code = DocumentType::parse(&code).ok_or_else(|| ApiError::BadRequest {
        field: "code".into(),
        message: Text::new(
            "Kode dokumen tidak dikenal (D01 sampai D14).",
            "Unknown document code (D01 to D14).",
        ),
    })?;
    let document = state
        .store
        .get::<Document>(&(n.id.clone(), code))
        .await?
        .ok_or(ApiError::NotFound)?;
    let (key, filename) = if params.thumbnail {
        if code.kind() != DocumentKind::Photo {
            return Err(ApiError::NotFound);
        }
        (
            thumbnail_key_for(&document.nomination_id, code, &document.upload_id),
            format!("{}.jpg", document.file_name),
        )
    } else {
        (document.object_key.clone(), document.file_name.clone())
    };
    let request = state
        .downloads
        .link(&key, &Disposition::Inline { filename }, LINK_LIFETIME)
        .await
        .map_err(ApiError::internal)?;
    Ok(Json(Link {
        url: request.url,
        expires_at: request.expires_at,
    }))
}

fn sample_refused(e: SampleError) -> ApiError {
    match e {
        SampleError::Stale { current } => ApiError::VersionMismatch { current },
        SampleError::Invalid(fields) => ApiError::Validation(fields),
        e => ApiError::Conflict {
            code: e.code(),
            message: e.message(),
        },
    }
}

/// Writes the sample (created, or replacing `before`) with the idempotency record.
async fn save_sample(
    state: &AppState,
    idempotency: &Idempotency,
    before: Option<&ProductSample>,
    sample: &ProductSample,
) -> Result<Response, ApiError> {
    let answer = Answer::json(StatusCode::OK, Some(sample.version), sample)?;
    let mut tx = Tx::new();
    match before {
        Some(b) => tx.update(sample, b.version)?,
        None => tx.create(sample)?,
    };
    let answer = idempotency
        .commit(&state.store, tx, answer, state.clock.now(), ApiError::from)
        .await?;
    Ok(answer.into_response())
}

/// The regency office records the sample it sent, while it may change the nomination.
#[utoipa::path(put, path = "/api/v1/nominations/{id}/sample/shipment", tag = "documents", request_body = SampleShipmentForm,
    params(("id" = String, Path, description = "Nomination id"), ("If-Match" = Option<String>, Header, description = "Version read, e.g. \"2\""), ("Idempotency-Key" = Option<String>, Header)),
    responses((status = 200, body = ProductSample), (status = 401, body = ovop_core::errors::Problem), (status = 404, body = ovop_core::errors::Problem),
              (status = 409, body = ovop_core::errors::Problem), (status = 412, body = ovop_core::errors::Problem), (status = 422, body = ovop_core::errors::Problem)))]
pub async fn shipment(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
    ApiJson(form): ApiJson<SampleShipmentForm>,
) -> Result<Response, ApiError> {
    let expected = optional_if_match(&headers)?;
    let idempotency = Idempotency::optional(
        &caller.user_id,
        &headers,
        &format!("PUT /api/v1/nominations/{id}/sample/shipment"),
        &(expected, &form),
    )?;
    idempotency
        .once(&state.store, async {
            let n: Nomination = load(&state, &caller, &id, Action::EditNomination).await?;
            let current = state.store.get::<ProductSample>(&n.id).await?;
            let sample = ProductSample::record_shipment(
                current.as_ref(),
                expected,
                &n,
                &form,
                &caller,
                state.clock.now(),
            )
            .map_err(sample_refused)?;
            save_sample(&state, &idempotency, current.as_ref(), &sample).await
        })
        .await
}

/// The secretariat records the sample's arrival.
#[utoipa::path(put, path = "/api/v1/nominations/{id}/sample/receipt", tag = "documents", request_body = SampleReceiptForm,
    params(("id" = String, Path, description = "Nomination id"), ("If-Match" = Option<String>, Header, description = "Version read, e.g. \"2\""), ("Idempotency-Key" = Option<String>, Header)),
    responses((status = 200, body = ProductSample), (status = 401, body = ovop_core::errors::Problem), (status = 403, body = ovop_core::errors::Problem), (status = 404, body = ovop_core::errors::Problem),
              (status = 409, body = ovop_core::errors::Problem), (status = 412, body = ovop_core::errors::Problem), (status = 422, body = ovop_core::errors::Problem)))]
pub async fn receipt(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
    ApiJson(form): ApiJson<SampleReceiptForm>,
) -> Result<Response, ApiError> {
    let expected = optional_if_match(&headers)?;
    let idempotency = Idempotency::optional(
        &caller.user_id,
        &headers,
        &format!("PUT /api/v1/nominations/{id}/sample/receipt"),
        &(expected, &form),
    )?;
    idempotency
        .once(&state.store, async {
            let n = load(&state, &caller, &id, Action::RecordSampleReceipt).await?;
            let current = state
                .store
                .get::<ProductSample>(&n.id)
                .await?
                .ok_or_else(|| sample_refused(SampleError::NotShipped))?;
            let sample = current
                .record_receipt(expected, &form, &caller, state.clock.now())
                .map_err(sample_refused)?;
            save_sample(&state, &idempotency, Some(&current), &sample).await
        })
        .await
}
