//! The whole platform on one port: every function's router, the built SPA, the embedded store
//! (or DynamoDB through the standard AWS environment), and a local OpenID Connect issuer for
//! the demo accounts ([`oidc`], docs/sign-in.md) whose tokens the API verifies as API
//! Gateway's JWT authorizer does; and, on a port of its own, an embedded S3 endpoint for the
//! uploads ([`EmbeddedS3`], s3s + s3s-fs; real S3 with DynamoDB, see [`ObjectsConfig`]).
//!
//! On a real table (`OVOP_STORE=dynamodb`) it neither seeds demo data nor serves the local
//! issuer unless told (`OVOP_SEED=1`, `OVOP_LOCAL_ISSUER=1`); it then verifies the tokens of
//! the issuer named by `OVOP_OIDC_ISSUER` and `OVOP_OIDC_CLIENT_ID`, or refuses every token.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::response::IntoResponse;
use axum::routing::{any, get};
use axum::{Json, Router};
use jsonwebtoken::jwk::JwkSet;
use ovop_intake::AppState;
use ovop_platform::auth::{Authenticator, JwksError, JwtVerifier};
use ovop_platform::clock::{Clock, SystemClock};
use ovop_platform::http::REVALIDATE_CACHE_CONTROL;
use ovop_platform::objects::ObjectStore;
use ovop_platform::store::dynamo::DynamoStore;
use ovop_platform::store::embedded::{EmbeddedStore, DEFAULT_LOG_BYTES};
use ovop_platform::store::{ItemStore, StoreError};
use ovop_platform::ApiError;

pub mod accounts;
pub mod external;
pub mod oidc;
pub mod process;
mod s3;
pub mod seed;
pub mod server;
pub mod web;

use oidc::keys::KeyError;
use oidc::{Issuer, SigningKey};
pub use s3::{
    EmbeddedS3, EmbeddedS3Config, ObjectsConfig, S3StartError, DEFAULT_ACCESS_KEY, DEFAULT_S3_ADDR,
    DEFAULT_SECRET_KEY, LOCAL_REGION, PUBLIC_BUCKET, UPLOADS_BUCKET,
};

/// Where the app keeps its data.
#[derive(Clone, Debug)]
pub enum StoreChoice {
    /// redb in this folder.
    Embedded(PathBuf),
    /// A DynamoDB table reached through the AWS environment (`AWS_ENDPOINT_URL_DYNAMODB`, …).
    DynamoDb { table: String },
}

/// Whose tokens the API accepts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Identity {
    /// The local issuer's, at `{origin}/oidc` (the demo accounts).
    LocalIssuer,
    /// An external issuer's (Cognito), verified by its JWKS fetched at start.
    External { issuer: String, client_id: String },
    /// Nobody's: every token is refused (401).
    Refused,
}

/// How to run the local app.
#[derive(Clone, Debug)]
pub struct LocalConfig {
    pub addr: SocketAddr,
    pub store: StoreChoice,
    /// Keeps the local issuer's signing key (and the embedded store, when it is there).
    pub data_dir: PathBuf,
    /// The built SPA (`frontend/dist`); served with `index.html` as the fallback route.
    pub spa_dir: Option<PathBuf>,
    /// The origin the browser uses (`https://host`, no trailing slash); `None`:
    /// `http://localhost:{port}`.
    pub public_origin: Option<String>,
    /// Lifetime of the local issuer's access tokens.
    pub access_token_secs: i64,
    /// Seed the demo round and nominations when the store has no round yet.
    pub seed: bool,
    pub identity: Identity,
}

/// Default lifetime of an access token: one hour, as Cognito's.
pub const DEFAULT_ACCESS_TOKEN_SECS: i64 = 3600;

/// A setting cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

fn flag(name: &str, value: Option<String>, default: bool) -> Result<bool, ConfigError> {
    match value.as_deref().map(str::trim) {
        None | Some("") => Ok(default),
        Some("1" | "true" | "on" | "yes") => Ok(true),
        Some("0" | "false" | "off" | "no") => Ok(false),
        Some(other) => Err(ConfigError(format!("{name}={other}: use 1 or 0"))),
    }
}

