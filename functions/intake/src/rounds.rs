//! Rounds: everyone signed in reads them; the admin creates, opens and closes them.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use ovop_core::dto::RoundList;
use ovop_core::round::{Round, RoundForm, RoundPhase};
use ovop_core::Text;
use ovop_platform::auth::Caller;
use ovop_platform::extract::ApiPath;
use ovop_platform::json::ApiJson;
use ovop_platform::ApiError;

use crate::AppState;

/// Rounds, newest first.
#[utoipa::path(get, path = "/api/v1/rounds", tag = "rounds",
    responses((status = 200, body = RoundList), (status = 401, body = ovop_core::errors::Problem)))]
pub async fn list(
    State(state): State<AppState>,
    _caller: Caller,
) -> Result<Json<RoundList>, ApiError> {
    Ok(Json(RoundList {
        items: state.rounds.list_rounds().await?,
    }))
}

/// Creates a planned round (admin).
#[utoipa::path(post, path = "/api/v1/rounds", tag = "rounds", request_body = RoundForm,
    responses((status = 201, body = Round), (status = 403, body = ovop_core::errors::Problem),
              (status = 409, body = ovop_core::errors::Problem), (status = 422, body = ovop_core::errors::Problem)))]
pub async fn create(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(form): ApiJson<RoundForm>,
) -> Result<(StatusCode, Json<Round>), ApiError> {
    if !caller.can_manage_rounds() {
        return Err(ApiError::Forbidden);
    }
    let round = form
        .validate(state.clock.now())
        .map_err(ApiError::Validation)?;
    state
        .rounds
        .create_round(&round)
        .await
        .map_err(|e| match e {
            ovop_platform::store::StoreError::AlreadyExists => ApiError::Conflict {
                code: "round_exists",
                message: Text::new(
                    format!("Periode tahun {} sudah ada.", round.year),
                    format!("A round for {} already exists.", round.year),
                ),
            },
            other => other.into(),
        })?;
    tracing::info!(round = %round.id, actor = %caller.user_id, "round created");
    Ok((StatusCode::CREATED, Json(round)))
}

async fn change_phase(
    state: &AppState,
    caller: &ovop_core::policy::Principal,
    id: &str,
    next: impl Fn(&Round) -> Result<RoundPhase, Text>,
) -> Result<Json<Round>, ApiError> {
    if !caller.can_manage_rounds() {
        return Err(ApiError::Forbidden);
    }
    let current = state
        .rounds
        .get_round(id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let phase = next(&current).map_err(|message| ApiError::Conflict {
        code: "illegal_phase_change",
        message,
    })?;
    let updated = Round {
        phase,
        version: current.version + 1,
        ..current.clone()
    };
    state.rounds.update_round(&updated, current.version).await?;
    tracing::info!(round = %id, phase = ?phase, actor = %caller.user_id, "round phase changed");
    Ok(Json(updated))
}

/// Opens a planned round for proposals (admin).
#[utoipa::path(post, path = "/api/v1/rounds/{id}/open", tag = "rounds",
    params(("id" = String, Path)), responses((status = 200, body = Round), (status = 409, body = ovop_core::errors::Problem)))]
pub async fn open(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Round>, ApiError> {
    change_phase(&state, &caller, &id, Round::open).await
}

/// Closes proposals; administrative review begins (admin).
#[utoipa::path(post, path = "/api/v1/rounds/{id}/close", tag = "rounds",
    params(("id" = String, Path)), responses((status = 200, body = Round), (status = 409, body = ovop_core::errors::Problem)))]
pub async fn close(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Round>, ApiError> {
    change_phase(&state, &caller, &id, Round::close_proposals).await
}
