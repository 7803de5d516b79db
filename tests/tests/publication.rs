//! Publication of the public gallery (`ovop_awards::publish`) into the embedded S3 (s3s +
//! s3s-fs) from the embedded store: exactly the public fields, never a secret in any file;
//! a publication interrupted half-way leaves the previous version visible and whole;
//! publishing again writes nothing; a revocation writes the listings again, not the other
//! awards' pages; a revoked award is gone after the next publication; one publication at a
//! time; the local app serves the files as CloudFront does.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use axum::body::Body;
use axum::extract::State;
use bytes::Bytes;
use chrono::NaiveDate;
use http::Request;
use ovop_awards::publish::write::{manifest_key, Manifest, STATE_KEY};
use ovop_awards::publish::{publish_all, PublishError};
use ovop_awards::AppState;
use ovop_core::award::{determine, Award, DecreeForm, PublicAward};
use ovop_core::gallery::{GalleryIndex, ListedAward, Pointer, RoundAwards};
use ovop_core::moderation::{Recommendation, Recommended};
use ovop_core::nomination::Nomination;
use ovop_core::stars::{Outcome, Score, StarScale, Stars};
use ovop_core::status::NominationStatus;
use ovop_local::{EmbeddedS3, EmbeddedS3Config, PUBLIC_BUCKET, UPLOADS_BUCKET};
use ovop_platform::auth::Caller;
use ovop_platform::clock::ManualClock;
use ovop_platform::objects::{
    CompletedPart, Disposition, ObjectError, ObjectInfo, ObjectReader, ObjectStore, Part,
    PresignedRequest,
};
use ovop_platform::store::entities::PublicationLease;
use ovop_platform::store::{Store, Tx};
use ovop_platform::ApiError;
use ovop_tests::{draft, embedded_store_with, open_round, start_time};
use serde_json::Value;
use sha2::{Digest, Sha256};
use tempfile::TempDir;
use tower::ServiceExt;

const GALLERY: &str = "https://ovop.example.go.id/galeri/";

/// What a nomination holds that the public never sees (the seeded form's values).
const SECRETS: [&str; 7] = [
    "9120009876543",        // NIB
    "Siti Aminah",          // owner
    "Jl. Sentra IKM No. 1", // address
    "450000000",            // investment
    "188.4/123/2020",       // the sentra's decree
    "87.65",                // a final score
    "Penilai Rahasia",      // who locked the recommendation
];

/// The awards' IKM names: none a part of another.
const IKMS: [(&str, &str); 5] = [
    ("33.74", "Tenun Ikat Semarang"),
    ("33.26", "Batik Pesisir Pekalongan"),
    ("33.26", "Anyaman Mendong Wiradesa"),
    ("35.15", "Gerabah Kasongan Sidoarjo"),
    ("35.78", "Kopi Arek Surabaya"),
];

/// The embedded S3 and store, and awards of one determined round.
struct World {
    s3: EmbeddedS3,
    /// The store's and the publications' clock.
    clock: Arc<ManualClock>,
    store: Store,
    uploads: Arc<dyn ObjectStore>,
    public: Arc<dyn ObjectStore>,
    awards: Vec<Award>,
    _dirs: (TempDir, TempDir),
}

impl World {
    async fn new() -> World {
        let s3_dir = tempfile::tempdir().unwrap();
        let s3 = EmbeddedS3::start(
            &s3_dir.path().join("s3"),
            &EmbeddedS3Config::ephemeral(),
            &[],
        )
        .await
        .expect("start the embedded S3 endpoint");
        let clock = Arc::new(ManualClock::new(start_time()));
        let (items, store_dir) = embedded_store_with(clock.clone());
        let store = Store::new(Arc::new(items));
        let uploads: Arc<dyn ObjectStore> = Arc::new(s3.objects(UPLOADS_BUCKET));
        let public: Arc<dyn ObjectStore> = Arc::new(s3.objects(PUBLIC_BUCKET));
        let awards = seed(&store, uploads.as_ref()).await;
        World {
            s3,
            clock,
            store,
            uploads,
            public,
            awards,
            _dirs: (s3_dir, store_dir),
        }
    }

    fn state(&self, public: Arc<dyn ObjectStore>) -> AppState {
        AppState::on(
            self.store.clone(),
            self.uploads.clone(),
            public,
            self.clock.clone(),
            GALLERY,
        )
    }

