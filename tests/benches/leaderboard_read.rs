//! The leaderboard read of a national round through the store, on both backends: 5,000 stored
//! results (one per nomination, each with its aggregate), listed from the round's index page
//! by page ([`entities::results_of_round`]), normalised across the round
//! ([`normalise_round`]), ranked ([`leaderboard`]) and bucketed
//! ([`distribution`]) — what `GET /api/v1/rounds/{round}/leaderboard` does. Writing the
//! results is not timed.
//!
//! `cargo bench -p ovop-tests --bench leaderboard_read` (env: `BENCH_RUNS`, default 10 on the
//! embedded store and 3 on DynamoDB; the DynamoDB figure needs `OVOP_TEST_DYNAMODB_ENDPOINT`,
//! a moto server, and is skipped without it).

use std::sync::Arc;
use std::time::{Duration, Instant};

use ovop_core::aggregate::{aggregate, Policy};
use ovop_core::moderation::{
    distribution, leaderboard, normalise_round, AssessorTotal, NominationResult,
};
use ovop_core::rubric::Total;
use ovop_core::stars::BandTable;
use ovop_platform::store::{entities, ItemStore, Store, Tx};
use ovop_tests::{dynamo_store, embedded_store};

const NOMINATIONS: usize = 5_000;
const COMMODITIES: [&str; 5] = [
    "kain_batik",
    "anyaman",
    "makanan",
    "minuman",
    "kerajinan_kayu",
];

/// xorshift64*: reproducible pseudo-random scores without a dependency.
struct Random(u64);
impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

fn results() -> Vec<NominationResult> {
    let mut random = Random(0x9e37_79b9_7f4a_7c15);
    (0..NOMINATIONS)
        .map(|i| {
            let totals: Vec<Total> = (0..5)
                .map(|_| Total {
                    units: 4_000 + random.next() % 6_001,
                    unit: 100,
                })
                .collect();
            NominationResult {
                round_id: "ovop-2026".into(),
                nomination_id: format!("01NOM{i:021}"),
                commodity: COMMODITIES[i % COMMODITIES.len()].into(),
                ikm_name: format!("IKM Sentra Nomor {i}"),
                aggregate: aggregate(&totals, &BandTable::current(), &Policy::default())
                    .expect("five totals"),
                totals: totals
                    .iter()
                    .enumerate()
                    .map(|(k, t)| AssessorTotal {
                        assessor: format!("penilai-{:03}", (i * 5 + k * 53) % 250),
                        total: *t,
                    })
                    .collect(),
                moderation: None,
                version: 1,
            }
        })
        .collect()
}

async fn fill(store: &Store, results: &[NominationResult]) {
    for chunk in results.chunks(25) {
        let mut tx = Tx::new();
        for r in chunk {
            tx.create(r).expect("encodes");
        }
        store.commit(tx).await.expect("written");
    }
}

/// Reads and ranks the round `runs` times: (median, min, max, entries ranked).
async fn read(store: &Store, runs: usize) -> (Duration, Duration, Duration, usize) {
    let mut times = Vec::with_capacity(runs);
    let mut ranked_len = 0;
    for _ in 0..runs {
        let start = Instant::now();
        let results = store
            .list_all::<NominationResult>("result", &entities::results_of_round("ovop-2026"))
            .await
            .expect("listed");
        let mut results = results;
        normalise_round(&mut results);
        let ranked = leaderboard(results, &BandTable::current());
        let counts = distribution(&ranked, 5);
        times.push(start.elapsed());
        assert_eq!(counts.iter().sum::<usize>(), NOMINATIONS);
        ranked_len = ranked.len();
    }
    times.sort();
    (times[runs / 2], times[0], times[runs - 1], ranked_len)
}

async fn bench(name: &str, items: Arc<dyn ItemStore>, runs: usize, results: &[NominationResult]) {
    let store = Store::new(items);
    let filled = Instant::now();
    fill(&store, results).await;
    let fill_time = filled.elapsed();
    let (median, min, max, ranked) = read(&store, runs).await;
    assert_eq!(ranked, NOMINATIONS);
    println!(
        "{name:<28} leaderboard of {ranked} results: median {:>8.1} ms (min {:.1}, max {:.1}; {runs} runs; \
         writing them took {:.1} s)",
        median.as_secs_f64() * 1e3,
        min.as_secs_f64() * 1e3,
        max.as_secs_f64() * 1e3,
        fill_time.as_secs_f64(),
    );
}

#[tokio::main]
async fn main() {
    let runs: Option<usize> = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok());
    let results = results();
    let (embedded, _dir) = embedded_store();
    bench(
        "embedded (redb)",
        Arc::new(embedded),
        runs.unwrap_or(10),
        &results,
    )
    .await;
    if std::env::var("OVOP_TEST_DYNAMODB_ENDPOINT").is_ok() {
        bench(
            "DynamoDB (moto server)",
            Arc::new(dynamo_store().await),
            runs.unwrap_or(3),
            &results,
        )
        .await;
    } else {
        println!("DynamoDB: skipped (set OVOP_TEST_DYNAMODB_ENDPOINT to a moto server)");
    }
}
