//! The nomination state machine (domain brief §5.2).

use serde::{Deserialize, Serialize};

use crate::i18n::Text;

/// Where a nomination stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum NominationStatus {
    Draft,
    Submitted,
    AdminReview,
    NeedsRevision,
    AdminRejected,
    AdminPassed,
    InAssessment,
    Scored,
    NotRecommended,
    Recommended,
    Determined,
    Awarded,
    ActiveOvop,
    UnderEvaluation,
    Lapsed,
    Withdrawn,
}

/// Something that happens to a nomination.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// The regency office submits (or resubmits after revision).
    Submit,
    /// The secretariat picks it up for administrative selection.
    StartAdminReview,
    /// The secretariat asks for missing or invalid documents.
    RequestRevision,
    /// Fails administrative selection.
    RejectAdmin,
    /// Passes administrative selection.
    PassAdmin,
    /// Assessors are assigned.
    AssignAssessors,
    /// Every assessor's score is in.
    CompleteScoring,
    /// Final score below 71.
    NotRecommend,
    /// Final score 71 or more.
    Recommend,
    /// Named in the ministerial decree (penetapan).
    Determine,
    /// Award handed over.
    Award,
    /// Coaching period starts.
    StartCoaching,
    /// Re-evaluated in a later round.
    StartEvaluation,
    /// Re-evaluation keeps (or changes) the star.
    KeepActive,
    /// Re-evaluation found it below 71 or no longer eligible.
    Lapse,
    /// The regency office withdraws it.
    Withdraw,
}

impl NominationStatus {
    /// The state after `event`, or the refusal when the move is not allowed.
    pub fn apply(self, event: Event) -> Result<NominationStatus, IllegalTransition> {
        use Event as E;
        use NominationStatus as S;
        let next = match (self, event) {
            (S::Draft, E::Submit) | (S::NeedsRevision, E::Submit) => S::Submitted,
            (S::Submitted, E::StartAdminReview) => S::AdminReview,
            (S::AdminReview, E::RequestRevision) => S::NeedsRevision,
            (S::AdminReview, E::RejectAdmin) => S::AdminRejected,
            (S::AdminReview, E::PassAdmin) => S::AdminPassed,
            (S::AdminPassed, E::AssignAssessors) => S::InAssessment,
            (S::InAssessment, E::CompleteScoring) => S::Scored,
            (S::Scored, E::NotRecommend) => S::NotRecommended,
            (S::Scored, E::Recommend) => S::Recommended,
            (S::Recommended, E::Determine) => S::Determined,
            (S::Determined, E::Award) => S::Awarded,
            (S::Awarded, E::StartCoaching) => S::ActiveOvop,
            (S::ActiveOvop, E::StartEvaluation) => S::UnderEvaluation,
            (S::UnderEvaluation, E::KeepActive) => S::ActiveOvop,
            (S::UnderEvaluation, E::Lapse) => S::Lapsed,
            (S::Draft, E::Withdraw) | (S::NeedsRevision, E::Withdraw) => S::Withdrawn,
            (from, event) => return Err(IllegalTransition { from, event }),
        };
        Ok(next)
    }

    /// Whether the regency office may still edit the profile.
    pub fn editable_by_proposer(self) -> bool {
        matches!(
            self,
            NominationStatus::Draft | NominationStatus::NeedsRevision
        )
    }

    /// Every state, for tests and filters.
    pub const ALL: [NominationStatus; 16] = [
        NominationStatus::Draft,
        NominationStatus::Submitted,
        NominationStatus::AdminReview,
        NominationStatus::NeedsRevision,
        NominationStatus::AdminRejected,
        NominationStatus::AdminPassed,
        NominationStatus::InAssessment,
        NominationStatus::Scored,
        NominationStatus::NotRecommended,
        NominationStatus::Recommended,
        NominationStatus::Determined,
        NominationStatus::Awarded,
        NominationStatus::ActiveOvop,
        NominationStatus::UnderEvaluation,
        NominationStatus::Lapsed,
        NominationStatus::Withdrawn,
    ];

