//! Determination (penetapan) and awards over HTTP, against the local app: the admin sends the
//! decree's PDF straight to S3, determines a locked round once, revokes an award with a reason;
//! the offices download their certificates. Denials, bad input and retries.

use ovop_core::award::{Award, Determination};
use ovop_core::nomination::Nomination;
use ovop_core::status::NominationStatus;
use ovop_tests::selection::{locked_round, passed};
use ovop_tests::{problem, send_signed, TestApp};
use serde_json::{json, Value};

/// A small but real-looking PDF.
fn pdf() -> Vec<u8> {
    let mut bytes = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    bytes.extend_from_slice(
        b"1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
    );
    bytes
}

/// Sends `body` as the round's decree PDF; answers the key to name in the determination.
async fn uploaded_decree(app: &TestApp, admin: &str, round: &str, body: Vec<u8>) -> String {
    let answer = app
        .post(admin, &format!("/api/v1/rounds/{round}/decree/upload"))
        .json(&json!({"size": body.len()}))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    let upload: Value = answer.json().await.unwrap();
    assert_eq!(
        upload["request"]["headers"]["content-type"],
        "application/pdf"
    );
    let sent = send_signed(&upload["request"], body).await;
    assert!(sent.status().is_success(), "{}", sent.status());
    upload["key"].as_str().unwrap().to_owned()
}

fn decree(document_key: &str) -> Value {
    json!({
        "decree": {
            "number": "1234/M-IND/Kep/11/2026",
            "date": "2026-02-27",
            "signer": "Menteri Perindustrian",
        },
        "document_key": document_key,
    })
}

