//! Publication of a national round to the embedded local S3 (s3s + s3s-fs over HTTP, SigV4
//! checked): 10,000 awards spread over the 514 regencies of the 38 provinces, each with a
//! product-photo thumbnail, read from the embedded store, rendered and written
//! (`ovop_awards::publish::publish_all`) — what `POST /api/v1/publication` does. Figures:
//!
//! - the first publication: every award page, photo (copied from the uploads bucket), asset
//!   and the listing version — once;
//! - a publication after one award is revoked: the listing version and its stable pages
//!   written, the other award pages left as they are, the old version and the revoked award's
//!   page and photo deleted — the usual case, median of the runs;
//! - a publication of unchanged awards (nothing written), median;
//! - the pure rendering alone, median.
//!
//! `cargo bench -p ovop-tests --bench publication` (env: `BENCH_RUNS`, default 3;
//! `BENCH_AWARDS`, default 10,000). Seeding the store and the uploads is not timed. Each figure
//! is wall time and the process's CPU time (user + system; the embedded S3 endpoint runs in
//! this process, so it is both ends of every request).

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use chrono::NaiveDate;
use ovop_awards::publish::{load, publish_all, render, File, Site};
use ovop_awards::AppState;
use ovop_core::award::{Award, Decree, Determination};
use ovop_core::dto::awards::PublicationReport;
use ovop_core::region::regencies;
use ovop_core::stars::{Score, StarScale, Stars};
use ovop_local::{EmbeddedS3, EmbeddedS3Config, PUBLIC_BUCKET, UPLOADS_BUCKET};
use ovop_platform::clock::SystemClock;
use ovop_platform::objects::ObjectStore;
use ovop_platform::store::{Store, Tx};
use ovop_tests::embedded_store;

const COMMODITIES: [&str; 5] = [
    "makanan_minuman",
    "kain_tenun",
    "kain_batik",
    "anyaman",
    "gerabah",
];
/// A 480-pixel JPEG thumbnail's usual size.
const THUMBNAIL_BYTES: usize = 24 * 1024;
/// Upload requests in flight while seeding.
const SEED_CONCURRENCY: usize = 32;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn awards(n: usize) -> Vec<Award> {
    let regencies = regencies();
    let day = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
    (0..n)
        .map(|i| {
            let r = &regencies[(i * 7) % regencies.len()];
            let id = format!("01AWD{i:021}");
            Award {
                photo_key: Some(format!("thumbnails/{id}/D07/01UPL{i:021}.jpg")),
                id,
                round_id: "ovop-2026".into(),
                year: 2026,
                ikm_name: format!("IKM Sentra Unggulan {i}"),
                product_name: format!("Produk Unggulan Daerah Nomor {i}"),
                product_story: format!(
                    "Produk nomor {i} dibuat oleh perajin sentra secara turun-temurun dari bahan \
                     baku lokal yang dipilih dengan cermat. Setiap tahap dikerjakan dengan \
                     tangan, dari persiapan bahan hingga pengemasan, sehingga mutu terjaga.\n\
                     Sentra ini mempekerjakan warga sekitar dan memasarkan produknya ke kota \
                     besar dan mancanegara."
                ),
                commodity: COMMODITIES[i % COMMODITIES.len()].into(),
                regency_code: r.code.clone(),
                province_code: r.code.province(),
                stars: Stars::new(StarScale::Ovop2021, [1, 1, 2, 2, 3][i % 5]).unwrap(),
                final_score: Score::try_from(85.5).unwrap(),
                decree_number: "1234/M-IND/Kep/11/2026".into(),
                decree_date: day,
                valid_from: day,
                valid_until: NaiveDate::from_ymd_opt(2028, 11, 20).unwrap(),
                certificate_number: format!("OVOP/2026/{:05}", i + 1),
                revocation: None,
                version: 1,
            }
        })
        .collect()
}

