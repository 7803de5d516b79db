//! Typed client of the OVOP API, using the DTOs of the core crate.

use std::collections::BTreeMap;
use std::future::Future;

use gloo_net::http::{Method, RequestBuilder};
use ovop_core::document::{DocumentType, SampleShipmentForm};
use ovop_core::dto::selection::{AssignRequest, BalanceRequest, BulkRequest, ConflictRequest};
use ovop_core::dto::uploads::{
    CompleteRequest, DeclareRequest, PartRef, PartsRequest, SignedRequest,
};
use ovop_core::dto::{NominationPage, RoundPage};
use ovop_core::errors::Problem;
use ovop_core::nomination::NominationForm;
use ovop_core::panel::PanelsForm;
use ovop_core::policy::{Principal, RegionScope, Role};
use ovop_core::region::{ProvinceCode, RegencyCode};
use ovop_core::round::{Round, RoundForm};
use ovop_core::scoring::SheetForm;
use ovop_core::stars::Score;
use ovop_core::verification::VerificationForm;
use ovop_core::Lang;
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::JsValue;

use crate::auth;
use crate::nomination::NominationView;
use crate::ui::{s, Value};

const BASE: &str = "/api/v1";

/// Why a call failed.
#[derive(Clone, Debug)]
pub enum ApiFailure {
    /// The API answered with a problem.
    Problem(Problem),
    /// The API does not accept the sign-in (401): the app signs in again.
    Unauthorized,
    /// No answer (network down, server stopped).
    Network(String),
}

impl ApiFailure {
    /// What to show the user.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            ApiFailure::Problem(p) => p.detail.clone(),
            ApiFailure::Unauthorized => match lang {
                Lang::Id => "Sesi masuk berakhir; mengalihkan ke halaman masuk…".into(),
                Lang::En => "The session has ended; going to the sign-in page…".into(),
            },
            ApiFailure::Network(e) => match lang {
                Lang::Id => format!("Tidak dapat menghubungi server: {e}"),
                Lang::En => format!("Cannot reach the server: {e}"),
            },
        }
    }

    /// [`ApiFailure::message`] followed by the message of each field the problem names.
    pub fn details(&self, lang: Lang) -> String {
        let mut message = self.message(lang);
        if let ApiFailure::Problem(p) = self {
            for text in p.errors.values() {
                message.push(' ');
                message.push_str(text);
            }
        }
        message
    }

    /// The message of each field the problem names, by field path.
    pub fn field_errors(&self) -> BTreeMap<String, String> {
        match self {
            ApiFailure::Problem(p) => p.errors.clone(),
            _ => BTreeMap::new(),
        }
    }

    /// The problem's status (412, 409 …); 0 without an answer.
    pub fn status(&self) -> u16 {
        match self {
            ApiFailure::Problem(p) => p.status,
            ApiFailure::Unauthorized => 401,
            ApiFailure::Network(_) => 0,
        }
    }

    /// The problem's code (`conflict_of_interest`, `own_score_first` …); empty without one.
    pub fn code(&self) -> &str {
        match self {
            ApiFailure::Problem(p) => &p.code,
            _ => "",
        }
    }
}

/// A unique key for one intended write, so a retry is recognised.
pub fn new_idempotency_key() -> String {
    let random = (js_sys::Math::random() * 1e15) as u64;
    format!("{:x}-{:x}", js_sys::Date::now() as u64, random)
}

/// One call to the API: `headers`, the language and the access token set, `body` (JSON)
/// sent; answers the text of a 2xx answer. Every call goes through this one non-generic
/// function, so the fetch and error handling exist once in the wasm whatever the DTO.
async fn call(
    method: Method,
    path: &str,
    lang: Lang,
    headers: &[(&str, &str)],
    body: Option<String>,
) -> Result<String, ApiFailure> {
    let answer = request(method, path, lang, headers, body).await?;
    answer
        .text()
        .await
        .map_err(|e| ApiFailure::Network(e.to_string()))
}

