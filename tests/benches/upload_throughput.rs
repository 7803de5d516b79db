//! Upload throughput against the embedded S3 endpoint (s3s + s3s-fs on 127.0.0.1), the way the
//! browser uploads (docs/uploads.md): the same file, in one run, side by side
//!
//! 1. as one presigned PUT (its type and length signed), the body streamed from the file;
//! 2. through the presigned multipart flow: create, part URLs signed in batches of 8 just
//!    before use, 8 MiB parts, 4 in flight, each read from its offset of the file and sent with
//!    its `Content-Length`, the ETags kept, then complete. Wall time from create to complete,
//!    and its ratio to (1);
//! 3. resume: the multipart flow again on a new upload, killed (the tasks in flight dropped,
//!    their connections closed) once half of the bytes are acknowledged; then, as a reloaded
//!    page does: every page of ListParts, only the parts S3 does not hold, complete. Printed:
//!    the parts acknowledged, in flight and never started at the kill, the parts sent after the
//!    resume and how many of them were in flight at the kill (bytes sent twice); the object's
//!    size and SHA-256 are checked against the file's.
//!
//! (1) and (2) alternate `BENCH_ROUNDS` times; each object is deleted after its round. The file
//! is made first (pseudo-random bytes: nothing compresses) and read back through the page
//! cache like any recently written file. Client and endpoint share this process and its tokio
//! runtime (one worker per core).
//!
//! `cargo bench -p ovop-tests --bench upload_throughput` (env: `BENCH_UPLOAD_MIB` = file size,
//! 1024; `BENCH_DIR` = the folder to work in, the system temp dir otherwise; `BENCH_ROUNDS`, 2;
//! `BENCH_PART_MIB`, 8; `BENCH_PARTS_IN_FLIGHT`, 4; `BENCH_READ_KIB` = file read buffer, 256;
//! `BENCH_RELOAD_MS` = pause between kill and resume, 500; `BENCH_LIST_PAGE` = ListParts page
//! size during the resume, 32).

use std::collections::{BTreeSet, VecDeque};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_sdk_s3::primitives::{FsBuilder, Length};
use ovop_local::{EmbeddedS3, EmbeddedS3Config, UPLOADS_BUCKET};
use ovop_platform::objects::{CompletedPart, ObjectStore, PresignedRequest, S3Objects};
use sha2::{Digest, Sha256};
use tokio::task::JoinSet;

/// The same allocator as the `ovop-local` binary.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const MIB: u64 = 1 << 20;
/// Part URLs asked for at once (`POST uploads/{upload}/parts` takes at most 8).
const PRESIGN_BATCH: usize = 8;
/// A presigned part URL's lifetime (docs/uploads.md).
const PART_URL_LIFETIME: Duration = Duration::from_secs(15 * 60);
const PUT_URL_LIFETIME: Duration = Duration::from_secs(60 * 60);
const CONTENT_TYPE: &str = "application/pdf";
const APP_ORIGIN: &str = "http://localhost:8080";

fn env_u64(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => v
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v}: a whole number")),
        _ => default,
    }
}

