//! Uploads: a regency office declares a file (checked before any byte is sent), sends its bytes
//! to S3 on presigned requests (one PUT, or parts), then completes; the server checks what
//! arrived and attaches the document in one transaction.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use ovop_core::authz::Action;
use ovop_core::document::{
    declare as declare_file, Document, DocumentKind, DocumentType, MediaType, Multipart, Upload,
    UploadError, UploadState,
};
use ovop_core::dto::uploads::{
    plan, CompleteRequest, DeclareRequest, Declared, Mode, PartRef, PartView, PartsRequest,
    SignedPart, SignedParts, SignedRequest, UploadList, UploadStatus, UploadView,
    MAX_PARTS_PER_REQUEST, SINGLE_PUT_MAX,
};
use ovop_core::nomination::Nomination;
use ovop_core::policy::Principal;
use ovop_core::Text;
use ovop_platform::auth::Caller;
use ovop_platform::extract::ApiPath;
use ovop_platform::http::idempotency_key;
use ovop_platform::idempotency::{Answer, Idempotency};
use ovop_platform::json::ApiJson;
use ovop_platform::nominations::round_of;
use ovop_platform::objects::{CompletedPart, ObjectError, Part, PresignedRequest};
use ovop_platform::store::{entities, Condition, Tx};
use ovop_platform::ApiError;

use crate::inspect::{self, SNIFF_BYTES};
use crate::AppState;

/// Lifetime of a presigned PUT or part URL.
pub const UPLOAD_URL_LIFETIME: Duration = Duration::from_secs(15 * 60);
/// Longest fingerprint kept.
const MAX_FINGERPRINT: usize = 200;

// S3's part cap is core's (the wire plan) and the object port's (its checks): one number.
const _: () =
    assert!(ovop_core::dto::uploads::MAX_PART_NUMBER == ovop_platform::objects::MAX_PART_NUMBER);

/// The browser's copy of a presigned request.
fn signed_request(p: PresignedRequest) -> SignedRequest {
    SignedRequest {
        method: p.method,
        url: p.url,
        headers: p.headers.into_iter().collect(),
        expires_at: p.expires_at,
    }
}

/// The browser's view of a part S3 holds.
fn part_view(p: Part) -> PartView {
    PartView {
        number: p.number,
        size: p.size,
        etag: p.etag,
    }
}

// ------------------------------------------------------------------ shared steps

/// The nomination `id`, if the caller may do `action` to it; 404 when it may not even see it.
pub(crate) async fn load(
    state: &AppState,
    caller: &Principal,
    id: &str,
    action: Action,
) -> Result<Nomination, ApiError> {
    ovop_platform::nominations::nomination_for(&state.store, caller, id, action).await
}

/// 409 unless the regency office may still change the nomination's files (the rule is core's).
fn editable(n: &Nomination) -> Result<(), ApiError> {
    n.accepts_changes().map_err(|e| ApiError::Conflict {
        code: e.code(),
        message: e.message(),
    })
}

fn upload_refused(e: UploadError) -> ApiError {
    ApiError::Conflict {
        code: e.code(),
        message: e.message(),
    }
}

/// 409 unless `u` is open and not expired at `now`.
fn check_open(u: &Upload, now: DateTime<Utc>) -> Result<(), ApiError> {
    match u.state {
        UploadState::Open if u.is_expired(now) => Err(upload_refused(UploadError::Expired)),
        UploadState::Open => Ok(()),
        other => Err(upload_refused(UploadError::NotOpen(other))),
    }
}

fn object_failed(e: ObjectError) -> ApiError {
    ApiError::internal(e)
}

async fn get_upload(state: &AppState, id: &str, upload: &str) -> Result<Upload, ApiError> {
    state
        .store
        .get::<Upload>(&(id.to_owned(), upload.to_owned()))
        .await?
        .ok_or(ApiError::NotFound)
}

// ------------------------------------------------------------------ declare

fn clean_fingerprint(f: Option<&str>) -> Result<Option<String>, ApiError> {
    match f.map(str::trim) {
        None | Some("") => Ok(None),
        Some(f) if f.len() <= MAX_FINGERPRINT && f.bytes().all(|b| (b' '..=b'~').contains(&b)) => {
            Ok(Some(f.to_owned()))
        }
        Some(_) => Err(ApiError::field(
            "fingerprint",
            Text::new(
                "Sidik berkas berisi paling banyak 200 karakter ASCII.",
                "A fingerprint has at most 200 ASCII characters.",
            ),
        )),
    }
}

