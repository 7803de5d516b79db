//! Scoring: an assigned assessor (not in conflict) scores a nomination on its commodity's
//! rubric — a draft that autosaves, then a final submit; the first score freezes the rubric.
//! The admin (and an assessor once their own sheet is submitted, unless the round shows them
//! earlier) sees every submitted sheet and the aggregate with its star.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use ovop_core::aggregate::{aggregate, Aggregate, Policy};
use ovop_core::authz::{decide, Action, Resource};
use ovop_core::nomination::Nomination;
use ovop_core::round::{AssessmentForm, Round, RoundError};
use ovop_core::rubric::Rubric;
use ovop_core::scoring::{sees_others, ScoreError, ScoreSheet, SheetForm, SheetState};
use ovop_core::stars::BandTable;
use ovop_core::Text;
use ovop_platform::auth::Caller;
use ovop_platform::extract::ApiPath;
use ovop_platform::http::{idempotency_key, optional_if_match};
use ovop_platform::idempotency::{Answer, Idempotency};
use ovop_platform::json::ApiJson;
use ovop_platform::nominations::{nomination_for, round_of};
use ovop_platform::problem::require;
use ovop_platform::store::{entities, Tx};
use ovop_platform::ApiError;
use serde::{Deserialize, Serialize};

use crate::AppState;

/// An assessor's view of their sheet: the rubric and what they saved so far.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SheetView {
    pub rubric: Rubric,
    pub sheet: Option<ScoreSheet>,
}

/// A nomination's submitted sheets and their aggregate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ScoresView {
    pub sheets: Vec<ScoreSheet>,
    /// None until a sheet is submitted.
    pub aggregate: Option<Aggregate>,
}

fn refused(e: ScoreError) -> ApiError {
    match e {
        ScoreError::Invalid(fields) => ApiError::Validation(fields),
        ScoreError::Stale { current } => ApiError::VersionMismatch { current },
        e => ApiError::Conflict {
            code: e.code(),
            message: e.message(),
        },
    }
}

/// The rubric of the nomination's commodity group in its round.
async fn rubric_of(state: &AppState, n: &Nomination) -> Result<Rubric, ApiError> {
    let commodity = n.profile.product.commodity.clone();
    state
        .store
        .get::<Rubric>(&(n.round_id.clone(), commodity))
        .await?
        .ok_or(ApiError::Conflict {
            code: "no_rubric",
            message: Text::new(
                "Rubrik untuk komoditas ini belum ditetapkan.",
                "The rubric for this commodity group is not set yet.",
            ),
        })
}

async fn own_sheet(
    state: &AppState,
    n: &Nomination,
    assessor: &str,
) -> Result<Option<ScoreSheet>, ApiError> {
    Ok(state
        .store
        .get::<ScoreSheet>(&(n.id.clone(), assessor.to_owned()))
        .await?)
}

/// Writes a sheet (new or replacing `before`), freezing the rubric with the first score.
async fn save(
    state: &AppState,
    idempotency: &Idempotency,
    before: Option<&ScoreSheet>,
    sheet: &ScoreSheet,
    rubric: &Rubric,
) -> Result<Response, ApiError> {
    let answer = Answer::json(StatusCode::OK, Some(sheet.version), sheet)?;
    let mut tx = Tx::new();
    match before {
        Some(b) => tx.update(sheet, b.version)?,
        None => tx.create(sheet)?,
    };
    if !rubric.frozen {
        let frozen = Rubric {
            frozen: true,
            version: rubric.version + 1,
            ..rubric.clone()
        };
        tx.update(&frozen, rubric.version)?;
    }
    let answer = idempotency
        .commit(&state.store, tx, answer, state.clock.now(), ApiError::from)
        .await?;
    tracing::info!(nomination = %sheet.nomination_id, assessor = %sheet.assessor, state = ?sheet.state, version = sheet.version, "score sheet saved");
    Ok(answer.into_response())
}

