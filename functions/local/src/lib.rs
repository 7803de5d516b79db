//! The whole platform on one port: every function's router, the built SPA, the embedded store
//! (or DynamoDB through the standard AWS environment), a dev login for seeded users.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use ovop_intake::AppState;
use ovop_platform::auth::{Authenticator, DevTokens};
use ovop_platform::clock::{Clock, SystemClock};
use ovop_platform::store::dynamo::DynamoStore;
use ovop_platform::store::embedded::{EmbeddedStore, DEFAULT_LOG_BYTES};
use ovop_platform::store::StoreError;
use tower_http::services::{ServeDir, ServeFile};

pub mod dev_login;
pub mod process;
pub mod seed;
pub mod server;

/// Where the app keeps its data.
#[derive(Clone, Debug)]
pub enum StoreChoice {
    /// redb in this folder.
    Embedded(PathBuf),
    /// A DynamoDB table reached through the AWS environment (`AWS_ENDPOINT_URL_DYNAMODB`, …).
    DynamoDb { table: String },
}

/// How to run the local app.
#[derive(Clone, Debug)]
pub struct LocalConfig {
    pub addr: SocketAddr,
    pub store: StoreChoice,
    /// The built SPA (`frontend/dist`); served with `index.html` as the fallback route.
    pub spa_dir: Option<PathBuf>,
    /// Secret for dev tokens.
    pub dev_secret: Vec<u8>,
    /// Lifetime of a dev token.
    pub token_ttl_secs: i64,
    /// Seed the demo round, nominations when the store is empty.
    pub seed: bool,
}

/// Failure to start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("store: {0}")]
    Store(#[from] StoreError),
    #[error("listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
}

/// The assembled app.
pub struct LocalApp {
    pub router: Router,
    pub state: AppState,
    pub tokens: Arc<DevTokens>,
    /// The embedded store, when that is the store in use.
    pub embedded: Option<EmbeddedStore>,
}

/// Builds stores, seeds demo data, and merges the routers.
pub async fn build(config: &LocalConfig, clock: Arc<dyn Clock>) -> Result<LocalApp, StartError> {
    let (state, embedded) = match &config.store {
        StoreChoice::Embedded(dir) => {
            let store = EmbeddedStore::open_with(dir, DEFAULT_LOG_BYTES, clock.clone())?;
            (AppState::new(Arc::new(store.clone()), clock), Some(store))
        }
        StoreChoice::DynamoDb { table } => {
            let client = DynamoStore::client_from_env().await;
            let store = DynamoStore::new(client, table.clone()).with_clock(clock.clone());
            store.ensure_table().await?;
            (AppState::new(Arc::new(store), clock), None)
        }
    };
    if config.seed {
        seed::demo(&state).await?;
    }
    let tokens = Arc::new(DevTokens::new(
        &config.dev_secret,
        config.token_ttl_secs,
        state.clock.clone(),
    ));
    let authenticator = Authenticator::Dev(tokens.clone());
    let api = ovop_intake::routes(state.clone()).merge(dev_login::routes(tokens.clone()));
    let mut router = ovop_platform::http::api(api, authenticator);
    if let Some(dir) = &config.spa_dir {
        // Unknown `/api/...` paths stay problem+json 404s; every other path is the SPA's.
        router = router
            .fallback_service(ServeDir::new(dir).fallback(ServeFile::new(dir.join("index.html"))));
    }
    Ok(LocalApp {
        router,
        state,
        tokens,
        embedded,
    })
}

/// Serves the app until Ctrl-C, with the client time limits of [`server`].
pub async fn serve(config: LocalConfig) -> Result<(), StartError> {
    let app = build(&config, Arc::new(SystemClock)).await?;
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|source| StartError::Listen {
            addr: config.addr,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| StartError::Listen {
        addr: config.addr,
        source,
    })?;
    print_banner(addr);
    server::serve(listener, app.router, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
    .map_err(|source| StartError::Listen { addr, source })
}

fn print_banner(addr: SocketAddr) {
    println!(
        "\nOVOP berjalan di / is running at  http://localhost:{}/\n",
        addr.port()
    );
    println!("Akun demo / demo logins (pilih di halaman masuk / pick one on the sign-in page):");
    for u in dev_login::demo_users() {
        println!(
            "  {:<22} {:<12} {}",
            u.user_id,
            format!("{:?}", u.role).to_lowercase(),
            u.region.as_deref().unwrap_or("-")
        );
    }
    println!(
        "\nOpenAPI: http://localhost:{}/api/v1/openapi.json\n",
        addr.port()
    );
}
