//! Publication of the public gallery (architecture §6): every determined round's awards that
//! are not revoked become static files in the public bucket, which CloudFront serves at
//! `/galeri/` (and `ovop-local` from the embedded S3) — no Lambda or database behind a
//! visitor.
//!
//! **What is written** (keys below `galeri/`):
//!
//! - `penghargaan/{award}/index.html` — the award's own page, at its stable address (where a
//!   certificate's QR code lands: no redirect, one round trip less on a slow phone): IKM,
//!   product, story, photo, stars on their scale, commodity, region, decree, validity,
//!   certificate number. It names no version: it links the stable round and province pages,
//!   its stylesheet and photo, all path-absolute (`/galeri/…`). Each publication compares
//!   every page's hash with the one the published manifest keeps and writes only the new and
//!   changed pages (a national round publishes its 10,000 pages once).
//! - `v/{version}/…` — one immutable, complete listing version: `index.html` (the rounds),
//!   `{round}/index.html` (counts per star level, a bar chart of winners per province drawn as
//!   SVG, the provinces, the top winners), `{round}/{province}/index.html` (every winner of the
//!   province, by regency), `data/index.json` and `data/{round}.json` ([`ovop_core::gallery`];
//!   a round's awards without their stories), and `manifest.json` (its objects, each award
//!   page's hash). Links between listing pages are relative, so a visitor stays inside one
//!   complete version; links to award pages, assets and photos are path-absolute. The
//!   winners' list of a round or province page is `#pemenang`, naming its round
//!   (`data-round`) and the round's JSON in the version (`data-json`); each winner is an
//!   `li.winner` with `data-province`, `data-regency`, `data-commodity`, `data-stars`,
//!   `data-year`, its IKM in `.winner-name` — what the gallery's script filters. The rounds
//!   index has `#cari-semua` (the version's `data/index.json` in `data-index`, the commodity
//!   groups' names in `data-commodities`), where the script searches every round. The version
//!   is a hash of what it publishes (its tree as rendered without its own name, the award
//!   pages' hashes, the assets): the same awards make the same version, and publishing them
//!   again writes nothing.
//! - `aset/gallery-{hash}.css`, `aset/gallery-{hash}.js` — the stylesheet (every page) and the
//!   filter script (the listing pages only, `defer`), named by their content: written once,
//!   never changed under their name.
//! - `foto/{award}/{name}.jpg` — the thumbnails made at upload (no EXIF), copied once from the
//!   uploads bucket.
//! - the stable listing addresses — `index.html`, `{round}/index.html`,
//!   `{round}/{province}/index.html` — small pages with their target's title, description and
//!   social card (so a shared link previews well) that send the browser on into the current
//!   version with `<meta http-equiv="refresh">` and a plain link (no script); `404.html`.
//! - `latest.json` ([`ovop_core::gallery::Pointer`]), written last: the flip.
//!
//! Pages carry no inline `style` or script (the content security policy refuses both).
//!
//! **Public fields only**: pages and JSON are made from [`ovop_core::award::PublicAward`] — no
//! NIB, turnover, owner or contact, assessors or scores (`tests/tests/publication.rs` fails if
//! one leaks).
//!
//! **Validity**: a revoked award leaves at the next publication (its page and photo are
//! deleted after the flip). An award past its validity stays listed as the programme's
//! history; its page states the period (`valid_from – valid_until`) rather than a status,
//! which a static page could not keep true without a publication every day.
//!
//! **Order** ([`write::write`]): state, manifest, assets, photos, new and changed award pages,
//! tree, stable pages, pointer, then clean-up of what the versions replaced or abandoned have
//! and the new one does not (a revoked award's page and photo among it). Interrupted before
//! the pointer, the listing pages still show the previous version (a failure while the stable
//! pages are written leaves some of them on the new version, which is complete by then); award
//! pages written by then are complete pages whatever version lists them; the next publication
//! deletes what the interrupted one left, and writes again any award page it may have changed.
//!
//! **One at a time** ([`lease`]): a publication holds a lease in the item store while it runs;
//! another one meanwhile is refused (409 `publishing`).

use axum::extract::State;
use axum::Json;
use ovop_core::authz::{decide, Action, Resource};
use ovop_core::dto::awards::PublicationReport;
use ovop_core::gallery::Pointer;
use ovop_core::Text;
use ovop_platform::auth::Caller;
use ovop_platform::problem::require;
use ovop_platform::store::StoreError;
use ovop_platform::ApiError;

use crate::AppState;

pub mod lease;
pub mod load;
pub mod render;
pub mod write;

pub use load::{load, Photo, Publication};
pub use render::{render, AwardPage, File, PublicRound, Rendered, Site};

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
    /// Another publication holds the lease: nothing was done.
    #[error("another publication is running")]
    Busy,
    #[error("the publication lease: {0}")]
    Lease(StoreError),
}

impl From<lease::LeaseError> for PublishError {
    fn from(e: lease::LeaseError) -> Self {
        match e {
            lease::LeaseError::Taken => PublishError::Busy,
            lease::LeaseError::Store(e) => PublishError::Lease(e),
        }
    }
}

/// Publishes every determined round of `state`'s store into its public bucket
/// ([`publish_as`]) for the platform itself (the local app at start).
pub async fn publish_all(state: &AppState) -> Result<PublicationReport, PublishError> {
    publish_as(state, "ovop").await
}

/// Publishes every determined round for `holder` (a user id): takes the lease
/// ([`lease::take`]; [`PublishError::Busy`] while another publication runs), loads, renders,
/// writes ([`write::write`]), and gives the lease back whatever happened.
pub async fn publish_as(state: &AppState, holder: &str) -> Result<PublicationReport, PublishError> {
    let lease = lease::take(&state.store, holder, state.clock.now()).await?;
    let published = publish_held(state).await;
    lease::release(&state.store, &lease).await;
    published
}

/// Load, render, write — under the lease.
async fn publish_held(state: &AppState) -> Result<PublicationReport, PublishError> {
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
/// publish the same version, and nothing is written (`unchanged: true`). One at a time: while
/// another runs, 409 `publishing`.
#[utoipa::path(post, path = "/api/v1/publication", tag = "awards",
    responses((status = 200, body = PublicationReport, description = "What was published"),
              (status = 401, body = ovop_core::errors::Problem),
              (status = 403, body = ovop_core::errors::Problem),
              (status = 409, body = ovop_core::errors::Problem, description = "Another publication is running (`publishing`)")))]
pub async fn publish(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> Result<Json<PublicationReport>, ApiError> {
    require(decide(&caller, Action::ManageRounds, &Resource::Programme))?;
    let report = match publish_as(&state, &caller.user_id).await {
        Ok(report) => report,
        Err(PublishError::Busy) => return Err(publishing()),
        Err(e) => return Err(ApiError::internal(e)),
    };
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

fn publishing() -> ApiError {
    ApiError::Conflict {
        code: "publishing",
        message: Text::new(
            "Publikasi galeri lain sedang berjalan; coba lagi beberapa menit lagi.",
            "Another publication of the gallery is running; try again in a few minutes.",
        ),
    }
}
