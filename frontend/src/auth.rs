//! Sign-in: OAuth 2.0 authorization code with PKCE (S256) against the OpenID Connect issuer
//! named in `/config.json` (docs/sign-in.md).
//!
//! Tokens live in this module's memory only; `sessionStorage` holds the verifier, the state and
//! the page to return to while the browser is away at the issuer, nothing else. A reload signs
//! in again (the issuer's own session answers at once).

use std::cell::RefCell;
use std::time::Duration;

use gloo_net::http::{Request, Response};
use leptos::prelude::{set_timeout_with_handle, TimeoutHandle};
use ovop_core::{pkce, Text};

/// Where sign-in keeps what it needs while the browser is at the issuer (`sessionStorage`).
const PENDING_KEYS: [&str; 3] = [
    "ovop.signin.verifier",
    "ovop.signin.state",
    "ovop.signin.return_to",
];
/// Refresh when this share of the access token's life has passed.
const REFRESH_AT: f64 = 0.8;
/// A token this close to its end is refreshed before use.
const MARGIN_MS: f64 = 2_000.0;

/// `GET /config.json`: one build serves every stage.
#[derive(Clone, Debug)]
struct Config {
    client_id: String,
    redirect_uri: String,
    logout_url: String,
    post_logout_redirect_uri: String,
    scopes: String,
}

/// The config and the two endpoints of the issuer's discovery document the app uses.
#[derive(Clone, Debug)]
struct Issuer {
    config: Config,
    authorization_endpoint: String,
    token_endpoint: String,
}

/// A token endpoint's answer.
struct TokenAnswer {
    access_token: String,
    id_token: Option<String>,
    refresh_token: Option<String>,
    expires_in: f64,
}

/// A JSON object as the browser parsed it. The issuer's few documents are read field by
/// field through JavaScript rather than with serde: each derived deserializer costs kilobytes
/// of wasm, and these are small, flat objects.
struct Json(wasm_bindgen::JsValue);

impl Json {
    fn parse(text: &str) -> Option<Json> {
        js_sys::JSON::parse(text)
            .ok()
            .filter(|v| v.is_object())
            .map(Json)
    }

    fn string(&self, key: &str) -> Option<String> {
        js_sys::Reflect::get(&self.0, &key.into()).ok()?.as_string()
    }

    fn number(&self, key: &str) -> Option<f64> {
        js_sys::Reflect::get(&self.0, &key.into()).ok()?.as_f64()
    }

    fn require(&self, key: &str) -> Result<String, Text> {
        self.string(key)
            .ok_or_else(|| unreachable_issuer(format!("`{key}` missing")))
    }
}

/// What the browser keeps while it is away at the issuer.
struct Pending {
    verifier: String,
    state: String,
    return_to: String,
}

struct Tokens {
    access: String,
    refresh: Option<String>,
    /// `Date.now()` at which the access token ends.
    expires_at: f64,
}

#[derive(Default)]
struct Auth {
    issuer: Option<Issuer>,
    tokens: Option<Tokens>,
    timer: Option<TimeoutHandle>,
    refreshing: bool,
    /// The browser is on its way to the issuer: no second sign-in may start.
    leaving: bool,
}

thread_local! {
    static AUTH: RefCell<Auth> = RefCell::default();
}

fn issuer() -> Option<Issuer> {
    AUTH.with_borrow(|a| a.issuer.clone())
}

/// Who the ID token says signed in, for display.
#[derive(Clone, Debug, Default)]
pub struct IdClaims {
    pub name: Option<String>,
    pub email: Option<String>,
}

impl IdClaims {
    /// The claims of an ID token. It came straight from the token endpoint; it is read for
    /// display only, never to decide anything.
    fn of(id_token: &str) -> IdClaims {
        let claims = id_token
            .split('.')
            .nth(1)
            .and_then(pkce::decode)
            .and_then(|json| String::from_utf8(json).ok())
            .and_then(|json| Json::parse(&json));
        match claims {
            Some(c) => IdClaims {
                name: c.string("name").filter(|n| !n.is_empty()),
                email: c.string("email").filter(|e| !e.is_empty()),
            },
            None => IdClaims::default(),
        }
    }
}

