//! Administrative selection (seleksi administrasi): the secretariat checks a submitted
//! nomination's bundle document by document — valid, invalid or missing, with a note — and
//! passes it, fails it, or returns it to the regency office for revision with the reasons and
//! a deadline. Every decision is kept ([`Verification`], one per decision, numbered).

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::document::{Checklist, DocumentType, Need};
use crate::errors::{required, FieldErrors};
use crate::i18n::Text;
use crate::nomination::{Change, Nomination, NominationError};
use crate::policy::Principal;
use crate::status::Event;
use crate::text::{clean, Lines};

/// Longest note on one document, in characters.
pub const MAX_NOTE: usize = 500;
/// Longest reasons of a decision, in characters.
pub const MAX_REASONS: usize = 2_000;
/// Latest revision deadline, counted from the decision.
pub const MAX_REVISION_DAYS: i64 = 60;

/// What the secretariat found for one document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Finding {
    Valid,
    /// There, but not acceptable (illegible, expired, wrong document).
    Invalid,
    /// Not there.
    Missing,
}

/// The finding on one document, with the secretariat's note (required unless valid).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocumentFinding {
    pub document: DocumentType,
    pub finding: Finding,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The secretariat's decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Decision {
    /// Passes administrative selection: on to assessment.
    Pass,
    /// Fails administrative selection.
    Fail,
    /// Back to the regency office to fix, by a deadline.
    Revise,
}

impl Decision {
    fn event(self) -> Event {
        match self {
            Decision::Pass => Event::PassAdmin,
            Decision::Fail => Event::RejectAdmin,
            Decision::Revise => Event::RequestRevision,
        }
    }

    fn action(self) -> &'static str {
        match self {
            Decision::Pass => "verify_pass",
            Decision::Fail => "verify_fail",
            Decision::Revise => "verify_revise",
        }
    }
}

/// What the secretariat sends.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VerificationForm {
    /// One finding per document the nomination needs (optional documents that are there may
    /// be checked too).
    pub findings: Vec<DocumentFinding>,
    pub decision: Option<Decision>,
    /// Why it fails or must be revised (required then).
    pub reasons: String,
    /// For a revision: the last instant the regency office may resubmit (RFC 3339).
    pub revision_deadline: Option<DateTime<Utc>>,
}

/// A form that passed [`VerificationForm::validate`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidVerification {
    findings: Vec<DocumentFinding>,
    decision: Decision,
    reasons: Option<String>,
    revision_deadline: Option<DateTime<Utc>>,
}

/// What the regency office must fix, shown on the nomination while it is returned.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RevisionRequest {
    pub reasons: String,
    /// The documents found invalid or missing, with the notes.
    pub documents: Vec<DocumentFinding>,
    pub deadline: DateTime<Utc>,
    pub requested_at: DateTime<Utc>,
}

/// One decision of the administrative selection, kept for good.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Verification {
    pub nomination_id: String,
    /// 1 for the first decision on the nomination, then 2, …
    pub sequence: u32,
    pub findings: Vec<DocumentFinding>,
    pub decision: Decision,
    pub reasons: Option<String>,
    pub revision_deadline: Option<DateTime<Utc>>,
    pub decided_by: String,
    pub decided_at: DateTime<Utc>,
    /// The nomination's version this decision wrote.
    pub nomination_version: u64,
}

/// The answer to a decision: the nomination as it now stands, and the decision kept.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Decided {
    pub nomination: Nomination,
    pub verification: Verification,
}

/// A page of a nomination's decisions, oldest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VerificationPage {
    pub items: Vec<Verification>,
    pub next: Option<String>,
}

fn note_needed() -> Text {
    Text::new(
        "Tulis apa yang harus diperbaiki.",
        "Say what must be fixed.",
    )
}

