//! Aggregation and star assignment of a national round in memory: 5,000 nominations × 5
//! assessors × 20 criteria (25,000 sheets from 250 assessors). Timed: every sheet's exact total
//! from its levels ([`Rubric::total`]), then [`aggregate_round`] — mean, median, spread,
//! disagreement flag, per-assessor z-score normalisation, stars through the band table.
//! Building the sheets (as the store would hand them over) is not timed.
//!
//! `cargo bench -p ovop-tests --bench aggregation` (env: `BENCH_RUNS`, default 30).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use ovop_core::aggregate::{aggregate_round, Policy, Sheet};
use ovop_core::i18n::Text;
use ovop_core::rubric::{Aspect, Criterion, Rubric};
use ovop_core::stars::BandTable;

const NOMINATIONS: usize = 5_000;
const PER_NOMINATION: usize = 5;
const ASSESSORS: usize = 250;

/// A rubric of 5 aspects × 4 criteria of weight 5, each on three levels.
fn rubric() -> Rubric {
    let level = |i: usize| Text::new(format!("Tingkat {i}"), format!("Level {i}"));
    Rubric {
        round_id: "ovop-2026".into(),
        commodity: None,
        name: Text::new("Rubrik uji", "Bench rubric"),
        proposed_default: false,
        version: 1,
        frozen: false,
        aspects: (1..=5)
            .map(|a| Aspect {
                code: a.to_string(),
                name: Text::new(format!("Aspek {a}"), format!("Aspect {a}")),
                criteria: (1..=4)
                    .map(|c| Criterion {
                        code: format!("{a}.{c}"),
                        name: Text::new(format!("Kriteria {a}.{c}"), format!("Criterion {a}.{c}")),
                        weight: 5,
                        levels: (1..=3).map(level).collect(),
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// xorshift64*: reproducible pseudo-random levels without a dependency.
struct Random(u64);
impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

fn main() {
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30);
    let rubric = rubric();
    rubric.validate().expect("a valid rubric");
    let codes: Vec<String> = rubric.criteria().map(|c| c.code.clone()).collect();
    let nominations: Vec<String> = (0..NOMINATIONS).map(|i| format!("01NOM{i:021}")).collect();
    let assessors: Vec<String> = (0..ASSESSORS).map(|i| format!("penilai-{i:03}")).collect();
    let mut random = Random(0x9e37_79b9_7f4a_7c15);
    // (nomination, assessor, levels): each nomination scored by 5 different assessors, each
    // assessor with a bias of its own so that normalisation has work to do.
    let mut sheets: Vec<(usize, usize, BTreeMap<String, u8>)> = Vec::new();
    for n in 0..NOMINATIONS {
        // A nomination's quality: the chance (in %) that a criterion earns the top level.
        let quality = 35 + random.next() % 60;
        for k in 0..PER_NOMINATION {
            let a = (n * PER_NOMINATION + k * 53) % ASSESSORS;
            // Some assessors are harsher than others (−10 to +10 points of chance).
            let bias = (a % 21) as u64;
            let levels = codes
                .iter()
                .map(|c| {
                    let roll = random.next() % 100 + 10;
                    let level = if roll < quality + bias {
                        3
                    } else if roll < quality + bias + 40 {
                        2
                    } else {
                        1
                    };
                    (c.clone(), level)
                })
                .collect();
            sheets.push((n, a, levels));
        }
    }
    let bands = BandTable::current();
    let policy = Policy::default();
    let mut times = Vec::with_capacity(runs);
    let mut awarded = [0usize; 4];
    for run in 0..runs {
        let start = Instant::now();
        let totals: Vec<Sheet> = sheets
            .iter()
            .map(|(n, a, levels)| Sheet {
                nomination: &nominations[*n],
                assessor: &assessors[*a],
                total: rubric.total(levels).expect("a complete sheet"),
            })
            .collect();
        let round = aggregate_round(&totals, &bands, &policy);
        let elapsed = start.elapsed();
        assert_eq!(round.len(), NOMINATIONS);
        if run == 0 {
            for a in round.values() {
                awarded[a.outcome.stars().map_or(0, |s| usize::from(s.stars))] += 1;
            }
        }
        std::hint::black_box(&round);
        times.push(elapsed);
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "aggregation of {NOMINATIONS} nominations × {PER_NOMINATION} assessors × {} criteria ({} sheets, {runs} runs): \
         median {:.1} ms, min {:.1} ms, max {:.1} ms (target ≤ 50 ms)",
        codes.len(),
        sheets.len(),
        ms(times[runs / 2]),
        ms(times[0]),
        ms(times[runs - 1]),
    );
    println!(
        "outcomes: no award {}, 1★ {}, 2★ {}, 3★ {}",
        awarded[0], awarded[1], awarded[2], awarded[3]
    );
}
