//! After scoring: a nomination's result (its aggregate, and a moderated score when the admin
//! moderates one with a recorded justification), the ranked leaderboard of a round and
//! commodity group with its score distribution, and the recommendation list that is locked for
//! determination (penetapan).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use std::collections::BTreeMap;

use crate::aggregate::{aggregate, normalise, Aggregate, Policy, Sheet};
use crate::errors::FieldErrors;
use crate::i18n::Text;
use crate::rubric::Total;
use crate::stars::{BandTable, Outcome, Score};
use crate::status::NominationStatus;
use crate::text::{clean, Lines};

/// Shortest justification of a moderated score, in characters.
pub const MIN_JUSTIFICATION: usize = 20;

/// The admin's moderation of a final score.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Moderation {
    pub score: Score,
    pub justification: String,
    pub by: String,
    pub at: DateTime<Utc>,
}

/// One assessor's exact total in a result: what normalisation across the round needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssessorTotal {
    pub assessor: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub total: Total,
}

/// A nomination's result in its round.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NominationResult {
    pub round_id: String,
    pub nomination_id: String,
    pub commodity: String,
    pub ikm_name: String,
    /// Its aggregate; `normalised` is filled across the round when a leaderboard is read.
    pub aggregate: Aggregate,
    /// Every submitted sheet's total, by assessor.
    #[serde(default)]
    pub totals: Vec<AssessorTotal>,
    pub moderation: Option<Moderation>,
    pub version: u64,
}

/// Why a result cannot change.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ModerationError {
    #[error("invalid moderation")]
    Invalid(FieldErrors),
    #[error("stale result version; current is {current}")]
    Stale { current: u64 },
    #[error("the recommendation is locked")]
    Locked,
    #[error("the nomination is not fully scored yet")]
    NotScored,
}

impl NominationResult {
    /// The result of `nomination` from the `totals` of its submitted sheets (by assessor): a
    /// new one, or `before` brought up to date (its moderation kept). `None` without a total.
    pub fn tally(
        nomination: &crate::nomination::Nomination,
        totals: Vec<AssessorTotal>,
        before: Option<&NominationResult>,
    ) -> Option<NominationResult> {
        let exact: Vec<Total> = totals.iter().map(|t| t.total).collect();
        let aggregate = aggregate(&exact, &BandTable::current(), &Policy::default())?;
        Some(NominationResult {
            round_id: nomination.round_id.clone(),
            nomination_id: nomination.id.clone(),
            commodity: nomination.profile.product.commodity.clone(),
            ikm_name: nomination.profile.ikm.name.clone(),
            aggregate,
            totals,
            moderation: before.and_then(|b| b.moderation.clone()),
            version: before.map_or(1, |b| b.version + 1),
        })
    }

    /// The score that counts: the moderated one when there is one, else the mean.
    pub fn final_score(&self) -> Score {
        self.moderation
            .as_ref()
            .map_or(self.aggregate.mean, |m| m.score)
    }

    /// What the final score earns.
    pub fn outcome(&self, bands: &BandTable) -> Outcome {
        bands.outcome(self.final_score())
    }