/// Starts an upload: checks the declared file against the nomination's commodity and round,
/// then answers a presigned PUT (≤ 16 MiB) or a multipart upload (8 MiB parts).
#[utoipa::path(post, path = "/api/v1/nominations/{id}/uploads", tag = "uploads", request_body = DeclareRequest,
    params(("id" = String, Path, description = "Nomination id"), ("Idempotency-Key" = String, Header, description = "Unique per intended upload")),
    responses((status = 201, body = Declared, description = "Declared, or the replay of the declaration with this key"),
              (status = 400, body = ovop_core::errors::Problem, description = "A malformed Idempotency-Key"), (status = 401, body = ovop_core::errors::Problem), (status = 404, body = ovop_core::errors::Problem), (status = 409, body = ovop_core::errors::Problem),
              (status = 422, body = ovop_core::errors::Problem), (status = 428, body = ovop_core::errors::Problem)))]
pub async fn declare(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<DeclareRequest>,
) -> Result<Response, ApiError> {
    let key = idempotency_key(&headers)?;
    let idempotency = Idempotency::new(
        &caller.user_id,
        Some(key),
        &format!("POST /api/v1/nominations/{id}/uploads"),
        &req,
    );
    idempotency
        .once(&state.store, async {
        let n = load(&state, &caller, &id, Action::EditNomination).await?;
        editable(&n)?;
        let round = round_of(&state.store, &n).await?;
        let declared = declare_file(
            &req.document_code,
            &req.file_name,
            &req.media_type,
            req.size,
            &n.commodity_in(&state.commodities),
            &round.document_limits,
        )
        .map_err(ApiError::Validation)?;
        let fingerprint = clean_fingerprint(req.fingerprint.as_deref())?;
        let upload_id = ovop_platform::ids::new_id();
        let object_key = Document::object_key_for(&n.id, declared.code, &upload_id);
        let media = declared.media_type.as_str();
        let (multipart, put) = if declared.size <= SINGLE_PUT_MAX {
            let put = state
                .objects
                .presign_put(&object_key, media, declared.size, UPLOAD_URL_LIFETIME)
                .await
                .map_err(object_failed)?;
            (None, Some(signed_request(put)))
        } else {
            let (part_size, _) = plan(declared.size);
            let mp = state
                .objects
                .create_multipart(&object_key, media)
                .await
                .map_err(object_failed)?;
            (
                Some(Multipart {
                    upload_id: mp,
                    part_size,
                }),
                None,
            )
        };
        let now = state.clock.now();
        let mut upload = Upload::start(upload_id, &n.id, declared, multipart, &caller, now);
        upload.fingerprint = fingerprint;
        let (mode, part_size, part_count) = upload.transfer();
        let answer = Answer::json(
            StatusCode::CREATED,
            None,
            &Declared {
                upload_id: upload.upload_id.clone(),
                mode,
                part_size,
                part_count,
                expires_at: upload.expires_at,
                put,
            },
        )?;
        let mut tx = Tx::new();
        tx.create(&upload)?;
        let committed = idempotency
            .commit(&state.store, tx, answer, now, ApiError::from)
            .await;
        if committed.is_err() {
            if let Some(mp) = &upload.multipart_upload_id {
                let _ = state.objects.abort_multipart(&upload.object_key, mp).await;
            }
        }
        let answer = committed?;
        tracing::info!(nomination = %n.id, upload = %upload.upload_id, code = upload.code.code(), size = upload.size, ?mode, "upload declared");
        Ok(answer.into_response())
        })
        .await
}

// ------------------------------------------------------------------ list, status, parts

/// The nomination's open uploads, oldest first: a reloaded page finds the one whose
/// fingerprint matches the file chosen again.
#[utoipa::path(get, path = "/api/v1/nominations/{id}/uploads", tag = "uploads", params(("id" = String, Path, description = "Nomination id")),
    responses((status = 200, body = UploadList), (status = 401, body = ovop_core::errors::Problem), (status = 404, body = ovop_core::errors::Problem)))]
