//! Determination (penetapan): the admin records the Minister's decree — its PDF sent straight
//! to S3 on a presigned PUT — and the round's locked recommendation becomes its awards; the
//! round is determined once and frozen. Then the awards: read, revoked with a reason (audited),
//! and their certificates (piagam).

use std::collections::BTreeMap;
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::FixedOffset;
use ovop_core::audit::AuditRecord;
use ovop_core::authz::{decide, Action, NominationFacts, Resource};
use ovop_core::award::{determine as determine_awards, Award, AwardError, Determination};
use ovop_core::document::{Document, DocumentType};
use ovop_core::dto::awards::{
    AwardList, DecreeUpload, DecreeUploadRequest, DeterminationRequest, RevocationRequest,
    MAX_DECREE_SIZE,
};
use ovop_core::dto::uploads::SignedRequest;
use ovop_core::errors::FieldErrors;
use ovop_core::moderation::Recommendation;
use ovop_core::nomination::Nomination;
use ovop_core::policy::Principal;
use ovop_core::round::Round;
use ovop_core::status::NominationStatus;
use ovop_core::Text;
use ovop_platform::auth::Caller;
use ovop_platform::extract::ApiPath;
use ovop_platform::http::idempotency_key;
use ovop_platform::idempotency::{Answer, Idempotency};
use ovop_platform::ids::new_id;
use ovop_platform::json::ApiJson;
use ovop_platform::nominations::locked_recommendation;
use ovop_platform::objects::{Disposition, ObjectError, PresignedRequest};
use ovop_platform::problem::require;
use ovop_platform::store::{entities, StoreError, Tx};
use ovop_platform::ApiError;

use crate::certificate::CertificateError;
use crate::AppState;

/// How long the decree's presigned PUT and download links live.
const LINK_LIFETIME: Duration = Duration::from_secs(15 * 60);
/// Nominations determined per transaction (three writes each: the nomination, its history
/// line, its award).
const AWARDS_PER_TX: usize = 24;
/// The ministry's day: Western Indonesian Time (UTC+7).
const WIB_SECONDS: i32 = 7 * 3600;

/// The round `round_id` for the admin: 403 for anyone else, 404 when there is no such round.
async fn managed_round(
    state: &AppState,
    caller: &Principal,
    round_id: &str,
) -> Result<Round, ApiError> {
    require(decide(caller, Action::ManageRounds, &Resource::Programme))?;
    state
        .store
        .get::<Round>(round_id)
        .await?
        .ok_or(ApiError::NotFound)
}

fn determined() -> ApiError {
    ApiError::Conflict {
        code: "determined",
        message: Text::new(
            "Periode ini sudah ditetapkan; penetapan tidak dapat diubah.",
            "This round is determined already; a determination cannot change.",
        ),
    }
}

fn signed(p: PresignedRequest) -> SignedRequest {
    SignedRequest {
        method: p.method,
        url: p.url,
        headers: p.headers.into_iter().collect(),
        expires_at: p.expires_at,
    }
}

/// Where a round's decree PDFs go: `decrees/{round}/{id}.pdf`.
fn decree_prefix(round_id: &str) -> String {
    format!("decrees/{round_id}/")
}

/// Signs one PUT of the decree's PDF (admin; before the determination): S3 accepts only a PDF
/// of the declared size. The answer's `key` is named in the determination.
#[utoipa::path(post, path = "/api/v1/rounds/{round}/decree/upload", tag = "awards",
    params(("round" = String, Path)), request_body = DecreeUploadRequest,
    responses((status = 200, body = DecreeUpload), (status = 403, body = ovop_core::errors::Problem),
              (status = 404, body = ovop_core::errors::Problem), (status = 409, body = ovop_core::errors::Problem, description = "Determined already"),
              (status = 422, body = ovop_core::errors::Problem, description = "`size` out of range")))]
