//! Publication of the public gallery (architecture §6): every determined round's awards that
//! are not revoked become static files in the public bucket, which CloudFront serves at
//! `/galeri/` (and `ovop-local` from the embedded S3) — no Lambda or database behind a
//! visitor.
//!
//! **What is written** (keys below `galeri/`):
//!
//! - `v/{version}/…` — one immutable, complete version: `index.html` (the rounds),
//!   `{round}/index.html` (counts per star level, a bar chart of winners per province drawn as
//!   SVG, the provinces, the top winners), `{round}/{province}/index.html` (every winner of the
//!   province, by regency), `penghargaan/{award}/index.html` (the award: IKM, product, story,
//!   photo, stars on their scale, commodity, region, decree, validity, certificate number —
//!   where a certificate's QR code lands), `data/index.json` and `data/{round}.json`
//!   ([`ovop_core::gallery`]), `gallery.css`, and `manifest.json` (its objects). Every link in
//!   a version is relative, so a visitor stays inside one complete version. The version is a
//!   hash of the files: the same awards make the same version, and publishing them again
//!   writes nothing.
//! - `foto/{award}/{name}.jpg` — the thumbnails made at upload (no EXIF), copied once from the
//!   uploads bucket and shared by the versions.
//! - the stable addresses — `index.html`, `{round}/index.html`, `{round}/{province}/index.html`,
//!   `penghargaan/{award}/index.html` — small pages with their target's title, description and
//!   social card (so a shared link previews well) that send the browser on with
//!   `<meta http-equiv="refresh">` and a plain link (no script); `404.html`.
//! - `latest.json` ([`ovop_core::gallery::Pointer`]), written last: the flip.
//!
//! **Public fields only**: pages and JSON are made from [`ovop_core::award::PublicAward`] — no
//! NIB, turnover, owner or contact, assessors or scores (`tests/tests/publication.rs` fails if
//! one leaks).
//!
//! **Validity**: a revoked award leaves at the next publication (its page, stable page and
//! photo are deleted). An award past its validity stays listed as the programme's history; its
//! page states the period (`valid_from – valid_until`) rather than a status, which a static
//! page could not keep true without a publication every day.
//!
//! **Order** ([`write::write`]): state, manifest, photos, tree, stable pages, pointer, then
//! clean-up of the versions replaced or abandoned. Interrupted before the pointer, the gallery
//! still shows the previous version (a failure while the stable pages are written leaves some
//! of them on the new version, which is complete by then); the next publication deletes what
//! the interrupted one left.

use axum::extract::State;
use axum::Json;
use ovop_core::authz::{decide, Action, Resource};
use ovop_core::dto::awards::PublicationReport;
use ovop_core::gallery::Pointer;
use ovop_platform::auth::Caller;
use ovop_platform::problem::require;
use ovop_platform::store::StoreError;
use ovop_platform::ApiError;

use crate::AppState;

pub mod load;
pub mod render;
pub mod write;

pub use load::{load, Photo, Publication};
pub use render::{render, File, PublicRound, Rendered, Site};

/// Why a publication failed. What was published before stays published.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("reading the awards: {0}")]
    Store(#[from] StoreError),
    #[error("rendering the gallery: {0}")]
    Render(#[from] render::RenderError),
    #[error("writing the gallery: {0}")]
    Write(#[from] write::WriteError),
    #[error("rendering stopped: {0}")]
    Interrupted(#[from] tokio::task::JoinError),
}

/// Publishes every determined round of `state`'s store into its public bucket: load, render,
/// write ([`write::write`]).
pub async fn publish_all(state: &AppState) -> Result<PublicationReport, PublishError> {
    let publication = load(&state.store).await?;
    let site = Site::new(&state.gallery_url);
    // A national round renders some 10,000 pages: off the async workers.
    let rounds = publication.rounds;
    let rendered = tokio::task::spawn_blocking(move || render(&site, &rounds)).await??;
    let report = write::write(
        &state.public,
        &state.uploads,
        &rendered,
        &publication.photos,
        state.clock.now(),
    )
    .await?;
    Ok(report)
}

/// `GET /publication`: the published version (what `galeri/latest.json` says).
#[utoipa::path(get, path = "/api/v1/publication", tag = "awards",
    responses((status = 200, body = Pointer, description = "The published version"),
              (status = 401, body = ovop_core::errors::Problem),
              (status = 404, body = ovop_core::errors::Problem, description = "Nothing published yet")))]
pub async fn current(
    State(state): State<AppState>,
    _caller: Caller,
) -> Result<Json<Pointer>, ApiError> {
    write::read_json::<Pointer>(state.public.as_ref(), render::POINTER_KEY)
        .await
        .map_err(ApiError::internal)?
        .map(Json)
        .ok_or(ApiError::NotFound)
}

/// `POST /publication`: publishes every determined round (admin). Idempotent: the same awards
/// publish the same version, and nothing is written (`unchanged: true`).
#[utoipa::path(post, path = "/api/v1/publication", tag = "awards",
    responses((status = 200, body = PublicationReport, description = "What was published"),
              (status = 401, body = ovop_core::errors::Problem),
              (status = 403, body = ovop_core::errors::Problem)))]
pub async fn publish(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> Result<Json<PublicationReport>, ApiError> {
    require(decide(&caller, Action::ManageRounds, &Resource::Programme))?;
    let report = publish_all(&state).await.map_err(ApiError::internal)?;
    tracing::info!(
        version = %report.version,
        awards = report.awards,
        files = report.files_written,
        bytes = report.bytes_written,
        unchanged = report.unchanged,
        by = %caller.user_id,
        "gallery published"
    );
    Ok(Json(report))
}
