//! Publication of the public gallery (`ovop_awards::publish`) into the embedded S3 (s3s +
//! s3s-fs) from the embedded store: exactly the public fields, never a secret in any file;
//! a publication interrupted half-way leaves the previous version visible and whole;
//! publishing again writes nothing; a revoked award is gone after the next publication; the
//! local app serves the files as CloudFront does.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use axum::body::Body;
use bytes::Bytes;
use chrono::NaiveDate;
use http::Request;
use ovop_awards::publish::write::{manifest_key, Manifest, STATE_KEY};
use ovop_awards::publish::{publish_all, PublishError};
use ovop_awards::AppState;
use ovop_core::award::{determine, Award, DecreeForm, PublicAward};
use ovop_core::gallery::{GalleryIndex, Pointer, RoundAwards};
use ovop_core::moderation::{Recommendation, Recommended};
use ovop_core::nomination::Nomination;
use ovop_core::stars::{Outcome, Score, StarScale, Stars};
use ovop_core::status::NominationStatus;
use ovop_local::{EmbeddedS3, EmbeddedS3Config, PUBLIC_BUCKET, UPLOADS_BUCKET};
use ovop_platform::clock::ManualClock;
use ovop_platform::objects::{
    CompletedPart, Disposition, ObjectError, ObjectInfo, ObjectReader, ObjectStore, Part,
    PresignedRequest,
};
use ovop_platform::store::{Store, Tx};
use ovop_tests::{draft, embedded_store_with, open_round, start_time};
use serde_json::Value;
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
        let (items, store_dir) = embedded_store_with(Arc::new(ManualClock::new(start_time())));
        let store = Store::new(Arc::new(items));
        let uploads: Arc<dyn ObjectStore> = Arc::new(s3.objects(UPLOADS_BUCKET));
        let public: Arc<dyn ObjectStore> = Arc::new(s3.objects(PUBLIC_BUCKET));
        let awards = seed(&store, uploads.as_ref()).await;
        World {
            s3,
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
            Arc::new(ManualClock::new(start_time())),
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

    // The round's data: every award with exactly PublicAward's fields.
    let data: Value =
        serde_json::from_str(&w.text(&format!("{v}data/ovop-2026.json")).await).unwrap();
    let public_fields = keys(&serde_json::to_value(w.awards[0].public()).unwrap());
    let awards = data["awards"].as_array().unwrap();
    assert_eq!(awards.len(), 5);
    for a in awards {
        assert_eq!(keys(a), public_fields);
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
    assert_eq!(typed.awards, expected);
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

    // The stable page of an award (the QR code's address): its card, then on to the version.
    let (status, headers, stub) = w.get(&format!("/galeri/penghargaan/{}/", award.id)).await;
    assert_eq!(status, 200);
    assert_eq!(headers["cache-control"], "no-cache");
    assert_eq!(headers["content-type"], "text/html; charset=utf-8");
    let target = format!("/galeri/v/{v}/penghargaan/{}/index.html", award.id);
    assert!(stub.contains(&format!("url={target}")), "{stub}");
    assert!(stub.contains(&format!(
        "<link rel=\"canonical\" href=\"{GALLERY}penghargaan/{}/\">",
        award.id
    )));
    assert!(stub.contains("og:image"));

    let (status, headers, page) = w.get(&target).await;
    assert_eq!(status, 200);
    assert_eq!(
        headers["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert!(page.contains(&award.product_name) && page.contains(&award.certificate_number));
    assert!(page.contains("<html lang=\"id\">"));
    let etag = headers["etag"].to_str().unwrap().to_owned();
    let not_modified = ovop_local::web::gallery(w.public.clone())
        .oneshot(
            Request::get(&target)
                .header("if-none-match", &etag)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(not_modified.status(), 304);

    // Its photo, from the gallery's own folder.
    let photo = w.awards[0].public().photo.unwrap();
    let (status, headers, _) = w.get(&format!("/galeri/{photo}")).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "image/jpeg");
    assert_eq!(
        headers["cache-control"],
        "public, max-age=31536000, immutable"
    );

    // Compressed as CloudFront's `Compress: true` does.
    let compressed = ovop_local::web::gallery(w.public.clone())
        .oneshot(
            Request::get(&target)
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
    assert_eq!(
        headers["location"],
        format!("/galeri/penghargaan/{}/", award.id).as_str()
    );
    let (status, _, page) = w.get("/galeri/penghargaan/01NOSUCHAWARD/").await;
    assert_eq!(status, 404);
    assert!(page.contains("tidak berlaku lagi"), "{page}");
    let (status, _, _) = w.get("/galeri/../publication/state.json").await;
    assert_eq!(status, 404);
    let (status, _, index) = w.get("/galeri/").await;
    assert_eq!(status, 200);
    assert!(index.contains(&format!("url=/galeri/v/{v}/index.html")));
}

/// The public bucket, failing every put after the first `allowed`; counting puts and deletes.
struct Flaky {
    inner: Arc<dyn ObjectStore>,
    allowed: usize,
    puts: AtomicUsize,
    deletes: AtomicUsize,
}

impl Flaky {
    fn new(inner: Arc<dyn ObjectStore>, allowed: usize) -> Arc<Flaky> {
        Arc::new(Flaky {
            inner,
            allowed,
            puts: AtomicUsize::new(0),
            deletes: AtomicUsize::new(0),
        })
    }
}

#[async_trait]
impl ObjectStore for Flaky {
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
        if self.puts.fetch_add(1, Ordering::SeqCst) >= self.allowed {
            return Err(ObjectError::backend(
                format!("PutObject {key}"),
                "connection reset (test)",
            ));
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
async fn assert_whole(w: &World, manifest: &Manifest) {
    let into = format!("url=/galeri/v/{}/", manifest.version);
    for stub in manifest.stubs.iter().filter(|k| !k.ends_with("404.html")) {
        let page = w.text(stub).await;
        assert!(
            page.contains(&into),
            "{stub} does not point at {into}: {page}"
        );
    }
    for key in manifest.files.iter().chain(&manifest.photos) {
        w.public
            .head(key)
            .await
            .unwrap_or_else(|e| panic!("{key}: {e}"));
    }
}

#[tokio::test]
async fn a_publication_interrupted_half_way_leaves_the_previous_version_visible() {
    let w = World::new().await;
    let first = w.publish().await;
    let before = w.manifest(&first.version).await;

    // An award is revoked; the next publication fails after a few files of its version.
    w.revoke(&w.awards[4]).await;
    let flaky = Flaky::new(w.public.clone(), 6);
    let failed = publish_all(&w.state(flaky.clone())).await;
    assert!(matches!(failed, Err(PublishError::Write(_))), "{failed:?}");
    assert!(
        flaky.puts.load(Ordering::SeqCst) > 6,
        "it stopped inside the version"
    );

    // The gallery still shows the first version, whole: pointer, stable pages, files.
    assert_eq!(w.pointer().await.unwrap().version, first.version);
    assert_whole(&w, &before).await;
    let (status, _, page) = w
        .get(&format!("/galeri/penghargaan/{}/", w.awards[4].id))
        .await;
    assert_eq!(status, 200, "still published until a publication succeeds");
    assert!(page.contains(&format!("url=/galeri/v/{}/", first.version)));

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

    let counting = Flaky::new(w.public.clone(), usize::MAX);
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

    // Its stable page and photo are deleted; the gallery answers its 404 page.
    let stub = format!("galeri/penghargaan/{}/index.html", revoked.id);
    assert!(matches!(
        w.public.head(&stub).await,
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
        .get(app.url(&format!("/galeri/v/{v}/gallery.css")))
        .send()
        .await
        .unwrap();
    assert_eq!(stylesheet.status(), 200);
    assert_eq!(
        stylesheet.headers()["content-type"],
        "text/css; charset=utf-8"
    );
}
