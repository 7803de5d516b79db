//! After scoring (admin): a nomination's result and its moderation, the ranked leaderboard of a
//! round (optionally of one commodity group) with its score distribution, and the
//! recommendation list locked for determination (penetapan). The rules are core's
//! ([`ovop_core::moderation`]).

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;

use axum::Json;
use ovop_core::audit::AuditRecord;
use ovop_core::authz::Action;
use ovop_core::dto::selection::{Leaderboard, ModerateRequest};
use ovop_core::dto::NominationSummary;
use ovop_core::moderation::{
    distribution, leaderboard, normalise_round, recommend, ModerationError, NominationResult,
    Recommendation, RecommendationLock, Recommended,
};
use ovop_core::nomination::Nomination;
use ovop_core::stars::BandTable;
use ovop_core::status::NominationStatus;
use ovop_core::Text;
use ovop_platform::auth::Caller;
use ovop_platform::extract::{ApiPath, ApiQuery};
use ovop_platform::http::{etag, idempotency_key, if_match};
use ovop_platform::idempotency::{Answer, Idempotency};
use ovop_platform::ids::new_id;
use ovop_platform::json::ApiJson;
use ovop_platform::nominations::nomination_for;
use ovop_platform::store::{entities, Condition, StoreError, Tx};
use ovop_platform::ApiError;
use serde::Deserialize;

use crate::settle::locked;
use crate::{managed_round, AppState};

/// Points per bar of the score distribution.
const BUCKET_WIDTH: u16 = 5;

fn not_scored() -> ApiError {
    ApiError::Conflict {
        code: "not_scored",
        message: Text::new(
            "Penilaian usulan ini belum lengkap.",
            "This nomination is not fully scored yet.",
        ),
    }
}

/// A nomination's result: the aggregate of its submitted sheets and its moderation (admin).
#[utoipa::path(get, path = "/api/v1/nominations/{id}/result", tag = "selection", params(("id" = String, Path)),
    responses((status = 200, body = NominationResult, headers(("ETag" = String))), (status = 403, body = ovop_core::errors::Problem),
              (status = 404, body = ovop_core::errors::Problem), (status = 409, body = ovop_core::errors::Problem, description = "Not scored yet")))]
pub async fn result(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    let n = nomination_for(&state.store, &caller, &id, Action::ModerateScore).await?;
    let result = state
        .store
        .get::<NominationResult>(&n.id)
        .await?
        .ok_or_else(not_scored)?;
    Ok((
        [(axum::http::header::ETAG, etag(result.version))],
        Json(result),
    )
        .into_response())
}

/// Moderates a nomination's final score with a recorded justification (admin). Needs
/// `If-Match` with the result's version: of two admins moderating the same score, the second
/// gets 412. The raw aggregate is kept; refused once the recommendation is locked.
#[utoipa::path(put, path = "/api/v1/nominations/{id}/result/moderation", tag = "selection", request_body = ModerateRequest,
    params(("id" = String, Path), ("If-Match" = String, Header, description = "The result's version"), ("Idempotency-Key" = Option<String>, Header)),
    responses((status = 200, body = NominationResult), (status = 403, body = ovop_core::errors::Problem), (status = 404, body = ovop_core::errors::Problem),
              (status = 409, body = ovop_core::errors::Problem), (status = 412, body = ovop_core::errors::Problem),
              (status = 422, body = ovop_core::errors::Problem), (status = 428, body = ovop_core::errors::Problem)))]
pub async fn moderate(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<ModerateRequest>,
) -> Result<Response, ApiError> {
    let expected = if_match(&headers)?;
    let idempotency = Idempotency::optional(
        &caller.user_id,
        &headers,
        &format!("PUT /api/v1/nominations/{id}/result/moderation"),
        &(expected, &req),
    )?;
    idempotency
        .once(&state.store, async {
        let n = nomination_for(&state.store, &caller, &id, Action::ModerateScore).await?;
        let current = state
            .store
            .get::<NominationResult>(&n.id)
            .await?
            .ok_or_else(not_scored)?;
        let is_locked = state
            .store
            .get::<RecommendationLock>(&n.round_id)
            .await?
            .is_some();
        let now = state.clock.now();
        let moderated = current
            .moderate(
                expected,
                req.score,
                &req.justification,
                n.status,
                is_locked,
                &caller.user_id,
                now,
            )
            .map_err(|e| match e {
                ModerationError::Invalid(fields) => ApiError::Validation(fields),
                ModerationError::Stale { current } => ApiError::VersionMismatch { current },
                ModerationError::Locked => locked(),
                ModerationError::NotScored => not_scored(),
            })?;
        let answer = Answer::json(StatusCode::OK, Some(moderated.version), &moderated)?;
        let mut tx = Tx::new();
        tx.update(&moderated, current.version)?;
        // The lock moves the nomination before it is written: either check failing means locked.
        let guards = [
            tx.check::<RecommendationLock>(&n.round_id, Condition::Absent),
            tx.check::<Nomination>(&n.id, Condition::Version(n.version)),
        ];
        tx.create(&AuditRecord::moderation(new_id(), &current, &moderated))?;
        let answer = idempotency
            .commit(&state.store, tx, answer, now, |e| match e {
                StoreError::ConditionFailed { op, .. } if guards.contains(&op) => locked(),
                e => ApiError::from(e),
            })
            .await?;
        tracing::info!(nomination = %n.id, by = %caller.user_id, score = %moderated.final_score(), version = moderated.version, "score moderated");
        Ok(answer.into_response())
        })
        .await
}