fn unreachable_issuer(e: impl std::fmt::Display) -> Text {
    Text::new(
        format!("Layanan masuk tidak dapat dihubungi: {e}"),
        format!("The sign-in service cannot be reached: {e}"),
    )
}

/// The status and the JSON object of an answer.
async fn answer(response: Result<Response, gloo_net::Error>) -> Result<(u16, Json), Text> {
    let response = response.map_err(unreachable_issuer)?;
    let status = response.status();
    let text = response.text().await.map_err(unreachable_issuer)?;
    match Json::parse(&text) {
        Some(json) => Ok((status, json)),
        None => Err(unreachable_issuer(format!("HTTP {status}"))),
    }
}

async fn get_json(url: &str) -> Result<Json, Text> {
    match answer(Request::get(url).send().await).await? {
        (200, json) => Ok(json),
        (status, _) => Err(unreachable_issuer(format!("HTTP {status}"))),
    }
}

/// Reads `/config.json` and the issuer's discovery document.
pub async fn load() -> Result<(), Text> {
    let c = get_json("/config.json").await?;
    let config = Config {
        client_id: c.require("client_id")?,
        redirect_uri: c.require("redirect_uri")?,
        logout_url: c.require("logout_url")?,
        post_logout_redirect_uri: c.require("post_logout_redirect_uri")?,
        scopes: c.require("scopes")?,
    };
    let discovery = format!(
        "{}/.well-known/openid-configuration",
        c.require("issuer")?.trim_end_matches('/')
    );
    let d = get_json(&discovery).await?;
    let issuer = Issuer {
        config,
        authorization_endpoint: d.require("authorization_endpoint")?,
        token_endpoint: d.require("token_endpoint")?,
    };
    AUTH.with_borrow_mut(|a| a.issuer = Some(issuer));
    Ok(())
}

fn window() -> web_sys::Window {
    web_sys::window().expect("a browser window")
}

fn session_storage() -> Option<web_sys::Storage> {
    window().session_storage().ok()?
}

fn random_bytes<const N: usize>() -> Result<[u8; N], Text> {
    let mut bytes = [0u8; N];
    window()
        .crypto()
        .and_then(|c| c.get_random_values_with_u8_array(&mut bytes))
        .map_err(|_| {
            Text::new(
                "Peramban ini tidak menyediakan bilangan acak yang aman.",
                "This browser offers no secure random numbers.",
            )
        })?;
    Ok(bytes)
}

fn encode(value: &str) -> String {
    js_sys::encode_uri_component(value).into()
}

fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The page the browser is on: path, query and fragment.
pub fn current_path() -> String {
    let location = window().location();
    format!(
        "{}{}{}",
        location.pathname().unwrap_or_default(),
        location.search().unwrap_or_default(),
        location.hash().unwrap_or_default()
    )
}

/// A path of this app to come back to; anything else (another origin, the callback) is `/`.
fn local_path(path: &str) -> String {
    let ours = path.starts_with('/') && !path.starts_with("//") && !path.contains('\\');
    if ours && !path.starts_with("/auth/callback") {
        path.to_owned()
    } else {
        "/".to_owned()
    }
}

