//! The Lambda path: API Gateway HTTP API (v2) events with JWT-authorizer claims go through the
//! intake function's app exactly as `lambda_http::run` hands them over.

use std::sync::Arc;

use ovop_intake::{app, AppState};
use ovop_platform::auth::Authenticator;
use ovop_platform::clock::ManualClock;
use ovop_tests::lambda::{access_claims, call, event, pengusul};
use ovop_tests::{embedded_store, form, start_time};
use serde_json::{json, Value};

/// `GET /api/v1/me` with `claims`.
async fn status_with(app: &axum::Router, claims: Value) -> (u16, Value) {
    call(
        app,
        event("GET", "/api/v1/me", Some(claims), None, json!({})),
    )
    .await
}

async fn lambda_app() -> (axum::Router, tempfile::TempDir) {
    let (store, dir) = embedded_store();
    let state = AppState::new(Arc::new(store), Arc::new(ManualClock::new(start_time())));
    let mut tx = ovop_platform::store::Tx::new();
    tx.create(&ovop_tests::open_round()).unwrap();
    state.store.commit(tx).await.unwrap();
    (app(state, Authenticator::ApiGatewayJwt), dir)
}

#[tokio::test]
async fn an_api_gateway_event_with_cognito_claims_creates_and_lists_a_nomination() {
    let (app, _dir) = lambda_app().await;
    let body = serde_json::to_value(form("33.74", "Lewat Lambda")).unwrap();
    let headers = json!({"content-type": "application/json", "idempotency-key": "lambda-1"});
    let (status, created) = call(
        &app,
        event(
            "POST",
            "/api/v1/nominations",
            Some(pengusul("33.74")),
            Some(&body),
            headers,
        ),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["regency_code"], "33.74");
    assert_eq!(created["created_by"], "cognito-33.74");

    let (status, list) = call(
        &app,
        event(
            "GET",
            "/api/v1/nominations",
            Some(pengusul("33.74")),
            None,
            json!({}),
        ),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(list["items"].as_array().unwrap().len(), 1);

    let path = format!("/api/v1/nominations/{}", created["id"].as_str().unwrap());
    let (status, problem) = call(
        &app,
        event(
            "GET",
            &path,
            Some(pengusul("33.26")),
            None,
            json!({"accept-language": "en"}),
        ),
    )
    .await;
    assert_eq!(status, 404, "another regency's claims see nothing");
    assert_eq!(problem["lang"], "en");
}

#[tokio::test]
async fn an_event_without_authorizer_claims_is_401() {
    let (app, _dir) = lambda_app().await;
    let (status, problem) = call(
        &app,
        event("GET", "/api/v1/nominations", None, None, json!({})),
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(problem["code"], "unauthenticated");
}

#[tokio::test]
async fn the_groups_give_the_principal_and_its_name_is_the_username() {
    let (app, _dir) = lambda_app().await;
    let (status, me) = call(
        &app,
        event(
            "GET",
            "/api/v1/me",
            Some(access_claims("sub-1", "[provinsi region-33]")),
            None,
            json!({}),
        ),
    )
    .await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["user_id"], "sub-1");
    assert_eq!(me["name"], "sub-1-user");
    assert_eq!(me["role"], "provinsi");
    let (status, _) = status_with(&app, access_claims("sub-2", "[verifikator]")).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_missing_or_unknown_role_group_is_forbidden_and_bearer_tokens_are_ignored() {
    let (app, _dir) = lambda_app().await;
    let mut no_groups = access_claims("x", "");
    no_groups.as_object_mut().unwrap().remove("cognito:groups");
    let (status, problem) = status_with(&app, no_groups).await;
    assert_eq!((status, problem["code"].as_str()), (403, Some("forbidden")));
    for groups in [
        "[]",
        "[superuser]",
        "[Pengusul region-33.74]",
        "[penilai admin]",
    ] {
        let (status, _) = status_with(&app, access_claims("x", groups)).await;
        assert_eq!(status, 403, "{groups}");
    }
    // Attributes are never read: a user could change them.
    let mut attributes = access_claims("x", "[]");
    attributes["custom:role"] = json!("pengusul");
    attributes["custom:region"] = json!("33.74");
    let (status, _) = status_with(&app, attributes).await;
    assert_eq!(status, 403);

    let headers = json!({"authorization": "Bearer eyJhbGciOiJSUzI1NiJ9.e30.x"});
    let (status, _) = call(
        &app,
        event("GET", "/api/v1/nominations", None, None, headers),
    )
    .await;
    assert_eq!(
        status, 401,
        "Lambda reads the authorizer's claims, never a bearer token"
    );
}

#[tokio::test]
async fn a_region_group_of_the_wrong_level_is_forbidden() {
    let (app, _dir) = lambda_app().await;
    for groups in [
        "[pengusul region-33]",
        "[provinsi region-33.74]",
        "[pengusul]",
        "[provinsi]",
        "[pengusul region-33.74 region-33.26]",
    ] {
        let (status, _) = status_with(&app, access_claims("x", groups)).await;
        assert_eq!(status, 403, "{groups}");
    }
}