impl LocalConfig {
    /// The configuration the environment gives (`var` reads a variable):
    ///
    /// - `OVOP_ADDR` (127.0.0.1:8080), `OVOP_DATA_DIR` (.data), `OVOP_SPA_DIR` (frontend/dist,
    ///   used when it has an `index.html`), `OVOP_PUBLIC_ORIGIN` (`http://localhost:{port}`),
    ///   `OVOP_ACCESS_TOKEN_SECS` (3600);
    /// - `OVOP_STORE`: `embedded` (default) or `dynamodb` (with `TABLE_NAME` and the standard
    ///   AWS variables);
    /// - `OVOP_SEED`, `OVOP_LOCAL_ISSUER` (`1`/`0`): on by default with the embedded store,
    ///   off with DynamoDB (a real table gets no demo data and no demo sign-in unless told);
    /// - `OVOP_OIDC_ISSUER` + `OVOP_OIDC_CLIENT_ID`: without the local issuer, the issuer whose
    ///   tokens the API accepts (none: every token is refused). Naming one turns the local
    ///   issuer's default off.
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Result<LocalConfig, ConfigError> {
        let get = |name: &str, default: &str| var(name).unwrap_or_else(|| default.to_owned());
        let data_dir = PathBuf::from(get("OVOP_DATA_DIR", ".data"));
        let (store, real_table) = match get("OVOP_STORE", "embedded").as_str() {
            "embedded" => (StoreChoice::Embedded(data_dir.clone()), false),
            "dynamodb" => {
                let table = var("TABLE_NAME")
                    .filter(|t| !t.is_empty())
                    .ok_or_else(|| ConfigError("OVOP_STORE=dynamodb needs TABLE_NAME".into()))?;
                (StoreChoice::DynamoDb { table }, true)
            }
            other => {
                return Err(ConfigError(format!(
                    "OVOP_STORE={other}: use embedded or dynamodb"
                )))
            }
        };
        let external = var("OVOP_OIDC_ISSUER").filter(|i| !i.is_empty());
        let local_issuer = flag(
            "OVOP_LOCAL_ISSUER",
            var("OVOP_LOCAL_ISSUER"),
            !real_table && external.is_none(),
        )?;
        let identity = match (local_issuer, external) {
            (true, Some(_)) => {
                return Err(ConfigError(
                    "OVOP_LOCAL_ISSUER=1 and OVOP_OIDC_ISSUER: choose one issuer".into(),
                ))
            }
            (true, None) => Identity::LocalIssuer,
            (false, Some(issuer)) => Identity::External {
                issuer: issuer.trim_end_matches('/').to_owned(),
                client_id: var("OVOP_OIDC_CLIENT_ID")
                    .filter(|c| !c.is_empty())
                    .ok_or_else(|| {
                        ConfigError("OVOP_OIDC_ISSUER needs OVOP_OIDC_CLIENT_ID".into())
                    })?,
            },
            (false, None) => Identity::Refused,
        };
        let addr: SocketAddr = get("OVOP_ADDR", "127.0.0.1:8080")
            .parse()
            .map_err(|e| ConfigError(format!("OVOP_ADDR: {e}")))?;
        let access_token_secs = match var("OVOP_ACCESS_TOKEN_SECS") {
            None => DEFAULT_ACCESS_TOKEN_SECS,
            Some(secs) => secs
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|s| *s > 0)
                .ok_or_else(|| {
                    ConfigError(format!(
                        "OVOP_ACCESS_TOKEN_SECS={secs}: a number of seconds"
                    ))
                })?,
        };
        let spa_dir = PathBuf::from(get("OVOP_SPA_DIR", "frontend/dist"));
        Ok(LocalConfig {
            addr,
            store,
            data_dir,
            spa_dir: spa_dir.join("index.html").exists().then_some(spa_dir),
            public_origin: var("OVOP_PUBLIC_ORIGIN")
                .filter(|o| !o.is_empty())
                .map(|o| o.trim_end_matches('/').to_owned()),
            access_token_secs,
            seed: flag("OVOP_SEED", var("OVOP_SEED"), !real_table)?,
            identity,
        })
    }

    /// The origin the browser uses: [`LocalConfig::public_origin`], else
    /// `http://localhost:{port}`.
    pub fn origin(&self) -> String {
        self.public_origin
            .clone()
            .unwrap_or_else(|| format!("http://localhost:{}", self.addr.port()))
    }
}

