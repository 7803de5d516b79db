//! Panels and assignment: the admin keeps a round's panels (province panels and the
//! ministry's, with their assessors) and assigns assessors to nominations that passed
//! administrative selection — never one in conflict of interest unless overriding it with a
//! reason, kept with who gave it. An assessor declares a conflict on their own assignment.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use std::collections::BTreeMap;

use ovop_core::audit::AuditRecord;
use ovop_core::authz::{Action, Standing};
use ovop_core::dto::selection::{
    AssignRequest, AssignmentList, BalanceReport, BalanceRequest, BulkReport, BulkRequest,
    ConflictRequest, RejectedRow, RelationList, RelationRequest, Shortfall,
};
use ovop_core::dto::NominationSummary;
use ovop_core::nomination::Nomination;
use ovop_core::panel::{AssignError, Assignment, Panels, PanelsForm};
use ovop_core::panel::{Member, Relation, ToStaff};
use ovop_core::status::NominationStatus;
use ovop_core::Text;
use ovop_platform::auth::Caller;
use ovop_platform::extract::ApiPath;
use ovop_platform::http::optional_if_match;
use ovop_platform::idempotency::{Answer, Idempotency};
use ovop_platform::ids::new_id;
use ovop_platform::json::ApiJson;
use ovop_platform::nominations::nomination_for;
use ovop_platform::store::{entities, Condition, StoreError, Tx};
use ovop_platform::ApiError;
use serde::Deserialize;

use crate::settle::{lost_race_or, retrying, settle, unlocked};
use crate::{managed_round, AppState};

/// A round's panels (admin).
#[utoipa::path(get, path = "/api/v1/rounds/{round}/panels", tag = "selection",
    params(("round" = String, Path, description = "Round id")),
    responses((status = 200, body = Panels, description = "The panels (version 0 and none before the first are saved)"),
              (status = 403, body = ovop_core::errors::Problem), (status = 404, body = ovop_core::errors::Problem)))]
pub async fn panels(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(round_id): ApiPath<String>,
) -> Result<Json<Panels>, ApiError> {
    managed_round(&state, &caller, &round_id).await?;
    let panels = state
        .store
        .get::<Panels>(&round_id)
        .await?
        .unwrap_or(Panels {
            round_id,
            panels: Vec::new(),
            version: 0,
        });
    Ok(Json(panels))
}

/// Saves a round's panels (admin); `If-Match` with the version read once they exist.
#[utoipa::path(put, path = "/api/v1/rounds/{round}/panels", tag = "selection", request_body = PanelsForm,
    params(("round" = String, Path), ("If-Match" = Option<String>, Header, description = "Version read; required once panels exist"), ("Idempotency-Key" = Option<String>, Header)),
    responses((status = 200, body = Panels), (status = 403, body = ovop_core::errors::Problem), (status = 404, body = ovop_core::errors::Problem),
              (status = 412, body = ovop_core::errors::Problem), (status = 422, body = ovop_core::errors::Problem)))]
pub async fn save_panels(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(round_id): ApiPath<String>,
    headers: HeaderMap,
    ApiJson(form): ApiJson<PanelsForm>,
) -> Result<Response, ApiError> {
    let expected = optional_if_match(&headers)?;
    let idempotency = Idempotency::optional(
        &caller.user_id,
        &headers,
        &format!("PUT /api/v1/rounds/{round_id}/panels"),
        &(expected, &form),
    )?;
    idempotency
        .once(&state.store, async {
        managed_round(&state, &caller, &round_id).await?;
        let before = state.store.get::<Panels>(&round_id).await?;
        if let Some(b) = &before {
            if expected != Some(b.version) {
                return Err(ApiError::VersionMismatch { current: b.version });
            }
        }
        let panels = form
            .validate(&round_id, before.as_ref())
            .map_err(ApiError::Validation)?;
        let answer = Answer::json(StatusCode::OK, Some(panels.version), &panels)?;
        let mut tx = Tx::new();
        match &before {
            Some(b) => tx.update(&panels, b.version)?,
            None => tx.create(&panels)?,
        };
        let answer = idempotency
            .commit(&state.store, tx, answer, state.clock.now(), ApiError::from)
            .await?;
        tracing::info!(round = %round_id, panels = panels.panels.len(), version = panels.version, "panels saved");
        Ok(answer.into_response())
        })
        .await
}

