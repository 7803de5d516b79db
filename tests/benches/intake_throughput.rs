//! Intake throughput of the local app over HTTP: 64 concurrent clients each create a nomination
//! and submit it, durably (redb, fsync on commit). Printed side by side with the disk's rate of
//! one fsync per write, measured in the same run on the same folder. At the end every
//! nomination is counted: none lost, none duplicated (every 8th create is deliberately retried
//! with the same Idempotency-Key).
//!
//! The bench measures intake, not documents: its nominations go to a round of their own that
//! requires no document bundle (`documents_required: Some(false)`), opened beside the seeded
//! demo round (which does require one). A submission still reads the nomination's bundle, as
//! every submission does; it is just not refused for being empty.
//!
//! After the HTTP run, the same create + submit flow runs straight against a fresh embedded
//! store through its port (no HTTP), to show what the store alone sustains on this machine.
//!
//! The server (its own tokio runtime, threads `server-*`, plus the store's writer thread) and the
//! load generator (64 HTTP/1.1 keep-alive connections, threads `load-*`) share
//! the machine; the CPU time each side spent per pair is printed, read from `/proc`.
//!
//! `cargo bench -p ovop-tests --bench intake_throughput` (env: `BENCH_SECS`, `BENCH_CLIENTS`,
//! `BENCH_DIR` = a folder on the disk to measure, `BENCH_LOAD_THREADS`, `BENCH_LOAD_NICE`).

use std::collections::HashMap;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use http::StatusCode;
use ovop_core::dto::NominationSummary;
use ovop_core::nomination::{Change, Nomination};
use ovop_core::round::{Round, RoundForm};
use ovop_local::{Identity, LocalConfig, StoreChoice};
use ovop_platform::clock::SystemClock;
use ovop_platform::idempotency::IdempotencyRecord;
use ovop_platform::store::embedded::{EmbeddedStore, DEFAULT_LOG_BYTES};
use ovop_platform::store::{entities, Store, Tx};
use ovop_tests::{draft, form, office, open_round, start_time};

/// The same allocator as the `ovop-local` binary.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// One 4 KiB write and one `fdatasync` per write, for `secs`, on a file in `dir`: appending to a
/// new file (the file grows, so each sync also records its size) or overwriting a file filled
/// with zeros beforehand (data only, as the store's write-ahead log does).
fn fsync_rate(dir: &std::path::Path, secs: f64, preallocated: bool) -> f64 {
    use std::os::unix::fs::FileExt;
    let path = dir.join("fsync-probe");
    let mut file = std::fs::File::create(&path).expect("probe file");
    let block = [7u8; 4096];
    if preallocated {
        let zeros = vec![0u8; 64 << 20];
        file.write_all(&zeros).unwrap();
        file.sync_all().unwrap();
    }
    let started = Instant::now();
    let mut n = 0u64;
    while started.elapsed().as_secs_f64() < secs {
        let at = (n * 4096) % (64 << 20);
        file.write_all_at(&block, at).unwrap();
        file.sync_data().unwrap();
        n += 1;
    }
    let rate = n as f64 / started.elapsed().as_secs_f64();
    drop(file);
    let _ = std::fs::remove_file(path);
    rate
}

/// Writes a use case's change: the nomination (created, or updated from `before`), its audit
/// entry and, for a create, an idempotency record — what the API writes.
async fn write(store: &Store, change: &Change, before: Option<u64>, key: Option<&str>) {
    let mut tx = Tx::new();
    match before {
        None => tx.create(&change.nomination).unwrap(),
        Some(v) => tx.update(&change.nomination, v).unwrap(),
    };
    tx.create(&change.audit).unwrap();
    if let Some(key) = key {
        tx.create(&IdempotencyRecord {
            actor: "bench".into(),
            key: key.into(),
            fingerprint: "0".repeat(64),
            status: 201,
            version: Some(change.nomination.version),
            body: serde_json::to_string(&change.nomination).unwrap(),
            expires_at: chrono::Utc::now().timestamp() + 86_400,
        })
        .unwrap();
    }
    store.commit(tx).await.unwrap();
}

