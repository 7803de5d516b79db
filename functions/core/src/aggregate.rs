//! Aggregation of assessors' final scores (domain brief §6.3): per nomination the mean (the
//! final score, rounded once), the median, the spread (standard deviation, lowest and highest)
//! with a flag when assessors disagree, and optionally a per-assessor z-score normalisation
//! rescaled to 0–100, kept beside the raw result and never replacing it. The star outcome comes
//! from the mean through one [`BandTable`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::rubric::Total;
use crate::stars::{BandTable, Outcome, Score};

/// How a round aggregates.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Policy {
    /// Assessors disagree when their highest and lowest scores are further apart than this
    /// many points.
    pub disagreement_points: f64,
    /// Whether to compute the normalised score beside the raw one.
    pub normalise: bool,
}

impl Default for Policy {
    /// 15 points apart (a band and a half) flags a disagreement; normalisation on.
    fn default() -> Self {
        Policy {
            disagreement_points: 15.0,
            normalise: true,
        }
    }
}

/// One assessor's submitted total for one nomination.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sheet<'a> {
    pub nomination: &'a str,
    pub assessor: &'a str,
    pub total: Total,
}

/// A nomination's aggregate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Aggregate {
    /// Final scores counted.
    pub assessors: usize,
    /// The mean of the final scores: the nomination's final score.
    pub mean: Score,
    pub median: Score,
    /// Population standard deviation of the final scores, in points.
    pub sd: f64,
    pub min: Score,
    pub max: Score,
    /// `max − min` exceeds the policy's threshold.
    pub disagreement: bool,
    /// The mean of the assessors' z-score-normalised scores, rescaled to the round's mean and
    /// spread (0–100); none when the policy leaves it off.
    pub normalised: Option<Score>,
    /// Stars (or none) earned by [`Aggregate::mean`].
    pub outcome: Outcome,
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// The aggregate of one nomination's final totals; `None` without any.
pub fn aggregate(totals: &[Total], bands: &BandTable, policy: &Policy) -> Option<Aggregate> {
    if totals.is_empty() {
        return None;
    }
    // One exact unit for every total (they share a rubric, so usually the same one).
    let unit = totals
        .iter()
        .map(|t| t.unit.max(1))
        .fold(1, |l, u| l / gcd(l, u) * u);
    let mut values: Vec<u64> = totals
        .iter()
        .map(|t| t.units * (unit / t.unit.max(1)))
        .collect();
    values.sort_unstable();
    let n = values.len() as u64;
    let sum: u64 = values.iter().sum();
    let mean = Score::from_ratio(sum, unit * n)?;
    let mid = values.len() / 2;
    let median = if values.len() % 2 == 1 {
        Score::from_ratio(values[mid], unit)?
    } else {
        Score::from_ratio(values[mid - 1] + values[mid], 2 * unit)?
    };
    let min = Score::from_ratio(values[0], unit)?;
    let max = Score::from_ratio(values[values.len() - 1], unit)?;
    let points: Vec<f64> = values.iter().map(|v| *v as f64 / unit as f64).collect();
    let average = points.iter().sum::<f64>() / points.len() as f64;
    let variance = points.iter().map(|p| (p - average).powi(2)).sum::<f64>() / points.len() as f64;
    let spread = points[points.len() - 1] - points[0];
    Some(Aggregate {
        assessors: values.len(),
        mean,
        median,
        sd: variance.sqrt(),
        min,
        max,
        disagreement: spread > policy.disagreement_points,
        normalised: None,
        outcome: bands.outcome(mean),
    })
}

/// Mean and population standard deviation.
fn mean_sd(values: impl Iterator<Item = f64> + Clone) -> (f64, f64) {
    let (n, sum) = values
        .clone()
        .fold((0usize, 0.0), |(n, s), v| (n + 1, s + v));
    if n == 0 {
        return (0.0, 0.0);
    }
    let mean = sum / n as f64;
    let var = values.map(|v| (v - mean).powi(2)).sum::<f64>() / n as f64;
    (mean, var.sqrt())
}

/// Per nomination, the mean of its sheets after each assessor's scores are turned into
/// z-scores (against that assessor's own mean and spread over the round) and rescaled to the
/// round's mean and spread, clamped to 0–100. An assessor with fewer than two sheets, or who
/// gave every nomination the same score, is taken as is (z = 0 would erase them).
pub fn normalise<'a>(sheets: &[Sheet<'a>]) -> BTreeMap<&'a str, Score> {
    let points = |s: &Sheet| s.total.units as f64 / s.total.unit.max(1) as f64;
    let (round_mean, round_sd) = mean_sd(sheets.iter().map(points));
    let mut by_assessor: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for s in sheets {
        by_assessor.entry(s.assessor).or_default().push(points(s));
    }
    let stats: BTreeMap<&str, (f64, f64, usize)> = by_assessor
        .iter()
        .map(|(a, v)| {
            let (m, sd) = mean_sd(v.iter().copied());
            (*a, (m, sd, v.len()))
        })
        .collect();
    let mut per_nomination: BTreeMap<&'a str, (f64, usize)> = BTreeMap::new();
    for s in sheets {
        let raw = points(s);
        let (m, sd, count) = stats[s.assessor];
        let rescaled = if count < 2 || sd < 1e-9 || round_sd < 1e-9 {
            raw
        } else {
            round_mean + (raw - m) / sd * round_sd
        };
        let entry = per_nomination.entry(s.nomination).or_insert((0.0, 0));
        entry.0 += rescaled.clamp(0.0, 100.0);
        entry.1 += 1;
    }
    per_nomination
        .into_iter()
        .filter_map(|(k, (sum, n))| Score::from_f64(sum / n as f64).map(|s| (k, s)))
        .collect()
}