/// A PDF the API answers (a certificate), as a blob to save or open.
pub async fn pdf(path: &str, lang: Lang) -> Result<web_sys::Blob, ApiFailure> {
    use wasm_bindgen::JsCast;
    let answer = signed_in(request(Method::GET, path, lang, &[], None).await)?;
    let failed = |e: JsValue| ApiFailure::Network(format!("{e:?}"));
    let blob = web_sys::Response::from(answer).blob().map_err(failed)?;
    let blob = wasm_bindgen_futures::JsFuture::from(blob)
        .await
        .map_err(failed)?;
    Ok(blob.unchecked_into())
}

/// [`call`]'s request, answering a 2xx response.
async fn request(
    method: Method,
    path: &str,
    lang: Lang,
    headers: &[(&str, &str)],
    body: Option<String>,
) -> Result<gloo_net::http::Response, ApiFailure> {
    let network = |e: gloo_net::Error| ApiFailure::Network(e.to_string());
    let mut b = RequestBuilder::new(&format!("{BASE}{path}"))
        .method(method)
        .header("Accept-Language", lang.code());
    for (name, value) in headers {
        b = b.header(name, value);
    }
    if let Some(t) = auth::access_token().await {
        b = b.header("Authorization", &format!("Bearer {t}"));
    }
    let request = match body {
        Some(json) => b.header("Content-Type", "application/json").body(json),
        None => b.build(),
    }
    .map_err(network)?;
    let response = request.send().await.map_err(network)?;
    if response.ok() {
        return Ok(response);
    }
    let status = response.status();
    let problem = decode::<Problem>(response.text().await.map_err(network)).ok();
    match (status, problem) {
        (401, _) => Err(ApiFailure::Unauthorized),
        (_, Some(p)) => Err(ApiFailure::Problem(p)),
        (_, None) => Err(ApiFailure::Network(format!("HTTP {status}"))),
    }
}

/// The DTO in an answer's text. The browser parses the JSON (`JSON.parse`) and the DTO is read
/// from the JavaScript value: serde's derived code for each DTO is then not built around
/// serde_json's parser, which makes the wasm ~6 KB (brotli) smaller.
fn decode<T: DeserializeOwned>(answer: Result<String, ApiFailure>) -> Result<T, ApiFailure> {
    read(parse(&answer?)?)
}

fn parse(text: &str) -> Answer {
    js_sys::JSON::parse(text)
        .map_err(|e| ApiFailure::Network(js_sys::Error::from(e).message().into()))
}

/// The JSON of a request's body.
fn encode<B: Serialize>(body: &B) -> Result<String, ApiFailure> {
    serde_json::to_string(body).map_err(|e| ApiFailure::Network(e.to_string()))
}

/// A 401 means the sign-in is gone: sign in again and come back to this page.
fn signed_in<T>(result: Result<T, ApiFailure>) -> Result<T, ApiFailure> {
    if let Err(ApiFailure::Unauthorized) = &result {
        auth::sign_in_again();
    }
    result
}

async fn get<T: DeserializeOwned>(path: &str, lang: Lang) -> Result<T, ApiFailure> {
    signed_in(decode(call(Method::GET, path, lang, &[], None).await))
}

/// A call with no body that changes something; answers the DTO the API sends back.
async fn send<T: DeserializeOwned>(
    method: Method,
    path: &str,
    lang: Lang,
    headers: &[(&str, &str)],
) -> Result<T, ApiFailure> {
    signed_in(decode(call(method, path, lang, headers, None).await))
}

/// Like [`send`], with `body` sent as JSON.
async fn send_json<T: DeserializeOwned, B: Serialize>(
    method: Method,
    path: &str,
    lang: Lang,
    headers: &[(&str, &str)],
    body: &B,
) -> Result<T, ApiFailure> {
    let body = encode(body)?;
    signed_in(decode(call(method, path, lang, headers, Some(body)).await))
}

