//! Layers and header helpers every function's router shares.

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use ovop_core::{Lang, Text};

use crate::auth::{identify, Authenticator};
use crate::json::MAX_BODY_BYTES;
use crate::problem::{ApiError, REQUEST_LANG};

/// The security headers every answer of the web app carries, as `(name, value)`: `ovop-local`
/// sends them itself; in AWS the CloudFront response-headers policy of `infra/template.yaml`
/// sends the same (its test compares them with this list).
pub const SECURITY_HEADERS: [(&str, &str); 4] = [
    (
        "content-security-policy",
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; \
         form-action 'self'; object-src 'none'",
    ),
    (
        "strict-transport-security",
        "max-age=63072000; includeSubDomains",
    ),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "strict-origin-when-cross-origin"),
];

/// [`SECURITY_HEADERS`] for a web app whose browser also talks to the uploads bucket at
/// `uploads_origin` (`https://bucket.s3.region.amazonaws.com`, or the embedded S3 locally):
/// presigned uploads need it in `connect-src`, presigned thumbnails in `img-src`.
pub fn security_headers(uploads_origin: Option<&str>) -> Vec<(&'static str, String)> {
    SECURITY_HEADERS
        .iter()
        .map(|(name, value)| match (*name, uploads_origin) {
            ("content-security-policy", Some(origin)) => (
                *name,
                value
                    .replace(
                        "connect-src 'self'",
                        &format!("connect-src 'self' {origin}"),
                    )
                    .replace(
                        "img-src 'self' data:",
                        &format!("img-src 'self' data: {origin}"),
                    ),
            ),
            _ => (*name, (*value).to_owned()),
        })
        .collect()
}

/// `Cache-Control` of every API answer, success or problem: never stored by a browser or proxy.
pub const API_CACHE_CONTROL: &str = "no-store";

/// `Cache-Control` of a web-app file whose name holds a content hash (`/pkg/ovop-3f2a9c1b.js`).
pub const IMMUTABLE_CACHE_CONTROL: &str = "public, max-age=31536000, immutable";

/// `Cache-Control` of `index.html`, `config.json` and the SPA fallback: revalidated every time.
pub const REVALIDATE_CACHE_CONTROL: &str = "no-cache";

/// Whether a path's file name holds a content hash: `-` then 8 or more lowercase hex digits
/// then `.` (`ovop-3f2a9c1b.js`, `ovop_bg-3f2a9c1b.wasm`, `style-3f2a9c1b.css`).
pub fn is_content_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let bytes = name.as_bytes();
    bytes.iter().enumerate().any(|(i, b)| {
        *b == b'-' && {
            let hex = bytes[i + 1..]
                .iter()
                .take_while(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c))
                .count();
            hex >= 8 && bytes.get(i + 1 + hex) == Some(&b'.')
        }
    })
}

/// Wraps a function's routes with what every API answer needs: identity, language, the body
/// limit, problem+json for unknown routes and for every refusal the router or an extractor
/// makes on its own (a wrong method is a 405 problem that keeps the router's `Allow`),
/// `Cache-Control: no-store` ([`API_CACHE_CONTROL`]), request logs.
pub fn api(routes: Router, authenticator: Authenticator) -> Router {
    routes
        .route("/api/{*rest}", any(|| async { ApiError::NotFound }))
        .fallback(|| async { ApiError::NotFound })
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn_with_state(authenticator, serve))
}

/// One layer for every request (one is cheaper than three: each clones the inner service and
/// boxes its future): logs the answer, serves the request in its `Accept-Language` as the
/// task's language, identifies the caller (an invalid token is answered 401 at once), turns
/// an error answered without a problem body into one ([`with_problem`]), and marks the answer
/// not to be stored.
async fn serve(State(authenticator): State<Authenticator>, req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let started = std::time::Instant::now();
    let lang = request_lang(req.headers());
    let mut response = REQUEST_LANG
        .scope(lang, async move {
            match identify(&authenticator, req) {
                Ok(req) => with_problem(next.run(req).await),
                Err(e) => e.into_response(),
            }
        })
        .await;
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(API_CACHE_CONTROL),
    );
    tracing::info!(
        %method,
        path,
        status = response.status().as_u16(),
        elapsed_ms = started.elapsed().as_secs_f64() * 1e3,
        "request"
    );
    response
}

