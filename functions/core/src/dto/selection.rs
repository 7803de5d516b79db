//! Bodies of the selection API (`functions/scoring`): assignment, scoring, progress, the
//! leaderboard, moderation, the recommendation and the audit trail — shared by the scoring
//! function and the SPA.

use serde::{Deserialize, Serialize};

use crate::aggregate::Aggregate;
use crate::audit::AuditRecord;
use crate::i18n::Text;
use crate::moderation::{NominationResult, Ranked, Recommendation};
use crate::nomination::AuditEntry;
use crate::panel::{Assignment, Relation};
use crate::rubric::Rubric;
use crate::scoring::ScoreSheet;

/// An assessor's view of their sheet: the rubric and what they saved so far.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SheetView {
    pub rubric: Rubric,
    pub sheet: Option<ScoreSheet>,
}

/// A nomination's submitted sheets and their aggregate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScoresView {
    pub sheets: Vec<ScoreSheet>,
    /// None until a sheet is submitted.
    pub aggregate: Option<Aggregate>,
    /// The stored result (with a moderation, if any); none until a sheet is submitted.
    pub result: Option<NominationResult>,
}

/// Who assigns an assessor, and under which panel.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct AssignRequest {
    /// The panel (of the nomination's round) the assessor sits on.
    pub panel: String,
    /// To assign despite a conflict of interest: why (kept with the admin's name).
    pub override_reason: Option<String>,
}

/// An assessor's declaration of a conflict of interest.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct ConflictRequest {
    pub reason: String,
}

/// A relation to declare on a nomination: the assessor (user id) and why.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct RelationRequest {
    pub assessor: String,
    pub reason: String,
}

/// The relations declared on a nomination.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RelationList {
    pub items: Vec<Relation>,
}

/// Assignments: a nomination's assessors, or an assessor's own work list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssignmentList {
    pub items: Vec<Assignment>,
}

/// Assignments in bulk: a CSV with the header `nomination,assessor,panel,override_reason`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct BulkRequest {
    /// The file's text (UTF-8), one assignment per line after the header.
    pub csv: String,
}

/// A line of the file that was not assigned, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RejectedRow {
    /// Line number in the file (the header is line 1).
    pub line: u64,
    pub reason: Text,
}

/// What a bulk assignment did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BulkReport {
    pub assigned: Vec<Assignment>,
    pub rejected: Vec<RejectedRow>,
}

/// Automatic balancing: give every nomination of the round that passed administrative
/// selection (or is in assessment) `per_nomination` assessors from one panel.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct BalanceRequest {
    /// The panel whose members are assigned (its scope decides which nominations).
    pub panel: String,
    /// Assessors each nomination should have (1–9).
    pub per_nomination: u8,
}

/// A nomination that could not get enough assessors without a conflict.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Shortfall {
    pub nomination_id: String,
    /// Assessors still missing.
    pub missing: u32,
}

/// What automatic balancing did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BalanceReport {
    pub assigned: Vec<Assignment>,
    pub short: Vec<Shortfall>,
}

/// Scored / assigned counts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Count {
    pub assigned: u32,
    pub scored: u32,
}

/// One assessor's progress.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssessorProgress {
    pub user_id: String,
    pub name: String,
    pub count: Count,
}

/// One panel's progress, assessor by assessor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PanelProgress {
    pub panel_id: String,
    pub count: Count,
    pub assessors: Vec<AssessorProgress>,
}

/// A round's scoring progress (admin).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Progress {
    pub round_id: String,
    pub count: Count,
    pub panels: Vec<PanelProgress>,
}

/// The ranked results of a round (optionally of one commodity group), with the score
/// distribution and the locked recommendation if there is one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Leaderboard {
    pub round_id: String,
    pub commodity: Option<String>,
    pub items: Vec<Ranked>,
    /// Final scores per [`Leaderboard::bucket_width`]-point bucket from 0 (the last holds 100).
    pub distribution: Vec<u32>,
    pub bucket_width: u16,
    pub recommendation: Option<Recommendation>,
}

/// The admin's moderation of a nomination's final score (`If-Match`: the result's version).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct ModerateRequest {
    /// 0–100, at most two decimals.
    pub score: Option<f64>,
    pub justification: String,
}

/// A nomination's audit trail (admin): its status history and every selection record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditTrail {
    pub history: Vec<AuditEntry>,
    pub records: Vec<AuditRecord>,
}
