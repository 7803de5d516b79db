//! Uploads function: documents and product photos go from the browser straight to S3 on
//! presigned requests; this function signs them, checks what arrived (size, magic bytes,
//! SHA-256, a photo's thumbnail without EXIF) and only then attaches the document; it also
//! answers the checklist, short-lived download links and the product sample's shipment and
//! receipt (docs/uploads.md).
//!
//! The library exposes [`routes`] and [`app`]; `main.rs` runs it in Lambda and the local app
//! merges its routes. Every handler has intake's shape: parse → load → ask
//! [`ovop_core::authz::decide`] → run the use case from core → write one transaction (with
//! its idempotency record) → answer.

use std::sync::Arc;

use axum::routing::{get, post, put};
use axum::Router;
use ovop_core::commodity::CommodityCatalog;
use ovop_platform::auth::Authenticator;
use ovop_platform::clock::Clock;
use ovop_platform::objects::{DownloadLinks, ObjectStore};
use ovop_platform::store::{ItemStore, Store};

pub mod documents;
pub mod inspect;
pub mod openapi;
pub mod uploads;

/// What the handlers share: ports and reference data, built once per process.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub commodities: Arc<CommodityCatalog>,
    /// The uploads bucket.
    pub objects: Arc<dyn ObjectStore>,
    /// How readers get a document: presigned S3 GETs, or CloudFront signed URLs in production.
    pub downloads: DownloadLinks,
}

impl AppState {
    /// State over one item store and the uploads bucket.
    pub fn new(
        items: Arc<dyn ItemStore>,
        objects: Arc<dyn ObjectStore>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self::on(Store::new(items), objects, clock)
    }

    /// State over a store already made (the local app shares intake's).
    pub fn on(store: Store, objects: Arc<dyn ObjectStore>, clock: Arc<dyn Clock>) -> Self {
        AppState {
            store,
            clock,
            commodities: Arc::new(CommodityCatalog::default()),
            downloads: DownloadLinks::Presigned(objects.clone()),
            objects,
        }
    }

    /// The same state, handing out download links through `downloads`.
    pub fn with_downloads(self, downloads: DownloadLinks) -> Self {
        AppState { downloads, ..self }
    }
}

/// The uploads routes under `/api/v1/nominations/{id}/…`, without identity or error layers.
pub fn routes(state: AppState) -> Router {
    const N: &str = "/api/v1/nominations/{id}";
    Router::new()
        .route(&format!("{N}/documents"), get(documents::checklist))
        .route(
            &format!("{N}/documents/{{code}}/link"),
            get(documents::link),
        )
        .route(
            &format!("{N}/uploads"),
            get(uploads::list).post(uploads::declare),
        )
        .route(
            &format!("{N}/uploads/{{upload}}"),
            get(uploads::status).delete(uploads::abort),
        )
        .route(
            &format!("{N}/uploads/{{upload}}/parts"),
            post(uploads::parts),
        )
        .route(
            &format!("{N}/uploads/{{upload}}/complete"),
            post(uploads::complete),
        )
        .route(&format!("{N}/sample/shipment"), put(documents::shipment))
        .route(&format!("{N}/sample/receipt"), put(documents::receipt))
        .with_state(state)
}

/// The uploads API as deployed: routes plus identity, language, limits and problem+json.
pub fn app(state: AppState, authenticator: Authenticator) -> Router {
    ovop_platform::http::api(routes(state), authenticator)
}