async fn determine(
    app: &TestApp,
    admin: &str,
    round: &str,
    key: &str,
    body: &Value,
) -> reqwest::Response {
    app.post(admin, &format!("/api/v1/rounds/{round}/determination"))
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn revoke(app: &TestApp, admin: &str, id: &str, reason: &str) -> reqwest::Response {
    app.post(admin, &format!("/api/v1/awards/{id}/revocation"))
        .header("Idempotency-Key", ulid::Ulid::new().to_string())
        .json(&json!({"reason": reason}))
        .send()
        .await
        .unwrap()
}

/// A determined round of two 3★ awards and one nomination without stars.
async fn determined_round(app: &TestApp) -> (String, Vec<Nomination>, Determination) {
    let (admin, nominations) = locked_round(
        app,
        &[
            ("Anyaman Juara", 3),
            ("Anyaman Kedua", 3),
            ("Anyaman Lemah", 1),
        ],
    )
    .await;
    let round = nominations[0].round_id.clone();
    let key = uploaded_decree(app, &admin, &round, pdf()).await;
    let answer = determine(
        app,
        &admin,
        &round,
        &ulid::Ulid::new().to_string(),
        &decree(&key),
    )
    .await;
    assert_eq!(answer.status(), 201);
    (admin, nominations, answer.json().await.unwrap())
}

#[tokio::test]
async fn the_admin_determines_a_locked_round_once_from_the_decree_and_its_pdf() {
    let app = TestApp::spawn().await;
    let (admin, nominations) = locked_round(
        &app,
        &[
            ("Anyaman Juara", 3),
            ("Anyaman Kedua", 3),
            ("Anyaman Lemah", 1),
        ],
    )
    .await;
    let round = nominations[0].round_id.clone();
    let path = format!("/api/v1/rounds/{round}/determination");
    assert_eq!(
        problem(app.get(&admin, &path).send().await.unwrap())
            .await
            .status,
        404,
        "not determined yet"
    );

    // No key: 428. A decree with holes, and no PDF: every field named at once.
    let keyless = app
        .post(&admin, &path)
        .json(&decree("x"))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(keyless).await.status, 428);
    let holes = json!({
        "decree": {"number": " ", "date": "2099-01-01", "signer": ""},
        "document_key": format!("decrees/{round}/nothing.pdf"),
    });
    let p = problem(determine(&app, &admin, &round, "k-holes", &holes).await).await;
    assert_eq!(p.status, 422);
    for field in ["decree.number", "decree.date", "decree.signer"] {
        assert!(p.errors.contains_key(field), "{field}: {p:?}");
    }
    let p = problem(
        determine(
            &app,
            &admin,
            &round,
            "k-missing",
            &decree(&format!("decrees/{round}/nothing.pdf")),
        )
        .await,
    )
    .await;
    assert!(
        p.status == 422 && p.errors.contains_key("document_key"),
        "{p:?}"
    );
    // Another round's prefix, or a file that is not a PDF: refused naming the key.
    let p = problem(
        determine(
            &app,
            &admin,
            &round,
            "k-other",
            &decree("decrees/elsewhere/a.pdf"),
        )
        .await,
    )
    .await;
    assert!(
        p.status == 422 && p.errors.contains_key("document_key"),
        "{p:?}"
    );
    let png = uploaded_decree(
        &app,
        &admin,
        &round,
        b"\x89PNG\r\n\x1a\nnot a decree".to_vec(),
    )
    .await;
    let p = problem(determine(&app, &admin, &round, "k-png", &decree(&png)).await).await;
    assert!(
        p.status == 422 && p.errors.contains_key("document_key"),
        "{p:?}"
    );
    // The upload itself refuses an empty or huge file.
    for size in [0_u64, 21 * 1024 * 1024] {
        let p = problem(
            app.post(&admin, &format!("/api/v1/rounds/{round}/decree/upload"))
                .json(&json!({"size": size}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert!(
            p.status == 422 && p.errors.contains_key("size"),
            "{size}: {p:?}"
        );
    }

    // The PDF, then the determination: two awards in the leaderboard's order.
    let key = uploaded_decree(&app, &admin, &round, pdf()).await;
    let first = determine(&app, &admin, &round, "k-real", &decree(&key)).await;
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    assert_eq!(first["awards"], 2);
    assert_eq!(first["decree_document"], key.as_str());
    assert_eq!(
        first["decree"]["valid_until"], "2028-02-27",
        "two years by default"
    );
    // A retry answers the same; another key meets the frozen round.
    let again = determine(&app, &admin, &round, "k-real", &decree(&key)).await;
    assert_eq!(again.status(), 201);
    assert_eq!(again.json::<Value>().await.unwrap(), first);
    let other = determine(&app, &admin, &round, "k-other-try", &decree(&key)).await;
    assert_eq!(problem(other).await.code, "determined");
    let upload_after = app
        .post(&admin, &format!("/api/v1/rounds/{round}/decree/upload"))
        .json(&json!({"size": 10}))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(upload_after).await.code, "determined");
    let stored: Value = app.get_json(&admin, &path).await;
    assert_eq!(stored, first);

    let list: Value = app
        .get_json(&admin, &format!("/api/v1/rounds/{round}/awards"))
        .await;
    let awards: Vec<Award> = serde_json::from_value(list["awards"].clone()).unwrap();
    let mut names: Vec<(String, u8, String)> = awards
        .iter()
        .map(|a| {
            (
                a.ikm_name.clone(),
                a.stars.stars,
                a.certificate_number.clone(),
            )
        })
        .collect();
    names.sort();
    let year = awards[0].year;
    assert_eq!(
        names,
        [
            ("Anyaman Juara".to_owned(), 3, format!("OVOP/{year}/0001")),
            ("Anyaman Kedua".to_owned(), 3, format!("OVOP/{year}/0002")),
        ]
    );
    assert!(awards
        .iter()
        .all(|a| a.decree_number == "1234/M-IND/Kep/11/2026"));
    // The nominations named in the decree are determined; the one without stars is not.
    for n in &nominations {
        let now: Nomination = app
            .get_json(&admin, &format!("/api/v1/nominations/{}", n.id))
            .await;
        let want = if n.profile.ikm.name == "Anyaman Lemah" {
            NominationStatus::NotRecommended
        } else {
            NominationStatus::Determined
        };
        assert_eq!(now.status, want, "{}", n.profile.ikm.name);
    }
    // The decree's PDF opens on a short-lived link.
    let link: Value = app
        .get_json(&admin, &format!("/api/v1/rounds/{round}/decree/link"))
        .await;
    let got = reqwest::get(link["url"].as_str().unwrap()).await.unwrap();
    assert_eq!(got.status(), 200);
    assert_eq!(got.bytes().await.unwrap().as_ref(), pdf().as_slice());
}

#[tokio::test]
async fn a_round_without_a_locked_recommendation_cannot_be_determined() {
    let app = TestApp::spawn().await;
    let n = passed(&app, "Anyaman Belum Dinilai").await;
    let admin = app.login("admin").await;
    let key = uploaded_decree(&app, &admin, &n.round_id, pdf()).await;
    let p = problem(determine(&app, &admin, &n.round_id, "k", &decree(&key)).await).await;
    assert_eq!((p.status, p.code.as_str()), (409, "not_locked"));
    let unknown =
        problem(determine(&app, &admin, "no-such-round", "k2", &decree(&key)).await).await;
    assert_eq!(unknown.status, 404);
}

#[tokio::test]
async fn an_award_is_revoked_once_with_a_reason_and_the_revocation_is_in_the_audit_trail() {
    let app = TestApp::spawn().await;
    let (admin, nominations, _) = determined_round(&app).await;
    let id = &nominations[0].id;

    let p = problem(revoke(&app, &admin, id, "  ").await).await;
    assert!(p.status == 422 && p.errors.contains_key("reason"), "{p:?}");
    let revoked = revoke(
        &app,
        &admin,
        id,
        "Izin usaha dicabut oleh pemerintah daerah.",
    )
    .await;
    assert_eq!(revoked.status(), 200);
    let award: Award = revoked.json().await.unwrap();
    assert_eq!(award.version, 2);
    assert_eq!(
        award.revocation.as_ref().map(|r| r.reason.as_str()),
        Some("Izin usaha dicabut oleh pemerintah daerah.")
    );
    assert_eq!(
        problem(revoke(&app, &admin, id, "Lagi.").await).await.code,
        "revoked"
    );
    assert_eq!(
        problem(revoke(&app, &admin, "no-such-award", "Alasan.").await)
            .await
            .status,
        404
    );

    let trail: Value = app
        .get_json(&admin, &format!("/api/v1/nominations/{id}/audit"))
        .await;
    let revocation = trail["records"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["action"] == "revocation")
        .unwrap_or_else(|| panic!("no revocation record: {trail}"));
    assert_eq!(revocation["actor"], "admin");
    assert!(revocation["after"]
        .as_str()
        .unwrap()
        .contains("Izin usaha dicabut"));
    // A revoked award has no certificate any more; the other one still has.
    let office = app.login("dinas-semarang").await;
    let p = problem(
        app.get(&office, &format!("/api/v1/awards/{id}/certificate"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(p.code, "revoked");
    let other = app
        .get(
            &office,
            &format!("/api/v1/awards/{}/certificate", nominations[1].id),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 200);
}

#[tokio::test]
async fn the_regency_office_downloads_its_certificate_and_nobody_else_outside_the_region_sees_the_award(
) {
    let app = TestApp::spawn().await;
    let (admin, nominations, determination) = determined_round(&app).await;
    let round = &determination.round_id;
    let id = &nominations[0].id;
    let certificate = format!("/api/v1/awards/{id}/certificate");

    // Kota Semarang's office and the ministry get the PDF.
    for who in ["dinas-semarang", "admin", "sekretariat"] {
        let token = app.login(who).await;
        let pdf = app.get(&token, &certificate).send().await.unwrap();
        assert_eq!(pdf.status(), 200, "{who}");
        assert_eq!(pdf.headers()["content-type"], "application/pdf");
        assert!(pdf.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment"));
        assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF-"), "{who}");
    }
    // Another regency's office: as if it did not exist. An assessor: not theirs.
    let pekalongan = app.login("dinas-pekalongan").await;
    for path in [certificate.clone(), format!("/api/v1/awards/{id}")] {
        let p = problem(app.get(&pekalongan, &path).send().await.unwrap()).await;
        assert_eq!(p.status, 404, "{path}");
    }
    let list: Value = app
        .get_json(&pekalongan, &format!("/api/v1/rounds/{round}/awards"))
        .await;
    assert_eq!(list["awards"], json!([]), "Pekalongan has no award here");
    let own: Value = app
        .get_json(
            &app.login("dinas-semarang").await,
            &format!("/api/v1/rounds/{round}/awards"),
        )
        .await;
    assert_eq!(own["awards"].as_array().unwrap().len(), 2);
    let assessor = app.login("penilai-1").await;
    assert_eq!(
        problem(app.get(&assessor, &certificate).send().await.unwrap())
            .await
            .status,
        404
    );
    let theirs: Value = app
        .get_json(&assessor, &format!("/api/v1/rounds/{round}/awards"))
        .await;
    assert_eq!(theirs["awards"], json!([]), "an assessor reads no award");
    // Only the admin determines, revokes, links the decree and publishes.
    let office = app.login("dinas-semarang").await;
    for (method, path) in [
        (
            reqwest::Method::POST,
            format!("/api/v1/rounds/{round}/decree/upload"),
        ),
        (
            reqwest::Method::GET,
            format!("/api/v1/rounds/{round}/decree/link"),
        ),
        (
            reqwest::Method::GET,
            format!("/api/v1/rounds/{round}/determination"),
        ),
        (
            reqwest::Method::POST,
            format!("/api/v1/rounds/{round}/determination"),
        ),
        (
            reqwest::Method::POST,
            format!("/api/v1/awards/{id}/revocation"),
        ),
        (reqwest::Method::POST, "/api/v1/publication".to_owned()),
    ] {
        let body = match path.as_str() {
            p if p.ends_with("/upload") => json!({"size": 10}),
            p if p.ends_with("/revocation") => json!({"reason": "Bukan wewenang saya."}),
            p if p.ends_with("/determination") => decree("decrees/x/y.pdf"),
            _ => json!({}),
        };
        let mut r = app
            .http
            .request(method.clone(), app.url(&path))
            .bearer_auth(&office)
            .header("Idempotency-Key", ulid::Ulid::new().to_string());
        if method == reqwest::Method::POST && !path.ends_with("/publication") {
            r = r.json(&body);
        }
        let p = problem(r.send().await.unwrap()).await;
        assert_eq!(p.status, 403, "{method} {path}");
        // Anonymous: 401.
        let anonymous = app
            .http
            .request(method.clone(), app.url(&path))
            .send()
            .await
            .unwrap();
        assert_eq!(anonymous.status(), 401, "{method} {path} anonymous");
    }
    // Nothing of it changed the award.
    let award: Award = app.get_json(&admin, &format!("/api/v1/awards/{id}")).await;
    assert!(award.revocation.is_none());
}

#[tokio::test]
async fn every_awards_write_refuses_malformed_unknown_and_oversize_bodies_as_problems() {
    let app = TestApp::spawn().await;
    let n = passed(&app, "Anyaman Masukan Buruk").await;
    let admin = app.login("admin").await;
    let round = &n.round_id;
    let oversize = format!("{{\"reason\": \"{}\"}}", "x".repeat(300 * 1024));
    for path in [
        format!("/api/v1/rounds/{round}/decree/upload"),
        format!("/api/v1/rounds/{round}/determination"),
        format!("/api/v1/awards/{}/revocation", n.id),
    ] {
        let request = |body: String| {
            app.post(&admin, &path)
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", ulid::Ulid::new().to_string())
                .body(body)
                .send()
        };
        assert_eq!(
            problem(request("{".into()).await.unwrap()).await.status,
            400,
            "{path} truncated"
        );
        let unknown = problem(request("{\"zzz\": 1}".into()).await.unwrap()).await;
        assert!(
            unknown.status == 422 && unknown.errors.contains_key("zzz"),
            "{path} unknown field: {unknown:?}"
        );
        assert_eq!(
            problem(request("[1, 2]".into()).await.unwrap())
                .await
                .status,
            422,
            "{path} not an object"
        );
        assert_eq!(
            problem(request(oversize.clone()).await.unwrap())
                .await
                .status,
            413,
            "{path} oversize"
        );
    }
    let missing = problem(
        app.post(&admin, &format!("/api/v1/awards/{}/revocation", n.id))
            .header("Idempotency-Key", "k")
            .json(&json!({}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(
        missing.status == 422 && missing.errors.contains_key("reason"),
        "{missing:?}"
    );
}
