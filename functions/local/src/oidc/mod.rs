//! The local OpenID Connect issuer (docs/sign-in.md): the demo accounts sign in through the
//! same authorization-code + PKCE (S256) flow as Cognito's managed login, with Cognito's
//! endpoint shapes and claim names, at `{origin}/oidc`.
//!
//! Codes, refresh tokens and sign-in sessions live in memory (a restart signs everyone out);
//! the signing key lives in the data folder ([`keys`]).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{any, get};
use axum::{Json, Router};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use jsonwebtoken::jwk::JwkSet;
use ovop_core::{Lang, Text};
use ovop_platform::auth::{JwksError, JwtVerifier};
use ovop_platform::clock::Clock;
use ovop_platform::http::REVALIDATE_CACHE_CONTROL;
use ovop_platform::ApiError;
use rsa::rand_core::{OsRng, RngCore};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::accounts::{demo_account, demo_accounts, DemoAccount};

pub mod keys;
pub mod page;

pub use keys::SigningKey;

/// The web app's client id.
pub const CLIENT_ID: &str = "ovop-local-spa";
/// Path of the issuer under the origin.
pub const ISSUER_PATH: &str = "/oidc";
/// How long an authorization code may wait for its exchange.
pub const CODE_TTL_SECS: i64 = 60;
/// How long a refresh token lasts (Cognito's default: 30 days).
pub const REFRESH_TTL_SECS: i64 = 30 * 24 * 3600;
/// How long the issuer's own sign-in session lasts.
pub const SESSION_TTL_SECS: i64 = 12 * 3600;
/// The issuer's session cookie.
pub const SESSION_COOKIE: &str = "ovop_oidc_session";
/// The scopes a client may ask for; the default when it names none.
pub const SCOPES: [&str; 3] = ["openid", "email", "profile"];
/// Most codes, refresh tokens or sessions kept at once; beyond, the expired ones go first and
/// then the oldest.
const MAX_GRANTS: usize = 10_000;

/// An authorization code waiting for its exchange.
struct Code {
    username: String,
    redirect_uri: String,
    challenge: String,
    scope: String,
    nonce: Option<String>,
    auth_time: i64,
    expires: i64,
}

/// A refresh token.
struct Refresh {
    username: String,
    scope: String,
    auth_time: i64,
    expires: i64,
}

/// The issuer's sign-in session (the cookie's value names one).
struct SignedIn {
    username: String,
    auth_time: i64,
    expires: i64,
}

#[derive(Default)]
struct Grants {
    codes: HashMap<String, Code>,
    refresh: HashMap<String, Refresh>,
    sessions: HashMap<String, SignedIn>,
}

/// Something that expires.
trait Expiring {
    fn expires(&self) -> i64;
}
impl Expiring for Code {
    fn expires(&self) -> i64 {
        self.expires
    }
}
impl Expiring for Refresh {
    fn expires(&self) -> i64 {
        self.expires
    }
}
impl Expiring for SignedIn {
    fn expires(&self) -> i64 {
        self.expires
    }
}

/// Makes room for one more entry: drops the expired, then (when still full) the soonest to
/// expire.
fn make_room<T: Expiring>(map: &mut HashMap<String, T>, now: i64) {
    if map.len() < MAX_GRANTS {
        return;
    }
    map.retain(|_, v| v.expires() > now);
    while map.len() >= MAX_GRANTS {
        let Some(first) = map
            .iter()
            .min_by_key(|(_, v)| v.expires())
            .map(|(k, _)| k.clone())
        else {
            break;
        };
        map.remove(&first);
    }
}

/// The local issuer.
pub struct Issuer {
    origin: String,
    issuer: String,
    access_ttl_secs: i64,
    key: SigningKey,
    clock: Arc<dyn Clock>,
    grants: Mutex<Grants>,
}

/// The token endpoint's answer.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub id_token: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    pub token_type: String,
    pub expires_in: i64,
}