fn assign_refused(e: AssignError) -> ApiError {
    match e {
        AssignError::NoSuchPanel | AssignError::NotAMember | AssignError::OutOfScope => {
            ApiError::field("panel", e.message())
        }
        AssignError::OverrideWithoutReason => ApiError::field("override_reason", e.message()),
        e => ApiError::Conflict {
            code: e.code(),
            message: e.message(),
        },
    }
}

/// Assigns an assessor of a panel to a nomination (admin). The first assignment puts the
/// nomination in assessment. An assessor in conflict of interest is refused (409
/// `conflict_of_interest`) unless `override_reason` is given.
#[utoipa::path(put, path = "/api/v1/nominations/{id}/assessors/{assessor}", tag = "selection", request_body = AssignRequest,
    params(("id" = String, Path), ("assessor" = String, Path, description = "The assessor's user id"), ("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = Assignment), (status = 403, body = ovop_core::errors::Problem), (status = 404, body = ovop_core::errors::Problem),
              (status = 409, body = ovop_core::errors::Problem), (status = 422, body = ovop_core::errors::Problem)))]
pub async fn assign(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath((id, assessor)): ApiPath<(String, String)>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<AssignRequest>,
) -> Result<Response, ApiError> {
    let idempotency = Idempotency::optional(
        &caller.user_id,
        &headers,
        &format!("PUT /api/v1/nominations/{id}/assessors/{assessor}"),
        &req,
    )?;
    idempotency
        .once(
            &state.store,
            retrying(|| try_assign(&state, &caller, &id, &assessor, &req, &idempotency)),
        )
        .await
}

/// One attempt of [`assign`].
async fn try_assign(
    state: &AppState,
    caller: &ovop_core::policy::Principal,
    id: &str,
    assessor: &str,
    req: &AssignRequest,
    idempotency: &Idempotency,
) -> Result<Response, ApiError> {
    let n: Nomination = nomination_for(&state.store, caller, id, Action::AssignAssessors).await?;
    let panels = state.store.get::<Panels>(&n.round_id).await?;
    let reason = req.override_reason.as_deref();
    let (assignment, tx, shared) = assignment_of(
        state,
        caller,
        &n,
        panels.as_ref(),
        &req.panel,
        assessor,
        reason,
    )
    .await?;
    let answer = Answer::json(StatusCode::CREATED, Some(assignment.version), &assignment)?;
    let now = state.clock.now();
    let answer = idempotency
        .commit(&state.store, tx, answer, now, |e| lost_race_or(&shared, e))
        .await?;
    tracing::info!(nomination = %n.id, assessor = %assignment.assessor, overridden = assignment.overridden_by.is_some(), "assessor assigned");
    Ok(answer.into_response())
}

/// A nomination's assessors, with conflicts and overrides (admin).
#[utoipa::path(get, path = "/api/v1/nominations/{id}/assessors", tag = "selection",
    params(("id" = String, Path)),
    responses((status = 200, body = AssignmentList), (status = 403, body = ovop_core::errors::Problem), (status = 404, body = ovop_core::errors::Problem)))]
