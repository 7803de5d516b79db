//! The Lambda path: API Gateway HTTP API (v2) events with JWT-authorizer claims go through the
//! intake function's app exactly as `lambda_http::run` hands them over.

use std::sync::Arc;

use ovop_intake::{app, AppState};
use ovop_platform::auth::Authenticator;
use ovop_platform::clock::ManualClock;
use ovop_tests::{embedded_store, form, start_time};
use serde_json::{json, Value};
use tower::ServiceExt;

/// An HTTP API payload v2 event, as API Gateway sends it to the function.
fn event(
    method: &str,
    path: &str,
    claims: Option<Value>,
    body: Option<&Value>,
    headers: Value,
) -> String {
    let mut authorizer = Value::Null;
    if let Some(claims) = claims {
        authorizer = json!({ "jwt": { "claims": claims, "scopes": null } });
    }
    json!({
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": "",
        "headers": headers,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "api-id",
            "authorizer": authorizer,
            "domainName": "api.ovop.example",
            "domainPrefix": "api",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "10.0.0.1",
                "userAgent": "test"
            },
            "requestId": "req-1",
            "routeKey": "$default",
            "stage": "$default",
            "time": "28/Nov/2026:00:00:00 +0000",
            "timeEpoch": 1795824000000u64
        },
        "body": body.map(|b| b.to_string()),
        "isBase64Encoded": false
    })
    .to_string()
}

/// Claims of a Cognito access token as the HTTP API's JWT authorizer passes them: every value
/// a string, `cognito:groups` flattened to `[a b]`.
fn access_claims(sub: &str, groups: &str) -> Value {
    json!({
        "sub": sub,
        "cognito:groups": groups,
        "iss": "https://cognito-idp.ap-southeast-3.amazonaws.com/ap-southeast-3_XXXX",
        "version": "2",
        "client_id": "abc123",
        "origin_jti": "2c0e4b3e-8f0c-4a4b-9d0a-7b6e8c2f1a11",
        "event_id": "6f1d2a9b-3c4e-4f5a-8b7c-9d0e1f2a3b4c",
        "token_use": "access",
        "scope": "openid email profile",
        "auth_time": "1795823000",
        "exp": "1795826600",
        "iat": "1795823000",
        "jti": "0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e",
        "username": format!("{sub}-user"),
    })
}

fn pengusul(regency: &str) -> Value {
    access_claims(
        &format!("cognito-{regency}"),
        &format!("[pengusul region-{regency}]"),
    )
}

/// `GET /api/v1/me` with `claims`.
async fn status_with(app: &axum::Router, claims: Value) -> (u16, Value) {
    call(
        app,
        event("GET", "/api/v1/me", Some(claims), None, json!({})),
    )
    .await
}

async fn call(app: &axum::Router, event: String) -> (u16, Value) {
    let request = lambda_http::request::from_str(&event).expect("valid API Gateway event");
    // The request type `lambda_http::run` hands to the router, unchanged.
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status().as_u16();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
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