fn embedded(dir: &std::path::Path) -> Store {
    let items = EmbeddedStore::open_with(dir, DEFAULT_LOG_BYTES, Arc::new(SystemClock)).unwrap();
    Store::new(Arc::new(items))
}

/// The store's own rate when every write waits for its own commit: one client, in a loop.
async fn one_commit_per_write_rate(dir: &std::path::Path, secs: f64) -> f64 {
    let store = embedded(dir);
    let (round, office, now) = (open_round(), office("33.26"), start_time());
    let mut change = draft("33.26", "Baseline");
    write(&store, &change, None, Some("k")).await;
    let started = Instant::now();
    let mut writes = 0u64;
    while started.elapsed().as_secs_f64() < secs {
        let n = &change.nomination;
        let valid = form("33.26", "Baseline")
            .validate(&Default::default(), 2026)
            .unwrap();
        let next = n.edit(n.version, valid, &office, now).unwrap();
        write(&store, &next, Some(n.version), None).await;
        change = next;
        writes += 1;
    }
    let _ = round;
    writes as f64 / started.elapsed().as_secs_f64()
}

/// The store's rate without HTTP: `clients` tasks on this runtime each create a nomination
/// (idempotency record, audit entry) and submit it (conditional update, audit entry), straight
/// through the typed store, for `secs`, in [`open_round`] (which requires no documents). Returns durable writes per second and the CPU time per
/// pair spent by the whole process.
async fn store_alone_rate(dir: &std::path::Path, secs: f64, clients: usize) -> (f64, f64) {
    let store = embedded(dir);
    let round = open_round();
    let office = office("33.26");
    let valid = form("33.26", "Store alone")
        .validate(&Default::default(), 2026)
        .unwrap();
    let cpu_before = process_cpu_secs();
    let started = Instant::now();
    let tasks: Vec<_> = (0..clients)
        .map(|_| {
            let (store, valid, round, office) =
                (store.clone(), valid.clone(), round.clone(), office.clone());
            tokio::spawn(async move {
                let mut pairs = 0u64;
                let now = start_time();
                while started.elapsed().as_secs_f64() < secs {
                    let id = ulid::Ulid::new().to_string();
                    let created =
                        Nomination::create(id.clone(), valid.clone(), &round, &office, now)
                            .unwrap();
                    write(&store, &created, None, Some(&id)).await;
                    let n = &created.nomination;
                    let submitted = n.submit(None, &round, &office, now).unwrap();
                    write(&store, &submitted, Some(n.version), None).await;
                    pairs += 1;
                }
                pairs
            })
        })
        .collect();
    let mut pairs = 0u64;
    for t in tasks {
        pairs += t.await.unwrap();
    }
    let elapsed = started.elapsed().as_secs_f64();
    let cpu = process_cpu_secs() - cpu_before;
    (
        2.0 * pairs as f64 / elapsed,
        cpu / pairs.max(1) as f64 * 1e6,
    )
}

/// Opens the bench's own round, next year's, requiring no documents: what it measures is
/// intake (create + submit), not uploads.
async fn bench_round(state: &ovop_intake::AppState) -> Round {
    let now = chrono::Utc::now();
    let year = chrono::Datelike::year(&now) + 1;
    let round = RoundForm {
        year: Some(year),
        name: format!("OVOP {year} (bench)"),
        proposal_deadline: Some(now + chrono::Duration::days(400)),
        documents_required: Some(false),
    }
    .validate(now)
    .unwrap()
    .open(None, now)
    .unwrap();
    let mut tx = Tx::new();
    tx.create(&round).unwrap();
    state.store.commit(tx).await.unwrap();
    round
}