/// Failure to start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("store: {0}")]
    Store(#[from] StoreError),
    #[error("local issuer: {0}")]
    Key(#[from] KeyError),
    #[error("issuer keys: {0}")]
    Jwks(#[from] JwksError),
    #[error("external issuer: {0}")]
    ExternalIssuer(#[from] external::ExternalIssuerError),
    #[error("object store: {0}")]
    Objects(#[from] S3StartError),
    #[error("publishing the demo gallery: {0}")]
    Publish(#[from] ovop_awards::publish::PublishError),
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
    /// The embedded store, when that is the store in use.
    pub embedded: Option<EmbeddedStore>,
    /// The local issuer, when it is on.
    pub issuer: Option<Arc<Issuer>>,
    /// What verifies the API's bearer tokens.
    pub verifier: Arc<JwtVerifier>,
    /// The uploads bucket.
    pub objects: Arc<dyn ObjectStore>,
    /// The public gallery's bucket.
    pub public: Arc<dyn ObjectStore>,
    /// The embedded S3 endpoint, when that is the object store in use.
    pub s3: Option<EmbeddedS3>,
}

/// [`build_with_objects`] with the embedded S3 endpoint on a free port
/// ([`ObjectsConfig::ephemeral`]).
pub async fn build(config: &LocalConfig, clock: Arc<dyn Clock>) -> Result<LocalApp, StartError> {
    build_with_objects(config, &ObjectsConfig::ephemeral(), clock).await
}

/// Opens the configured store and object store, then [`build_on_with_objects`] them.
pub async fn build_with_objects(
    config: &LocalConfig,
    objects: &ObjectsConfig,
    clock: Arc<dyn Clock>,
) -> Result<LocalApp, StartError> {
    let (items, embedded): (Arc<dyn ItemStore>, _) = match &config.store {
        StoreChoice::Embedded(dir) => {
            let store = EmbeddedStore::open_with(dir, DEFAULT_LOG_BYTES, clock.clone())?;
            (Arc::new(store.clone()), Some(store))
        }
        StoreChoice::DynamoDb { table } => {
            let client = DynamoStore::client_from_env().await;
            let store = DynamoStore::new(client, table.clone()).with_clock(clock.clone());
            store.ensure_table().await?;
            (Arc::new(store), None)
        }
    };
    let objects = s3::open(objects, &config.data_dir, &config.origin()).await?;
    build_on_with_objects(config, AppState::new(items, clock), embedded, objects).await
}

/// Seeds demo data (when told), sets up the issuer and the token verifier, and merges the
/// routers over `state`'s store (`config.store` is not opened here).
pub async fn build_on(
    config: &LocalConfig,
    state: AppState,
    embedded: Option<EmbeddedStore>,
) -> Result<LocalApp, StartError> {
    let objects = s3::open(
        &ObjectsConfig::ephemeral(),
        &config.data_dir,
        &config.origin(),
    )
    .await?;
    build_on_with_objects(config, state, embedded, objects).await
}

/// [`build_on`] with the object store (and the embedded endpoint serving it, if any).
pub async fn build_on_with_objects(
    config: &LocalConfig,
    state: AppState,
    embedded: Option<EmbeddedStore>,
    buckets: s3::Buckets,
) -> Result<LocalApp, StartError> {
    let s3::Buckets {
        uploads: objects,
        public,
        embedded: s3,
    } = buckets;
    if config.seed {
        seed::demo(&state, objects.as_ref()).await?;
        seed::demo_awards(&state, objects.as_ref()).await?;
    }
    let clock = state.clock.clone();
    let (issuer, verifier) = match &config.identity {
        Identity::LocalIssuer => {
            let key = SigningKey::load_or_create(&config.data_dir)?;
            let issuer = Arc::new(Issuer::new(
                &config.origin(),
                key,
                config.access_token_secs,
                clock,
            ));
            let verifier = issuer.verifier()?;
            (Some(issuer), verifier)
        }
        Identity::External { issuer, client_id } => {
            let jwks = external::fetch_jwks(issuer).await?;
            (None, JwtVerifier::new(issuer, client_id, &jwks, clock)?)
        }
        Identity::Refused => {
            let none = JwkSet { keys: Vec::new() };
            (None, JwtVerifier::new("", "", &none, clock)?)
        }
    };
    let verifier = Arc::new(verifier);
    let uploads =
        ovop_uploads::AppState::on(state.store.clone(), objects.clone(), state.clock.clone());
    let scoring = ovop_scoring::AppState::on(state.store.clone(), state.clock.clone());
    let awards = ovop_awards::AppState::on(
        state.store.clone(),
        objects.clone(),
        public.clone(),
        state.clock.clone(),
        format!("{}/galeri/", config.origin()),
    );
    if config.seed {
        // The demo's determined round on the gallery (nothing is written when it is there).
        let report = ovop_awards::publish::publish_all(&awards).await?;
        tracing::info!(version = %report.version, unchanged = report.unchanged, "demo gallery published");
    }
    let api = ovop_platform::http::api(
        ovop_intake::routes(state.clone())
            .merge(ovop_uploads::routes(uploads))
            .merge(ovop_scoring::routes(scoring))
            .merge(ovop_awards::routes(awards)),
        Authenticator::Jwt(verifier.clone()),
    );
    let mut router = match &issuer {
        Some(issuer) => {
            let config_json = issuer.runtime_config();
            issuer.clone().routes().route(
                "/config.json",
                get(move || {
                    let body = config_json.clone();
                    async move {
                        (
                            [(axum::http::header::CACHE_CONTROL, REVALIDATE_CACHE_CONTROL)],
                            Json(body),
                        )
                            .into_response()
                    }
                }),
            )
        }
        None => Router::new()
            .route("/oidc", any(|| async { ApiError::NotFound }))
            .route("/oidc/{*rest}", any(|| async { ApiError::NotFound })),
    }
    .merge(api)
    .merge(web::gallery(public.clone()));
    if let Some(dir) = &config.spa_dir {
        // Unknown `/api/...` paths stay problem+json 404s; every other path is the SPA's.
        router = web::with_spa(router, dir);
    }
    Ok(LocalApp {
        router: web::with_security_headers(router, s3.as_ref().map(EmbeddedS3::public_url)),
        state,
        embedded,
        issuer,
        verifier,
        objects,
        public,
        s3,
    })
}

/// Binds `config.addr`, builds the app (its origin from the bound port unless configured) with
/// `objects`, prints the banner and serves until Ctrl-C, with the client time limits of
/// [`server`].
pub async fn serve(mut config: LocalConfig, objects: ObjectsConfig) -> Result<(), StartError> {
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
    config.addr = addr;
    let app = build_with_objects(&config, &objects, Arc::new(SystemClock)).await?;
    print!("{}", banner(&config, &app));
    let s3 = app.s3.clone();
    let served = server::serve(listener, app.router, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
    .map_err(|source| StartError::Listen { addr, source });
    if let Some(s3) = s3 {
        s3.shutdown().await;
    }
    served
}

/// What the app tells at start: where it runs, its store, whether demo data and the local
/// issuer are on, whose tokens it accepts, the demo accounts.
pub fn banner(config: &LocalConfig, app: &LocalApp) -> String {
    let origin = config.origin();
    let on_off = |on: bool| if on { "on" } else { "off" };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\nOVOP berjalan di / is running at  {origin}/   (listening on {})\n",
        config.addr
    );
    let store = match &config.store {
        StoreChoice::Embedded(dir) => format!("embedded, {}", dir.display()),
        StoreChoice::DynamoDb { table } => format!("DynamoDB table {table}"),
    };
    let _ = writeln!(out, "  store:                          {store}");
    if let Some(s3) = &app.s3 {
        let _ = writeln!(
            out,
            "  objects (embedded S3):          {}   (listening on {}, {})",
            s3.public_url(),
            s3.addr(),
            s3.root().display()
        );
    }
    let _ = writeln!(
        out,
        "  demo data (OVOP_SEED):          {}",
        on_off(config.seed)
    );
    let _ = writeln!(
        out,
        "  local issuer (OVOP_LOCAL_ISSUER): {}",
        on_off(app.issuer.is_some())
    );
    let tokens = match (&config.identity, &app.issuer) {
        (_, Some(issuer)) => format!("the local issuer's, {}", issuer.issuer()),
        (Identity::External { issuer, client_id }, None) => format!(
            "{issuer} (client {client_id}, {} keys)",
            app.verifier.key_count()
        ),
        _ => "none: every token is refused (401); set OVOP_OIDC_ISSUER and \
              OVOP_OIDC_CLIENT_ID, or OVOP_LOCAL_ISSUER=1"
            .to_owned(),
    };
    let _ = writeln!(out, "  tokens accepted:                {tokens}");
    if app.issuer.is_some() {
        let _ = writeln!(
            out,
            "\nAkun demo / demo accounts (pilih di halaman masuk / pick one on the sign-in page):"
        );
        for a in accounts::demo_accounts() {
            let _ = writeln!(out, "  {:<22} {}", a.username, a.groups.join(" "));
        }
    }
    let _ = writeln!(out, "\nOpenAPI: {origin}/api/v1/openapi.json\n");
    out
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn config(pairs: &[(&str, &str)]) -> Result<LocalConfig, ConfigError> {
        let env: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        LocalConfig::from_env(|name| env.get(name).cloned())
    }

    #[test]
    fn the_embedded_store_seeds_and_serves_the_local_issuer_by_default() {
        let c = config(&[]).unwrap();
        assert!(c.seed);
        assert_eq!(c.identity, Identity::LocalIssuer);
        assert_eq!(c.origin(), "http://localhost:8080");
        assert_eq!(c.access_token_secs, 3600);
        let c = config(&[
            ("OVOP_SEED", "0"),
            ("OVOP_PUBLIC_ORIGIN", "https://x.test/"),
        ])
        .unwrap();
        assert!(!c.seed);
        assert_eq!(c.origin(), "https://x.test");
    }

    #[test]
    fn a_real_table_gets_neither_unless_told() {
        let real = [("OVOP_STORE", "dynamodb"), ("TABLE_NAME", "ovop")];
        let c = config(&real).unwrap();
        assert!(!c.seed);
        assert_eq!(c.identity, Identity::Refused);
        let told = config(&[
            real[0],
            real[1],
            ("OVOP_SEED", "1"),
            ("OVOP_LOCAL_ISSUER", "1"),
        ])
        .unwrap();
        assert!(told.seed);
        assert_eq!(told.identity, Identity::LocalIssuer);
        let cognito = config(&[
            real[0],
            real[1],
            (
                "OVOP_OIDC_ISSUER",
                "https://cognito-idp.ap-southeast-3.amazonaws.com/p/",
            ),
            ("OVOP_OIDC_CLIENT_ID", "abc"),
        ])
        .unwrap();
        assert_eq!(
            cognito.identity,
            Identity::External {
                issuer: "https://cognito-idp.ap-southeast-3.amazonaws.com/p".into(),
                client_id: "abc".into()
            }
        );
    }

    #[test]
    fn contradictory_or_incomplete_settings_are_refused() {
        assert!(config(&[("OVOP_STORE", "dynamodb")]).is_err());
        assert!(config(&[("OVOP_STORE", "postgres")]).is_err());
        assert!(config(&[("OVOP_SEED", "maybe")]).is_err());
        assert!(config(&[("OVOP_OIDC_ISSUER", "https://i.test")]).is_err());
        assert!(config(&[
            ("OVOP_LOCAL_ISSUER", "1"),
            ("OVOP_OIDC_ISSUER", "https://i.test"),
            ("OVOP_OIDC_CLIENT_ID", "c"),
        ])
        .is_err());
        assert!(config(&[("OVOP_ACCESS_TOKEN_SECS", "0")]).is_err());
        // Naming an external issuer turns the local one off by default.
        let c = config(&[
            ("OVOP_OIDC_ISSUER", "https://i.test"),
            ("OVOP_OIDC_CLIENT_ID", "c"),
        ])
        .unwrap();
        assert!(matches!(c.identity, Identity::External { .. }));
    }
}