pub async fn list(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<UploadList>, ApiError> {
    let n = load(&state, &caller, &id, Action::EditNomination).await?;
    let now = state.clock.now();
    let mut items = Vec::new();
    let mut cursor = None;
    loop {
        let page = state
            .store
            .list::<Upload>(
                "upload",
                &entities::uploads_of(&n.id),
                ovop_core::dto::MAX_PAGE,
                cursor,
                |u: &Upload| u.state == UploadState::Open && !u.is_expired(now),
            )
            .await?;
        items.extend(page.items.iter().map(UploadView::from));
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    Ok(Json(UploadList { items }))
}

/// The upload and, when it is an open multipart upload, every part S3 holds.
#[utoipa::path(get, path = "/api/v1/nominations/{id}/uploads/{upload}", tag = "uploads", params(("id" = String, Path, description = "Nomination id"), ("upload" = String, Path, description = "Upload id")),
    responses((status = 200, body = UploadStatus), (status = 401, body = ovop_core::errors::Problem),
              (status = 404, body = ovop_core::errors::Problem, description = "No such nomination or upload, or an expired upload")))]
pub async fn status(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath((id, upload_id)): ApiPath<(String, String)>,
) -> Result<Json<UploadStatus>, ApiError> {
    load(&state, &caller, &id, Action::EditNomination).await?;
    let upload = get_upload(&state, &id, &upload_id).await?;
    let parts = match (&upload.multipart_upload_id, upload.state) {
        (Some(mp), UploadState::Open) => {
            match state.objects.list_parts(&upload.object_key, mp).await {
                Ok(parts) => parts.into_iter().map(part_view).collect(),
                Err(ObjectError::NotFound(_)) => Vec::new(),
                Err(e) => return Err(object_failed(e)),
            }
        }
        _ => Vec::new(),
    };
    Ok(Json(UploadStatus {
        upload: UploadView::from(&upload),
        parts,
    }))
}

/// Presigned `UploadPart` requests for up to 8 parts, each bound to its number and size; for a
/// single upload, part 1 is its presigned PUT signed again.
#[utoipa::path(post, path = "/api/v1/nominations/{id}/uploads/{upload}/parts", tag = "uploads", request_body = PartsRequest,
    params(("id" = String, Path, description = "Nomination id"), ("upload" = String, Path, description = "Upload id")),
    responses((status = 200, body = SignedParts), (status = 401, body = ovop_core::errors::Problem), (status = 404, body = ovop_core::errors::Problem),
              (status = 409, body = ovop_core::errors::Problem, description = "Expired, completed or aborted upload, or a nomination no longer editable"),
              (status = 422, body = ovop_core::errors::Problem)))]
pub async fn parts(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath((id, upload_id)): ApiPath<(String, String)>,
    ApiJson(req): ApiJson<PartsRequest>,
) -> Result<Json<SignedParts>, ApiError> {
    let n = load(&state, &caller, &id, Action::EditNomination).await?;
    editable(&n)?;
    let upload = get_upload(&state, &id, &upload_id).await?;
    check_open(&upload, state.clock.now())?;
    let (mode, _, count) = upload.transfer();
    let Some(mp) = upload
        .multipart_upload_id
        .as_deref()
        .filter(|_| mode == Mode::Multipart)
    else {
        // A single upload resumed after its PUT expired: part 1 is the whole file, signed again.
        if req.numbers != [1] {
            return Err(ApiError::field(
                "numbers",
                Text::new(
                    "Berkas ini dikirim utuh: minta bagian 1 saja.",
                    "This file is sent whole: ask for part 1 only.",
                ),
            ));
        }
        let put = state
            .objects
            .presign_put(
                &upload.object_key,
                upload.media_type.as_str(),
                upload.size,
                UPLOAD_URL_LIFETIME,
            )
            .await
            .map_err(object_failed)?;
        return Ok(Json(SignedParts {
            parts: vec![SignedPart {
                number: 1,
                size: upload.size,
                request: signed_request(put),
            }],
        }));
    };
    let unique: BTreeSet<u32> = req.numbers.iter().copied().collect();
    let in_range = req
        .numbers
        .iter()
        .all(|n| (1..=count).contains(&u64::from(*n)));
    if req.numbers.is_empty()
        || req.numbers.len() > MAX_PARTS_PER_REQUEST
        || unique.len() != req.numbers.len()
        || !in_range
    {
        return Err(ApiError::field(
            "numbers",
            Text::new(
                format!(
                    "Sebutkan 1–{MAX_PARTS_PER_REQUEST} nomor bagian berbeda, 1 sampai {count}."
                ),
                format!("Name 1–{MAX_PARTS_PER_REQUEST} distinct part numbers, 1 to {count}."),
            ),
        ));
    }
    let mut signed = Vec::with_capacity(unique.len());
    for number in unique {
        let size = upload.part_len(u64::from(number));
        let request = state
            .objects
            .presign_upload_part(
                &upload.object_key,
                mp,
                number,
                Some(size),
                UPLOAD_URL_LIFETIME,
            )
            .await
            .map_err(object_failed)?;
        signed.push(SignedPart {
            number,
            size,
            request: signed_request(request),
        });
    }
    Ok(Json(SignedParts { parts: signed }))
}