    async fn publish(&self) -> ovop_core::dto::awards::PublicationReport {
        publish_all(&self.state(self.public.clone()))
            .await
            .expect("published")
    }

    async fn pointer(&self) -> Option<Pointer> {
        match self.public.read("galeri/latest.json", 1 << 20).await {
            Ok(b) => Some(serde_json::from_slice(&b).unwrap()),
            Err(ObjectError::NotFound(_)) => None,
            Err(e) => panic!("{e}"),
        }
    }

    async fn manifest(&self, version: &str) -> Manifest {
        let body = self
            .public
            .read(&manifest_key(version), 1 << 26)
            .await
            .unwrap();
        serde_json::from_slice(&body).unwrap()
    }

    async fn text(&self, key: &str) -> String {
        let body = self.public.read(key, 1 << 26).await.unwrap();
        String::from_utf8(body.to_vec()).unwrap()
    }

    async fn revoke(&self, award: &Award) {
        let revoked = award
            .revoke("Izin usaha dicabut.", "admin", start_time())
            .unwrap();
        let mut tx = Tx::new();
        tx.update(&revoked, award.version).unwrap();
        self.store.commit(tx).await.unwrap();
    }

    /// Every object of the public bucket, read from s3s-fs's folder (the port has no listing):
    /// key → bytes.
    fn objects(&self) -> BTreeMap<String, Vec<u8>> {
        let root = self.s3.root().join(PUBLIC_BUCKET);
        let mut out = BTreeMap::new();
        walk(&root, &root, &mut out);
        out
    }

    async fn etags(&self, keys: &BTreeSet<String>) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        for k in keys {
            out.insert(k.clone(), self.public.head(k).await.unwrap().etag);
        }
        out
    }

    /// The stable page of `path` (below the gallery) through the local app's gallery.
    async fn get(&self, path: &str) -> (u16, http::HeaderMap, String) {
        let response = ovop_local::web::gallery(self.public.clone())
            .oneshot(
                Request::get(path)
                    .header("accept-encoding", "identity")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = axum::body::to_bytes(response.into_body(), 1 << 26)
            .await
            .unwrap();
        (status, headers, String::from_utf8_lossy(&body).into_owned())
    }
}

fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path: PathBuf = entry.unwrap().path();
        if path.is_dir() {
            walk(root, &path, out);
        } else {
            let key = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            out.insert(key, std::fs::read(&path).unwrap());
        }
    }
}

/// A determined round ovop-2026 of [`IKMS`] (the first two with a product photo), stored
/// through the store as the determination writes it.
async fn seed(store: &Store, uploads: &dyn ObjectStore) -> Vec<Award> {
    let round = open_round();
    let nominations: Vec<Nomination> = IKMS
        .iter()
        .map(|(regency, name)| {
            let mut n = draft(regency, name).nomination;
            n.status = NominationStatus::Recommended;
            n.profile.product.description =
                format!("Produk {name} dibuat turun-temurun.\nBahan baku lokal.");
            n
        })
        .collect();
    let recommendation = Recommendation {
        round_id: round.id.clone(),
        items: nominations
            .iter()
            .enumerate()
            .map(|(i, n)| Recommended {
                round_id: n.round_id.clone(),
                nomination_id: n.id.clone(),
                ikm_name: n.profile.ikm.name.clone(),
                commodity: n.profile.product.commodity.clone(),
                final_score: Score::try_from(87.65).unwrap(),
                outcome: Outcome::Awarded {
                    stars: Stars::new(StarScale::Ovop2021, 1 + (i % 3) as u8).unwrap(),
                },
                result_version: 1,
            })
            .collect(),
        locked_by: "Penilai Rahasia".into(),
        locked_at: start_time(),
    };
    let day = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
    let decree = DecreeForm {
        number: "1234/M-IND/Kep/11/2026".into(),
        date: Some(day),
        signer: "Menteri Perindustrian".into(),
        valid_until: None,
    }
    .validate(day)
    .unwrap();
    let mut photos = BTreeMap::new();
    for n in &nominations[..2] {
        let key = format!("thumbnails/{}/D07/{}.jpg", n.id, ulid::Ulid::new());
        let jpeg = [&[0xFF, 0xD8, 0xFF, 0xE0][..], n.id.as_bytes()].concat();
        uploads
            .put(&key, Bytes::from(jpeg), "image/jpeg")
            .await
            .unwrap();
        photos.insert(n.id.clone(), key);
    }
    let (determination, awards) = determine(
        &recommendation,
        2026,
        &nominations,
        &photos,
        &decree,
        "decrees/ovop-2026/d.pdf",
        "Penilai Rahasia",
        start_time(),
    )
    .unwrap();
    let mut tx = Tx::new();
    tx.create(&round).unwrap();
    tx.create(&determination).unwrap();
    for a in &awards {
        tx.create(a).unwrap();
    }
    store.commit(tx).await.unwrap();
    awards
}

