//! An award round (periode): year, phase and deadlines.

use chrono::{DateTime, Datelike, FixedOffset, Timelike, Utc};
use serde::{Deserialize, Serialize};

use crate::document::DocumentLimits;
use crate::errors::{required, FieldErrors};
use crate::i18n::Text;
use crate::region::TimeZone;
use crate::text::{clean, Lines, MAX_NAME};

/// The phase a round is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RoundPhase {
    Planned,
    OpenForProposals,
    AdminReview,
    Assessment,
    Deliberation,
    Determined,
    Awarded,
    Closed,
}

impl RoundPhase {
    pub fn label(self) -> Text {
        let (id, en) = match self {
            RoundPhase::Planned => ("Direncanakan", "Planned"),
            RoundPhase::OpenForProposals => ("Pengusulan dibuka", "Open for proposals"),
            RoundPhase::AdminReview => ("Seleksi administrasi", "Administrative review"),
            RoundPhase::Assessment => ("Penilaian", "Assessment"),
            RoundPhase::Deliberation => ("Sidang penetapan", "Deliberation"),
            RoundPhase::Determined => ("Ditetapkan", "Determined"),
            RoundPhase::Awarded => ("Dianugerahkan", "Awarded"),
            RoundPhase::Closed => ("Ditutup", "Closed"),
        };
        Text::new(id, en)
    }
}

/// A round of the award.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Round {
    /// `ovop-<year>`.
    pub id: String,
    pub year: i32,
    pub name: String,
    pub phase: RoundPhase,
    /// Last instant (UTC) at which a nomination may be submitted.
    pub proposal_deadline: DateTime<Utc>,
    /// Size limits of uploaded documents. Rounds stored before documents read back with the
    /// defaults.
    #[serde(default)]
    pub document_limits: DocumentLimits,
    /// Whether a nomination is submitted only with its complete document bundle
    /// ([`crate::document::Checklist`]). New rounds require it unless the admin says
    /// otherwise; rounds stored before documents existed read back without it.
    #[serde(default)]
    pub documents_required: bool,
    /// Last instant (UTC) at which an assessor may save scores; none until the admin sets it.
    #[serde(default)]
    pub assessment_deadline: Option<DateTime<Utc>>,
    /// Whether an assessor sees the other assessors' scores only after submitting their own.
    #[serde(default = "yes")]
    pub scores_hidden_until_submitted: bool,
    /// Optimistic-locking version; every change increments it.
    pub version: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What an admin fills in to create a round.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoundForm {
    pub year: Option<i32>,
    pub name: String,
    /// RFC 3339 instant, e.g. `2026-08-31T16:59:59Z` (23:59:59 WIB).
    pub proposal_deadline: Option<DateTime<Utc>>,
    /// Whether a nomination is submitted only with its complete document bundle and its
    /// sample shipped; yes when left out.
    pub documents_required: Option<bool>,
}

impl RoundForm {
    /// Builds a planned round, or says which fields are wrong.
    pub fn validate(&self, now: DateTime<Utc>) -> Result<Round, FieldErrors> {
        let mut e = FieldErrors::new();
        let year = match self.year {
            None => {
                e.add("year", required());
                None
            }
            Some(y) if !(2013..=2100).contains(&y) => {
                e.add(
                    "year",
                    Text::new("Tahun 2013 sampai 2100.", "A year from 2013 to 2100."),
                );
                None
            }
            Some(y) => Some(y),
        };
        let name = e.check("name", clean(&self.name, MAX_NAME, Lines::Single));
        match self.proposal_deadline {
            None => e.add("proposal_deadline", required()),
            Some(d) if d <= now => e.add(
                "proposal_deadline",
                Text::new(
                    "Batas waktu harus di masa depan.",
                    "The deadline must be in the future.",
                ),
            ),
            Some(_) => {}
        }
        match (year, name, self.proposal_deadline) {
            (Some(year), Some(name), Some(deadline)) if e.is_empty() => Ok(Round {
                id: Round::id_for(year),
                year,
                name,
                phase: RoundPhase::Planned,
                proposal_deadline: deadline,
                document_limits: DocumentLimits::default(),
                documents_required: self.documents_required.unwrap_or(true),
                assessment_deadline: None,
                scores_hidden_until_submitted: true,
                version: 1,
                created_at: now,
                updated_at: now,
            }),
            _ => Err(e),
        }
    }
}

