//! One OpenAPI document for the whole API at `GET /api/v1/openapi.json`: intake serves it
//! (API Gateway routes that path to intake; the local app serves intake's routes too), with the
//! uploads and scoring functions' paths merged from copies intake keeps beside its sources,
//! since intake must not link `ovop-uploads` (tests/tests/production_build.rs) or the other
//! functions. Each copy must be the document its handlers' annotations make: `OVOP_BLESS=1`
//! rewrites them.

use std::path::Path;

use ovop_tests::TestApp;
use serde_json::Value;

fn copy_path(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../functions/intake/{name}"))
}

/// Checks (or with `OVOP_BLESS=1` rewrites) intake's copy `name` of a function's document.
fn check_copy(name: &str, generated: &str, embedded: &str) {
    let path = copy_path(name);
    if std::env::var_os("OVOP_BLESS").is_some() {
        // Intake embeds the copy when it compiles: the next run checks what it serves.
        std::fs::write(&path, generated).unwrap();
        return;
    }
    let copy = std::fs::read_to_string(&path).unwrap_or_default();
    let parsed = |s: &str| serde_json::from_str::<Value>(s).unwrap_or(Value::Null);
    assert!(
        parsed(&copy) == parsed(generated) && copy == embedded,
        "{} is stale: run `OVOP_BLESS=1 cargo test -p ovop-tests --test openapi_document`",
        path.display()
    );
}

#[test]
fn intakes_copy_of_the_uploads_document_is_what_the_uploads_handlers_describe() {
    check_copy(
        "uploads.openapi.json",
        &ovop_uploads::openapi::json(),
        ovop_intake::openapi::UPLOADS_JSON,
    );
}

#[test]
fn intakes_copy_of_the_scoring_document_is_what_the_scoring_handlers_describe() {
    check_copy(
        "scoring.openapi.json",
        &ovop_scoring::openapi::json(),
        ovop_intake::openapi::SCORING_JSON,
    );
}

#[test]
fn intakes_copy_of_the_awards_document_is_what_the_awards_handlers_describe() {
    check_copy(
        "awards.openapi.json",
        &ovop_awards::openapi::json(),
        ovop_intake::openapi::AWARDS_JSON,
    );
}

#[tokio::test]
async fn the_local_app_serves_one_document_with_the_intake_and_uploads_paths() {
    let app = TestApp::spawn().await;
    let response = app
        .http
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let doc: Value = response.json().await.unwrap();
    let paths = &doc["paths"];
    assert!(paths["/api/v1/nominations/{id}/submit"]["post"].is_object());
    for (path, method) in [
        ("/api/v1/nominations/{id}/documents", "get"),
        ("/api/v1/nominations/{id}/documents/{code}/link", "get"),
        ("/api/v1/nominations/{id}/uploads", "get"),
        ("/api/v1/nominations/{id}/uploads", "post"),
        ("/api/v1/nominations/{id}/uploads/{upload}", "get"),
        ("/api/v1/nominations/{id}/uploads/{upload}", "delete"),
        ("/api/v1/nominations/{id}/uploads/{upload}/parts", "post"),
        ("/api/v1/nominations/{id}/uploads/{upload}/complete", "post"),
        ("/api/v1/nominations/{id}/sample/shipment", "put"),
        ("/api/v1/nominations/{id}/sample/receipt", "put"),
        ("/api/v1/nominations/{id}/verification", "post"),
        ("/api/v1/nominations/{id}/verifications", "get"),
        ("/api/v1/rounds/{round}/determination", "post"),
        ("/api/v1/awards/{id}/certificate", "get"),
        ("/api/v1/publication", "post"),
    ] {
        assert!(paths[path][method].is_object(), "{method} {path} missing");
    }
    let schemas = &doc["components"]["schemas"];
    for schema in [
        "NominationForm",
        "DeclareRequest",
        "Declared",
        "SignedParts",
        "CompleteRequest",
        "ChecklistView",
        "Document",
    ] {
        assert!(schemas[schema].is_object(), "schema {schema} missing");
    }
    let declare = &paths["/api/v1/nominations/{id}/uploads"]["post"];
    let required_key = declare["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["name"] == "Idempotency-Key" && p["required"] == true);
    assert!(required_key, "{declare}");
    let tags: Vec<&str> = doc["tags"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    for tag in ["nominations", "rounds", "documents", "uploads"] {
        assert!(tags.contains(&tag), "{tags:?}");
    }
}