pub async fn decree_upload(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(round_id): ApiPath<String>,
    ApiJson(body): ApiJson<DecreeUploadRequest>,
) -> Result<Json<DecreeUpload>, ApiError> {
    managed_round(&state, &caller, &round_id).await?;
    if state.store.get::<Determination>(&round_id).await?.is_some() {
        return Err(determined());
    }
    if body.size == 0 || body.size > MAX_DECREE_SIZE {
        return Err(ApiError::field(
            "size",
            Text::new(
                format!(
                    "Berkas PDF keputusan harus berukuran 1 bita sampai {} MB.",
                    MAX_DECREE_SIZE / (1024 * 1024)
                ),
                format!(
                    "The decree's PDF must be 1 byte to {} MB.",
                    MAX_DECREE_SIZE / (1024 * 1024)
                ),
            ),
        ));
    }
    let key = format!("{}{}.pdf", decree_prefix(&round_id), new_id());
    let request = state
        .uploads
        .presign_put(&key, "application/pdf", body.size, LINK_LIFETIME)
        .await
        .map_err(ApiError::internal)?;
    Ok(Json(DecreeUpload {
        key,
        request: signed(request),
    }))
}

/// A short-lived link to the determined round's decree PDF (admin).
#[utoipa::path(get, path = "/api/v1/rounds/{round}/decree/link", tag = "awards",
    params(("round" = String, Path)),
    responses((status = 200, body = SignedRequest), (status = 403, body = ovop_core::errors::Problem),
              (status = 404, body = ovop_core::errors::Problem, description = "No such round, or not determined")))]
pub async fn decree_link(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(round_id): ApiPath<String>,
) -> Result<Json<SignedRequest>, ApiError> {
    managed_round(&state, &caller, &round_id).await?;
    let determination = state
        .store
        .get::<Determination>(&round_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let filename = format!("keputusan-{round_id}.pdf");
    let link = state
        .uploads
        .presign_get(
            &determination.decree_document,
            &Disposition::Inline { filename },
            LINK_LIFETIME,
        )
        .await
        .map_err(ApiError::internal)?;
    Ok(Json(signed(link)))
}

/// Checks the decree's PDF arrived: under the round's prefix, at most [`MAX_DECREE_SIZE`],
/// and a PDF by its first bytes.
async fn checked_decree(state: &AppState, round_id: &str, key: &str) -> Result<(), ApiError> {
    let refuse = |id: &str, en: &str| {
        ApiError::field("document_key", Text::new(id.to_owned(), en.to_owned()))
    };
    if !key.starts_with(&decree_prefix(round_id)) || key.contains("..") {
        return Err(refuse(
            "Kunci berkas bukan unggahan keputusan periode ini.",
            "The key is not an upload of this round's decree.",
        ));
    }
    let info = match state.uploads.head(key).await {
        Ok(info) => info,
        Err(ObjectError::NotFound(_)) => {
            return Err(refuse(
                "Berkas PDF keputusan belum diunggah.",
                "The decree's PDF has not been uploaded.",
            ))
        }
        Err(e) => return Err(ApiError::internal(e)),
    };
    let head = state
        .uploads
        .read_prefix(key, 5)
        .await
        .map_err(ApiError::internal)?;
    if info.size > MAX_DECREE_SIZE || head.as_ref() != b"%PDF-" {
        return Err(refuse(
            "Berkas keputusan harus berupa PDF.",
            "The decree must be a PDF file.",
        ));
    }
    Ok(())
}

/// Determines the round (admin): checks the decree and its PDF, turns the locked
/// recommendation into awards (certificate numbers in the leaderboard's order) and every
/// recommended nomination into a determined one, a batch per transaction; the determination
/// is written last, so an interrupted determination is finished by sending it again (with the
/// same decree). Needs `Idempotency-Key`; a round is determined once.
#[utoipa::path(post, path = "/api/v1/rounds/{round}/determination", tag = "awards",
    params(("round" = String, Path), ("Idempotency-Key" = String, Header)),
    request_body = DeterminationRequest,
    responses((status = 201, body = Determination), (status = 403, body = ovop_core::errors::Problem),
              (status = 404, body = ovop_core::errors::Problem),
              (status = 409, body = ovop_core::errors::Problem, description = "Determined already, the recommendation is not locked, or a recommended nomination changed"),
              (status = 422, body = ovop_core::errors::Problem, description = "The decree's fields (`decree.number`, `decree.date`, `decree.signer`, `decree.valid_until`) or its PDF (`document_key`)"),
              (status = 428, body = ovop_core::errors::Problem)))]