// ------------------------------------------------------------------ complete

fn parts_error(id: String, en: String) -> ApiError {
    ApiError::field("parts", Text::new(id, en))
}

fn unquoted(etag: &str) -> &str {
    etag.trim().trim_matches('"')
}

/// Checks the parts named against the declared size and what S3 holds, then assembles them.
async fn assemble(
    state: &AppState,
    upload: &Upload,
    mp: &str,
    sent: &[PartRef],
) -> Result<(), ApiError> {
    let (_, _, count) = upload.transfer();
    let ascending = sent.windows(2).all(|w| w[0].number < w[1].number);
    let in_range = sent
        .iter()
        .all(|p| (1..=count).contains(&u64::from(p.number)));
    if sent.is_empty() || !ascending || !in_range {
        return Err(parts_error(
            format!("Sebutkan bagian 1 sampai {count} berurutan, masing-masing dengan ETag-nya."),
            format!("List parts 1 to {count} in order, each with its ETag."),
        ));
    }
    let held = match state.objects.list_parts(&upload.object_key, mp).await {
        Ok(held) => held,
        // An earlier complete assembled the file but did not attach it (it lost a race, or
        // failed after): the checks below run on the object.
        Err(ObjectError::NotFound(_)) if state.objects.head(&upload.object_key).await.is_ok() => {
            return Ok(())
        }
        Err(ObjectError::NotFound(_)) => {
            return Err(upload_refused(UploadError::NotOpen(UploadState::Aborted)))
        }
        Err(e) => return Err(object_failed(e)),
    };
    let held: BTreeMap<u32, Part> = held.into_iter().map(|p| (p.number, p)).collect();
    let missing: Vec<String> = (1..=count)
        .filter(|n| {
            let n = *n as u32;
            !sent.iter().any(|p| p.number == n) || !held.contains_key(&n)
        })
        .map(|n| n.to_string())
        .collect();
    if !missing.is_empty() {
        let list = missing.join(", ");
        return Err(ApiError::Conflict {
            code: "parts_missing",
            message: Text::new(
                format!("Bagian {list} belum terkirim."),
                format!("Parts {list} have not been sent."),
            ),
        });
    }
    for p in sent {
        let stored = &held[&p.number];
        if unquoted(&stored.etag) != unquoted(&p.etag) {
            return Err(parts_error(
                format!(
                    "ETag bagian {} tidak cocok dengan bagian yang tersimpan.",
                    p.number
                ),
                format!("Part {}'s ETag does not match the part stored.", p.number),
            ));
        }
        let want = upload.part_len(u64::from(p.number));
        if stored.size != want {
            return Err(parts_error(
                format!(
                    "Bagian {} berukuran {} bita, seharusnya {want}.",
                    p.number, stored.size
                ),
                format!("Part {} has {} bytes, not {want}.", p.number, stored.size),
            ));
        }
    }
    let completed: Vec<CompletedPart> = sent
        .iter()
        .map(|p| CompletedPart::from(&held[&p.number]))
        .collect();
    match state
        .objects
        .complete_multipart(&upload.object_key, mp, &completed)
        .await
    {
        Ok(_) => Ok(()),
        Err(ObjectError::Precondition(what)) => Err(parts_error(
            "S3 menolak bagian-bagian ini.".into(),
            format!("S3 refused the parts ({what})."),
        )),
        Err(ObjectError::NotFound(_)) => {
            Err(upload_refused(UploadError::NotOpen(UploadState::Aborted)))
        }
        Err(e) => Err(object_failed(e)),
    }
}

/// Refuses a file that arrived wrong: deletes it (and any thumbnail), closes the upload and
/// answers `error`; the nomination and its documents are untouched.
async fn reject(state: &AppState, upload: &Upload, error: ApiError) -> ApiError {
    if let Err(e) = state.objects.delete(&upload.object_key).await {
        tracing::warn!(error = %e, key = %upload.object_key, "could not delete a refused file");
    }
    let _ = state.objects.delete(&thumbnail_key(upload)).await;
    if let Ok(aborted) = upload.abort() {
        let mut tx = Tx::new();
        if tx.update(&aborted, upload.version).is_ok() {
            if let Err(e) = state.store.commit(tx).await {
                tracing::warn!(error = %e, upload = %upload.upload_id, "could not close a refused upload");
            }
        }
    }
    tracing::info!(upload = %upload.upload_id, problem = %error, "uploaded file refused");
    error
}

