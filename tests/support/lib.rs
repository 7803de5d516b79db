//! Helpers for the black-box tests: fresh stores (embedded and DynamoDB on moto), and the
//! local app spawned on a random port with a clock the test controls, signed into through its
//! issuer as a browser does.

pub mod lambda;

use std::sync::{Arc, OnceLock};

use chrono::{DateTime, TimeZone, Utc};
use ovop_core::nomination::NominationForm;
use ovop_intake::AppState;
use ovop_local::oidc::{keys, SigningKey, TokenResponse, CLIENT_ID};
use ovop_local::server::Timeouts;
use ovop_local::{Identity, LocalConfig, StoreChoice};
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
    /// A client that does not follow redirects (the sign-in flow reads them).
    pub browser: Client,
    pub state: AppState,
    pub clock: Arc<ManualClock>,
    /// The local issuer.
    pub issuer: Arc<ovop_local::oidc::Issuer>,
    _dir: TempDir,
}

/// How the test apps are configured: a fresh data folder, seeded or not, the local issuer on
/// with one-hour access tokens.
pub fn local_config(dir: &std::path::Path, seed: bool) -> LocalConfig {
    LocalConfig {
        addr: "127.0.0.1:0".parse().unwrap(),
        store: StoreChoice::Embedded(dir.to_owned()),
        data_dir: dir.to_owned(),
        spa_dir: None,
        public_origin: None,
        access_token_secs: 3600,
        seed,
        identity: Identity::LocalIssuer,
    }
}

/// Puts this test process's signing key into `dir`: one RSA key made per process instead of
/// one per app.
pub fn share_signing_key(dir: &std::path::Path) {
    static PEM: OnceLock<String> = OnceLock::new();
    let pem = PEM.get_or_init(|| SigningKey::generate().expect("RSA key").1);
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join(keys::KEY_FILE), pem).unwrap();
}

/// A PKCE pair: a fresh 43-character verifier and its S256 challenge.
pub fn pkce_pair() -> (String, String) {
    let mut random = [0u8; 32];
    random[..16].copy_from_slice(&ulid::Ulid::new().to_bytes());
    random[16..].copy_from_slice(&ulid::Ulid::new().to_bytes());
    let verifier = ovop_core::pkce::verifier(&random);
    let challenge = ovop_core::pkce::challenge(&verifier);
    (verifier, challenge)
}

