//! Scoring function: the selection of a round. So far the administrative verification
//! (seleksi administrasi) — the secretariat's per-document findings and its decision to pass,
//! fail or return a nomination for revision, every decision kept —, the rubrics of a round, its
//! panels and the assignment of assessors (conflicts of interest refused or overridden with a
//! reason); scores and aggregation follow (their rules are in `ovop_core::{aggregate, stars}`).
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
use ovop_platform::store::{ItemStore, Store};

pub mod openapi;
pub mod panels;
pub mod progress;
pub mod results;
pub mod rubric;
pub mod score;
mod settle;
pub mod verification;

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
        Self::on(Store::new(items), clock)
    }

    /// State over a store already made (the local app shares intake's).
    pub fn on(store: Store, clock: Arc<dyn Clock>) -> Self {
        AppState {
            store,
            clock,
            commodities: Arc::new(CommodityCatalog::default()),
        }
    }
}

/// The round `round_id` for the admin who manages it: 403 for anyone else, 404 when there is
/// no such round.
pub(crate) async fn managed_round(
    state: &AppState,
    caller: &ovop_core::policy::Principal,
    round_id: &str,
) -> Result<ovop_core::round::Round, ovop_platform::ApiError> {
    use ovop_core::authz::{decide, Action, Resource};
    ovop_platform::problem::require(decide(caller, Action::ManageRounds, &Resource::Programme))?;
    state
        .store
        .get::<ovop_core::round::Round>(round_id)
        .await?
        .ok_or(ovop_platform::ApiError::NotFound)
}

/// The scoring routes, without identity or error layers.
pub fn routes(state: AppState) -> Router {
    const N: &str = "/api/v1/nominations/{id}";
    Router::new()
        .route(&format!("{N}/verification"), post(verification::decide))
        .route(&format!("{N}/verifications"), get(verification::history))
        .route(&format!("{N}/assessors/{{assessor}}"), put(panels::assign))
        .route(&format!("{N}/assessors"), get(panels::assessors))
        .route(&format!("{N}/conflict"), post(panels::declare_conflict))
        .route(
            &format!("{N}/relations"),
            get(panels::relations).post(panels::declare_relation),
        )
        .route(
            &format!("{N}/score"),
            get(score::sheet).put(score::save_draft),
        )
        .route(&format!("{N}/score/submit"), post(score::submit))
        .route(&format!("{N}/scores"), get(score::scores))
        .route(&format!("{N}/result"), get(results::result))
        .route(&format!("{N}/result/moderation"), put(results::moderate))
        .route(&format!("{N}/audit"), get(progress::audit))
        .route("/api/v1/assessments", get(progress::mine))
        .route("/api/v1/rounds/{round}/progress", get(progress::progress))
        .route("/api/v1/rounds/{round}/leaderboard", get(results::board))
        .route(
            "/api/v1/rounds/{round}/recommendation",
            get(results::recommendation).post(results::lock),
        )
        .route(
            "/api/v1/rounds/{round}/assignments/balance",
            post(panels::balance),
        )
        .route("/api/v1/rounds/{round}/assessment", put(score::assessment))
        .route(
            "/api/v1/rounds/{round}/assignments",
            post(panels::bulk_assign),
        )
        .route(
            "/api/v1/rounds/{round}/panels",
            get(panels::panels).put(panels::save_panels),
        )
        .route("/api/v1/rounds/{round}/rubrics", get(rubric::list))
        .route(
            "/api/v1/rounds/{round}/rubrics/{commodity}",
            put(rubric::define),
        )
        .route(
            "/api/v1/rounds/{round}/rubrics/{commodity}/proposed",
            post(rubric::proposed),
        )
        .route(
            "/api/v1/rounds/{round}/rubrics/{commodity}/copy",
            post(rubric::copy),
        )
        .with_state(state)
}

/// The scoring API as deployed: routes plus identity, language, limits and problem+json.
pub fn app(state: AppState, authenticator: Authenticator) -> Router {
    ovop_platform::http::api(routes(state), authenticator)
}