pub async fn determine(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(round_id): ApiPath<String>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<DeterminationRequest>,
) -> Result<Response, ApiError> {
    let key = idempotency_key(&headers)?;
    let idempotency = Idempotency::new(
        &caller.user_id,
        Some(key),
        &format!("POST /api/v1/rounds/{round_id}/determination"),
        &body,
    );
    idempotency
        .once(&state.store, async {
            let round = managed_round(&state, &caller, &round_id).await?;
            if state.store.get::<Determination>(&round_id).await?.is_some() {
                return Err(determined());
            }
            let now = state.clock.now();
            let today = now
                .with_timezone(&FixedOffset::east_opt(WIB_SECONDS).expect("UTC+7 is an offset"))
                .date_naive();
            let decree = body.decree.validate(today).map_err(|e| {
                ApiError::Validation(FieldErrors(
                    e.0.into_iter()
                        .map(|(field, message)| (format!("decree.{field}"), message))
                        .collect(),
                ))
            })?;
            let Some(recommendation) = locked_recommendation(&state.store, &round_id).await?
            else {
                return Err(ApiError::Conflict {
                    code: "not_locked",
                    message: Text::new(
                        "Daftar rekomendasi periode ini belum dikunci.",
                        "The round's recommendation list is not locked yet.",
                    ),
                });
            };
            checked_decree(&state, &round_id, &body.document_key).await?;
            let nominations = recommended_nominations(&state, &recommendation).await?;
            let photos = photos_of(&state, &nominations).await?;
            // Nominations an interrupted determination moved already count as recommended here:
            // their awards exist and are kept.
            let as_recommended: Vec<Nomination> = nominations
                .iter()
                .map(|n| match n.status {
                    NominationStatus::Determined => Nomination {
                        status: NominationStatus::Recommended,
                        ..n.clone()
                    },
                    _ => n.clone(),
                })
                .collect();
            let (determination, awards) = determine_awards(
                &recommendation,
                round.year,
                &as_recommended,
                &photos,
                &decree,
                &body.document_key,
                &caller.user_id,
                now,
            )
            .map_err(|e| match e {
                AwardError::Invalid(errors) => ApiError::Validation(errors),
                other => changed_meanwhile(other.to_string()),
            })?;
            write_awards(&state, &caller, &nominations, &awards).await?;
            let answer = Answer::json(StatusCode::CREATED, None, &determination)?;
            let frozen = round.determined(now).map_err(|_| determined())?;
            let mut tx = Tx::new();
            tx.create(&determination)?;
            tx.update(&frozen, round.version)?;
            let answer = idempotency
                .commit(&state.store, tx, answer, now, |e| match e {
                    StoreError::ConditionFailed { op: 0, .. } => determined(),
                    StoreError::ConditionFailed { .. } => changed_meanwhile(e.to_string()),
                    e => ApiError::from(e),
                })
                .await?;
            tracing::info!(round = %round_id, awards = determination.awards, decree = %determination.decree.number, by = %caller.user_id, "round determined");
            Ok(answer.into_response())
        })
        .await
}

fn changed_meanwhile(detail: String) -> ApiError {
    tracing::info!(%detail, "determination refused: the recommendation changed");
    ApiError::Conflict {
        code: "changed_meanwhile",
        message: Text::new(
            "Usulan yang direkomendasikan berubah atau sudah ditetapkan dengan keputusan lain; muat ulang.",
            "A recommended nomination changed or was determined with another decree; reload.",
        ),
    }
}

/// The recommended nominations, read in parallel.
async fn recommended_nominations(
    state: &AppState,
    recommendation: &Recommendation,
) -> Result<Vec<Nomination>, ApiError> {
    let mut nominations = Vec::with_capacity(recommendation.items.len());
    for batch in recommendation.items.chunks(AWARDS_PER_TX) {
        let mut reads = tokio::task::JoinSet::new();
        for item in batch {
            let store = state.store.clone();
            let id = item.nomination_id.clone();
            reads.spawn(async move { store.get::<Nomination>(&id).await });
        }
        while let Some(read) = reads.join_next().await {
            nominations.extend(read.map_err(ApiError::internal)??);
        }
    }
    Ok(nominations)
}

/// Each nomination's product-photo thumbnail, where it has one.
async fn photos_of(
    state: &AppState,
    nominations: &[Nomination],
) -> Result<BTreeMap<String, String>, ApiError> {
    let mut photos = BTreeMap::new();
    for batch in nominations.chunks(AWARDS_PER_TX) {
        let mut reads = tokio::task::JoinSet::new();
        for n in batch {
            let store = state.store.clone();
            let id = n.id.clone();
            reads.spawn(async move {
                store
                    .get::<Document>(&(id, DocumentType::ProductPhotos))
                    .await
            });
        }
        while let Some(read) = reads.join_next().await {
            if let Some(document) = read.map_err(ApiError::internal)?? {
                if let Some(key) = document.thumbnail_key() {
                    photos.insert(document.nomination_id, key);
                }
            }
        }
    }
    Ok(photos)
}

