//! Nominations: a regency office drafts, edits, submits and withdraws; others read by scope.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Datelike;
use ovop_core::dto::NominationList;
use ovop_core::nomination::{AuditEntry, Nomination, NominationForm, ValidForm};
use ovop_core::policy::{ListScope, Principal};
use ovop_core::region::time_zone_of;
use ovop_core::status::{Event, NominationStatus};
use ovop_core::Text;
use ovop_platform::auth::Caller;
use ovop_platform::extract::{ApiPath, ApiQuery};
use ovop_platform::http::{etag, idempotency_key, if_match, optional_idempotency_key};
use ovop_platform::json::{ApiJson, JsonAnswer};
use ovop_platform::store::{Created, NominationQuery, Scope};
use ovop_platform::ApiError;
use serde::Deserialize;

use crate::AppState;

/// A nomination with its version as `ETag`.
fn with_etag(status: StatusCode, n: &Nomination) -> Response {
    (status, [(header::ETAG, etag(n.version))], JsonAnswer(n)).into_response()
}

/// Who is signed in.
#[utoipa::path(get, path = "/api/v1/me", tag = "session",
    responses((status = 200, body = Principal), (status = 401, body = ovop_core::errors::Problem)))]
pub async fn me(Caller(caller): Caller) -> Json<Principal> {
    Json(caller)
}

/// List filters.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct ListParams {
    /// Round id, e.g. `ovop-2026`.
    pub round: Option<String>,
    /// Status name, e.g. `SUBMITTED`.
    pub status: Option<String>,
}

/// Nominations the caller may see: its regency, its province, or all for the ministry.
#[utoipa::path(get, path = "/api/v1/nominations", tag = "nominations", params(ListParams),
    responses((status = 200, body = NominationList), (status = 401, body = ovop_core::errors::Problem)))]
pub async fn list(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Json<NominationList>, ApiError> {
    let status = match params.status.as_deref() {
        None | Some("") => None,
        Some(s) => Some(NominationStatus::parse(s).ok_or_else(|| {
            ApiError::field(
                "status",
                Text::new("Status tidak dikenal.", "Unknown status."),
            )
        })?),
    };
    let scope = match caller.list_scope() {
        ListScope::All => Scope::All,
        ListScope::Province(p) => Scope::Province(p),
        ListScope::Regency(r) => Scope::Regency(r),
        ListScope::Assigned => return Ok(Json(NominationList { items: vec![] })),
    };
    let query = NominationQuery {
        scope,
        round_id: params.round.filter(|r| !r.is_empty()),
        status,
    };
    Ok(Json(NominationList {
        items: state.nominations.list_nominations(&query).await?,
    }))
}

/// A nomination the caller may read; 404 otherwise, so that existence does not leak.
async fn readable(
    state: &AppState,
    caller: &Principal,
    id: &str,
) -> Result<Arc<Nomination>, ApiError> {
    match state.nominations.get_nomination(id).await? {
        Some(n) if caller.can_read_nomination(&n.regency_code) => Ok(n),
        _ => Err(ApiError::NotFound),
    }
}

/// A nomination the caller may change: readable, and its own regency's.
async fn own(state: &AppState, caller: &Principal, id: &str) -> Result<Arc<Nomination>, ApiError> {
    let n = readable(state, caller, id).await?;
    if caller.can_propose_for(&n.regency_code) {
        Ok(n)
    } else {
        Err(ApiError::Forbidden)
    }
}

fn validate(state: &AppState, form: &NominationForm) -> Result<ValidForm, ApiError> {
    let year = state.clock.now().year();
    form.validate(&state.commodities, year)
        .map_err(ApiError::Validation)
}

async fn check_round_open(
    state: &AppState,
    n_round: &str,
    zone_of: &ovop_core::region::RegencyCode,
) -> Result<(), ApiError> {
    let round = state.rounds.get_round(n_round).await?.ok_or_else(|| {
        ApiError::field(
            "round_id",
            Text::new("Periode tidak dikenal.", "Unknown round."),
        )
    })?;
    round
        .accepts_proposals(state.clock.now(), time_zone_of(zone_of))
        .map_err(|message| ApiError::Conflict {
            code: "round_not_open",
            message,
        })
}

/// Creates a draft. A retry with the same `Idempotency-Key` answers the same nomination.
#[utoipa::path(post, path = "/api/v1/nominations", tag = "nominations", request_body = NominationForm,
    params(("Idempotency-Key" = String, Header, description = "Unique per intended nomination")),
    responses((status = 201, body = Nomination), (status = 200, description = "Replay of an earlier create", body = Nomination),
              (status = 403, body = ovop_core::errors::Problem), (status = 409, body = ovop_core::errors::Problem),
              (status = 422, body = ovop_core::errors::Problem), (status = 428, body = ovop_core::errors::Problem)))]