/// Where the thumbnail of a photo of upload `upload_id` goes:
/// `thumbnails/{nomination}/{code}/{upload}.jpg`, beside the files, in the same bucket.
pub fn thumbnail_key_for(nomination_id: &str, code: DocumentType, upload_id: &str) -> String {
    Document::thumbnail_key_for(nomination_id, code, upload_id)
}

fn thumbnail_key(u: &Upload) -> String {
    thumbnail_key_for(&u.nomination_id, u.code, &u.upload_id)
}

fn wrong_content(media: MediaType) -> ApiError {
    ApiError::field(
        "media_type",
        Text::new(
            format!(
                "Isi berkas bukan {}; berkas dihapus. Unggah berkas yang benar.",
                media.label()
            ),
            format!(
                "The file's content is not a {}; it was removed. Upload the right file.",
                media.label()
            ),
        ),
    )
}

fn wrong_size(declared: u64, stored: u64) -> ApiError {
    ApiError::field(
        "size",
        Text::new(
            format!("Berkas yang tiba berukuran {stored} bita, bukan {declared}; berkas dihapus."),
            format!("The file arrived with {stored} bytes, not {declared}; it was removed."),
        ),
    )
}

/// Completes an upload: the parts assembled (multipart), the object's size, type (magic
/// bytes) and SHA-256 checked, a photo's thumbnail made; then the upload closed and the
/// document attached (replacing the code's earlier one) in one transaction. A file refused here
/// is deleted and the nomination stays as it was.
#[utoipa::path(post, path = "/api/v1/nominations/{id}/uploads/{upload}/complete", tag = "uploads", request_body = CompleteRequest,
    params(("id" = String, Path, description = "Nomination id"), ("upload" = String, Path, description = "Upload id"), ("Idempotency-Key" = String, Header, description = "Unique per intended completion")),
    responses((status = 200, body = ovop_core::document::Document, description = "The document attached, or the replay of the completion with this key"),
              (status = 400, body = ovop_core::errors::Problem, description = "A malformed Idempotency-Key"), (status = 401, body = ovop_core::errors::Problem), (status = 404, body = ovop_core::errors::Problem), (status = 409, body = ovop_core::errors::Problem),
              (status = 422, body = ovop_core::errors::Problem), (status = 428, body = ovop_core::errors::Problem)))]