/// A 4xx/5xx answered without a problem body (the router's 405, a plain-text rejection of an
/// axum extractor, …) becomes the generic problem for its status, in the request's language;
/// its other headers (`Allow`, …) stay. Its own text is dropped: it may name Rust types.
pub fn with_problem(response: Response) -> Response {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) || is_problem(response.headers()) {
        return response;
    }
    let (mut parts, _) = response.into_parts();
    let (problem, body) = ApiError::for_status(status).into_response().into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.remove(header::CONTENT_ENCODING);
    for (name, value) in problem.headers {
        if let Some(name) = name {
            parts.headers.insert(name, value);
        }
    }
    Response::from_parts(parts, body)
}

fn is_problem(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"))
}

/// The language the caller asked for in `Accept-Language` (Bahasa Indonesia by default).
fn request_lang(headers: &HeaderMap) -> Lang {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(Lang::from_accept_language)
        .unwrap_or_default()
}

/// Largest accepted idempotency key.
const MAX_KEY_LEN: usize = 128;

/// The required `Idempotency-Key` header.
pub fn idempotency_key(headers: &HeaderMap) -> Result<String, ApiError> {
    let Some(value) = headers.get("idempotency-key") else {
        return Err(ApiError::PreconditionRequired {
            header: "Idempotency-Key",
        });
    };
    let key = value.to_str().unwrap_or("").trim();
    let valid = !key.is_empty()
        && key.len() <= MAX_KEY_LEN
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b));
    if valid {
        Ok(key.to_owned())
    } else {
        Err(ApiError::BadRequest {
            field: "Idempotency-Key".into(),
            message: Text::new(
                "Idempotency-Key berisi 1–128 huruf, angka, atau - _ . :",
                "An Idempotency-Key has 1–128 letters, digits or - _ . :",
            ),
        })
    }
}

/// The optional `Idempotency-Key` header (present → validated).
pub fn optional_idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    if headers.contains_key("idempotency-key") {
        idempotency_key(headers).map(Some)
    } else {
        Ok(None)
    }
}

/// The version named by the required `If-Match` header (`"3"` or `3`).
pub fn if_match(headers: &HeaderMap) -> Result<u64, ApiError> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Err(ApiError::PreconditionRequired { header: "If-Match" });
    };
    value
        .to_str()
        .ok()
        .map(|v| v.trim().trim_start_matches("W/").trim_matches('"'))
        .and_then(|v| v.parse::<u64>().ok())
        .ok_or_else(|| ApiError::BadRequest {
            field: "If-Match".into(),
            message: Text::new(
                "If-Match berisi nomor versi, mis. \"3\".",
                "If-Match holds a version number, e.g. \"3\".",
            ),
        })
}

/// The `If-Match` version when the header is sent (a use case then checks it), else `None`.
pub fn optional_if_match(headers: &HeaderMap) -> Result<Option<u64>, ApiError> {
    headers
        .contains_key(header::IF_MATCH)
        .then(|| if_match(headers))
        .transpose()
}

