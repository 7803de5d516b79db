//! An award round (periode): year, phase and deadlines.

use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};

use crate::errors::{required, FieldErrors};
use crate::i18n::Text;
use crate::region::TimeZone;

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
    pub version: u64,
    pub created_at: DateTime<Utc>,
}

/// What an admin fills in to create a round.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoundForm {
    pub year: Option<i32>,
    pub name: String,
    /// RFC 3339 instant, e.g. `2026-08-31T16:59:59Z` (23:59:59 WIB).
    pub proposal_deadline: Option<DateTime<Utc>>,
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
        let name = self.name.trim();
        if name.is_empty() {
            e.add("name", required());
        }
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
        match (year, self.proposal_deadline) {
            (Some(year), Some(deadline)) if e.is_empty() => Ok(Round {
                id: Round::id_for(year),
                year,
                name: name.to_owned(),
                phase: RoundPhase::Planned,
                proposal_deadline: deadline,
                version: 1,
                created_at: now,
            }),
            _ => Err(e),
        }
    }
}

impl Round {
    /// The id of the round of `year`: one round per year.
    pub fn id_for(year: i32) -> String {
        format!("ovop-{year}")
    }

    /// Opens the round for proposals.
    pub fn open(&self) -> Result<RoundPhase, Text> {
        match self.phase {
            RoundPhase::Planned => Ok(RoundPhase::OpenForProposals),
            _ => Err(Text::new(
                "Hanya periode yang direncanakan yang bisa dibuka.",
                "Only a planned round can be opened.",
            )),
        }
    }

    /// Closes proposals; administrative review begins.
    pub fn close_proposals(&self) -> Result<RoundPhase, Text> {
        match self.phase {
            RoundPhase::OpenForProposals => Ok(RoundPhase::AdminReview),
            _ => Err(Text::new(
                "Periode ini tidak sedang menerima usulan.",
                "This round is not open for proposals.",
            )),
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

/// An instant as read on a clock in `zone`: `31-08-2026 23:59 WIB`.
pub fn format_local(at: DateTime<Utc>, zone: TimeZone) -> String {
    let offset = FixedOffset::east_opt(zone.utc_offset_hours() * 3600).expect("offset in range");
    format!(
        "{} {}",
        at.with_timezone(&offset).format("%d-%m-%Y %H:%M"),
        zone.label()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    fn deadline() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 8, 31, 16, 59, 0).unwrap()
    }

    fn open_round() -> Round {
        let form = RoundForm {
            year: Some(2026),
            name: "OVOP 2026".into(),
            proposal_deadline: Some(deadline()),
        };
        let mut round = form
            .validate(Utc.with_ymd_and_hms(2026, 2, 1, 0, 0, 0).unwrap())
            .unwrap();
        round.phase = round.open().unwrap();
        round
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
        let mut round = open_round();
        round.phase = round.close_proposals().unwrap();
        assert!(round.accepts_proposals(deadline(), TimeZone::Wib).is_err());
        assert!(round.open().is_err());
    }

    #[test]
    fn round_form_requires_future_deadline_and_year() {
        let errors = RoundForm::default().validate(deadline()).unwrap_err();
        assert!(errors.get("year").is_some() && errors.get("name").is_some());
        let past = RoundForm {
            year: Some(2026),
            name: "x".into(),
            proposal_deadline: Some(deadline()),
        };
        assert!(past
            .validate(deadline())
            .unwrap_err()
            .get("proposal_deadline")
            .is_some());
    }
}