    /// Moderates the final score to `score` (0–100, two decimals) with a justification of at
    /// least [`MIN_JUSTIFICATION`] characters, from the version read (`If-Match`), once the
    /// nomination (in `status`) is fully scored; refused once the round's recommendation is
    /// locked. The raw aggregate stays as it was.
    #[allow(clippy::too_many_arguments)]
    pub fn moderate(
        &self,
        expected_version: u64,
        score: Option<f64>,
        justification: &str,
        status: NominationStatus,
        locked: bool,
        by: &str,
        at: DateTime<Utc>,
    ) -> Result<NominationResult, ModerationError> {
        if locked || status != NominationStatus::Scored && status != NominationStatus::InAssessment
        {
            return Err(ModerationError::Locked);
        }
        if status != NominationStatus::Scored {
            return Err(ModerationError::NotScored);
        }
        if expected_version != self.version {
            return Err(ModerationError::Stale {
                current: self.version,
            });
        }
        let mut e = FieldErrors::new();
        let score = score
            .ok_or(())
            .and_then(|s| Score::try_from(s).map_err(|_| ()))
            .map_err(|_| {
                e.add(
                    "score",
                    Text::new(
                        "Nilai 0 sampai 100, paling banyak dua desimal.",
                        "A score from 0 to 100 with at most two decimals.",
                    ),
                )
            })
            .ok();
        let justification = match clean(justification.trim(), 2_000, Lines::Multi) {
            Ok(j) if j.chars().count() >= MIN_JUSTIFICATION => Some(j),
            Ok(_) => {
                e.add(
                    "justification",
                    Text::new(
                        format!("Tuliskan alasan, minimal {MIN_JUSTIFICATION} karakter."),
                        format!("Give the justification, at least {MIN_JUSTIFICATION} characters."),
                    ),
                );
                None
            }
            Err(t) => {
                e.add("justification", t.into());
                None
            }
        };
        match (score, justification) {
            (Some(score), Some(justification)) if e.is_empty() => Ok(NominationResult {
                moderation: Some(Moderation {
                    score,
                    justification,
                    by: by.to_owned(),
                    at,
                }),
                version: self.version + 1,
                ..self.clone()
            }),
            _ => Err(ModerationError::Invalid(e)),
        }
    }
}

impl crate::nomination::Nomination {
    /// Every assessor's final score is in: in assessment → scored (audit "score").
    pub fn scoring_complete(
        &self,
        actor: &crate::policy::Principal,
        now: DateTime<Utc>,
    ) -> Option<crate::nomination::Change> {
        self.moved(crate::status::Event::CompleteScoring, actor, "score", now)
    }

    /// The locked recommendation decides: scored → recommended, or not recommended (audit
    /// "recommend").
    pub fn recommendation_locked(
        &self,
        recommended: bool,
        actor: &crate::policy::Principal,
        now: DateTime<Utc>,
    ) -> Option<crate::nomination::Change> {
        let event = if recommended {
            crate::status::Event::Recommend
        } else {
            crate::status::Event::NotRecommend
        };
        self.moved(event, actor, "recommend", now)
    }

    fn moved(
        &self,
        event: crate::status::Event,
        actor: &crate::policy::Principal,
        action: &str,
        now: DateTime<Utc>,
    ) -> Option<crate::nomination::Change> {
        let status = self.status.apply(event).ok()?;
        let next = crate::nomination::Nomination {
            status,
            ..self.clone()
        };
        Some(self.changed(next, actor, action, now))
    }
}

/// Fills every result's normalised score from all the assessors' totals across the round
/// (each assessor's z-scores rescaled to the round's mean and spread, [`normalise`]), beside
/// the raw mean, which stays the final score.
pub fn normalise_round(results: &mut [NominationResult]) {
    let normalised: BTreeMap<String, Score> = {
        let sheets: Vec<Sheet<'_>> = results
            .iter()
            .flat_map(|r| {
                r.totals.iter().map(|t| Sheet {
                    nomination: &r.nomination_id,
                    assessor: &t.assessor,
                    total: t.total,
                })
            })
            .collect();
        normalise(&sheets)
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect()
    };
    for r in results {
        r.aggregate.normalised = normalised.get(&r.nomination_id).copied();
    }
}

/// One line of a leaderboard.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Ranked {
    pub rank: usize,
    pub result: NominationResult,
    pub final_score: Score,
    pub outcome: Outcome,
}

/// The results ranked by final score, highest first (equal scores share a rank, listed by
/// nomination id).
pub fn leaderboard(mut results: Vec<NominationResult>, bands: &BandTable) -> Vec<Ranked> {
    results.sort_by(|a, b| {
        b.final_score()
            .cmp(&a.final_score())
            .then_with(|| a.nomination_id.cmp(&b.nomination_id))
    });
    let mut ranked: Vec<Ranked> = Vec::with_capacity(results.len());
    for (i, result) in results.into_iter().enumerate() {
        let final_score = result.final_score();
        let rank = match ranked.last() {
            Some(prev) if prev.final_score == final_score => prev.rank,
            _ => i + 1,
        };
        ranked.push(Ranked {
            rank,
            outcome: bands.outcome(final_score),
            final_score,
            result,
        });
    }
    ranked
}