/// 32 random bytes, base64url: codes, refresh tokens, session ids.
fn random_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Whether `verifier` is a valid RFC 7636 code verifier whose S256 challenge is `challenge`.
pub fn pkce_s256_matches(verifier: &str, challenge: &str) -> bool {
    let well_formed = (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
    if !well_formed {
        return false;
    }
    let computed = ovop_core::pkce::challenge(verifier);
    // Compared in constant time.
    computed.len() == challenge.len()
        && computed
            .bytes()
            .zip(challenge.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

/// Whether a challenge is an S256 challenge's shape: 43 base64url characters.
fn is_s256_challenge(challenge: &str) -> bool {
    challenge.len() == 43
        && challenge
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

impl Issuer {
    /// The issuer at `{origin}/oidc` (origin without a trailing slash), signing with `key`,
    /// access tokens valid for `access_ttl_secs` as told by `clock`.
    pub fn new(
        origin: &str,
        key: SigningKey,
        access_ttl_secs: i64,
        clock: Arc<dyn Clock>,
    ) -> Issuer {
        let origin = origin.trim_end_matches('/').to_owned();
        Issuer {
            issuer: format!("{origin}{ISSUER_PATH}"),
            origin,
            access_ttl_secs,
            key,
            clock,
            grants: Mutex::new(Grants::default()),
        }
    }

    /// The issuer URL (`iss`).
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The web app's origin.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The one registered redirect URI: `{origin}/auth/callback`.
    pub fn redirect_uri(&self) -> String {
        format!("{}/auth/callback", self.origin)
    }

    /// The one registered sign-out URI: `{origin}/`.
    pub fn logout_uri(&self) -> String {
        format!("{}/", self.origin)
    }

    /// The signing key's id.
    pub fn kid(&self) -> &str {
        self.key.kid()
    }

    /// Access-token lifetime.
    pub fn access_ttl_secs(&self) -> i64 {
        self.access_ttl_secs
    }

    /// `GET /oidc/jwks.json`.
    pub fn jwks(&self) -> Value {
        json!({ "keys": [self.key.jwk()] })
    }

    /// A verifier of this issuer's access tokens, given its JWKS in-process.
    pub fn verifier(&self) -> Result<JwtVerifier, JwksError> {
        let jwks: JwkSet =
            serde_json::from_value(self.jwks()).expect("our JWKS is a valid JWK set");
        JwtVerifier::new(&self.issuer, CLIENT_ID, &jwks, self.clock.clone())
    }

    /// `GET /oidc/.well-known/openid-configuration`.
    pub fn discovery(&self) -> Value {
        let i = &self.issuer;
        json!({
            "issuer": i,
            "authorization_endpoint": format!("{i}/authorize"),
            "token_endpoint": format!("{i}/token"),
            "jwks_uri": format!("{i}/jwks.json"),
            "end_session_endpoint": format!("{i}/logout"),
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "code_challenge_methods_supported": ["S256"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["none"],
            "scopes_supported": SCOPES,
            "claims_supported": [
                "sub", "iss", "aud", "auth_time", "iat", "exp", "token_use", "email", "name",
                "cognito:username", "cognito:groups"
            ],
        })
    }

    /// `GET /config.json`: the web app's runtime config for this issuer.
    pub fn runtime_config(&self) -> Value {
        json!({
            "issuer": self.issuer,
            "client_id": CLIENT_ID,
            "redirect_uri": self.redirect_uri(),
            "logout_url": format!("{}/logout", self.issuer),
            "post_logout_redirect_uri": self.logout_uri(),
            "scopes": SCOPES.join(" "),
        })
    }

    fn now(&self) -> i64 {
        self.clock.now().timestamp()
    }

    fn grants(&self) -> MutexGuard<'_, Grants> {
        self.grants
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Access and ID tokens for `account`, issued now.
    fn mint(
        &self,
        account: &DemoAccount,
        scope: &str,
        auth_time: i64,
        nonce: Option<&str>,
    ) -> Result<(String, String), jsonwebtoken::errors::Error> {
        let now = self.now();
        let exp = now + self.access_ttl_secs;
        // Exactly the claims of a Cognito access token that docs/sign-in.md lists.
        let access = json!({
            "sub": account.username,
            "cognito:groups": account.groups,
            "iss": self.issuer,
            "client_id": CLIENT_ID,
            "token_use": "access",
            "scope": scope,
            "auth_time": auth_time,
            "iat": now,
            "exp": exp,
            "jti": ulid::Ulid::new().to_string().to_lowercase(),
            "username": account.username,
        });
        let mut id = json!({
            "sub": account.username,
            "aud": CLIENT_ID,
            "cognito:groups": account.groups,
            "iss": self.issuer,
            "cognito:username": account.username,
            "token_use": "id",
            "auth_time": auth_time,
            "iat": now,
            "exp": exp,
            "jti": ulid::Ulid::new().to_string().to_lowercase(),
            "email": account.email,
            "name": account.name,
        });
        if let Some(nonce) = nonce {
            id["nonce"] = json!(nonce);
        }
        Ok((self.key.sign(&access)?, self.key.sign(&id)?))
    }

    /// The routes under `/oidc`.
    pub fn routes(self: Arc<Self>) -> Router {
        Router::new()
            .route("/oidc/.well-known/openid-configuration", get(discovery))
            .route("/oidc/jwks.json", get(jwks))
            .route(
                "/oidc/authorize",
                get(authorize_page).post(authorize_choice),
            )
            .route("/oidc/token", axum::routing::post(token))
            .route("/oidc/logout", get(logout))
            .route("/oidc/style.css", get(style))
            .route("/oidc", any(not_found))
            .route("/oidc/{*rest}", any(not_found))
            .with_state(self)
    }
}

async fn not_found() -> ApiError {
    ApiError::NotFound
}

/// `302 Found` to `location` (the status Cognito and docs/sign-in.md use; a browser follows
/// it with a GET, also after a POST).
fn found(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(value) => (StatusCode::FOUND, [(header::LOCATION, value)]).into_response(),
        Err(e) => ApiError::internal(e).into_response(),
    }
}

fn revalidated(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(REVALIDATE_CACHE_CONTROL),
    );
    response
}

fn not_stored(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

async fn discovery(State(issuer): State<Arc<Issuer>>) -> Response {
    revalidated(Json(issuer.discovery()).into_response())
}

async fn jwks(State(issuer): State<Arc<Issuer>>) -> Response {
    revalidated(Json(issuer.jwks()).into_response())
}

async fn style() -> Response {
    revalidated(
        (
            [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
            page::STYLE,
        )
            .into_response(),
    )
}

/// The parameters of an authorization request (query of the GET, form of the POST, which adds
/// the chosen `username`).
#[derive(Debug, Default, Deserialize)]
pub struct AuthorizeParams {
    pub response_type: Option<String>,
    pub client_id: Option<String>,
    pub redirect_uri: Option<String>,
    pub scope: Option<String>,
    pub state: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub nonce: Option<String>,
    pub prompt: Option<String>,
    pub lang: Option<String>,
    pub username: Option<String>,
}

/// A checked authorization request.
struct Authorization {
    redirect_uri: String,
    scope: String,
    state: Option<String>,
    challenge: String,
    nonce: Option<String>,
}

/// Why an authorization request is refused.
enum Refusal {
    /// The client or its redirect URI is not known: said on our own page, never redirected.
    Page(Text),
    /// A known client's request is wrong: told at its redirect URI (RFC 6749 §4.1.2.1).
    Redirect {
        redirect_uri: String,
        error: &'static str,
        description: &'static str,
        state: Option<String>,
    },
}

/// `redirect_uri` with the query `pairs` added.
fn with_query(uri: &str, pairs: &[(&str, &str)]) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        query.append_pair(k, v);
    }
    let separator = if uri.contains('?') { '&' } else { '?' };
    format!("{uri}{separator}{}", query.finish())
}

impl Issuer {
    fn check(&self, p: &AuthorizeParams) -> Result<Authorization, Refusal> {
        if p.client_id.as_deref() != Some(CLIENT_ID) {
            return Err(Refusal::Page(Text::new(
                "Aplikasi (client_id) tidak dikenal.",
                "Unknown application (client_id).",
            )));
        }
        let redirect_uri = self.redirect_uri();
        if p.redirect_uri.as_deref() != Some(redirect_uri.as_str()) {
            return Err(Refusal::Page(Text::new(
                "Alamat kembali (redirect_uri) tidak terdaftar untuk aplikasi ini.",
                "The redirect_uri is not registered for this application.",
            )));
        }
        let state = p.state.clone().filter(|s| !s.is_empty());
        let refuse = |error, description| Refusal::Redirect {
            redirect_uri: redirect_uri.clone(),
            error,
            description,
            state: state.clone(),
        };
        if p.response_type.as_deref() != Some("code") {
            return Err(refuse(
                "unsupported_response_type",
                "response_type must be code",
            ));
        }
        if p.code_challenge_method.as_deref() != Some("S256") {
            return Err(refuse(
                "invalid_request",
                "code_challenge_method must be S256",
            ));
        }
        let challenge = p.code_challenge.clone().unwrap_or_default();
        if !is_s256_challenge(&challenge) {
            return Err(refuse(
                "invalid_request",
                "code_challenge must be an S256 challenge",
            ));
        }
        let asked: Vec<&str> = p
            .scope
            .as_deref()
            .unwrap_or("")
            .split_whitespace()
            .collect();
        if asked.iter().any(|s| !SCOPES.contains(s)) {
            return Err(refuse("invalid_scope", "unknown scope"));
        }
        let scope = if asked.is_empty() {
            SCOPES.join(" ")
        } else {
            asked.join(" ")
        };
        Ok(Authorization {
            redirect_uri,
            scope,
            state,
            challenge,
            nonce: p.nonce.clone().filter(|n| !n.is_empty()),
        })
    }

    /// A code for `username` sent to the client: `302 redirect_uri?code&state`.
    fn grant_code(&self, auth: Authorization, username: &str, auth_time: i64) -> Response {
        let code = random_token();
        let now = self.now();
        {
            let mut grants = self.grants();
            make_room(&mut grants.codes, now);
            grants.codes.insert(
                code.clone(),
                Code {
                    username: username.to_owned(),
                    redirect_uri: auth.redirect_uri.clone(),
                    challenge: auth.challenge,
                    scope: auth.scope,
                    nonce: auth.nonce,
                    auth_time,
                    expires: now + CODE_TTL_SECS,
                },
            );
        }
        let mut pairs = vec![("code", code.as_str())];
        if let Some(state) = auth.state.as_deref() {
            pairs.push(("state", state));
        }
        not_stored(found(&with_query(&auth.redirect_uri, &pairs)))
    }

    /// The user signed in by the session cookie, if it names a live session.
    fn session_user(&self, headers: &HeaderMap) -> Option<(String, String, i64)> {
        let id = session_cookie(headers)?;
        let now = self.now();
        let grants = self.grants();
        let session = grants.sessions.get(&id).filter(|s| s.expires > now)?;
        Some((id, session.username.clone(), session.auth_time))
    }

    fn cookie(&self, value: &str, max_age: Option<i64>) -> HeaderValue {
        let mut cookie = format!("{SESSION_COOKIE}={value}; HttpOnly; SameSite=Lax; Path=/oidc");
        if let Some(age) = max_age {
            cookie.push_str(&format!("; Max-Age={age}"));
        }
        if self.origin.starts_with("https://") {
            cookie.push_str("; Secure");
        }
        HeaderValue::from_str(&cookie).expect("a cookie of base64url text")
    }
}

/// The value of the issuer's session cookie.
fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_owned())
}

/// The page's language: `lang=en|id`, else `Accept-Language`, else Bahasa Indonesia.
fn page_lang(lang: Option<&str>, headers: &HeaderMap) -> Lang {
    match lang {
        Some("en") => Lang::En,
        Some("id") => Lang::Id,
        _ => headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .map(Lang::from_accept_language)
            .unwrap_or_default(),
    }
}

fn html(status: StatusCode, lang: Lang, body: String) -> Response {
    let mut response = (status, Html(body)).into_response();
    response.headers_mut().insert(
        header::CONTENT_LANGUAGE,
        HeaderValue::from_static(lang.code()),
    );
    not_stored(response)
}

fn refused(refusal: Refusal, lang: Lang) -> Response {
    match refusal {
        Refusal::Page(message) => {
            html(StatusCode::BAD_REQUEST, lang, page::refusal(lang, &message))
        }
        Refusal::Redirect {
            redirect_uri,
            error,
            description,
            state,
        } => {
            let mut pairs = vec![("error", error), ("error_description", description)];
            if let Some(state) = state.as_deref() {
                pairs.push(("state", state));
            }
            not_stored(found(&with_query(&redirect_uri, &pairs)))
        }
    }
}

fn unreadable(lang: Lang) -> Response {
    html(
        StatusCode::BAD_REQUEST,
        lang,
        page::refusal(
            lang,
            &Text::new(
                "Permintaan masuk tidak dapat dibaca.",
                "The sign-in request cannot be read.",
            ),
        ),
    )
}

/// The account chooser for a checked request.
fn chooser(p: &AuthorizeParams, lang: Lang, status: StatusCode, error: Option<&Text>) -> Response {
    let carried = [
        ("response_type", &p.response_type),
        ("client_id", &p.client_id),
        ("redirect_uri", &p.redirect_uri),
        ("scope", &p.scope),
        ("state", &p.state),
        ("code_challenge", &p.code_challenge),
        ("code_challenge_method", &p.code_challenge_method),
        ("nonce", &p.nonce),
    ];
    let mut hidden: Vec<(&str, &str)> = carried
        .iter()
        .filter_map(|(name, value)| value.as_deref().map(|v| (*name, v)))
        .collect();
    hidden.push(("lang", lang.code()));
    let other = match lang {
        Lang::Id => "en",
        Lang::En => "id",
    };
    let mut query: Vec<(&str, &str)> = hidden
        .iter()
        .copied()
        .filter(|(name, _)| *name != "lang")
        .collect();
    query.push(("lang", other));
    let other_href = with_query("/oidc/authorize", &query);
    html(
        status,
        lang,
        page::accounts(lang, &demo_accounts(), &hidden, &other_href, error),
    )
}

/// `GET /oidc/authorize`: with a live session, the code at once; else the account chooser.
async fn authorize_page(
    State(issuer): State<Arc<Issuer>>,
    headers: HeaderMap,
    params: Result<Query<AuthorizeParams>, QueryRejection>,
) -> Response {
    let Ok(Query(p)) = params else {
        return unreadable(page_lang(None, &headers));
    };
    let lang = page_lang(p.lang.as_deref(), &headers);
    let auth = match issuer.check(&p) {
        Ok(auth) => auth,
        Err(refusal) => return refused(refusal, lang),
    };
    if p.prompt.as_deref() != Some("login") {
        if let Some((_, username, auth_time)) = issuer.session_user(&headers) {
            if demo_account(&username).is_some() {
                return issuer.grant_code(auth, &username, auth_time);
            }
        }
    }
    chooser(&p, lang, StatusCode::OK, None)
}

/// `POST /oidc/authorize`: the chosen account → session cookie → `302 redirect_uri?code&state`.
async fn authorize_choice(
    State(issuer): State<Arc<Issuer>>,
    headers: HeaderMap,
    form: Result<Form<AuthorizeParams>, FormRejection>,
) -> Response {
    let Ok(Form(p)) = form else {
        return unreadable(page_lang(None, &headers));
    };
    let lang = page_lang(p.lang.as_deref(), &headers);
    let auth = match issuer.check(&p) {
        Ok(auth) => auth,
        Err(refusal) => return refused(refusal, lang),
    };
    let Some(account) = p.username.as_deref().and_then(demo_account) else {
        let error = Text::new(
            "Pilih salah satu akun demo.",
            "Choose one of the demo accounts.",
        );
        return chooser(&p, lang, StatusCode::BAD_REQUEST, Some(&error));
    };
    let now = issuer.now();
    let session = random_token();
    {
        let mut grants = issuer.grants();
        // A new sign-in replaces the one this browser had.
        if let Some(old) = session_cookie(&headers) {
            grants.sessions.remove(&old);
        }
        make_room(&mut grants.sessions, now);
        grants.sessions.insert(
            session.clone(),
            SignedIn {
                username: account.username.clone(),
                auth_time: now,
                expires: now + SESSION_TTL_SECS,
            },
        );
    }
    let mut response = issuer.grant_code(auth, &account.username, now);
    response
        .headers_mut()
        .append(header::SET_COOKIE, issuer.cookie(&session, None));
    response
}

/// The form of a token request.
#[derive(Debug, Default, Deserialize)]
pub struct TokenParams {
    pub grant_type: Option<String>,
    pub code: Option<String>,
    pub redirect_uri: Option<String>,
    pub client_id: Option<String>,
    pub code_verifier: Option<String>,
    pub refresh_token: Option<String>,
}

/// An RFC 6749 §5.2 error answer.
fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    not_stored(
        (
            status,
            Json(json!({ "error": error, "error_description": description })),
        )
            .into_response(),
    )
}