/// The keys of a JSON object.
fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object().unwrap().keys().cloned().collect()
}

/// Every key a version names, and the pointer.
fn published_keys(m: &Manifest) -> BTreeSet<String> {
    m.keys().chain(["galeri/latest.json".to_owned()]).collect()
}

#[tokio::test]
async fn publication_writes_exactly_the_public_fields_and_no_secret_reaches_any_file() {
    let w = World::new().await;
    let report = w.publish().await;
    assert_eq!((report.rounds, report.awards), (1, 5));
    assert!(!report.unchanged);
    let pointer = w.pointer().await.expect("latest.json written");
    assert_eq!(pointer.version, report.version);
    let v = format!("galeri/v/{}/", report.version);

    // The round's data: every award with exactly PublicAward's fields but the story, which
    // its page carries.
    let data: Value =
        serde_json::from_str(&w.text(&format!("{v}data/ovop-2026.json")).await).unwrap();
    let mut listed_fields = keys(&serde_json::to_value(w.awards[0].public()).unwrap());
    assert!(listed_fields.remove("product_story"));
    let awards = data["awards"].as_array().unwrap();
    assert_eq!(awards.len(), 5);
    for a in awards {
        assert_eq!(keys(a), listed_fields);
    }
    assert_eq!(
        keys(&data),
        BTreeSet::from(["round_id".into(), "awards".into()])
    );
    let typed: RoundAwards = serde_json::from_value(data.clone()).unwrap();
    let mut expected: Vec<PublicAward> = w.awards.iter().map(Award::public).collect();
    expected.sort_by(|a, b| {
        (&a.province_code, &a.regency_code, &a.id).cmp(&(&b.province_code, &b.regency_code, &b.id))
    });
    let listed: Vec<ListedAward> = expected.iter().map(ListedAward::from).collect();
    assert_eq!(typed.awards, listed);

    // Each award's page, at its stable address: the public fields, the story among them.
    for a in &expected {
        let page = w
            .text(&format!("galeri/penghargaan/{}/index.html", a.id))
            .await;
        for shown in [
            &a.ikm_name,
            &a.product_name,
            &a.certificate_number,
            &a.decree_number,
            &a.regency_name,
            &a.province_name,
        ] {
            assert!(
                page.contains(shown.as_str()),
                "{shown} not on {}'s page",
                a.id
            );
        }
        for line in a.product_story.lines() {
            assert!(page.contains(line), "{line:?} not on {}'s page", a.id);
        }
    }
    let index: GalleryIndex =
        serde_json::from_str(&w.text(&format!("{v}data/index.json")).await).unwrap();
    assert_eq!(index.rounds.len(), 1);
    assert_eq!(index.rounds[0].awards, 5);
    let provinces: Vec<(&str, u32)> = index.rounds[0]
        .provinces
        .iter()
        .map(|p| (p.province_code.as_str(), p.awards))
        .collect();
    assert_eq!(provinces, [("33", 3), ("35", 2)]);

    // Every file in the bucket: the manifest's and nothing else, no secret in any.
    let manifest = w.manifest(&report.version).await;
    let objects = w.objects();
    let on_disk: BTreeSet<String> = objects.keys().cloned().collect();
    assert_eq!(on_disk, published_keys(&manifest));
    assert_eq!(manifest.photos.len(), 2);
    assert_eq!(manifest.awards.len(), 5);
    assert_eq!(manifest.assets.len(), 2);
    assert_eq!(
        report.files_written as usize,
        on_disk.len() + 1,
        "and the state, deleted"
    );
    for (key, body) in &objects {
        let text = String::from_utf8_lossy(body);
        for secret in SECRETS {
            assert!(!text.contains(secret), "{secret} leaked into {key}");
        }
    }
    // The photo was copied as it was made at upload.
    let photo = w.public.read(&manifest.photos[0], 1 << 20).await.unwrap();
    assert_eq!(&photo[..3], &[0xFF, 0xD8, 0xFF]);
}

