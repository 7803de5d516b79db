//! Scores and stars: a final score from 0.00 to 100.00 becomes a star level through one band
//! table per star scale (domain brief §6.1–6.2).
//!
//! **Rounding, once and documented**: a score is kept with two decimals. An exact value (a
//! ratio of integers, see [`Score::from_ratio`]) is rounded half up to the hundredth — 80.995
//! becomes 81.00 — and only then compared with the bands, whose bounds are inclusive
//! hundredths. The current table: no award 0.00–70.99, 1★ 71.00–80.99, 2★ 81.00–90.99,
//! 3★ 91.00–100.00.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::i18n::Text;

/// A score from 0.00 to 100.00, held in hundredths so that band edges are exact.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(try_from = "f64", into = "f64")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = f64, example = 81.25))]
pub struct Score(u16);

impl Score {
    /// 0.00.
    pub const ZERO: Score = Score(0);
    /// 100.00.
    pub const MAX: Score = Score(10_000);

    /// The score of `hundredths` (0 to 10,000).
    pub fn from_hundredths(hundredths: u32) -> Option<Score> {
        u16::try_from(hundredths)
            .ok()
            .filter(|h| *h <= Self::MAX.0)
            .map(Score)
    }

    /// `numerator / denominator`, rounded half up to the hundredth: the one rounding rule.
    /// `None` when the denominator is 0 or the value rounds above 100.00.
    pub fn from_ratio(numerator: u64, denominator: u64) -> Option<Score> {
        if denominator == 0 {
            return None;
        }
        let hundredths =
            (u128::from(numerator) * 200 + u128::from(denominator)) / (2 * u128::from(denominator));
        u32::try_from(hundredths)
            .ok()
            .and_then(Score::from_hundredths)
    }

    /// A measured value (a normalised score, a moderated one typed in) rounded half up to the
    /// hundredth; `None` when not finite or outside 0–100.
    pub fn from_f64(value: f64) -> Option<Score> {
        if !value.is_finite() || !(0.0..=100.0).contains(&value) {
            return None;
        }
        Score::from_hundredths((value * 100.0 + 0.5).floor() as u32)
    }

    /// The score in hundredths.
    pub fn hundredths(self) -> u16 {
        self.0
    }

    /// The score as a number (81.25).
    pub fn as_f64(self) -> f64 {
        f64::from(self.0) / 100.0
    }
}

impl fmt::Display for Score {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

impl TryFrom<f64> for Score {
    type Error = String;
    fn try_from(value: f64) -> Result<Self, Self::Error> {
        // Stored and sent scores have two decimals already; a value with more is refused
        // rather than rounded a second time.
        let score = Score::from_f64(value).ok_or("a score from 0 to 100")?;
        if (score.as_f64() - value).abs() > 1e-9 {
            return Err("a score with at most two decimals".into());
        }
        Ok(score)
    }
}

impl From<Score> for f64 {
    fn from(s: Score) -> f64 {
        s.as_f64()
    }
}

/// A star scale: the award's levels changed in 2021.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum StarScale {
    /// 1 to 5 stars, rounds 2013–2018.
    #[serde(rename = "ovop_2013")]
    Ovop2013,
    /// 1 to 3 stars, rounds from 2021.
    #[serde(rename = "ovop_2021")]
    Ovop2021,
}

impl StarScale {
    /// The most stars on the scale.
    pub fn max_stars(self) -> u8 {
        match self {
            StarScale::Ovop2013 => 5,
            StarScale::Ovop2021 => 3,
        }
    }
}

/// A star level on a scale: `(scale, stars)`, never a bare number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Stars {
    pub scale: StarScale,
    pub stars: u8,
}

impl Stars {
    /// `stars` on `scale`, when the scale has that level.
    pub fn new(scale: StarScale, stars: u8) -> Option<Stars> {
        (1..=scale.max_stars())
            .contains(&stars)
            .then_some(Stars { scale, stars })
    }

    /// `★★☆` style, with the scale's width.
    pub fn symbols(self) -> String {
        let max = usize::from(self.scale.max_stars());
        let n = usize::from(self.stars);
        format!("{}{}", "★".repeat(n), "☆".repeat(max - n))
    }
}

/// What a final score earns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Outcome {
    /// Below the lowest band.
    NoAward,
    /// A star level.
    Awarded { stars: Stars },
}

impl Outcome {
    /// The stars, if any.
    pub fn stars(self) -> Option<Stars> {
        match self {
            Outcome::NoAward => None,
            Outcome::Awarded { stars } => Some(stars),
        }
    }

