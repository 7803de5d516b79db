//! An assessor's score sheet for one nomination: a draft that autosaves (any subset of the
//! criteria), then a final submit — every criterion scored on the rubric's levels, a comment
//! wherever a criterion gets its lowest or highest level — after which it no longer changes.
//! Nothing is saved after the round's assessment deadline.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::errors::FieldErrors;
use crate::i18n::Text;
use crate::round::{format_local, Round};
use crate::rubric::{Rubric, Total};
use crate::stars::Score;
use crate::text::{clean, Lines};

/// Longest comment, in characters.
pub const MAX_COMMENT: usize = 1_000;

/// Where a sheet stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum SheetState {
    Draft,
    Submitted,
}

/// What the assessor sends: levels and comments by criterion code.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SheetForm {
    pub levels: BTreeMap<String, u8>,
    pub comments: BTreeMap<String, String>,
    pub general_comment: String,
}

/// One assessor's sheet for one nomination.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScoreSheet {
    pub round_id: String,
    pub nomination_id: String,
    pub assessor: String,
    /// The rubric version scored against.
    pub rubric_version: u64,
    pub levels: BTreeMap<String, u8>,
    pub comments: BTreeMap<String, String>,
    pub general_comment: Option<String>,
    pub state: SheetState,
    /// The final score, once submitted.
    pub score: Option<Score>,
    /// The exact total behind it (for aggregation).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub total: Option<Total>,
    pub saved_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub version: u64,
}

/// Why a sheet cannot be saved.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ScoreError {
    #[error("the sheet is invalid")]
    Invalid(FieldErrors),
    #[error("the sheet is submitted and no longer changes")]
    Submitted,
    #[error("the assessment deadline has passed")]
    DeadlinePassed(DateTime<Utc>),
    #[error("stale sheet version; current is {current}")]
    Stale { current: u64 },
}

impl ScoreError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            ScoreError::Invalid(_) => "validation",
            ScoreError::Submitted => "sheet_submitted",
            ScoreError::DeadlinePassed(_) => "assessment_closed",
            ScoreError::Stale { .. } => "stale",
        }
    }

    /// What the assessor reads.
    pub fn message(&self) -> Text {
        match self {
            ScoreError::Invalid(_) => {
                Text::new("Lembar nilai belum benar.", "The sheet is not right yet.")
            }
            ScoreError::Submitted => Text::new(
                "Nilai sudah dikirim dan tidak dapat diubah.",
                "The scores are submitted and can no longer change.",
            ),
            ScoreError::DeadlinePassed(at) => {
                let local = format_local(*at, crate::region::TimeZone::Wib);
                Text::new(
                    format!("Batas penilaian ({local}) telah lewat."),
                    format!("The assessment deadline ({local}) has passed."),
                )
            }
            ScoreError::Stale { current } => Text::new(
                format!("Lembar nilai diubah di tempat lain (versi {current}); muat ulang."),
                format!("The sheet was changed elsewhere (version {current}); reload it."),
            ),
        }
    }
}

/// Checks levels and comments against `rubric`: known criteria, levels the criterion has,
/// clean comments; with `complete`, every criterion scored and a comment on each lowest or
/// highest level.
fn check(
    rubric: &Rubric,
    form: &SheetForm,
    complete: bool,
) -> Result<(BTreeMap<String, String>, Option<String>), FieldErrors> {
    let mut e = FieldErrors::new();
    for (code, level) in &form.levels {
        match rubric.criterion(code) {
            None => e.add(
                format!("levels.{code}"),
                Text::new(
                    "Kriteria tidak ada dalam rubrik.",
                    "No such criterion in the rubric.",
                ),
            ),
            Some(c) if *level == 0 || usize::from(*level) > c.levels.len() => e.add(
                format!("levels.{code}"),
                Text::new(
                    format!("Pilih tingkat 1 sampai {}.", c.levels.len()),
                    format!("Choose a level from 1 to {}.", c.levels.len()),
                ),
            ),
            Some(_) => {}
        }
    }
    let mut comments = BTreeMap::new();
    for (code, text) in &form.comments {
        if rubric.criterion(code).is_none() {
            e.add(
                format!("comments.{code}"),
                Text::new(
                    "Kriteria tidak ada dalam rubrik.",
                    "No such criterion in the rubric.",
                ),
            );
            continue;
        }
        let text = text.trim();
        if !text.is_empty() {
            if let Some(t) = e.check(
                &format!("comments.{code}"),
                clean(text, MAX_COMMENT, Lines::Multi),
            ) {
                comments.insert(code.clone(), t);
            }
        }
    }
    let general = match form.general_comment.trim() {
        "" => None,
        t => e.check("general_comment", clean(t, MAX_COMMENT * 4, Lines::Multi)),
    };
    if complete {
        for c in rubric.criteria() {
            if !form.levels.contains_key(&c.code) {
                e.add(format!("levels.{}", c.code), crate::errors::required());
            }
        }
        for code in rubric.needs_comment(&form.levels) {
            if !comments.contains_key(code) {
                e.add(
                    format!("comments.{code}"),
                    Text::new(
                        "Tingkat terendah atau tertinggi memerlukan komentar.",
                        "The lowest or highest level needs a comment.",
                    ),
                );
            }
        }
    }
    if e.is_empty() {
        Ok((comments, general))
    } else {
        Err(e)
    }
}

