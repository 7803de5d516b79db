//! Bad input gets a clear 4xx problem+json naming the field, in Indonesian or English, and
//! never a 500.

use ovop_core::dto::NominationPage;
use ovop_tests::{form, problem, TestApp};
use serde_json::json;

async fn post_raw(
    app: &TestApp,
    token: &str,
    content_type: &str,
    body: Vec<u8>,
    lang: &str,
) -> reqwest::Response {
    app.post(token, "/api/v1/nominations")
        .header("Idempotency-Key", ulid::Ulid::new().to_string())
        .header("Content-Type", content_type)
        .header("Accept-Language", lang)
        .body(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn malformed_json_is_a_400_in_both_languages() {
    let app = TestApp::spawn().await;
    let token = app.login("dinas-semarang").await;
    let id = problem(
        post_raw(
            &app,
            &token,
            "application/json",
            b"{\"ikm\": {".to_vec(),
            "id",
        )
        .await,
    )
    .await;
    assert_eq!((id.status, id.lang.as_str()), (400, "id"));
    assert!(id.errors["body"].starts_with("JSON tidak valid"));
    let en = problem(
        post_raw(
            &app,
            &token,
            "application/json",
            b"{\"ikm\": {".to_vec(),
            "en-US",
        )
        .await,
    )
    .await;
    assert!(en.errors["body"].starts_with("Malformed JSON"));
}

#[tokio::test]
async fn a_valid_form_followed_by_more_text_is_malformed_and_nothing_is_created() {
    let app = TestApp::spawn().await;
    let token = app.login("dinas-semarang").await;
    let count = || async {
        app.get_json::<NominationPage>(&token, "/api/v1/nominations")
            .await
            .items
            .len()
    };
    let before = count().await;
    let mut body = serde_json::to_vec(&form("33.74", "IKM dengan ekor")).unwrap();
    body.extend_from_slice(b" {\"lagi\": 1}");
    let p = problem(post_raw(&app, &token, "application/json", body, "en").await).await;
    assert_eq!(p.status, 400);
    assert!(
        p.errors["body"].starts_with("Malformed JSON"),
        "{:?}",
        p.errors
    );
    assert_eq!(count().await, before, "nothing was created");
}

#[tokio::test]
async fn a_wrong_type_names_the_field() {
    let app = TestApp::spawn().await;
    let token = app.login("dinas-semarang").await;
    let body = json!({"ikm": {"workers": "dua belas"}})
        .to_string()
        .into_bytes();
    let p = problem(post_raw(&app, &token, "application/json", body, "en").await).await;
    assert_eq!(p.status, 422);
    assert!(p.errors.contains_key("ikm.workers"), "{:?}", p.errors);
}

#[tokio::test]
async fn missing_fields_are_each_named() {
    let app = TestApp::spawn().await;
    let token = app.login("dinas-semarang").await;
    let p = problem(post_raw(&app, &token, "application/json", b"{}".to_vec(), "id").await).await;
    assert_eq!(p.status, 422);
    for field in [
        "ikm.nib",
        "sentra.unit_count",
        "product.commodity",
        "regency_code",
    ] {
        assert_eq!(
            p.errors.get(field).map(String::as_str),
            Some("Wajib diisi."),
            "{field}"
        );
    }
}

#[tokio::test]
async fn unknown_regency_and_bad_nib_are_field_errors() {
    let app = TestApp::spawn().await;
    let token = app.login("dinas-semarang").await;
    let mut f = form("33.74", "X");
    f.regency_code = "33.99".into();
    f.ikm.nib = "123".into();
    let response = app
        .post(&token, "/api/v1/nominations")
        .header("Idempotency-Key", "bad-1")
        .header("Accept-Language", "en")
        .json(&f)
        .send()
        .await
        .unwrap();
    let p = problem(response).await;
    assert_eq!(p.status, 422);
    assert_eq!(p.errors["regency_code"], "Unknown regency/city.");
    assert!(p.errors["ikm.nib"].contains("13 digits"));
}

#[tokio::test]
async fn a_body_over_256_kib_is_413() {
    let app = TestApp::spawn().await;
    let token = app.login("dinas-semarang").await;
    let mut f = form("33.74", "X");
    f.product.description = "a".repeat(300 * 1024);
    let body = serde_json::to_vec(&f).unwrap();
    let p = problem(post_raw(&app, &token, "application/json", body, "id").await).await;
    assert_eq!(p.status, 413);
}

#[tokio::test]
async fn a_non_json_body_is_415() {
    let app = TestApp::spawn().await;
    let token = app.login("dinas-semarang").await;
    let p = problem(post_raw(&app, &token, "text/plain", b"hello".to_vec(), "id").await).await;
    assert_eq!(p.status, 415);
}

#[tokio::test]
async fn bad_headers_and_filters_are_400_or_422() {
    let app = TestApp::spawn().await;
    let token = app.login("dinas-semarang").await;
    let bad_key = app
        .post(&token, "/api/v1/nominations")
        .header("Idempotency-Key", "spasi tidak boleh")
        .json(&form("33.74", "X"))
        .send()
        .await
        .unwrap();
    let p = problem(bad_key).await;
    assert_eq!(p.status, 400);
    assert!(p.errors.contains_key("Idempotency-Key"));
    let n: serde_json::Value = app
        .create(&token, &form("33.74", "X"))
        .await
        .json()
        .await
        .unwrap();
    let bad_if_match = app
        .put(
            &token,
            &format!("/api/v1/nominations/{}", n["id"].as_str().unwrap()),
        )
        .header("If-Match", "latest")
        .json(&form("33.74", "X"))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(bad_if_match).await.status, 400);
    let bad_status = app
        .get(&token, "/api/v1/nominations?status=DONE")
        .send()
        .await
        .unwrap();
    let p = problem(bad_status).await;
    assert_eq!(p.status, 422);
    assert!(p.errors.contains_key("status"));
    let unknown = app
        .get(&token, "/api/v1/nominations/does-not-exist")
        .send()
        .await
        .unwrap();
    assert_eq!(problem(unknown).await.status, 404);
}
