//! Caching and security headers of the local app, as CloudFront sends them in AWS: every
//! answer has the security headers of `ovop_platform::http::SECURITY_HEADERS`; API answers are
//! never stored; web-app files with a content hash in their name are immutable, the rest is
//! revalidated; web-app files are compressed (gzip, br) from 1,000 bytes.

use ovop_local::server::Timeouts;
use ovop_platform::http::{security_headers, SECURITY_HEADERS};
use ovop_tests::TestApp;
use reqwest::Response;

/// A built web app: an index, hashed script, wasm and stylesheet, a file without a hash.
fn spa_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::create_dir_all(p.join("pkg")).unwrap();
    std::fs::write(p.join("index.html"), "<!doctype html><title>OVOP</title>").unwrap();
    std::fs::write(p.join("pkg/ovop-3f2a9c1b.js"), "export default 1;").unwrap();
    std::fs::write(p.join("pkg/ovop_bg-3f2a9c1b.wasm"), b"\0asm\x01\0\0\0").unwrap();
    std::fs::write(p.join("style-3f2a9c1b.css"), "body{}").unwrap();
    std::fs::write(p.join("robots.txt"), "User-agent: *").unwrap();
    dir
}

async fn app_with_spa() -> (TestApp, tempfile::TempDir) {
    let spa = spa_dir();
    let path = spa.path().to_owned();
    let app = TestApp::spawn_configured(Timeouts::default(), |config| {
        config.spa_dir = Some(path);
    })
    .await;
    (app, spa)
}

fn header<'a>(response: &'a Response, name: &str) -> &'a str {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap())
        .unwrap_or("")
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let (app, _spa) = app_with_spa().await;
    let token = app.login("admin").await;
    let paths = [
        "/",
        "/index.html",
        "/nominations/01J0000000000000000000000",
        "/pkg/ovop-3f2a9c1b.js",
        "/pkg/ovop-00000000.js",
        "/config.json",
        "/oidc/jwks.json",
        "/oidc/authorize",
        "/oidc/nothing",
        "/api/v1/me",
        "/api/v1/nothing",
    ];
    for path in paths {
        for bearer in [None, Some(&token)] {
            let mut request = app.http.get(app.url(path));
            if let Some(token) = bearer {
                request = request.bearer_auth(token);
            }
            let response = request.send().await.unwrap();
            for (name, value) in security_headers(app.s3_url.as_deref()) {
                assert_eq!(header(&response, name), value, "{path}: {name}");
            }
            let csp = header(&response, "content-security-policy");
            let s3 = app.s3_url.as_deref().expect("the embedded S3 runs");
            assert!(
                csp.contains(&format!("connect-src 'self' {s3};")),
                "{path}: the browser may send uploads to the embedded S3: {csp}"
            );
        }
    }
    assert_eq!(
        SECURITY_HEADERS[0].1,
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; \
         form-action 'self'; object-src 'none'"
    );
}

#[tokio::test]
async fn api_answers_are_never_stored() {
    let (app, _spa) = app_with_spa().await;
    let token = app.login("dinas-semarang").await;
    let answers = [
        app.get(&token, "/api/v1/me").send().await.unwrap(),
        app.get(&token, "/api/v1/nominations").send().await.unwrap(),
        app.get(&token, "/api/v1/nominations/nothing")
            .send()
            .await
            .unwrap(),
        app.http.get(app.url("/api/v1/me")).send().await.unwrap(),
        app.get("forged", "/api/v1/me").send().await.unwrap(),
        app.http
            .get(app.url("/api/v1/openapi.json"))
            .send()
            .await
            .unwrap(),
        app.http
            .delete(app.url("/api/v1/rounds"))
            .send()
            .await
            .unwrap(),
    ];
    let statuses: Vec<u16> = answers.iter().map(|r| r.status().as_u16()).collect();
    assert_eq!(statuses, [200, 200, 404, 401, 401, 200, 405]);
    for response in &answers {
        assert_eq!(
            header(response, "cache-control"),
            "no-store",
            "{}",
            response.url()
        );
    }
}

#[tokio::test]
async fn hashed_files_are_immutable_and_the_rest_is_revalidated() {
    let (app, _spa) = app_with_spa().await;
    let get = |path: &'static str| {
        let request = app.http.get(app.url(path));
        async move { request.send().await.unwrap() }
    };
    for path in [
        "/pkg/ovop-3f2a9c1b.js",
        "/pkg/ovop_bg-3f2a9c1b.wasm",
        "/style-3f2a9c1b.css",
    ] {
        let response = get(path).await;
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(
            header(&response, "cache-control"),
            "public, max-age=31536000, immutable",
            "{path}"
        );
    }
    for path in [
        "/",
        "/index.html",
        "/rounds",
        "/auth/callback",
        "/config.json",
        "/robots.txt",
    ] {
        let response = get(path).await;
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(header(&response, "cache-control"), "no-cache", "{path}");
    }
    let fallback = get("/nominations/abc").await;
    assert!(fallback
        .text()
        .await
        .unwrap()
        .contains("<title>OVOP</title>"));

    // A hashed name that is not there is a 404, never the index cached for a year.
    let missing = get("/pkg/ovop-00000000.js").await;
    assert_eq!(missing.status(), 404);
    assert_eq!(header(&missing, "cache-control"), "no-cache");
}

#[tokio::test]
async fn web_app_files_are_compressed_as_cloudfront_does() {
    let (app, spa) = app_with_spa().await;
    let script = "export const greeting = 'Selamat datang';\n".repeat(100);
    std::fs::write(spa.path().join("pkg/big-3f2a9c1b.js"), &script).unwrap();
    let get = |path: &'static str, encoding: &'static str| {
        let request = app
            .http
            .get(app.url(path))
            .header("accept-encoding", encoding);
        async move { request.send().await.unwrap() }
    };

    let gzip = get("/pkg/big-3f2a9c1b.js", "gzip").await;
    assert_eq!(gzip.status(), 200);
    assert_eq!(header(&gzip, "content-encoding"), "gzip");
    assert_eq!(header(&gzip, "vary"), "accept-encoding");
    assert_eq!(
        header(&gzip, "cache-control"),
        "public, max-age=31536000, immutable"
    );
    assert!(gzip.bytes().await.unwrap().len() < script.len() / 4);
    let br = get("/pkg/big-3f2a9c1b.js", "br").await;
    assert_eq!(header(&br, "content-encoding"), "br");
    let plain = get("/pkg/big-3f2a9c1b.js", "identity").await;
    assert_eq!(header(&plain, "content-encoding"), "");
    assert_eq!(plain.text().await.unwrap(), script);

    // Under 1,000 bytes, as CloudFront, nothing is compressed.
    let small = get("/robots.txt", "gzip").await;
    assert_eq!(small.status(), 200);
    assert_eq!(header(&small, "content-encoding"), "");
}