/// Every nomination's aggregate in a round's sheets, with the normalised score when the
/// policy asks for it.
pub fn aggregate_round<'a>(
    sheets: &[Sheet<'a>],
    bands: &BandTable,
    policy: &Policy,
) -> BTreeMap<&'a str, Aggregate> {
    let mut totals: BTreeMap<&'a str, Vec<Total>> = BTreeMap::new();
    for s in sheets {
        totals.entry(s.nomination).or_default().push(s.total);
    }
    let normalised = if policy.normalise {
        normalise(sheets)
    } else {
        BTreeMap::new()
    };
    totals
        .into_iter()
        .filter_map(|(k, t)| {
            aggregate(&t, bands, policy).map(|mut a| {
                a.normalised = normalised.get(k).copied();
                (k, a)
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(points: f64) -> Total {
        // Whole hundredths, as a rubric with unit 100 would give.
        Total {
            units: (points * 100.0).round() as u64,
            unit: 100,
        }
    }

    fn agg(points: &[f64]) -> Aggregate {
        let totals: Vec<Total> = points.iter().map(|p| t(*p)).collect();
        aggregate(&totals, &BandTable::current(), &Policy::default()).unwrap()
    }

    #[test]
    fn the_final_score_is_the_mean_rounded_once_and_earns_its_band() {
        let a = agg(&[80.0, 81.0, 82.0]);
        assert_eq!(a.mean.to_string(), "81.00");
        assert_eq!(a.outcome.stars().unwrap().stars, 2);
        // 70 + 71 + 72 + 71.98 = 284.98 / 4 = 71.245 → 71.25: one star.
        let b = agg(&[70.0, 71.0, 72.0, 71.98]);
        assert_eq!(b.mean.to_string(), "71.25");
        assert_eq!(b.outcome.stars().unwrap().stars, 1);
        // 70.99 and 71.00: 70.995 rounds half up to 71.00.
        let edge = agg(&[70.99, 71.0]);
        assert_eq!(edge.mean.to_string(), "71.00");
        assert_eq!(edge.outcome.stars().unwrap().stars, 1);
        assert_eq!(agg(&[70.0, 70.98]).outcome, Outcome::NoAward);
    }

    #[test]
    fn median_spread_and_disagreement() {
        let a = agg(&[60.0, 90.0, 80.0, 70.0]);
        assert_eq!(a.median.to_string(), "75.00");
        assert_eq!(
            (a.min.to_string(), a.max.to_string()),
            ("60.00".into(), "90.00".into())
        );
        assert!((a.sd - 11.180_339_887).abs() < 1e-6, "{}", a.sd);
        assert!(a.disagreement, "30 points apart");
        let calm = agg(&[80.0, 85.0, 94.0]);
        assert!(!calm.disagreement, "14 points apart");
        assert_eq!(calm.median.to_string(), "85.00");
    }

    #[test]
    fn nothing_to_aggregate_without_scores() {
        assert!(aggregate(&[], &BandTable::current(), &Policy::default()).is_none());
    }

    #[test]
    fn a_harsh_assessor_is_brought_to_the_rounds_scale_beside_the_raw_score() {
        // Assessor "keras" scores 20 points below "lunak" on the same three nominations.
        let sheets: Vec<Sheet> = [("a", 90.0, 70.0), ("b", 80.0, 60.0), ("c", 70.0, 50.0)]
            .iter()
            .flat_map(|(n, lunak, keras)| {
                [
                    Sheet {
                        nomination: n,
                        assessor: "lunak",
                        total: t(*lunak),
                    },
                    Sheet {
                        nomination: n,
                        assessor: "keras",
                        total: t(*keras),
                    },
                ]
            })
            .collect();
        let round = aggregate_round(&sheets, &BandTable::current(), &Policy::default());
        let a = &round["a"];
        assert_eq!(a.mean.to_string(), "80.00", "raw mean kept");
        assert_eq!(
            a.outcome.stars().unwrap().stars,
            1,
            "stars from the raw mean"
        );
        // Both assessors put a 1.22 of their own SDs above their own mean: normalised, both
        // give it the round's mean plus 1.22 of the round's SD (70 + 1.2247 × 12.91 = 85.81).
        assert_eq!(a.normalised.unwrap().to_string(), "85.81");
        assert_eq!(round["b"].normalised.unwrap().to_string(), "70.00");
        let off = Policy {
            normalise: false,
            ..Policy::default()
        };
        assert_eq!(
            aggregate_round(&sheets, &BandTable::current(), &off)["a"].normalised,
            None
        );
    }

    #[test]
    fn an_assessor_with_one_sheet_or_one_score_is_taken_as_is() {
        let sheets = [
            Sheet {
                nomination: "a",
                assessor: "x",
                total: t(75.0),
            },
            Sheet {
                nomination: "b",
                assessor: "y",
                total: t(85.0),
            },
            Sheet {
                nomination: "b",
                assessor: "z",
                total: t(85.0),
            },
            Sheet {
                nomination: "c",
                assessor: "z",
                total: t(85.0),
            },
        ];
        let n = normalise(&sheets);
        assert_eq!(n["a"].to_string(), "75.00");
        assert_eq!(n["b"].to_string(), "85.00");
    }
}