impl VerificationForm {
    /// Checks the form against the nomination's `checklist` at `now`: a decision; one finding
    /// per needed document and none twice or for a document the commodity does not have; a
    /// note on every invalid or missing one; a pass only when every needed document is
    /// valid; reasons for a failure or a revision; a revision deadline in the next 60 days.
    pub fn validate(
        &self,
        checklist: &Checklist,
        now: DateTime<Utc>,
    ) -> Result<ValidVerification, FieldErrors> {
        let mut e = FieldErrors::new();
        let mut findings = Vec::with_capacity(self.findings.len());
        let mut seen = BTreeSet::new();
        for (i, f) in self.findings.iter().enumerate() {
            let at = format!("findings[{i}]");
            let need = checklist.entry(f.document).map(|e| e.need);
            if need.is_none() || need == Some(Need::NotApplicable) {
                e.add(
                    format!("{at}.document"),
                    Text::new(
                        format!("{} tidak termasuk berkas usulan ini.", f.document.code()),
                        format!(
                            "{} is not part of this nomination's bundle.",
                            f.document.code()
                        ),
                    ),
                );
            }
            if !seen.insert(f.document) {
                e.add(
                    format!("{at}.document"),
                    Text::new(
                        format!("{} dinilai dua kali.", f.document.code()),
                        format!("{} is checked twice.", f.document.code()),
                    ),
                );
            }
            let note = match f.note.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
                Some(n) => e.check(&format!("{at}.note"), clean(n, MAX_NOTE, Lines::Multi)),
                None if f.finding != Finding::Valid => {
                    e.add(format!("{at}.note"), note_needed());
                    None
                }
                None => None,
            };
            findings.push(DocumentFinding {
                document: f.document,
                finding: f.finding,
                note,
            });
        }
        let unchecked: Vec<&str> = checklist
            .entries
            .iter()
            .filter(|entry| entry.need == Need::Required && !seen.contains(&entry.document))
            .map(|entry| entry.document.code())
            .collect();
        if !unchecked.is_empty() {
            let list = unchecked.join(", ");
            e.add(
                "findings",
                Text::new(
                    format!("Periksa juga {list}."),
                    format!("Check {list} too."),
                ),
            );
        }
        let reasons = self.reasons.trim();
        let reasons = if reasons.is_empty() {
            None
        } else {
            e.check("reasons", clean(reasons, MAX_REASONS, Lines::Multi))
        };
        match self.decision {
            None => e.add("decision", required()),
            Some(Decision::Pass) => {
                let not_valid: Vec<&str> = findings
                    .iter()
                    .filter(|f| {
                        f.finding != Finding::Valid
                            && checklist.entry(f.document).map(|e| e.need) == Some(Need::Required)
                    })
                    .map(|f| f.document.code())
                    .collect();
                if !not_valid.is_empty() {
                    let list = not_valid.join(", ");
                    e.add(
                        "decision",
                        Text::new(
                            format!("Tidak dapat diluluskan: {list} belum sah."),
                            format!("Cannot pass: {list} not valid."),
                        ),
                    );
                }
            }
            Some(Decision::Fail | Decision::Revise) if reasons.is_none() => e.add(
                "reasons",
                Text::new(
                    "Tuliskan alasannya untuk dinas pengusul.",
                    "Give the reasons for the regency office.",
                ),
            ),
            Some(_) => {}
        }
        let revision_deadline = match (self.decision, self.revision_deadline) {
            (Some(Decision::Revise), None) => {
                e.add("revision_deadline", required());
                None
            }
            (Some(Decision::Revise), Some(d))
                if d <= now || d > now + Duration::days(MAX_REVISION_DAYS) =>
            {
                e.add(
                    "revision_deadline",
                    Text::new(
                        format!("Batas perbaikan dalam {MAX_REVISION_DAYS} hari ke depan."),
                        format!("A revision deadline within the next {MAX_REVISION_DAYS} days."),
                    ),
                );
                None
            }
            (Some(Decision::Revise), Some(d)) => Some(d),
            (_, Some(_)) => {
                e.add(
                    "revision_deadline",
                    Text::new(
                        "Batas perbaikan hanya untuk pengembalian.",
                        "A revision deadline is for a revision only.",
                    ),
                );
                None
            }
            (_, None) => None,
        };
        match self.decision {
            Some(decision) if e.is_empty() => Ok(ValidVerification {
                findings,
                decision,
                reasons,
                revision_deadline,
            }),
            _ => Err(e),
        }
    }
}