/// How a sheet changes: [`ScoreSheet::save_draft`] or [`ScoreSheet::submit`].
type SheetChange = fn(
    Option<&ScoreSheet>,
    Option<u64>,
    &Round,
    &Rubric,
    &str,
    &str,
    &SheetForm,
    chrono::DateTime<chrono::Utc>,
) -> Result<ScoreSheet, ScoreError>;

/// Replays the answer to a retried request, or loads what the sheet change needs, runs it and
/// writes the sheet (freezing the rubric with the first score).
async fn write_sheet(
    state: &AppState,
    caller: &ovop_core::policy::Principal,
    id: &str,
    idempotency: Idempotency,
    expected: Option<u64>,
    form: &SheetForm,
    change: SheetChange,
) -> Result<Response, ApiError> {
    if let Some(earlier) = idempotency.replay(&state.store).await? {
        return Ok(earlier.into_response());
    }
    let n = nomination_for(&state.store, caller, id, Action::ScoreNomination).await?;
    let round = round_of(&state.store, &n).await?;
    let rubric = rubric_of(state, &n).await?;
    let before = own_sheet(state, &n, &caller.user_id).await?;
    let now = state.clock.now();
    let sheet = change(
        before.as_ref(),
        expected,
        &round,
        &rubric,
        &n.id,
        &caller.user_id,
        form,
        now,
    )
    .map_err(refused)?;
    save(state, &idempotency, before.as_ref(), &sheet, &rubric).await
}

/// The assessor's own sheet and the rubric to score on.
#[utoipa::path(get, path = "/api/v1/nominations/{id}/score", tag = "selection", params(("id" = String, Path)),
    responses((status = 200, body = SheetView), (status = 404, body = ovop_core::errors::Problem), (status = 409, body = ovop_core::errors::Problem)))]
pub async fn sheet(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<SheetView>, ApiError> {
    let n = nomination_for(&state.store, &caller, &id, Action::ScoreNomination).await?;
    let rubric = rubric_of(&state, &n).await?;
    let sheet = own_sheet(&state, &n, &caller.user_id).await?;
    Ok(Json(SheetView { rubric, sheet }))
}

/// Saves a draft (autosave): any criteria, each checked; `If-Match` honoured if sent.
#[utoipa::path(put, path = "/api/v1/nominations/{id}/score", tag = "selection", request_body = SheetForm,
    params(("id" = String, Path), ("If-Match" = Option<String>, Header), ("Idempotency-Key" = Option<String>, Header)),
    responses((status = 200, body = ScoreSheet), (status = 404, body = ovop_core::errors::Problem), (status = 409, body = ovop_core::errors::Problem),
              (status = 412, body = ovop_core::errors::Problem), (status = 422, body = ovop_core::errors::Problem)))]
pub async fn save_draft(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
    ApiJson(form): ApiJson<SheetForm>,
) -> Result<Response, ApiError> {
    let expected = optional_if_match(&headers)?;
    let idempotency = Idempotency::optional(
        &caller.user_id,
        &headers,
        &format!("PUT /api/v1/nominations/{id}/score"),
        &(expected, &form),
    )?;
    write_sheet(
        &state,
        &caller,
        &id,
        idempotency,
        expected,
        &form,
        ScoreSheet::save_draft,
    )
    .await
}

/// Submits the sheet for good (every criterion, comments at the extreme levels). Needs
/// `Idempotency-Key`: a retry answers the same.
#[utoipa::path(post, path = "/api/v1/nominations/{id}/score/submit", tag = "selection", request_body = SheetForm,
    params(("id" = String, Path), ("Idempotency-Key" = String, Header), ("If-Match" = Option<String>, Header)),
    responses((status = 200, body = ScoreSheet), (status = 404, body = ovop_core::errors::Problem), (status = 409, body = ovop_core::errors::Problem),
              (status = 412, body = ovop_core::errors::Problem), (status = 422, body = ovop_core::errors::Problem), (status = 428, body = ovop_core::errors::Problem)))]
