//! The use cases that change a nomination, as pure functions: each takes the current state
//! and returns the new state with its history line, or the reason it cannot happen.
//!
//! Authorization is the caller's: ask [`crate::authz::decide`] first.

use chrono::{DateTime, Utc};

use super::{AuditEntry, Nomination, ValidForm};
use crate::commodity::{Commodity, CommodityCatalog};
use crate::document::{Checklist, DocumentType};
use crate::i18n::Text;
use crate::policy::Principal;
use crate::region::time_zone_of;
use crate::round::Round;
use crate::status::{Event, IllegalTransition, NominationStatus};

/// What a use case produces: the new state and its history line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub nomination: Nomination,
    pub audit: AuditEntry,
}

/// Why a nomination could not change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NominationError {
    /// If-Match named another version.
    #[error("stale nomination version; current is {current}")]
    Stale { current: u64 },
    /// Only a draft or a nomination returned for revision can be edited.
    #[error("the nomination is not editable in its status")]
    NotEditable,
    /// An edit tried to move the nomination to another regency.
    #[error("the regency of a nomination cannot change")]
    RegencyChanged,
    /// An edit tried to move the nomination to another round.
    #[error("the round of a nomination cannot change")]
    RoundChanged,
    /// The round given is not the nomination's: a caller's mistake.
    #[error("the round given is not the nomination's round")]
    RoundMismatch,
    /// The round does not accept proposals now; the text says why, with the local deadline.
    #[error("the round does not accept proposals: {}", .0.en)]
    RoundNotOpen(Text),
    /// The state machine does not allow the move.
    #[error(transparent)]
    Illegal(#[from] IllegalTransition),
    /// The round requires the complete document bundle, and these are missing (checklist
    /// order).
    #[error("the document bundle is incomplete: {missing:?}")]
    BundleIncomplete { missing: Vec<DocumentType> },
    /// Returned for revision, and the secretariat's deadline has passed.
    #[error("the revision deadline {deadline} has passed")]
    RevisionOverdue { deadline: DateTime<Utc> },
}

impl NominationError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            NominationError::Stale { .. } => "stale",
            NominationError::NotEditable => "not_editable",
            NominationError::RegencyChanged => "regency_changed",
            NominationError::RoundChanged => "round_changed",
            NominationError::RoundMismatch => "round_mismatch",
            NominationError::RoundNotOpen(_) => "round_not_open",
            NominationError::Illegal(_) => "illegal_transition",
            NominationError::BundleIncomplete { .. } => "bundle_incomplete",
            NominationError::RevisionOverdue { .. } => "revision_overdue",
        }
    }

    /// What to tell the user.
    pub fn message(&self) -> Text {
        match self {
            NominationError::Stale { current } => Text::new(
                format!(
                    "Usulan ini telah diubah oleh orang lain (versi terkini {current}). \
                     Muat ulang lalu ulangi perubahan Anda."
                ),
                format!(
                    "This nomination was changed by someone else (current version {current}). \
                     Reload it and make your change again."
                ),
            ),
            NominationError::NotEditable => Text::new(
                "Usulan hanya dapat diubah selagi berstatus Draf atau Perlu perbaikan.",
                "A nomination can only be edited while it is a draft or needs revision.",
            ),
            NominationError::RegencyChanged => Text::new(
                "Kabupaten/kota usulan tidak dapat diubah.",
                "The regency/city of a nomination cannot change.",
            ),
            NominationError::RoundChanged => Text::new(
                "Periode usulan tidak dapat diubah.",
                "The round of a nomination cannot change.",
            ),
            NominationError::RoundMismatch => Text::new(
                "Periode yang diberikan bukan periode usulan ini.",
                "The round given is not this nomination's round.",
            ),
            NominationError::RoundNotOpen(message) => message.clone(),
            NominationError::Illegal(e) => e.message(),
            NominationError::BundleIncomplete { missing } => {
                let titles: Vec<Text> = missing.iter().map(|d| d.title()).collect();
                let list = |pick: fn(&Text) -> &str| {
                    titles.iter().map(pick).collect::<Vec<_>>().join("; ")
                };
                Text::new(
                    format!(
                        "Dokumen usulan belum lengkap. Belum ada: {}.",
                        list(|t| &t.id)
                    ),
                    format!(
                        "The document bundle is incomplete. Missing: {}.",
                        list(|t| &t.en)
                    ),
                )
            }
            NominationError::RevisionOverdue { deadline } => {
                let local = crate::round::format_local(*deadline, crate::region::TimeZone::Wib);
                Text::new(
                    format!("Batas perbaikan ({local}) telah lewat; hubungi sekretariat OVOP."),
                    format!(
                        "The revision deadline ({local}) has passed; contact the OVOP secretariat."
                    ),
                )
            }
        }
    }

    /// The form field the error belongs to, when it belongs to one.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            NominationError::RegencyChanged => Some("regency_code"),
            NominationError::RoundChanged => Some("round_id"),
            NominationError::BundleIncomplete { .. } => Some("documents"),
            _ => None,
        }
    }
}

