//! Nominations: a regency office drafts, edits, submits and withdraws; others read by scope.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Datelike;
use ovop_core::authz::{decide, Action, NominationFacts, Resource};
use ovop_core::dto::{AuditPage, NominationPage, NominationSummary, PageParams};
use ovop_core::nomination::{
    AuditEntry, Change, Nomination, NominationError, NominationForm, ValidForm,
};
use ovop_core::policy::{ListScope, Principal};
use ovop_core::round::Round;
use ovop_core::status::NominationStatus;
use ovop_core::Text;
use ovop_platform::auth::Caller;
use ovop_platform::extract::{ApiPath, ApiQuery};
use ovop_platform::http::{etag, idempotency_key, if_match, optional_if_match};
use ovop_platform::idempotency::{Answer, Idempotency};
use ovop_platform::json::{ApiJson, JsonAnswer};
use ovop_platform::nominations::{bundle_of, nomination_for};
use ovop_platform::paging::PageRequest;
use ovop_platform::problem::require;
use ovop_platform::store::{entities, Listing, Tx};
use ovop_platform::ApiError;
use serde::Deserialize;

use crate::AppState;

/// Who is signed in.
#[utoipa::path(get, path = "/api/v1/me", tag = "session",
    responses((status = 200, body = Principal), (status = 401, body = ovop_core::errors::Problem)))]
pub async fn me(Caller(caller): Caller) -> Json<Principal> {
    Json(caller)
}

/// List filters and paging.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct ListParams {
    /// Round id, e.g. `ovop-2026`. Required for the ministry's lists (every regency's).
    pub round: Option<String>,
    /// Status name, e.g. `SUBMITTED`.
    pub status: Option<String>,
    /// Items per page: 1–200, default 50.
    pub limit: Option<u32>,
    /// The `next` cursor of the previous page.
    pub cursor: Option<String>,
}

fn parse_status(status: Option<&str>) -> Result<Option<NominationStatus>, ApiError> {
    match status {
        None | Some("") => Ok(None),
        Some(s) => NominationStatus::parse(s).map(Some).ok_or_else(|| {
            ApiError::field(
                "status",
                Text::new("Status tidak dikenal.", "Unknown status."),
            )
        }),
    }
}

/// Nominations the caller may see, a page at a time: its regency, its province, or a round
/// of every regency for the ministry.
#[utoipa::path(get, path = "/api/v1/nominations", tag = "nominations", params(ListParams),
    responses((status = 200, body = NominationPage), (status = 400, body = ovop_core::errors::Problem),
              (status = 401, body = ovop_core::errors::Problem), (status = 422, body = ovop_core::errors::Problem)))]