/// Who the API says is signed in. A 401 here is answered, not followed by another sign-in:
/// the tokens were fresh, so signing in again would loop.
pub async fn me(lang: Lang) -> Result<Principal, ApiFailure> {
    let me: Value = decode(call(Method::GET, "/me", lang, &[], None).await)?;
    principal(&me).ok_or_else(|| ApiFailure::Network("/me: not a principal".into()))
}

/// A [`Principal`] from its JSON, read by hand: its derived deserializer (the region's
/// adjacent tag) costs ~2 KB of the brotli'd wasm.
fn principal(v: &Value) -> Option<Principal> {
    let code = s(&v["region"]["code"]);
    let region = match s(&v["region"]["level"]) {
        "province" => Some(RegionScope::Province(ProvinceCode::parse(code).ok()?)),
        "regency" => Some(RegionScope::Regency(RegencyCode::parse(code).ok()?)),
        _ => None,
    };
    Some(Principal {
        user_id: s(&v["user_id"]).to_owned(),
        name: s(&v["name"]).to_owned(),
        role: Role::parse(s(&v["role"]))?,
        region,
    })
}

pub async fn rounds(lang: Lang) -> Result<RoundPage, ApiFailure> {
    get("/rounds", lang).await
}

/// Creates a planned round (admin); `key` names the intended creation.
pub async fn create_round(key: &str, form: &RoundForm, lang: Lang) -> Result<Round, ApiFailure> {
    let headers = [("Idempotency-Key", key)];
    send_json(Method::POST, "/rounds", lang, &headers, form).await
}