impl Nomination {
    /// The secretariat's decision on a submitted nomination (picked up for review if it was
    /// not yet): pass, fail, or back to the regency office with what to fix and by when.
    /// `sequence` numbers the decision (the count of earlier ones plus one).
    pub fn verify(
        &self,
        expected_version: Option<u64>,
        form: ValidVerification,
        sequence: u32,
        actor: &Principal,
        now: DateTime<Utc>,
    ) -> Result<(Change, Verification), NominationError> {
        self.check_version(expected_version)?;
        let reviewing = match self.status.apply(Event::StartAdminReview) {
            Ok(s) => s,
            Err(_) => self.status,
        };
        let status = reviewing.apply(form.decision.event())?;
        let revision = form.revision_deadline.map(|deadline| RevisionRequest {
            reasons: form.reasons.clone().unwrap_or_default(),
            documents: form
                .findings
                .iter()
                .filter(|f| f.finding != Finding::Valid)
                .cloned()
                .collect(),
            deadline,
            requested_at: now,
        });
        let next = Nomination {
            status,
            revision,
            ..self.clone()
        };
        let change = self.changed(next, actor, form.decision.action(), now);
        let verification = Verification {
            nomination_id: self.id.clone(),
            sequence,
            findings: form.findings,
            decision: form.decision,
            reasons: form.reasons,
            revision_deadline: form.revision_deadline,
            decided_by: actor.user_id.clone(),
            decided_at: now,
            nomination_version: change.nomination.version,
        };
        Ok((change, verification))
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::commodity::CommodityCatalog;
    use crate::document::checklist::tests::{all_needed, nomination};
    use crate::document::sample::tests::shipped;
    use crate::document::DocumentLimits;
    use crate::policy::Role;
    use crate::status::NominationStatus;

    fn at(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 4, day, 2, 0, 0).unwrap()
    }

    fn secretariat() -> Principal {
        Principal {
            user_id: "sekretariat-1".into(),
            name: "Sekretariat OVOP".into(),
            role: Role::Verifikator,
            region: None,
        }
    }

    fn checklist() -> Checklist {
        let batik = CommodityCatalog::default()
            .get("kain_batik")
            .unwrap()
            .clone();
        let sample = shipped("01N");
        Checklist::build(
            &batik,
            &DocumentLimits::default(),
            &all_needed(&batik),
            Some(&sample),
        )
    }

    /// A submitted batik nomination.
    fn submitted() -> Nomination {
        Nomination {
            status: NominationStatus::Submitted,
            submitted_at: Some(at(1)),
            version: 3,
            ..nomination()
        }
    }

    fn all_valid() -> Vec<DocumentFinding> {
        checklist()
            .entries
            .iter()
            .filter(|e| e.need == Need::Required)
            .map(|e| DocumentFinding {
                document: e.document,
                finding: Finding::Valid,
                note: None,
            })
            .collect()
    }

    fn form(decision: Decision) -> VerificationForm {
        VerificationForm {
            findings: all_valid(),
            decision: Some(decision),
            reasons: String::new(),
            revision_deadline: None,
        }
    }

    #[test]
    fn a_complete_valid_bundle_passes_administrative_selection() {
        let valid = form(Decision::Pass).validate(&checklist(), at(2)).unwrap();
        let (change, v) = submitted()
            .verify(Some(3), valid, 1, &secretariat(), at(2))
            .unwrap();
        assert_eq!(change.nomination.status, NominationStatus::AdminPassed);
        assert_eq!(change.nomination.version, 4);
        assert_eq!(change.audit.action, "verify_pass");
        assert_eq!(change.audit.from_status, Some(NominationStatus::Submitted));
        assert_eq!(
            (v.sequence, v.decision, v.nomination_version),
            (1, Decision::Pass, 4)
        );
        assert_eq!(v.decided_by, "sekretariat-1");
    }

    #[test]
    fn a_revision_names_what_to_fix_and_by_when_and_the_regency_resubmits_before_it() {
        let mut f = form(Decision::Revise);
        f.findings[2] = DocumentFinding {
            document: f.findings[2].document,
            finding: Finding::Invalid,
            note: Some("Profil sentra tidak ditandatangani.".into()),
        };
        f.reasons = "Lengkapi tanda tangan kepala dinas.".into();
        f.revision_deadline = Some(at(15));
        let valid = f.validate(&checklist(), at(2)).unwrap();
        let (change, v) = submitted()
            .verify(None, valid, 1, &secretariat(), at(2))
            .unwrap();
        let n = change.nomination;
        assert_eq!(n.status, NominationStatus::NeedsRevision);
        let revision = n.revision.as_ref().unwrap();
        assert_eq!(revision.deadline, at(15));
        assert_eq!(revision.documents.len(), 1);
        assert_eq!(
            revision.documents[0].note.as_deref(),
            Some("Profil sentra tidak ditandatangani.")
        );
        assert_eq!(v.revision_deadline, Some(at(15)));
        assert!(n.accepts_changes().is_ok(), "the regency office may fix it");
    }