pub async fn assessors(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<AssignmentList>, ApiError> {
    nomination_for(&state.store, &caller, &id, Action::AssignAssessors).await?;
    // A nomination has a handful of assessors; at most the panel's size.
    let items = state
        .store
        .list::<Assignment>(
            "assignment",
            &entities::assignments_of(&id),
            ovop_core::panel::MAX_MEMBERS,
            None,
            |_| true,
        )
        .await?
        .items;
    Ok(Json(AssignmentList { items }))
}

/// An assessor declares a conflict of interest on a nomination assigned to them; from then
/// on it is hidden from them (404), and the admin sees the reason.
#[utoipa::path(post, path = "/api/v1/nominations/{id}/conflict", tag = "selection", request_body = ConflictRequest,
    params(("id" = String, Path), ("Idempotency-Key" = Option<String>, Header)),
    responses((status = 200, body = Assignment), (status = 404, body = ovop_core::errors::Problem), (status = 422, body = ovop_core::errors::Problem)))]
pub async fn declare_conflict(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<ConflictRequest>,
) -> Result<Response, ApiError> {
    let idempotency = Idempotency::optional(
        &caller.user_id,
        &headers,
        &format!("POST /api/v1/nominations/{id}/conflict"),
        &req,
    )?;
    idempotency
        .once(
            &state.store,
            retrying(|| try_declare_conflict(&state, &caller, &id, &idempotency, &req)),
        )
        .await
}

/// One attempt of [`declare_conflict`]: the assignment in conflict, its audit record and the
/// nomination settled without the assessor's sheet.
async fn try_declare_conflict(
    state: &AppState,
    caller: &ovop_core::policy::Principal,
    id: &str,
    idempotency: &Idempotency,
    req: &ConflictRequest,
) -> Result<Response, ApiError> {
    let n: Nomination = nomination_for(&state.store, caller, id, Action::DeclareConflict).await?;
    let current = state
        .store
        .get::<Assignment>(&(n.id.clone(), caller.user_id.clone()))
        .await?
        .ok_or(ApiError::NotFound)?;
    let declared = current
        .declare_conflict(&req.reason)
        .map_err(ApiError::Validation)?;
    let answer = Answer::json(StatusCode::OK, Some(declared.version), &declared)?;
    let now = state.clock.now();
    let mut tx = Tx::new();
    tx.update(&declared, current.version)?;
    tx.create(&AuditRecord::conflict(new_id(), &current, &declared, now))?;
    let shared = settled(state, &n, caller, now, &declared, &mut tx).await?;
    let answer = idempotency
        .commit(&state.store, tx, answer, now, |e| lost_race_or(&shared, e))
        .await?;
    tracing::info!(nomination = %n.id, assessor = %caller.user_id, "conflict declared");
    Ok(answer.into_response())
}

/// While a nomination is scored, and until the lock, a new conflict settles it again
/// ([`settle`]): the conflicted assessor's sheet no longer counts, and the others may now be
/// all there is. Returns the ops another save may win.
async fn settled(
    state: &AppState,
    n: &Nomination,
    actor: &ovop_core::policy::Principal,
    now: chrono::DateTime<chrono::Utc>,
    assignment: &Assignment,
    tx: &mut Tx,
) -> Result<Vec<usize>, ApiError> {
    if !matches!(
        n.status,
        NominationStatus::InAssessment | NominationStatus::Scored
    ) {
        return Ok(Vec::new());
    }
    unlocked(state, &n.round_id, tx).await?;
    settle(state, n, actor, now, assignment, None, tx).await
}

/// Most lines in one file.
const MAX_ROWS: usize = 2_000;

#[derive(Debug, Deserialize)]
struct Row {
    nomination: String,
    assessor: String,
    panel: String,
    #[serde(default)]
    override_reason: Option<String>,
}

fn problem_text(e: &ApiError) -> Text {
    match e {
        ApiError::NotFound => Text::new("Usulan tidak ditemukan.", "No such nomination."),
        ApiError::Forbidden => Text::new("Tidak diizinkan.", "Not allowed."),
        ApiError::Conflict { message, .. } | ApiError::BadRequest { message, .. } => {
            message.clone()
        }
        ApiError::Validation(fields) => fields
            .0
            .values()
            .next()
            .cloned()
            .unwrap_or_else(|| Text::new("Tidak valid.", "Invalid.")),
        _ => Text::new(
            "Gagal disimpan; coba lagi.",
            "Could not be saved; try again.",
        ),
    }
}