#[tokio::test]
async fn the_local_gallery_serves_the_published_files_as_cloudfront_does() {
    let w = World::new().await;
    let report = w.publish().await;
    let v = report.version;
    let award = &w.awards[0];

    // An award's page at its stable address (the QR code's): the page itself, no redirect.
    let address = format!("/galeri/penghargaan/{}/", award.id);
    let (status, headers, page) = w.get(&address).await;
    assert_eq!(status, 200);
    assert_eq!(headers["cache-control"], "no-cache");
    assert_eq!(headers["content-type"], "text/html; charset=utf-8");
    assert!(page.contains("<html lang=\"id\">"));
    assert!(!page.contains("http-equiv"), "{page}");
    assert!(page.contains(&award.product_name) && page.contains(&award.ikm_name));
    assert!(page.contains(&format!(
        "<link rel=\"canonical\" href=\"{GALLERY}penghargaan/{}/\">",
        award.id
    )));
    assert!(page.contains("og:image"));
    assert!(page.contains("href=\"/galeri/ovop-2026/\""), "{page}");
    let etag = headers["etag"].to_str().unwrap().to_owned();
    let not_modified = ovop_local::web::gallery(w.public.clone())
        .oneshot(
            Request::get(&address)
                .header("if-none-match", &etag)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(not_modified.status(), 304);

    // Its stylesheet, outside the versions under its content's name.
    let stylesheet = between(&page, "<link rel=\"stylesheet\" href=\"", "\"");
    assert!(
        stylesheet.starts_with("/galeri/aset/gallery-"),
        "{stylesheet}"
    );
    let (status, headers, css) = w.get(stylesheet).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "text/css; charset=utf-8");
    assert!(css.contains("box-sizing"));

    // Its photo, from the gallery's own folder.
    let photo = w.awards[0].public().photo.unwrap();
    assert!(page.contains(&format!("src=\"/galeri/{photo}\"")), "{page}");
    let (status, headers, _) = w.get(&format!("/galeri/{photo}")).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "image/jpeg");
    assert_eq!(
        headers["cache-control"],
        "public, max-age=31536000, immutable"
    );

    // The stable round page sends the browser into the version, whose pages never change.
    let (status, headers, stub) = w.get("/galeri/ovop-2026/").await;
    assert_eq!(status, 200);
    assert_eq!(headers["cache-control"], "no-cache");
    let target = format!("/galeri/v/{v}/ovop-2026/index.html");
    assert!(stub.contains(&format!("url={target}")), "{stub}");
    let (status, headers, round) = w.get(&target).await;
    assert_eq!(status, 200);
    assert_eq!(
        headers["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert!(round.contains(&format!("href=\"/galeri/penghargaan/{}/\"", award.id)));
    let script = between(&round, "<script src=\"", "\"");
    let (status, headers, _) = w.get(script).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "text/javascript; charset=utf-8");
    let data = between(&round, "data-json=\"", "\"");
    assert_eq!(data, format!("/galeri/v/{v}/data/ovop-2026.json"));
    let (status, _, json) = w.get(data).await;
    assert_eq!(status, 200);
    serde_json::from_str::<RoundAwards>(&json).unwrap();

    // Compressed as CloudFront's `Compress: true` does.
    let compressed = ovop_local::web::gallery(w.public.clone())
        .oneshot(
            Request::get(&address)
                .header("accept-encoding", "br, gzip")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let encoding = compressed.headers()["content-encoding"].to_str().unwrap();
    assert!(encoding == "br" || encoding == "gzip", "{encoding}");

    // A URL without its final slash is sent to the page; a missing page answers the 404 page.
    let (status, headers, _) = w.get(&format!("/galeri/penghargaan/{}", award.id)).await;
    assert_eq!(status, 308);
    assert_eq!(headers["location"], address.as_str());
    let (status, _, page) = w.get("/galeri/penghargaan/01NOSUCHAWARD/").await;
    assert_eq!(status, 404);
    assert!(page.contains("tidak berlaku lagi"), "{page}");
    assert!(page.contains(&format!("href=\"{stylesheet}\"")), "{page}");
    let (status, _, _) = w.get("/galeri/../publication/state.json").await;
    assert_eq!(status, 404);
    let (status, _, index) = w.get("/galeri/").await;
    assert_eq!(status, 200);
    assert!(index.contains(&format!("url=/galeri/v/{v}/index.html")));
}

/// The text of `html` between the first `start` and the next `end`.
fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("no {start} in {html}"))
        + start.len();
    let len = html[from..].find(end).unwrap();
    &html[from..from + len]
}

