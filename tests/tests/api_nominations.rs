//! The nomination story over HTTP against the local app: a regency office drafts, edits and
//! submits; retries never duplicate; stale writes never win; other regions see nothing.

use chrono::Duration;
use ovop_core::dto::{AuditPage, NominationPage, NominationSummary};
use ovop_core::nomination::Nomination;
use ovop_core::status::NominationStatus;
use ovop_tests::{form, problem, TestApp};
use serde_json::json;

async fn nomination(response: reqwest::Response) -> Nomination {
    assert!(
        response.status().is_success(),
        "status {}",
        response.status()
    );
    response.json().await.unwrap()
}

async fn list(app: &TestApp, token: &str) -> Vec<NominationSummary> {
    app.get_json::<NominationPage>(token, "/api/v1/nominations")
        .await
        .items
}

async fn history(app: &TestApp, token: &str, id: &str) -> Vec<String> {
    app.get_json::<AuditPage>(token, &format!("/api/v1/nominations/{id}/history"))
        .await
        .items
        .into_iter()
        .map(|a| a.action)
        .collect()
}

#[tokio::test]
async fn regency_office_drafts_edits_and_submits_a_nomination() {
    let app = TestApp::spawn().await;
    let token = app.login("dinas-semarang").await;
    let created = app
        .create(&token, &form("33.74", "Anyaman Bambu Gunungpati"))
        .await;
    assert_eq!(created.status(), 201);
    assert_eq!(created.headers()["etag"], "\"1\"");
    let draft = nomination(created).await;
    assert_eq!(draft.status, NominationStatus::Draft);
    assert_eq!(draft.province_code.as_str(), "33");

    let mut edited = form("33.74", "Anyaman Bambu Gunungpati");
    edited.sentra.unit_count = Some(60);
    let updated = app
        .put(&token, &format!("/api/v1/nominations/{}", draft.id))
        .header("If-Match", "\"1\"")
        .json(&edited)
        .send()
        .await
        .unwrap();
    let updated = nomination(updated).await;
    assert_eq!(
        (updated.version, updated.profile.sentra.unit_count),
        (2, 60)
    );

    app.attach_complete_bundle(&token, &draft.id).await;
    let submitted = app
        .post(&token, &format!("/api/v1/nominations/{}/submit", draft.id))
        .header("Idempotency-Key", "submit-1")
        .send()
        .await
        .unwrap();
    let submitted = nomination(submitted).await;
    assert_eq!(submitted.status, NominationStatus::Submitted);
    assert!(submitted.submitted_at.is_some());

    assert_eq!(
        history(&app, &token, &draft.id).await,
        ["create", "update", "submit"]
    );
}

#[tokio::test]
async fn retried_create_with_the_same_key_returns_the_same_nomination() {
    let app = TestApp::spawn().await;
    let token = app.login("dinas-semarang").await;
    let send = || {
        app.post(&token, "/api/v1/nominations")
            .header("Idempotency-Key", "create-abc")
            .json(&form("33.74", "Gerabah Mayong"))
            .send()
    };
    let (first, second) = tokio::join!(send(), send());
    let (first, second) = (first.unwrap(), second.unwrap());
    let statuses = [first.status().as_u16(), second.status().as_u16()];
    assert_eq!(statuses, [201, 201], "the retry gets the same answer");
    let (a, b) = (nomination(first).await, nomination(second).await);
    assert_eq!(a, b);
    assert_eq!(list(&app, &token).await.len(), 1, "no duplicate");
}

#[tokio::test]
async fn reusing_a_key_for_different_data_is_a_conflict() {
    let app = TestApp::spawn().await;
    let token = app.login("dinas-semarang").await;
    let send = |name: &'static str| {
        app.post(&token, "/api/v1/nominations")
            .header("Idempotency-Key", "k-1")
            .json(&form("33.74", name))
            .send()
    };
    assert_eq!(send("Satu").await.unwrap().status(), 201);
    let p = problem(send("Dua").await.unwrap()).await;
    assert_eq!((p.status, p.code.as_str()), (409, "idempotency_key_reused"));
}

#[tokio::test]
async fn create_without_an_idempotency_key_is_refused() {
    let app = TestApp::spawn().await;
    let token = app.login("dinas-semarang").await;
    let response = app
        .post(&token, "/api/v1/nominations")
        .json(&form("33.74", "X"))
        .send()
        .await
        .unwrap();
    let p = problem(response).await;
    assert_eq!(p.status, 428);
    assert!(p.detail.contains("Idempotency-Key"));
}

