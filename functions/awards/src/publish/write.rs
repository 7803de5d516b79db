//! The writing half of publication: a rendered version into the public bucket, in the order
//! that keeps the published gallery whole at every instant, then the clean-up of what no
//! version shows any more. No listing of the bucket is needed: each version's manifest names
//! its objects (and the hash of each award page), and a small state object names the versions
//! that may still have some.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::sync::Arc;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use ovop_core::dto::awards::PublicationReport;
use ovop_core::gallery::Pointer;
use ovop_platform::objects::{ObjectError, ObjectStore, MAX_DELETE_BATCH};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use tokio::task::JoinSet;

use super::load::Photo;
use super::render::{File, Rendered, JSON, POINTER_KEY, PREFIX};

/// The publication's own bookkeeping, outside the gallery's prefix (CloudFront serves only
/// `galeri/`): the versions besides the published one whose objects may remain.
pub const STATE_KEY: &str = "publication/state.json";
/// How many requests to the bucket run at once.
pub const CONCURRENT_REQUESTS: usize = 48;
/// The largest photo thumbnail copied (they are at most 480 px a side).
const MAX_PHOTO_BYTES: u64 = 5 * 1024 * 1024;
/// The largest bookkeeping object read back (a national round's manifest is ~1 MB).
const MAX_JSON_BYTES: u64 = 64 * 1024 * 1024;

/// Every object a version shows, written first into the version's folder
/// (`galeri/v/{version}/manifest.json`): what a later publication compares with (award pages,
/// assets, photos already in place) and deletes when the version is replaced or was abandoned
/// half-way.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub version: String,
    /// The version's tree.
    pub files: Vec<String>,
    /// The stable pages it points (`galeri/index.html`, …).
    pub stubs: Vec<String>,
    /// The content-addressed stylesheet and script (`galeri/aset/…`).
    #[serde(default)]
    pub assets: Vec<String>,
    /// Each award page (`galeri/penghargaan/{id}/index.html`) with the hash of its bytes.
    #[serde(default)]
    pub awards: BTreeMap<String, String>,
    /// The photos its pages show (`galeri/foto/…`).
    pub photos: Vec<String>,
}

impl Manifest {
    pub fn of(rendered: &Rendered, photos: &[Photo]) -> Manifest {
        Manifest {
            version: rendered.version.clone(),
            files: rendered.files.iter().map(|f| f.key.clone()).collect(),
            stubs: rendered.stubs.iter().map(|f| f.key.clone()).collect(),
            assets: rendered.assets.iter().map(|f| f.key.clone()).collect(),
            awards: rendered
                .award_pages
                .iter()
                .map(|p| (p.file.key.clone(), p.hash.clone()))
                .collect(),
            photos: photos.iter().map(|p| p.to.clone()).collect(),
        }
    }

    /// Every key it names but its own.
    fn objects(&self) -> impl Iterator<Item = &String> + '_ {
        self.files
            .iter()
            .chain(&self.stubs)
            .chain(&self.assets)
            .chain(self.awards.keys())
            .chain(&self.photos)
    }

    /// Every key it names, the manifest's own last.
    pub fn keys(&self) -> impl Iterator<Item = String> + '_ {
        self.objects()
            .cloned()
            .chain(std::iter::once(manifest_key(&self.version)))
    }
}

/// Where version `version`'s manifest is.
pub fn manifest_key(version: &str) -> String {
    format!("{PREFIX}v/{version}/manifest.json")
}

/// Versions that may still have objects besides the published one.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
struct State {
    versions: BTreeSet<String>,
}

/// Why a publication stopped. What was published before stays published.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error(transparent)]
    Objects(#[from] ObjectError),
    #[error("{0}: {1}")]
    Json(String, serde_json::Error),
}

/// Counts of what was written.
#[derive(Clone, Copy, Debug, Default)]
struct Written {
    files: u32,
    bytes: u64,
}

impl Written {
    fn add(&mut self, bytes: Option<u64>) {
        if let Some(b) = bytes {
            self.files += 1;
            self.bytes += b;
        }
    }

    fn merge(&mut self, other: Written) {
        self.files += other.files;
        self.bytes += other.bytes;
    }
}