impl Nomination {
    /// Whether its regency office may still change it — its profile, its documents and photos:
    /// only a draft or a nomination returned for revision.
    pub fn accepts_changes(&self) -> Result<(), NominationError> {
        if self.status.editable_by_proposer() {
            Ok(())
        } else {
            Err(NominationError::NotEditable)
        }
    }

    /// A new draft (version 1) in an open round; audit action "create".
    pub fn create(
        id: String,
        form: ValidForm,
        round: &Round,
        actor: &Principal,
        now: DateTime<Utc>,
    ) -> Result<Change, NominationError> {
        if form.round_id != round.id {
            return Err(NominationError::RoundMismatch);
        }
        round
            .accepts_proposals(now, time_zone_of(&form.regency))
            .map_err(NominationError::RoundNotOpen)?;
        let nomination = Nomination {
            id,
            round_id: form.round_id,
            province_code: form.regency.province(),
            regency_code: form.regency,
            status: NominationStatus::Draft,
            profile: form.profile,
            version: 1,
            created_by: actor.user_id.clone(),
            created_at: now,
            updated_at: now,
            submitted_at: None,
            revision: None,
        };
        let audit = AuditEntry::of(&nomination, &actor.user_id, "create", None);
        Ok(Change { nomination, audit })
    }

    /// Edit a draft or a nomination returned for revision; `expected_version` from If-Match.
    /// Its regency and round stay. Audit action "update".
    pub fn edit(
        &self,
        expected_version: u64,
        form: ValidForm,
        actor: &Principal,
        now: DateTime<Utc>,
    ) -> Result<Change, NominationError> {
        self.check_version(Some(expected_version))?;
        self.accepts_changes()?;
        if form.regency != self.regency_code {
            return Err(NominationError::RegencyChanged);
        }
        if form.round_id != self.round_id {
            return Err(NominationError::RoundChanged);
        }
        let next = Nomination {
            profile: form.profile,
            ..self.clone()
        };
        Ok(self.changed(next, actor, "update", now))
    }

    /// Submit (or resubmit after revision) while the round accepts proposals, with the
    /// nomination's document `bundle` (its [`Checklist`]): when the round requires documents
    /// ([`Round::documents_required`]), an incomplete bundle is refused with what is missing.
    /// Sets `submitted_at`. `expected_version` is optional (If-Match may be absent). Audit
    /// "submit".
    pub fn submit_with_bundle(
        &self,
        expected_version: Option<u64>,
        round: &Round,
        bundle: &Checklist,
        actor: &Principal,
        now: DateTime<Utc>,
    ) -> Result<Change, NominationError> {
        if round.id != self.round_id {
            return Err(NominationError::RoundMismatch);
        }
        self.check_version(expected_version)?;
        let status = self.status.apply(Event::Submit)?;
        match &self.revision {
            // Returned for revision: the secretariat's deadline counts, not the round's.
            Some(r) if self.status == NominationStatus::NeedsRevision => {
                if now > r.deadline {
                    return Err(NominationError::RevisionOverdue {
                        deadline: r.deadline,
                    });
                }
            }
            _ => round
                .accepts_proposals(now, time_zone_of(&self.regency_code))
                .map_err(NominationError::RoundNotOpen)?,
        }
        if round.documents_required && !bundle.is_complete() {
            return Err(NominationError::BundleIncomplete {
                missing: bundle.missing(),
            });
        }
        let next = Nomination {
            status,
            submitted_at: Some(now),
            revision: None,
            ..self.clone()
        };
        Ok(self.changed(next, actor, "submit", now))
    }