#[tokio::test]
async fn a_stale_edit_gets_412_and_the_newer_edit_is_kept() {
    let app = TestApp::spawn().await;
    let token = app.login("dinas-semarang").await;
    let draft = nomination(app.create(&token, &form("33.74", "Asli")).await).await;
    let path = format!("/api/v1/nominations/{}", draft.id);
    let edit = |name: &'static str| {
        app.put(&token, &path)
            .header("If-Match", "\"1\"")
            .json(&form("33.74", name))
            .send()
    };
    let (a, b) = tokio::join!(edit("Edit A"), edit("Edit B"));
    let (a, b) = (a.unwrap(), b.unwrap());
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 412], "exactly one concurrent edit wins");
    let loser = if a.status() == 412 { a } else { b };
    assert_eq!(loser.headers()["etag"], "\"2\"");
    let p = problem(loser).await;
    assert_eq!(p.code, "version_conflict");

    let stored = nomination(app.get(&token, &path).send().await.unwrap()).await;
    assert_eq!(stored.version, 2);
    assert!(["Edit A", "Edit B"].contains(&stored.profile.ikm.name.as_str()));
    let missing = app
        .put(&token, &path)
        .json(&form("33.74", "x"))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(missing).await.status, 428, "If-Match is required");
}

#[tokio::test]
async fn a_double_submit_is_answered_once() {
    let app = TestApp::spawn().await;
    let token = app.login("dinas-semarang").await;
    let draft = nomination(app.create(&token, &form("33.74", "Tenun")).await).await;
    app.attach_complete_bundle(&token, &draft.id).await;
    let path = format!("/api/v1/nominations/{}/submit", draft.id);
    let submit = || {
        app.post(&token, &path)
            .header("Idempotency-Key", "s-1")
            .send()
    };
    let (a, b) = tokio::join!(submit(), submit());
    let (a, b) = (nomination(a.unwrap()).await, nomination(b.unwrap()).await);
    assert_eq!(
        (a.version, b.version),
        (2, 2),
        "one write, two identical answers"
    );
    assert_eq!(
        history(&app, &token, &draft.id).await,
        ["create", "submit"],
        "one submit written"
    );
    let again = app.post(&token, &path).send().await.unwrap();
    let p = problem(again).await;
    assert_eq!((p.status, p.code.as_str()), (409, "illegal_transition"));
}

#[tokio::test]
async fn submitting_after_the_deadline_is_refused_with_the_local_deadline() {
    let app = TestApp::spawn().await;
    let token = app.login("dinas-semarang").await;
    let draft = nomination(app.create(&token, &form("33.74", "Terlambat")).await).await;
    // Complete, so that only the deadline stands in the way.
    app.attach_complete_bundle(&token, &draft.id).await;
    let round = app
        .state
        .store
        .get::<ovop_core::round::Round>(&app.round_id())
        .await
        .unwrap()
        .unwrap();
    app.clock
        .set(round.proposal_deadline + Duration::seconds(1));
    let token = app.login("dinas-semarang").await;
    let response = app
        .post(&token, &format!("/api/v1/nominations/{}/submit", draft.id))
        .header("Accept-Language", "en")
        .send()
        .await
        .unwrap();
    let p = problem(response).await;
    assert_eq!((p.status, p.code.as_str()), (409, "round_not_open"));
    assert!(
        p.detail.contains("deadline has passed") && p.detail.contains("WIB"),
        "{}",
        p.detail
    );
}

#[tokio::test]
async fn withdrawal_is_for_drafts_only() {
    let app = TestApp::spawn().await;
    let token = app.login("dinas-semarang").await;
    let a = nomination(app.create(&token, &form("33.74", "A")).await).await;
    let withdrawn = app
        .post(&token, &format!("/api/v1/nominations/{}/withdraw", a.id))
        .send()
        .await
        .unwrap();
    assert_eq!(
        nomination(withdrawn).await.status,
        NominationStatus::Withdrawn
    );
    let b = nomination(app.create(&token, &form("33.74", "B")).await).await;
    app.attach_complete_bundle(&token, &b.id).await;
    let submitted = app
        .post(&token, &format!("/api/v1/nominations/{}/submit", b.id))
        .send()
        .await
        .unwrap();
    assert_eq!(
        nomination(submitted).await.status,
        NominationStatus::Submitted
    );
    let refused = app
        .post(&token, &format!("/api/v1/nominations/{}/withdraw", b.id))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(refused).await.status, 409);
}