/// How many final scores fall in each `width`-point bucket from 0 (the last bucket holds
/// 100): the score distribution chart.
pub fn distribution(ranked: &[Ranked], width: u16) -> Vec<usize> {
    let width = width.clamp(1, 100);
    let buckets = usize::from(100_u16.div_ceil(width));
    let mut counts = vec![0; buckets];
    for r in ranked {
        let i = usize::from(r.final_score.hundredths() / (width * 100));
        counts[i.min(buckets - 1)] += 1;
    }
    counts
}

/// The recommendation of a round, locked for determination: the nominations whose final
/// score earns stars, with their scores and stars as they stood.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Recommendation {
    pub round_id: String,
    pub items: Vec<Recommended>,
    pub locked_by: String,
    pub locked_at: DateTime<Utc>,
}

/// The lock of a round's recommendation, as stored: who locked it, when, and how many
/// nominations it recommends (each is stored on its own, [`Recommended`], so that a national
/// round's list never meets an item size limit).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecommendationLock {
    pub round_id: String,
    pub recommended: u32,
    pub locked_by: String,
    pub locked_at: DateTime<Utc>,
}

impl Recommendation {
    /// The stored lock of this list.
    pub fn lock(&self) -> RecommendationLock {
        RecommendationLock {
            round_id: self.round_id.clone(),
            recommended: u32::try_from(self.items.len()).unwrap_or(u32::MAX),
            locked_by: self.locked_by.clone(),
            locked_at: self.locked_at,
        }
    }

    /// The list of a stored lock and its items.
    pub fn of(lock: RecommendationLock, items: Vec<Recommended>) -> Recommendation {
        Recommendation {
            round_id: lock.round_id,
            items,
            locked_by: lock.locked_by,
            locked_at: lock.locked_at,
        }
    }
}

/// One recommended nomination.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Recommended {
    pub round_id: String,
    pub nomination_id: String,
    pub ikm_name: String,
    pub commodity: String,
    pub final_score: Score,
    pub outcome: Outcome,
    /// The result's version it was taken from.
    pub result_version: u64,
}