/// What a sign-in page's form would send: its hidden fields.
pub fn hidden_fields(page: &str) -> Vec<(String, String)> {
    static INPUT: OnceLock<regex::Regex> = OnceLock::new();
    let input = INPUT.get_or_init(|| {
        regex::Regex::new(r#"<input type="hidden" name="([^"]*)" value="([^"]*)">"#).unwrap()
    });
    let unescape = |v: &str| {
        v.replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&")
    };
    input
        .captures_iter(page)
        .map(|c| (unescape(&c[1]), unescape(&c[2])))
        .collect()
}

/// The query parameters of a URL.
pub fn query_of(url: &str) -> std::collections::HashMap<String, String> {
    reqwest::Url::parse(url)
        .expect("a URL")
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The query of an authorization request of the web app at `base` with `challenge` and
/// `state`.
pub fn authorize_query(base: &str, challenge: &str, state: &str) -> Vec<(String, String)> {
    [
        ("response_type", "code"),
        ("client_id", CLIENT_ID),
        ("redirect_uri", &format!("{base}/auth/callback")),
        ("scope", "openid email profile"),
        ("state", state),
        ("code_challenge", challenge),
        ("code_challenge_method", "S256"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// Signs in at the app at `base` as a browser does, with `browser` (a client that follows no
/// redirects): `GET /oidc/authorize` with a PKCE challenge, posts the page's form with the
/// chosen account, and reads the redirect to the callback (its state checked). Returns the
/// code.
pub async fn authorize_at(
    browser: &Client,
    base: &str,
    user_id: &str,
    challenge: &str,
    state: &str,
) -> String {
    let page = browser
        .get(format!("{base}/oidc/authorize"))
        .query(&authorize_query(base, challenge, state))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200, "authorize page");
    let page = page.text().await.unwrap();
    assert!(
        page.contains(&format!("name=\"username\" value=\"{user_id}\"")),
        "{user_id} is not offered"
    );
    let mut form = hidden_fields(&page);
    form.push(("username".into(), user_id.into()));
    let chosen = browser
        .post(format!("{base}/oidc/authorize"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(chosen.status(), 302, "sign-in of {user_id}");
    let location = chosen.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with(&format!("{base}/auth/callback?")),
        "{location}"
    );
    let query = query_of(&location);
    assert_eq!(query.get("state").map(String::as_str), Some(state));
    query.get("code").expect("a code").clone()
}

/// The whole sign-in of `user_id` at the app at `base`: [`authorize_at`], then the code
/// exchanged with the verifier at `POST /oidc/token`. Returns the tokens.
pub async fn sign_in_at(browser: &Client, base: &str, user_id: &str) -> TokenResponse {
    let (verifier, challenge) = pkce_pair();
    let state = ulid::Ulid::new().to_string();
    let code = authorize_at(browser, base, user_id, &challenge, &state).await;
    let redirect_uri = format!("{base}/auth/callback");
    let response = browser
        .post(format!("{base}/oidc/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", &redirect_uri),
            ("client_id", CLIENT_ID),
            ("code_verifier", &verifier),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "token for {user_id}");
    response.json().await.expect("token response")
}

/// A client that follows no redirects, as the sign-in flow needs.
pub fn browser() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

impl TestApp {
    /// Starts the app on a random port with the server's own time limits.
    pub async fn spawn() -> TestApp {
        Self::spawn_with(Timeouts::default()).await
    }

    /// Starts the app on a random port with the given header and body time limits.
    pub async fn spawn_with(timeouts: Timeouts) -> TestApp {
        Self::spawn_configured(timeouts, |_| {}).await
    }

    /// Starts the app on a random port after `change` has adjusted its configuration (the
    /// address and the origin are the app's own).
    pub async fn spawn_configured(
        timeouts: Timeouts,
        change: impl FnOnce(&mut LocalConfig),
    ) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        share_signing_key(dir.path());
        let clock = Arc::new(ManualClock::new(start_time()));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut config = local_config(dir.path(), true);
        change(&mut config);
        config.addr = addr;
        config.public_origin = Some(format!("http://{addr}"));
        let app = ovop_local::build(&config, clock.clone())
            .await
            .expect("build app");
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
            browser: browser(),
            state: app.state,
            clock,
            issuer: app.issuer.expect("the local issuer is on"),
            _dir: dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Signs in as a demo account; returns its access token (the API's bearer token).
    pub async fn login(&self, user_id: &str) -> String {
        self.sign_in(user_id).await.access_token
    }

    /// The registered redirect URI.
    pub fn redirect_uri(&self) -> String {
        self.url("/auth/callback")
    }

    /// The query of an authorization request with `challenge` and `state`.
    pub fn authorize_query(&self, challenge: &str, state: &str) -> Vec<(String, String)> {
        authorize_query(&self.base, challenge, state)
    }

    /// The code of a sign-in as `user_id` (see [`authorize_at`]).
    pub async fn authorize(&self, user_id: &str, challenge: &str, state: &str) -> String {
        authorize_at(&self.browser, &self.base, user_id, challenge, state).await
    }

    /// `POST /oidc/token` with `form`.
    pub async fn token_request(&self, form: &[(&str, &str)]) -> Response {
        self.browser
            .post(self.url("/oidc/token"))
            .form(form)
            .send()
            .await
            .unwrap()
    }

    /// Exchanges `code` with `verifier`.
    pub async fn exchange(&self, code: &str, verifier: &str) -> Response {
        let redirect_uri = self.redirect_uri();
        self.token_request(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", &redirect_uri),
            ("client_id", CLIENT_ID),
            ("code_verifier", verifier),
        ])
        .await
    }

    /// The whole sign-in of `user_id`: its tokens.
    pub async fn sign_in(&self, user_id: &str) -> TokenResponse {
        sign_in_at(&self.browser, &self.base, user_id).await
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