fn invalid_grant(description: &str) -> Response {
    oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", description)
}

/// `POST /oidc/token`: the `authorization_code` and `refresh_token` grants.
async fn token(
    State(issuer): State<Arc<Issuer>>,
    form: Result<Form<TokenParams>, FormRejection>,
) -> Response {
    let Ok(Form(p)) = form else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "send an application/x-www-form-urlencoded body",
        );
    };
    if p.client_id.as_deref() != Some(CLIENT_ID) {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", "unknown client");
    }
    let now = issuer.now();
    match p.grant_type.as_deref() {
        Some("authorization_code") => {
            let (Some(code), Some(verifier)) = (p.code.as_deref(), p.code_verifier.as_deref())
            else {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "code and code_verifier are required",
                );
            };
            // Single use: the code is gone whatever the outcome.
            let Some(grant) = issuer.grants().codes.remove(code) else {
                return invalid_grant("unknown or used code");
            };
            if grant.expires <= now {
                return invalid_grant("expired code");
            }
            if p.redirect_uri.as_deref() != Some(grant.redirect_uri.as_str()) {
                return invalid_grant("redirect_uri differs from the authorization request's");
            }
            if !pkce_s256_matches(verifier, &grant.challenge) {
                return invalid_grant("code_verifier does not match the code_challenge");
            }
            let Some(account) = demo_account(&grant.username) else {
                return invalid_grant("unknown user");
            };
            let (access, id) = match issuer.mint(
                &account,
                &grant.scope,
                grant.auth_time,
                grant.nonce.as_deref(),
            ) {
                Ok(tokens) => tokens,
                Err(e) => return ApiError::internal(e).into_response(),
            };
            let refresh = random_token();
            {
                let mut grants = issuer.grants();
                make_room(&mut grants.refresh, now);
                grants.refresh.insert(
                    refresh.clone(),
                    Refresh {
                        username: account.username.clone(),
                        scope: grant.scope,
                        auth_time: grant.auth_time,
                        expires: now + REFRESH_TTL_SECS,
                    },
                );
            }
            tokens(&issuer, access, id, Some(refresh))
        }
        Some("refresh_token") => {
            let Some(refresh) = p.refresh_token.as_deref() else {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "refresh_token is required",
                );
            };
            let found = issuer
                .grants()
                .refresh
                .get(refresh)
                .filter(|r| r.expires > now)
                .map(|r| (r.username.clone(), r.scope.clone(), r.auth_time));
            let Some((username, scope, auth_time)) = found else {
                return invalid_grant("unknown, revoked or expired refresh token");
            };
            let Some(account) = demo_account(&username) else {
                return invalid_grant("unknown user");
            };
            match issuer.mint(&account, &scope, auth_time, None) {
                // As Cognito without rotation: the refresh token stays the same and is not sent.
                Ok((access, id)) => tokens(&issuer, access, id, None),
                Err(e) => ApiError::internal(e).into_response(),
            }
        }
        Some(_) => oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "grant_type must be authorization_code or refresh_token",
        ),
        None => oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "grant_type is required",
        ),
    }
}