async fn seed(store: &Store, uploads: &Arc<dyn ObjectStore>, awards: &[Award]) {
    let day = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
    let determination = Determination {
        round_id: "ovop-2026".into(),
        decree: Decree {
            number: "1234/M-IND/Kep/11/2026".into(),
            date: day,
            signer: "Menteri Perindustrian".into(),
            valid_until: NaiveDate::from_ymd_opt(2028, 11, 20).unwrap(),
        },
        decree_document: "decrees/ovop-2026/d.pdf".into(),
        awards: awards.len() as u32,
        determined_by: "admin".into(),
        determined_at: chrono::Utc::now(),
    };
    let mut tx = Tx::new();
    tx.create(&determination).unwrap();
    store.commit(tx).await.unwrap();
    for chunk in awards.chunks(100) {
        let mut tx = Tx::new();
        for a in chunk {
            tx.create(a).unwrap();
        }
        store.commit(tx).await.unwrap();
    }
    let thumbnail = Bytes::from(
        (0..THUMBNAIL_BYTES)
            .map(|i| (i * 31 % 251) as u8)
            .collect::<Vec<u8>>(),
    );
    let mut tasks = tokio::task::JoinSet::new();
    for a in awards {
        if tasks.len() >= SEED_CONCURRENCY {
            tasks.join_next().await.unwrap().unwrap();
        }
        let (uploads, key, body) = (
            uploads.clone(),
            a.photo_key.clone().unwrap(),
            thumbnail.clone(),
        );
        tasks.spawn(async move { uploads.put(&key, body, "image/jpeg").await.unwrap() });
    }
    while let Some(r) = tasks.join_next().await {
        r.unwrap();
    }
}

/// How many files, and their bytes.
fn size<'a>(files: impl IntoIterator<Item = &'a File>) -> (usize, usize) {
    files
        .into_iter()
        .fold((0, 0), |(n, bytes), f| (n + 1, bytes + f.body.len()))
}

fn median(mut d: Vec<Duration>) -> Duration {
    d.sort();
    d[d.len() / 2]
}

/// The process's CPU time, user and system (`/proc/self/stat`, in ticks of 10 ms). The
/// embedded S3 endpoint runs in this process: it is both ends of every request.
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(") ")
        .map_or("", |(_, rest)| rest)
        .split_whitespace()
        .collect();
    // After the command: state is field 3; utime and stime are fields 14 and 15.
    let ticks: u64 = fields
        .get(11..13)
        .unwrap_or_default()
        .iter()
        .filter_map(|v| v.parse::<u64>().ok())
        .sum();
    Duration::from_millis(ticks * 10)
}

/// Wall and CPU times of runs.
#[derive(Default)]
struct Runs {
    wall: Vec<Duration>,
    cpu: Vec<Duration>,
}

impl Runs {
    async fn time(&mut self, state: &AppState) -> PublicationReport {
        let (t, cpu) = (Instant::now(), cpu_time());
        let r = publish_all(state).await.unwrap();
        self.wall.push(t.elapsed());
        self.cpu.push(cpu_time() - cpu);
        r
    }

    fn line(self, what: &str, r: &PublicationReport) {
        let n = self.wall.len();
        println!(
            "publication: {:<38} {:>7.2} s ({:>6.2} s CPU)  {:>6} files  {:>7.1} MB written  (version {}, {} awards)",
            if n > 1 {
                format!("{what} (median of {n})")
            } else {
                what.to_owned()
            },
            median(self.wall).as_secs_f64(),
            median(self.cpu).as_secs_f64(),
            r.files_written,
            r.bytes_written as f64 / 1e6,
            r.version,
            r.awards
        );
    }
}

