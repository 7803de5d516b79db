//! What the local app adds around the API as CloudFront does in AWS: the security headers on
//! every answer, and the built web app with its caching rules.

use std::path::Path;

use axum::extract::Request;
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use ovop_platform::http::{
    is_content_hashed, security_headers, IMMUTABLE_CACHE_CONTROL, REVALIDATE_CACHE_CONTROL,
};
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

/// Adds the security headers ([`security_headers`]) to every answer of `router` (an answer's
/// own value stays); the browser may also reach the object store at `uploads_origin`.
pub fn with_security_headers(router: Router, uploads_origin: Option<&str>) -> Router {
    let headers: Vec<(HeaderName, HeaderValue)> = security_headers(uploads_origin)
        .into_iter()
        .map(|(name, value)| {
            let value = HeaderValue::from_str(&value).expect("an origin is a valid header value");
            (HeaderName::from_static(name), value)
        })
        .collect();
    router.layer(axum::middleware::map_response(
        move |mut response: Response| {
            let headers = headers.clone();
            async move {
                for (name, value) in headers {
                    response.headers_mut().entry(name).or_insert(value);
                }
                response
            }
        },
    ))
}

/// The built web app in `dir` as the router's fallback: files as they are, every other path
/// `index.html` (the SPA routes in the browser). A file whose name holds a content hash is
/// cached for a year (`immutable`); everything else is revalidated (`no-cache`). A hashed name
/// that does not exist is a 404, never `index.html` under a name cached for a year.
pub fn with_spa(router: Router, dir: &Path) -> Router {
    let dir = dir.to_owned();
    router.fallback_service(tower::service_fn(move |req: Request| {
        let dir = dir.clone();
        async move { Ok::<_, std::convert::Infallible>(spa(&dir, req).await) }
    }))
}

async fn spa(dir: &Path, req: Request) -> Response {
    let hashed = is_content_hashed(req.uri().path());
    let answer = if hashed {
        ServeDir::new(dir).oneshot(req).await
    } else {
        ServeDir::new(dir)
            .fallback(ServeFile::new(dir.join("index.html")))
            .oneshot(req)
            .await
    };
    let mut response = match answer {
        Ok(response) => response.into_response(),
        Err(never) => match never {},
    };
    let cached =
        hashed && (response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED);
    let cache_control = if cached {
        IMMUTABLE_CACHE_CONTROL
    } else {
        REVALIDATE_CACHE_CONTROL
    };
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(cache_control),
    );
    response
}

/// The public gallery under `/galeri/`, served from the public bucket as CloudFront serves it.
/// (Being written.)
pub fn gallery(public: std::sync::Arc<dyn ovop_platform::objects::ObjectStore>) -> Router {
    let _ = public;
    Router::new()
}