#[tokio::test]
async fn a_submitted_nomination_cannot_be_edited() {
    let app = TestApp::spawn().await;
    let token = app.login("dinas-semarang").await;
    let n = nomination(app.create(&token, &form("33.74", "A")).await).await;
    app.attach_complete_bundle(&token, &n.id).await;
    let submitted = app
        .post(&token, &format!("/api/v1/nominations/{}/submit", n.id))
        .send()
        .await
        .unwrap();
    assert_eq!(nomination(submitted).await.version, 2);
    let response = app
        .put(&token, &format!("/api/v1/nominations/{}", n.id))
        .header("If-Match", "\"2\"")
        .json(&form("33.74", "B"))
        .send()
        .await
        .unwrap();
    let p = problem(response).await;
    assert_eq!((p.status, p.code.as_str()), (409, "not_editable"));
}

#[tokio::test]
async fn rounds_are_managed_by_the_admin_only() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin").await;
    let dinas = app.login("dinas-semarang").await;
    let body =
        json!({"year": 2028, "name": "OVOP 2028", "proposal_deadline": "2028-08-31T16:59:59Z"});
    let refused = app
        .post(&dinas, "/api/v1/rounds")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(problem(refused).await.status, 403);
    let created = app
        .post(&admin, "/api/v1/rounds")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let dup = app
        .post(&admin, "/api/v1/rounds")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(problem(dup).await.code, "round_exists");
    let opened = app
        .post(&admin, "/api/v1/rounds/ovop-2028/open")
        .send()
        .await
        .unwrap();
    assert_eq!(
        opened.json::<serde_json::Value>().await.unwrap()["phase"],
        "open_for_proposals"
    );
    let reopen = app
        .post(&admin, "/api/v1/rounds/ovop-2028/open")
        .send()
        .await
        .unwrap();
    assert_eq!(problem(reopen).await.status, 409);
    let closed = app
        .post(&admin, "/api/v1/rounds/ovop-2028/close")
        .send()
        .await
        .unwrap();
    assert_eq!(
        closed.json::<serde_json::Value>().await.unwrap()["phase"],
        "admin_review"
    );
    let rounds: serde_json::Value = app.get_json(&dinas, "/api/v1/rounds").await;
    assert_eq!(rounds["items"][0]["id"], "ovop-2028");
}

#[tokio::test]
async fn a_nomination_for_a_closed_round_is_refused() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin").await;
    let dinas = app.login("dinas-semarang").await;
    app.post(&admin, "/api/v1/rounds/ovop-2026/close")
        .send()
        .await
        .unwrap();
    let p = problem(app.create(&dinas, &form("33.74", "A")).await).await;
    assert_eq!((p.status, p.code.as_str()), (409, "round_not_open"));
    let mut unknown = form("33.74", "A");
    unknown.round_id = "ovop-1999".into();
    let p = problem(app.create(&dinas, &unknown).await).await;
    assert_eq!(p.status, 422);
    assert!(p.errors.contains_key("round_id"));
}

#[tokio::test]
async fn the_openapi_document_describes_the_api() {
    let app = TestApp::spawn().await;
    let doc: serde_json::Value = app
        .http
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["paths"]["/api/v1/nominations/{id}/submit"]["post"].is_object());
    assert!(doc["components"]["schemas"]["NominationForm"].is_object());
}

#[tokio::test]
async fn a_retried_create_answers_the_first_answer_even_after_the_nomination_moved_on() {
    let app = TestApp::spawn().await;
    let token = app.login("dinas-semarang").await;
    let create = || {
        app.post(&token, "/api/v1/nominations")
            .header("Idempotency-Key", "create-then-edit")
            .json(&form("33.74", "Gerabah"))
            .send()
    };
    let first = nomination(create().await.unwrap()).await;
    let edited = app
        .put(&token, &format!("/api/v1/nominations/{}", first.id))
        .header("If-Match", "\"1\"")
        .json(&form("33.74", "Gerabah Baru"))
        .send()
        .await
        .unwrap();
    assert_eq!(nomination(edited).await.version, 2);
    let replayed = create().await.unwrap();
    assert_eq!(replayed.status(), 201);
    assert_eq!(replayed.headers()["etag"], "\"1\"");
    assert_eq!(
        nomination(replayed).await,
        first,
        "the stored answer, not today's state"
    );
    assert_eq!(list(&app, &token).await.len(), 1);
}