fn yes() -> bool {
    true
}

/// How the admin sets up a round's assessment.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssessmentForm {
    /// RFC 3339 instant after which no score is saved.
    pub assessment_deadline: Option<DateTime<Utc>>,
    /// Hide the other assessors' scores until one's own is submitted (default yes).
    pub scores_hidden_until_submitted: Option<bool>,
}

impl Round {
    /// Sets the assessment deadline (in the future) and whether scores stay hidden until
    /// one's own is submitted; `expected_version` from If-Match.
    pub fn set_assessment(
        &self,
        expected_version: Option<u64>,
        form: &AssessmentForm,
        now: DateTime<Utc>,
    ) -> Result<Round, RoundError> {
        self.check_version(expected_version)?;
        match form.assessment_deadline {
            None => {
                return Err(RoundError::Invalid(FieldErrors::single(
                    "assessment_deadline",
                    required(),
                )))
            }
            Some(d) if d <= now => {
                return Err(RoundError::Invalid(FieldErrors::single(
                    "assessment_deadline",
                    Text::new(
                        "Batas waktu harus di masa depan.",
                        "The deadline must be in the future.",
                    ),
                )))
            }
            Some(_) => {}
        }
        Ok(Round {
            assessment_deadline: form.assessment_deadline,
            scores_hidden_until_submitted: form.scores_hidden_until_submitted.unwrap_or(true),
            version: self.version + 1,
            updated_at: now,
            ..self.clone()
        })
    }

    /// The id of the round of `year`: one round per year.
    pub fn id_for(year: i32) -> String {
        format!("ovop-{year}")
    }

    /// Opens a planned round for proposals. `expected_version` comes from `If-Match`.
    pub fn open(
        &self,
        expected_version: Option<u64>,
        now: DateTime<Utc>,
    ) -> Result<Round, RoundError> {
        self.check_version(expected_version)?;
        match self.phase {
            RoundPhase::Planned => Ok(self.moved_to(RoundPhase::OpenForProposals, now)),
            _ => Err(RoundError::IllegalPhaseChange(Text::new(
                "Hanya periode yang direncanakan yang bisa dibuka.",
                "Only a planned round can be opened.",
            ))),
        }
    }

    /// Closes proposals; administrative review begins. `expected_version` comes from
    /// `If-Match`.
    pub fn close_proposals(
        &self,
        expected_version: Option<u64>,
        now: DateTime<Utc>,
    ) -> Result<Round, RoundError> {
        self.check_version(expected_version)?;
        match self.phase {
            RoundPhase::OpenForProposals => Ok(self.moved_to(RoundPhase::AdminReview, now)),
            _ => Err(RoundError::IllegalPhaseChange(Text::new(
                "Periode ini tidak sedang menerima usulan.",
                "This round is not open for proposals.",
            ))),
        }
    }

    /// The Minister's decree determined the round: it is frozen (no phase follows but the
    /// award ceremony's). Refused once determined.
    pub fn determined(&self, now: DateTime<Utc>) -> Result<Round, RoundError> {
        match self.phase {
            RoundPhase::Determined | RoundPhase::Awarded | RoundPhase::Closed => {
                Err(RoundError::IllegalPhaseChange(Text::new(
                    "Periode ini sudah ditetapkan.",
                    "This round is determined already.",
                )))
            }
            _ => Ok(self.moved_to(RoundPhase::Determined, now)),
        }
    }