    /// What people read.
    pub fn label(self) -> Text {
        match self {
            Outcome::NoAward => Text::new("Tidak mendapat bintang", "No award"),
            Outcome::Awarded { stars } => Text::new(
                format!("Bintang {}", stars.stars),
                format!(
                    "{} star{}",
                    stars.stars,
                    if stars.stars == 1 { "" } else { "s" }
                ),
            ),
        }
    }
}

/// One band: scores from `min` to `max`, both inclusive, earn `stars` (none: no award).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Band {
    pub min: Score,
    pub max: Score,
    pub stars: Option<u8>,
}

/// Why a band table cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BandError {
    #[error("the bands must start at 0.00")]
    NotFromZero,
    #[error("the bands must end at 100.00")]
    NotToHundred,
    #[error("band {index} starts at {min}, not right after the band before it")]
    GapOrOverlap { index: usize, min: Score },
    #[error("band {index} ends before it starts")]
    Empty { index: usize },
    #[error("band {index}: the scale has no level {stars}")]
    NoSuchLevel { index: usize, stars: u8 },
    #[error("band {index}: a higher band must earn more stars")]
    NotAscending { index: usize },
}

/// The bands of one star scale, lowest first, covering 0.00–100.00 exactly once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BandTable {
    pub scale: StarScale,
    pub bands: Vec<Band>,
}

impl BandTable {
    /// The current regime (2021 onward): 1★ 71–80, 2★ 81–90, 3★ 91–100, below 71 no award.
    pub fn current() -> BandTable {
        let band = |min: u32, max: u32, stars: Option<u8>| Band {
            min: Score::from_hundredths(min).expect("within 0–100"),
            max: Score::from_hundredths(max).expect("within 0–100"),
            stars,
        };
        BandTable {
            scale: StarScale::Ovop2021,
            bands: vec![
                band(0, 7_099, None),
                band(7_100, 8_099, Some(1)),
                band(8_100, 9_099, Some(2)),
                band(9_100, 10_000, Some(3)),
            ],
        }
    }

    /// Checks that the bands cover 0.00–100.00 with no gap and no overlap, and that stars
    /// rise with the score within the scale.
    pub fn validate(&self) -> Result<(), BandError> {
        let first = self.bands.first().ok_or(BandError::NotFromZero)?;
        if first.min != Score::ZERO {
            return Err(BandError::NotFromZero);
        }
        let mut previous: Option<&Band> = None;
        for (index, band) in self.bands.iter().enumerate() {
            if band.max < band.min {
                return Err(BandError::Empty { index });
            }
            if let Some(stars) = band.stars {
                if Stars::new(self.scale, stars).is_none() {
                    return Err(BandError::NoSuchLevel { index, stars });
                }
            }
            if let Some(p) = previous {
                if u32::from(band.min.0) != u32::from(p.max.0) + 1 {
                    return Err(BandError::GapOrOverlap {
                        index,
                        min: band.min,
                    });
                }
                if band.stars.unwrap_or(0) <= p.stars.unwrap_or(0) {
                    return Err(BandError::NotAscending { index });
                }
            }
            previous = Some(band);
        }
        if previous.map(|b| b.max) != Some(Score::MAX) {
            return Err(BandError::NotToHundred);
        }
        Ok(())
    }