pub async fn complete(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath((id, upload_id)): ApiPath<(String, String)>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<CompleteRequest>,
) -> Result<Response, ApiError> {
    let key = idempotency_key(&headers)?;
    let idempotency = Idempotency::new(
        &caller.user_id,
        Some(key),
        &format!("POST /api/v1/nominations/{id}/uploads/{upload_id}/complete"),
        &req,
    );
    idempotency
        .once(&state.store, async {
        let n = load(&state, &caller, &id, Action::EditNomination).await?;
        editable(&n)?;
        let upload = get_upload(&state, &id, &upload_id).await?;
        check_open(&upload, state.clock.now())?;
        match upload.multipart_upload_id.as_deref() {
            Some(mp) => assemble(&state, &upload, mp, &req.parts).await?,
            None if !req.parts.is_empty() => {
                return Err(parts_error(
                    "Berkas ini dikirim utuh; jangan sebutkan bagian.".into(),
                    "This file was sent whole; name no parts.".into(),
                ))
            }
            None => {}
        }
        let objects = &state.objects;
        let key = &upload.object_key;
        let info = match objects.head(key).await {
            Ok(info) => info,
            Err(ObjectError::NotFound(_)) => {
                return Err(ApiError::Conflict {
                    code: "not_uploaded",
                    message: Text::new(
                        "Berkas belum tiba: kirim dulu, lalu selesaikan.",
                        "The file has not arrived yet: send it, then complete.",
                    ),
                })
            }
            Err(e) => return Err(object_failed(e)),
        };
        if info.size != upload.size {
            return Err(reject(&state, &upload, wrong_size(upload.size, info.size)).await);
        }
        let prefix = objects
            .read_prefix(key, SNIFF_BYTES)
            .await
            .map_err(object_failed)?;
        if inspect::sniff(&prefix) != Some(upload.media_type) {
            return Err(reject(&state, &upload, wrong_content(upload.media_type)).await);
        }
        let (sha256, read) = inspect::sha256(objects.open(key).await.map_err(object_failed)?)
            .await
            .map_err(object_failed)?;
        if read != upload.size {
            return Err(reject(&state, &upload, wrong_size(upload.size, read)).await);
        }
        if upload.code.kind() == DocumentKind::Photo {
            let photo = objects
                .read(key, upload.size)
                .await
                .map_err(object_failed)?;
            let media = upload.media_type;
            let made = tokio::task::spawn_blocking(move || inspect::thumbnail(&photo, media))
                .await
                .map_err(ApiError::internal)?;
            match made {
                Ok(thumb) => {
                    objects
                        .put(&thumbnail_key(&upload), thumb.into(), "image/jpeg")
                        .await
                        .map_err(object_failed)?;
                }
                Err(e) => {
                    tracing::info!(reason = %e.0, "photo does not decode");
                    return Err(reject(&state, &upload, wrong_content(upload.media_type)).await);
                }
            }
        }
        let now = state.clock.now();
        let previous = state
            .store
            .get::<Document>(&(n.id.clone(), upload.code))
            .await?;
        let (done, document) = upload
            .complete(&sha256, previous.as_ref(), &caller, now)
            .map_err(upload_refused)?;
        let answer = Answer::json(StatusCode::OK, Some(document.version), &document)?;
        let mut tx = Tx::new();
        tx.update(&done, upload.version)?;
        match &previous {
            Some(p) => tx.update(&document, p.version)?,
            None => tx.create(&document)?,
        };
        // A nomination submitted meanwhile takes no new file.
        tx.check::<Nomination>(&n.id, Condition::Version(n.version));
        let answer = idempotency
            .commit(&state.store, tx, answer, now, ApiError::from)
            .await?;
        tracing::info!(nomination = %n.id, upload = %upload.upload_id, code = upload.code.code(), version = document.version, "document attached");
        // The replaced file goes (the bucket keeps it as a noncurrent version for a while).
        if let Some(p) = previous.filter(|p| p.object_key != document.object_key) {
            let thumbnail = thumbnail_key_for(&p.nomination_id, p.code, &p.upload_id);
            for key in [p.object_key.clone(), thumbnail] {
                if let Err(e) = state.objects.delete(&key).await {
                    tracing::warn!(error = %e, key, "could not delete a replaced file");
                }
            }
        }
        Ok(answer.into_response())
        })
        .await
}

// ------------------------------------------------------------------ abort

/// Aborts an open upload: its parts (or its object) are removed.
#[utoipa::path(delete, path = "/api/v1/nominations/{id}/uploads/{upload}", tag = "uploads",
    params(("id" = String, Path, description = "Nomination id"), ("upload" = String, Path, description = "Upload id"), ("Idempotency-Key" = Option<String>, Header)),
    responses((status = 200, body = UploadView), (status = 401, body = ovop_core::errors::Problem), (status = 404, body = ovop_core::errors::Problem),
              (status = 409, body = ovop_core::errors::Problem)))]
pub async fn abort(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath((id, upload_id)): ApiPath<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let idempotency = Idempotency::optional(
        &caller.user_id,
        &headers,
        &format!("DELETE /api/v1/nominations/{id}/uploads/{upload_id}"),
        &(),
    )?;
    idempotency
        .once(&state.store, async {
            load(&state, &caller, &id, Action::EditNomination).await?;
            let upload = get_upload(&state, &id, &upload_id).await?;
            let aborted = upload.abort().map_err(upload_refused)?;
            let removed = match &upload.multipart_upload_id {
                Some(mp) => state.objects.abort_multipart(&upload.object_key, mp).await,
                None => state.objects.delete(&upload.object_key).await,
            };
            match removed {
                Ok(()) | Err(ObjectError::NotFound(_)) => {}
                Err(e) => return Err(object_failed(e)),
            }
            let answer = Answer::json(StatusCode::OK, None, &UploadView::from(&aborted))?;
            let mut tx = Tx::new();
            tx.update(&aborted, upload.version)?;
            let answer = idempotency
                .commit(&state.store, tx, answer, state.clock.now(), ApiError::from)
                .await?;
            tracing::info!(nomination = %id, upload = %upload_id, "upload aborted");
            Ok(answer.into_response())
        })
        .await
}