/// Assigns the file's lines one by one with the same rules as a single assignment (admin);
/// answers what was assigned and each rejected line with its reason. A line already assigned
/// is reported, so sending the same file again changes nothing.
#[utoipa::path(post, path = "/api/v1/rounds/{round}/assignments", tag = "selection", request_body = BulkRequest,
    params(("round" = String, Path)),
    responses((status = 200, body = BulkReport), (status = 403, body = ovop_core::errors::Problem), (status = 404, body = ovop_core::errors::Problem),
              (status = 422, body = ovop_core::errors::Problem, description = "Not a CSV with the expected header, or too many lines")))]
pub async fn bulk_assign(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(round_id): ApiPath<String>,
    ApiJson(req): ApiJson<BulkRequest>,
) -> Result<Json<BulkReport>, ApiError> {
    managed_round(&state, &caller, &round_id).await?;
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(req.csv.as_bytes());
    let header_ok = reader
        .headers()
        .map(|h| {
            ["nomination", "assessor", "panel"]
                .iter()
                .all(|c| h.iter().any(|f| f == *c))
        })
        .unwrap_or(false);
    if !header_ok {
        return Err(ApiError::field(
            "csv",
            Text::new(
                "Baris pertama harus: nomination,assessor,panel,override_reason",
                "The first line must be: nomination,assessor,panel,override_reason",
            ),
        ));
    }
    let panels = state.store.get::<Panels>(&round_id).await?;
    let mut report = BulkReport {
        assigned: Vec::new(),
        rejected: Vec::new(),
    };
    for (i, record) in reader.deserialize::<Row>().enumerate() {
        if i >= MAX_ROWS {
            return Err(ApiError::field(
                "csv",
                Text::new(
                    format!("Paling banyak {MAX_ROWS} baris."),
                    format!("At most {MAX_ROWS} lines."),
                ),
            ));
        }
        let line = i as u64 + 2;
        let reject = |reason: Text| RejectedRow { line, reason };
        let row = match record {
            Ok(row) => row,
            Err(_) => {
                report.rejected.push(reject(Text::new(
                    "Baris tidak terbaca.",
                    "Unreadable line.",
                )));
                continue;
            }
        };
        match assign_row(&state, &caller, &round_id, panels.as_ref(), &row).await {
            Ok(a) => report.assigned.push(a),
            Err(e) => report.rejected.push(reject(problem_text(&e))),
        }
    }
    tracing::info!(round = %round_id, assigned = report.assigned.len(), rejected = report.rejected.len(), "bulk assignment");
    Ok(Json(report))
}

/// The assignment of `assessor` (of panel `panel_id` in the round's `panels`) to `n`, and the
/// transaction that writes it — with the nomination's new version (its move into assessment on
/// the first assignment), so that a final score read before cannot close the scoring without
/// the new assessor, and the check that no relation was declared meanwhile. The rules are
/// core's ([`Assignment::assign`]); an assessor already on the nomination is a 409.
async fn assignment_of(
    state: &AppState,
    caller: &ovop_core::policy::Principal,
    n: &Nomination,
    panels: Option<&Panels>,
    panel_id: &str,
    assessor: &str,
    override_reason: Option<&str>,
) -> Result<(Assignment, Tx, Vec<usize>), ApiError> {
    let panel = panels
        .and_then(|p| p.panel(panel_id))
        .ok_or_else(|| assign_refused(AssignError::NoSuchPanel))?;
    let key = (n.id.clone(), assessor.to_owned());
    if state.store.get::<Assignment>(&key).await?.is_some() {
        return Err(ApiError::Conflict {
            code: "assigned",
            message: Text::new(
                "Penilai ini sudah ditugaskan.",
                "This assessor is assigned already.",
            ),
        });
    }
    let now = state.clock.now();
    let override_reason = override_reason.filter(|r| !r.is_empty());
    let related = state.store.get::<Relation>(&key).await?.is_some();
    let assignment = Assignment::assign(n, panel, assessor, related, override_reason, caller, now)
        .map_err(assign_refused)?;
    let mut tx = Tx::new();
    tx.create(&assignment)?;
    tx.create(&AuditRecord::assignment(new_id(), &assignment))?;
    if !related {
        tx.check::<Relation>(&key, Condition::Absent);
    }
    let change = n
        .assessor_added(caller, now)
        .ok_or_else(|| assign_refused(AssignError::NotAssessable))?;
    let shared = vec![tx.update(&change.nomination, n.version)?];
    tx.create(&change.audit)?;
    // Nobody joins the assessment of a round whose recommendation is locked.
    unlocked(state, &n.round_id, &mut tx).await?;
    Ok((assignment, tx, shared))
}