    fn check_version(&self, expected: Option<u64>) -> Result<(), RoundError> {
        match expected {
            Some(v) if v != self.version => Err(RoundError::Stale {
                current: self.version,
            }),
            _ => Ok(()),
        }
    }

    fn moved_to(&self, phase: RoundPhase, now: DateTime<Utc>) -> Round {
        Round {
            phase,
            version: self.version + 1,
            updated_at: now,
            ..self.clone()
        }
    }

    /// Whether a nomination may be created or submitted at `now`.
    pub fn accepts_proposals(&self, now: DateTime<Utc>, zone: TimeZone) -> Result<(), Text> {
        if self.phase != RoundPhase::OpenForProposals {
            return Err(Text::new(
                format!("Periode {} tidak sedang menerima usulan.", self.name),
                format!("Round {} is not open for proposals.", self.name),
            ));
        }
        if now > self.proposal_deadline {
            let at = format_local(self.proposal_deadline, zone);
            return Err(Text::new(
                format!("Batas waktu pengusulan telah lewat ({at})."),
                format!("The proposal deadline has passed ({at})."),
            ));
        }
        Ok(())
    }
}

/// Why a round could not change phase.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RoundError {
    /// `If-Match` named another version.
    #[error("stale round version; current is {current}")]
    Stale { current: u64 },
    /// The round is not in the phase this change starts from; the text says why.
    #[error("illegal phase change: {}", .0.en)]
    IllegalPhaseChange(Text),
    /// A field is wrong.
    #[error("invalid round settings")]
    Invalid(FieldErrors),
}

impl RoundError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            RoundError::Stale { .. } => "stale",
            RoundError::IllegalPhaseChange(_) => "illegal_phase_change",
            RoundError::Invalid(_) => "validation",
        }
    }

    /// What to tell the user.
    pub fn message(&self) -> Text {
        match self {
            RoundError::Stale { current } => Text::new(
                format!(
                    "Periode ini telah diubah oleh orang lain (versi terkini {current}). \
                     Muat ulang lalu coba lagi."
                ),
                format!(
                    "This round was changed by someone else (current version {current}). \
                     Reload it and try again."
                ),
            ),
            RoundError::IllegalPhaseChange(message) => message.clone(),
            RoundError::Invalid(_) => Text::new(
                "Isian periode belum benar.",
                "The round's settings are not right.",
            ),
        }
    }
}

