//! Authorization: a regency office sees only its regency, a province office only its province,
//! assessors nothing unassigned; bad or expired tokens get 401.

use chrono::Duration;
use ovop_core::dto::{NominationPage, NominationSummary};
use ovop_core::nomination::Nomination;
use ovop_tests::{form, problem, TestApp};

async fn ids(app: &TestApp, token: &str) -> Vec<String> {
    // The ministry's list is per round; regional lists take the same filter.
    let path = format!("/api/v1/nominations?round={}", app.round_id());
    let list: NominationPage = app.get_json(token, &path).await;
    list.items
        .into_iter()
        .map(|n| n.regency_code.to_string())
        .collect()
}

async fn semarang_draft(app: &TestApp) -> Nomination {
    let token = app.login("dinas-semarang").await;
    app.create(&token, &form("33.74", "Milik Semarang"))
        .await
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn regency_a_cannot_read_list_update_or_submit_regency_b_nominations() {
    let app = TestApp::spawn().await;
    let n = semarang_draft(&app).await;
    // Complete: its own office could submit it.
    let owner = app.login("dinas-semarang").await;
    app.attach_complete_bundle(&owner, &n.id).await;
    let other = app.login("dinas-pekalongan").await;
    let path = format!("/api/v1/nominations/{}", n.id);

    assert_eq!(
        problem(app.get(&other, &path).send().await.unwrap())
            .await
            .status,
        404
    );
    let update = app
        .put(&other, &path)
        .header("If-Match", "\"1\"")
        .json(&form("33.74", "Dibajak"))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(update).await.status, 404);
    let submit = app
        .post(&other, &format!("{path}/submit"))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(submit).await.status, 404);
    let withdraw = app
        .post(&other, &format!("{path}/withdraw"))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(withdraw).await.status, 404);
    let history = app
        .get(&other, &format!("{path}/history"))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(history).await.status, 404);
    assert!(ids(&app, &other).await.iter().all(|r| r == "33.26"));

    let stored: Nomination = app.get_json(&owner, &path).await;
    assert_eq!(
        (stored.version, stored.profile.ikm.name.as_str()),
        (1, "Milik Semarang")
    );
}

#[tokio::test]
async fn a_regency_office_cannot_nominate_for_another_regency() {
    let app = TestApp::spawn().await;
    let token = app.login("dinas-pekalongan").await;
    let p = problem(app.create(&token, &form("33.74", "Bukan wilayahnya")).await).await;
    assert_eq!(p.status, 403);
    let semarang = app.login("dinas-semarang").await;
    let listed: NominationPage = app.get_json(&semarang, "/api/v1/nominations").await;
    assert!(listed.items.is_empty(), "nothing was created in Semarang");
}

#[tokio::test]
async fn province_office_reads_its_province_only_and_cannot_propose() {
    let app = TestApp::spawn().await;
    let n = semarang_draft(&app).await;
    // Complete: its own office could submit it.
    let owner = app.login("dinas-semarang").await;
    app.attach_complete_bundle(&owner, &n.id).await;
    let jateng = app.login("disperin-jateng").await;
    let regencies = ids(&app, &jateng).await;
    assert!(regencies.contains(&"33.74".to_string()) && regencies.contains(&"33.26".to_string()));
    assert!(
        regencies.iter().all(|r| r.starts_with("33.")),
        "{regencies:?}"
    );
    let read = app
        .get(&jateng, &format!("/api/v1/nominations/{}", n.id))
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), 200);
    assert_eq!(
        problem(app.create(&jateng, &form("33.74", "x")).await)
            .await
            .status,
        403
    );
    let submit = app
        .post(&jateng, &format!("/api/v1/nominations/{}/submit", n.id))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(submit).await.status, 403);
}

#[tokio::test]
async fn sidoarjo_nominations_are_invisible_to_central_java() {
    let app = TestApp::spawn().await;
    let jateng = app.login("disperin-jateng").await;
    let sidoarjo = app.login("dinas-sidoarjo").await;
    let east: Vec<NominationSummary> = app
        .get_json::<NominationPage>(&sidoarjo, "/api/v1/nominations")
        .await
        .items;
    assert!(!east.is_empty());
    let read = app
        .get(&jateng, &format!("/api/v1/nominations/{}", east[0].id))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(read).await.status, 404);
}

#[tokio::test]
async fn assessors_see_nothing_unassigned_and_the_secretariat_sees_all() {
    let app = TestApp::spawn().await;
    semarang_draft(&app).await;
    let penilai = app.login("penilai-1").await;
    assert!(ids(&app, &penilai).await.is_empty());
    let sekretariat = app.login("sekretariat").await;
    let all = ids(&app, &sekretariat).await;
    for r in ["33.26", "33.74", "35.15"] {
        assert!(all.contains(&r.to_string()), "{r} missing from {all:?}");
    }
}

#[tokio::test]
async fn missing_forged_and_expired_tokens_get_401() {
    let app = TestApp::spawn().await;
    let anonymous = app
        .http
        .get(app.url("/api/v1/nominations"))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(anonymous).await.status, 401);

    let token = app.login("dinas-semarang").await;
    // Used once while valid: the server now remembers its checked signature.
    let ok = app.get(&token, "/api/v1/nominations").send().await.unwrap();
    assert_eq!(ok.status(), 200);
    let mut forged = token.clone();
    forged.replace_range(forged.len() - 4.., "AAAA");
    let p = problem(
        app.get(&forged, "/api/v1/nominations")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(p.status, 401);

    app.clock.set(ovop_tests::start_time() + Duration::hours(2));
    let expired = app
        .get(&token, "/api/v1/nominations")
        .header("Accept-Language", "en")
        .send()
        .await
        .unwrap();
    let p = problem(expired).await;
    assert_eq!(p.status, 401);
    assert!(p.detail.contains("expired"));
}