/// Opens (`open`) or closes (`close`) a round's proposals, from the version shown.
pub async fn change_round(
    round: &Round,
    action: &str,
    key: &str,
    lang: Lang,
) -> Result<Round, ApiFailure> {
    let version = format!("\"{}\"", round.version);
    let headers = [("Idempotency-Key", key), ("If-Match", &version)];
    let path = format!("/rounds/{}/{action}", round.id);
    send(Method::POST, &path, lang, &headers).await
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

pub async fn nominations(query: &ListQuery, lang: Lang) -> Result<NominationPage, ApiFailure> {
    let qs = query.query_string();
    let path = if qs.is_empty() {
        "/nominations".to_owned()
    } else {
        format!("/nominations?{qs}")
    };
    get(&path, lang).await
}

/// The nomination an answer holds ([`NominationView`]).
fn nomination_of(answer: Result<Value, ApiFailure>) -> Result<NominationView, ApiFailure> {
    NominationView::read(answer?)
}

pub async fn nomination(id: &str, lang: Lang) -> Result<NominationView, ApiFailure> {
    nomination_of(get(&format!("/nominations/{id}"), lang).await)
}

pub async fn create(
    key: &str,
    form: &NominationForm,
    lang: Lang,
) -> Result<NominationView, ApiFailure> {
    let headers = [("Idempotency-Key", key)];
    nomination_of(send_json(Method::POST, "/nominations", lang, &headers, form).await)
}

pub async fn update(
    n: &NominationView,
    form: &NominationForm,
    lang: Lang,
) -> Result<NominationView, ApiFailure> {
    let version = format!("\"{}\"", n.version);
    let path = format!("/nominations/{}", n.id);
    let headers = [("If-Match", version.as_str())];
    nomination_of(send_json(Method::PUT, &path, lang, &headers, form).await)
}

pub async fn submit(
    n: &NominationView,
    key: &str,
    lang: Lang,
) -> Result<NominationView, ApiFailure> {
    let version = format!("\"{}\"", n.version);
    let headers = [("Idempotency-Key", key), ("If-Match", &version)];
    let path = format!("/nominations/{}/submit", n.id);
    nomination_of(send(Method::POST, &path, lang, &headers).await)
}

pub async fn withdraw(n: &NominationView, lang: Lang) -> Result<NominationView, ApiFailure> {
    let version = format!("\"{}\"", n.version);
    let path = format!("/nominations/{}/withdraw", n.id);
    nomination_of(send(Method::POST, &path, lang, &[("If-Match", &version)]).await)
}

// ------------------------------------------------------------------ documents and uploads
//
// Their answers are read as JSON ([`Value`]), by the documents page and the uploader: the
// derived deserializers of the checklist (its internally tagged states buffered by serde)
// and of the upload DTOs cost ~13 KB of the brotli'd wasm.

pub fn nomination_path(id: &str, rest: &str) -> String {
    format!("/nominations/{id}/{rest}")
}

/// A call whose answer is not needed: only whether it succeeded.
async fn done(
    method: Method,
    path: &str,
    lang: Lang,
    headers: &[(&str, &str)],
    body: Option<String>,
) -> Result<(), ApiFailure> {
    signed_in(call(method, path, lang, headers, body).await).map(|_| ())
}

/// The checklist of a nomination's bundle: a
/// [`ChecklistView`](ovop_core::dto::uploads::ChecklistView).
pub async fn checklist(id: &str, lang: Lang) -> Result<Value, ApiFailure> {
    get(&nomination_path(id, "documents"), lang).await
}

/// The URL of a short-lived link to a document (`thumbnail`: a photo's thumbnail).
pub async fn document_link(
    id: &str,
    code: DocumentType,
    thumbnail: bool,
    lang: Lang,
) -> Result<String, ApiFailure> {
    let q = if thumbnail { "?thumbnail=true" } else { "" };
    let path = nomination_path(id, &format!("documents/{}/link{q}", code.code()));
    let link: Value = get(&path, lang).await?;
    Ok(s(&link["url"]).to_owned())
}

/// Declares a file before sending it; `key` names the intended upload. Answers a
/// [`Declared`](ovop_core::dto::uploads::Declared).
pub async fn declare(
    id: &str,
    key: &str,
    req: &DeclareRequest,
    lang: Lang,
) -> Result<Value, ApiFailure> {
    let headers = [("Idempotency-Key", key)];
    let path = nomination_path(id, "uploads");
    send_json(Method::POST, &path, lang, &headers, req).await
}

/// The nomination's open uploads (to resume after a reload): an
/// [`UploadList`](ovop_core::dto::uploads::UploadList).
pub async fn open_uploads(id: &str, lang: Lang) -> Result<Value, ApiFailure> {
    get(&nomination_path(id, "uploads"), lang).await
}

/// An upload and the parts S3 already holds: an
/// [`UploadStatus`](ovop_core::dto::uploads::UploadStatus).
pub async fn upload_status(id: &str, upload: &str, lang: Lang) -> Result<Value, ApiFailure> {
    get(&nomination_path(id, &format!("uploads/{upload}")), lang).await
}

/// A [`SignedRequest`] from its JSON, on its own or flattened into a
/// [`SignedPart`](ovop_core::dto::uploads::SignedPart).
pub fn signed_request(v: &Value) -> SignedRequest {
    let headers = v["headers"].as_object().map_or_else(Default::default, |h| {
        h.iter()
            .map(|(k, v)| (k.clone(), s(v).to_owned()))
            .collect()
    });
    SignedRequest {
        method: s(&v["method"]).to_owned(),
        url: s(&v["url"]).to_owned(),
        headers,
        // Unreadable: long expired, so the request is signed again.
        expires_at: s(&v["expires_at"]).parse().unwrap_or_default(),
    }
}

/// Signs the requests of parts `numbers` (1 to 8 of them): a
/// [`SignedParts`](ovop_core::dto::uploads::SignedParts).
pub async fn sign_parts(
    id: &str,
    upload: &str,
    numbers: Vec<u32>,
    lang: Lang,
) -> Result<Value, ApiFailure> {
    let path = nomination_path(id, &format!("uploads/{upload}/parts"));
    let body = PartsRequest { numbers };
    send_json(Method::POST, &path, lang, &[], &body).await
}

/// Completes an upload: the server checks the file and attaches it.
pub async fn complete_upload(
    id: &str,
    upload: &str,
    key: &str,
    parts: Vec<PartRef>,
    lang: Lang,
) -> Result<(), ApiFailure> {
    let headers = [("Idempotency-Key", key)];
    let path = nomination_path(id, &format!("uploads/{upload}/complete"));
    let body = encode(&CompleteRequest { parts })?;
    done(Method::POST, &path, lang, &headers, Some(body)).await
}

/// Abandons an upload; S3 drops its parts.
pub async fn abort_upload(id: &str, upload: &str, lang: Lang) -> Result<(), ApiFailure> {
    let path = nomination_path(id, &format!("uploads/{upload}"));
    done(Method::DELETE, &path, lang, &[], None).await
}

/// Records the product sample's shipment (regency office).
pub async fn ship_sample(
    id: &str,
    form: &SampleShipmentForm,
    lang: Lang,
) -> Result<(), ApiFailure> {
    let path = nomination_path(id, "sample/shipment");
    done(Method::PUT, &path, lang, &[], Some(encode(form)?)).await
}

/// The secretariat's decision on a nomination (administrative selection); `key` names it.
/// Answers the nomination as the decision left it (the
/// [`Decided`](ovop_core::verification::Decided)'s).
pub async fn verify(
    n: &NominationView,
    key: &str,
    form: &VerificationForm,
    lang: Lang,
) -> Result<NominationView, ApiFailure> {
    let version = format!("\"{}\"", n.version);
    let headers = [("Idempotency-Key", key), ("If-Match", version.as_str())];
    let path = nomination_path(&n.id, "verification");
    let decided: Value = send_json(Method::POST, &path, lang, &headers, form).await?;
    NominationView::read(decided["nomination"].clone())
}

// ------------------------------------------------------------------ selection
//
// These calls answer the JSON as the browser parsed it, not a DTO: they share one
// non-generic call ([`fetch`]), and the page reads the DTO it needs with [`read`]. Their GETs
// are loaded with `resource::load` from the paths below.

/// The JSON of an answer, or why there is none.
pub type Answer = Result<JsValue, ApiFailure>;

/// One call answering JSON: `headers` and the JSON `body` sent.
pub async fn fetch(
    method: Method,
    path: String,
    lang: Lang,
    headers: Vec<(&'static str, String)>,
    body: Option<String>,
) -> Answer {
    let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let text = signed_in(call(method, &path, lang, &headers, body).await)?;
    parse(&text)
}

/// The DTO in an answer's JSON.
pub fn read<T: DeserializeOwned>(json: JsValue) -> Result<T, ApiFailure> {
    serde_wasm_bindgen::from_value(json).map_err(|e| ApiFailure::Network(e.to_string()))
}

/// A request's JSON body (these bodies always serialise).
fn body<B: Serialize>(b: &B) -> Option<String> {
    serde_json::to_string(b).ok()
}

fn if_match(version: u64) -> (&'static str, String) {
    ("If-Match", format!("\"{version}\""))
}

pub fn round_path(round: &str, rest: &str) -> String {
    format!("/rounds/{round}/{rest}")
}

/// A round's leaderboard, of one commodity group when `commodity` is not empty.
pub fn leaderboard_path(round: &str, commodity: &str) -> String {
    if commodity.is_empty() {
        round_path(round, "leaderboard")
    } else {
        let code = String::from(js_sys::encode_uri_component(commodity));
        round_path(round, &format!("leaderboard?commodity={code}"))
    }
}

/// Saves the assessor's draft sheet over `version` (none before the first save).
pub fn save_sheet(
    id: &str,
    version: Option<u64>,
    form: &SheetForm,
    lang: Lang,
) -> impl Future<Output = Answer> {
    let headers = version.map(if_match).into_iter().collect();
    fetch(
        Method::PUT,
        nomination_path(id, "score"),
        lang,
        headers,
        body(form),
    )
}

/// Submits the sheet for good; `key` names the intended submit.
pub fn submit_sheet(
    id: &str,
    key: String,
    form: &SheetForm,
    lang: Lang,
) -> impl Future<Output = Answer> {
    let headers = vec![("Idempotency-Key", key)];
    fetch(
        Method::POST,
        nomination_path(id, "score/submit"),
        lang,
        headers,
        body(form),
    )
}

/// The assessor declares a conflict of interest on a nomination assigned to them.
pub fn declare_conflict(id: &str, reason: String, lang: Lang) -> impl Future<Output = Answer> {
    let b = body(&ConflictRequest { reason });
    fetch(
        Method::POST,
        nomination_path(id, "conflict"),
        lang,
        Vec::new(),
        b,
    )
}

/// Assigns `assessor` of panel `req.panel` to a nomination (admin).
pub fn assign(
    id: &str,
    assessor: &str,
    req: &AssignRequest,
    lang: Lang,
) -> impl Future<Output = Answer> {
    let path = nomination_path(id, &format!("assessors/{assessor}"));
    fetch(Method::PUT, path, lang, Vec::new(), body(req))
}

/// Moderates a nomination's final score over the result's `version` (admin). The body is the
/// JSON of a [`ModerateRequest`](ovop_core::dto::selection::ModerateRequest), written here: serde_json would print its `f64` with a float
/// formatter whose table alone is ~8 KB of the brotli'd wasm, while a [`Score`] prints itself.
pub fn moderate(
    id: &str,
    version: u64,
    score: Score,
    justification: &str,
    lang: Lang,
) -> impl Future<Output = Answer> {
    let path = nomination_path(id, "result/moderation");
    let why = serde_json::to_string(justification).unwrap_or_default();
    let b = format!("{{\"score\":{score},\"justification\":{why}}}");
    fetch(Method::PUT, path, lang, vec![if_match(version)], Some(b))
}

/// Saves a round's panels over `version` (0: none saved yet).
pub fn save_panels(
    round: &str,
    version: u64,
    form: &PanelsForm,
    lang: Lang,
) -> impl Future<Output = Answer> {
    let headers = (version > 0)
        .then(|| if_match(version))
        .into_iter()
        .collect();
    fetch(
        Method::PUT,
        round_path(round, "panels"),
        lang,
        headers,
        body(form),
    )
}

/// Starts a commodity group's rubric from the proposed default (admin).
pub fn propose_rubric(round: &str, commodity: &str, lang: Lang) -> impl Future<Output = Answer> {
    let path = round_path(round, &format!("rubrics/{commodity}/proposed"));
    fetch(Method::POST, path, lang, Vec::new(), None)
}

/// Changes a rubric (admin): `body` is a [`ovop_core::rubric::RubricForm`]'s JSON, `version`
/// the rubric's as read.
pub fn define_rubric(
    round: &str,
    commodity: &str,
    version: u64,
    body: String,
    lang: Lang,
) -> impl Future<Output = Answer> {
    let path = round_path(round, &format!("rubrics/{commodity}"));
    let headers = vec![("If-Match", format!("\"{version}\""))];
    fetch(Method::PUT, path, lang, headers, Some(body))
}

/// Copies round `from`'s rubric of a commodity group into `round` (admin).
pub fn copy_rubric(
    round: &str,
    commodity: &str,
    from: &str,
    lang: Lang,
) -> impl Future<Output = Answer> {
    let path = round_path(round, &format!("rubrics/{commodity}/copy"));
    fetch(
        Method::POST,
        path,
        lang,
        Vec::new(),
        Some(text_object(&[("from_round", from)])),
    )
}

/// Assignments from a CSV file's text (admin).
pub fn bulk_assign(round: &str, csv: String, lang: Lang) -> impl Future<Output = Answer> {
    let b = body(&BulkRequest { csv });
    fetch(
        Method::POST,
        round_path(round, "assignments"),
        lang,
        Vec::new(),
        b,
    )
}

/// Automatic balancing of one panel's assessors over the round (admin).
pub fn balance(round: &str, req: &BalanceRequest, lang: Lang) -> impl Future<Output = Answer> {
    let path = round_path(round, "assignments/balance");
    fetch(Method::POST, path, lang, Vec::new(), body(req))
}

/// Locks the round's recommendation list; `key` names the intended lock (admin).
pub fn lock_recommendation(round: &str, key: String, lang: Lang) -> impl Future<Output = Answer> {
    let headers = vec![("Idempotency-Key", key)];
    fetch(
        Method::POST,
        round_path(round, "recommendation"),
        lang,
        headers,
        None,
    )
}

/// A JSON object of text fields, written here (as [`moderate`]'s body) rather than by serde.
pub fn text_object(fields: &[(&str, &str)]) -> String {
    let members: Vec<String> = fields
        .iter()
        .map(|(k, v)| format!("\"{k}\":{}", serde_json::to_string(v).unwrap_or_default()))
        .collect();
    format!("{{{}}}", members.join(","))
}

/// Records that `assessor` is related to a nomination, for `reason` (admin).
pub fn declare_relation(
    id: &str,
    assessor: &str,
    reason: &str,
    lang: Lang,
) -> impl Future<Output = Answer> {
    let b = text_object(&[("assessor", assessor), ("reason", reason)]);
    fetch(
        Method::POST,
        nomination_path(id, "relations"),
        lang,
        Vec::new(),
        Some(b),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_request_reads_as_core_writes_it_on_its_own_and_in_a_part() {
        use ovop_core::dto::uploads::{SignedPart, SignedParts};
        let request = SignedRequest {
            method: "PUT".into(),
            url: "http://localhost:8081/uploads/k?X-Amz-Signature=1".into(),
            headers: [("content-type".to_owned(), "application/pdf".to_owned())].into(),
            expires_at: "2026-11-29T01:45:00Z".parse().unwrap(),
        };
        let alone = serde_json::to_value(&request).unwrap();
        assert_eq!(signed_request(&alone), request);
        let parts = SignedParts {
            parts: vec![SignedPart {
                number: 2,
                size: 5,
                request: request.clone(),
            }],
        };
        let parts = serde_json::to_value(&parts).unwrap();
        assert_eq!(signed_request(&parts["parts"][0]), request);
    }

    #[test]
    fn a_principal_reads_as_core_writes_it() {
        let regency = RegencyCode::parse("33.74").unwrap();
        for (role, region) in [
            (Role::Pengusul, Some(RegionScope::Regency(regency.clone()))),
            (
                Role::Provinsi,
                Some(RegionScope::Province(regency.province())),
            ),
            (Role::Admin, None),
        ] {
            let p = Principal {
                user_id: "u-1".into(),
                name: "Dinas \"Kota\" Semarang".into(),
                role,
                region,
            };
            assert_eq!(principal(&serde_json::to_value(&p).unwrap()), Some(p));
        }
        assert_eq!(
            principal(&serde_json::json!({"user_id": "x", "role": "raja"})),
            None
        );
    }

    #[test]
    fn text_objects_are_json_with_their_texts_escaped() {
        let b = text_object(&[("assessor", "penilai-1"), ("reason", "Kakak \"ipar\"\n")]);
        assert_eq!(b, r#"{"assessor":"penilai-1","reason":"Kakak \"ipar\"\n"}"#);
        let v: serde_json::Value = serde_json::from_str(&b).unwrap();
        assert_eq!(v["reason"], "Kakak \"ipar\"\n");
    }
}
