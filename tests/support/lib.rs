//! Helpers for the black-box tests: fresh stores (embedded and DynamoDB on moto), and the
//! local app spawned on a random port with a clock the test controls, signed into through its
//! issuer as a browser does.

pub mod lambda;
pub mod selection;

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
use serde_json::{json, Value};
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
    /// The embedded S3 endpoint as the browser reaches it.
    pub s3_url: Option<String>,
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
            s3_url: app.s3.as_ref().map(|s| s.public_url().to_owned()),
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

    /// `POST uploads` of nomination `id` with `body` and a fresh `Idempotency-Key`.
    pub async fn declare_upload(&self, token: &str, id: &str, body: Value) -> Response {
        self.post(token, &nomination_path(id, "uploads"))
            .header("Idempotency-Key", ulid::Ulid::new().to_string())
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// [`TestApp::declare_upload`], checked to succeed: the declaration.
    pub async fn declared_upload(&self, token: &str, id: &str, body: Value) -> Value {
        let response = self.declare_upload(token, id, body.clone()).await;
        let status = response.status();
        let answer: Value = response.json().await.unwrap();
        assert_eq!(status, 201, "declaring {body}: {answer}");
        answer
    }

    /// Declares a file as `(code, file name, media type)` of `size` bytes: the declaration.
    pub async fn declare_file(
        &self,
        token: &str,
        id: &str,
        (code, file_name, media_type): (&str, &str, &str),
        size: u64,
    ) -> Value {
        self.declared_upload(
            token,
            id,
            json!({"document_code": code, "file_name": file_name, "media_type": media_type, "size": size}),
        )
        .await
    }

    /// `POST uploads/{upload}/complete` with `body` (`{}` for a single upload) and a fresh
    /// `Idempotency-Key`.
    pub async fn complete_upload(
        &self,
        token: &str,
        id: &str,
        upload: &str,
        body: Value,
    ) -> Response {
        self.post(
            token,
            &nomination_path(id, &format!("uploads/{upload}/complete")),
        )
        .header("Idempotency-Key", ulid::Ulid::new().to_string())
        .json(&body)
        .send()
        .await
        .unwrap()
    }

    /// Declares a small file as `(code, file name, media type)`, sends it with its presigned
    /// PUT and completes it: the declaration and the complete's answer (both checked to
    /// succeed).
    pub async fn upload_whole(
        &self,
        token: &str,
        id: &str,
        (code, file_name, media_type): (&str, &str, &str),
        bytes: &[u8],
    ) -> (Value, Response) {
        let d = self
            .declare_file(token, id, (code, file_name, media_type), bytes.len() as u64)
            .await;
        assert_eq!(d["mode"], "single", "{code}: a small file goes in one PUT");
        let sent = send_signed(&d["put"], bytes.to_vec()).await;
        assert_eq!(sent.status(), 200, "{code}: {}", sent.text().await.unwrap());
        let upload = d["upload_id"].as_str().unwrap().to_owned();
        let done = self.complete_upload(token, id, &upload, json!({})).await;
        assert_eq!(done.status(), 200, "completing {code}");
        (d, done)
    }

    /// The nomination's checklist (`GET documents`).
    pub async fn checklist(&self, token: &str, id: &str) -> Value {
        self.get_json(token, &nomination_path(id, "documents"))
            .await
    }

    /// Does what a regency office does before submitting, through the HTTP API as the browser
    /// does: reads the checklist and, for every document still missing, declares a small valid
    /// file (a one-page PDF, or a JPEG for the photos), sends it with its presigned PUT and
    /// completes it; when the sample (D08) is missing, records its shipment. Checks that the
    /// bundle is then complete.
    pub async fn attach_complete_bundle(&self, token: &str, nomination_id: &str) {
        let id = nomination_id;
        let checklist = self.checklist(token, id).await;
        let missing: Vec<String> = checklist["missing"]
            .as_array()
            .unwrap_or_else(|| panic!("a checklist: {checklist}"))
            .iter()
            .map(|code| code.as_str().unwrap().to_owned())
            .collect();
        for code in &missing {
            let entry = checklist_entry(&checklist, code);
            if entry["kind"] == "physical" {
                let shipped = self.ship_sample(token, id).await;
                assert_eq!(shipped.status(), 200, "shipping the sample of {id}");
                continue;
            }
            let accepts = entry["accepts"].as_array().unwrap();
            let (file_name, media_type, bytes) = if accepts.contains(&json!("application/pdf")) {
                let lines = [format!("{code} test file"), format!("nomination {id}")];
                let pdf = ovop_local::seed::demo_pdf(&lines);
                (format!("{code}.pdf"), "application/pdf", pdf)
            } else if accepts.contains(&json!("image/jpeg")) {
                let photo = ovop_local::seed::demo_photo().expect("a JPEG");
                (format!("{code}.jpg"), "image/jpeg", photo)
            } else {
                panic!("{code} accepts neither PDF nor JPEG: {entry}");
            };
            self.upload_whole(token, id, (code, &file_name, media_type), &bytes)
                .await;
        }
        let after = self.checklist(token, id).await;
        assert_eq!(after["complete"], true, "the bundle of {id}: {after}");
    }

    /// Records the shipment of nomination `id`'s sample (D08), sent today by the app's clock.
    pub async fn ship_sample(&self, token: &str, id: &str) -> Response {
        let shipped_on = self.clock.now().date_naive().to_string();
        self.put(token, &nomination_path(id, "sample/shipment"))
            .header("Idempotency-Key", ulid::Ulid::new().to_string())
            .json(
                &json!({"courier": "JNE", "tracking_number": "CGK0001", "shipped_on": shipped_on}),
            )
            .send()
            .await
            .unwrap()
    }
}