    /// Stable name, as stored and sent (`DRAFT`, `SUBMITTED`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            NominationStatus::Draft => "DRAFT",
            NominationStatus::Submitted => "SUBMITTED",
            NominationStatus::AdminReview => "ADMIN_REVIEW",
            NominationStatus::NeedsRevision => "NEEDS_REVISION",
            NominationStatus::AdminRejected => "ADMIN_REJECTED",
            NominationStatus::AdminPassed => "ADMIN_PASSED",
            NominationStatus::InAssessment => "IN_ASSESSMENT",
            NominationStatus::Scored => "SCORED",
            NominationStatus::NotRecommended => "NOT_RECOMMENDED",
            NominationStatus::Recommended => "RECOMMENDED",
            NominationStatus::Determined => "DETERMINED",
            NominationStatus::Awarded => "AWARDED",
            NominationStatus::ActiveOvop => "ACTIVE_OVOP",
            NominationStatus::UnderEvaluation => "UNDER_EVALUATION",
            NominationStatus::Lapsed => "LAPSED",
            NominationStatus::Withdrawn => "WITHDRAWN",
        }
    }

    /// Parses the stable name.
    pub fn parse(s: &str) -> Option<NominationStatus> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// Label for people.
    pub fn label(self) -> Text {
        let (id, en) = match self {
            NominationStatus::Draft => ("Draf", "Draft"),
            NominationStatus::Submitted => ("Diajukan", "Submitted"),
            NominationStatus::AdminReview => ("Seleksi administrasi", "Administrative review"),
            NominationStatus::NeedsRevision => ("Perlu perbaikan", "Needs revision"),
            NominationStatus::AdminRejected => ("Tidak lolos administrasi", "Failed admin review"),
            NominationStatus::AdminPassed => ("Lolos administrasi", "Passed admin review"),
            NominationStatus::InAssessment => ("Dalam penilaian", "In assessment"),
            NominationStatus::Scored => ("Sudah dinilai", "Scored"),
            NominationStatus::NotRecommended => ("Tidak direkomendasikan", "Not recommended"),
            NominationStatus::Recommended => ("Direkomendasikan", "Recommended"),
            NominationStatus::Determined => ("Ditetapkan", "Determined"),
            NominationStatus::Awarded => ("Dianugerahi", "Awarded"),
            NominationStatus::ActiveOvop => ("OVOP aktif", "Active OVOP"),
            NominationStatus::UnderEvaluation => ("Dalam evaluasi", "Under evaluation"),
            NominationStatus::Lapsed => ("Gugur", "Lapsed"),
            NominationStatus::Withdrawn => ("Ditarik", "Withdrawn"),
        };
        Text::new(id, en)
    }
}

/// A move the state machine does not allow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("illegal transition: {event:?} from {from:?}")]
pub struct IllegalTransition {
    pub from: NominationStatus,
    pub event: Event,
}

impl IllegalTransition {
    /// What to tell the user.
    pub fn message(&self) -> Text {
        let label = self.from.label();
        Text::new(
            format!(
                "Tindakan ini tidak bisa dilakukan pada usulan berstatus {}.",
                label.id
            ),
            format!(
                "This action is not possible for a nomination that is {}.",
                label.en.to_lowercase()
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Event as E;
    use NominationStatus as S;

    #[test]
    fn happy_path_from_draft_to_active_ovop() {
        let path = [
            (E::Submit, S::Submitted),
            (E::StartAdminReview, S::AdminReview),
            (E::PassAdmin, S::AdminPassed),
            (E::AssignAssessors, S::InAssessment),
            (E::CompleteScoring, S::Scored),
            (E::Recommend, S::Recommended),
            (E::Determine, S::Determined),
            (E::Award, S::Awarded),
            (E::StartCoaching, S::ActiveOvop),
            (E::StartEvaluation, S::UnderEvaluation),
            (E::KeepActive, S::ActiveOvop),
        ];
        let mut state = S::Draft;
        for (event, expected) in path {
            state = state.apply(event).unwrap();
            assert_eq!(state, expected);
        }
    }

    #[test]
    fn revision_loop_returns_to_submitted() {
        let s = S::AdminReview.apply(E::RequestRevision).unwrap();
        assert_eq!(s, S::NeedsRevision);
        assert!(s.editable_by_proposer());
        assert_eq!(s.apply(E::Submit).unwrap(), S::Submitted);
    }

    #[test]
    fn submitted_nomination_cannot_be_submitted_again_or_withdrawn() {
        assert!(S::Submitted.apply(E::Submit).is_err());
        assert!(S::Submitted.apply(E::Withdraw).is_err());
        assert!(!S::Submitted.editable_by_proposer());
    }

    #[test]
    fn withdrawal_only_from_draft_or_revision() {
        for s in S::ALL {
            let allowed = s.apply(E::Withdraw).is_ok();
            assert_eq!(allowed, matches!(s, S::Draft | S::NeedsRevision), "{s:?}");
        }
    }

    #[test]
    fn terminal_states_accept_no_event() {
        let events = [
            E::Submit,
            E::StartAdminReview,
            E::RequestRevision,
            E::RejectAdmin,
            E::PassAdmin,
            E::AssignAssessors,
            E::CompleteScoring,
            E::NotRecommend,
            E::Recommend,
            E::Determine,
            E::Award,
            E::StartCoaching,
            E::StartEvaluation,
            E::KeepActive,
            E::Lapse,
            E::Withdraw,
        ];
        for terminal in [S::AdminRejected, S::NotRecommended, S::Lapsed, S::Withdrawn] {
            for e in events {
                assert!(terminal.apply(e).is_err(), "{terminal:?} accepted {e:?}");
            }
        }
    }

    #[test]
    fn stable_names_round_trip() {
        for s in S::ALL {
            assert_eq!(S::parse(s.as_str()), Some(s));
            let json = serde_json::to_string(&s).unwrap();
            assert_eq!(json, format!("\"{}\"", s.as_str()));
        }
    }
}
