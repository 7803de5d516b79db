//! What a change to a nomination's assessors or sheets means for the nomination: its result
//! tallied again from the submitted sheets of assessors not in conflict, and — once every one
//! of them has scored — its move to scored. A submit, a declared conflict and a declared
//! relation all settle the nomination in their own transaction.

use chrono::{DateTime, Utc};
use ovop_core::authz::Standing;
use ovop_core::moderation::{AssessorTotal, NominationResult, RecommendationLock};
use ovop_core::nomination::Nomination;
use ovop_core::panel::Assignment;
use ovop_core::policy::Principal;
use ovop_core::scoring::{ScoreSheet, SheetState};
use ovop_core::Text;
use ovop_platform::store::{entities, Condition, StoreError, Tx};
use ovop_platform::ApiError;

use crate::AppState;

/// What the recommendation lock answers to a change after it.
pub(crate) fn locked() -> ApiError {
    ApiError::Conflict {
        code: "recommendation_locked",
        message: Text::new(
            "Daftar rekomendasi periode ini sudah dikunci.",
            "This round's recommendation list is locked.",
        ),
    }
}

/// The code of a lost race on an item other saves write too (the rubric's freeze, the
/// nomination, its result): the save reads again and retries, and answers it only when the
/// retries run out.
pub(crate) const LOST_RACE: &str = "lost_race";

/// How many times a save reads again after losing such a race.
pub(crate) const SAVE_ATTEMPTS: usize = 5;

/// The refusal of a transaction whose op in `shared` lost a race.
pub(crate) fn lost_race_or(shared: &[usize], e: StoreError) -> ApiError {
    match e {
        StoreError::ConditionFailed { op, .. } if shared.contains(&op) => ApiError::Conflict {
            code: LOST_RACE,
            message: Text::new(
                "Data berubah bersamaan; coba lagi.",
                "It changed at the same moment; try again.",
            ),
        },
        e => ApiError::from(e),
    }
}

/// Runs `attempt` again while it loses a race on an item other saves write too (its
/// transaction wrote nothing), at most [`SAVE_ATTEMPTS`] times.
pub(crate) async fn retrying<T, F, Fut>(mut attempt: F) -> Result<T, ApiError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, ApiError>>,
{
    let mut tries = 0;
    loop {
        tries += 1;
        match attempt().await {
            Err(ApiError::Conflict { code, .. }) if code == LOST_RACE && tries < SAVE_ATTEMPTS => {
                tracing::info!(attempt = tries, "changed meanwhile; trying again");
            }
            other => return other,
        }
    }
}

/// Refuses when the round's recommendation is locked, and makes `tx` check it stays unlocked.
pub(crate) async fn unlocked(state: &AppState, round: &str, tx: &mut Tx) -> Result<(), ApiError> {
    if state
        .store
        .get::<RecommendationLock>(round)
        .await?
        .is_some()
    {
        return Err(locked());
    }
    tx.check::<RecommendationLock>(round, Condition::Absent);
    Ok(())
}

/// Adds to `tx` the settling of `n` after `assignment` (its new version) and, on a submit,
/// `sheet`: the result from the submitted sheets of assessors not in conflict (removed when
/// none is left), and the move to scored once every assessor not in conflict has scored.
/// Returns the ops another save may win at the same moment.
pub(crate) async fn settle(
    state: &AppState,
    n: &Nomination,
    actor: &Principal,
    now: DateTime<Utc>,
    assignment: &Assignment,
    sheet: Option<&ScoreSheet>,
    tx: &mut Tx,
) -> Result<Vec<usize>, ApiError> {
    // A nomination has a handful of assessors: at most a panel's size.
    let mut assignments: Vec<Assignment> = state
        .store
        .list_all::<Assignment>("assignment", &entities::assignments_of(&n.id))
        .await?;
    assignments.retain(|a| a.assessor != assignment.assessor);
    assignments.push(assignment.clone());
    assignments.retain(|a| a.standing() == Standing::Assigned);
    let mut sheets: Vec<ScoreSheet> = state
        .store
        .list_all::<ScoreSheet>("score sheet", &entities::sheets_of(&n.id))
        .await?;
    if let Some(s) = sheet {
        sheets.retain(|old| old.assessor != s.assessor);
        sheets.push(s.clone());
    }
    let totals: Vec<AssessorTotal> = sheets
        .into_iter()
        .filter(|s| s.state == SheetState::Submitted)
        .filter(|s| assignments.iter().any(|a| a.assessor == s.assessor))
        .filter_map(|s| {
            s.total.map(|total| AssessorTotal {
                assessor: s.assessor,
                total,
            })
        })
        .collect();
    let mut shared = Vec::new();
    let previous = state.store.get::<NominationResult>(&n.id).await?;
    match (
        NominationResult::tally(n, totals, previous.as_ref()),
        &previous,
    ) {
        (Some(result), Some(p)) => shared.push(tx.update(&result, p.version)?),
        (Some(result), None) => shared.push(tx.create(&result)?),
        (None, Some(p)) => shared.push(tx.delete::<NominationResult>(&n.id, p.version)),
        (None, None) => {}
    }
    let all_scored = !assignments.is_empty() && assignments.iter().all(|a| a.scored_at.is_some());
    if let Some(change) = all_scored.then(|| n.scoring_complete(actor, now)).flatten() {
        shared.push(tx.update(&change.nomination, n.version)?);
        tx.create(&change.audit)?;
    }
    Ok(shared)
}