    /// [`Nomination::submit_with_bundle`] with nothing attached and no sample: succeeds only in
    /// a round that does not require documents (the seed, benches and tests that build
    /// nominations without an API). The API passes the stored bundle.
    pub fn submit(
        &self,
        expected_version: Option<u64>,
        round: &Round,
        actor: &Principal,
        now: DateTime<Utc>,
    ) -> Result<Change, NominationError> {
        let commodity = self.commodity_in(&CommodityCatalog::default());
        let nothing = Checklist::build(&commodity, &round.document_limits, &[], None);
        self.submit_with_bundle(expected_version, round, &nothing, actor, now)
    }

    /// The commodity group of its product in `catalog`, inactive groups included. A code the
    /// catalog does not know is taken as a group every condition holds for (food), so that
    /// nothing conditional is forgotten.
    pub fn commodity_in(&self, catalog: &CommodityCatalog) -> Commodity {
        let code = &self.profile.product.commodity;
        catalog.get(code).cloned().unwrap_or_else(|| Commodity {
            code: code.clone(),
            name_id: code.clone(),
            name_en: code.clone(),
            food: true,
            active: false,
        })
    }

    /// Withdraw a draft or a nomination returned for revision. Audit "withdraw".
    pub fn withdraw(
        &self,
        expected_version: Option<u64>,
        actor: &Principal,
        now: DateTime<Utc>,
    ) -> Result<Change, NominationError> {
        self.check_version(expected_version)?;
        let status = self.status.apply(Event::Withdraw)?;
        let next = Nomination {
            status,
            ..self.clone()
        };
        Ok(self.changed(next, actor, "withdraw", now))
    }

    pub(crate) fn check_version(&self, expected: Option<u64>) -> Result<(), NominationError> {
        match expected {
            Some(v) if v != self.version => Err(NominationError::Stale {
                current: self.version,
            }),
            _ => Ok(()),
        }
    }