pub async fn list(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Json<NominationPage>, ApiError> {
    require(decide(
        &caller,
        Action::ListNominations,
        &Resource::Programme,
    ))?;
    let status = parse_status(params.status.as_deref())?;
    let round = params.round.as_deref().filter(|r| !r.is_empty());
    let (listing, scope): (Listing, String) = match caller.list_scope() {
        ListScope::Regency(r) => (
            entities::nominations_of_regency(&r, round),
            format!("regency={r}"),
        ),
        ListScope::Province(p) => (
            entities::nominations_of_province(&p, round),
            format!("province={p}"),
        ),
        ListScope::All => match round {
            Some(r) => (entities::nominations_of_round(r, status), "all".into()),
            None => {
                return Err(ApiError::field(
                    "round",
                    Text::new(
                        "Pilih periode: daftar seluruh usulan ditampilkan per periode.",
                        "Choose a round: the list of every nomination is shown per round.",
                    ),
                ))
            }
        },
        ListScope::Assigned => {
            return Ok(Json(NominationPage {
                items: vec![],
                next: None,
            }))
        }
    };
    let scope = format!("nominations|{scope}|round={round:?}|status={status:?}");
    let page = PageRequest::parse(params.limit, params.cursor.as_deref(), &scope)?;
    let listed = state
        .store
        .list::<NominationSummary>(
            "nomination",
            &listing,
            page.limit,
            page.cursor,
            |n: &NominationSummary| status.is_none_or(|s| n.status == s),
        )
        .await
        .map_err(ovop_platform::paging::refused_cursor)?;
    Ok(Json(NominationPage {
        items: listed.items,
        next: listed
            .next
            .map(|c| ovop_platform::paging::seal(&c, &scope))
            .transpose()?,
    }))
}

/// The nomination `id`, if the caller may do `action` to it; 404 when it may not even see it.
async fn load(
    state: &AppState,
    caller: &Principal,
    id: &str,
    action: Action,
) -> Result<Nomination, ApiError> {
    nomination_for(&state.store, caller, id, action).await
}

fn validate(state: &AppState, form: &NominationForm) -> Result<ValidForm, ApiError> {
    let year = state.clock.now().year();
    form.validate(&state.commodities, year)
        .map_err(ApiError::Validation)
}

/// A use case's refusal as an answer.
fn refused(e: NominationError) -> ApiError {
    match e {
        NominationError::Stale { current } => ApiError::VersionMismatch { current },
        NominationError::RoundMismatch => ApiError::internal(e),
        e => match e.field() {
            Some(field) => ApiError::field(field, e.message()),
            None => ApiError::Conflict {
                code: e.code(),
                message: e.message(),
            },
        },
    }
}

async fn round_of(state: &AppState, id: &str) -> Result<Round, ApiError> {
    state.store.get::<Round>(id).await?.ok_or_else(|| {
        ApiError::field(
            "round_id",
            Text::new("Periode tidak dikenal.", "Unknown round."),
        )
    })
}

/// Writes a change of an existing nomination (conditional on the version it was read at) with
/// its audit entry and idempotency record, and answers the new state.
async fn save(
    state: &AppState,
    idempotency: &Idempotency,
    before_version: u64,
    change: Change,
) -> Result<Response, ApiError> {
    let n = &change.nomination;
    let answer = Answer::json(StatusCode::OK, Some(n.version), n)?;
    let mut tx = Tx::new();
    tx.update(n, before_version)?;
    tx.create(&change.audit)?;
    let answer = idempotency
        .commit(&state.store, tx, answer, state.clock.now(), ApiError::from)
        .await?;
    tracing::info!(nomination = %n.id, action = %change.audit.action, status = n.status.as_str(), version = n.version, "nomination changed");
    Ok(answer.into_response())
}

/// Creates a draft. A retry with the same `Idempotency-Key` answers the same nomination.
#[utoipa::path(post, path = "/api/v1/nominations", tag = "nominations", request_body = NominationForm,
    params(("Idempotency-Key" = String, Header, description = "Unique per intended nomination")),
    responses((status = 201, body = Nomination, description = "Created, or the replay of the create with this key"),
              (status = 403, body = ovop_core::errors::Problem), (status = 409, body = ovop_core::errors::Problem),
              (status = 422, body = ovop_core::errors::Problem), (status = 428, body = ovop_core::errors::Problem)))]
pub async fn create(
    State(state): State<AppState>,
    Caller(caller): Caller,
    headers: HeaderMap,
    ApiJson(form): ApiJson<NominationForm>,
) -> Result<Response, ApiError> {
    let key = idempotency_key(&headers)?;
    let idempotency = Idempotency::new(
        &caller.user_id,
        Some(key),
        "POST /api/v1/nominations",
        &form,
    );
    idempotency
        .once(&state.store, async {
            let valid = validate(&state, &form)?;
            let facts = NominationFacts::of(&valid.regency);
            require(decide(
                &caller,
                Action::CreateNomination,
                &Resource::Nomination(facts),
            ))?;
            let round = round_of(&state, &valid.round_id).await?;
            let now = state.clock.now();
            let change =
                Nomination::create(ovop_platform::ids::new_id(), valid, &round, &caller, now)
                    .map_err(refused)?;
            let n = &change.nomination;
            let answer = Answer::json(StatusCode::CREATED, Some(n.version), n)?;
            let mut tx = Tx::new();
            tx.create(n)?;
            tx.create(&change.audit)?;
            let answer = idempotency
                .commit(&state.store, tx, answer, now, ApiError::from)
                .await?;
            tracing::info!(nomination = %n.id, regency = %n.regency_code, "nomination created");
            Ok(answer.into_response())
        })
        .await
}

/// One nomination.
#[utoipa::path(get, path = "/api/v1/nominations/{id}", tag = "nominations", params(("id" = String, Path)),
    responses((status = 200, body = Nomination), (status = 404, body = ovop_core::errors::Problem)))]
pub async fn read(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    let n = load(&state, &caller, &id, Action::ReadNomination).await?;
    Ok((
        StatusCode::OK,
        [(header::ETAG, etag(n.version))],
        JsonAnswer(&n),
    )
        .into_response())
}