impl ScoreSheet {
    fn guard(
        current: Option<&ScoreSheet>,
        expected: Option<u64>,
        round: &Round,
        now: DateTime<Utc>,
    ) -> Result<u64, ScoreError> {
        if let Some(deadline) = round.assessment_deadline {
            if now > deadline {
                return Err(ScoreError::DeadlinePassed(deadline));
            }
        }
        match current {
            Some(c) if c.state == SheetState::Submitted => Err(ScoreError::Submitted),
            Some(c) if expected.is_some_and(|v| v != c.version) => {
                Err(ScoreError::Stale { current: c.version })
            }
            Some(c) => Ok(c.version + 1),
            None => Ok(1),
        }
    }

    /// Saves a draft (autosave): any subset of criteria, each checked; `expected` from If-Match
    /// when sent.
    #[allow(clippy::too_many_arguments)]
    pub fn save_draft(
        current: Option<&ScoreSheet>,
        expected: Option<u64>,
        round: &Round,
        rubric: &Rubric,
        nomination_id: &str,
        assessor: &str,
        form: &SheetForm,
        now: DateTime<Utc>,
    ) -> Result<ScoreSheet, ScoreError> {
        let version = Self::guard(current, expected, round, now)?;
        let (comments, general) = check(rubric, form, false).map_err(ScoreError::Invalid)?;
        Ok(ScoreSheet {
            round_id: round.id.clone(),
            nomination_id: nomination_id.to_owned(),
            assessor: assessor.to_owned(),
            rubric_version: rubric.version,
            levels: form.levels.clone(),
            comments,
            general_comment: general,
            state: SheetState::Draft,
            score: None,
            total: None,
            saved_at: now,
            submitted_at: None,
            version,
        })
    }

    /// Submits the sheet for good: complete, commented where needed, totalled.
    #[allow(clippy::too_many_arguments)]
    pub fn submit(
        current: Option<&ScoreSheet>,
        expected: Option<u64>,
        round: &Round,
        rubric: &Rubric,
        nomination_id: &str,
        assessor: &str,
        form: &SheetForm,
        now: DateTime<Utc>,
    ) -> Result<ScoreSheet, ScoreError> {
        let version = Self::guard(current, expected, round, now)?;
        let (comments, general) = check(rubric, form, true).map_err(ScoreError::Invalid)?;
        let total = rubric
            .total(&form.levels)
            .map_err(|e| ScoreError::Invalid(FieldErrors::single("levels", e.message())))?;
        Ok(ScoreSheet {
            round_id: round.id.clone(),
            nomination_id: nomination_id.to_owned(),
            assessor: assessor.to_owned(),
            rubric_version: rubric.version,
            levels: form.levels.clone(),
            comments,
            general_comment: general,
            state: SheetState::Submitted,
            score: Some(total.score()),
            total: Some(total),
            saved_at: now,
            submitted_at: Some(now),
            version,
        })
    }
}