/// Locks the recommendation of `round_id` from its leaderboard.
pub fn recommend(round_id: &str, ranked: &[Ranked], by: &str, at: DateTime<Utc>) -> Recommendation {
    Recommendation {
        round_id: round_id.to_owned(),
        items: ranked
            .iter()
            .filter(|r| r.outcome.stars().is_some())
            .map(|r| Recommended {
                round_id: round_id.to_owned(),
                result_version: r.result.version,
                nomination_id: r.result.nomination_id.clone(),
                ikm_name: r.result.ikm_name.clone(),
                commodity: r.result.commodity.clone(),
                final_score: r.final_score,
                outcome: r.outcome,
            })
            .collect(),
        locked_by: by.to_owned(),
        locked_at: at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(id: &str, points: &[f64]) -> NominationResult {
        let totals: Vec<Total> = points
            .iter()
            .map(|p| Total {
                units: (p * 100.0).round() as u64,
                unit: 100,
            })
            .collect();
        NominationResult {
            round_id: "ovop-2026".into(),
            nomination_id: id.into(),
            commodity: "kain_batik".into(),
            ikm_name: format!("IKM {id}"),
            aggregate: aggregate(&totals, &BandTable::current(), &Policy::default()).unwrap(),
            totals: totals
                .iter()
                .enumerate()
                .map(|(i, t)| AssessorTotal {
                    assessor: format!("penilai-{i}"),
                    total: *t,
                })
                .collect(),
            moderation: None,
            version: 1,
        }
    }

    fn at() -> DateTime<Utc> {
        crate::document::sample::tests::now()
    }

    #[test]
    fn a_moderated_score_needs_a_justification_keeps_the_raw_result_and_counts_for_the_star() {
        let r = result("A", &[79.0, 80.0]); // 79.50: 1★
        let why = "Sampel kedua menunjukkan mutu jauh di atas penilaian awal.";
        let scored = NominationStatus::Scored;
        let m = r
            .moderate(1, Some(82.5), why, scored, false, "admin", at())
            .unwrap();
        assert_eq!(m.final_score().to_string(), "82.50");
        assert_eq!(m.outcome(&BandTable::current()).stars().unwrap().stars, 2);
        assert_eq!(m.aggregate, r.aggregate, "the raw aggregate is kept");
        assert_eq!(
            (m.version, m.moderation.as_ref().unwrap().by.as_str()),
            (2, "admin")
        );
        let Err(ModerationError::Invalid(e)) =
            r.moderate(1, Some(100.5), "singkat", scored, false, "admin", at())
        else {
            panic!("refused")
        };
        assert!(
            e.get("score").is_some() && e.get("justification").is_some(),
            "{e:?}"
        );
    }

    #[test]
    fn two_admins_moderating_from_the_same_version_one_wins_and_nothing_moves_once_locked() {
        let r = result("A", &[79.0, 80.0]);
        let why = "Kesepakatan rapat pleno tim seleksi tanggal 3 Oktober.";
        // Both read version 1; the first to write stores version 2.
        let scored = NominationStatus::Scored;
        let first = r
            .moderate(1, Some(81.0), why, scored, false, "admin-1", at())
            .unwrap();
        assert_eq!(
            first.moderate(1, Some(75.0), why, scored, false, "admin-2", at()),
            Err(ModerationError::Stale { current: 2 }),
            "the second gets 412"
        );
        assert_eq!(
            first.moderate(2, Some(75.0), why, scored, true, "admin-2", at()),
            Err(ModerationError::Locked)
        );
        let recommended = NominationStatus::Recommended;
        assert_eq!(
            first.moderate(2, Some(75.0), why, recommended, false, "admin-2", at()),
            Err(ModerationError::Locked)
        );
        let in_assessment = NominationStatus::InAssessment;
        assert_eq!(
            first.moderate(2, Some(75.0), why, in_assessment, false, "admin-2", at()),
            Err(ModerationError::NotScored),
            "not before every assessor's score is in"
        );
        let Err(ModerationError::Invalid(e)) =
            first.moderate(2, None, why, scored, false, "admin-2", at())
        else {
            panic!("a score is needed")
        };
        assert!(e.get("score").is_some(), "{e:?}");
    }

    #[test]
    fn the_leaderboard_ranks_by_final_score_with_shared_ranks_and_a_distribution() {
        let ranked = leaderboard(
            vec![
                result("C", &[70.0]),
                result("A", &[92.0]),
                result("B", &[85.0]),
                result("D", &[85.0]),
            ],
            &BandTable::current(),
        );
        let order: Vec<(usize, &str)> = ranked
            .iter()
            .map(|r| (r.rank, r.result.nomination_id.as_str()))
            .collect();
        assert_eq!(order, vec![(1, "A"), (2, "B"), (2, "D"), (4, "C")]);
        assert_eq!(ranked[3].outcome, Outcome::NoAward);
        let counts = distribution(&ranked, 10);
        assert_eq!(counts.len(), 10);
        assert_eq!((counts[7], counts[8], counts[9]), (1, 2, 1));
        let rec = recommend("ovop-2026", &ranked, "admin", at());
        let ids: Vec<&str> = rec.items.iter().map(|i| i.nomination_id.as_str()).collect();
        assert_eq!(ids, vec!["A", "B", "D"], "no award, no recommendation");
    }

    #[test]
    fn normalisation_across_the_round_is_kept_beside_the_raw_mean_which_stays_the_final_score() {
        // penilai-0 scores everyone 10 points lower than penilai-1.
        let mut results = vec![
            result("A", &[70.0, 80.0]),
            result("B", &[80.0, 90.0]),
            result("C", &[90.0, 100.0]),
        ];
        normalise_round(&mut results);
        let means: Vec<String> = results
            .iter()
            .map(|r| r.final_score().to_string())
            .collect();
        assert_eq!(
            means,
            ["75.00", "85.00", "95.00"],
            "the raw mean still counts"
        );
        // The two assessors differ only by their bias, so once each is put on z-scores their
        // scores of a nomination agree: ±1.22 of their own SD, rescaled to the round's mean 85
        // and SD 9.57.
        let n: Vec<String> = results
            .iter()
            .map(|r| r.aggregate.normalised.unwrap().to_string())
            .collect();
        assert_eq!(n, ["73.27", "85.00", "96.73"]);
    }
}