/// Goes to the issuer's sign-in page; the browser comes back to `return_to` afterwards.
pub fn start_sign_in(return_to: &str) -> Result<(), Text> {
    let Some(issuer) = issuer() else {
        return Err(unreachable_issuer("no configuration"));
    };
    let verifier = pkce::verifier(&random_bytes()?);
    let state = pkce::encode(&random_bytes::<16>()?);
    let values = [verifier.as_str(), state.as_str(), &local_path(return_to)];
    let stored = session_storage().is_some_and(|s| {
        PENDING_KEYS
            .iter()
            .zip(values)
            .all(|(key, value)| s.set_item(key, value).is_ok())
    });
    if !stored {
        return Err(Text::new(
            "Peramban menolak menyimpan data masuk sementara (sessionStorage).",
            "The browser refused to keep the sign-in data (sessionStorage).",
        ));
    }
    let c = &issuer.config;
    AUTH.with_borrow_mut(|a| a.leaving = true);
    let url = format!(
        "{}?{}",
        issuer.authorization_endpoint,
        form(&[
            ("response_type", "code"),
            ("client_id", &c.client_id),
            ("redirect_uri", &c.redirect_uri),
            ("scope", &c.scopes),
            ("state", &state),
            ("code_challenge", &pkce::challenge(&verifier)),
            ("code_challenge_method", "S256"),
        ])
    );
    // `replace`: Back must not return to a page that only sends the browser here again.
    window()
        .location()
        .replace(&url)
        .map_err(|_| unreachable_issuer("navigation refused"))
}

/// Signs in again and comes back to the page the browser is on (a 401, a refused refresh).
pub fn sign_in_again() {
    if AUTH.with_borrow(|a| a.leaving) {
        return;
    }
    forget_tokens();
    let _ = start_sign_in(&current_path());
}

/// What sign-in kept, removed from `sessionStorage`: each answer is taken once.
fn take_pending() -> Option<Pending> {
    let storage = session_storage()?;
    let [verifier, state, return_to] = PENDING_KEYS.map(|key| {
        let value = storage.get_item(key).ok().flatten();
        let _ = storage.remove_item(key);
        value
    });
    Some(Pending {
        verifier: verifier?,
        state: state?,
        return_to: return_to?,
    })
}

/// The issuer's answer on `/auth/callback`: what came back in the query.
pub struct Callback {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
}

/// Checks the answer's `state`, exchanges the code for tokens and keeps them in memory.
/// Answers the page to return to and who signed in. A missing or foreign `state` is refused
/// before anything is sent.
pub async fn finish_sign_in(answer: Callback) -> Result<(String, IdClaims), Text> {
    let pending = take_pending();
    let state_ok = matches!(
        (&pending, &answer.state),
        (Some(p), Some(s)) if !s.is_empty() && p.state == *s
    );
    if !state_ok {
        return Err(Text::new(
            "Jawaban masuk ditolak: kode keamanan (state) tidak ada atau tidak cocok dengan \
             permintaan dari peramban ini. Silakan masuk lagi.",
            "The sign-in answer was refused: its security code (state) is missing or does not \
             match the request made by this browser. Please sign in again.",
        ));
    }
    let pending = pending.expect("checked above");
    if let Some(error) = answer.error {
        let detail = answer.error_description.unwrap_or(error);
        return Err(Text::new(
            format!("Layanan masuk menolak permintaan: {detail}"),
            format!("The sign-in service refused: {detail}"),
        ));
    }
    let Some(code) = answer.code.filter(|c| !c.is_empty()) else {
        return Err(Text::new(
            "Jawaban masuk tidak berisi kode.",
            "The sign-in answer has no code.",
        ));
    };
    let issuer = issuer().ok_or_else(|| unreachable_issuer("no configuration"))?;
    let c = &issuer.config;
    let body = form(&[
        ("grant_type", "authorization_code"),
        ("code", &code),
        ("redirect_uri", &c.redirect_uri),
        ("client_id", &c.client_id),
        ("code_verifier", &pending.verifier),
    ]);
    let tokens = token_request(&issuer.token_endpoint, body).await?;
    let claims = tokens
        .id_token
        .as_deref()
        .map(IdClaims::of)
        .unwrap_or_default();
    keep(tokens);
    Ok((local_path(&pending.return_to), claims))
}