fn mib_s(bytes: u64, elapsed: Duration) -> f64 {
    bytes as f64 / MIB as f64 / elapsed.as_secs_f64()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes `size` pseudo-random bytes (xorshift64*) to `path`; returns their SHA-256.
fn make_file(path: &Path, size: u64) -> String {
    let mut file = std::io::BufWriter::with_capacity(
        8 * MIB as usize,
        std::fs::File::create(path).expect("bench file"),
    );
    let mut hash = Sha256::new();
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut chunk = vec![0u8; MIB as usize];
    let mut left = size;
    while left > 0 {
        for word in chunk.chunks_exact_mut(8) {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            word.copy_from_slice(&state.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes());
        }
        let n = left.min(MIB) as usize;
        file.write_all(&chunk[..n]).expect("write the bench file");
        hash.update(&chunk[..n]);
        left -= n as u64;
    }
    let file = file.into_inner().expect("flush the bench file");
    file.sync_all().expect("sync the bench file");
    hex(&hash.finalize())
}

/// Sends `len` bytes of `path` from `offset` as `request` asks (its method, URL and signed
/// headers), the body streamed from the file with its `Content-Length`; returns the ETag.
async fn send_file(
    http: &reqwest::Client,
    request: &PresignedRequest,
    path: &Path,
    offset: u64,
    len: u64,
    read_buffer: usize,
) -> Result<String, String> {
    let file = tokio::fs::File::open(path)
        .await
        .map_err(|e| format!("open {}: {e}", path.display()))?;
    let stream = FsBuilder::new()
        .file(file)
        .offset(offset)
        .length(Length::Exact(len))
        .buffer_size(read_buffer)
        .build()
        .await
        .map_err(|e| format!("read {}: {e}", path.display()))?;
    let method =
        reqwest::Method::from_bytes(request.method.as_bytes()).map_err(|e| e.to_string())?;
    let mut builder = http.request(method, &request.url);
    for (name, value) in &request.headers {
        if name == "content-length" {
            if value.parse::<u64>().ok() != Some(len) {
                return Err(format!("signed content-length {value}, body {len}"));
            }
            continue;
        }
        builder = builder.header(name, value);
    }
    let response = builder
        .header(reqwest::header::CONTENT_LENGTH, len)
        .body(reqwest::Body::wrap(stream.into_inner()))
        .send()
        .await
        .map_err(|e| format!("PUT: {e}"))?;
    let status = response.status();
    let etag = response
        .headers()
        .get(reqwest::header::ETAG)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if !status.is_success() {
        let text = response.text().await.unwrap_or_default();
        return Err(format!("PUT answered {status}: {text}"));
    }
    etag.ok_or_else(|| "no ETag in the answer".into())
}

/// What the bench sends, and how.
#[derive(Clone)]
struct Setup {
    store: S3Objects,
    http: reqwest::Client,
    path: Arc<PathBuf>,
    size: u64,
    part_size: u64,
    in_flight: usize,
    read_buffer: usize,
}

/// One multipart upload's parts being sent.
struct Sent {
    /// Acknowledged (200 with an ETag), in the order they were.
    acked: Vec<CompletedPart>,
    /// Started but not acknowledged when the sending stopped.
    in_flight: BTreeSet<u32>,
    /// Never started.
    not_started: BTreeSet<u32>,
}

impl Setup {
    fn part_count(&self) -> u32 {
        u32::try_from(self.size.div_ceil(self.part_size)).expect("part count")
    }

    /// Offset and length of part `number`.
    fn part(&self, number: u32) -> (u64, u64) {
        let offset = u64::from(number - 1) * self.part_size;
        (offset, self.part_size.min(self.size - offset))
    }

    fn http_for(s3: &EmbeddedS3) -> reqwest::Client {
        // The URLs are signed for `localhost`: reach it at the endpoint's IPv4 address.
        reqwest::Client::builder()
            .resolve("localhost", s3.addr())
            .build()
            .expect("HTTP client")
    }

    /// One presigned PUT of the whole file; returns the wall time.
    async fn single(&self, key: &str) -> Duration {
        let started = Instant::now();
        let put = self
            .store
            .presign_put(key, CONTENT_TYPE, self.size, PUT_URL_LIFETIME)
            .await
            .expect("presign PUT");
        send_file(&self.http, &put, &self.path, 0, self.size, self.read_buffer)
            .await
            .expect("single PUT");
        started.elapsed()
    }

    /// Sends `numbers` (ascending), `in_flight` at a time, part URLs signed `PRESIGN_BATCH` at
    /// a time when the next part needs one. With `stop_at`, stops once that many bytes are
    /// acknowledged: the tasks in flight are dropped (their connections closed).
    async fn send_parts(
        &self,
        key: &str,
        upload_id: &str,
        numbers: &[u32],
        stop_at: Option<u64>,
    ) -> Sent {
        let mut queue: VecDeque<u32> = numbers.iter().copied().collect();
        let mut signed: VecDeque<(u32, PresignedRequest)> = VecDeque::new();
        let mut tasks = JoinSet::new();
        let mut in_flight = BTreeSet::new();
        let mut acked = Vec::new();
        let mut acked_bytes = 0u64;
        loop {
            while tasks.len() < self.in_flight && (!signed.is_empty() || !queue.is_empty()) {
                if signed.is_empty() {
                    let batch: Vec<u32> = (0..PRESIGN_BATCH)
                        .map_while(|_| queue.pop_front())
                        .collect();
                    for number in batch {
                        let (_, len) = self.part(number);
                        let request = self
                            .store
                            .presign_upload_part(
                                key,
                                upload_id,
                                number,
                                Some(len),
                                PART_URL_LIFETIME,
                            )
                            .await
                            .expect("presign UploadPart");
                        signed.push_back((number, request));
                    }
                }
                let (number, request) = signed.pop_front().expect("a signed part");
                let (offset, len) = self.part(number);
                let (http, path, buffer) = (self.http.clone(), self.path.clone(), self.read_buffer);
                in_flight.insert(number);
                tasks.spawn(async move {
                    let etag = send_file(&http, &request, &path, offset, len, buffer).await;
                    (number, len, etag)
                });
            }
            let Some(done) = tasks.join_next().await else {
                break;
            };
            let (number, len, etag) = done.expect("part task");
            let etag = etag.unwrap_or_else(|e| panic!("part {number}: {e}"));
            in_flight.remove(&number);
            acked.push(CompletedPart { number, etag });
            acked_bytes += len;
            if stop_at.is_some_and(|stop| acked_bytes >= stop) {
                // The kill: a reload or a closed tab drops every request in flight.
                drop(tasks);
                break;
            }
        }
        let mut not_started: BTreeSet<u32> = queue.into_iter().collect();
        not_started.extend(signed.into_iter().map(|(n, _)| n));
        Sent {
            acked,
            in_flight,
            not_started,
        }
    }

    /// The whole multipart flow; returns the wall time and the time of the complete alone.
    async fn multipart(&self, key: &str) -> (Duration, Duration) {
        let started = Instant::now();
        let upload_id = self
            .store
            .create_multipart(key, CONTENT_TYPE)
            .await
            .expect("create multipart");
        let numbers: Vec<u32> = (1..=self.part_count()).collect();
        let sent = self.send_parts(key, &upload_id, &numbers, None).await;
        assert_eq!(sent.acked.len(), numbers.len(), "every part acknowledged");
        let mut parts = sent.acked;
        parts.sort_by_key(|p| p.number);
        let completing = Instant::now();
        self.store
            .complete_multipart(key, &upload_id, &parts)
            .await
            .expect("complete multipart");
        (started.elapsed(), completing.elapsed())
    }

    async fn check_size(&self, key: &str) {
        let info = self.store.head(key).await.expect("HEAD the object");
        assert_eq!(info.size, self.size, "{key}: stored size");
    }
}

/// SHA-256 of a stored object, read chunk by chunk.
async fn object_sha256(store: &S3Objects, key: &str) -> (u64, String) {
    let mut reader = store.open(key).await.expect("GET the object");
    let mut hash = Sha256::new();
    let mut size = 0u64;
    while let Some(chunk) = reader.chunk().await.expect("object body") {
        size += chunk.len() as u64;
        hash.update(&chunk);
    }
    (size, hex(&hash.finalize()))
}

fn key(what: &str) -> String {
    format!(
        "nominations/{}/{what}/{}",
        ulid::Ulid::new(),
        ulid::Ulid::new()
    )
}

fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

#[tokio::main]
async fn main() {
    let size = env_u64("BENCH_UPLOAD_MIB", 1024) * MIB;
    let rounds = env_u64("BENCH_ROUNDS", 2).max(1);
    let part_size = env_u64("BENCH_PART_MIB", 8) * MIB;
    let in_flight = usize::try_from(env_u64("BENCH_PARTS_IN_FLIGHT", 4).max(1)).unwrap();
    let read_buffer = usize::try_from(env_u64("BENCH_READ_KIB", 256).max(4) * 1024).unwrap();
    let reload = Duration::from_millis(env_u64("BENCH_RELOAD_MS", 500));
    let list_page = u32::try_from(env_u64("BENCH_LIST_PAGE", 32)).unwrap();
    assert!(
        size > 0 && part_size >= 5 * MIB,
        "a file, and parts of at least 5 MiB"
    );

    let dir = match std::env::var_os("BENCH_DIR") {
        Some(d) if !d.is_empty() => tempfile::Builder::new()
            .prefix("upload-bench-")
            .tempdir_in(d)
            .expect("temp dir in BENCH_DIR"),
        _ => tempfile::Builder::new()
            .prefix("upload-bench-")
            .tempdir()
            .expect("temp dir"),
    };
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "upload_throughput: {} MiB file, {} MiB parts, {in_flight} parts in flight, URLs signed {PRESIGN_BATCH} at a time, \
         {} KiB file reads, {rounds} round(s), {cores} cores, folder {}",
        size / MIB,
        part_size / MIB,
        read_buffer / 1024,
        dir.path().display()
    );

    let path = dir.path().join("upload.bin");
    let made = Instant::now();
    let file_sha = make_file(&path, size);
    println!(
        "  file made in {:.1} s (pseudo-random, SHA-256 {}…)",
        made.elapsed().as_secs_f64(),
        &file_sha[..16]
    );

    let s3 = EmbeddedS3::start(
        &dir.path().join("s3"),
        &EmbeddedS3Config::ephemeral(),
        &[APP_ORIGIN.to_owned()],
    )
    .await
    .expect("start the embedded S3 endpoint");
    let setup = Setup {
        store: s3.objects(UPLOADS_BUCKET),
        http: Setup::http_for(&s3),
        path: Arc::new(path),
        size,
        part_size,
        in_flight,
        read_buffer,
    };
    println!(
        "  endpoint {} (URLs signed for {}), {} parts per upload",
        s3.internal_url(),
        s3.public_url(),
        setup.part_count()
    );

    let (mut singles, mut multis, mut parts_only) = (Vec::new(), Vec::new(), Vec::new());
    for round in 1..=rounds {
        let k = key("single");
        let single = setup.single(&k).await;
        setup.check_size(&k).await;
        setup.store.delete(&k).await.expect("delete");

        let k = key("multipart");
        let (multi, complete) = setup.multipart(&k).await;
        setup.check_size(&k).await;
        setup.store.delete(&k).await.expect("delete");

        let (s, m) = (mib_s(size, single), mib_s(size, multi));
        let p = mib_s(size, multi - complete);
        println!(
            "  round {round}: single PUT {:>6.2} s {s:>7.1} MiB/s | multipart {:>6.2} s {m:>7.1} MiB/s \
             (parts {:.2} s {p:.1} MiB/s, complete {:.2} s) | ratio {:.2} (parts alone {:.2})",
            single.as_secs_f64(),
            multi.as_secs_f64(),
            (multi - complete).as_secs_f64(),
            complete.as_secs_f64(),
            m / s,
            p / s
        );
        singles.push(s);
        multis.push(m);
        parts_only.push(p);
    }
    let (s, m, p) = (mean(&singles), mean(&multis), mean(&parts_only));
    println!(
        "  mean: single PUT {s:.1} MiB/s, multipart {m:.1} MiB/s, ratio {:.2} (target ≥ 0.80); \
         parts alone (create to last part acknowledged) {p:.1} MiB/s, ratio {:.2}",
        m / s,
        p / s
    );

    // Resume: kill at half the bytes acknowledged, then list, send the missing parts, complete.
    let k = key("resume");
    let upload_id = setup
        .store
        .create_multipart(&k, CONTENT_TYPE)
        .await
        .expect("create multipart");
    let numbers: Vec<u32> = (1..=setup.part_count()).collect();
    let killed = setup
        .send_parts(&k, &upload_id, &numbers, Some(size.div_ceil(2)))
        .await;
    let acked_bytes: u64 = killed.acked.iter().map(|p| setup.part(p.number).1).sum();
    tokio::time::sleep(reload).await;

    // The reloaded page: new connections, every page of ListParts.
    let resumed = Setup {
        http: Setup::http_for(&s3),
        store: s3
            .objects(UPLOADS_BUCKET)
            .with_list_parts_page_size(list_page),
        ..setup.clone()
    };
    let resume_started = Instant::now();
    let listed = resumed
        .store
        .list_parts(&k, &upload_id)
        .await
        .expect("list parts");
    let list_time = resume_started.elapsed();
    let held: Vec<CompletedPart> = listed
        .iter()
        .filter(|p| p.number <= resumed.part_count() && p.size == resumed.part(p.number).1)
        .map(CompletedPart::from)
        .collect();
    let held_numbers: BTreeSet<u32> = held.iter().map(|p| p.number).collect();
    let missing: Vec<u32> = numbers
        .iter()
        .copied()
        .filter(|n| !held_numbers.contains(n))
        .collect();
    let sent = resumed.send_parts(&k, &upload_id, &missing, None).await;
    let mut parts = held;
    parts.extend(sent.acked);
    parts.sort_by_key(|p| p.number);
    resumed
        .store
        .complete_multipart(&k, &upload_id, &parts)
        .await
        .expect("complete the resumed upload");
    let resume_time = resume_started.elapsed();

    let missing_at_kill = numbers.len() - killed.acked.len();
    let in_flight_held = killed
        .in_flight
        .iter()
        .filter(|n| held_numbers.contains(n))
        .count();
    let resent = killed.in_flight.len() - in_flight_held;
    let (stored, object_sha) = object_sha256(&resumed.store, &k).await;
    println!(
        "  resume: killed at {:.1} % of the bytes acknowledged: {} parts acknowledged, {} in flight \
         (dropped), {} not started → {missing_at_kill} parts missing at the kill",
        acked_bytes as f64 * 100.0 / size as f64,
        killed.acked.len(),
        killed.in_flight.len(),
        killed.not_started.len()
    );
    println!(
        "          after {} ms: ListParts (pages of {list_page}) held {} parts ({} of those in flight \
         at the kill) → {} parts sent after the resume of {missing_at_kill} missing at the kill; \
         re-sent (in flight at the kill, not stored): {resent} part(s) (target ≤ 2); \
         ListParts {:.2} s, resume to complete {:.2} s",
        reload.as_millis(),
        listed.len(),
        in_flight_held,
        missing.len(),
        list_time.as_secs_f64(),
        resume_time.as_secs_f64()
    );
    assert_eq!(
        missing.len(),
        killed.not_started.len() + resent,
        "the parts sent after the resume are those never started and those lost in flight"
    );
    assert_eq!(stored, size, "stored size");
    assert_eq!(object_sha, file_sha, "stored SHA-256");
    println!(
        "          completed object: {stored} bytes (= file), SHA-256 {}… (= file)",
        &object_sha[..16]
    );
    resumed.store.delete(&k).await.expect("delete");
    s3.shutdown().await;
}
