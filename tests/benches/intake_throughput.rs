//! Intake throughput of the local app over HTTP: 64 concurrent clients each create a nomination
//! and submit it, durably (redb, fsync on commit). Printed side by side with the disk's rate of
//! one fsync per write, measured in the same run on the same folder. At the end every
//! nomination is counted: none lost, none duplicated (every 8th create is deliberately retried
//! with the same Idempotency-Key).
//!
//! `cargo bench -p ovop-tests --bench intake_throughput` (env: `BENCH_SECS`, `BENCH_CLIENTS`).

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ovop_core::dto::Session;
use ovop_core::nomination::Nomination;
use ovop_local::{LocalConfig, StoreChoice};
use ovop_platform::clock::SystemClock;
use ovop_platform::store::{NominationQuery, Scope};

fn fsync_rate(dir: &std::path::Path, secs: f64) -> f64 {
    let path = dir.join("fsync-probe");
    let mut file = std::fs::File::create(&path).expect("probe file");
    let block = [7u8; 4096];
    let started = Instant::now();
    let mut n = 0u64;
    while started.elapsed().as_secs_f64() < secs {
        file.write_all(&block).unwrap();
        file.sync_data().unwrap();
        n += 1;
    }
    let rate = n as f64 / started.elapsed().as_secs_f64();
    drop(file);
    let _ = std::fs::remove_file(path);
    rate
}

/// The store's own rate when every write waits for its own commit: one client, in a loop.
async fn one_commit_per_write_rate(dir: &std::path::Path, secs: f64) -> f64 {
    use ovop_platform::store::embedded::EmbeddedStore;
    use ovop_platform::store::NominationStore;
    let store = EmbeddedStore::open(dir).unwrap();
    let form =
        ovop_local::seed::demo_form("ovop-2026", "33.26", "Baseline", "gerabah", "9120001234567");
    let valid = form.validate(&Default::default(), 2026).unwrap();
    let now = chrono::Utc::now();
    let mut n = Nomination::draft(ulid::Ulid::new().to_string(), valid, "bench", now);
    let audit = |n: &Nomination| ovop_core::nomination::AuditEntry::of(n, "bench", "update", None);
    store
        .create_nomination(&n, &audit(&n), "bench", "k", now)
        .await
        .unwrap();
    let started = Instant::now();
    let mut writes = 0u64;
    while started.elapsed().as_secs_f64() < secs {
        let expected = n.version;
        n.version += 1;
        store
            .update_nomination(&n, expected, &audit(&n))
            .await
            .unwrap();
        writes += 1;
    }
    writes as f64 / started.elapsed().as_secs_f64()
}

