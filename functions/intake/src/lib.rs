//! Intake function: award rounds and nominations (draft, edit, submit, withdraw, list).
//!
//! The library exposes [`app`]; `main.rs` runs it in Lambda and the local app merges it.
//! Every handler has the same shape: parse → load → ask [`ovop_core::authz::decide`] → run the
//! use case from core → write one transaction (with its idempotency record) → answer.

use std::sync::Arc;

use axum::routing::{get, post};
use axum::Router;
use ovop_core::commodity::CommodityCatalog;
use ovop_platform::auth::Authenticator;
use ovop_platform::clock::Clock;
use ovop_platform::store::{ItemStore, Store};

pub mod nominations;
pub mod openapi;
pub mod rounds;

/// What the handlers share: ports and reference data, built once per process.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub commodities: Arc<CommodityCatalog>,
}

impl AppState {
    /// State over one item store.
    pub fn new(items: Arc<dyn ItemStore>, clock: Arc<dyn Clock>) -> Self {
        AppState {
            store: Store::new(items),
            clock,
            commodities: Arc::new(CommodityCatalog::default()),
        }
    }
}

/// The intake routes under `/api/v1`, without identity or error layers.
pub fn routes(state: AppState) -> Router {
    Router::new()
        .route("/api/v1/me", get(nominations::me))
        .route("/api/v1/rounds", get(rounds::list).post(rounds::create))
        .route("/api/v1/rounds/{id}/open", post(rounds::open))
        .route("/api/v1/rounds/{id}/close", post(rounds::close))
        .route(
            "/api/v1/nominations",
            get(nominations::list).post(nominations::create),
        )
        .route(
            "/api/v1/nominations/{id}",
            get(nominations::read).put(nominations::update),
        )
        .route("/api/v1/nominations/{id}/submit", post(nominations::submit))
        .route(
            "/api/v1/nominations/{id}/withdraw",
            post(nominations::withdraw),
        )
        .route(
            "/api/v1/nominations/{id}/history",
            get(nominations::history),
        )
        .route("/api/v1/openapi.json", get(openapi::document))
        .with_state(state)
}

/// The intake API as deployed: routes plus identity, language, limits and problem+json.
pub fn app(state: AppState, authenticator: Authenticator) -> Router {
    ovop_platform::http::api(routes(state), authenticator)
}