async fn token_request(endpoint: &str, body: String) -> Result<TokenAnswer, Text> {
    let request = Request::post(endpoint)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Accept", "application/json")
        .body(body)
        .map_err(unreachable_issuer)?;
    let (status, json) = answer(request.send().await).await?;
    if status == 200 {
        return Ok(TokenAnswer {
            access_token: json.require("access_token")?,
            id_token: json.string("id_token"),
            refresh_token: json.string("refresh_token"),
            expires_in: json.number("expires_in").unwrap_or(300.0),
        });
    }
    // RFC 6749 §5.2: `error`, and maybe `error_description`.
    let why = json
        .string("error_description")
        .or_else(|| json.string("error"))
        .unwrap_or_else(|| format!("HTTP {status}"));
    Err(Text::new(
        format!("Layanan masuk menolak memberi token: {why}"),
        format!("The sign-in service refused to issue tokens: {why}"),
    ))
}

/// Keeps fresh tokens and sets the timer that refreshes them.
fn keep(answer: TokenAnswer) {
    let life_ms = answer.expires_in.max(1.0) * 1000.0;
    let delay = Duration::from_millis((life_ms * REFRESH_AT) as u64);
    let timer = set_timeout_with_handle(
        || leptos::task::spawn_local(async { refresh().await }),
        delay,
    )
    .ok();
    AUTH.with_borrow_mut(|a| {
        let refresh = answer
            .refresh_token
            .or_else(|| a.tokens.as_mut().and_then(|t| t.refresh.take()));
        a.tokens = Some(Tokens {
            access: answer.access_token,
            refresh,
            expires_at: js_sys::Date::now() + life_ms,
        });
        if let Some(old) = std::mem::replace(&mut a.timer, timer) {
            old.clear();
        }
    });
}

fn forget_tokens() {
    AUTH.with_borrow_mut(|a| {
        a.tokens = None;
        if let Some(timer) = a.timer.take() {
            timer.clear();
        }
    });
}

/// Trades the refresh token for new tokens; when refused, signs in again.
async fn refresh() {
    let started = AUTH.with_borrow_mut(|a| !std::mem::replace(&mut a.refreshing, true));
    if !started {
        return;
    }
    let refresh_token = AUTH.with_borrow(|a| a.tokens.as_ref().and_then(|t| t.refresh.clone()));
    let result = match (issuer(), refresh_token) {
        (Some(issuer), Some(token)) => {
            let body = form(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", &token),
                ("client_id", &issuer.config.client_id),
            ]);
            token_request(&issuer.token_endpoint, body).await.ok()
        }
        _ => None,
    };
    AUTH.with_borrow_mut(|a| a.refreshing = false);
    match result {
        Some(tokens) => keep(tokens),
        None => sign_in_again(),
    }
}

async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = window().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// The access token for an API call, refreshed first when it is about to end.
pub async fn access_token() -> Option<String> {
    for _ in 0..200 {
        if !AUTH.with_borrow(|a| a.refreshing) {
            break;
        }
        sleep(50).await;
    }
    let stale = AUTH.with_borrow(|a| {
        a.tokens
            .as_ref()
            .is_some_and(|t| t.expires_at - MARGIN_MS <= js_sys::Date::now())
    });
    if stale {
        refresh().await;
    }
    AUTH.with_borrow(|a| a.tokens.as_ref().map(|t| t.access.clone()))
}

/// Forgets the tokens and ends the issuer's session (`logout_url`), which comes back to the
/// app's start page.
pub fn sign_out() {
    forget_tokens();
    AUTH.with_borrow_mut(|a| a.leaving = true);
    if let Some(storage) = session_storage() {
        for key in PENDING_KEYS {
            let _ = storage.remove_item(key);
        }
    }
    let url = match issuer() {
        Some(Issuer { config: c, .. }) => format!(
            "{}?{}",
            c.logout_url,
            form(&[
                ("client_id", &c.client_id),
                ("logout_uri", &c.post_logout_redirect_uri),
            ])
        ),
        None => "/".to_owned(),
    };
    let _ = window().location().assign(&url);
}
