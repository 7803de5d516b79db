//! API Gateway HTTP API (payload v2) events as Lambda receives them, with the claims the JWT
//! authorizer passes, and a call through a function's router exactly as `lambda_http::run`
//! hands the request over.

use serde_json::{json, Value};
use tower::ServiceExt;

/// An HTTP API payload v2 event for `method path`, with the authorizer's `claims` (none: no
/// authorizer context), a JSON `body` and `headers`.
pub fn event(
    method: &str,
    path: &str,
    claims: Option<Value>,
    body: Option<&Value>,
    headers: Value,
) -> String {
    let authorizer = match claims {
        Some(claims) => json!({ "jwt": { "claims": claims, "scopes": null } }),
        None => Value::Null,
    };
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
pub fn access_claims(sub: &str, groups: &str) -> Value {
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

/// The access-token claims of the regency office of `regency`.
pub fn pengusul(regency: &str) -> Value {
    access_claims(
        &format!("cognito-{regency}"),
        &format!("[pengusul region-{regency}]"),
    )
}

/// Runs `event` through `app`; the status and the JSON body (null when not JSON).
pub async fn call(app: &axum::Router, event: String) -> (u16, Value) {
    let request = lambda_http::request::from_str(&event).expect("valid API Gateway event");
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