/// The history of one nomination, oldest first, a page at a time.
#[utoipa::path(get, path = "/api/v1/nominations/{id}/history", tag = "nominations",
    params(("id" = String, Path), PageParams),
    responses((status = 200, body = AuditPage), (status = 404, body = ovop_core::errors::Problem)))]
pub async fn history(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<String>,
    ApiQuery(params): ApiQuery<PageParams>,
) -> Result<Json<AuditPage>, ApiError> {
    load(&state, &caller, &id, Action::ReadNominationHistory).await?;
    let scope = format!("history|{id}");
    let page = PageRequest::parse(params.limit, params.cursor.as_deref(), &scope)?;
    let listed = state
        .store
        .list::<AuditEntry>(
            "audit entry",
            &entities::audit_trail(&id),
            page.limit,
            page.cursor,
            |_| true,
        )
        .await
        .map_err(ovop_platform::paging::refused_cursor)?;
    Ok(Json(AuditPage {
        items: listed.items,
        next: listed
            .next
            .map(|c| ovop_platform::paging::seal(&c, &scope))
            .transpose()?,
    }))
}

/// Edits a draft (or a nomination returned for revision). Needs `If-Match: "<version>"`.
#[utoipa::path(put, path = "/api/v1/nominations/{id}", tag = "nominations", request_body = NominationForm,
    params(("id" = String, Path), ("If-Match" = String, Header, description = "Version read, e.g. \"3\""),
           ("Idempotency-Key" = Option<String>, Header)),
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
    let idempotency = Idempotency::optional(
        &caller.user_id,
        &headers,
        &format!("PUT /api/v1/nominations/{id}"),
        &(expected, &form),
    )?;
    idempotency
        .once(&state.store, async {
            let current = load(&state, &caller, &id, Action::EditNomination).await?;
            let valid = validate(&state, &form)?;
            let change = current
                .edit(expected, valid, &caller, state.clock.now())
                .map_err(refused)?;
            save(&state, &idempotency, current.version, change).await
        })
        .await
}

/// Submits to the ministry (copy to the province) while the round is open; in a round that
/// requires documents, only with the complete bundle (422 on `documents` naming what is
/// missing). A retry with the same `Idempotency-Key` answers the same; `If-Match` is honoured
/// if sent.
#[utoipa::path(post, path = "/api/v1/nominations/{id}/submit", tag = "nominations",
    params(("id" = String, Path), ("Idempotency-Key" = Option<String>, Header), ("If-Match" = Option<String>, Header)),
    responses((status = 200, body = Nomination), (status = 409, body = ovop_core::errors::Problem),
              (status = 412, body = ovop_core::errors::Problem), (status = 422, body = ovop_core::errors::Problem)))]
pub async fn submit(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let expected = optional_if_match(&headers)?;
    let idempotency = Idempotency::optional(
        &caller.user_id,
        &headers,
        &format!("POST /api/v1/nominations/{id}/submit"),
        &expected,
    )?;
    idempotency
        .once(&state.store, async {
            let current = load(&state, &caller, &id, Action::SubmitNomination).await?;
            let round = round_of(&state, &current.round_id).await?;
            let (bundle, _) = bundle_of(&state.store, &state.commodities, &current, &round).await?;
            let change = current
                .submit_with_bundle(expected, &round, &bundle, &caller, state.clock.now())
                .map_err(refused)?;
            save(&state, &idempotency, current.version, change).await
        })
        .await
}

/// Withdraws a draft or a nomination returned for revision.
#[utoipa::path(post, path = "/api/v1/nominations/{id}/withdraw", tag = "nominations",
    params(("id" = String, Path), ("Idempotency-Key" = Option<String>, Header), ("If-Match" = Option<String>, Header)),
    responses((status = 200, body = Nomination), (status = 409, body = ovop_core::errors::Problem)))]
pub async fn withdraw(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let expected = optional_if_match(&headers)?;
    let idempotency = Idempotency::optional(
        &caller.user_id,
        &headers,
        &format!("POST /api/v1/nominations/{id}/withdraw"),
        &expected,
    )?;
    idempotency
        .once(&state.store, async {
            let current = load(&state, &caller, &id, Action::WithdrawNomination).await?;
            let change = current
                .withdraw(expected, &caller, state.clock.now())
                .map_err(refused)?;
            save(&state, &idempotency, current.version, change).await
        })
        .await
}
