//! Rounds: everyone signed in reads them; the admin creates, opens and closes them.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use ovop_core::authz::{decide, Action, Resource};
use ovop_core::dto::RoundPage;
use ovop_core::policy::Principal;
use ovop_core::round::{Round, RoundError, RoundForm};
use ovop_core::Text;
use ovop_platform::auth::Caller;
use ovop_platform::extract::{ApiPath, ApiQuery};
use ovop_platform::http::{if_match, optional_idempotency_key};
use ovop_platform::idempotency::{Answer, Idempotency};
use ovop_platform::json::ApiJson;
use ovop_platform::paging::{refused_cursor, seal, PageRequest};
use ovop_platform::problem::require;
use ovop_platform::store::{entities, StoreError, Tx};
use ovop_platform::ApiError;

use crate::AppState;
use ovop_core::dto::PageParams;

/// Rounds, newest first, a page at a time.
#[utoipa::path(get, path = "/api/v1/rounds", tag = "rounds", params(PageParams),
    responses((status = 200, body = RoundPage), (status = 401, body = ovop_core::errors::Problem)))]
pub async fn list(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(params): ApiQuery<PageParams>,
) -> Result<Json<RoundPage>, ApiError> {
    require(decide(&caller, Action::ReadRounds, &Resource::Programme))?;
    let scope = "rounds";
    let page = PageRequest::parse(params.limit, params.cursor.as_deref(), scope)?;
    let listed = state
        .store
        .list::<Round>(
            "round",
            &entities::rounds(),
            page.limit,
            page.cursor,
            |_| true,
        )
        .await
        .map_err(refused_cursor)?;
    Ok(Json(RoundPage {
        items: listed.items,
        next: listed.next.map(|c| seal(&c, scope)).transpose()?,
    }))
}

/// Creates a planned round (admin).
#[utoipa::path(post, path = "/api/v1/rounds", tag = "rounds", request_body = RoundForm,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = Round), (status = 403, body = ovop_core::errors::Problem),
              (status = 409, body = ovop_core::errors::Problem), (status = 422, body = ovop_core::errors::Problem)))]
pub async fn create(
    State(state): State<AppState>,
    Caller(caller): Caller,
    headers: HeaderMap,
    ApiJson(form): ApiJson<RoundForm>,
) -> Result<Response, ApiError> {
    require(decide(&caller, Action::ManageRounds, &Resource::Programme))?;
    let idempotency = Idempotency::new(
        &caller.user_id,
        optional_idempotency_key(&headers)?,
        "POST /api/v1/rounds",
        &form,
    );
    idempotency
        .once(&state.store, async {
            let now = state.clock.now();
            let round = form.validate(now).map_err(ApiError::Validation)?;
            let answer = Answer::json(StatusCode::CREATED, Some(round.version), &round)?;
            let mut tx = Tx::new();
            tx.create(&round)?;
            let exists = |e: StoreError| match e {
                StoreError::ConditionFailed { .. } => ApiError::Conflict {
                    code: "round_exists",
                    message: Text::new(
                        format!("Periode tahun {} sudah ada.", round.year),
                        format!("A round for {} already exists.", round.year),
                    ),
                },
                other => other.into(),
            };
            let answer = idempotency
                .commit(&state.store, tx, answer, now, exists)
                .await?;
            tracing::info!(round = %round.id, actor = %caller.user_id, "round created");
            Ok(answer.into_response())
        })
        .await
}

async fn change_phase(
    state: &AppState,
    caller: &Principal,
    id: &str,
    headers: &HeaderMap,
    action: &str,
    next: impl Fn(&Round, Option<u64>) -> Result<Round, RoundError>,
) -> Result<Response, ApiError> {
    require(decide(caller, Action::ManageRounds, &Resource::Programme))?;
    let expected = headers
        .contains_key(header::IF_MATCH)
        .then(|| if_match(headers))
        .transpose()?;
    let idempotency = Idempotency::new(
        &caller.user_id,
        optional_idempotency_key(headers)?,
        &format!("POST /api/v1/rounds/{id}/{action}"),
        &expected,
    );
    idempotency
        .once(&state.store, async {
        let current = state
            .store
            .get::<Round>(id)
            .await?
            .ok_or(ApiError::NotFound)?;
        let updated = next(&current, expected).map_err(|e| match e {
            RoundError::Stale { current } => ApiError::VersionMismatch { current },
            e => ApiError::Conflict {
                code: e.code(),
                message: e.message(),
            },
        })?;
        let answer = Answer::json(StatusCode::OK, Some(updated.version), &updated)?;
        let mut tx = Tx::new();
        tx.update(&updated, current.version)?;
        let answer = idempotency
            .commit(&state.store, tx, answer, state.clock.now(), ApiError::from)
            .await?;
        tracing::info!(round = %id, phase = ?updated.phase, actor = %caller.user_id, "round phase changed");
        Ok(answer.into_response())
        })
        .await
}

/// Opens a planned round for proposals (admin).
#[utoipa::path(post, path = "/api/v1/rounds/{id}/open", tag = "rounds",
    params(("id" = String, Path), ("If-Match" = Option<String>, Header), ("Idempotency-Key" = Option<String>, Header)),
    responses((status = 200, body = Round), (status = 409, body = ovop_core::errors::Problem)))]
pub async fn open(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let now = state.clock.now();
    change_phase(&state, &caller, &id, &headers, "open", |r, v| {
        r.open(v, now)
    })
    .await
}

/// Closes proposals; administrative review begins (admin).
#[utoipa::path(post, path = "/api/v1/rounds/{id}/close", tag = "rounds",
    params(("id" = String, Path), ("If-Match" = Option<String>, Header), ("Idempotency-Key" = Option<String>, Header)),
    responses((status = 200, body = Round), (status = 409, body = ovop_core::errors::Problem)))]
pub async fn close(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let now = state.clock.now();
    change_phase(&state, &caller, &id, &headers, "close", |r, v| {
        r.close_proposals(v, now)
    })
    .await
}