fn tokens(issuer: &Issuer, access: String, id: String, refresh: Option<String>) -> Response {
    not_stored(
        Json(TokenResponse {
            access_token: access,
            id_token: id,
            refresh_token: refresh,
            token_type: "Bearer".into(),
            expires_in: issuer.access_ttl_secs,
        })
        .into_response(),
    )
}

/// The query of a sign-out.
#[derive(Debug, Default, Deserialize)]
pub struct LogoutParams {
    pub client_id: Option<String>,
    pub logout_uri: Option<String>,
    pub lang: Option<String>,
}

/// `GET /oidc/logout?client_id&logout_uri`: ends the session (cookie cleared, the user's
/// refresh tokens revoked) and sends the browser to the registered `logout_uri`.
async fn logout(
    State(issuer): State<Arc<Issuer>>,
    headers: HeaderMap,
    params: Result<Query<LogoutParams>, QueryRejection>,
) -> Response {
    let Ok(Query(p)) = params else {
        return unreadable(page_lang(None, &headers));
    };
    let lang = page_lang(p.lang.as_deref(), &headers);
    if p.client_id.as_deref() != Some(CLIENT_ID) {
        return refused(
            Refusal::Page(Text::new(
                "Aplikasi (client_id) tidak dikenal.",
                "Unknown application (client_id).",
            )),
            lang,
        );
    }
    let logout_uri = issuer.logout_uri();
    if p.logout_uri.as_deref() != Some(logout_uri.as_str()) {
        return refused(
            Refusal::Page(Text::new(
                "Alamat keluar (logout_uri) tidak terdaftar untuk aplikasi ini.",
                "The logout_uri is not registered for this application.",
            )),
            lang,
        );
    }
    if let Some(id) = session_cookie(&headers) {
        let mut grants = issuer.grants();
        if let Some(session) = grants.sessions.remove(&id) {
            grants.refresh.retain(|_, r| r.username != session.username);
            grants.codes.retain(|_, c| c.username != session.username);
        }
    }
    let mut response = not_stored(found(&logout_uri));
    response
        .headers_mut()
        .append(header::SET_COOKIE, issuer.cookie("", Some(0)));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s256_matches_rfc_7636_appendix_b() {
        // RFC 7636 Appendix B (the challenge is base64url(SHA-256(verifier)) of these).
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        assert!(pkce_s256_matches(verifier, challenge));
        assert!(is_s256_challenge(challenge));
        assert!(!pkce_s256_matches(
            verifier,
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cm"
        ));
        // The plain method (verifier = challenge) is not S256.
        assert!(!pkce_s256_matches(challenge, challenge));
        // Too short, or characters outside the unreserved set.
        assert!(!pkce_s256_matches(
            "short",
            &ovop_core::pkce::challenge("short")
        ));
        let spaced = format!("{verifier} ");
        assert!(!pkce_s256_matches(
            &spaced,
            &ovop_core::pkce::challenge(&spaced)
        ));
    }

    #[test]
    fn the_session_cookie_is_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; ovop_oidc_session=abc; b=2"),
        );
        assert_eq!(session_cookie(&headers).as_deref(), Some("abc"));
    }

    #[test]
    fn queries_are_appended_encoded() {
        assert_eq!(
            with_query("http://x/cb", &[("code", "a b"), ("state", "s&t")]),
            "http://x/cb?code=a+b&state=s%26t"
        );
    }
}