pub async fn submit(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
    ApiJson(form): ApiJson<SheetForm>,
) -> Result<Response, ApiError> {
    let key = idempotency_key(&headers)?;
    let expected = optional_if_match(&headers)?;
    let idempotency = Idempotency::new(
        &caller.user_id,
        Some(key),
        &format!("POST /api/v1/nominations/{id}/score/submit"),
        &(expected, &form),
    );
    write_sheet(
        &state,
        &caller,
        &id,
        idempotency,
        expected,
        &form,
        ScoreSheet::submit,
    )
    .await
}

/// Every submitted sheet of a nomination and their aggregate (mean, median, spread, star):
/// for the admin, and for an assessor once their own sheet is submitted (or always, when the
/// round shows scores early).
#[utoipa::path(get, path = "/api/v1/nominations/{id}/scores", tag = "selection", params(("id" = String, Path)),
    responses((status = 200, body = ScoresView), (status = 404, body = ovop_core::errors::Problem),
              (status = 409, body = ovop_core::errors::Problem, description = "An assessor who has not submitted their own sheet yet")))]
pub async fn scores(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ScoresView>, ApiError> {
    let admin = decide(&caller, Action::ManageRounds, &Resource::Programme)
        == ovop_core::authz::Decision::Allow;
    let n = if admin {
        nomination_for(&state.store, &caller, &id, Action::AssignAssessors).await?
    } else {
        let n = nomination_for(&state.store, &caller, &id, Action::ScoreNomination).await?;
        let round = round_of(&state.store, &n).await?;
        let own = own_sheet(&state, &n, &caller.user_id).await?;
        if !sees_others(own.as_ref(), round.scores_hidden_until_submitted) {
            return Err(ApiError::Conflict {
                code: "own_score_first",
                message: Text::new(
                    "Nilai penilai lain terlihat setelah Anda mengirim nilai Anda.",
                    "The other assessors' scores show once you submit yours.",
                ),
            });
        }
        n
    };
    // A nomination has a handful of assessors: at most a panel's size.
    let sheets: Vec<ScoreSheet> = state
        .store
        .list::<ScoreSheet>(
            "score sheet",
            &entities::sheets_of(&n.id),
            ovop_core::panel::MAX_MEMBERS,
            None,
            |s: &ScoreSheet| s.state == SheetState::Submitted,
        )
        .await?
        .items;
    let totals: Vec<_> = sheets.iter().filter_map(|s| s.total).collect();
    let aggregate = aggregate(&totals, &BandTable::current(), &Policy::default());
    Ok(Json(ScoresView { sheets, aggregate }))
}

/// Sets the round's assessment deadline and whether scores stay hidden until one's own is
/// submitted (admin); `If-Match` honoured if sent.
#[utoipa::path(put, path = "/api/v1/rounds/{round}/assessment", tag = "selection", request_body = AssessmentForm,
    params(("round" = String, Path), ("If-Match" = Option<String>, Header), ("Idempotency-Key" = Option<String>, Header)),
    responses((status = 200, body = Round), (status = 403, body = ovop_core::errors::Problem), (status = 404, body = ovop_core::errors::Problem),
              (status = 412, body = ovop_core::errors::Problem), (status = 422, body = ovop_core::errors::Problem)))]
pub async fn assessment(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(round_id): ApiPath<String>,
    headers: HeaderMap,
    ApiJson(form): ApiJson<AssessmentForm>,
) -> Result<Response, ApiError> {
    let expected = optional_if_match(&headers)?;
    let idempotency = Idempotency::optional(
        &caller.user_id,
        &headers,
        &format!("PUT /api/v1/rounds/{round_id}/assessment"),
        &(expected, &form),
    )?;
    if let Some(earlier) = idempotency.replay(&state.store).await? {
        return Ok(earlier.into_response());
    }
    require(decide(&caller, Action::ManageRounds, &Resource::Programme))?;
    let current = state
        .store
        .get::<Round>(&round_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let updated = current
        .set_assessment(expected, &form, state.clock.now())
        .map_err(|e| match e {
            RoundError::Stale { current } => ApiError::VersionMismatch { current },
            RoundError::Invalid(fields) => ApiError::Validation(fields),
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
    Ok(answer.into_response())
}