/// An `ETag` header value for a version.
pub fn etag(version: u64) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{version}\"")).expect("digits are a valid header value")
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use axum::routing::get;
    use tower::ServiceExt;

    use super::*;

    fn app() -> Router {
        let routes = Router::new()
            .route("/api/v1/things", get(|| async { "things" }))
            .route(
                "/api/v1/plain",
                get(|| async { (StatusCode::BAD_REQUEST, "Failed to deserialize Option<u32>") }),
            );
        api(routes, Authenticator::ApiGatewayJwt)
    }

    async fn problem_of(response: Response) -> ovop_core::errors::Problem {
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "application/problem+json"
        );
        let body = axum::body::to_bytes(response.into_body(), 64 * 1024)
            .await
            .unwrap();
        serde_json::from_slice(&body).unwrap()
    }

    #[tokio::test]
    async fn a_wrong_method_is_a_405_problem_that_keeps_allow() {
        let request = Request::delete("/api/v1/things")
            .header(header::ACCEPT_LANGUAGE, "en")
            .body(Body::empty())
            .unwrap();
        let response = app().oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
        let allow = response.headers()[header::ALLOW]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(allow.contains("GET"), "{allow}");
        assert_eq!(response.headers()[header::CONTENT_LANGUAGE], "en");
        let problem = problem_of(response).await;
        assert_eq!(
            (problem.status, problem.code.as_str()),
            (405, "method_not_allowed")
        );
    }

    #[tokio::test]
    async fn a_plain_text_refusal_becomes_a_problem_without_its_text() {
        let request = Request::get("/api/v1/plain").body(Body::empty()).unwrap();
        let response = app().oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let problem = problem_of(response).await;
        assert_eq!((problem.status, problem.lang.as_str()), (400, "id"));
        assert!(!problem.detail.contains("Option"), "{problem:?}");
    }

    #[tokio::test]
    async fn unknown_api_paths_are_404_problems() {
        let request = Request::get("/api/v2/nothing").body(Body::empty()).unwrap();
        let response = app().oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        assert_eq!(problem_of(response).await.code, "not_found");
    }

    #[tokio::test]
    async fn every_api_answer_is_not_to_be_stored() {
        for (path, status) in [
            ("/api/v1/things", StatusCode::OK),
            ("/api/v1/plain", StatusCode::BAD_REQUEST),
            ("/api/v2/nothing", StatusCode::NOT_FOUND),
        ] {
            let request = Request::get(path).body(Body::empty()).unwrap();
            let response = app().oneshot(request).await.unwrap();
            assert_eq!(response.status(), status, "{path}");
            assert_eq!(
                response.headers()[header::CACHE_CONTROL],
                "no-store",
                "{path}"
            );
        }
    }

    #[test]
    fn content_hashed_names_are_recognised() {
        for hashed in [
            "/pkg/ovop-3f2a9c1b.js",
            "/pkg/ovop_bg-3f2a9c1b.wasm",
            "/style-3f2a9c1b.css",
            "/pkg/ovop-0123456789abcdef.js",
        ] {
            assert!(is_content_hashed(hashed), "{hashed}");
        }
        for plain in [
            "/index.html",
            "/config.json",
            "/pkg/ovop.js",
            "/style-3f2a9c1.css",
            "/style-3F2A9C1B.css",
            "/pkg-3f2a9c1b.d/ovop.js",
            "/style-3f2a9c1b",
            "/auth/callback",
        ] {
            assert!(!is_content_hashed(plain), "{plain}");
        }
    }

    #[test]
    fn the_uploads_origin_may_be_reached_and_shown_but_nothing_else_changes() {
        let headers = security_headers(Some("http://127.0.0.1:8081"));
        let csp = &headers[0].1;
        assert!(
            csp.contains("connect-src 'self' http://127.0.0.1:8081;"),
            "{csp}"
        );
        assert!(
            csp.contains("img-src 'self' data: http://127.0.0.1:8081;"),
            "{csp}"
        );
        assert!(
            csp.contains("script-src 'self' 'wasm-unsafe-eval';"),
            "{csp}"
        );
        assert_eq!(&headers[1..], &security_headers(None)[1..]);
        assert_eq!(security_headers(None)[0].1, SECURITY_HEADERS[0].1);
    }

    #[test]
    fn security_header_values_are_valid_header_values() {
        for (name, value) in SECURITY_HEADERS {
            assert!(header::HeaderName::from_static(name).as_str() == name);
            HeaderValue::from_static(value);
            assert!(!value.contains("  "), "{name}: {value}");
        }
    }
}