/// Every nomination in the store.
async fn all_nominations(state: &ovop_intake::AppState) -> Vec<Nomination> {
    let everything = NominationQuery {
        scope: Scope::All,
        round_id: None,
        status: None,
    };
    state
        .nominations
        .list_nominations(&everything)
        .await
        .unwrap()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn main() {
    let secs: f64 = std::env::var("BENCH_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10.0);
    let clients: usize = std::env::var("BENCH_CLIENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run(secs, clients));
}

async fn run(secs: f64, clients: usize) {
    let base_dir = std::env::var("BENCH_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| std::env::temp_dir());
    let dir = tempfile::tempdir_in(base_dir).unwrap();
    let fsyncs = fsync_rate(dir.path(), 3.0);
    let unbatched = one_commit_per_write_rate(&dir.path().join("unbatched"), 2.0).await;

    let config = LocalConfig {
        addr: "127.0.0.1:0".parse().unwrap(),
        store: StoreChoice::Embedded(dir.path().join("data")),
        spa_dir: None,
        dev_secret: b"bench-secret-bench-secret-bench-secret".to_vec(),
        token_ttl_secs: 3600,
        seed: true,
    };
    let app = ovop_local::build(&config, Arc::new(SystemClock))
        .await
        .unwrap();
    let state = app.state.clone();
    let embedded = app.embedded.clone().expect("embedded store");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app.router).await });

    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .build()
        .unwrap();
    let users = ["dinas-pekalongan", "dinas-semarang", "dinas-sidoarjo"];
    let regencies = ["33.26", "33.74", "35.15"];
    let mut tokens = Vec::new();
    for user in users {
        let s: Session = http
            .post(format!("{base}/api/v1/auth/dev-login"))
            .json(&serde_json::json!({ "user_id": user }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        tokens.push(s.token);
    }
    let before = all_nominations(&state).await.len();

    let snapshot = |e: &ovop_platform::store::embedded::EmbeddedStore| {
        let s = e.commit_stats();
        let get = |a: &std::sync::atomic::AtomicU64| a.load(Ordering::Relaxed);
        (
            get(&s.commits),
            get(&s.writes),
            get(&s.busy_ns),
            get(&s.commit_ns),
        )
    };
    let (commits_before, writes_before, busy_before, commit_before) = snapshot(&embedded);
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (http, base, stop) = (http.clone(), base.clone(), stop.clone());
        let token = tokens[c % tokens.len()].clone();
        let regency = regencies[c % regencies.len()];
        tasks.push(tokio::spawn(async move {
            let mut pair_ms = Vec::new();
            let mut request_ms = Vec::new();
            let mut created = Vec::new();
            let mut errors = 0u64;
            let mut i = 0u64;
            while !stop.load(Ordering::Relaxed) {
                i += 1;
                let form = ovop_local::seed::demo_form(
                    &ovop_core::round::Round::id_for(chrono::Datelike::year(&chrono::Utc::now())),
                    regency,
                    &format!("IKM bench {c}-{i}"),
                    "gerabah",
                    "9120001234567",
                );
                let key = format!("bench-{c}-{i}");
                let t0 = Instant::now();
                let create = |http: &reqwest::Client| {
                    http.post(format!("{base}/api/v1/nominations"))
                        .bearer_auth(&token)
                        .header("Idempotency-Key", &key)
                        .json(&form)
                        .send()
                };
                let response = create(&http).await;
                request_ms.push(t0.elapsed().as_secs_f64() * 1e3);
                let Ok(response) = response else {
                    errors += 1;
                    continue;
                };
                if response.status() != 201 {
                    errors += 1;
                    continue;
                }
                let n: Nomination = response.json().await.unwrap();
                if i.is_multiple_of(8) {
                    // A client that lost the answer retries: must get the same nomination.
                    let t = Instant::now();
                    let retry: Nomination = create(&http).await.unwrap().json().await.unwrap();
                    request_ms.push(t.elapsed().as_secs_f64() * 1e3);
                    assert_eq!(retry.id, n.id, "retried create must not duplicate");
                }
                let t1 = Instant::now();
                let submitted = http
                    .post(format!("{base}/api/v1/nominations/{}/submit", n.id))
                    .bearer_auth(&token)
                    .header("Idempotency-Key", format!("submit-{key}"))
                    .send()
                    .await;
                request_ms.push(t1.elapsed().as_secs_f64() * 1e3);
                match submitted {
                    Ok(r) if r.status() == 200 => {
                        pair_ms.push(t0.elapsed().as_secs_f64() * 1e3);
                        created.push(n.id);
                    }
                    _ => errors += 1,
                }
            }
            (pair_ms, request_ms, created, errors)
        }));
    }
    tokio::time::sleep(Duration::from_secs_f64(secs)).await;
    stop.store(true, Ordering::Relaxed);
    let mut pair_ms = Vec::new();
    let mut request_ms = Vec::new();
    let mut ids = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (p, r, c, e) = t.await.unwrap();
        pair_ms.extend(p);
        request_ms.extend(r);
        ids.extend(c);
        errors += e;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let (commits_after, writes_after, busy_after, commit_after) = snapshot(&embedded);
    let writer_busy = (busy_after - busy_before) as f64 / 1e9 / elapsed;
    let commits = commits_after - commits_before;
    let group = (writes_after - writes_before) as f64 / commits.max(1) as f64;
    pair_ms.sort_by(f64::total_cmp);
    request_ms.sort_by(f64::total_cmp);

    let all = all_nominations(&state).await;
    let stored_new = all.len() - before;
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    let submitted = all
        .iter()
        .filter(|n| {
            n.status == ovop_core::status::NominationStatus::Submitted && n.created_by != "seed"
        })
        .count();

    let pairs_per_sec = ids.len() as f64 / elapsed;
    let writes_per_sec = 2.0 * pairs_per_sec;
    println!(
        "intake_throughput ({clients} clients, {elapsed:.1} s, {} cores)",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0)
    );
    println!("  disk fsync rate (4 KiB write + fdatasync, one per write): {fsyncs:.0} /s");
    println!(
        "  embedded store, one writer, one commit per write (no grouping): {unbatched:.0} writes/s"
    );
    println!("  create+submit pairs: {} ({pairs_per_sec:.0} /s) = {writes_per_sec:.0} durable writes/s = {:.1}x the fsync rate", ids.len(), writes_per_sec / fsyncs);
    println!(
        "  pair latency   p50 {:.1} ms  p99 {:.1} ms",
        percentile(&pair_ms, 0.50),
        percentile(&pair_ms, 0.99)
    );
    println!(
        "  request latency p50 {:.1} ms  p99 {:.1} ms  (n = {})",
        percentile(&request_ms, 0.50),
        percentile(&request_ms, 0.99),
        request_ms.len()
    );
    println!(
        "  commits: {commits} ({:.0} /s), {group:.1} writes per commit, {:.2} ms per batch ({:.2} ms of it committing), writer busy {:.0}%",
        commits as f64 / elapsed,
        (busy_after - busy_before) as f64 / 1e6 / commits.max(1) as f64,
        (commit_after - commit_before) as f64 / 1e6 / commits.max(1) as f64,
        writer_busy * 100.0
    );
    println!("  errors: {errors}");
    println!("  stored new nominations: {stored_new}; acknowledged: {}; unique acknowledged: {}; submitted: {submitted}", ids.len(), unique.len());
    let lost = unique
        .iter()
        .filter(|id| !all.iter().any(|n| &&n.id == id))
        .count();
    println!(
        "  lost: {lost}; duplicated: {}",
        stored_new.saturating_sub(unique.len())
    );
}
