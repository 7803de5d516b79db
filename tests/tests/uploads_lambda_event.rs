//! The uploads function's Lambda path: API Gateway HTTP API (v2) events with Cognito
//! JWT-authorizer claims go through the uploads app exactly as `lambda_http::run` hands them
//! over. The draft is made through the intake app on the same store (two functions, one
//! table); the bucket is the embedded S3 endpoint of `ovop-local` (s3s-fs, SigV4 checked), so
//! the presigned PUT the function answers really takes the file.

use std::sync::Arc;

use ovop_local::{EmbeddedS3, EmbeddedS3Config, UPLOADS_BUCKET};
use ovop_platform::auth::Authenticator;
use ovop_platform::clock::{Clock, ManualClock};
use ovop_tests::lambda::{call, event, pengusul};
use ovop_tests::{embedded_store_with, form, start_time};
use serde_json::{json, Value};
use tempfile::TempDir;

/// The intake and uploads Lambda apps over one store, the uploads one over the embedded S3.
struct Lambdas {
    intake: axum::Router,
    uploads: axum::Router,
    _s3: EmbeddedS3,
    _dirs: (TempDir, TempDir),
}

async fn lambdas() -> Lambdas {
    let clock: Arc<dyn Clock> = Arc::new(ManualClock::new(start_time()));
    // Uploads expire: the store decides by the app's clock, as DynamoDB's TTL reads do.
    let (store, store_dir) = embedded_store_with(clock.clone());
    let intake = ovop_intake::AppState::new(Arc::new(store), clock.clone());
    let mut tx = ovop_platform::store::Tx::new();
    tx.create(&ovop_tests::open_round()).unwrap();
    intake.store.commit(tx).await.unwrap();
    let s3_dir = tempfile::tempdir().unwrap();
    let s3 = EmbeddedS3::start(
        &s3_dir.path().join("s3"),
        &EmbeddedS3Config::ephemeral(),
        &[],
    )
    .await
    .expect("start the embedded S3 endpoint");
    let uploads = ovop_uploads::AppState::on(
        intake.store.clone(),
        Arc::new(s3.objects(UPLOADS_BUCKET)),
        clock,
    );
    Lambdas {
        intake: ovop_intake::app(intake, Authenticator::ApiGatewayJwt),
        uploads: ovop_uploads::app(uploads, Authenticator::ApiGatewayJwt),
        _s3: s3,
        _dirs: (store_dir, s3_dir),
    }
}

/// A draft of `regency`'s office, made through the intake function.
async fn draft(l: &Lambdas, regency: &str) -> String {
    let body = serde_json::to_value(form(regency, "Anyaman Lewat Lambda")).unwrap();
    let headers = json!({"content-type": "application/json", "idempotency-key": "draft-1"});
    let (status, created) = call(
        &l.intake,
        event(
            "POST",
            "/api/v1/nominations",
            Some(pengusul(regency)),
            Some(&body),
            headers,
        ),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    created["id"].as_str().unwrap().to_owned()
}

/// A small PDF's declaration.
fn pdf_declaration(size: usize) -> Value {
    json!({"document_code": "D01", "file_name": "surat.pdf", "media_type": "application/pdf", "size": size})
}

fn pdf(len: usize) -> Vec<u8> {
    let mut b = b"%PDF-1.7\n".to_vec();
    b.extend((0..len - b.len()).map(|i| (i % 251) as u8));
    b
}

fn declare_event(id: &str, claims: Option<Value>, body: &Value, key: &str) -> String {
    event(
        "POST",
        &format!("/api/v1/nominations/{id}/uploads"),
        claims,
        Some(body),
        json!({"content-type": "application/json", "idempotency-key": key}),
    )
}

#[tokio::test]
async fn a_cognito_event_declares_an_upload_on_its_own_draft_and_gets_a_presigned_put() {
    let l = lambdas().await;
    let id = draft(&l, "33.26").await;
    let file = pdf(2048);
    let (status, declared) = call(
        &l.uploads,
        declare_event(
            &id,
            Some(pengusul("33.26")),
            &pdf_declaration(file.len()),
            "up-1",
        ),
    )
    .await;
    assert_eq!(status, 201, "{declared}");
    assert_eq!(declared["mode"], "single");
    assert_eq!(declared["part_count"], 1);
    let put = &declared["put"];
    assert_eq!(put["method"], "PUT");
    let url = put["url"].as_str().unwrap();
    assert!(
        url.contains(&format!("/nominations/{id}/D01/")) && url.contains("X-Amz-Signature="),
        "{url}"
    );

    // The URL takes the file, as the browser would send it.
    let http = reqwest::Client::new();
    let mut request = http.put(url);
    for (name, value) in put["headers"].as_object().unwrap() {
        if name != "content-length" {
            request = request.header(name, value.as_str().unwrap());
        }
    }
    let sent = request.body(file).send().await.unwrap();
    assert_eq!(sent.status(), 200);

    // And the completion, through the function again, attaches it.
    let upload = declared["upload_id"].as_str().unwrap();
    let (status, document) = call(
        &l.uploads,
        event(
            "POST",
            &format!("/api/v1/nominations/{id}/uploads/{upload}/complete"),
            Some(pengusul("33.26")),
            Some(&json!({})),
            json!({"content-type": "application/json", "idempotency-key": "done-1"}),
        ),
    )
    .await;
    assert_eq!(status, 200, "{document}");
    assert_eq!(
        document["created_by"]
            .as_str()
            .or(document["uploaded_by"].as_str()),
        Some("cognito-33.26"),
        "{document}"
    );
}

#[tokio::test]
async fn another_regencys_claims_see_no_nomination_to_upload_to() {
    let l = lambdas().await;
    let id = draft(&l, "33.26").await;
    let (status, problem) = call(
        &l.uploads,
        declare_event(&id, Some(pengusul("33.74")), &pdf_declaration(2048), "up-2"),
    )
    .await;
    assert_eq!(status, 404, "{problem}");
    assert_eq!(problem["code"], "not_found");
}

#[tokio::test]
async fn an_uploads_event_without_authorizer_claims_is_401() {
    let l = lambdas().await;
    let id = draft(&l, "33.26").await;
    let (status, problem) = call(
        &l.uploads,
        declare_event(&id, None, &pdf_declaration(2048), "up-3"),
    )
    .await;
    assert_eq!(status, 401, "{problem}");
    assert_eq!(problem["code"], "unauthenticated");
}