/// Which leaderboard.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default, deny_unknown_fields)]
pub struct LeaderboardParams {
    /// A commodity group code; every group when left out.
    pub commodity: Option<String>,
}

async fn ranked_results(
    state: &AppState,
    round_id: &str,
    commodity: Option<&str>,
) -> Result<Vec<ovop_core::moderation::Ranked>, ApiError> {
    // Normalisation looks at every assessor's scores across the round, so the whole round is
    // read, then one commodity group kept.
    let mut results = state
        .store
        .list_all::<NominationResult>("result", &entities::results_of_round(round_id))
        .await?;
    normalise_round(&mut results);
    results.retain(|r| commodity.is_none_or(|c| r.commodity == c));
    Ok(leaderboard(results, &BandTable::current()))
}

/// The round's results ranked by final score (equal scores share a rank), with spread flags,
/// the score distribution and the recommendation once locked (admin).
#[utoipa::path(get, path = "/api/v1/rounds/{round}/leaderboard", tag = "selection",
    params(("round" = String, Path), LeaderboardParams),
    responses((status = 200, body = Leaderboard), (status = 400, body = ovop_core::errors::Problem),
              (status = 403, body = ovop_core::errors::Problem), (status = 404, body = ovop_core::errors::Problem)))]
pub async fn board(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(round_id): ApiPath<String>,
    ApiQuery(params): ApiQuery<LeaderboardParams>,
) -> Result<Json<Leaderboard>, ApiError> {
    managed_round(&state, &caller, &round_id).await?;
    let commodity = params.commodity.filter(|c| !c.is_empty());
    if let Some(c) = &commodity {
        if state.commodities.get(c).is_none() {
            return Err(ApiError::BadRequest {
                field: "commodity".into(),
                message: Text::new(
                    "Kelompok komoditas tidak dikenal.",
                    "Unknown commodity group.",
                ),
            });
        }
    }
    let items = ranked_results(&state, &round_id, commodity.as_deref()).await?;
    let recommendation =
        ovop_platform::nominations::locked_recommendation(&state.store, &round_id).await?;
    Ok(Json(Leaderboard {
        distribution: distribution(&items, BUCKET_WIDTH)
            .into_iter()
            .map(|c| u32::try_from(c).unwrap_or(u32::MAX))
            .collect(),
        bucket_width: BUCKET_WIDTH,
        round_id,
        commodity,
        items,
        recommendation,
    }))
}

/// Locks the round's recommendation list for determination (admin): every nomination whose
/// final score earns stars, with the score and stars as they stand. Every scored nomination
/// moves to recommended or not recommended; the lock itself is written last, so a lock
/// interrupted half-way is finished by sending it again. Needs `Idempotency-Key`; from then on
/// no score is submitted or moderated in the round.
#[utoipa::path(post, path = "/api/v1/rounds/{round}/recommendation", tag = "selection",
    params(("round" = String, Path), ("Idempotency-Key" = String, Header)),
    responses((status = 201, body = RecommendationLock), (status = 403, body = ovop_core::errors::Problem), (status = 404, body = ovop_core::errors::Problem),
              (status = 409, body = ovop_core::errors::Problem, description = "Locked already, scoring unfinished, nothing scored, or a score changed meanwhile (send it again)"),
              (status = 428, body = ovop_core::errors::Problem)))]