    /// What `score` earns. A table that fails [`BandTable::validate`] answers no award for a
    /// score no band holds.
    pub fn outcome(&self, score: Score) -> Outcome {
        self.bands
            .iter()
            .find(|b| b.min <= score && score <= b.max)
            .and_then(|b| b.stars)
            .and_then(|s| Stars::new(self.scale, s))
            .map_or(Outcome::NoAward, |stars| Outcome::Awarded { stars })
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn score(value: f64) -> Score {
        Score::from_f64(value).unwrap()
    }

    fn stars(table: &BandTable, value: f64) -> Option<u8> {
        table.outcome(score(value)).stars().map(|s| s.stars)
    }

    #[test]
    fn the_current_bands_are_71_81_and_91_with_inclusive_edges() {
        let t = BandTable::current();
        t.validate().unwrap();
        assert_eq!(stars(&t, 0.0), None);
        assert_eq!(stars(&t, 70.99), None);
        assert_eq!(stars(&t, 71.0), Some(1));
        assert_eq!(stars(&t, 80.99), Some(1));
        assert_eq!(stars(&t, 81.0), Some(2));
        assert_eq!(stars(&t, 90.99), Some(2));
        assert_eq!(stars(&t, 91.0), Some(3));
        assert_eq!(stars(&t, 100.0), Some(3));
    }

    #[test]
    fn every_score_from_0_to_100_falls_in_exactly_one_band_and_stars_never_fall_as_scores_rise() {
        let t = BandTable::current();
        let mut last = 0;
        for h in 0..=10_000u32 {
            let s = Score::from_hundredths(h).unwrap();
            let holding = t.bands.iter().filter(|b| b.min <= s && s <= b.max).count();
            assert_eq!(holding, 1, "{s} is in {holding} bands");
            let n = t.outcome(s).stars().map_or(0, |s| s.stars);
            assert!(n >= last, "{s}: {n} stars after {last}");
            last = n;
        }
        assert_eq!(last, 3);
    }

    proptest! {
        #[test]
        fn any_exact_score_rounds_to_one_outcome(numerator in 0u64..=1_000_000, extra in 1u64..=97) {
            // Any ratio up to 100 (the denominator a rubric and a panel give: up to 60 × 5
            // assessors and more).
            let denominator = 10_000 + extra;
            let numerator = numerator.min(100 * denominator);
            let s = Score::from_ratio(numerator, denominator).unwrap();
            let t = BandTable::current();
            let holding = t.bands.iter().filter(|b| b.min <= s && s <= b.max).count();
            prop_assert_eq!(holding, 1);
            let exact = numerator as f64 / denominator as f64;
            prop_assert!((s.as_f64() - exact).abs() <= 0.005 + 1e-9);
        }

        #[test]
        fn any_number_from_0_to_100_has_a_score_and_one_outcome(value in 0.0f64..=100.0) {
            let s = Score::from_f64(value).unwrap();
            prop_assert!((s.as_f64() - value).abs() <= 0.005 + 1e-9);
            let t = BandTable::current();
            prop_assert_eq!(t.bands.iter().filter(|b| b.min <= s && s <= b.max).count(), 1);
        }
    }

    #[test]
    fn rounding_is_half_up_to_the_hundredth_before_the_bands() {
        // 70.995 (= 14199/200) rounds to 71.00: one star; 70.994… stays below.
        assert_eq!(Score::from_ratio(14_199, 200), Some(score(71.0)));
        assert_eq!(Score::from_ratio(70_994, 1_000), Some(score(70.99)));
        assert_eq!(
            Score::from_ratio(80_995, 1_000).unwrap().to_string(),
            "81.00"
        );
        assert_eq!(Score::from_ratio(2, 3).unwrap().to_string(), "0.67");
        assert_eq!(Score::from_ratio(1, 0), None);
        assert_eq!(Score::from_ratio(100_005, 1_000), None, "rounds to 100.01");
        assert_eq!(Score::from_f64(f64::NAN), None);
        assert_eq!(Score::from_f64(-0.01), None);
    }

    #[test]
    fn scores_travel_as_numbers_with_two_decimals() {
        let s: Score = serde_json::from_str("81.25").unwrap();
        assert_eq!(s.hundredths(), 8_125);
        assert_eq!(serde_json::to_string(&s).unwrap(), "81.25");
        assert!(serde_json::from_str::<Score>("81.255").is_err());
        assert!(serde_json::from_str::<Score>("100.01").is_err());
    }

    #[test]
    fn a_table_with_a_gap_an_overlap_or_falling_stars_is_refused() {
        let mut gap = BandTable::current();
        gap.bands[1].min = score(71.01);
        assert!(matches!(
            gap.validate(),
            Err(BandError::GapOrOverlap { index: 1, .. })
        ));
        let mut overlap = BandTable::current();
        overlap.bands[2].min = score(80.0);
        assert!(matches!(
            overlap.validate(),
            Err(BandError::GapOrOverlap { index: 2, .. })
        ));
        let mut short = BandTable::current();
        short.bands[3].max = score(99.99);
        assert_eq!(short.validate(), Err(BandError::NotToHundred));
        let mut falling = BandTable::current();
        falling.bands[3].stars = Some(1);
        assert_eq!(
            falling.validate(),
            Err(BandError::NotAscending { index: 3 })
        );
        let mut beyond = BandTable::current();
        beyond.bands[3].stars = Some(4);
        assert_eq!(
            beyond.validate(),
            Err(BandError::NoSuchLevel { index: 3, stars: 4 })
        );
    }

    #[test]
    fn stars_belong_to_a_scale() {
        assert!(Stars::new(StarScale::Ovop2021, 4).is_none());
        assert_eq!(
            Stars::new(StarScale::Ovop2013, 4).unwrap().symbols(),
            "★★★★☆"
        );
        assert_eq!(Stars::new(StarScale::Ovop2021, 2).unwrap().symbols(), "★★☆");
        let json = serde_json::to_value(Outcome::Awarded {
            stars: Stars::new(StarScale::Ovop2021, 2).unwrap(),
        })
        .unwrap();
        assert_eq!(
            json,
            serde_json::json!({"outcome": "awarded", "stars": {"scale": "ovop_2021", "stars": 2}})
        );
    }
}