/// Creates the awards and moves their nominations to determined, a batch per transaction.
/// A nomination an interrupted determination moved keeps its award, which must carry this
/// decree.
async fn write_awards(
    state: &AppState,
    caller: &Principal,
    nominations: &[Nomination],
    awards: &[Award],
) -> Result<(), ApiError> {
    let by_id: BTreeMap<&str, &Nomination> =
        nominations.iter().map(|n| (n.id.as_str(), n)).collect();
    for batch in awards.chunks(AWARDS_PER_TX) {
        let now = state.clock.now();
        let mut tx = Tx::new();
        for award in batch {
            let n = by_id
                .get(award.id.as_str())
                .ok_or_else(|| changed_meanwhile(award.id.clone()))?;
            if n.status == NominationStatus::Determined {
                let earlier = state.store.get::<Award>(&award.id).await?;
                match earlier {
                    Some(a) if a.decree_number == award.decree_number => continue,
                    _ => return Err(changed_meanwhile(award.id.clone())),
                }
            }
            let change = n
                .determined(caller, now)
                .ok_or_else(|| changed_meanwhile(award.id.clone()))?;
            tx.update(&change.nomination, n.version)?;
            tx.create(&change.audit)?;
            tx.create(award)?;
        }
        if tx.is_empty() {
            continue;
        }
        state.store.commit(tx).await.map_err(|e| match e {
            StoreError::ConditionFailed { .. } => changed_meanwhile(e.to_string()),
            e => ApiError::from(e),
        })?;
    }
    Ok(())
}

/// The round's determination (admin; 404 before it).
#[utoipa::path(get, path = "/api/v1/rounds/{round}/determination", tag = "awards",
    params(("round" = String, Path)),
    responses((status = 200, body = Determination), (status = 403, body = ovop_core::errors::Problem),
              (status = 404, body = ovop_core::errors::Problem, description = "No such round, or not determined yet")))]
pub async fn determination(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(round_id): ApiPath<String>,
) -> Result<Json<Determination>, ApiError> {
    managed_round(&state, &caller, &round_id).await?;
    state
        .store
        .get::<Determination>(&round_id)
        .await?
        .map(Json)
        .ok_or(ApiError::NotFound)
}

/// Whether `caller` may read `award` (the one decision, on the award's regency).
fn may_read(caller: &Principal, award: &Award) -> ovop_core::authz::Decision {
    decide(
        caller,
        Action::ReadAward,
        &Resource::Nomination(NominationFacts::of(&award.regency_code)),
    )
}

/// The round's awards, revoked ones included, by province and regency: those the one decision
/// lets the caller read (`ReadAward`) — all for the ministry, their region's for a province or
/// regency office, none for an assessor.
#[utoipa::path(get, path = "/api/v1/rounds/{round}/awards", tag = "awards",
    params(("round" = String, Path)),
    responses((status = 200, body = AwardList), (status = 404, body = ovop_core::errors::Problem)))]
pub async fn awards(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(round_id): ApiPath<String>,
) -> Result<Json<AwardList>, ApiError> {
    require(decide(&caller, Action::ReadRounds, &Resource::Programme))?;
    state
        .store
        .get::<Round>(&round_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let awards = state
        .store
        .list_all::<Award>("award", &entities::awards_of_round(&round_id))
        .await?
        .into_iter()
        .filter(|a| may_read(&caller, a) == ovop_core::authz::Decision::Allow)
        .collect();
    Ok(Json(AwardList { awards }))
}

/// The award `id` for `caller`: 404 when they may not know of it, 403 when they may not read it.
async fn readable_award(state: &AppState, caller: &Principal, id: &str) -> Result<Award, ApiError> {
    let award = state
        .store
        .get::<Award>(id)
        .await?
        .ok_or(ApiError::NotFound)?;
    require(may_read(caller, &award))?;
    Ok(award)
}

/// One award, with its `ETag` (its version).
#[utoipa::path(get, path = "/api/v1/awards/{id}", tag = "awards",
    params(("id" = String, Path)),
    responses((status = 200, body = Award), (status = 403, body = ovop_core::errors::Problem),
              (status = 404, body = ovop_core::errors::Problem)))]
