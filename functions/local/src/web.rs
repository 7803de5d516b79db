//! What the local app adds around the API as CloudFront does in AWS: the security headers on
//! every answer, the built web app with its caching rules, and the public gallery from the
//! public bucket.

use std::sync::Arc;

use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use ovop_platform::http::{
    is_content_hashed, security_headers, IMMUTABLE_CACHE_CONTROL, REVALIDATE_CACHE_CONTROL,
};
use ovop_platform::objects::{ObjectError, ObjectStore};
use tower::{Layer, ServiceExt};
use tower_http::compression::predicate::{Predicate, SizeAbove};
use tower_http::compression::CompressionLayer;
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
/// that does not exist is a 404, never `index.html` under a name cached for a year. Answers
/// are compressed as CloudFront's `Compress: true` does ([`cloudfront_compression`]).
pub fn with_spa(router: Router, dir: &std::path::Path) -> Router {
    let dir = dir.to_owned();
    let files = tower::service_fn(move |req: Request| {
        let dir = dir.clone();
        async move { Ok::<_, std::convert::Infallible>(spa(&dir, req).await) }
    });
    router.fallback_service(cloudfront_compression().layer(files))
}

/// Gzip or brotli, as the browser accepts, from 1,000 bytes and never for images: what
/// CloudFront does for a behaviour with `Compress: true`.
fn cloudfront_compression() -> CompressionLayer<impl Predicate> {
    CompressionLayer::new().compress_when(
        SizeAbove::new(1_000).and(tower_http::compression::predicate::NotForContentType::IMAGES),
    )
}

async fn spa(dir: &std::path::Path, req: Request) -> Response {
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

/// The public gallery under `/galeri/`, served from the public bucket as CloudFront serves it
/// (`ovop_awards::publish` writes it): `GET /galeri/{path}` answers the object
/// `galeri/{path}`, a path ending in `/` its `index.html`. Versions (`v/…`), assets
/// (`aset/…`) and photos (`foto/…`) never change under their name and are cached for a year; the stable pages and
/// `latest.json` are revalidated. A missing object answers `galeri/404.html` with status 404
/// (a path without an extension whose `…/index.html` exists is sent there with a 308, as a QR
/// code's URL without its final slash). Answers are compressed (gzip, br) as CloudFront's
/// `Compress: true` does.
pub fn gallery(public: Arc<dyn ObjectStore>) -> Router {
    // CloudFront compresses from 1,000 bytes, never images.
    let compression = CompressionLayer::new().compress_when(
        SizeAbove::new(1_000).and(tower_http::compression::predicate::NotForContentType::IMAGES),
    );
    Router::new()
        .route("/galeri", get(|| async { Redirect::permanent("/galeri/") }))
        .route("/galeri/", get(gallery_object))
        .route("/galeri/{*path}", get(gallery_object))
        .with_state(public)
        .layer(compression)
}

/// The gallery's prefix in the public bucket.
const GALLERY_PREFIX: &str = "galeri/";
/// The largest gallery object served (a national round's JSON is a few MB).
const MAX_GALLERY_OBJECT: u64 = 64 * 1024 * 1024;

async fn gallery_object(
    State(public): State<Arc<dyn ObjectStore>>,
    path: Option<Path<String>>,
    headers: HeaderMap,
) -> Response {
    let path = path.map(|Path(p)| p).unwrap_or_default();
    // Keys are literal in S3; dot segments are refused rather than resolved.
    if path.split('/').any(|s| s == "." || s == "..") {
        return gallery_not_found(public.as_ref()).await;
    }
    let mut key = format!("{GALLERY_PREFIX}{path}");
    if key.ends_with('/') {
        key.push_str("index.html");
    }
    let found = match public.open(&key).await {
        Ok(found) => found,
        Err(e) => {
            // `penghargaan/{id}` (a QR code's address missing its slash) is a folder: S3 says
            // NoSuchKey, s3s-fs another error.
            let last = path.rsplit('/').next().unwrap_or_default();
            if !path.is_empty()
                && !last.contains('.')
                && public.head(&format!("{key}/index.html")).await.is_ok()
            {
                return Redirect::permanent(&format!("/galeri/{path}/")).into_response();
            }
            if let ObjectError::NotFound(_) = e {
                return gallery_not_found(public.as_ref()).await;
            }
            tracing::error!(key, error = %e, "gallery object unreadable");
            return StatusCode::BAD_GATEWAY.into_response();
        }
    };
    let immutable =
        path.starts_with("v/") || path.starts_with("foto/") || path.starts_with("aset/");
    let cache_control = if immutable {
        IMMUTABLE_CACHE_CONTROL
    } else {
        REVALIDATE_CACHE_CONTROL
    };
    let etag = found.info.etag.clone();
    let content_type = found
        .info
        .content_type
        .clone()
        .unwrap_or_else(|| "application/octet-stream".into());
    let mut response = if !etag.is_empty()
        && headers
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"))
    {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        match found.read_to_end(MAX_GALLERY_OBJECT).await {
            Ok(body) => (
                [(
                    header::CONTENT_TYPE,
                    HeaderValue::from_str(&content_type)
                        .unwrap_or(HeaderValue::from_static("application/octet-stream")),
                )],
                body,
            )
                .into_response(),
            Err(e) => {
                tracing::error!(key, error = %e, "gallery object unreadable");
                return StatusCode::BAD_GATEWAY.into_response();
            }
        }
    };
    let h = response.headers_mut();
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(cache_control),
    );
    if let Ok(v) = HeaderValue::from_str(&etag) {
        if !etag.is_empty() {
            h.insert(header::ETAG, v);
        }
    }
    response
}

/// 404 with the gallery's own page (or a plain line before the first publication).
async fn gallery_not_found(public: &dyn ObjectStore) -> Response {
    let page = public
        .read(&format!("{GALLERY_PREFIX}404.html"), MAX_GALLERY_OBJECT)
        .await;
    let mut response = match page {
        Ok(body) => (
            StatusCode::NOT_FOUND,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            )],
            body,
        )
            .into_response(),
        Err(_) => (StatusCode::NOT_FOUND, "Tidak ditemukan / Not found\n").into_response(),
    };
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(REVALIDATE_CACHE_CONTROL),
    );
    response
}