/// Every nomination of the bench's round, page by page.
async fn all_nominations(state: &ovop_intake::AppState, round: &str) -> Vec<NominationSummary> {
    let listing = entities::nominations_of_round(round, None);
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let page = state
            .store
            .list::<NominationSummary>("nomination", &listing, 1000, cursor, |_| true)
            .await
            .unwrap();
        out.extend(page.items);
        match page.next {
            Some(c) => cursor = Some(c),
            None => return out,
        }
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// CPU seconds (user + system) spent so far by each live thread of this process, by thread id,
/// with the thread's group: its name's prefix up to the first `-` (`server`, `load`, `ovop`).
fn thread_cpu() -> HashMap<String, (String, f64)> {
    let mut out = HashMap::new();
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return out;
    };
    for task in tasks.flatten() {
        let Ok(stat) = std::fs::read_to_string(task.path().join("stat")) else {
            continue;
        };
        let Some((comm, secs)) = comm_and_cpu_secs(&stat) else {
            continue;
        };
        let group = comm.split('-').next().unwrap_or(comm).to_owned();
        out.insert(
            task.file_name().to_string_lossy().into_owned(),
            (group, secs),
        );
    }
    out
}

/// CPU seconds each thread group spent since `before`; threads that ended meanwhile are left
/// out rather than counted negative.
fn cpu_by_group_since(before: &HashMap<String, (String, f64)>) -> HashMap<String, f64> {
    let mut out = HashMap::new();
    for (tid, (group, secs)) in thread_cpu() {
        let earlier = before.get(&tid).map_or(0.0, |(_, s)| *s);
        *out.entry(group).or_default() += secs - earlier;
    }
    out
}

/// CPU seconds the whole process has used, ended threads included.
fn process_cpu_secs() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    comm_and_cpu_secs(&stat).map_or(0.0, |(_, secs)| secs)
}

/// The name and user + system CPU seconds in a `/proc/.../stat` line.
fn comm_and_cpu_secs(stat: &str) -> Option<(&str, f64)> {
    // `pid (comm) state ppid ...`: comm may hold spaces, so split at the last ')'.
    let (open, close) = (stat.find('(')?, stat.rfind(')')?);
    let fields: Vec<&str> = stat.get(close + 2..)?.split(' ').collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // Fields 14 and 15 of stat (utime, stime) are 11 and 12 after the comm.
    Some((&stat[open + 1..close], (ticks(11) + ticks(12)) / 100.0))
}

/// One keep-alive HTTP/1.1 connection of the load generator: requests written whole from a
/// reused buffer, answers parsed with `httparse` (the parser hyper uses). A lean client, like
/// `wrk`, so that the load generator, which shares the machine with the app, takes as little
/// of its CPU as it can.
struct Connection {
    stream: tokio::net::TcpStream,
    host: String,
    out: Vec<u8>,
    input: Vec<u8>,
}

impl Connection {
    async fn open(addr: SocketAddr) -> Connection {
        let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        stream.set_nodelay(true).unwrap();
        Connection {
            stream,
            host: addr.to_string(),
            out: Vec::with_capacity(4096),
            input: Vec::with_capacity(8192),
        }
    }

    /// Sends one POST and reads the whole answer (its length from `Content-Length`); `None`
    /// when the connection failed or the answer is not one this client reads.
    async fn call(
        &mut self,
        path: &str,
        token: &str,
        key: &str,
        body: &[u8],
    ) -> Option<(StatusCode, Vec<u8>)> {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        self.out.clear();
        write!(
            self.out,
            "POST {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: {token}\r\nContent-Type: application/json\r\nIdempotency-Key: {key}\r\nContent-Length: {}\r\n\r\n",
            self.host,
            body.len()
        )
        .ok()?;
        self.out.extend_from_slice(body);
        self.stream.write_all(&self.out).await.ok()?;
        self.input.clear();
        loop {
            let mut headers = [httparse::EMPTY_HEADER; 24];
            let mut response = httparse::Response::new(&mut headers);
            if let httparse::Status::Complete(head) = response.parse(&self.input).ok()? {
                let status = StatusCode::from_u16(response.code?).ok()?;
                let length: usize = response
                    .headers
                    .iter()
                    .find(|h| h.name.eq_ignore_ascii_case("content-length"))
                    .and_then(|h| std::str::from_utf8(h.value).ok()?.parse().ok())?;
                while self.input.len() < head + length {
                    if self.stream.read_buf(&mut self.input).await.ok()? == 0 {
                        return None;
                    }
                }
                // One request at a time: nothing follows the body.
                return Some((status, self.input[head..head + length].to_vec()));
            }
            if self.stream.read_buf(&mut self.input).await.ok()? == 0 {
                return None;
            }
        }
    }
}