pub async fn award(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    let award = readable_award(&state, &caller, &id).await?;
    let etag = format!("\"{}\"", award.version);
    Ok(([(header::ETAG, etag)], Json(award)).into_response())
}

fn revoked() -> ApiError {
    ApiError::Conflict {
        code: "revoked",
        message: Text::new(
            "Penghargaan ini sudah dicabut.",
            "This award is revoked already.",
        ),
    }
}

/// Revokes an award with a reason (admin): it leaves the public gallery at the next
/// publication; the revocation is audited on its nomination. Needs `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/awards/{id}/revocation", tag = "awards",
    params(("id" = String, Path), ("Idempotency-Key" = String, Header)),
    request_body = RevocationRequest,
    responses((status = 200, body = Award), (status = 403, body = ovop_core::errors::Problem),
              (status = 404, body = ovop_core::errors::Problem), (status = 409, body = ovop_core::errors::Problem, description = "Revoked already"),
              (status = 422, body = ovop_core::errors::Problem, description = "`reason` missing or too long"),
              (status = 428, body = ovop_core::errors::Problem)))]
pub async fn revoke(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<RevocationRequest>,
) -> Result<Response, ApiError> {
    let key = idempotency_key(&headers)?;
    let idempotency = Idempotency::new(
        &caller.user_id,
        Some(key),
        &format!("POST /api/v1/awards/{id}/revocation"),
        &body,
    );
    idempotency
        .once(&state.store, async {
            require(decide(&caller, Action::ManageRounds, &Resource::Programme))?;
            let award = state
                .store
                .get::<Award>(&id)
                .await?
                .ok_or(ApiError::NotFound)?;
            let now = state.clock.now();
            let revoked_award = award
                .revoke(&body.reason, &caller.user_id, now)
                .map_err(|e| match e {
                    AwardError::Invalid(errors) => ApiError::Validation(errors),
                    _ => revoked(),
                })?;
            let answer = Answer::json(StatusCode::OK, None, &revoked_award)?;
            let mut tx = Tx::new();
            tx.update(&revoked_award, award.version)?;
            if let Some(record) = AuditRecord::revocation(new_id(), &revoked_award) {
                tx.create(&record)?;
            }
            let answer = idempotency
                .commit(&state.store, tx, answer, now, |e| match e {
                    StoreError::ConditionFailed { .. } => revoked(),
                    e => ApiError::from(e),
                })
                .await?;
            tracing::info!(award = %id, by = %caller.user_id, "award revoked");
            Ok(answer.into_response())
        })
        .await
}

/// The award's certificate (piagam) as a PDF, its QR code linking to the award's public page.
/// A revoked award has none.
#[utoipa::path(get, path = "/api/v1/awards/{id}/certificate", tag = "awards",
    params(("id" = String, Path)),
    responses((status = 200, content_type = "application/pdf", description = "The certificate"),
              (status = 403, body = ovop_core::errors::Problem), (status = 404, body = ovop_core::errors::Problem),
              (status = 409, body = ovop_core::errors::Problem, description = "Revoked")))]
pub async fn certificate(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    let award = readable_award(&state, &caller, &id).await?;
    if award.revocation.is_some() {
        return Err(revoked());
    }
    let url = award_url(&state.gallery_url, &award.id);
    let certificate_number = award.certificate_number.clone();
    let pdf = tokio::task::spawn_blocking(move || crate::certificate::render(&award, &url))
        .await
        .map_err(ApiError::internal)?
        .map_err(|e| match e {
            CertificateError::MissingGlyph { ch, .. } => ApiError::Conflict {
                code: "unprintable",
                message: Text::new(
                    format!("Piagam tidak dapat dicetak: huruf {ch:?} tidak ada pada fon piagam."),
                    format!("The certificate cannot be printed: its font has no {ch:?}."),
                ),
            },
            e => ApiError::internal(e),
        })?;
    let filename = format!("piagam-{}.pdf", certificate_number.replace('/', "-"));
    let disposition = Disposition::Attachment { filename }.header_value();
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/pdf"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition).map_err(ApiError::internal)?,
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        pdf,
    )
        .into_response())
}

/// The award's stable public page: `{gallery}penghargaan/{id}/`.
pub fn award_url(gallery_url: &str, id: &str) -> String {
    format!("{gallery_url}penghargaan/{id}/")
}