/// An instant as read on a clock in `zone`: `31-08-2026 23:59 WIB`.
pub fn format_local(at: DateTime<Utc>, zone: TimeZone) -> String {
    // Fields by hand rather than chrono's `format`, whose parser costs the web app ~4 KB.
    let offset = FixedOffset::east_opt(zone.utc_offset_hours() * 3600).expect("offset in range");
    let local = at.with_timezone(&offset);
    format!(
        "{:02}-{:02}-{:04} {:02}:{:02} {}",
        local.day(),
        local.month(),
        local.year(),
        local.hour(),
        local.minute(),
        zone.label()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_determined_round_is_determined_once() {
        let now = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 3, 1, 2, 0, 0).unwrap();
        let round = RoundForm {
            year: Some(2026),
            name: "OVOP 2026".into(),
            proposal_deadline: Some(now + chrono::Duration::days(30)),
            documents_required: None,
        }
        .validate(now)
        .unwrap();
        let determined = round.determined(now).unwrap();
        assert_eq!(determined.phase, RoundPhase::Determined);
        assert_eq!(determined.version, round.version + 1);
        assert!(determined.determined(now).is_err());
        assert!(determined.open(None, now).is_err());
    }
    use chrono::TimeZone as _;

    fn deadline() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 8, 31, 16, 59, 0).unwrap()
    }

    fn kick_off() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 2, 1, 0, 0, 0).unwrap()
    }

    fn planned_round() -> Round {
        let form = RoundForm {
            year: Some(2026),
            name: "OVOP 2026".into(),
            proposal_deadline: Some(deadline()),
            documents_required: None,
        };
        form.validate(kick_off()).unwrap()
    }

    fn open_round() -> Round {
        planned_round().open(None, kick_off()).unwrap()
    }

    #[test]
    fn deadline_is_shown_in_the_regions_zone() {
        assert_eq!(
            format_local(deadline(), TimeZone::Wib),
            "31-08-2026 23:59 WIB"
        );
        assert_eq!(
            format_local(deadline(), TimeZone::Wita),
            "01-09-2026 00:59 WITA"
        );
        assert_eq!(
            format_local(deadline(), TimeZone::Wit),
            "01-09-2026 01:59 WIT"
        );
    }

    #[test]
    fn proposals_are_accepted_until_the_deadline_inclusive() {
        let round = open_round();
        assert!(round.accepts_proposals(deadline(), TimeZone::Wib).is_ok());
        let late = round
            .accepts_proposals(deadline() + chrono::Duration::seconds(1), TimeZone::Wib)
            .unwrap_err();
        assert!(late.id.contains("31-08-2026 23:59 WIB"));
    }

    #[test]
    fn a_planned_or_closed_round_refuses_proposals() {
        assert!(planned_round()
            .accepts_proposals(kick_off(), TimeZone::Wib)
            .is_err());
        let closed = open_round().close_proposals(None, kick_off()).unwrap();
        assert!(closed.accepts_proposals(kick_off(), TimeZone::Wib).is_err());
    }

    #[test]
    fn a_round_opens_once_and_closes_once() {
        let closed = open_round().close_proposals(None, kick_off()).unwrap();
        let reopen = closed.open(None, kick_off()).unwrap_err();
        assert_eq!(reopen.code(), "illegal_phase_change");
        assert_eq!(reopen.message().en, "Only a planned round can be opened.");
        let reclose = closed.close_proposals(None, kick_off()).unwrap_err();
        assert_eq!(reclose.code(), "illegal_phase_change");
    }

    #[test]
    fn each_phase_change_bumps_the_version_by_one_and_stamps_the_time() {
        let planned = planned_round();
        assert_eq!((planned.version, planned.updated_at), (1, kick_off()));
        let later = kick_off() + chrono::Duration::days(1);
        let open = planned.open(Some(1), later).unwrap();
        assert_eq!(open.phase, RoundPhase::OpenForProposals);
        assert_eq!((open.version, open.updated_at), (2, later));
        assert_eq!(open.created_at, kick_off());
        let closed = open.close_proposals(Some(2), later).unwrap();
        assert_eq!(closed.phase, RoundPhase::AdminReview);
        assert_eq!(closed.version, 3);
    }

    #[test]
    fn a_stale_version_cannot_change_the_phase_and_names_the_current_one() {
        let open = open_round();
        assert_eq!(
            open.close_proposals(Some(1), kick_off()),
            Err(RoundError::Stale { current: 2 })
        );
        assert_eq!(RoundError::Stale { current: 2 }.code(), "stale");
    }

    #[test]
    fn round_form_requires_future_deadline_and_year() {
        let errors = RoundForm::default().validate(deadline()).unwrap_err();
        assert!(errors.get("year").is_some() && errors.get("name").is_some());
        let past = RoundForm {
            year: Some(2026),
            name: "x".into(),
            proposal_deadline: Some(deadline()),
            documents_required: None,
        };
        assert!(past
            .validate(deadline())
            .unwrap_err()
            .get("proposal_deadline")
            .is_some());
    }

    #[test]
    fn a_round_name_is_cleaned_like_any_free_text() {
        let form = |name: &str| RoundForm {
            year: Some(2026),
            name: name.into(),
            proposal_deadline: Some(deadline()),
            documents_required: None,
        };
        let round = form("  Penghargaan OVOP 2026\u{200B} ")
            .validate(kick_off())
            .unwrap();
        assert_eq!(round.name, "Penghargaan OVOP 2026");
        let errors = form("OVOP\u{202E}6202").validate(kick_off()).unwrap_err();
        assert_eq!(
            errors.get("name"),
            Some(&crate::text::TextError::BidiControl.message())
        );
    }

    #[test]
    fn a_round_stored_before_documents_reads_back_with_default_limits_and_no_requirement() {
        let mut json = serde_json::to_value(open_round()).unwrap();
        let fields = json.as_object_mut().unwrap();
        fields.remove("document_limits");
        fields.remove("documents_required");
        let round: Round = serde_json::from_value(json).unwrap();
        assert_eq!(round.document_limits, DocumentLimits::default());
        assert!(!round.documents_required);
        // Everything else reads back as stored.
        assert_eq!(
            round,
            Round {
                documents_required: false,
                ..open_round()
            }
        );
    }

    #[test]
    fn a_new_round_requires_documents_unless_the_form_says_not() {
        assert!(planned_round().documents_required, "left out: required");
        let json =
            r#"{"year": 2026, "name": "OVOP 2026", "proposal_deadline": "2026-08-31T16:59:00Z"}"#;
        let form: RoundForm = serde_json::from_str(json).unwrap();
        assert_eq!(form.documents_required, None);
        assert!(form.validate(kick_off()).unwrap().documents_required);
        for (said, required) in [(Some(true), true), (Some(false), false)] {
            let round = RoundForm {
                year: Some(2026),
                name: "OVOP 2026".into(),
                proposal_deadline: Some(deadline()),
                documents_required: said,
            }
            .validate(kick_off())
            .unwrap();
            assert_eq!(round.documents_required, required, "{said:?}");
            // And it stays so once the round is stored and opened.
            let opened = round.open(None, kick_off()).unwrap();
            let back: Round =
                serde_json::from_value(serde_json::to_value(&opened).unwrap()).unwrap();
            assert_eq!(back.documents_required, required, "{said:?}");
        }
    }

    #[test]
    fn a_round_form_with_an_unknown_field_is_refused() {
        let json = r#"{"year": 2026, "name": "OVOP 2026", "phase": "awarded"}"#;
        let err = serde_json::from_str::<RoundForm>(json).unwrap_err();
        assert!(err.to_string().contains("unknown field `phase`"), "{err}");
    }

    #[test]
    fn the_assessment_deadline_is_set_in_the_future_from_the_version_read() {
        let round = RoundForm {
            year: Some(2026),
            name: "OVOP 2026".into(),
            proposal_deadline: Some(deadline()),
            documents_required: None,
        }
        .validate(kick_off())
        .unwrap();
        assert!(round.scores_hidden_until_submitted, "hidden by default");
        let later = deadline() + chrono::Duration::days(60);
        let form = AssessmentForm {
            assessment_deadline: Some(later),
            scores_hidden_until_submitted: Some(false),
        };
        let set = round.set_assessment(Some(1), &form, kick_off()).unwrap();
        assert_eq!(
            (
                set.assessment_deadline,
                set.scores_hidden_until_submitted,
                set.version
            ),
            (Some(later), false, 2)
        );
        assert_eq!(
            round.set_assessment(Some(7), &form, kick_off()),
            Err(RoundError::Stale { current: 1 })
        );
        let past = AssessmentForm {
            assessment_deadline: Some(kick_off()),
            ..form.clone()
        };
        let Err(RoundError::Invalid(e)) = round.set_assessment(None, &past, kick_off()) else {
            panic!("refused")
        };
        assert!(e.get("assessment_deadline").is_some());
        let Err(RoundError::Invalid(e)) =
            round.set_assessment(None, &AssessmentForm::default(), kick_off())
        else {
            panic!("refused")
        };
        assert!(e.get("assessment_deadline").is_some());
    }
}
