//! Rubrics of a round, one per commodity group: everyone signed in reads them; the admin
//! starts from the proposed default, copies last round's, or defines one — until scoring
//! starts, when the rubric freezes.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use ovop_core::authz::{decide, Action, Resource};
use ovop_core::commodity::Commodity;
use ovop_core::round::Round;
use ovop_core::rubric::{Rubric, RubricError, RubricForm};
use ovop_core::Text;
use ovop_platform::auth::Caller;
use ovop_platform::extract::ApiPath;
use ovop_platform::http::optional_if_match;
use ovop_platform::idempotency::{Answer, Idempotency};
use ovop_platform::json::ApiJson;
use ovop_platform::problem::require;
use ovop_platform::store::Tx;
use ovop_platform::ApiError;
use serde::{Deserialize, Serialize};

use crate::{managed_round, AppState};

/// The rubrics of a round that has them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RubricList {
    /// One per commodity group that has one, in the catalogue's order.
    pub items: Vec<Rubric>,
}

/// Where a copy comes from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct CopyRequest {
    /// The round whose rubric for the same commodity group is copied.
    pub from_round: String,
}

fn refused(e: RubricError) -> ApiError {
    match e {
        RubricError::Invalid(fields) => ApiError::Validation(fields),
        RubricError::Stale { current } => ApiError::VersionMismatch { current },
        e => ApiError::Conflict {
            code: e.code(),
            message: e.message(),
        },
    }
}

async fn round(state: &AppState, id: &str) -> Result<Round, ApiError> {
    state
        .store
        .get::<Round>(id)
        .await?
        .ok_or(ApiError::NotFound)
}

fn commodity(state: &AppState, code: &str) -> Result<Commodity, ApiError> {
    state
        .commodities
        .find(code)
        .cloned()
        .map_err(|message| ApiError::BadRequest {
            field: "commodity".into(),
            message,
        })
}

async fn current(
    state: &AppState,
    round: &str,
    commodity: &str,
) -> Result<Option<Rubric>, ApiError> {
    Ok(state
        .store
        .get::<Rubric>(&(round.to_owned(), commodity.to_owned()))
        .await?)
}

/// Writes `rubric` (new, or replacing `before`) with the idempotency record.
async fn save(
    state: &AppState,
    idempotency: &Idempotency,
    before: Option<&Rubric>,
    rubric: &Rubric,
) -> Result<Response, ApiError> {
    let status = if before.is_some() {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    let answer = Answer::json(status, Some(rubric.version), rubric)?;
    let mut tx = Tx::new();
    match before {
        Some(b) => tx.update(rubric, b.version)?,
        None => tx.create(rubric)?,
    };
    let answer = idempotency
        .commit(&state.store, tx, answer, state.clock.now(), ApiError::from)
        .await?;
    tracing::info!(round = %rubric.round_id, commodity = ?rubric.commodity, version = rubric.version, "rubric saved");
    Ok(answer.into_response())
}

/// The round's rubrics, for everyone signed in (the criteria are no secret).
#[utoipa::path(get, path = "/api/v1/rounds/{round}/rubrics", tag = "selection",
    params(("round" = String, Path, description = "Round id, e.g. ovop-2026")),
    responses((status = 200, body = RubricList), (status = 401, body = ovop_core::errors::Problem), (status = 404, body = ovop_core::errors::Problem)))]
pub async fn list(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(round_id): ApiPath<String>,
) -> Result<Json<RubricList>, ApiError> {
    require(decide(&caller, Action::ReadRounds, &Resource::Programme))?;
    round(&state, &round_id).await?;
    let mut items = Vec::new();
    for group in state.commodities.active() {
        if let Some(r) = current(&state, &round_id, &group.code).await? {
            items.push(r);
        }
    }
    Ok(Json(RubricList { items }))
}