/// `/api/v1/nominations/{id}/{rest}`.
pub fn nomination_path(id: &str, rest: &str) -> String {
    format!("/api/v1/nominations/{id}/{rest}")
}

/// Sends a presigned request (`{method, url, headers}`) to `url` with `body`, as a browser
/// would: the signed headers, `content-length` from the body.
pub async fn send_presigned(request: &Value, url: &str, body: Vec<u8>) -> Response {
    let method =
        reqwest::Method::from_bytes(request["method"].as_str().unwrap().as_bytes()).unwrap();
    let mut builder = Client::new().request(method, url);
    for (name, value) in request["headers"].as_object().unwrap() {
        if name != "content-length" {
            builder = builder.header(name, value.as_str().unwrap());
        }
    }
    builder.body(body).send().await.unwrap()
}

/// Sends a presigned request to its own URL with `body`.
pub async fn send_signed(request: &Value, body: Vec<u8>) -> Response {
    send_presigned(request, request["url"].as_str().unwrap(), body).await
}

/// `len` bytes starting with `magic`.
pub fn file_bytes(magic: &[u8], len: usize) -> Vec<u8> {
    let mut b = magic.to_vec();
    b.extend((0..len.saturating_sub(magic.len())).map(|i| (i % 251) as u8));
    b.truncate(len);
    b
}

/// SHA-256 of `b`, lowercase hex.
pub fn sha256_hex(b: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(b)
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect()
}

/// The checklist's line of document `code`.
pub fn checklist_entry<'a>(checklist: &'a Value, code: &str) -> &'a Value {
    checklist["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["document"] == code)
        .unwrap_or_else(|| panic!("no line {code} in {checklist}"))
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

/// The seeded round as the store-level tests know it: ovop-2026, open, deadline 30 days after
/// [`start_time`] — but requiring no documents (the seeded one does), so that those tests and
/// the benches submit with [`ovop_core::nomination::Nomination::submit`], without a bundle.
pub fn open_round() -> ovop_core::round::Round {
    ovop_core::round::RoundForm {
        year: Some(2026),
        name: "OVOP 2026".into(),
        proposal_deadline: Some(start_time() + chrono::Duration::days(30)),
        documents_required: Some(false),
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