/// One line of a bulk assignment, in one transaction.
async fn assign_row(
    state: &AppState,
    caller: &ovop_core::policy::Principal,
    round_id: &str,
    panels: Option<&Panels>,
    row: &Row,
) -> Result<Assignment, ApiError> {
    retrying(|| async {
        let n: Nomination = nomination_for(
            &state.store,
            caller,
            &row.nomination,
            Action::AssignAssessors,
        )
        .await?;
        if n.round_id != round_id {
            return Err(ApiError::NotFound);
        }
        let reason = row.override_reason.as_deref();
        let (assignment, tx, shared) =
            assignment_of(state, caller, &n, panels, &row.panel, &row.assessor, reason).await?;
        state
            .store
            .commit(tx)
            .await
            .map_err(|e| lost_race_or(&shared, e))?;
        Ok(assignment)
    })
    .await
}

/// Gives every nomination of the round that the panel covers and that passed administrative
/// selection (or is in assessment) `per_nomination` assessors from the panel (admin): loads
/// kept even across the round, never an assessor in conflict of interest, never one twice.
/// Nominations that cannot be fully staffed are reported with how many are missing; running
/// it again adds only what is missing.
#[utoipa::path(post, path = "/api/v1/rounds/{round}/assignments/balance", tag = "selection", request_body = BalanceRequest,
    params(("round" = String, Path)),
    responses((status = 200, body = BalanceReport), (status = 403, body = ovop_core::errors::Problem), (status = 404, body = ovop_core::errors::Problem),
              (status = 422, body = ovop_core::errors::Problem)))]