/// Publishes `rendered` (with its `photos`) into `public` at `now`:
///
/// 1. the state names the new version (and the published one) before anything of it is
///    written, so an interrupted publication is cleaned up by the next one;
/// 2. the version's manifest; the assets, photos (copied from `uploads`) and award pages the
///    bucket does not hold yet — an award page only when its hash differs from the published
///    one's; then the version's tree. Nothing a visitor reaches changes, except award pages
///    that are new (no listing links them yet) or changed (complete pages either way);
/// 3. the stable listing pages, each pointing into the complete new version;
/// 4. `latest.json`: the flip;
/// 5. the versions replaced or abandoned are deleted — their trees, and their stable pages,
///    award pages, photos and assets the new version does not have (a revoked award's page and
///    photo go), their manifests last — and the state with them.
///
/// When the version is the published one already, nothing is written (`unchanged`), except
/// finishing what an earlier publication left.
pub async fn write(
    public: &Arc<dyn ObjectStore>,
    uploads: &Arc<dyn ObjectStore>,
    rendered: &Rendered,
    photos: &[Photo],
    now: DateTime<Utc>,
) -> Result<PublicationReport, WriteError> {
    let published: Option<Pointer> = read_json(public.as_ref(), POINTER_KEY).await?;
    let mut state: State = read_json(public.as_ref(), STATE_KEY)
        .await?
        .unwrap_or_default();
    let manifest = Manifest::of(rendered, photos);
    let mut written = Written::default();
    let report = |pointer: &Pointer, written: Written, unchanged: bool| PublicationReport {
        version: pointer.version.clone(),
        published_at: pointer.published_at,
        rounds: rendered.rounds,
        awards: rendered.awards,
        files_written: written.files,
        bytes_written: written.bytes,
        unchanged,
    };

    // What the bucket holds: the published version's objects for sure; those of publications
    // that stopped half-way (the state's other versions, the new one too if an earlier attempt
    // at it stopped) perhaps.
    let published_version = published.as_ref().map(|p| p.version.clone());
    let shown = match &published_version {
        Some(v) => read_json::<Manifest>(public.as_ref(), &manifest_key(v)).await?,
        None => None,
    };
    let mut left = Vec::new();
    for version in &state.versions {
        if Some(version) != published_version.as_ref() {
            if let Some(m) = read_json::<Manifest>(public.as_ref(), &manifest_key(version)).await? {
                left.push(m);
            }
        }
    }
    let pages = pages_to_write(rendered, shown.as_ref(), &left);

    if let Some(pointer) = published.as_ref().filter(|p| p.version == rendered.version) {
        state.versions.remove(&rendered.version);
        if !state.versions.is_empty() {
            // An earlier publication stopped half-way: some stable pages may point into its
            // version, which is about to go, and some award pages may be its own.
            written.merge(put_all(public, pages).await?);
            written.merge(put_all(public, rendered.stubs.clone()).await?);
            clean(public, left.into_iter().chain(shown), &manifest).await?;
            public.delete(STATE_KEY).await?;
        }
        return Ok(report(pointer, written, true));
    }

    let before = state.clone();
    state.versions.insert(rendered.version.clone());
    if let Some(v) = &published_version {
        state.versions.insert(v.clone());
    }
    if state != before {
        written.add(Some(put_json(public.as_ref(), STATE_KEY, &state).await?));
    }
    written.add(Some(
        put_json(public.as_ref(), &manifest_key(&rendered.version), &manifest).await?,
    ));

    // Assets never change under their name: those the published version has are in place.
    let assets: Vec<File> = rendered
        .assets
        .iter()
        .filter(|a| !shown.as_ref().is_some_and(|m| m.assets.contains(&a.key)))
        .cloned()
        .collect();
    written.merge(put_all(public, assets).await?);

    // Photos the published version shows are there already; one an abandoned publication may
    // have copied is looked for first; any other is copied straight away.
    let present: BTreeSet<&String> = shown.iter().flat_map(|m| &m.photos).collect();
    let maybe: BTreeSet<&String> = left.iter().flat_map(|m| &m.photos).collect();
    let missing: Vec<(Photo, bool)> = photos
        .iter()
        .filter(|p| !present.contains(&p.to))
        .map(|p| (p.clone(), maybe.contains(&p.to)))
        .collect();
    written.merge(copy_photos(public, uploads, missing).await?);

    written.merge(put_all(public, pages).await?);
    written.merge(put_all(public, rendered.files.clone()).await?);
    written.merge(put_all(public, rendered.stubs.clone()).await?);

    let pointer = Pointer {
        version: rendered.version.clone(),
        published_at: now,
    };
    written.add(Some(
        put_json(public.as_ref(), POINTER_KEY, &pointer).await?,
    ));

    clean(public, left.into_iter().chain(shown), &manifest).await?;
    public.delete(STATE_KEY).await?;
    Ok(report(&pointer, written, false))
}

/// The award pages the bucket may not hold as rendered: new ones, those whose hash differs
/// from the published version's, and those a publication that stopped half-way may have
/// written otherwise.
fn pages_to_write(rendered: &Rendered, shown: Option<&Manifest>, left: &[Manifest]) -> Vec<File> {
    rendered
        .award_pages
        .iter()
        .filter(|page| {
            let key = &page.file.key;
            let in_place = shown.and_then(|m| m.awards.get(key)) == Some(&page.hash);
            let overwritten = left
                .iter()
                .any(|m| m.awards.get(key).is_some_and(|h| *h != page.hash));
            !in_place || overwritten
        })
        .map(|page| page.file.clone())
        .collect()
}