/// The public bucket, watched: puts and deletes counted and the keys put recorded; every put
/// after the first `allowed` failing; puts held back while [`Watched::hold`] says so.
struct Watched {
    inner: Arc<dyn ObjectStore>,
    allowed: usize,
    puts: AtomicUsize,
    deletes: AtomicUsize,
    put_keys: Mutex<Vec<String>>,
    /// While `true`, a put waits (after saying so on `waiting`).
    hold: tokio::sync::watch::Sender<bool>,
    waiting: tokio::sync::Notify,
}

impl Watched {
    /// Failing every put after the first `allowed`.
    fn failing_after(inner: Arc<dyn ObjectStore>, allowed: usize) -> Arc<Watched> {
        Arc::new(Watched {
            inner,
            allowed,
            puts: AtomicUsize::new(0),
            deletes: AtomicUsize::new(0),
            put_keys: Mutex::new(Vec::new()),
            hold: tokio::sync::watch::Sender::new(false),
            waiting: tokio::sync::Notify::new(),
        })
    }

    /// Only watching.
    fn counting(inner: Arc<dyn ObjectStore>) -> Arc<Watched> {
        Self::failing_after(inner, usize::MAX)
    }

    /// The keys put, in order.
    fn put_keys(&self) -> Vec<String> {
        self.put_keys.lock().unwrap().clone()
    }
}

#[async_trait]
impl ObjectStore for Watched {
    async fn presign_put(
        &self,
        key: &str,
        content_type: &str,
        content_length: u64,
        expires_in: Duration,
    ) -> Result<PresignedRequest, ObjectError> {
        self.inner
            .presign_put(key, content_type, content_length, expires_in)
            .await
    }
    async fn create_multipart(&self, key: &str, content_type: &str) -> Result<String, ObjectError> {
        self.inner.create_multipart(key, content_type).await
    }
    async fn presign_upload_part(
        &self,
        key: &str,
        upload_id: &str,
        part_number: u32,
        content_length: Option<u64>,
        expires_in: Duration,
    ) -> Result<PresignedRequest, ObjectError> {
        self.inner
            .presign_upload_part(key, upload_id, part_number, content_length, expires_in)
            .await
    }
    async fn list_parts(&self, key: &str, upload_id: &str) -> Result<Vec<Part>, ObjectError> {
        self.inner.list_parts(key, upload_id).await
    }
    async fn complete_multipart(
        &self,
        key: &str,
        upload_id: &str,
        parts: &[CompletedPart],
    ) -> Result<String, ObjectError> {
        self.inner.complete_multipart(key, upload_id, parts).await
    }
    async fn abort_multipart(&self, key: &str, upload_id: &str) -> Result<(), ObjectError> {
        self.inner.abort_multipart(key, upload_id).await
    }
    async fn head(&self, key: &str) -> Result<ObjectInfo, ObjectError> {
        self.inner.head(key).await
    }
    async fn read_prefix(&self, key: &str, n: u64) -> Result<Bytes, ObjectError> {
        self.inner.read_prefix(key, n).await
    }
    async fn open(&self, key: &str) -> Result<ObjectReader, ObjectError> {
        self.inner.open(key).await
    }
    async fn put(&self, key: &str, body: Bytes, content_type: &str) -> Result<String, ObjectError> {
        self.put_keys.lock().unwrap().push(key.to_owned());
        if self.puts.fetch_add(1, Ordering::SeqCst) >= self.allowed {
            return Err(ObjectError::backend(
                format!("PutObject {key}"),
                "connection reset (test)",
            ));
        }
        let mut held = self.hold.subscribe();
        if *held.borrow_and_update() {
            self.waiting.notify_one();
            let _ = held.wait_for(|held| !*held).await;
        }
        self.inner.put(key, body, content_type).await
    }
    async fn delete(&self, key: &str) -> Result<(), ObjectError> {
        self.deletes.fetch_add(1, Ordering::SeqCst);
        self.inner.delete(key).await
    }
    async fn delete_all(&self, keys: &[String]) -> Result<(), ObjectError> {
        self.deletes.fetch_add(keys.len(), Ordering::SeqCst);
        self.inner.delete_all(keys).await
    }
    async fn presign_get(
        &self,
        key: &str,
        disposition: &Disposition,
        expires_in: Duration,
    ) -> Result<PresignedRequest, ObjectError> {
        self.inner.presign_get(key, disposition, expires_in).await
    }
}

