//! Helpers for the black-box tests: fresh stores (embedded and DynamoDB on moto), and the
//! local app spawned on a random port with a clock the test controls.

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use ovop_core::dto::Session;
use ovop_core::nomination::NominationForm;
use ovop_intake::AppState;
use ovop_local::server::Timeouts;
use ovop_local::{LocalConfig, StoreChoice};
use ovop_platform::clock::{Clock, ManualClock, SystemClock};
use ovop_platform::store::dynamo::DynamoStore;
use ovop_platform::store::embedded::{EmbeddedStore, DEFAULT_LOG_BYTES};
use reqwest::{Client, RequestBuilder, Response};
use tempfile::TempDir;

/// The DynamoDB emulator's endpoint. `make test` starts moto and sets it.
pub fn moto_endpoint() -> String {
    std::env::var("OVOP_TEST_DYNAMODB_ENDPOINT").expect(
        "OVOP_TEST_DYNAMODB_ENDPOINT is not set: run the tests with `make test`, which starts \
         moto_server, or start `moto_server -H 127.0.0.1 -p 5005` and export \
         OVOP_TEST_DYNAMODB_ENDPOINT=http://127.0.0.1:5005",
    )
}

/// A DynamoDB client for the emulator.
pub async fn dynamo_client() -> aws_sdk_dynamodb::Client {
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(moto_endpoint())
        .region(aws_config::Region::new("ap-southeast-3"))
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
            "test", "test", None, None, "tests",
        ))
        .load()
        .await;
    aws_sdk_dynamodb::Client::new(&config)
}

/// A DynamoDB store over a table of its own.
pub async fn dynamo_store() -> DynamoStore {
    dynamo_store_with(Arc::new(SystemClock)).await
}

/// A DynamoDB store over a table of its own, deciding expiry by `clock`.
pub async fn dynamo_store_with(clock: Arc<dyn Clock>) -> DynamoStore {
    let table = format!("ovop-test-{}", ulid::Ulid::new().to_string().to_lowercase());
    let store = DynamoStore::new(dynamo_client().await, table).with_clock(clock);
    store
        .ensure_table()
        .await
        .expect("create test table on moto");
    store
}

/// An embedded store in a fresh folder (kept alive by the returned guard).
pub fn embedded_store() -> (EmbeddedStore, TempDir) {
    embedded_store_with(Arc::new(SystemClock))
}

/// An embedded store in a fresh folder, deciding expiry by `clock`.
pub fn embedded_store_with(clock: Arc<dyn Clock>) -> (EmbeddedStore, TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = EmbeddedStore::open_with(dir.path(), DEFAULT_LOG_BYTES, clock)
        .expect("open embedded store");
    (store, dir)
}

/// 1 March 2026, 09:00 WIB: inside the seeded round's proposal window.
pub fn start_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 2, 0, 0).unwrap()
}

/// The local app on 127.0.0.1 with seeded data and a manual clock, served by the same server
/// as `ovop-local` (`ovop_local::server`).
pub struct TestApp {
    pub base: String,
    pub addr: std::net::SocketAddr,
    pub http: Client,
    pub state: AppState,
    pub clock: Arc<ManualClock>,
    _dir: TempDir,
}

/// How the test apps are configured: a fresh data folder, seeded or not.
pub fn local_config(dir: &std::path::Path, seed: bool) -> LocalConfig {
    LocalConfig {
        addr: "127.0.0.1:0".parse().unwrap(),
        store: StoreChoice::Embedded(dir.to_owned()),
        spa_dir: None,
        dev_secret: b"test-secret-test-secret-test-secret".to_vec(),
        token_ttl_secs: 3600,
        seed,
    }
}

impl TestApp {
    /// Starts the app on a random port with the server's own time limits.
    pub async fn spawn() -> TestApp {
        Self::spawn_with(Timeouts::default()).await
    }

    /// Starts the app on a random port with the given header and body time limits.
    pub async fn spawn_with(timeouts: Timeouts) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let clock = Arc::new(ManualClock::new(start_time()));
        let app = ovop_local::build(&local_config(dir.path(), true), clock.clone())
            .await
            .expect("build app");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(ovop_local::server::serve_with(
            listener,
            app.router,
            std::future::pending(),
            timeouts,
        ));
        TestApp {
            base: format!("http://{addr}"),
            addr,
            http: Client::new(),
            state: app.state,
            clock,
            _dir: dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Signs in as a seeded user; returns the bearer token.
    pub async fn login(&self, user_id: &str) -> String {
        let response = self
            .http
            .post(self.url("/api/v1/auth/dev-login"))
            .json(&serde_json::json!({ "user_id": user_id }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "login {user_id}");
        response.json::<Session>().await.unwrap().token
    }

    pub fn get(&self, token: &str, path: &str) -> RequestBuilder {
        self.http.get(self.url(path)).bearer_auth(token)
    }

    pub fn post(&self, token: &str, path: &str) -> RequestBuilder {
        self.http.post(self.url(path)).bearer_auth(token)
    }

    pub fn put(&self, token: &str, path: &str) -> RequestBuilder {
        self.http.put(self.url(path)).bearer_auth(token)
    }

    /// GETs `path` and reads the JSON body.
    pub async fn get_json<T: serde::de::DeserializeOwned>(&self, token: &str, path: &str) -> T {
        self.get(token, path)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .expect("JSON body")
    }

    /// Creates a draft with a fresh idempotency key.
    pub async fn create(&self, token: &str, form: &NominationForm) -> Response {
        self.post(token, "/api/v1/nominations")
            .header("Idempotency-Key", ulid::Ulid::new().to_string())
            .json(form)
            .send()
            .await
            .unwrap()
    }

    /// The seeded round's id.
    pub fn round_id(&self) -> String {
        "ovop-2026".into()
    }
}

/// A complete, valid form for `regency`.
pub fn form(regency: &str, name: &str) -> NominationForm {
    ovop_local::seed::demo_form("ovop-2026", regency, name, "anyaman", "9120009876543")
}

/// Reads a problem+json body, checking its content type.
pub async fn problem(response: Response) -> ovop_core::errors::Problem {
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    assert_eq!(content_type, "application/problem+json");
    response.json().await.expect("problem body")
}

/// The seeded round as the tests know it: ovop-2026, open, deadline 30 days after
/// [`start_time`].
pub fn open_round() -> ovop_core::round::Round {
    ovop_core::round::RoundForm {
        year: Some(2026),
        name: "OVOP 2026".into(),
        proposal_deadline: Some(start_time() + chrono::Duration::days(30)),
    }
    .validate(start_time())
    .expect("valid round")
    .open(None, start_time())
    .expect("a planned round opens")
}

/// The regency office of `regency`.
pub fn office(regency: &str) -> ovop_core::policy::Principal {
    ovop_core::policy::Principal {
        user_id: format!("office-{regency}"),
        name: format!("Dinas {regency}"),
        role: ovop_core::policy::Role::Pengusul,
        region: Some(ovop_core::policy::RegionScope::parse(regency).expect("regency code")),
    }
}

/// A new draft of `regency` named `name` in [`open_round`], with its audit entry.
pub fn draft(regency: &str, name: &str) -> ovop_core::nomination::Change {
    let valid = form(regency, name)
        .validate(&Default::default(), 2026)
        .expect("test form is valid");
    ovop_core::nomination::Nomination::create(
        ulid::Ulid::new().to_string(),
        valid,
        &open_round(),
        &office(regency),
        start_time(),
    )
    .expect("a draft in an open round")
}