/// The part of an answered nomination the load generator needs.
#[derive(serde::Deserialize)]
struct Answered {
    id: String,
}

/// What one client saw.
#[derive(Default)]
struct ClientReport {
    pair_ms: Vec<f64>,
    request_ms: Vec<f64>,
    created: Vec<String>,
    errors: u64,
}

async fn client(
    addr: SocketAddr,
    c: usize,
    token: String,
    regency: &'static str,
    round: String,
    stop: Arc<AtomicBool>,
) -> ClientReport {
    let mut conn = Connection::open(addr).await;
    let mut report = ClientReport::default();
    let mut i = 0u64;
    // Each create names a different IKM; the form is serialised once, the name put in per call.
    let template = serde_json::to_string(&ovop_local::seed::demo_form(
        &round,
        regency,
        "@NAME@",
        "gerabah",
        "9120001234567",
    ))
    .unwrap();
    while !stop.load(Ordering::Relaxed) {
        i += 1;
        let body = template.replace("@NAME@", &format!("IKM bench {c}-{i}"));
        let key = format!("bench-{c}-{i}");
        let t0 = Instant::now();
        let created = conn
            .call("/api/v1/nominations", &token, &key, body.as_bytes())
            .await;
        report.request_ms.push(t0.elapsed().as_secs_f64() * 1e3);
        let id = match created {
            Some((StatusCode::CREATED, bytes)) => {
                serde_json::from_slice::<Answered>(&bytes).unwrap().id
            }
            Some(_) => {
                report.errors += 1;
                continue;
            }
            None => {
                report.errors += 1;
                conn = Connection::open(addr).await;
                continue;
            }
        };
        if i.is_multiple_of(8) {
            // A client that lost the answer retries: must get the same nomination.
            let t = Instant::now();
            let (status, bytes) = conn
                .call("/api/v1/nominations", &token, &key, body.as_bytes())
                .await
                .expect("retry answered");
            report.request_ms.push(t.elapsed().as_secs_f64() * 1e3);
            assert_eq!(
                status,
                StatusCode::CREATED,
                "a retried create gets the same answer"
            );
            let retry: Answered = serde_json::from_slice(&bytes).unwrap();
            assert_eq!(retry.id, id, "retried create must not duplicate");
        }
        let t1 = Instant::now();
        let submitted = conn
            .call(
                &format!("/api/v1/nominations/{id}/submit"),
                &token,
                &format!("submit-{key}"),
                b"",
            )
            .await;
        report.request_ms.push(t1.elapsed().as_secs_f64() * 1e3);
        match submitted {
            Some((StatusCode::OK, _)) => {
                report.pair_ms.push(t0.elapsed().as_secs_f64() * 1e3);
                report.created.push(id);
            }
            _ => report.errors += 1,
        }
    }
    report
}

fn main() {
    let secs: f64 = env_or("BENCH_SECS", 10.0);
    let clients: usize = env_or("BENCH_CLIENTS", 64);
    let load_threads: usize = env_or("BENCH_LOAD_THREADS", 2);
    // The load generator yields to the app: it stands for browsers on other machines.
    let load_nice: i32 = env_or("BENCH_LOAD_NICE", 10);
    ovop_local::process::tune_allocator();
    let server = ovop_local::process::runtime().unwrap();
    let load = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(load_threads)
        .thread_name("load-worker")
        .on_thread_start(move || ovop_local::process::lower_priority(load_nice))
        .enable_all()
        .build()
        .unwrap();
    server.block_on(run(secs, clients, load.handle().clone()));
}