#[tokio::test]
async fn a_submit_key_reused_on_another_nomination_is_a_conflict() {
    let app = TestApp::spawn().await;
    let token = app.login("dinas-semarang").await;
    let a = nomination(app.create(&token, &form("33.74", "A")).await).await;
    let b = nomination(app.create(&token, &form("33.74", "B")).await).await;
    // Both complete: only the reused key keeps B from being submitted.
    app.attach_complete_bundle(&token, &a.id).await;
    app.attach_complete_bundle(&token, &b.id).await;
    let submit = |id: String| {
        app.post(&token, &format!("/api/v1/nominations/{id}/submit"))
            .header("Idempotency-Key", "one-key")
            .send()
    };
    assert_eq!(submit(a.id.clone()).await.unwrap().status(), 200);
    let p = problem(submit(b.id.clone()).await.unwrap()).await;
    assert_eq!((p.status, p.code.as_str()), (409, "idempotency_key_reused"));
    let b_now = nomination(
        app.get(&token, &format!("/api/v1/nominations/{}", b.id))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        b_now.status,
        NominationStatus::Draft,
        "nothing was submitted"
    );
}

#[tokio::test]
async fn lists_come_in_pages_that_miss_and_repeat_nothing() {
    let app = TestApp::spawn().await;
    let token = app.login("dinas-semarang").await;
    for i in 0..7 {
        assert_eq!(
            app.create(&token, &form("33.74", &format!("IKM {i}")))
                .await
                .status(),
            201
        );
    }
    let mut seen = Vec::new();
    let mut path = "/api/v1/nominations?limit=3".to_owned();
    let mut pages = 0;
    loop {
        let page: NominationPage = app.get_json(&token, &path).await;
        assert!(page.items.len() <= 3);
        pages += 1;
        seen.extend(page.items.into_iter().map(|n| n.ikm_name));
        match page.next {
            Some(next) => path = format!("/api/v1/nominations?limit=3&cursor={next}"),
            None => break,
        }
    }
    let expected: Vec<String> = (0..7).map(|i| format!("IKM {i}")).collect();
    assert_eq!(seen, expected, "oldest first, each once");
    assert_eq!(pages, 3);
}

#[tokio::test]
async fn a_cursor_cannot_be_tampered_with_or_carried_into_another_scope() {
    let app = TestApp::spawn().await;
    let semarang = app.login("dinas-semarang").await;
    for i in 0..3 {
        app.create(&semarang, &form("33.74", &format!("IKM {i}")))
            .await;
    }
    let page: NominationPage = app.get_json(&semarang, "/api/v1/nominations?limit=1").await;
    let cursor = page.next.expect("more pages");
    let mut tampered = cursor.clone().into_bytes();
    tampered[3] = if tampered[3] == b'a' { b'b' } else { b'a' };
    let tampered = String::from_utf8(tampered).unwrap();
    let response = app
        .get(&semarang, &format!("/api/v1/nominations?cursor={tampered}"))
        .send()
        .await
        .unwrap();
    let p = problem(response).await;
    assert_eq!(p.status, 400);
    assert!(p.errors.contains_key("cursor"), "{p:?}");
    // The province office's list is another scope: the regency's cursor is refused there.
    let province = app.login("disperin-jateng").await;
    let response = app
        .get(&province, &format!("/api/v1/nominations?cursor={cursor}"))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(response).await.status, 400);
    let response = app
        .get(&semarang, "/api/v1/nominations?limit=201")
        .send()
        .await
        .unwrap();
    let p = problem(response).await;
    assert_eq!(p.status, 400);
    assert!(p.errors.contains_key("limit"));
}

#[tokio::test]
async fn the_ministry_lists_one_round_at_a_time_filtered_by_status() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin").await;
    let response = app.get(&admin, "/api/v1/nominations").send().await.unwrap();
    let p = problem(response).await;
    assert_eq!(p.status, 422);
    assert!(p.errors.contains_key("round"));
    let page: NominationPage = app
        .get_json(
            &admin,
            &format!(
                "/api/v1/nominations?round={}&status=SUBMITTED",
                app.round_id()
            ),
        )
        .await;
    assert_eq!(page.items.len(), 2, "the two submitted demo nominations");
    assert!(page
        .items
        .iter()
        .all(|n| n.status == NominationStatus::Submitted));
    let all: NominationPage = app
        .get_json(
            &admin,
            &format!("/api/v1/nominations?round={}", app.round_id()),
        )
        .await;
    assert_eq!(all.items.len(), 3);
}
