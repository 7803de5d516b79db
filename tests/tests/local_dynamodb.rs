//! `ovop-local` on a real table (DynamoDB on moto) is safe: configured from the environment
//! with `OVOP_STORE=dynamodb` it seeds no demo data and serves no local issuer unless told
//! (`OVOP_SEED=1`, `OVOP_LOCAL_ISSUER=1`), and its banner says which are on.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Body;
use http::{Request, StatusCode};
use ovop_core::round::Round;
use ovop_intake::AppState;
use ovop_local::server::Timeouts;
use ovop_local::{Identity, LocalApp, LocalConfig};
use ovop_platform::clock::{Clock, ManualClock};
use ovop_tests::{dynamo_store_with, share_signing_key, start_time};
use tower::ServiceExt;

/// The configuration `ovop-local` makes of `pairs` as its environment, on a table of its own.
fn config(pairs: &[(&str, &str)], dir: &std::path::Path) -> LocalConfig {
    let mut env: HashMap<String, String> = [
        ("OVOP_STORE", "dynamodb"),
        ("TABLE_NAME", "ovop-local-test"),
        ("OVOP_SPA_DIR", "/nonexistent"),
        ("OVOP_ADDR", "127.0.0.1:0"),
    ]
    .iter()
    .chain(pairs)
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    env.insert("OVOP_DATA_DIR".into(), dir.display().to_string());
    LocalConfig::from_env(|name| env.get(name).cloned()).expect("valid settings")
}

/// Builds the app as `ovop-local` does, over a fresh moto table.
async fn build(config: &LocalConfig) -> LocalApp {
    let clock: Arc<dyn Clock> = Arc::new(ManualClock::new(start_time()));
    let store = dynamo_store_with(clock.clone()).await;
    ovop_local::build_on(config, AppState::new(Arc::new(store), clock), None)
        .await
        .expect("build on DynamoDB")
}

async fn status_and_type(app: &LocalApp, path: &str) -> (u16, String) {
    let response = app
        .router
        .clone()
        .oneshot(Request::get(path).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (response.status().as_u16(), content_type)
}

#[tokio::test]
async fn on_a_real_table_nothing_is_seeded_and_there_is_no_local_issuer() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(&[], dir.path());
    assert!(!config.seed);
    assert_eq!(config.identity, Identity::Refused);
    let app = build(&config).await;
    assert!(app.issuer.is_none());
    assert!(app
        .state
        .store
        .get::<Round>("ovop-2026")
        .await
        .unwrap()
        .is_none());
    for path in [
        "/oidc/.well-known/openid-configuration",
        "/oidc/authorize",
        "/oidc/jwks.json",
        "/oidc",
        "/config.json",
    ] {
        assert_eq!(
            status_and_type(&app, path).await,
            (404, "application/problem+json".into()),
            "{path}"
        );
    }
    assert!(
        !dir.path().join(ovop_local::oidc::keys::KEY_FILE).exists(),
        "no signing key is made"
    );
    let banner = ovop_local::banner(&config, &app);
    assert!(
        banner.contains("DynamoDB table ovop-local-test"),
        "{banner}"
    );
    assert!(
        banner.contains("demo data (OVOP_SEED):          off"),
        "{banner}"
    );
    assert!(
        banner.contains("local issuer (OVOP_LOCAL_ISSUER): off"),
        "{banner}"
    );
    assert!(banner.contains("every token is refused (401)"), "{banner}");
    assert!(!banner.contains("dinas-semarang"), "{banner}");
    let anyone = app
        .router
        .clone()
        .oneshot(
            Request::get("/api/v1/me")
                .header("authorization", "Bearer eyJhbGciOiJSUzI1NiJ9.e30.x")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(anyone.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn when_told_a_real_table_is_seeded_and_the_local_issuer_signs_in() {
    let dir = tempfile::tempdir().unwrap();
    share_signing_key(dir.path());
    let mut config = config(
        &[("OVOP_SEED", "1"), ("OVOP_LOCAL_ISSUER", "1")],
        dir.path(),
    );
    assert!(config.seed);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    config.public_origin = Some(base.clone());
    let app = build(&config).await;
    assert!(app.issuer.is_some());
    assert!(app
        .state
        .store
        .get::<Round>("ovop-2026")
        .await
        .unwrap()
        .is_some());
    let banner = ovop_local::banner(&config, &app);
    assert!(
        banner.contains("demo data (OVOP_SEED):          on"),
        "{banner}"
    );
    assert!(
        banner.contains("local issuer (OVOP_LOCAL_ISSUER): on"),
        "{banner}"
    );
    assert_eq!(
        status_and_type(&app, "/config.json").await,
        (200, "application/json".into())
    );
    tokio::spawn(ovop_local::server::serve_with(
        listener,
        app.router,
        std::future::pending(),
        Timeouts::default(),
    ));
    let tokens = ovop_tests::sign_in_at(&ovop_tests::browser(), &base, "dinas-pekalongan").await;
    let list = reqwest::Client::new()
        .get(format!("{base}/api/v1/nominations"))
        .bearer_auth(&tokens.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(list.status(), 200);
    let page: ovop_core::dto::NominationPage = list.json().await.unwrap();
    assert_eq!(page.items.len(), 2, "the seeded nominations of Pekalongan");
}