#[tokio::main]
async fn main() {
    let runs = env_usize("BENCH_RUNS", 3).max(1);
    let n = env_usize("BENCH_AWARDS", 10_000);
    let dir = tempfile::tempdir().unwrap();
    let s3 = EmbeddedS3::start(&dir.path().join("s3"), &EmbeddedS3Config::ephemeral(), &[])
        .await
        .expect("embedded S3");
    let (items, _store_dir) = embedded_store();
    let store = Store::new(Arc::new(items));
    let uploads: Arc<dyn ObjectStore> = Arc::new(s3.objects(UPLOADS_BUCKET));
    let public: Arc<dyn ObjectStore> = Arc::new(s3.objects(PUBLIC_BUCKET));
    let mut awards = awards(n);
    let provinces: std::collections::BTreeSet<_> =
        awards.iter().map(|a| a.province_code.clone()).collect();
    seed(&store, &uploads, &awards).await;
    println!(
        "publication: {n} awards in {} provinces, {} regencies, a {} KB thumbnail each; \
         {} requests at once",
        provinces.len(),
        regencies().len().min(n),
        THUMBNAIL_BYTES / 1024,
        ovop_awards::publish::write::CONCURRENT_REQUESTS
    );
    let state = AppState::on(
        store.clone(),
        uploads,
        public,
        Arc::new(SystemClock),
        "https://ovop.kemenperin.go.id/galeri/",
    );

    // The pure part: load and render.
    let publication = load(&store).await.unwrap();
    let site = Site::new(&state.gallery_url);
    let mut renders = Vec::new();
    let mut rendered = None;
    for _ in 0..runs {
        let t = Instant::now();
        rendered = Some(render(&site, &publication.rounds).unwrap());
        renders.push(t.elapsed());
    }
    let rendered = rendered.unwrap();
    let tree = size(&rendered.files);
    let pages = size(rendered.award_pages.iter().map(|p| &p.file));
    let stubs = size(&rendered.stubs);
    let largest = rendered
        .files
        .iter()
        .filter(|f| f.key.ends_with(".html"))
        .max_by_key(|f| f.body.len())
        .unwrap();
    println!(
        "publication: render only (median of {runs})        {:>7.2} s  tree {} files {:.1} MB, award pages {} files {:.1} MB, stubs {} files {:.1} MB; largest page {} KB ({})",
        median(renders).as_secs_f64(),
        tree.0,
        tree.1 as f64 / 1e6,
        pages.0,
        pages.1 as f64 / 1e6,
        stubs.0,
        stubs.1 as f64 / 1e6,
        largest.body.len() / 1024,
        largest.key
    );
    for key in ["index.html", "ovop-2026/index.html", "data/ovop-2026.json"] {
        let f = rendered
            .files
            .iter()
            .find(|f| f.key.ends_with(&format!("/{}/{key}", rendered.version)))
            .unwrap();
        println!("publication:   {key:<28} {:>8} bytes", f.body.len());
    }
    let page = &rendered.award_pages[0].file;
    println!(
        "publication:   {:<28} {:>8} bytes",
        "an award page",
        page.body.len()
    );

    // Once: it needs a bucket without the gallery, and a bucket emptied for another run measured
    // up to twice the CPU (system time in s3s-fs's files) — not the first publication's figure.
    let mut first = Runs::default();
    let mut last = Some(first.time(&state).await);
    first.line("first, photos copied", last.as_ref().unwrap());

    let mut revoked = Runs::default();
    for run in 0..runs {
        let a = awards.remove(run * 997 % awards.len());
        let mut tx = Tx::new();
        tx.update(
            &a.revoke("Izin usaha dicabut.", "admin", chrono::Utc::now())
                .unwrap(),
            a.version,
        )
        .unwrap();
        store.commit(tx).await.unwrap();
        last = Some(revoked.time(&state).await);
    }
    revoked.line("one revoked", last.as_ref().unwrap());

    let mut unchanged = Runs::default();
    for _ in 0..runs {
        let r = unchanged.time(&state).await;
        assert!(r.unchanged);
        last = Some(r);
    }
    unchanged.line("unchanged", last.as_ref().unwrap());
    s3.shutdown().await;
}
