//! The selection's audit trail: every verification decision, assignment, override, declared
//! conflict, submitted score and moderation, append-only — who, when, what it was before and
//! what it became. Records are written in the same transaction as the change they describe
//! and never updated; the admin reads them per nomination.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::moderation::NominationResult;
use crate::panel::{Assignment, ConflictReason, Relation};
use crate::scoring::ScoreSheet;
use crate::verification::Verification;

/// What a record is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    /// The secretariat's administrative-selection decision.
    Verification,
    /// An assessor assigned.
    Assignment,
    /// An assessor assigned despite a conflict of interest, with the admin's reason.
    Override,
    /// An assessor declared a conflict of interest.
    Conflict,
    /// A relation between the nomination and an assessor was declared.
    Relation,
    /// An assessor submitted their final score.
    ScoreSubmitted,
    /// The admin moderated the final score.
    Moderation,
    /// The admin revoked the nomination's award.
    Revocation,
}

/// One audit record: append-only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditRecord {
    pub nomination_id: String,
    /// A ULID: records list in the order they were made.
    pub id: String,
    pub at: DateTime<Utc>,
    /// The user who made the change.
    pub actor: String,
    pub action: AuditAction,
    /// What the subject was before (none when it did not exist).
    pub before: Option<String>,
    /// What it became.
    pub after: String,
}

impl AuditRecord {
    fn new(
        nomination_id: &str,
        id: String,
        at: DateTime<Utc>,
        actor: &str,
        action: AuditAction,
        before: Option<String>,
        after: String,
    ) -> Self {
        AuditRecord {
            nomination_id: nomination_id.to_owned(),
            id,
            at,
            actor: actor.to_owned(),
            action,
            before,
            after,
        }
    }

    /// The record of a verification decision (`before`: the status it left).
    pub fn verification(id: String, v: &Verification, before: &str, after: &str) -> Self {
        let mut what = format!("{after} ({:?})", v.decision).to_lowercase();
        if let Some(r) = &v.reasons {
            what.push_str(": ");
            what.push_str(r);
        }
        Self::new(
            &v.nomination_id,
            id,
            v.decided_at,
            &v.decided_by,
            AuditAction::Verification,
            Some(before.to_owned()),
            what,
        )
    }

    /// The record of an assignment: an override when it was made despite a conflict.
    pub fn assignment(id: String, a: &Assignment) -> Self {
        let mut what = format!("{} ({}) @ {}", a.assessor, a.assessor_name, a.panel_id);
        let action = match (&a.conflict, &a.override_reason) {
            (Some(c), Some(reason)) => {
                what.push_str(&format!(" — {}; override: {reason}", conflict_text(c)));
                AuditAction::Override
            }
            _ => AuditAction::Assignment,
        };
        Self::new(
            &a.nomination_id,
            id,
            a.assigned_at,
            &a.assigned_by,
            action,
            None,
            what,
        )
    }

    /// The record of a conflict declared by the assessor (`before`: the assignment as it was).
    pub fn conflict(
        id: String,
        before: &Assignment,
        after: &Assignment,
        at: DateTime<Utc>,
    ) -> Self {
        let state = |a: &Assignment| match &a.conflict {
            Some(c) if a.overridden_by.is_none() => conflict_text(c),
            Some(c) => format!("{} (overridden)", conflict_text(c)),
            None => "no conflict".to_owned(),
        };
        Self::new(
            &after.nomination_id,
            id,
            at,
            &after.assessor,
            AuditAction::Conflict,
            Some(state(before)),
            state(after),
        )
    }

    /// The record of a relation declared on the nomination.
    pub fn relation(id: String, r: &Relation) -> Self {
        Self::new(
            &r.nomination_id,
            id,
            r.declared_at,
            &r.declared_by,
            AuditAction::Relation,
            None,
            format!("{}: {}", r.assessor, r.reason),
        )
    }

    /// The record of a submitted score sheet.
    pub fn score(id: String, sheet: &ScoreSheet) -> Self {
        let score = sheet
            .score
            .map_or_else(|| "—".to_owned(), |s| s.to_string());
        Self::new(
            &sheet.nomination_id,
            id,
            sheet.submitted_at.unwrap_or(sheet.saved_at),
            &sheet.assessor,
            AuditAction::ScoreSubmitted,
            None,
            format!("{score} (rubric v{})", sheet.rubric_version),
        )
    }

    /// The record of a moderation from `before` to `after`.
    pub fn moderation(id: String, before: &NominationResult, after: &NominationResult) -> Self {
        let (actor, at, why) = after
            .moderation
            .as_ref()
            .map(|m| (m.by.as_str(), m.at, m.justification.as_str()))
            .unwrap_or_default();
        Self::new(
            &after.nomination_id,
            id,
            at,
            actor,
            AuditAction::Moderation,
            Some(before.final_score().to_string()),
            format!("{} — {why}", after.final_score()),
        )
    }
}

impl AuditRecord {
    /// The record of an award's revocation (`before`: the stars it held).
    pub fn revocation(id: String, award: &crate::award::Award) -> Option<Self> {
        let r = award.revocation.as_ref()?;
        Some(Self::new(
            &award.id,
            id,
            r.at,
            &r.by,
            AuditAction::Revocation,
            Some(format!(
                "{} {}",
                award.certificate_number,
                award.stars.symbols()
            )),
            format!("revoked — {}", r.reason),
        ))
    }
}

fn conflict_text(c: &ConflictReason) -> String {
    match c {
        ConflictReason::OwnRegion => "own region".to_owned(),
        ConflictReason::Declared { reason } => format!("declared: {reason}"),
        ConflictReason::NamedOnNomination => "named on the nomination".to_owned(),
    }
}