pub async fn balance(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(round_id): ApiPath<String>,
    ApiJson(req): ApiJson<BalanceRequest>,
) -> Result<Json<BalanceReport>, ApiError> {
    managed_round(&state, &caller, &round_id).await?;
    if !(1..=MAX_PER_NOMINATION).contains(&req.per_nomination) {
        return Err(ApiError::field(
            "per_nomination",
            Text::new(
                format!("Jumlah penilai per usulan 1 sampai {MAX_PER_NOMINATION}."),
                format!("Assessors per nomination: 1 to {MAX_PER_NOMINATION}."),
            ),
        ));
    }
    let panels = state.store.get::<Panels>(&round_id).await?;
    let panel = panels
        .as_ref()
        .and_then(|p| p.panel(&req.panel))
        .ok_or_else(|| assign_refused(AssignError::NoSuchPanel))?;
    // What the round has: its assessable nominations and every assignment so far.
    let mut to_staff: Vec<NominationSummary> = Vec::new();
    for status in [
        NominationStatus::AdminPassed,
        NominationStatus::InAssessment,
    ] {
        to_staff.extend(
            state
                .store
                .list_all::<NominationSummary>(
                    "nomination",
                    &entities::nominations_of_round(&round_id, Some(status)),
                )
                .await?
                .into_iter()
                .filter(|n| panel.scope.covers(&n.regency_code)),
        );
    }
    let existing = state
        .store
        .list_all::<Assignment>("assignment", &entities::assignments_of_round(&round_id))
        .await?;
    let relations = state
        .store
        .list_all::<Relation>("relation", &entities::relations_of_round(&round_id))
        .await?;
    let principals: Vec<_> = panel.members.iter().map(|m| m.principal()).collect();
    let members: Vec<Member<'_>> = principals
        .iter()
        .map(|p| Member {
            assessor: p,
            load: existing
                .iter()
                .filter(|a| a.assessor == p.user_id && a.standing() == Standing::Assigned)
                .count(),
        })
        .collect();
    let staff: Vec<ToStaff<'_>> = to_staff
        .iter()
        .map(|n| {
            let on_it = || existing.iter().filter(|a| a.nomination_id == n.id);
            ToStaff {
                id: &n.id,
                regency: &n.regency_code,
                assigned: on_it()
                    .filter(|a| a.standing() == Standing::Assigned)
                    .map(|a| a.assessor.as_str())
                    .collect(),
                declared: on_it()
                    .filter(|a| a.standing() == Standing::Conflicted)
                    .map(|a| (a.assessor.as_str(), "conflict"))
                    .collect(),
                named: relations
                    .iter()
                    .filter(|r| r.nomination_id == n.id)
                    .map(|r| r.assessor.as_str())
                    .collect(),
            }
        })
        .collect();
    let staffing = ovop_core::panel::balance(&members, &staff, usize::from(req.per_nomination));
    let mut report = BalanceReport {
        assigned: Vec::new(),
        short: staffing
            .short
            .into_iter()
            .map(|(nomination_id, missing)| Shortfall {
                nomination_id,
                missing: u32::try_from(missing).unwrap_or(u32::MAX),
            })
            .collect(),
    };
    // One transaction per nomination (its move into assessment goes with its first assessor).
    let mut by_nomination: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (nomination, assessor) in &staffing.assignments {
        by_nomination.entry(nomination).or_default().push(assessor);
    }
    for (id, assessors) in by_nomination {
        match staff_one(&state, &caller, panel, id, &assessors).await {
            Ok(made) => report.assigned.extend(made),
            Err(e) => {
                // Changed meanwhile (or no longer assessable): reported as still missing, and
                // running the balancing again picks it up.
                tracing::warn!(nomination = %id, error = %e, "balancing skipped a nomination");
                report.short.push(Shortfall {
                    nomination_id: id.to_owned(),
                    missing: u32::try_from(assessors.len()).unwrap_or(u32::MAX),
                });
            }
        }
    }
    tracing::info!(round = %round_id, panel = %req.panel, assigned = report.assigned.len(), short = report.short.len(), "assessors balanced");
    Ok(Json(report))
}

/// Assigns `assessors` of `panel` to the nomination `id` in one transaction, with the
/// nomination's new version and the check that no relation to them was declared meanwhile.
async fn staff_one(
    state: &AppState,
    caller: &ovop_core::policy::Principal,
    panel: &ovop_core::panel::Panel,
    id: &str,
    assessors: &[&str],
) -> Result<Vec<Assignment>, ApiError> {
    let n: Nomination = nomination_for(&state.store, caller, id, Action::AssignAssessors).await?;
    let now = state.clock.now();
    let mut tx = Tx::new();
    let mut made = Vec::new();
    for assessor in assessors {
        let a = Assignment::assign(&n, panel, assessor, false, None, caller, now)
            .map_err(assign_refused)?;
        tx.create(&a)?;
        tx.create(&AuditRecord::assignment(new_id(), &a))?;
        tx.check::<Relation>(&(n.id.clone(), (*assessor).to_owned()), Condition::Absent);
        made.push(a);
    }
    let change = n
        .assessor_added(caller, now)
        .ok_or_else(|| assign_refused(AssignError::NotAssessable))?;
    tx.update(&change.nomination, n.version)?;
    tx.create(&change.audit)?;
    unlocked(state, &n.round_id, &mut tx).await?;
    state.store.commit(tx).await?;
    Ok(made)
}

