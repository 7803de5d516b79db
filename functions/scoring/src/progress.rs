//! Following the assessment: an assessor's own work list, the admin's progress of a round
//! (scored / assigned per panel and assessor), and a nomination's audit trail (admin).

use std::collections::BTreeMap;

use axum::extract::State;
use axum::Json;
use ovop_core::audit::AuditRecord;
use ovop_core::authz::{Action, Standing};
use ovop_core::dto::selection::{
    AssessorProgress, AssignmentList, AuditTrail, Count, PanelProgress, Progress,
};
use ovop_core::nomination::AuditEntry;
use ovop_core::panel::Assignment;
use ovop_platform::auth::Caller;
use ovop_platform::extract::{ApiPath, ApiQuery};
use ovop_platform::nominations::nomination_for;
use ovop_platform::store::entities;
use ovop_platform::ApiError;
use serde::Deserialize;

use crate::{managed_round, AppState};

/// Which assignments.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default, deny_unknown_fields)]
pub struct AssessmentParams {
    /// A round id; every round when left out.
    pub round: Option<String>,
}

/// Longest round id a query may name (ids are short slugs).
const MAX_ROUND_ID: usize = 64;

/// The caller's own assignments that they may score (not in conflict), by round then
/// nomination; anyone who is not an assessor has none.
#[utoipa::path(get, path = "/api/v1/assessments", tag = "selection", params(AssessmentParams),
    responses((status = 200, body = AssignmentList), (status = 400, body = ovop_core::errors::Problem), (status = 401, body = ovop_core::errors::Problem)))]
pub async fn mine(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(params): ApiQuery<AssessmentParams>,
) -> Result<Json<AssignmentList>, ApiError> {
    let round = params.round.filter(|r| !r.is_empty());
    if round.as_ref().is_some_and(|r| r.len() > MAX_ROUND_ID) {
        return Err(ApiError::BadRequest {
            field: "round".into(),
            message: ovop_core::Text::new("Periode tidak dikenal.", "Unknown round."),
        });
    }
    let items = state
        .store
        .list_all::<Assignment>(
            "assignment",
            &entities::assignments_of_assessor(&caller.user_id, round.as_deref()),
        )
        .await?
        .into_iter()
        .filter(|a| a.standing() == Standing::Assigned)
        .collect();
    Ok(Json(AssignmentList { items }))
}

/// The progress of assignments (not in conflict) in `assignments`, per panel and assessor.
fn tally(round_id: &str, assignments: &[Assignment]) -> Progress {
    let mut panels: BTreeMap<&str, BTreeMap<&str, AssessorProgress>> = BTreeMap::new();
    for a in assignments
        .iter()
        .filter(|a| a.standing() == Standing::Assigned)
    {
        let assessor = panels
            .entry(&a.panel_id)
            .or_default()
            .entry(&a.assessor)
            .or_insert_with(|| AssessorProgress {
                user_id: a.assessor.clone(),
                name: a.assessor_name.clone(),
                count: Count::default(),
            });
        assessor.count.assigned += 1;
        assessor.count.scored += u32::from(a.scored_at.is_some());
    }
    let mut total = Count::default();
    let panels = panels
        .into_iter()
        .map(|(panel_id, assessors)| {
            let mut count = Count::default();
            for a in assessors.values() {
                count.assigned += a.count.assigned;
                count.scored += a.count.scored;
            }
            total.assigned += count.assigned;
            total.scored += count.scored;
            PanelProgress {
                panel_id: panel_id.to_owned(),
                count,
                assessors: assessors.into_values().collect(),
            }
        })
        .collect();
    Progress {
        round_id: round_id.to_owned(),
        count: total,
        panels,
    }
}

/// Scored / assigned for the round, per panel and per assessor (admin).
#[utoipa::path(get, path = "/api/v1/rounds/{round}/progress", tag = "selection", params(("round" = String, Path)),
    responses((status = 200, body = Progress), (status = 403, body = ovop_core::errors::Problem), (status = 404, body = ovop_core::errors::Problem)))]
pub async fn progress(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(round_id): ApiPath<String>,
) -> Result<Json<Progress>, ApiError> {
    managed_round(&state, &caller, &round_id).await?;
    let assignments = state
        .store
        .list_all::<Assignment>("assignment", &entities::assignments_of_round(&round_id))
        .await?;
    Ok(Json(tally(&round_id, &assignments)))
}

/// A nomination's audit trail (admin): its status history and every verification decision,
/// assignment, override, declared conflict, submitted score and moderation — who, when,
/// before and after.
#[utoipa::path(get, path = "/api/v1/nominations/{id}/audit", tag = "selection", params(("id" = String, Path)),
    responses((status = 200, body = AuditTrail), (status = 403, body = ovop_core::errors::Problem), (status = 404, body = ovop_core::errors::Problem)))]
pub async fn audit(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<AuditTrail>, ApiError> {
    let n = nomination_for(&state.store, &caller, &id, Action::ReadAudit).await?;
    let history = state
        .store
        .list_all::<AuditEntry>("audit entry", &entities::audit_trail(&n.id))
        .await?;
    let records = state
        .store
        .list_all::<AuditRecord>("audit record", &entities::audit_records_of(&n.id))
        .await?;
    Ok(Json(AuditTrail { history, records }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn assignment(panel: &str, assessor: &str, nomination: &str, scored: bool) -> Assignment {
        let at = Utc.with_ymd_and_hms(2026, 9, 1, 8, 0, 0).unwrap();
        Assignment {
            round_id: "ovop-2026".into(),
            nomination_id: nomination.into(),
            assessor: assessor.into(),
            assessor_name: assessor.to_uppercase(),
            panel_id: panel.into(),
            assigned_by: "admin".into(),
            assigned_at: at,
            conflict: None,
            overridden_by: None,
            override_reason: None,
            ikm_name: "IKM".into(),
            commodity: "kain_batik".into(),
            scored_at: scored.then_some(at),
            version: 1,
        }
    }

    #[test]
    fn progress_counts_scored_over_assigned_per_panel_and_assessor_leaving_conflicts_out() {
        let mut conflicted = assignment("kementerian", "penilai-3", "N1", false);
        conflicted.conflict = Some(ovop_core::panel::ConflictReason::Declared {
            reason: "kerabat".into(),
        });
        let p = tally(
            "ovop-2026",
            &[
                assignment("kementerian", "penilai-1", "N1", true),
                assignment("kementerian", "penilai-1", "N2", false),
                assignment("kementerian", "penilai-2", "N1", true),
                assignment("prov-33", "penilai-4", "N3", true),
                conflicted,
            ],
        );
        assert_eq!((p.count.assigned, p.count.scored), (4, 3));
        let ministry = &p.panels[0];
        assert_eq!(ministry.panel_id, "kementerian");
        assert_eq!((ministry.count.assigned, ministry.count.scored), (3, 2));
        let per: Vec<(&str, u32, u32)> = ministry
            .assessors
            .iter()
            .map(|a| (a.user_id.as_str(), a.count.assigned, a.count.scored))
            .collect();
        assert_eq!(per, vec![("penilai-1", 2, 1), ("penilai-2", 1, 1)]);
        assert_eq!(
            (p.panels[1].count.assigned, p.panels[1].count.scored),
            (1, 1)
        );
    }
}