    /// Stamps `next` as the version after this one and writes its history line.
    pub(crate) fn changed(
        &self,
        next: Nomination,
        actor: &Principal,
        action: &str,
        now: DateTime<Utc>,
    ) -> Change {
        let nomination = Nomination {
            version: self.version + 1,
            updated_at: now,
            ..next
        };
        let audit = AuditEntry::of(&nomination, &actor.user_id, action, Some(self.status));
        Change { nomination, audit }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;

    use super::*;
    use crate::commodity::CommodityCatalog;
    use crate::nomination::tests::valid_form;
    use crate::nomination::NominationForm;
    use crate::policy::{RegionScope, Role};
    use crate::round::RoundForm;
    use NominationStatus as S;

    /// 23:59 WIB on 31 August 2026.
    fn deadline() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 8, 31, 16, 59, 0).unwrap()
    }

    fn march(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, day, 9, 0, 0).unwrap()
    }

    fn open_round() -> Round {
        let planned = RoundForm {
            year: Some(2026),
            name: "OVOP 2026".into(),
            proposal_deadline: Some(deadline()),
            documents_required: Some(false),
        }
        .validate(march(1))
        .unwrap();
        planned.open(None, march(1)).unwrap()
    }

    fn office(regency: &str) -> Principal {
        Principal {
            user_id: format!("dinas-{regency}"),
            name: "Dinas Perindustrian".into(),
            role: Role::Pengusul,
            region: Some(RegionScope::parse(regency).unwrap()),
        }
    }

    fn valid(form: NominationForm) -> ValidForm {
        form.validate(&CommodityCatalog::default(), 2026).unwrap()
    }

    /// A draft of Kabupaten Pekalongan (33.26), created on 2 March.
    fn draft() -> Nomination {
        Nomination::create(
            "01J0000000000000000000000".into(),
            valid(valid_form()),
            &open_round(),
            &office("33.26"),
            march(2),
        )
        .unwrap()
        .nomination
    }

    fn in_status(status: NominationStatus) -> Nomination {
        Nomination { status, ..draft() }
    }

    fn renamed(name: &str) -> ValidForm {
        let mut form = valid_form();
        form.ikm.name = name.into();
        valid(form)
    }

    #[test]
    fn a_new_nomination_is_a_draft_at_version_one_and_its_history_starts_with_create() {
        let change = Nomination::create(
            "01J0000000000000000000000".into(),
            valid(valid_form()),
            &open_round(),
            &office("33.26"),
            march(2),
        )
        .unwrap();
        let n = &change.nomination;
        assert_eq!((n.status, n.version), (S::Draft, 1));
        assert_eq!(n.province_code.as_str(), "33");
        assert_eq!(n.created_by, "dinas-33.26");
        assert_eq!((n.created_at, n.updated_at), (march(2), march(2)));
        assert_eq!(
            change.audit,
            AuditEntry {
                nomination_id: n.id.clone(),
                at: march(2),
                actor: "dinas-33.26".into(),
                action: "create".into(),
                from_status: None,
                to_status: S::Draft,
                version: 1,
            }
        );
    }

    #[test]
    fn no_nomination_is_created_in_a_round_that_is_not_open() {
        let planned = RoundForm {
            year: Some(2026),
            name: "OVOP 2026".into(),
            proposal_deadline: Some(deadline()),
            documents_required: Some(false),
        }
        .validate(march(1))
        .unwrap();
        let err = Nomination::create(
            "01J0000000000000000000000".into(),
            valid(valid_form()),
            &planned,
            &office("33.26"),
            march(2),
        )
        .unwrap_err();
        assert_eq!(err.code(), "round_not_open");
    }

    #[test]
    fn a_nomination_is_only_created_or_submitted_against_its_own_round() {
        let other_round = Round {
            id: Round::id_for(2028),
            ..open_round()
        };
        let created = Nomination::create(
            "01J0000000000000000000000".into(),
            valid(valid_form()),
            &other_round,
            &office("33.26"),
            march(2),
        );
        assert_eq!(created, Err(NominationError::RoundMismatch));
        let submitted = draft().submit(None, &other_round, &office("33.26"), march(3));
        assert_eq!(submitted, Err(NominationError::RoundMismatch));
    }

    #[test]
    fn a_draft_and_a_nomination_returned_for_revision_can_be_edited() {
        for status in [S::Draft, S::NeedsRevision] {
            let change = in_status(status)
                .edit(1, renamed("Batik Jlamprang"), &office("33.26"), march(3))
                .unwrap();
            assert_eq!(change.nomination.profile.ikm.name, "Batik Jlamprang");
            assert_eq!(change.nomination.status, status);
        }
    }

    #[test]
    fn an_edit_is_refused_once_submitted() {
        let submitted = draft()
            .submit(Some(1), &open_round(), &office("33.26"), march(3))
            .unwrap()
            .nomination;
        let err = submitted
            .edit(2, renamed("Batik Jlamprang"), &office("33.26"), march(4))
            .unwrap_err();
        assert_eq!(err, NominationError::NotEditable);
        assert_eq!(err.code(), "not_editable");
    }

    #[test]
    fn a_stale_version_is_refused_and_the_current_one_is_named() {
        let n = draft();
        let office = office("33.26");
        let stale = NominationError::Stale { current: 1 };
        assert_eq!(
            n.edit(7, renamed("Batik Jlamprang"), &office, march(3)),
            Err(stale.clone())
        );
        assert_eq!(
            n.submit(Some(7), &open_round(), &office, march(3)),
            Err(stale.clone())
        );
        assert_eq!(n.withdraw(Some(7), &office, march(3)), Err(stale.clone()));
        assert_eq!(stale.code(), "stale");
        assert!(stale.message().en.contains("current version 1"));
    }

    #[test]
    fn an_edit_cannot_move_a_nomination_to_another_regency_or_round() {
        let n = draft();
        let mut elsewhere = valid_form();
        elsewhere.regency_code = "33.74".into();
        let err = n
            .edit(1, valid(elsewhere), &office("33.26"), march(3))
            .unwrap_err();
        assert_eq!(
            (err.code(), err.field()),
            ("regency_changed", Some("regency_code"))
        );

        let mut later = valid_form();
        later.round_id = Round::id_for(2028);
        let err = n
            .edit(1, valid(later), &office("33.26"), march(3))
            .unwrap_err();
        assert_eq!(
            (err.code(), err.field()),
            ("round_changed", Some("round_id"))
        );
    }

    #[test]
    fn a_submit_after_the_deadline_is_refused_with_the_deadline_on_the_regencys_clock() {
        let mut papua = valid_form();
        papua.regency_code = "91.71".into();
        let jayapura = office("91.71");
        let draft = Nomination::create(
            "01J0000000000000000000000".into(),
            valid(papua),
            &open_round(),
            &jayapura,
            march(2),
        )
        .unwrap()
        .nomination;
        let late = deadline() + chrono::Duration::minutes(1);
        let err = draft
            .submit(None, &open_round(), &jayapura, late)
            .unwrap_err();
        assert_eq!(err.code(), "round_not_open");
        assert!(err.message().id.contains("01-09-2026 01:59 WIT"), "{err:?}");
        assert!(err.message().en.contains("01-09-2026 01:59 WIT"), "{err:?}");
    }

    fn requiring_documents() -> Round {
        Round {
            documents_required: true,
            ..open_round()
        }
    }

    fn bundle(commodity: &str, documents: &[crate::document::Document]) -> Checklist {
        Checklist::build(
            &crate::document::tests::commodity(commodity),
            &open_round().document_limits,
            documents,
            None,
        )
    }

    #[test]
    fn a_round_requiring_documents_refuses_an_incomplete_bundle_naming_what_is_missing() {
        use crate::document::tests::attached;
        use DocumentType as D;
        let letter = attached(D::ProposalLetter, march(2));
        let photos = attached(D::ProductPhotos, march(2));
        let err = draft()
            .submit_with_bundle(
                None,
                &requiring_documents(),
                &bundle("kain_batik", &[letter, photos]),
                &office("33.26"),
                march(3),
            )
            .unwrap_err();
        let missing = vec![
            D::SentraDecree,
            D::SentraProfile,
            D::BusinessLicence,
            D::IkmProfile,
            D::ProductDescription,
            D::ProductSample,
            D::TruthStatement,
        ];
        assert_eq!(
            err,
            NominationError::BundleIncomplete {
                missing: missing.clone()
            }
        );
        assert_eq!(
            (err.code(), err.field()),
            ("bundle_incomplete", Some("documents"))
        );
        let message = err.message();
        assert!(message
            .id
            .starts_with("Dokumen usulan belum lengkap. Belum ada: D02 SK"));
        assert!(message
            .id
            .contains("; D08 Sampel produk; D14 Surat pernyataan kebenaran data."));
        assert!(message
            .en
            .starts_with("The document bundle is incomplete. Missing: D02 Regent"));
        assert!(message
            .en
            .contains("; D08 Product sample; D14 Statement of truth of data."));
        assert!(!message.en.contains("D01") && !message.en.contains("D07"));
        assert!(
            !message.en.contains("D10"),
            "a batik nomination needs no halal certificate"
        );
    }

    #[test]
    fn a_food_nomination_also_needs_its_permit_halal_certificate_and_lab_report() {
        use crate::document::tests::{all_needed, batik, food, shipped};
        let mut form = valid_form();
        form.product.commodity = "makanan_minuman".into();
        let n = Nomination::create(
            "01J0000000000000000000001".into(),
            valid(form),
            &open_round(),
            &office("33.26"),
            march(2),
        )
        .unwrap()
        .nomination;
        let sample = shipped(&n.id);
        let limits = open_round().document_limits;
        let batik_docs = Checklist::build(&food(), &limits, &all_needed(&batik()), Some(&sample));
        let err = n
            .submit_with_bundle(
                None,
                &requiring_documents(),
                &batik_docs,
                &office("33.26"),
                march(3),
            )
            .unwrap_err();
        assert_eq!(
            err,
            NominationError::BundleIncomplete {
                missing: vec![
                    DocumentType::DistributionPermit,
                    DocumentType::HalalCertificate,
                    DocumentType::LabReport
                ]
            }
        );
        assert!(err.message().id.contains("D10 Sertifikat halal"));
        let complete = Checklist::build(&food(), &limits, &all_needed(&food()), Some(&sample));
        let change = n
            .submit_with_bundle(
                None,
                &requiring_documents(),
                &complete,
                &office("33.26"),
                march(3),
            )
            .unwrap();
        assert_eq!(change.nomination.status, S::Submitted);
    }

    #[test]
    fn a_complete_bundle_is_submitted_and_a_round_not_requiring_documents_takes_any_bundle() {
        use crate::document::tests::{all_needed, batik, shipped};
        let n = draft();
        let complete = Checklist::build(
            &batik(),
            &open_round().document_limits,
            &all_needed(&batik()),
            Some(&shipped(&n.id)),
        );
        let sent = n
            .submit_with_bundle(
                Some(1),
                &requiring_documents(),
                &complete,
                &office("33.26"),
                march(3),
            )
            .unwrap();
        assert_eq!(sent.nomination.status, S::Submitted);
        let empty = bundle("kain_batik", &[]);
        assert!(n
            .submit_with_bundle(None, &open_round(), &empty, &office("33.26"), march(3))
            .is_ok());
    }

    #[test]
    fn submit_without_a_bundle_is_refused_where_documents_are_required() {
        let err = draft()
            .submit(None, &requiring_documents(), &office("33.26"), march(3))
            .unwrap_err();
        let NominationError::BundleIncomplete { missing } = &err else {
            panic!("{err:?}");
        };
        assert_eq!(missing.len(), 9, "{missing:?}");
        assert!(draft()
            .submit(None, &open_round(), &office("33.26"), march(3))
            .is_ok());
    }

    #[test]
    fn a_closed_round_is_reported_before_an_incomplete_bundle() {
        let closed = Round {
            documents_required: true,
            ..open_round().close_proposals(None, march(3)).unwrap()
        };
        let err = draft()
            .submit_with_bundle(
                None,
                &closed,
                &bundle("kain_batik", &[]),
                &office("33.26"),
                march(3),
            )
            .unwrap_err();
        assert_eq!(err.code(), "round_not_open");
    }

    #[test]
    fn a_nomination_keeps_its_commodity_group_once_deactivated_and_an_unknown_one_needs_all() {
        let n = draft();
        let mut catalog = CommodityCatalog::default();
        catalog.groups.iter_mut().for_each(|c| c.active = false);
        assert_eq!(n.commodity_in(&catalog).code, "kain_batik");
        assert!(!n.commodity_in(&catalog).food);
        let mut unknown = n.clone();
        unknown.profile.product.commodity = "perhiasan".into();
        assert!(unknown.commodity_in(&catalog).food);
    }

    #[test]
    fn a_nomination_returned_for_revision_can_be_resubmitted() {
        let change = in_status(S::NeedsRevision)
            .submit(Some(1), &open_round(), &office("33.26"), march(5))
            .unwrap();
        assert_eq!(change.nomination.status, S::Submitted);
        assert_eq!(change.nomination.submitted_at, Some(march(5)));
        assert_eq!(change.audit.from_status, Some(S::NeedsRevision));
    }

    #[test]
    fn a_submitted_nomination_cannot_be_withdrawn() {
        let err = in_status(S::Submitted)
            .withdraw(None, &office("33.26"), march(3))
            .unwrap_err();
        assert_eq!(
            err,
            NominationError::Illegal(IllegalTransition {
                from: S::Submitted,
                event: Event::Withdraw,
            })
        );
        assert_eq!(err.code(), "illegal_transition");
    }

    #[test]
    fn every_change_bumps_the_version_by_one_and_records_who_did_what_from_where_to_where() {
        let office = office("33.26");
        let round = open_round();
        type UseCase = fn(&Nomination, &Principal, &Round) -> Result<Change, NominationError>;
        let cases: [(&str, NominationStatus, UseCase, NominationStatus); 5] = [
            (
                "update",
                S::Draft,
                |n, who, _| n.edit(n.version, renamed("Batik Jlamprang"), who, march(9)),
                S::Draft,
            ),
            (
                "update",
                S::NeedsRevision,
                |n, who, _| n.edit(n.version, renamed("Batik Jlamprang"), who, march(9)),
                S::NeedsRevision,
            ),
            (
                "submit",
                S::Draft,
                |n, who, r| n.submit(None, r, who, march(9)),
                S::Submitted,
            ),
            (
                "withdraw",
                S::Draft,
                |n, who, _| n.withdraw(None, who, march(9)),
                S::Withdrawn,
            ),
            (
                "withdraw",
                S::NeedsRevision,
                |n, who, _| n.withdraw(Some(n.version), who, march(9)),
                S::Withdrawn,
            ),
        ];
        for (action, from, use_case, to) in cases {
            let before = Nomination {
                version: 4,
                ..in_status(from)
            };
            let change = use_case(&before, &office, &round).unwrap();
            assert_eq!(change.nomination.version, 5, "{action} from {from:?}");
            assert_eq!(change.nomination.updated_at, march(9), "{action}");
            assert_eq!(change.nomination.created_at, before.created_at, "{action}");
            assert_eq!(
                change.audit,
                AuditEntry {
                    nomination_id: before.id.clone(),
                    at: march(9),
                    actor: "dinas-33.26".into(),
                    action: action.into(),
                    from_status: Some(from),
                    to_status: to,
                    version: 5,
                },
            );
        }
    }
}