/// Defines (or, with `If-Match`, changes) the rubric of a commodity group: weights summing to
/// 100, 2–5 labelled levels per criterion, labels in both languages. Refused once frozen.
#[utoipa::path(put, path = "/api/v1/rounds/{round}/rubrics/{commodity}", tag = "selection", request_body = RubricForm,
    params(("round" = String, Path), ("commodity" = String, Path, description = "Commodity group code, e.g. kain_batik"),
           ("If-Match" = Option<String>, Header, description = "Version read; required to change an existing rubric"), ("Idempotency-Key" = Option<String>, Header)),
    responses((status = 200, body = Rubric, description = "Changed"), (status = 201, body = Rubric, description = "Defined"),
              (status = 400, body = ovop_core::errors::Problem), (status = 403, body = ovop_core::errors::Problem), (status = 404, body = ovop_core::errors::Problem),
              (status = 409, body = ovop_core::errors::Problem), (status = 412, body = ovop_core::errors::Problem), (status = 422, body = ovop_core::errors::Problem)))]
pub async fn define(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath((round_id, code)): ApiPath<(String, String)>,
    headers: HeaderMap,
    ApiJson(form): ApiJson<RubricForm>,
) -> Result<Response, ApiError> {
    let expected = optional_if_match(&headers)?;
    let idempotency = Idempotency::optional(
        &caller.user_id,
        &headers,
        &format!("PUT /api/v1/rounds/{round_id}/rubrics/{code}"),
        &(expected, &form),
    )?;
    idempotency
        .once(&state.store, async {
            managed_round(&state, &caller, &round_id).await?;
            let group = commodity(&state, &code)?;
            let before = current(&state, &round_id, &group.code).await?;
            let rubric = Rubric::define(&round_id, &group.code, form, before.as_ref(), expected)
                .map_err(refused)?;
            save(&state, &idempotency, before.as_ref(), &rubric).await
        })
        .await
}

/// Starts the commodity group's rubric from the brief's proposed default (marked as such).
#[utoipa::path(post, path = "/api/v1/rounds/{round}/rubrics/{commodity}/proposed", tag = "selection",
    params(("round" = String, Path), ("commodity" = String, Path), ("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = Rubric), (status = 403, body = ovop_core::errors::Problem), (status = 404, body = ovop_core::errors::Problem),
              (status = 409, body = ovop_core::errors::Problem, description = "The group has a rubric already")))]
pub async fn proposed(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath((round_id, code)): ApiPath<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let idempotency = Idempotency::optional(
        &caller.user_id,
        &headers,
        &format!("POST /api/v1/rounds/{round_id}/rubrics/{code}/proposed"),
        &(),
    )?;
    idempotency
        .once(&state.store, async {
            managed_round(&state, &caller, &round_id).await?;
            let group = commodity(&state, &code)?;
            if current(&state, &round_id, &group.code).await?.is_some() {
                return Err(refused(RubricError::Exists));
            }
            save(
                &state,
                &idempotency,
                None,
                &Rubric::proposed(&round_id, &group),
            )
            .await
        })
        .await
}

/// Copies another round's rubric of the same commodity group into this round.
#[utoipa::path(post, path = "/api/v1/rounds/{round}/rubrics/{commodity}/copy", tag = "selection", request_body = CopyRequest,
    params(("round" = String, Path), ("commodity" = String, Path), ("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = Rubric), (status = 403, body = ovop_core::errors::Problem), (status = 404, body = ovop_core::errors::Problem),
              (status = 409, body = ovop_core::errors::Problem), (status = 422, body = ovop_core::errors::Problem)))]
pub async fn copy(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath((round_id, code)): ApiPath<(String, String)>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<CopyRequest>,
) -> Result<Response, ApiError> {
    let idempotency = Idempotency::optional(
        &caller.user_id,
        &headers,
        &format!("POST /api/v1/rounds/{round_id}/rubrics/{code}/copy"),
        &req,
    )?;
    idempotency
        .once(&state.store, async {
            managed_round(&state, &caller, &round_id).await?;
            let group = commodity(&state, &code)?;
            let source = current(&state, &req.from_round, &group.code)
                .await?
                .ok_or_else(|| {
                    ApiError::field(
                        "from_round",
                        Text::new(
                            "Periode itu tidak memiliki rubrik untuk komoditas ini.",
                            "That round has no rubric for this commodity group.",
                        ),
                    )
                })?;
            let existing = current(&state, &round_id, &group.code).await?;
            let rubric = source
                .copy_to(&round_id, existing.as_ref())
                .map_err(refused)?;
            save(&state, &idempotency, None, &rubric).await
        })
        .await
}