/// Every stable page of `manifest` sends the browser into `manifest`'s version, and every
/// file of that version is readable.
/// Every stable listing page of `manifest` sends the browser into `manifest`'s version, every
/// award page holds the bytes the manifest hashed, and every other object is readable.
async fn assert_whole(w: &World, manifest: &Manifest) {
    let into = format!("url=/galeri/v/{}/", manifest.version);
    for stub in manifest.stubs.iter().filter(|k| !k.ends_with("404.html")) {
        let page = w.text(stub).await;
        assert!(
            page.contains(&into),
            "{stub} does not point at {into}: {page}"
        );
    }
    for (key, hash) in &manifest.awards {
        let body = w.public.read(key, 1 << 20).await.unwrap();
        assert_eq!(&short_hash(&body), hash, "{key}");
    }
    for key in manifest
        .files
        .iter()
        .chain(&manifest.photos)
        .chain(&manifest.assets)
    {
        w.public
            .head(key)
            .await
            .unwrap_or_else(|e| panic!("{key}: {e}"));
    }
}

/// As the manifest hashes an award page: 16 hex digits of SHA-256.
fn short_hash(body: &[u8]) -> String {
    Sha256::digest(body)[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[tokio::test]
async fn a_publication_interrupted_half_way_leaves_the_previous_version_visible() {
    let w = World::new().await;
    let first = w.publish().await;
    let before = w.manifest(&first.version).await;

    // An award is revoked; the next publication fails after a few files of its version.
    w.revoke(&w.awards[4]).await;
    let flaky = Watched::failing_after(w.public.clone(), 6);
    let failed = publish_all(&w.state(flaky.clone())).await;
    assert!(matches!(failed, Err(PublishError::Write(_))), "{failed:?}");
    let put = flaky.put_keys();
    assert!(put.len() > 6, "{put:?}");
    assert!(
        put.iter()
            .all(|k| k == STATE_KEY || k.starts_with("galeri/v/")),
        "it stopped inside the version: {put:?}"
    );

    // The gallery still shows the first version, whole: pointer, every stable listing page,
    // award pages, files.
    assert_eq!(w.pointer().await.unwrap().version, first.version);
    assert_whole(&w, &before).await;
    let (status, _, page) = w
        .get(&format!("/galeri/penghargaan/{}/", w.awards[4].id))
        .await;
    assert_eq!(status, 200, "still published until a publication succeeds");
    assert!(page.contains(&w.awards[4].product_name));

    // Another revocation, then a publication that succeeds: a third version; the first and
    // the abandoned one are gone, nothing but the new version's objects remains.
    w.revoke(&w.awards[3]).await;
    let third = w.publish().await;
    assert_ne!(third.version, first.version);
    assert_eq!(third.awards, 3);
    let now = w.manifest(&third.version).await;
    assert_whole(&w, &now).await;
    let on_disk: BTreeSet<String> = w.objects().keys().cloned().collect();
    assert_eq!(on_disk, published_keys(&now));
    assert!(matches!(
        w.public.head(STATE_KEY).await,
        Err(ObjectError::NotFound(_))
    ));
}

#[tokio::test]
async fn publishing_again_writes_nothing() {
    let w = World::new().await;
    let first = w.publish().await;
    let manifest = w.manifest(&first.version).await;
    let keys = published_keys(&manifest);
    let etags = w.etags(&keys).await;

    let counting = Watched::counting(w.public.clone());
    let again = publish_all(&w.state(counting.clone())).await.unwrap();
    assert!(again.unchanged);
    assert_eq!(again.version, first.version);
    assert_eq!(again.published_at, first.published_at);
    assert_eq!((again.files_written, again.bytes_written), (0, 0));
    assert_eq!(counting.puts.load(Ordering::SeqCst), 0);
    assert_eq!(counting.deletes.load(Ordering::SeqCst), 0);
    assert_eq!(w.etags(&keys).await, etags);
    let on_disk: BTreeSet<String> = w.objects().keys().cloned().collect();
    assert_eq!(on_disk, keys);
}

#[tokio::test]
async fn a_revoked_award_is_gone_after_re_publishing() {
    let w = World::new().await;
    let first = w.publish().await;
    let revoked = &w.awards[0]; // it has a photo
    let photo = format!("galeri/{}", revoked.public().photo.unwrap());
    w.public.head(&photo).await.expect("its photo is published");

    w.revoke(revoked).await;
    let second = w.publish().await;
    assert_ne!(second.version, first.version);
    assert_eq!(second.awards, 4);

    // Its page and photo are deleted; the gallery answers its 404 page.
    let page = format!("galeri/penghargaan/{}/index.html", revoked.id);
    assert!(matches!(
        w.public.head(&page).await,
        Err(ObjectError::NotFound(_))
    ));
    assert!(matches!(
        w.public.head(&photo).await,
        Err(ObjectError::NotFound(_))
    ));
    let (status, _, page) = w.get(&format!("/galeri/penghargaan/{}/", revoked.id)).await;
    assert_eq!(status, 404);
    assert!(page.contains("tidak berlaku lagi"));

    // The old version is deleted; no remaining file names the award.
    let objects = w.objects();
    let old = format!("galeri/v/{}/", first.version);
    assert!(
        objects.keys().all(|k| !k.starts_with(&old)),
        "{old} remains"
    );
    assert!(!objects.is_empty());
    for (key, body) in &objects {
        let text = String::from_utf8_lossy(body);
        for gone in [&revoked.ikm_name, &revoked.product_name, &revoked.id] {
            assert!(!text.contains(gone.as_str()), "{gone} is still in {key}");
        }
    }
    // The other awards stay, each on its page.
    for a in &w.awards[1..] {
        let (status, _, _) = w.get(&format!("/galeri/penghargaan/{}/", a.id)).await;
        assert_eq!(status, 200);
    }
}

#[tokio::test]
async fn a_republish_after_one_revocation_writes_the_listings_not_the_other_award_pages() {
    let w = World::new().await;
    let first = w.publish().await;
    let before = w.manifest(&first.version).await;
    let pages: BTreeSet<String> = before.awards.keys().cloned().collect();
    let etags = w.etags(&pages).await;

    let revoked = &w.awards[2];
    w.revoke(revoked).await;
    let counting = Watched::counting(w.public.clone());
    let second = publish_all(&w.state(counting.clone())).await.unwrap();
    assert_eq!(second.awards, 4);
    let after = w.manifest(&second.version).await;

    // The bookkeeping, the listing tree, the stable listing pages and the pointer, each once;
    // no award page, photo or asset.
    let put = counting.put_keys();
    let expected: BTreeSet<String> = after
        .files
        .iter()
        .chain(&after.stubs)
        .cloned()
        .chain([
            STATE_KEY.to_owned(),
            manifest_key(&second.version),
            "galeri/latest.json".to_owned(),
        ])
        .collect();
    assert_eq!(put.len(), expected.len(), "{put:?}");
    assert_eq!(put.iter().cloned().collect::<BTreeSet<_>>(), expected);
    assert_eq!(second.files_written as usize, expected.len());
    assert_eq!(put.last().map(String::as_str), Some("galeri/latest.json"));
    assert_eq!(put.len(), 2 + after.files.len() + after.stubs.len() + 1);

    // The other awards' pages are the ones written the first time; the revoked one's is gone.
    let stay: BTreeSet<String> = after.awards.keys().cloned().collect();
    assert_eq!(stay.len(), 4);
    assert_eq!(
        w.etags(&stay).await,
        etags
            .into_iter()
            .filter(|(k, _)| stay.contains(k))
            .collect()
    );
    assert!(matches!(
        w.public
            .head(&format!("galeri/penghargaan/{}/index.html", revoked.id))
            .await,
        Err(ObjectError::NotFound(_))
    ));
    let on_disk: BTreeSet<String> = w.objects().keys().cloned().collect();
    assert_eq!(on_disk, published_keys(&after));
}

fn admin() -> ovop_core::policy::Principal {
    ovop_core::policy::Principal {
        user_id: "admin".into(),
        name: "Admin".into(),
        role: ovop_core::policy::Role::Admin,
        region: None,
    }
}

#[tokio::test]
async fn two_publications_at_once_one_runs_and_the_other_is_refused_with_409() {
    let w = World::new().await;
    // The first publication holds its first write until the second has been answered.
    let held = Watched::counting(w.public.clone());
    held.hold.send_replace(true);
    let state = w.state(held.clone());
    let first =
        tokio::spawn(
            async move { ovop_awards::publish::publish(State(state), Caller(admin())).await },
        );
    held.waiting.notified().await;

    let second = ovop_awards::publish::publish(State(w.state(w.public.clone())), Caller(admin()))
        .await
        .map(|_| ())
        .unwrap_err();
    assert!(
        matches!(
            second,
            ApiError::Conflict {
                code: "publishing",
                ..
            }
        ),
        "{second:?}"
    );
    let problem = second.to_problem(ovop_core::Lang::En);
    assert_eq!(problem.status, 409);

    held.hold.send_replace(false);
    let report = first.await.unwrap().expect("the first one publishes").0;
    assert!(!report.unchanged);
    assert_eq!(w.pointer().await.unwrap().version, report.version);
    // It wrote the award pages before any stable listing page, and the pointer last.
    let put = held.put_keys();
    let last_award = put
        .iter()
        .rposition(|k| k.starts_with("galeri/penghargaan/"))
        .unwrap();
    let first_stub = put.iter().position(|k| k == "galeri/index.html").unwrap();
    assert!(last_award < first_stub, "{put:?}");
    assert_eq!(put.last().map(String::as_str), Some("galeri/latest.json"));
    // The lease is given back: the next publication runs (and has nothing to write).
    assert!(w.publish().await.unchanged);
}

#[tokio::test]
async fn a_lease_a_crashed_publication_left_is_taken_over_once_it_expires() {
    let w = World::new().await;
    let mut tx = Tx::new();
    tx.create(&PublicationLease {
        holder: "crashed".into(),
        token: 7,
        expires_at: start_time().timestamp() + 60,
    })
    .unwrap();
    w.store.commit(tx).await.unwrap();

    let refused = publish_all(&w.state(w.public.clone())).await;
    assert!(matches!(refused, Err(PublishError::Busy)), "{refused:?}");
    assert!(w.pointer().await.is_none(), "nothing was written");

    w.clock.set(start_time() + chrono::Duration::seconds(61));
    let report = w.publish().await;
    assert_eq!(w.pointer().await.unwrap().version, report.version);
    assert!(
        w.store
            .get::<PublicationLease>(&())
            .await
            .unwrap()
            .is_none(),
        "released"
    );
}

#[tokio::test]
async fn the_admin_publishes_over_the_api_and_the_local_app_serves_the_gallery() {
    // The local app publishes its demo data at start.
    let app = ovop_tests::TestApp::spawn().await;
    let admin = app.login("admin").await;
    let pointer: Pointer = app.get_json(&admin, "/api/v1/publication").await;

    // Nothing changed since: the same version, nothing written.
    let published = app
        .post(&admin, "/api/v1/publication")
        .send()
        .await
        .unwrap();
    assert_eq!(published.status(), 200);
    let report: ovop_core::dto::awards::PublicationReport = published.json().await.unwrap();
    assert!(report.unchanged);
    assert_eq!(report.version, pointer.version);
    assert_eq!((report.files_written, report.bytes_written), (0, 0));

    // Two at once: they do not interleave — one runs, the other is refused while it does (or
    // runs after it).
    let (one, two) = tokio::join!(
        app.post(&admin, "/api/v1/publication").send(),
        app.post(&admin, "/api/v1/publication").send()
    );
    let mut answers = Vec::new();
    for answer in [one.unwrap(), two.unwrap()] {
        let status = answer.status().as_u16();
        let body: Value = answer.json().await.unwrap();
        answers.push((status, body));
    }
    answers.sort_by_key(|(status, _)| *status);
    assert_eq!(answers[0].0, 200, "{answers:?}");
    match answers[1].0 {
        200 => {}
        409 => assert_eq!(answers[1].1["code"], "publishing", "{answers:?}"),
        other => panic!("{other}: {answers:?}"),
    }

    // Anyone reads it, with no sign-in, under the app's security headers.
    let stable = app.http.get(app.url("/galeri/")).send().await.unwrap();
    assert_eq!(stable.status(), 200);
    let v = &report.version;
    assert!(stable
        .text()
        .await
        .unwrap()
        .contains(&format!("url=/galeri/v/{v}/index.html")));
    let page = app
        .http
        .get(app.url(&format!("/galeri/v/{v}/index.html")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.headers().contains_key("content-security-policy"));
    let text = page.text().await.unwrap();
    assert!(text.contains("Pemenang Penghargaan OVOP"), "{text}");
    let stylesheet = app
        .http
        .get(app.url(between(&text, "<link rel=\"stylesheet\" href=\"", "\"")))
        .send()
        .await
        .unwrap();
    assert_eq!(stylesheet.status(), 200);
    assert_eq!(
        stylesheet.headers()["content-type"],
        "text/css; charset=utf-8"
    );
}