/// Whether an assessor may see the other assessors' scores of a nomination: once their own
/// sheet is submitted, when the round hides them until then (the default).
pub fn sees_others(own: Option<&ScoreSheet>, hide_until_submitted: bool) -> bool {
    !hide_until_submitted || own.is_some_and(|s| s.state == SheetState::Submitted)
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;
    use crate::rubric::tests::batik_rubric;

    fn round(deadline: Option<DateTime<Utc>>) -> Round {
        let open = crate::round::RoundForm {
            year: Some(2026),
            name: "OVOP 2026".into(),
            proposal_deadline: Some(now() + Duration::days(30)),
            documents_required: None,
        }
        .validate(now())
        .unwrap();
        Round {
            assessment_deadline: deadline,
            ..open
        }
    }

    fn now() -> DateTime<Utc> {
        crate::document::sample::tests::now()
    }

    fn all(level: u8) -> SheetForm {
        let r = batik_rubric();
        SheetForm {
            levels: r.criteria().map(|c| (c.code.clone(), level)).collect(),
            comments: BTreeMap::new(),
            general_comment: String::new(),
        }
    }

    #[test]
    fn a_draft_saves_any_part_and_the_submit_totals_the_whole() {
        let r = batik_rubric();
        let mut part = SheetForm::default();
        part.levels.insert("1.1".into(), 2);
        let draft = ScoreSheet::save_draft(
            None,
            None,
            &round(None),
            &r,
            "N1",
            "penilai-1",
            &part,
            now(),
        )
        .unwrap();
        assert_eq!(
            (draft.state, draft.version, draft.score),
            (SheetState::Draft, 1, None)
        );
        let done = ScoreSheet::submit(
            Some(&draft),
            Some(1),
            &round(None),
            &r,
            "N1",
            "penilai-1",
            &all(2),
            now(),
        )
        .unwrap();
        assert_eq!(done.state, SheetState::Submitted);
        assert_eq!(done.score.unwrap().to_string(), "66.67");
        assert_eq!(done.version, 2);
        assert_eq!(
            ScoreSheet::save_draft(
                Some(&done),
                None,
                &round(None),
                &r,
                "N1",
                "penilai-1",
                &part,
                now()
            ),
            Err(ScoreError::Submitted)
        );
    }

    #[test]
    fn the_lowest_or_highest_level_needs_a_comment_and_every_criterion_a_level() {
        let r = batik_rubric();
        let mut form = all(2);
        form.levels.insert("2.1".into(), 3);
        form.levels.insert("3.2".into(), 1);
        form.levels.remove("4.4");
        let Err(ScoreError::Invalid(e)) =
            ScoreSheet::submit(None, None, &round(None), &r, "N1", "p", &form, now())
        else {
            panic!("refused")
        };
        assert!(
            e.get("comments.2.1").is_some() && e.get("comments.3.2").is_some(),
            "{e:?}"
        );
        assert_eq!(e.get("levels.4.4"), Some(&crate::errors::required()));
        form.levels.insert("4.4".into(), 2);
        form.comments
            .insert("2.1".into(), "Finishing sangat rapi.".into());
        form.comments
            .insert("3.2".into(), "Bahan baku dari luar daerah.".into());
        assert!(ScoreSheet::submit(None, None, &round(None), &r, "N1", "p", &form, now()).is_ok());
        form.levels.insert("1.1".into(), 4);
        assert!(
            ScoreSheet::save_draft(None, None, &round(None), &r, "N1", "p", &form, now()).is_err()
        );
    }

    #[test]
    fn nothing_is_saved_after_the_deadline_or_over_a_newer_version() {
        let r = batik_rubric();
        let late = round(Some(now() - Duration::minutes(1)));
        assert!(matches!(
            ScoreSheet::save_draft(None, None, &late, &r, "N1", "p", &all(2), now()),
            Err(ScoreError::DeadlinePassed(_))
        ));
        let draft = ScoreSheet::save_draft(None, None, &round(None), &r, "N1", "p", &all(2), now())
            .unwrap();
        assert_eq!(
            ScoreSheet::save_draft(
                Some(&draft),
                Some(7),
                &round(None),
                &r,
                "N1",
                "p",
                &all(2),
                now()
            ),
            Err(ScoreError::Stale { current: 1 })
        );
    }

    #[test]
    fn others_scores_show_only_after_ones_own_is_submitted() {
        let r = batik_rubric();
        let draft = ScoreSheet::save_draft(None, None, &round(None), &r, "N1", "p", &all(2), now())
            .unwrap();
        let done =
            ScoreSheet::submit(None, None, &round(None), &r, "N1", "p", &all(2), now()).unwrap();
        assert!(!sees_others(None, true));
        assert!(!sees_others(Some(&draft), true));
        assert!(sees_others(Some(&done), true));
        assert!(sees_others(None, false), "a round may show them");
    }
}