pub async fn create(
    State(state): State<AppState>,
    Caller(caller): Caller,
    headers: HeaderMap,
    ApiJson(form): ApiJson<NominationForm>,
) -> Result<Response, ApiError> {
    let key = idempotency_key(&headers)?;
    if caller.role != ovop_core::policy::Role::Pengusul {
        return Err(ApiError::Forbidden);
    }
    let valid = validate(&state, &form)?;
    if !caller.can_propose_for(&valid.regency) {
        return Err(ApiError::field(
            "regency_code",
            Text::new(
                "Anda hanya dapat mengusulkan IKM dari kabupaten/kota Anda sendiri.",
                "You can only nominate IKM of your own regency/city.",
            ),
        ));
    }
    check_round_open(&state, &valid.round_id, &valid.regency).await?;
    let now = state.clock.now();
    let nomination = Arc::new(Nomination::draft(
        ulid::Ulid::new().to_string(),
        valid,
        &caller.user_id,
        now,
    ));
    let entry = AuditEntry::of(&nomination, &caller.user_id, "create", None);
    match state
        .nominations
        .create_nomination(Arc::clone(&nomination), &entry, &caller.user_id, &key, now)
        .await?
    {
        Created::New => {
            tracing::info!(nomination = %nomination.id, regency = %nomination.regency_code, "nomination created");
            Ok(with_etag(StatusCode::CREATED, &nomination))
        }
        Created::Replayed(earlier) => {
            let same = earlier.profile == nomination.profile
                && earlier.round_id == nomination.round_id
                && earlier.regency_code == nomination.regency_code;
            if !same {
                return Err(ApiError::Conflict {
                    code: "idempotency_key_reused",
                    message: Text::new(
                        "Idempotency-Key ini sudah dipakai untuk usulan lain.",
                        "This Idempotency-Key was already used for a different nomination.",
                    ),
                });
            }
            Ok(with_etag(StatusCode::OK, &earlier))
        }
    }
}

/// One nomination.
#[utoipa::path(get, path = "/api/v1/nominations/{id}", tag = "nominations", params(("id" = String, Path)),
    responses((status = 200, body = Nomination), (status = 404, body = ovop_core::errors::Problem)))]
pub async fn read(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    let n = readable(&state, &caller, &id).await?;
    Ok(with_etag(StatusCode::OK, &n))
}

/// The history of one nomination.
#[utoipa::path(get, path = "/api/v1/nominations/{id}/history", tag = "nominations", params(("id" = String, Path)),
    responses((status = 200, body = [AuditEntry]), (status = 404, body = ovop_core::errors::Problem)))]
pub async fn history(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Vec<AuditEntry>>, ApiError> {
    readable(&state, &caller, &id).await?;
    Ok(Json(state.nominations.audit_trail(&id).await?))
}

/// Writes a changed nomination conditionally on the version it was read at.
async fn save(
    state: &AppState,
    caller: &Principal,
    before: &Nomination,
    mut after: Nomination,
    action: &str,
) -> Result<Arc<Nomination>, ApiError> {
    after.version = before.version + 1;
    after.updated_at = state.clock.now();
    let entry = AuditEntry::of(&after, &caller.user_id, action, Some(before.status));
    let after = Arc::new(after);
    state
        .nominations
        .update_nomination(Arc::clone(&after), before.version, &entry)
        .await?;
    tracing::info!(nomination = %after.id, action, status = after.status.as_str(), version = after.version, "nomination changed");
    Ok(after)
}

fn illegal(e: ovop_core::status::IllegalTransition) -> ApiError {
    ApiError::Conflict {
        code: "illegal_transition",
        message: e.message(),
    }
}

/// Edits a draft (or a nomination returned for revision). Needs `If-Match: "<version>"`.
#[utoipa::path(put, path = "/api/v1/nominations/{id}", tag = "nominations", request_body = NominationForm,
    params(("id" = String, Path), ("If-Match" = String, Header, description = "Version read, e.g. \"3\"")),
    responses((status = 200, body = Nomination), (status = 412, body = ovop_core::errors::Problem),
              (status = 409, body = ovop_core::errors::Problem), (status = 422, body = ovop_core::errors::Problem)))]