async fn run(secs: f64, clients: usize, load: tokio::runtime::Handle) {
    let base_dir = std::env::var("BENCH_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| std::env::temp_dir());
    let dir = tempfile::tempdir_in(base_dir).unwrap();
    let appending = fsync_rate(dir.path(), 2.0, false);
    let overwriting = fsync_rate(dir.path(), 2.0, true);
    // The disk's rate is the better of the two: the target is judged against the faster one.
    let fsyncs = appending.max(overwriting);
    let unbatched = one_commit_per_write_rate(&dir.path().join("unbatched"), 2.0).await;

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let base = format!("http://{addr}");
    let config = LocalConfig {
        addr,
        store: StoreChoice::Embedded(dir.path().join("data")),
        data_dir: dir.path().join("data"),
        spa_dir: None,
        public_origin: Some(base.clone()),
        access_token_secs: 3600,
        seed: true,
        identity: Identity::LocalIssuer,
    };
    let app = ovop_local::build(&config, Arc::new(SystemClock))
        .await
        .unwrap();
    let state = app.state.clone();
    let embedded = app.embedded.clone().expect("embedded store");
    tokio::spawn(async move { axum::serve(listener, app.router).await });

    let users = ["dinas-pekalongan", "dinas-semarang", "dinas-sidoarjo"];
    let regencies = ["33.26", "33.74", "35.15"];
    let mut tokens = Vec::new();
    let browser = ovop_tests::browser();
    for user in users {
        let signed_in = ovop_tests::sign_in_at(&browser, &base, user).await;
        tokens.push(format!("Bearer {}", signed_in.access_token));
    }

    let round = bench_round(&state).await;
    assert!(!round.documents_required);
    let round_id = round.id.clone();
    let is_submitted =
        |n: &NominationSummary| n.status == ovop_core::status::NominationStatus::Submitted;
    let seeded = all_nominations(&state, &round_id).await;
    let before = seeded.len();
    let submitted_before = seeded.iter().filter(|n| is_submitted(n)).count();

    let snapshot = |e: &ovop_platform::store::embedded::EmbeddedStore| {
        let s = e.commit_stats();
        let get = |a: &std::sync::atomic::AtomicU64| a.load(Ordering::Relaxed);
        (
            get(&s.commits),
            get(&s.writes),
            get(&s.busy_ns),
            get(&s.commit_ns),
            get(&s.checkpoints),
            get(&s.log_ns),
            get(&s.checkpoint_ns),
            get(&s.log_records),
        )
    };
    let (
        commits_before,
        writes_before,
        busy_before,
        commit_before,
        checkpoints_before,
        log_before,
        checkpoint_ns_before,
        records_before,
    ) = snapshot(&embedded);
    let cpu_before = thread_cpu();
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let tasks: Vec<_> = (0..clients)
        .map(|c| {
            let token = tokens[c % tokens.len()].clone();
            load.spawn(client(
                addr,
                c,
                token,
                regencies[c % regencies.len()],
                round_id.clone(),
                stop.clone(),
            ))
        })
        .collect();
    tokio::time::sleep(Duration::from_secs_f64(secs)).await;
    stop.store(true, Ordering::Relaxed);
    let mut all_clients = ClientReport::default();
    for t in tasks {
        let r = t.await.unwrap();
        all_clients.pair_ms.extend(r.pair_ms);
        all_clients.request_ms.extend(r.request_ms);
        all_clients.created.extend(r.created);
        all_clients.errors += r.errors;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let cpu_spent = cpu_by_group_since(&cpu_before);
    let (
        commits_after,
        writes_after,
        busy_after,
        commit_after,
        checkpoints_after,
        log_after,
        checkpoint_ns_after,
        records_after,
    ) = snapshot(&embedded);
    let ClientReport {
        mut pair_ms,
        mut request_ms,
        created: ids,
        errors,
    } = all_clients;
    let writer_busy = (busy_after - busy_before) as f64 / 1e9 / elapsed;
    let commits = commits_after - commits_before;
    let records = records_after - records_before;
    let group = (writes_after - writes_before) as f64 / records.max(1) as f64;
    pair_ms.sort_by(f64::total_cmp);
    request_ms.sort_by(f64::total_cmp);

    let all = all_nominations(&state, &round_id).await;
    // After the HTTP run, so that this store's threads (and its checkpoint at close) cannot
    // take from it.
    let (store_alone, store_alone_cpu) =
        store_alone_rate(&dir.path().join("store-alone"), secs.min(4.0), clients).await;
    let stored_new = all.len() - before;
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    let submitted = all.iter().filter(|n| is_submitted(n)).count() - submitted_before;

    let pairs_per_sec = ids.len() as f64 / elapsed;
    let writes_per_sec = 2.0 * pairs_per_sec;
    println!(
        "intake_throughput ({clients} clients, {elapsed:.1} s, {} cores)",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0)
    );
    println!("  disk fsync rate, one 4 KiB write + fdatasync per write: appending {appending:.0} /s, overwriting a preallocated file {overwriting:.0} /s; the better: {fsyncs:.0} /s");
    println!(
        "  embedded store, one writer, one commit per write (no grouping): {unbatched:.0} writes/s"
    );
    println!(
        "  embedded store alone, no HTTP ({clients} tasks create + submit through the port): {store_alone:.0} durable writes/s = {:.1}x the fsync rate, {store_alone_cpu:.0} µs CPU per pair",
        store_alone / fsyncs
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
        "  writer: {commits} batches, {records} log records (one fdatasync each, {:.0} /s), {group:.1} writes per record, {:.2} ms per batch ({:.2} ms of it making it durable), writer busy {:.0}%, {} checkpoints",
        records as f64 / elapsed,
        (busy_after - busy_before) as f64 / 1e6 / commits.max(1) as f64,
        (commit_after - commit_before) as f64 / 1e6 / commits.max(1) as f64,
        writer_busy * 100.0,
        checkpoints_after - checkpoints_before
    );
    println!(
        "  of the writer's time: log append + fdatasync {:.2} ms per record; checkpoints {:.0} ms in all ({:.1} ms each)",
        (log_after - log_before) as f64 / 1e6 / records.max(1) as f64,
        (checkpoint_ns_after - checkpoint_ns_before) as f64 / 1e6,
        (checkpoint_ns_after - checkpoint_ns_before) as f64
            / 1e6
            / (checkpoints_after - checkpoints_before).max(1) as f64
    );
    let mut groups: Vec<_> = cpu_spent
        .into_iter()
        .filter(|(_, spent)| *spent > 0.0)
        .collect();
    groups.sort_by(|a, b| b.1.total_cmp(&a.1));
    let pairs = ids.len().max(1) as f64;
    let per_pair: Vec<String> = groups
        .iter()
        .map(|(g, spent)| {
            format!(
                "{g} {:.0} µs ({:.2} cores)",
                spent / pairs * 1e6,
                spent / elapsed
            )
        })
        .collect();
    println!("  CPU per pair by thread group: {}", per_pair.join(", "));
    let peak_rss = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:").map(|v| v.trim().to_owned()))
        })
        .unwrap_or_else(|| "unknown".into());
    println!("  peak resident memory of the process (app + load generator): {peak_rss}");
    println!("  errors: {errors}");
    println!("  stored new nominations: {stored_new}; acknowledged: {}; unique acknowledged: {}; submitted: {submitted}", ids.len(), unique.len());
    let stored_ids: std::collections::HashSet<&str> = all.iter().map(|n| n.id.as_str()).collect();
    let lost = unique
        .iter()
        .filter(|id| !stored_ids.contains(id.as_str()))
        .count();
    println!(
        "  lost: {lost}; duplicated: {}",
        stored_new.saturating_sub(unique.len())
    );
}