/// Most assessors per nomination in automatic balancing.
const MAX_PER_NOMINATION: u8 = 9;

/// Declares a relation between the nomination and an assessor (family, business, adviser) on
/// the nomination (admin): from then on the assessor is in conflict of interest on it — never
/// assigned without an override, never picked by balancing, and an assignment they have now
/// no longer lets them open it.
#[utoipa::path(post, path = "/api/v1/nominations/{id}/relations", tag = "selection", request_body = RelationRequest,
    params(("id" = String, Path), ("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = Relation), (status = 403, body = ovop_core::errors::Problem), (status = 404, body = ovop_core::errors::Problem),
              (status = 409, body = ovop_core::errors::Problem, description = "Declared already"), (status = 422, body = ovop_core::errors::Problem)))]
pub async fn declare_relation(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<RelationRequest>,
) -> Result<Response, ApiError> {
    let idempotency = Idempotency::optional(
        &caller.user_id,
        &headers,
        &format!("POST /api/v1/nominations/{id}/relations"),
        &req,
    )?;
    idempotency
        .once(
            &state.store,
            retrying(|| try_declare_relation(&state, &caller, &id, &idempotency, &req)),
        )
        .await
}

/// One attempt of [`declare_relation`].
async fn try_declare_relation(
    state: &AppState,
    caller: &ovop_core::policy::Principal,
    id: &str,
    idempotency: &Idempotency,
    req: &RelationRequest,
) -> Result<Response, ApiError> {
    let n: Nomination = nomination_for(&state.store, caller, id, Action::AssignAssessors).await?;
    let now = state.clock.now();
    let relation = Relation::declare(&n, &req.assessor, &req.reason, caller, now)
        .map_err(ApiError::Validation)?;
    let key = (n.id.clone(), relation.assessor.clone());
    let mut tx = Tx::new();
    let created = tx.create(&relation)?;
    tx.create(&AuditRecord::relation(new_id(), &relation))?;
    let mut shared = Vec::new();
    match state.store.get::<Assignment>(&key).await? {
        Some(current) => {
            if let Some(conflicted) = current.related() {
                shared.push(tx.update(&conflicted, current.version)?);
                shared.extend(settled(state, &n, caller, now, &conflicted, &mut tx).await?);
            }
        }
        // An assignment made meanwhile is read again.
        None => shared.push(tx.check::<Assignment>(&key, Condition::Absent)),
    }
    let answer = Answer::json(StatusCode::CREATED, None, &relation)?;
    let answer = idempotency
        .commit(&state.store, tx, answer, now, |e| match e {
            StoreError::ConditionFailed { op, .. } if op == created => ApiError::Conflict {
                code: "relation_exists",
                message: Text::new(
                    "Hubungan ini sudah dicatat.",
                    "This relation is recorded already.",
                ),
            },
            e => lost_race_or(&shared, e),
        })
        .await?;
    tracing::info!(nomination = %n.id, assessor = %relation.assessor, "relation declared");
    Ok(answer.into_response())
}

/// The relations declared on a nomination (admin).
#[utoipa::path(get, path = "/api/v1/nominations/{id}/relations", tag = "selection", params(("id" = String, Path)),
    responses((status = 200, body = RelationList), (status = 403, body = ovop_core::errors::Problem), (status = 404, body = ovop_core::errors::Problem)))]
pub async fn relations(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<RelationList>, ApiError> {
    let n = nomination_for(&state.store, &caller, &id, Action::AssignAssessors).await?;
    let items = state
        .store
        .list_all::<Relation>("relation", &entities::relations_of(&n.id))
        .await?;
    Ok(Json(RelationList { items }))
}