pub async fn update(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
    ApiJson(form): ApiJson<NominationForm>,
) -> Result<Response, ApiError> {
    let expected = if_match(&headers)?;
    let current = own(&state, &caller, &id).await?;
    if current.version != expected {
        return Err(ApiError::VersionMismatch {
            current: current.version,
        });
    }
    if !current.status.editable_by_proposer() {
        return Err(ApiError::Conflict {
            code: "not_editable",
            message: Text::new(
                "Usulan yang sudah diajukan tidak dapat diubah.",
                "A submitted nomination cannot be edited.",
            ),
        });
    }
    let valid = validate(&state, &form)?;
    if valid.regency != current.regency_code {
        return Err(ApiError::field(
            "regency_code",
            Text::new(
                "Kabupaten/kota usulan tidak dapat diubah.",
                "The regency/city cannot change.",
            ),
        ));
    }
    if valid.round_id != current.round_id {
        return Err(ApiError::field(
            "round_id",
            Text::new(
                "Periode usulan tidak dapat diubah.",
                "The round cannot change.",
            ),
        ));
    }
    let after = Nomination {
        profile: valid.profile,
        ..Nomination::clone(&current)
    };
    let saved = save(&state, &caller, &current, after, "update").await?;
    Ok(with_etag(StatusCode::OK, &saved))
}

/// Submits to the ministry (copy to the province) while the round is open. A retry with the
/// same `Idempotency-Key` answers the submitted nomination; `If-Match` is honoured if sent.
#[utoipa::path(post, path = "/api/v1/nominations/{id}/submit", tag = "nominations",
    params(("id" = String, Path), ("Idempotency-Key" = Option<String>, Header), ("If-Match" = Option<String>, Header)),
    responses((status = 200, body = Nomination), (status = 409, body = ovop_core::errors::Problem),
              (status = 412, body = ovop_core::errors::Problem)))]
pub async fn submit(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let key = optional_idempotency_key(&headers)?;
    let expected = headers
        .contains_key(header::IF_MATCH)
        .then(|| if_match(&headers))
        .transpose()?;
    let current = own(&state, &caller, &id).await?;
    let replay = |n: &Nomination| {
        key.is_some() && n.submit_key == key && n.status == NominationStatus::Submitted
    };
    if replay(&current) {
        return Ok(with_etag(StatusCode::OK, &current));
    }
    if expected.is_some_and(|v| v != current.version) {
        return Err(ApiError::VersionMismatch {
            current: current.version,
        });
    }
    let next = current.status.apply(Event::Submit).map_err(illegal)?;
    check_round_open(&state, &current.round_id, &current.regency_code).await?;
    let after = Nomination {
        status: next,
        submitted_at: Some(state.clock.now()),
        submit_key: key.clone(),
        ..Nomination::clone(&current)
    };
    match save(&state, &caller, &current, after, "submit").await {
        Ok(saved) => Ok(with_etag(StatusCode::OK, &saved)),
        Err(ApiError::VersionMismatch { .. }) if key.is_some() => {
            // A concurrent retry of the same submit may have won the race.
            let now = own(&state, &caller, &id).await?;
            if replay(&now) {
                Ok(with_etag(StatusCode::OK, &now))
            } else {
                Err(ApiError::VersionMismatch {
                    current: now.version,
                })
            }
        }
        Err(e) => Err(e),
    }
}

/// Withdraws a draft or a nomination returned for revision.
#[utoipa::path(post, path = "/api/v1/nominations/{id}/withdraw", tag = "nominations",
    params(("id" = String, Path), ("If-Match" = Option<String>, Header)),
    responses((status = 200, body = Nomination), (status = 409, body = ovop_core::errors::Problem)))]
pub async fn withdraw(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let current = own(&state, &caller, &id).await?;
    if headers.contains_key(header::IF_MATCH) && if_match(&headers)? != current.version {
        return Err(ApiError::VersionMismatch {
            current: current.version,
        });
    }
    let next = current.status.apply(Event::Withdraw).map_err(illegal)?;
    let after = Nomination {
        status: next,
        ..Nomination::clone(&current)
    };
    let saved = save(&state, &caller, &current, after, "withdraw").await?;
    Ok(with_etag(StatusCode::OK, &saved))
}