    #[test]
    fn a_failure_or_a_revision_needs_reasons_and_notes_on_what_is_wrong() {
        let mut f = form(Decision::Fail);
        f.findings[0].finding = Finding::Missing;
        let e = f.validate(&checklist(), at(2)).unwrap_err();
        assert!(e.get("reasons").is_some());
        assert_eq!(e.get("findings[0].note"), Some(&note_needed()));
        let mut revise = form(Decision::Revise);
        revise.reasons = "Perbaiki".into();
        assert!(revise
            .validate(&checklist(), at(2))
            .unwrap_err()
            .get("revision_deadline")
            .is_some());
        revise.revision_deadline = Some(at(2) + Duration::days(61));
        assert!(revise
            .validate(&checklist(), at(2))
            .unwrap_err()
            .get("revision_deadline")
            .is_some());
        let mut pass_with_deadline = form(Decision::Pass);
        pass_with_deadline.revision_deadline = Some(at(10));
        assert!(pass_with_deadline.validate(&checklist(), at(2)).is_err());
    }

    #[test]
    fn nothing_passes_with_an_invalid_document_or_an_unchecked_one() {
        let mut f = form(Decision::Pass);
        f.findings[1].finding = Finding::Invalid;
        f.findings[1].note = Some("Kedaluwarsa".into());
        let e = f.validate(&checklist(), at(2)).unwrap_err();
        assert!(e.get("decision").unwrap().en.contains("not valid"), "{e:?}");
        let mut short = form(Decision::Pass);
        let dropped = short.findings.pop().unwrap().document;
        let e = short.validate(&checklist(), at(2)).unwrap_err();
        assert!(e.get("findings").unwrap().en.contains(dropped.code()));
        let mut twice = form(Decision::Pass);
        twice.findings.push(twice.findings[0].clone());
        assert!(twice.validate(&checklist(), at(2)).is_err());
        let mut foreign = form(Decision::Pass);
        foreign.findings.push(DocumentFinding {
            document: DocumentType::HalalCertificate,
            finding: Finding::Valid,
            note: None,
        });
        let e = foreign.validate(&checklist(), at(2)).unwrap_err();
        assert!(
            e.0.keys().any(|k| k.ends_with(".document")),
            "batik has no halal certificate"
        );
    }

    #[test]
    fn only_a_submitted_or_reviewed_nomination_is_decided_and_never_twice() {
        let valid = || form(Decision::Pass).validate(&checklist(), at(2)).unwrap();
        let draft = nomination();
        assert!(matches!(
            draft.verify(None, valid(), 1, &secretariat(), at(2)),
            Err(NominationError::Illegal(_))
        ));
        let (passed, _) = submitted()
            .verify(None, valid(), 1, &secretariat(), at(2))
            .unwrap();
        assert!(matches!(
            passed
                .nomination
                .verify(None, valid(), 2, &secretariat(), at(3)),
            Err(NominationError::Illegal(_))
        ));
        assert_eq!(
            submitted()
                .verify(Some(2), valid(), 1, &secretariat(), at(2))
                .unwrap_err(),
            NominationError::Stale { current: 3 }
        );
    }

    #[test]
    fn a_returned_nomination_is_resubmitted_until_the_revision_deadline_even_after_the_round_closes(
    ) {
        let mut f = form(Decision::Revise);
        f.reasons = "Perbaiki profil sentra.".into();
        f.revision_deadline = Some(at(15));
        let valid = f.validate(&checklist(), at(2)).unwrap();
        let (returned, _) = submitted()
            .verify(None, valid, 1, &secretariat(), at(2))
            .unwrap();
        let returned = returned.nomination;
        // The round's proposals ended on 9 April; the revision deadline is 15 April.
        let round = crate::round::RoundForm {
            year: Some(2026),
            name: "OVOP 2026".into(),
            proposal_deadline: Some(crate::document::sample::tests::now() + Duration::days(30)),
            documents_required: None,
        }
        .validate(crate::document::sample::tests::now())
        .unwrap()
        .open(None, crate::document::sample::tests::now())
        .unwrap();
        let office = crate::document::sample::tests::office();
        let again = returned
            .submit_with_bundle(None, &round, &checklist(), &office, at(12))
            .unwrap();
        assert_eq!(again.nomination.status, NominationStatus::Submitted);
        assert_eq!(again.nomination.revision, None, "the request is answered");
        let late = returned.submit_with_bundle(None, &round, &checklist(), &office, at(16));
        assert_eq!(
            late.unwrap_err(),
            NominationError::RevisionOverdue { deadline: at(15) }
        );
    }
}