/// Deletes what the `old` versions have and `current` does not, each version's manifest last,
/// so that a clean-up stopped half-way is finished by the next publication.
async fn clean(
    public: &Arc<dyn ObjectStore>,
    old: impl Iterator<Item = Manifest>,
    current: &Manifest,
) -> Result<(), WriteError> {
    let keep: BTreeSet<&String> = current.objects().collect();
    for version in old.filter(|m| m.version != current.version) {
        let gone: Vec<String> = version
            .objects()
            .filter(|k| !keep.contains(k))
            .cloned()
            .collect();
        let store = public.clone();
        let batches = gone
            .chunks(MAX_DELETE_BATCH)
            .map(<[String]>::to_vec)
            .collect();
        for_each(batches, move |batch: Vec<String>| {
            let store = store.clone();
            async move { store.delete_all(&batch).await.map(|()| None) }
        })
        .await?;
        public.delete(&manifest_key(&version.version)).await?;
    }
    Ok(())
}

/// Writes every file, [`CONCURRENT_REQUESTS`] at a time.
async fn put_all(public: &Arc<dyn ObjectStore>, files: Vec<File>) -> Result<Written, WriteError> {
    let store = public.clone();
    for_each(files, move |f: File| {
        let store = store.clone();
        async move {
            let n = f.body.len() as u64;
            store.put(&f.key, f.body, f.content_type).await?;
            Ok(Some(n))
        }
    })
    .await
}

/// Copies each photo from the uploads bucket, those marked `true` only when not in the public
/// bucket already.
async fn copy_photos(
    public: &Arc<dyn ObjectStore>,
    uploads: &Arc<dyn ObjectStore>,
    photos: Vec<(Photo, bool)>,
) -> Result<Written, WriteError> {
    let (public, uploads) = (public.clone(), uploads.clone());
    for_each(photos, move |(p, look_first): (Photo, bool)| {
        let (public, uploads) = (public.clone(), uploads.clone());
        async move {
            if look_first {
                match public.head(&p.to).await {
                    Ok(_) => return Ok(None),
                    Err(ObjectError::NotFound(_)) => {}
                    Err(e) => return Err(e),
                }
            }
            let source = match uploads.open(&p.from).await {
                Ok(source) => source,
                Err(ObjectError::NotFound(_)) => {
                    // Thumbnails are never deleted; the page shows the photo's alt text.
                    tracing::warn!(photo = %p.from, "a published award's thumbnail is missing");
                    return Ok(None);
                }
                Err(e) => return Err(e),
            };
            let content_type = source
                .info
                .content_type
                .clone()
                .unwrap_or_else(|| "image/jpeg".into());
            let body = source.read_to_end(MAX_PHOTO_BYTES).await?;
            let n = body.len() as u64;
            public.put(&p.to, body, &content_type).await?;
            Ok(Some(n))
        }
    })
    .await
}

/// Runs `op` on every item, at most [`CONCURRENT_REQUESTS`] at once; the first failure stops
/// the rest. Each op answers the bytes it wrote, if it wrote.
async fn for_each<T, F, Fut>(items: Vec<T>, op: F) -> Result<Written, WriteError>
where
    F: Fn(T) -> Fut,
    Fut: Future<Output = Result<Option<u64>, ObjectError>> + Send + 'static,
{
    let mut tasks = JoinSet::new();
    let mut written = Written::default();
    let joined = |r: Result<Result<Option<u64>, ObjectError>, tokio::task::JoinError>| {
        r.map_err(|e| ObjectError::backend("a publication task", e))?
    };
    for item in items {
        if tasks.len() >= CONCURRENT_REQUESTS {
            if let Some(r) = tasks.join_next().await {
                written.add(joined(r)?);
            }
        }
        tasks.spawn(op(item));
    }
    while let Some(r) = tasks.join_next().await {
        written.add(joined(r)?);
    }
    Ok(written)
}

async fn put_json<T: Serialize>(
    store: &dyn ObjectStore,
    key: &str,
    value: &T,
) -> Result<u64, WriteError> {
    let body = serde_json::to_vec(value).map_err(|e| WriteError::Json(key.to_owned(), e))?;
    let n = body.len() as u64;
    store.put(key, Bytes::from(body), JSON).await?;
    Ok(n)
}

/// The JSON object at `key`, `None` when there is none.
pub async fn read_json<T: DeserializeOwned>(
    store: &dyn ObjectStore,
    key: &str,
) -> Result<Option<T>, WriteError> {
    match store.read(key, MAX_JSON_BYTES).await {
        Ok(body) => serde_json::from_slice(&body)
            .map(Some)
            .map_err(|e| WriteError::Json(key.to_owned(), e)),
        Err(ObjectError::NotFound(_)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}
