//! Typed client of the OVOP API, using the DTOs of the core crate.

use gloo_net::http::{Request, RequestBuilder, Response};
use ovop_core::dto::{DevUser, NominationPage, RoundPage, Session};
use ovop_core::errors::Problem;
use ovop_core::nomination::{Nomination, NominationForm};
use ovop_core::Lang;
use serde::de::DeserializeOwned;
use serde::Serialize;

const BASE: &str = "/api/v1";

/// Why a call failed.
#[derive(Clone, Debug)]
pub enum ApiFailure {
    /// The API answered with a problem.
    Problem(Problem),
    /// No answer (network down, server stopped).
    Network(String),
}

impl ApiFailure {
    /// What to show the user.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            ApiFailure::Problem(p) => p.detail.clone(),
            ApiFailure::Network(e) => match lang {
                Lang::Id => format!("Tidak dapat menghubungi server: {e}"),
                Lang::En => format!("Cannot reach the server: {e}"),
            },
        }
    }
}

/// A unique key for one intended write, so a retry is recognised.
pub fn new_idempotency_key() -> String {
    let random = (js_sys::Math::random() * 1e15) as u64;
    format!("{:x}-{:x}", js_sys::Date::now() as u64, random)
}

fn builder(b: RequestBuilder, token: Option<&str>, lang: Lang) -> RequestBuilder {
    let b = b.header("Accept-Language", lang.code());
    match token {
        Some(t) => b.header("Authorization", &format!("Bearer {t}")),
        None => b,
    }
}

async fn read<T: DeserializeOwned>(
    response: Result<Response, gloo_net::Error>,
) -> Result<T, ApiFailure> {
    let response = response.map_err(|e| ApiFailure::Network(e.to_string()))?;
    if response.ok() {
        response
            .json::<T>()
            .await
            .map_err(|e| ApiFailure::Network(e.to_string()))
    } else {
        let status = response.status();
        match response.json::<Problem>().await {
            Ok(p) => Err(ApiFailure::Problem(p)),
            Err(_) => Err(ApiFailure::Network(format!("HTTP {status}"))),
        }
    }
}

async fn get<T: DeserializeOwned>(
    path: &str,
    token: Option<&str>,
    lang: Lang,
) -> Result<T, ApiFailure> {
    let b = builder(Request::get(&format!("{BASE}{path}")), token, lang);
    read(b.send().await).await
}

async fn send_json<T: DeserializeOwned, B: Serialize>(
    b: RequestBuilder,
    token: &str,
    lang: Lang,
    body: Option<&B>,
) -> Result<T, ApiFailure> {
    let b = builder(b, Some(token), lang);
    let request = match body {
        Some(body) => b.json(body),
        None => b.build(),
    }
    .map_err(|e| ApiFailure::Network(e.to_string()))?;
    read(request.send().await).await
}

pub async fn dev_users(lang: Lang) -> Result<Vec<DevUser>, ApiFailure> {
    get("/auth/dev-users", None, lang).await
}

pub async fn dev_login(user_id: &str, lang: Lang) -> Result<Session, ApiFailure> {
    let body = ovop_core::dto::DevLoginRequest {
        user_id: user_id.into(),
    };
    let b = builder(Request::post(&format!("{BASE}/auth/dev-login")), None, lang);
    let request = b
        .json(&body)
        .map_err(|e| ApiFailure::Network(e.to_string()))?;
    read(request.send().await).await
}

pub async fn rounds(token: &str, lang: Lang) -> Result<RoundPage, ApiFailure> {
    get("/rounds", Some(token), lang).await
}

/// What the nominations list asks for: filters, page size and the cursor of the page.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListQuery {
    /// Round id; empty for every round (not allowed for the ministry).
    pub round: String,
    /// Status name (`SUBMITTED`); empty for every status.
    pub status: String,
    /// Items per page; the server's default when `None`.
    pub limit: Option<u32>,
    /// The `next` of the previous page.
    pub cursor: Option<String>,
}

impl ListQuery {
    /// The query string, without `?`; empty parts left out.
    pub fn query_string(&self) -> String {
        let limit = self.limit.map(|l| l.to_string());
        [
            ("round", Some(self.round.as_str())),
            ("status", Some(self.status.as_str())),
            ("limit", limit.as_deref()),
            ("cursor", self.cursor.as_deref()),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.filter(|v| !v.is_empty()).map(|v| (k, v)))
        .map(|(k, v)| format!("{k}={}", String::from(js_sys::encode_uri_component(v))))
        .collect::<Vec<_>>()
        .join("&")
    }
}

pub async fn nominations(
    token: &str,
    query: &ListQuery,
    lang: Lang,
) -> Result<NominationPage, ApiFailure> {
    let qs = query.query_string();
    let path = if qs.is_empty() {
        "/nominations".to_owned()
    } else {
        format!("/nominations?{qs}")
    };
    get(&path, Some(token), lang).await
}

pub async fn nomination(token: &str, id: &str, lang: Lang) -> Result<Nomination, ApiFailure> {
    get(&format!("/nominations/{id}"), Some(token), lang).await
}

pub async fn create(
    token: &str,
    key: &str,
    form: &NominationForm,
    lang: Lang,
) -> Result<Nomination, ApiFailure> {
    let b = Request::post(&format!("{BASE}/nominations")).header("Idempotency-Key", key);
    send_json(b, token, lang, Some(form)).await
}

pub async fn update(
    token: &str,
    n: &Nomination,
    form: &NominationForm,
    lang: Lang,
) -> Result<Nomination, ApiFailure> {
    let b = Request::put(&format!("{BASE}/nominations/{}", n.id))
        .header("If-Match", &format!("\"{}\"", n.version));
    send_json(b, token, lang, Some(form)).await
}

pub async fn submit(
    token: &str,
    n: &Nomination,
    key: &str,
    lang: Lang,
) -> Result<Nomination, ApiFailure> {
    let b = Request::post(&format!("{BASE}/nominations/{}/submit", n.id))
        .header("Idempotency-Key", key)
        .header("If-Match", &format!("\"{}\"", n.version));
    send_json::<_, ()>(b, token, lang, None).await
}

pub async fn withdraw(token: &str, n: &Nomination, lang: Lang) -> Result<Nomination, ApiFailure> {
    let b = Request::post(&format!("{BASE}/nominations/{}/withdraw", n.id))
        .header("If-Match", &format!("\"{}\"", n.version));
    send_json::<_, ()>(b, token, lang, None).await
}
