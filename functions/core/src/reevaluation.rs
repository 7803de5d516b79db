//! Re-evaluation of an existing award in a later round (domain brief §7: winners are re-scored
//! in the next round; the 2022 round re-evaluated the 112 winners of 2018). The award is scored
//! against today's rubric; its new stars, through today's band table, are compared with its
//! previous stars carried over to today's scale: **kept**, **raised**, **lowered**, or
//! **lapsed** when the score earns no stars.
//!
//! Carrying stars between scales ([`on_todays_scale`]) follows who coached an award under the
//! 1–5 scale of 2013–2018 (brief §6.2: 4–5★ the central government, 3★ the province, 1–2★ the
//! regency), mapped onto today's three levels (brief §6.1). The old scale's numeric band edges
//! were never published, so no score-based mapping is possible; the table is an assumption to
//! confirm with Ditjen IKMA:
//!
//! | 2013–2018 (`ovop_2013`) | today (`ovop_2021`) |
//! |---|---|
//! | 5★, 4★ | 3★ |
//! | 3★ | 2★ |
//! | 2★, 1★ | 1★ |

use serde::{Deserialize, Serialize};

use crate::i18n::Text;
use crate::stars::{BandTable, Score, StarScale, Stars};

/// How a re-evaluation ended, against the previous award carried over to today's scale.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Kept,
    Raised,
    Lowered,
    /// The score earns no stars: the award lapses.
    Lapsed,
}

/// A re-evaluation's result: the verdict and the new stars (none when lapsed).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reevaluation {
    pub verdict: Verdict,
    pub previous: Stars,
    /// The year of the previous award.
    pub previous_year: i32,
    pub stars: Option<Stars>,
}

/// `stars` on today's scale (the table in the module documentation); today's stars unchanged.
pub fn on_todays_scale(stars: Stars) -> Stars {
    let level = match (stars.scale, stars.stars) {
        (StarScale::Ovop2021, n) => n,
        (StarScale::Ovop2013, 4..=5) => 3,
        (StarScale::Ovop2013, 3) => 2,
        (StarScale::Ovop2013, _) => 1,
    };
    Stars::new(StarScale::Ovop2021, level).unwrap_or(stars)
}

/// The re-evaluation of an award of `previous` stars (of `previous_year`) scored `score`
/// against today's rubric, with today's `bands`.
pub fn reevaluate(
    previous: Stars,
    previous_year: i32,
    score: Score,
    bands: &BandTable,
) -> Reevaluation {
    let stars = bands.outcome(score).stars();
    let verdict = match stars {
        None => Verdict::Lapsed,
        Some(now) => {
            let before = on_todays_scale(previous).stars;
            match now.stars.cmp(&before) {
                std::cmp::Ordering::Greater => Verdict::Raised,
                std::cmp::Ordering::Equal => Verdict::Kept,
                std::cmp::Ordering::Less => Verdict::Lowered,
            }
        }
    };
    Reevaluation {
        verdict,
        previous,
        previous_year,
        stars,
    }
}

impl Reevaluation {
    /// The line an award's public page shows as its history: `naik dari 2★ (2018)` /
    /// `raised from 2★ (2018)`, the previous stars on their own scale.
    pub fn history(&self) -> Text {
        let before = format!(
            "{}★{} ({})",
            self.previous.stars,
            match self.previous.scale {
                StarScale::Ovop2013 => " dari 5",
                StarScale::Ovop2021 => "",
            },
            self.previous_year
        );
        let before_en = before.replace(" dari ", " of ");
        match self.verdict {
            Verdict::Kept => Text::new(
                format!("tetap, sebelumnya {before}"),
                format!("kept, previously {before_en}"),
            ),
            Verdict::Raised => Text::new(
                format!("naik dari {before}"),
                format!("raised from {before_en}"),
            ),
            Verdict::Lowered => Text::new(
                format!("turun dari {before}"),
                format!("lowered from {before_en}"),
            ),
            Verdict::Lapsed => Text::new(
                format!("tidak diperpanjang, sebelumnya {before}"),
                format!("lapsed, previously {before_en}"),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn old(n: u8) -> Stars {
        Stars::new(StarScale::Ovop2013, n).unwrap()
    }

    fn new(n: u8) -> Stars {
        Stars::new(StarScale::Ovop2021, n).unwrap()
    }

    fn score(points: f64) -> Score {
        Score::from_f64(points).unwrap()
    }

    /// The verdict for a score, from an award of `previous`.
    fn verdict(previous: Stars, points: f64) -> Verdict {
        reevaluate(previous, 2018, score(points), &BandTable::current()).verdict
    }

    #[test]
    fn the_old_five_star_scale_carries_over_by_who_coached_the_award() {
        let carried: Vec<u8> = (1..=5).map(|n| on_todays_scale(old(n)).stars).collect();
        assert_eq!(carried, [1, 1, 2, 3, 3]);
        for n in 1..=3 {
            assert_eq!(on_todays_scale(new(n)), new(n));
        }
    }

    #[test]
    fn an_old_scale_award_is_kept_raised_lowered_or_lapsed_at_each_band_edge() {
        use Verdict::*;
        // 2★ of 5 (2018) carries over as 1★ today.
        let cases = [
            (70.99, Lapsed),
            (71.0, Kept),
            (80.99, Kept),
            (81.0, Raised),
            (91.0, Raised),
            (100.0, Raised),
        ];
        for (points, want) in cases {
            assert_eq!(verdict(old(2), points), want, "2★ of 5 at {points}");
        }
        // 4★ of 5 carries over as 3★.
        let cases = [
            (70.99, Lapsed),
            (71.0, Lowered),
            (90.99, Lowered),
            (91.0, Kept),
            (100.0, Kept),
        ];
        for (points, want) in cases {
            assert_eq!(verdict(old(4), points), want, "4★ of 5 at {points}");
        }
        // 3★ of 5 carries over as 2★.
        assert_eq!(verdict(old(3), 80.99), Lowered);
        assert_eq!(verdict(old(3), 81.0), Kept);
        assert_eq!(verdict(old(3), 91.0), Raised);
    }

    #[test]
    fn a_todays_scale_award_is_kept_raised_lowered_or_lapsed_at_each_band_edge() {
        use Verdict::*;
        let cases = [
            (70.99, Lapsed),
            (71.0, Lowered),
            (80.99, Lowered),
            (81.0, Kept),
            (90.99, Kept),
            (91.0, Raised),
        ];
        for (points, want) in cases {
            assert_eq!(verdict(new(2), points), want, "2★ at {points}");
        }
    }

    #[test]
    fn the_award_page_shows_where_it_came_from() {
        let r = reevaluate(old(2), 2018, score(85.0), &BandTable::current());
        assert_eq!(r.stars, Some(new(2)));
        assert_eq!(r.history().id, "naik dari 2★ dari 5 (2018)");
        assert_eq!(r.history().en, "raised from 2★ of 5 (2018)");
        let lapsed = reevaluate(new(3), 2022, score(60.0), &BandTable::current());
        assert_eq!(lapsed.stars, None);
        assert_eq!(lapsed.history().en, "lapsed, previously 3★ (2022)");
    }
}
