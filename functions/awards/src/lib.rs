//! Awards function: the Minister's determination (penetapan) of a round from its locked
//! recommendation — the decree's PDF sent straight to S3, the awards created, the round
//! frozen —, revocation of an award, its certificate (piagam) as a PDF, and the publication
//! of the public gallery: pre-rendered pages, JSON and thumbnails written, versioned, to the
//! public bucket, then the `latest` pointer flipped (docs/awards.md).
//!
//! The library exposes [`routes`] and [`app`]; `main.rs` runs it in Lambda and the local app
//! merges its routes. Every handler has intake's shape: parse → load → ask
//! [`ovop_core::authz::decide`] → run the use case from core → write → answer.

use std::sync::Arc;

use axum::routing::{get, post};
use axum::Router;
use ovop_platform::auth::Authenticator;
use ovop_platform::clock::Clock;
use ovop_platform::objects::ObjectStore;
use ovop_platform::store::{ItemStore, Store};

pub mod certificate;
pub mod determination;
pub mod openapi;
pub mod publish;

/// What the handlers share: ports and configuration, built once per process.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    /// The private uploads bucket: decree PDFs, product-photo thumbnails.
    pub uploads: Arc<dyn ObjectStore>,
    /// The public bucket behind the CDN: the gallery.
    pub public: Arc<dyn ObjectStore>,
    /// The gallery's public address, ending in `/` (`https://…/galeri/`): certificates' QR
    /// codes and the pages' canonical links point below it.
    pub gallery_url: String,
}

impl AppState {
    /// State over one item store and the two buckets.
    pub fn new(
        items: Arc<dyn ItemStore>,
        uploads: Arc<dyn ObjectStore>,
        public: Arc<dyn ObjectStore>,
        clock: Arc<dyn Clock>,
        gallery_url: impl Into<String>,
    ) -> Self {
        Self::on(Store::new(items), uploads, public, clock, gallery_url)
    }

    /// State over a store already made (the local app shares intake's).
    pub fn on(
        store: Store,
        uploads: Arc<dyn ObjectStore>,
        public: Arc<dyn ObjectStore>,
        clock: Arc<dyn Clock>,
        gallery_url: impl Into<String>,
    ) -> Self {
        let mut gallery_url = gallery_url.into();
        if !gallery_url.ends_with('/') {
            gallery_url.push('/');
        }
        AppState {
            store,
            clock,
            uploads,
            public,
            gallery_url,
        }
    }
}

/// The awards routes, without identity or error layers.
pub fn routes(state: AppState) -> Router {
    const R: &str = "/api/v1/rounds/{round}";
    Router::new()
        .route(
            &format!("{R}/decree/upload"),
            post(determination::decree_upload),
        )
        .route(&format!("{R}/decree/link"), get(determination::decree_link))
        .route(
            &format!("{R}/determination"),
            get(determination::determination).post(determination::determine),
        )
        .route(&format!("{R}/awards"), get(determination::awards))
        .route("/api/v1/awards/{id}", get(determination::award))
        .route(
            "/api/v1/awards/{id}/revocation",
            post(determination::revoke),
        )
        .route(
            "/api/v1/awards/{id}/certificate",
            get(determination::certificate),
        )
        .route(
            "/api/v1/publication",
            get(publish::current).post(publish::publish),
        )
        .with_state(state)
}

/// The awards API as deployed: routes plus identity, language, limits and problem+json.
pub fn app(state: AppState, authenticator: Authenticator) -> Router {
    ovop_platform::http::api(routes(state), authenticator)
}
