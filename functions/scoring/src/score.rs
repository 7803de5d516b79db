//! Scoring: an assigned assessor (not in conflict) scores a nomination on its commodity's
//! rubric — a draft that autosaves, then a final submit; the first score freezes the rubric.
//! The admin (and an assessor once their own sheet is submitted, unless the round shows them
//! earlier) sees every submitted sheet and the aggregate with its star.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use ovop_core::aggregate::{aggregate, Policy};
use ovop_core::audit::AuditRecord;
use ovop_core::authz::{decide, Action, Decision, NominationFacts, Resource};
use ovop_core::dto::selection::{ScoresView, SheetView};
use ovop_core::moderation::NominationResult;
use ovop_core::nomination::Nomination;
use ovop_core::panel::Assignment;
use ovop_core::round::{AssessmentForm, Round, RoundError};
use ovop_core::rubric::Rubric;
use ovop_core::scoring::{sees_others, ScoreError, ScoreSheet, SheetForm, SheetState};
use ovop_core::stars::BandTable;
use ovop_core::Text;
use ovop_platform::auth::Caller;
use ovop_platform::extract::ApiPath;
use ovop_platform::http::{idempotency_key, optional_if_match};
use ovop_platform::idempotency::{Answer, Idempotency};
use ovop_platform::ids::new_id;
use ovop_platform::json::ApiJson;
use ovop_platform::nominations::{nomination_for, round_of};
use ovop_platform::store::{entities, Tx};
use ovop_platform::ApiError;

use crate::settle::{lost_race_or, retrying, settle, unlocked};
use crate::{managed_round, AppState};

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
/// writes the sheet in one transaction: with the first score, the rubric freezes; with a final
/// submit, the assignment is marked scored, the nomination's result is tallied again and an
/// audit record is kept ([`settle`]). Two assessors saving or submitting at once both land:
/// the one whose rubric freeze, result or nomination write lost reads again and retries.
async fn write_sheet(
    state: &AppState,
    caller: &ovop_core::policy::Principal,
    id: &str,
    idempotency: Idempotency,
    expected: Option<u64>,
    form: &SheetForm,
    change: SheetChange,
) -> Result<Response, ApiError> {
    idempotency
        .once(
            &state.store,
            retrying(|| try_write_sheet(state, caller, id, &idempotency, expected, form, change)),
        )
        .await
}

/// One attempt of [`write_sheet`].
async fn try_write_sheet(
    state: &AppState,
    caller: &ovop_core::policy::Principal,
    id: &str,
    idempotency: &Idempotency,
    expected: Option<u64>,
    form: &SheetForm,
    change: SheetChange,
) -> Result<Response, ApiError> {
    let n = nomination_for(&state.store, caller, id, Action::ScoreNomination).await?;
    let round = round_of(&state.store, &n).await?;
    let stored = rubric_of(state, &n).await?;
    // The first score freezes the rubric: the sheet records the frozen version.
    let rubric = Rubric {
        frozen: true,
        version: stored.version + u64::from(!stored.frozen),
        ..stored.clone()
    };
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
    let answer = Answer::json(StatusCode::OK, Some(sheet.version), &sheet)?;
    let mut tx = Tx::new();
    match &before {
        Some(b) => tx.update(&sheet, b.version)?,
        None => tx.create(&sheet)?,
    };
    // Ops another assessor's save may win at the same moment: then read again and retry.
    let mut shared = Vec::new();
    if !stored.frozen {
        shared.push(tx.update(&rubric, stored.version)?);
    }
    if sheet.state == SheetState::Submitted {
        unlocked(state, &n.round_id, &mut tx).await?;
        let assignment = state
            .store
            .get::<Assignment>(&(n.id.clone(), caller.user_id.clone()))
            .await?
            .ok_or(ApiError::NotFound)?;
        let scored = assignment.scored(now);
        tx.update(&scored, assignment.version)?;
        shared.extend(settle(state, &n, caller, now, &scored, Some(&sheet), &mut tx).await?);
        tx.create(&AuditRecord::score(new_id(), &sheet))?;
    }
    let answer = idempotency
        .commit(&state.store, tx, answer, now, |e| lost_race_or(&shared, e))
        .await?;
    tracing::info!(nomination = %sheet.nomination_id, assessor = %sheet.assessor, state = ?sheet.state, version = sheet.version, "score sheet saved");
    Ok(answer.into_response())
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
    let n = nomination_for(&state.store, &caller, &id, Action::ReadScores).await?;
    // Who moderates sees everything at once; an assessor first submits their own sheet.
    let moderates = decide(
        &caller,
        Action::ModerateScore,
        &Resource::Nomination(NominationFacts::of(&n.regency_code)),
    ) == Decision::Allow;
    if !moderates {
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
    }
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
    // The stored result carries the admin's moderation: the admin's alone.
    let result = if moderates {
        state.store.get::<NominationResult>(&n.id).await?
    } else {
        None
    };
    Ok(Json(ScoresView {
        sheets,
        aggregate,
        result,
    }))
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
    idempotency
        .once(&state.store, async {
            let current = managed_round(&state, &caller, &round_id).await?;
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
        })
        .await
}