pub async fn lock(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(round_id): ApiPath<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let key = idempotency_key(&headers)?;
    let idempotency = Idempotency::new(
        &caller.user_id,
        Some(key),
        &format!("POST /api/v1/rounds/{round_id}/recommendation"),
        &(),
    );
    idempotency
        .once(&state.store, async {
        managed_round(&state, &caller, &round_id).await?;
        if state
            .store
            .get::<RecommendationLock>(&round_id)
            .await?
            .is_some()
        {
            return Err(locked());
        }
        // Every nomination that passed administrative selection is scored before the lock.
        let mut unfinished = 0;
        for status in [
            NominationStatus::AdminPassed,
            NominationStatus::InAssessment,
        ] {
            unfinished += state
                .store
                .list_all::<NominationSummary>(
                    "nomination",
                    &entities::nominations_of_round(&round_id, Some(status)),
                )
                .await?
                .len();
        }
        if unfinished > 0 {
            return Err(ApiError::Conflict {
                code: "scoring_unfinished",
                message: Text::new(
                    format!("{unfinished} usulan belum selesai dinilai."),
                    format!("{unfinished} nominations are not fully scored yet."),
                ),
            });
        }
        let ranked = ranked_results(&state, &round_id, None).await?;
        if ranked.is_empty() {
            return Err(ApiError::Conflict {
                code: "nothing_scored",
                message: Text::new(
                    "Belum ada usulan yang dinilai pada periode ini.",
                    "No nomination of this round has been scored yet.",
                ),
            });
        }
        let now = state.clock.now();
        let recommendation = recommend(&round_id, &ranked, &caller.user_id, now);
        let versions: BTreeMap<&str, u64> = ranked
            .iter()
            .map(|r| (r.result.nomination_id.as_str(), r.result.version))
            .collect();
        move_nominations(&state, &caller, &recommendation, &versions).await?;
        let lock = recommendation.lock();
        let answer = Answer::json(StatusCode::CREATED, None, &lock)?;
        let mut tx = Tx::new();
        tx.create(&lock)?;
        let answer = idempotency
            .commit(&state.store, tx, answer, now, |e| match e {
                StoreError::ConditionFailed { .. } => locked(),
                e => ApiError::from(e),
            })
            .await?;
        tracing::info!(round = %round_id, recommended = lock.recommended, by = %caller.user_id, "recommendation locked");
        Ok(answer.into_response())
        })
        .await
}

/// Nominations moved per transaction when the recommendation is locked (four ops each: the
/// nomination, its history line, the check of its result, its place on the list).
const MOVES_PER_TX: usize = 24;

/// Moves every scored nomination of the round to recommended or not recommended, as the
/// recommendation says, a batch per transaction (its nominations read at once); each recommended one gets its place on the
/// stored list. Each move checks that the nomination's result is still the version ranked
/// (a moderation or a conflict that changed it meanwhile refuses the lock: send it again).
async fn move_nominations(
    state: &AppState,
    caller: &ovop_core::policy::Principal,
    recommendation: &Recommendation,
    versions: &BTreeMap<&str, u64>,
) -> Result<(), ApiError> {
    let round_id = &recommendation.round_id;
    let recommended: BTreeMap<&str, &Recommended> = recommendation
        .items
        .iter()
        .map(|i| (i.nomination_id.as_str(), i))
        .collect();
    let scored = state
        .store
        .list_all::<NominationSummary>(
            "nomination",
            &entities::nominations_of_round(round_id, Some(NominationStatus::Scored)),
        )
        .await?;
    for batch in scored.chunks(MOVES_PER_TX) {
        let mut reads = tokio::task::JoinSet::new();
        for summary in batch {
            let store = state.store.clone();
            let id = summary.id.clone();
            reads.spawn(async move { store.get::<Nomination>(&id).await });
        }
        let mut nominations = Vec::with_capacity(batch.len());
        while let Some(read) = reads.join_next().await {
            nominations.extend(read.map_err(ApiError::internal)??);
        }
        let now = state.clock.now();
        let mut tx = Tx::new();
        for n in &nominations {
            let place = recommended.get(n.id.as_str());
            let Some(change) = n.recommendation_locked(place.is_some(), caller, now) else {
                continue; // moved by an earlier, interrupted lock
            };
            tx.update(&change.nomination, n.version)?;
            tx.create(&change.audit)?;
            match versions.get(n.id.as_str()) {
                Some(v) => tx.check::<NominationResult>(&n.id, Condition::Version(*v)),
                None => tx.check::<NominationResult>(&n.id, Condition::Absent),
            };
            if let Some(item) = place {
                tx.create(*item)?;
            }
        }
        if tx.is_empty() {
            continue;
        }
        state.store.commit(tx).await.map_err(|e| match e {
            StoreError::ConditionFailed { .. } => ApiError::Conflict {
                code: "changed_meanwhile",
                message: Text::new(
                    "Nilai berubah saat dikunci; kirim kunci sekali lagi.",
                    "A score changed while locking; send the lock again.",
                ),
            },
            e => ApiError::from(e),
        })?;
    }
    tracing::info!(round = %round_id, moved = scored.len(), "nominations moved by the recommendation");
    Ok(())
}

/// The round's locked recommendation list (admin); 404 until it is locked.
#[utoipa::path(get, path = "/api/v1/rounds/{round}/recommendation", tag = "selection",
    params(("round" = String, Path)),
    responses((status = 200, body = Recommendation), (status = 403, body = ovop_core::errors::Problem), (status = 404, body = ovop_core::errors::Problem)))]
pub async fn recommendation(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(round_id): ApiPath<String>,
) -> Result<Json<Recommendation>, ApiError> {
    managed_round(&state, &caller, &round_id).await?;
    ovop_platform::nominations::locked_recommendation(&state.store, &round_id)
        .await?
        .map(Json)
        .ok_or(ApiError::NotFound)
}
