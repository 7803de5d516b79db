//! The administrative selection over HTTP, against the local app: the secretariat returns a
//! nomination for revision with what to fix, the regency office sees it, fixes and resubmits,
//! the secretariat passes it; every decision is kept. Denials, bad input, double submits and
//! two secretariat members deciding at once.

use chrono::Duration;
use ovop_core::nomination::Nomination;
use ovop_core::status::NominationStatus;
use ovop_core::verification::{Decided, VerificationPage};
use ovop_tests::selection::{
    assign, decide, findings, jateng_panels, panel_and_rubric, passed, sheet, submit_sheet,
    submitted,
};
use ovop_tests::{problem, start_time, TestApp};
use serde_json::{json, Value};

#[tokio::test]
async fn the_secretariat_returns_a_nomination_for_revision_the_office_fixes_and_resubmits_and_it_passes(
) {
    let app = TestApp::spawn().await;
    let (office, n) = submitted(&app, "Anyaman Diperbaiki").await;
    let secretariat = app.login("sekretariat").await;
    let deadline = start_time() + Duration::days(14);
    let revise = json!({
        "findings": findings(&app, &secretariat, &n.id, Some("D01")).await,
        "decision": "revise",
        "reasons": "Surat usulan belum ditandatangani.",
        "revision_deadline": deadline,
    });
    let answer = decide(&app, &secretariat, &n.id, &revise).await;
    assert_eq!(answer.status(), 201);
    let decided: Decided = answer.json().await.unwrap();
    assert_eq!(decided.nomination.status, NominationStatus::NeedsRevision);
    assert_eq!(decided.verification.sequence, 1);

    // The office sees exactly what to fix, and by when.
    let seen: Nomination = app
        .get_json(&office, &format!("/api/v1/nominations/{}", n.id))
        .await;
    let revision = seen.revision.expect("what to fix");
    assert_eq!(revision.deadline, deadline);
    assert_eq!(revision.documents.len(), 1);
    assert_eq!(revision.documents[0].document.code(), "D01");
    assert_eq!(revision.reasons, "Surat usulan belum ditandatangani.");

    // It resubmits (the fix itself is an upload like any other); the secretariat passes it.
    let again = app
        .post(&office, &format!("/api/v1/nominations/{}/submit", n.id))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 200);
    let pass = json!({
        "findings": findings(&app, &secretariat, &n.id, None).await,
        "decision": "pass",
    });
    let answer = decide(&app, &secretariat, &n.id, &pass).await;
    assert_eq!(answer.status(), 201);
    let decided: Decided = answer.json().await.unwrap();
    assert_eq!(decided.nomination.status, NominationStatus::AdminPassed);
    assert_eq!(decided.verification.sequence, 2);

    // Every decision is kept, readable by whoever reads the nomination.
    let history: VerificationPage = app
        .get_json(
            &office,
            &format!("/api/v1/nominations/{}/verifications", n.id),
        )
        .await;
    let trail: Vec<(u32, String)> = history
        .items
        .iter()
        .map(|v| (v.sequence, format!("{:?}", v.decision)))
        .collect();
    assert_eq!(trail, vec![(1, "Revise".into()), (2, "Pass".into())]);
}

#[tokio::test]
async fn only_the_secretariat_decides_and_others_cannot_even_see_another_regencys_nomination() {
    let app = TestApp::spawn().await;
    let (office, n) = submitted(&app, "Anyaman Ditolak Akses").await;
    let secretariat = app.login("sekretariat").await;
    let body = json!({
        "findings": findings(&app, &secretariat, &n.id, None).await,
        "decision": "pass",
    });
    for (who, status) in [
        (office.clone(), 403),
        (app.login("admin").await, 403),
        (app.login("disperin-jateng").await, 403),
        (app.login("dinas-pekalongan").await, 404),
        (app.login("penilai-1").await, 404),
    ] {
        let p = problem(decide(&app, &who, &n.id, &body).await).await;
        assert_eq!(p.status, status, "{}", p.detail);
    }
    let other = app.login("dinas-pekalongan").await;
    let hidden = app
        .get(
            &other,
            &format!("/api/v1/nominations/{}/verifications", n.id),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(problem(hidden).await.status, 404);
    let still: Nomination = app
        .get_json(&office, &format!("/api/v1/nominations/{}", n.id))
        .await;
    assert_eq!(still.status, NominationStatus::Submitted, "nothing changed");
}

#[tokio::test]
async fn a_bad_decision_is_refused_naming_the_field_and_nothing_changes() {
    let app = TestApp::spawn().await;
    let (office, n) = submitted(&app, "Anyaman Salah Isi").await;
    let secretariat = app.login("sekretariat").await;
    let path = format!("/api/v1/nominations/{}/verification", n.id);
    // Passing with an invalid document, and a revision without reasons or deadline.
    let cases = [
        (
            json!({"findings": findings(&app, &secretariat, &n.id, Some("D02")).await, "decision": "pass"}),
            "decision",
        ),
        (
            json!({"findings": findings(&app, &secretariat, &n.id, Some("D02")).await, "decision": "revise"}),
            "revision_deadline",
        ),
        (
            json!({"findings": findings(&app, &secretariat, &n.id, None).await}),
            "decision",
        ),
        (
            json!({"findings": [{"document": "D01", "finding": "valid"}], "decision": "pass"}),
            "findings",
        ),
    ];
    for (body, field) in cases {
        let p = problem(decide(&app, &secretariat, &n.id, &body).await).await;
        assert_eq!(p.status, 422, "{body}");
        assert!(p.errors.contains_key(field), "{field} in {:?}", p.errors);
    }
    let unknown = json!({"findings": [], "decision": "maybe"});
    assert!(matches!(
        problem(decide(&app, &secretariat, &n.id, &unknown).await)
            .await
            .status,
        400 | 422
    ));
    let no_key = app
        .post(&secretariat, &path)
        .json(&json!({"decision": "pass"}))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(no_key).await.status, 428);
    let still: Nomination = app
        .get_json(&office, &format!("/api/v1/nominations/{}", n.id))
        .await;
    assert_eq!((still.status, still.version), (n.status, n.version));
}

#[tokio::test]
async fn a_retried_decision_answers_the_same_and_a_second_decision_meets_a_conflict() {
    let app = TestApp::spawn().await;
    let (_, n) = submitted(&app, "Anyaman Sekali Putus").await;
    let secretariat = app.login("sekretariat").await;
    let body = json!({
        "findings": findings(&app, &secretariat, &n.id, None).await,
        "decision": "pass",
    });
    let key = ulid::Ulid::new().to_string();
    let send = |key: String| {
        app.post(
            &secretariat,
            &format!("/api/v1/nominations/{}/verification", n.id),
        )
        .header("Idempotency-Key", key)
        .json(&body)
        .send()
    };
    let first = send(key.clone()).await.unwrap();
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    let replay = send(key).await.unwrap();
    assert_eq!(replay.status(), 201);
    assert_eq!(
        replay.json::<Value>().await.unwrap(),
        first,
        "the same answer"
    );
    let second = send(ulid::Ulid::new().to_string()).await.unwrap();
    let p = problem(second).await;
    assert_eq!((p.status, p.code.as_str()), (409, "illegal_transition"));
    // A stale If-Match: 412.
    let (_, m) = submitted(&app, "Anyaman Versi Lama").await;
    let stale = app
        .post(&secretariat, &format!("/api/v1/nominations/{}/verification", m.id))
        .header("Idempotency-Key", ulid::Ulid::new().to_string())
        .header("If-Match", format!("\"{}\"", m.version - 1))
        .json(&json!({"findings": findings(&app, &secretariat, &m.id, None).await, "decision": "pass"}))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(stale).await.status, 412);
}

#[tokio::test]
async fn the_admin_starts_a_rubric_from_the_proposed_default_changes_it_and_everyone_reads_it() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin").await;
    let round = app.round_id();
    let base = format!("/api/v1/rounds/{round}/rubrics");
    let started = app
        .post(&admin, &format!("{base}/kain_batik/proposed"))
        .send()
        .await
        .unwrap();
    assert_eq!(started.status(), 201);
    let rubric: Value = started.json().await.unwrap();
    assert_eq!(rubric["proposed_default"], true);
    assert_eq!(rubric["version"], 1);
    let again = app
        .post(&admin, &format!("{base}/kain_batik/proposed"))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(again).await.code, "rubric_exists");

    // Changing it needs the version read; the weights must still sum to 100.
    let mut form = json!({"name": rubric["name"], "aspects": rubric["aspects"]});
    form["aspects"][0]["criteria"][0]["weight"] = json!(9);
    let put = |body: Value, version: Option<u64>| {
        let mut r = app.put(&admin, &format!("{base}/kain_batik")).json(&body);
        if let Some(v) = version {
            r = r.header("If-Match", format!("\"{v}\""));
        }
        r.send()
    };
    let p = problem(put(form.clone(), Some(1)).await.unwrap()).await;
    assert_eq!(p.status, 422);
    assert!(p.errors["aspects"].contains("102"), "{:?}", p.errors);
    form["aspects"][0]["criteria"][1]["weight"] = json!(5);
    assert_eq!(
        problem(put(form.clone(), None).await.unwrap()).await.status,
        412
    );
    let changed = put(form.clone(), Some(1)).await.unwrap();
    assert_eq!(changed.status(), 200);
    let changed: Value = changed.json().await.unwrap();
    assert_eq!(
        (
            changed["version"].as_u64(),
            changed["proposed_default"].as_bool()
        ),
        (Some(2), Some(false))
    );

    // Only the admin manages rubrics; everyone signed in reads them.
    let office = app.login("dinas-semarang").await;
    let refused = app
        .post(&office, &format!("{base}/anyaman/proposed"))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(refused).await.status, 403);
    let unknown = app
        .post(&admin, &format!("{base}/keramik/proposed"))
        .send()
        .await
        .unwrap();
    let p = problem(unknown).await;
    assert!(
        p.status == 400 && p.errors.contains_key("commodity"),
        "{p:?}"
    );
    let listed: Value = app.get_json(&office, &base).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    assert_eq!(listed["items"][0]["commodity"], "kain_batik");
    let missing = app
        .get(&office, "/api/v1/rounds/ovop-1999/rubrics")
        .send()
        .await
        .unwrap();
    assert_eq!(problem(missing).await.status, 404);

    // Copying into the same round is refused when the group has one; from a round without one
    // names the field.
    let copy = |from: &str| {
        app.post(&admin, &format!("{base}/kain_batik/copy"))
            .json(&json!({"from_round": from}))
            .send()
    };
    assert_eq!(
        problem(copy(&round).await.unwrap()).await.code,
        "rubric_exists"
    );
    let p = problem(copy("ovop-2025").await.unwrap()).await;
    assert!(p.errors.contains_key("from_round"), "{p:?}");
}

#[tokio::test]
async fn the_admin_assigns_assessors_a_conflicted_one_is_refused_unless_overridden_and_a_declared_conflict_hides_the_nomination(
) {
    let app = TestApp::spawn().await;
    let n = passed(&app, "Anyaman Dinilai").await;
    let admin = app.login("admin").await;
    let panels = app
        .put(&admin, &format!("/api/v1/rounds/{}/panels", n.round_id))
        .json(&jateng_panels())
        .send()
        .await
        .unwrap();
    assert_eq!(panels.status(), 200);
    let assessor = app.login("penilai-1").await;
    let nomination_path = format!("/api/v1/nominations/{}", n.id);
    let before = app.get(&assessor, &nomination_path).send().await.unwrap();
    assert_eq!(problem(before).await.status, 404, "not assigned: not there");

    let assign = |who: &'static str, body: Value| {
        app.put(
            &admin,
            &format!("/api/v1/nominations/{}/assessors/{who}", n.id),
        )
        .json(&body)
        .send()
    };
    let first = assign("penilai-1", json!({"panel": "jateng"}))
        .await
        .unwrap();
    assert_eq!(first.status(), 201);
    let seen: Nomination = app.get_json(&assessor, &nomination_path).await;
    assert_eq!(seen.status, NominationStatus::InAssessment);
    let documents = app
        .get(&assessor, &format!("{nomination_path}/documents"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        documents.status(),
        200,
        "an assigned assessor reads the documents"
    );

    // penilai-2 works for Jawa Tengah's office: Semarang is in their province.
    let p = problem(
        assign("penilai-2", json!({"panel": "jateng"}))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((p.status, p.code.as_str()), (409, "conflict_of_interest"));
    let over = assign(
        "penilai-2",
        json!({"panel": "jateng", "override_reason": "Satu-satunya ahli anyaman"}),
    )
    .await
    .unwrap();
    assert_eq!(over.status(), 201);
    let over: Value = over.json().await.unwrap();
    assert_eq!(
        (
            over["overridden_by"].as_str(),
            over["conflict"]["kind"].as_str()
        ),
        (Some("admin"), Some("own_region"))
    );
    let p = problem(
        assign("penilai-1", json!({"panel": "jateng"}))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(p.code, "assigned", "never twice");
    let p = problem(
        assign("penilai-9", json!({"panel": "jateng"}))
            .await
            .unwrap(),
    )
    .await;
    assert!(p.errors.contains_key("panel"), "not a member: {p:?}");

    // penilai-1 declares a conflict: the nomination disappears for them.
    let declared = app
        .post(&assessor, &format!("{nomination_path}/conflict"))
        .json(&json!({"reason": "Kerabat pemilik IKM"}))
        .send()
        .await
        .unwrap();
    assert_eq!(declared.status(), 200);
    let after = app.get(&assessor, &nomination_path).send().await.unwrap();
    assert_eq!(problem(after).await.status, 404);
    let list: Value = app
        .get_json(&admin, &format!("{nomination_path}/assessors"))
        .await;
    let reasons: Vec<(&str, &str)> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["assessor"].as_str().unwrap(),
                a["conflict"]["kind"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        reasons,
        vec![("penilai-1", "declared"), ("penilai-2", "own_region")]
    );
}

#[tokio::test]
async fn only_the_admin_keeps_panels_and_assigns() {
    let app = TestApp::spawn().await;
    let n = passed(&app, "Anyaman Hak Akses").await;
    let admin = app.login("admin").await;
    let path = format!("/api/v1/rounds/{}/panels", n.round_id);
    assert_eq!(
        app.put(&admin, &path)
            .json(&jateng_panels())
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    // A second save needs the version read.
    let stale = app
        .put(&admin, &path)
        .json(&jateng_panels())
        .send()
        .await
        .unwrap();
    assert_eq!(problem(stale).await.status, 412);
    for who in [
        "sekretariat",
        "penilai-1",
        "dinas-semarang",
        "disperin-jateng",
    ] {
        let token = app.login(who).await;
        let p = problem(
            app.put(&token, &path)
                .json(&jateng_panels())
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(p.status, 403, "{who} saves panels");
        let p = problem(
            app.put(
                &token,
                &format!("/api/v1/nominations/{}/assessors/penilai-1", n.id),
            )
            .json(&json!({"panel": "jateng"}))
            .send()
            .await
            .unwrap(),
        )
        .await;
        let expected = if who == "penilai-1" { 404 } else { 403 };
        assert_eq!(p.status, expected, "{who} assigns");
    }
    let bad = json!({"panels": [{"id": "Jawa Tengah!", "name": "", "scope": {"kind": "ministry"}, "members": []}]});
    let p = problem(
        app.put(&admin, &path)
            .header("If-Match", "\"1\"")
            .json(&bad)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(p.status, 422);
    assert!(
        p.errors.contains_key("panels[0].id") && p.errors.contains_key("panels[0].name"),
        "{:?}",
        p.errors
    );
}

#[tokio::test]
async fn two_assessors_score_the_admin_sees_the_aggregate_and_star_and_nothing_is_saved_after_the_deadline(
) {
    let app = TestApp::spawn().await;
    let n = passed(&app, "Anyaman Bernilai").await;
    let admin = app.login("admin").await;
    let round_path = format!("/api/v1/rounds/{}", n.round_id);
    app.put(&admin, &format!("{round_path}/panels"))
        .json(&jateng_panels())
        .send()
        .await
        .unwrap();
    let rubric: Value = app
        .post(&admin, &format!("{round_path}/rubrics/anyaman/proposed"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for (who, body) in [
        ("penilai-1", json!({"panel": "jateng"})),
        (
            "penilai-2",
            json!({"panel": "jateng", "override_reason": "Ahli anyaman"}),
        ),
    ] {
        let r = app
            .put(
                &admin,
                &format!("/api/v1/nominations/{}/assessors/{who}", n.id),
            )
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
    }
    let score = format!("/api/v1/nominations/{}/score", n.id);
    let one = app.login("penilai-1").await;
    let two = app.login("penilai-2").await;

    // Autosaved drafts, then a final submit; the first score freezes the rubric.
    let draft = app
        .put(&one, &score)
        .json(&json!({"levels": {"1.1": 3}, "comments": {"1.1": "Motif khas"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(draft.status(), 200);
    let frozen: Value = app.get_json(&admin, &format!("{round_path}/rubrics")).await;
    assert_eq!(frozen["items"][0]["frozen"], true);
    let mut change = json!({"name": rubric["name"], "aspects": rubric["aspects"]});
    change["aspects"][0]["criteria"][0]["weight"] = json!(7);
    let p = problem(
        app.put(&admin, &format!("{round_path}/rubrics/anyaman"))
            .header("If-Match", "\"2\"")
            .json(&change)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(p.code, "rubric_frozen");

    // Before submitting, an assessor does not see the others' scores.
    let scores = format!("/api/v1/nominations/{}/scores", n.id);
    assert_eq!(
        problem(app.get(&one, &scores).send().await.unwrap())
            .await
            .code,
        "own_score_first"
    );
    let incomplete = app
        .post(&one, &format!("{score}/submit"))
        .header("Idempotency-Key", ulid::Ulid::new().to_string())
        .json(&json!({"levels": {"1.1": 3}}))
        .send()
        .await
        .unwrap();
    let p = problem(incomplete).await;
    assert!(
        p.status == 422
            && p.errors.contains_key("levels.1.2")
            && p.errors.contains_key("comments.1.1"),
        "{p:?}"
    );
    for (token, level) in [(&one, 3), (&two, 2)] {
        let key = ulid::Ulid::new().to_string();
        for _ in 0..2 {
            // The retry with the same key answers the same.
            let done = app
                .post(token, &format!("{score}/submit"))
                .header("Idempotency-Key", &key)
                .json(&sheet(level, &rubric))
                .send()
                .await
                .unwrap();
            assert_eq!(done.status(), 200);
        }
    }
    let again = app
        .put(&one, &score)
        .json(&json!({"levels": {"1.1": 1}}))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(again).await.code, "sheet_submitted");

    // The admin (and each assessor, now) sees both sheets, the mean and the star:
    // (100 + 66.67) / 2 = 83.33 → 2★.
    let view: Value = app.get_json(&admin, &scores).await;
    assert_eq!(view["sheets"].as_array().unwrap().len(), 2);
    assert_eq!(view["aggregate"]["mean"], json!(83.33));
    assert_eq!(view["aggregate"]["outcome"]["stars"]["stars"], 2);
    assert_eq!(view["aggregate"]["disagreement"], true, "33 points apart");
    let seen: Value = app.get_json(&one, &scores).await;
    assert_eq!(seen["aggregate"], view["aggregate"]);
    let outsider = app.login("dinas-semarang").await;
    assert_eq!(
        problem(app.get(&outsider, &scores).send().await.unwrap())
            .await
            .status,
        403
    );

    // After the round's assessment deadline, nothing is saved.
    let deadline = start_time() + Duration::days(10);
    let set = app
        .put(&admin, &format!("{round_path}/assessment"))
        .json(&json!({"assessment_deadline": deadline}))
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), 200);
    let n2 = passed(&app, "Anyaman Terlambat").await;
    app.put(
        &admin,
        &format!("/api/v1/nominations/{}/assessors/penilai-1", n2.id),
    )
    .json(&json!({"panel": "jateng"}))
    .send()
    .await
    .unwrap();
    app.clock.set(deadline + Duration::seconds(1));
    let one = app.login("penilai-1").await; // a new day, a new sign-in
    let late = app
        .put(&one, &format!("/api/v1/nominations/{}/score", n2.id))
        .json(&json!({"levels": {"1.1": 2}}))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(late).await.code, "assessment_closed");
}

#[tokio::test]
async fn a_csv_of_assignments_is_applied_line_by_line_with_a_report_of_rejected_lines_and_sending_it_again_changes_nothing(
) {
    let app = TestApp::spawn().await;
    let n = passed(&app, "Anyaman Massal").await;
    let admin = app.login("admin").await;
    let round_path = format!("/api/v1/rounds/{}", n.round_id);
    app.put(&admin, &format!("{round_path}/panels"))
        .json(&jateng_panels())
        .send()
        .await
        .unwrap();
    let csv = format!(
        "nomination,assessor,panel,override_reason\n\
         {id},penilai-1,jateng,\n\
         {id},penilai-2,jateng,\n\
         {id},penilai-1,sumatra,\n\
         01J00000000000000000000000,penilai-1,jateng,\n\
         \"unterminated,penilai-1\n",
        id = n.id
    );
    let send = || {
        app.post(&admin, &format!("{round_path}/assignments"))
            .json(&json!({ "csv": csv }))
            .send()
    };
    let report: Value = send().await.unwrap().json().await.unwrap();
    let assigned: Vec<&str> = report["assigned"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["assessor"].as_str().unwrap())
        .collect();
    assert_eq!(assigned, vec!["penilai-1"]);
    let rejected: Vec<(u64, String)> = report["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["line"].as_u64().unwrap(),
                r["reason"]["en"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let lines: Vec<u64> = rejected.iter().map(|(l, _)| *l).collect();
    assert_eq!(lines, vec![3, 4, 5, 6], "{rejected:?}");
    assert!(
        rejected[0].1.contains("Conflict of interest"),
        "{rejected:?}"
    );
    assert!(rejected[1].1.contains("Unknown panel"), "{rejected:?}");
    assert!(rejected[2].1.contains("No such nomination"), "{rejected:?}");
    // Again: the assessor already there is reported, nothing is assigned twice.
    let again: Value = send().await.unwrap().json().await.unwrap();
    assert!(again["assigned"].as_array().unwrap().is_empty());
    assert!(again["rejected"][0]["reason"]["en"]
        .as_str()
        .unwrap()
        .contains("assigned already"));
    let list: Value = app
        .get_json(&admin, &format!("/api/v1/nominations/{}/assessors", n.id))
        .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    // A file without the header, and a regency office: refused.
    let p = problem(
        app.post(&admin, &format!("{round_path}/assignments"))
            .json(&json!({"csv": "a,b\n1,2\n"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(p.errors.contains_key("csv"), "{p:?}");
    let office = app.login("dinas-semarang").await;
    let p = problem(
        app.post(&office, &format!("{round_path}/assignments"))
            .json(&json!({ "csv": csv }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(p.status, 403);
}

/// Every write of the scoring function, with a body its extractor accepts in shape.
fn scoring_writes(id: &str, round: &str) -> Vec<(reqwest::Method, String)> {
    use reqwest::Method;
    vec![
        (
            Method::POST,
            format!("/api/v1/nominations/{id}/verification"),
        ),
        (
            Method::PUT,
            format!("/api/v1/rounds/{round}/rubrics/kain_batik"),
        ),
        (
            Method::POST,
            format!("/api/v1/rounds/{round}/rubrics/kain_batik/copy"),
        ),
        (Method::PUT, format!("/api/v1/rounds/{round}/panels")),
        (
            Method::PUT,
            format!("/api/v1/nominations/{id}/assessors/penilai-1"),
        ),
        (Method::POST, format!("/api/v1/nominations/{id}/conflict")),
        (Method::PUT, format!("/api/v1/nominations/{id}/score")),
        (
            Method::POST,
            format!("/api/v1/nominations/{id}/score/submit"),
        ),
        (Method::PUT, format!("/api/v1/rounds/{round}/assessment")),
        (Method::POST, format!("/api/v1/rounds/{round}/assignments")),
        (
            Method::POST,
            format!("/api/v1/rounds/{round}/assignments/balance"),
        ),
        (
            Method::PUT,
            format!("/api/v1/nominations/{id}/result/moderation"),
        ),
        (Method::POST, format!("/api/v1/nominations/{id}/relations")),
    ]
}

#[tokio::test]
async fn every_scoring_write_refuses_anonymous_malformed_unknown_and_oversize_bodies_as_problems() {
    let app = TestApp::spawn().await;
    let (_, n) = submitted(&app, "Anyaman Masukan Buruk").await;
    let admin = app.login("admin").await;
    let writes = scoring_writes(&n.id, &n.round_id);
    assert_eq!(writes.len(), 13);
    let oversize = format!("{{\"csv\": \"{}\"}}", "x".repeat(300 * 1024));
    for (method, path) in writes {
        let request = |token: Option<&str>, body: String| {
            let mut r = app
                .http
                .request(method.clone(), app.url(&path))
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", ulid::Ulid::new().to_string())
                .body(body);
            if let Some(t) = token {
                r = r.bearer_auth(t);
            }
            r.send()
        };
        let anonymous = problem(request(None, "{}".into()).await.unwrap()).await;
        assert_eq!(anonymous.status, 401, "{method} {path} anonymous");
        let truncated = problem(request(Some(&admin), "{".into()).await.unwrap()).await;
        assert_eq!(truncated.status, 400, "{method} {path} truncated");
        let unknown = problem(request(Some(&admin), "{\"zzz\": 1}".into()).await.unwrap()).await;
        assert!(
            unknown.status == 422 && unknown.errors.contains_key("zzz"),
            "{method} {path} unknown field: {unknown:?}"
        );
        let not_object = problem(request(Some(&admin), "[1, 2]".into()).await.unwrap()).await;
        assert_eq!(not_object.status, 422, "{method} {path} not an object");
        let huge = problem(request(Some(&admin), oversize.clone()).await.unwrap()).await;
        assert_eq!(huge.status, 413, "{method} {path} oversize");
    }
    // None of it changed the nomination.
    let office = app.login("dinas-semarang").await;
    let still: Nomination = app
        .get_json(&office, &format!("/api/v1/nominations/{}", n.id))
        .await;
    assert_eq!((still.status, still.version), (n.status, n.version));
}

async fn moderate(
    app: &TestApp,
    admin: &str,
    id: &str,
    version: u64,
    score: f64,
) -> reqwest::Response {
    app.put(
        admin,
        &format!("/api/v1/nominations/{id}/result/moderation"),
    )
    .header("If-Match", format!("\"{version}\""))
    .json(&json!({"score": score, "justification": "Rapat pleno menilai sampel fisik lebih baik."}))
    .send()
    .await
    .unwrap()
}

#[tokio::test]
async fn two_assessors_saving_and_submitting_at_once_lose_nothing_and_both_count_in_the_result() {
    let app = TestApp::spawn().await;
    let n = passed(&app, "Anyaman Serentak").await;
    let admin = app.login("admin").await;
    let rubric = panel_and_rubric(&app, &admin, &n.round_id).await;
    assign(&app, &admin, &n.id, "penilai-1").await;
    assign(&app, &admin, &n.id, "penilai-2").await;
    let (one, two) = (app.login("penilai-1").await, app.login("penilai-2").await);
    let score = format!("/api/v1/nominations/{}/score", n.id);

    // Both autosave at the same moment: each keeps their own draft.
    let draft = |token: &str, level: u8| {
        app.put(token, &score)
            .json(&json!({"levels": {"1.1": level}, "comments": {"1.1": "Motif khas daerah"}}))
            .send()
    };
    let (a, b) = tokio::join!(draft(&one, 3), draft(&two, 1));
    assert_eq!(
        (a.unwrap().status().as_u16(), b.unwrap().status().as_u16()),
        (200, 200)
    );
    for (token, level) in [(&one, 3), (&two, 1)] {
        let mine: Value = app.get_json(token, &score).await;
        assert_eq!(mine["sheet"]["levels"]["1.1"], level);
    }

    // Both submit at the same moment: the result counts both sheets.
    let (three, two_levels) = (sheet(3, &rubric), sheet(2, &rubric));
    let (a, b) = tokio::join!(
        submit_sheet(&app, &one, &n.id, &three),
        submit_sheet(&app, &two, &n.id, &two_levels),
    );
    assert_eq!((a.status().as_u16(), b.status().as_u16()), (200, 200));
    let result: Value = app
        .get_json(&admin, &format!("/api/v1/nominations/{}/result", n.id))
        .await;
    assert_eq!(result["aggregate"]["assessors"], 2);
    assert_eq!(result["aggregate"]["mean"], json!(83.33));
    let mine: Value = app.get_json(&one, "/api/v1/assessments").await;
    assert!(mine["items"][0]["scored_at"].is_string(), "{mine}");
    // Whoever came last saw the other's score: the nomination is fully scored.
    let office = app.login("dinas-semarang").await;
    let seen: Value = app
        .get_json(&office, &format!("/api/v1/nominations/{}", n.id))
        .await;
    assert_eq!(seen["status"], "SCORED");
}

#[tokio::test]
async fn two_admins_moderating_the_same_score_one_wins_the_other_gets_412_and_every_step_is_in_the_audit_trail(
) {
    let app = TestApp::spawn().await;
    let n = passed(&app, "Anyaman Dimoderasi").await;
    let admin = app.login("admin").await;
    let rubric = panel_and_rubric(&app, &admin, &n.round_id).await;
    assign(&app, &admin, &n.id, "penilai-1").await;
    assign(&app, &admin, &n.id, "penilai-2").await;
    let two = app.login("penilai-2").await;
    let declared = app
        .post(&two, &format!("/api/v1/nominations/{}/conflict", n.id))
        .json(&json!({"reason": "Pemilik IKM adalah sepupu saya."}))
        .send()
        .await
        .unwrap();
    assert_eq!(declared.status(), 200);
    let one = app.login("penilai-1").await;
    assert_eq!(
        submit_sheet(&app, &one, &n.id, &sheet(2, &rubric))
            .await
            .status(),
        200
    );

    let result = app
        .get(&admin, &format!("/api/v1/nominations/{}/result", n.id))
        .send()
        .await
        .unwrap();
    assert_eq!(result.headers()["etag"], "\"1\"");
    let before: Value = result.json().await.unwrap();
    assert_eq!(before["aggregate"]["mean"], json!(66.67));

    // Two admins read version 1 and moderate: one wins, the other gets 412.
    let other_admin = app.login("admin").await;
    let (a, b) = tokio::join!(
        moderate(&app, &admin, &n.id, 1, 72.0),
        moderate(&app, &other_admin, &n.id, 1, 75.0),
    );
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 412]);
    let after: Value = app
        .get_json(&admin, &format!("/api/v1/nominations/{}/result", n.id))
        .await;
    assert_eq!(after["version"], 2);
    assert_eq!(
        after["aggregate"], before["aggregate"],
        "the raw result is kept"
    );
    let moderated = after["moderation"]["score"].as_f64().unwrap();
    assert!(moderated == 72.0 || moderated == 75.0, "{after}");

    // Moderation without If-Match, without a real justification, out of range: refused.
    let path = format!("/api/v1/nominations/{}/result/moderation", n.id);
    let p = problem(
        app.put(&admin, &path)
            .json(&json!({"score": 80, "justification": "Rapat pleno tim seleksi."}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(p.status, 428);
    let p = problem(
        app.put(&admin, &path)
            .header("If-Match", "\"2\"")
            .json(&json!({"score": 100.5, "justification": "singkat"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(
        p.status == 422 && p.errors.contains_key("score") && p.errors.contains_key("justification"),
        "{p:?}"
    );

    // Who, when, before and after: every decision, assignment, override, conflict, score and
    // moderation, in order.
    let trail: Value = app
        .get_json(&admin, &format!("/api/v1/nominations/{}/audit", n.id))
        .await;
    let actions: Vec<&str> = trail["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "verification",
            "assignment",
            "override",
            "conflict",
            "score_submitted",
            "moderation"
        ]
    );
    let last = &trail["records"][5];
    assert_eq!(
        (last["actor"].as_str(), last["before"].as_str()),
        (Some("admin"), Some("66.67"))
    );
    assert!(
        last["after"].as_str().unwrap().contains("Rapat pleno"),
        "{last}"
    );
    let history: Vec<&str> = trail["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["action"].as_str().unwrap())
        .collect();
    assert_eq!(history.last(), Some(&"score"), "{history:?}");
    assert_eq!(
        history.iter().filter(|a| **a == "assign").count(),
        2,
        "{history:?}"
    );

    // A moderation needs a score.
    let p = problem(
        app.put(&admin, &path)
            .header("If-Match", "\"2\"")
            .json(&json!({"justification": "Rapat pleno tim seleksi memutuskan."}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(p.status == 422 && p.errors.contains_key("score"), "{p:?}");
}

#[tokio::test]
async fn a_conflict_declared_after_scoring_takes_the_sheet_out_of_the_result_and_the_others_complete_it(
) {
    let app = TestApp::spawn().await;
    let n = passed(&app, "Anyaman Konflik Belakangan").await;
    let admin = app.login("admin").await;
    let rubric = panel_and_rubric(&app, &admin, &n.round_id).await;
    assign(&app, &admin, &n.id, "penilai-1").await;
    assign(&app, &admin, &n.id, "penilai-2").await;
    let (one, two) = (app.login("penilai-1").await, app.login("penilai-2").await);
    assert_eq!(
        submit_sheet(&app, &two, &n.id, &sheet(3, &rubric))
            .await
            .status(),
        200
    );
    let result = format!("/api/v1/nominations/{}/result", n.id);
    let before: Value = app.get_json(&admin, &result).await;
    assert_eq!(before["aggregate"]["mean"], json!(100.0));

    // penilai-2 finds out they know the owner: their 100 points no longer count.
    let declared = app
        .post(&two, &format!("/api/v1/nominations/{}/conflict", n.id))
        .json(&json!({"reason": "Ternyata pemilik IKM tetangga saya."}))
        .send()
        .await
        .unwrap();
    assert_eq!(declared.status(), 200);
    let p = problem(app.get(&admin, &result).send().await.unwrap()).await;
    assert_eq!(p.code, "not_scored", "no sheet left to count");

    // penilai-1, the only assessor left, scores: the nomination is fully scored on their sheet.
    assert_eq!(
        submit_sheet(&app, &one, &n.id, &sheet(2, &rubric))
            .await
            .status(),
        200
    );
    let after: Value = app.get_json(&admin, &result).await;
    assert_eq!(
        (
            after["aggregate"]["assessors"].as_u64(),
            after["aggregate"]["mean"].as_f64()
        ),
        (Some(1), Some(66.67))
    );
    let office = app.login("dinas-semarang").await;
    let seen: Value = app
        .get_json(&office, &format!("/api/v1/nominations/{}", n.id))
        .await;
    assert_eq!(seen["status"], "SCORED");
    // An assessor reads the sheets and aggregate, not the admin's result.
    let scores: Value = app
        .get_json(&one, &format!("/api/v1/nominations/{}/scores", n.id))
        .await;
    assert_eq!(scores["result"], Value::Null);
}

#[tokio::test]
async fn the_admin_ranks_the_round_sees_its_distribution_and_locks_the_recommendation_after_which_nothing_moves(
) {
    let app = TestApp::spawn().await;
    let best = passed(&app, "Anyaman Terbaik").await;
    let weak = passed(&app, "Anyaman Lemah").await;
    let admin = app.login("admin").await;
    let round = best.round_id.clone();
    let rubric = panel_and_rubric(&app, &admin, &round).await;
    for n in [&best, &weak] {
        assign(&app, &admin, &n.id, "penilai-1").await;
    }
    assign(&app, &admin, &weak.id, "penilai-2").await;
    let one = app.login("penilai-1").await;
    assert_eq!(
        submit_sheet(&app, &one, &best.id, &sheet(3, &rubric))
            .await
            .status(),
        200
    );
    assert_eq!(
        submit_sheet(&app, &one, &weak.id, &sheet(1, &rubric))
            .await
            .status(),
        200
    );

    let board: Value = app
        .get_json(&admin, &format!("/api/v1/rounds/{round}/leaderboard"))
        .await;
    let ranked: Vec<(u64, &str, &Value)> = board["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["rank"].as_u64().unwrap(),
                r["result"]["ikm_name"].as_str().unwrap(),
                &r["outcome"],
            )
        })
        .collect();
    assert_eq!(ranked[0].0, 1);
    assert_eq!(ranked[1].0, 2);
    assert_eq!(ranked[0].2["stars"]["stars"], 3, "100 points: 3★");
    assert!(
        board["items"][0]["result"]["aggregate"]["normalised"].is_number(),
        "normalised across the round, beside the raw mean: {board}"
    );
    assert_eq!(ranked[1].2["outcome"], "no_award", "33.33 points");
    let counts: Vec<u64> = board["distribution"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_u64().unwrap())
        .collect();
    assert_eq!(counts.len(), 20);
    assert_eq!(
        (counts.iter().sum::<u64>(), counts[19], counts[6]),
        (2, 1, 1)
    );
    let batik: Value = app
        .get_json(
            &admin,
            &format!("/api/v1/rounds/{round}/leaderboard?commodity=kain_batik"),
        )
        .await;
    assert_eq!(batik["items"].as_array().unwrap().len(), 0);
    let p = problem(
        app.get(
            &admin,
            &format!("/api/v1/rounds/{round}/leaderboard?commodity=emas"),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert!(
        p.status == 400 && p.errors.contains_key("commodity"),
        "{p:?}"
    );

    // The lock: only what earns stars; a retry answers the same; a second lock is refused.
    let lock_path = format!("/api/v1/rounds/{round}/recommendation");
    assert_eq!(
        problem(app.post(&admin, &lock_path).send().await.unwrap())
            .await
            .status,
        428
    );
    // Not while a nomination is still being scored: penilai-2 has not submitted on it.
    let early = app
        .post(&admin, &lock_path)
        .header("Idempotency-Key", ulid::Ulid::new().to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(problem(early).await.code, "scoring_unfinished");
    let two = app.login("penilai-2").await;
    let last = submit_sheet(&app, &two, &weak.id, &sheet(1, &rubric)).await;
    assert_eq!(last.status(), 200);
    let key = ulid::Ulid::new().to_string();
    let lock = || {
        app.post(&admin, &lock_path)
            .header("Idempotency-Key", &key)
            .send()
    };
    let first = lock().await.unwrap();
    assert_eq!(first.status(), 201);
    let locked: Value = first.json().await.unwrap();
    assert_eq!(
        (locked["recommended"].as_u64(), locked["locked_by"].as_str()),
        (Some(1), Some("admin"))
    );
    let retried: Value = lock().await.unwrap().json().await.unwrap();
    assert_eq!(locked, retried);
    let again = app
        .post(&admin, &lock_path)
        .header("Idempotency-Key", ulid::Ulid::new().to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(problem(again).await.code, "recommendation_locked");
    let list: Value = app.get_json(&admin, &lock_path).await;
    let names: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["ikm_name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [best.profile.ikm.name.as_str()],
        "only what earns stars"
    );
    assert_eq!(list["items"][0]["outcome"]["stars"]["stars"], 3);
    let board: Value = app
        .get_json(&admin, &format!("/api/v1/rounds/{round}/leaderboard"))
        .await;
    assert_eq!(board["recommendation"], list);

    // The nominations moved on; from now on no score is moderated.
    let office = app.login("dinas-semarang").await;
    for (n, status) in [(&best, "RECOMMENDED"), (&weak, "NOT_RECOMMENDED")] {
        let seen: Value = app
            .get_json(&office, &format!("/api/v1/nominations/{}", n.id))
            .await;
        assert_eq!(seen["status"], status);
    }
    let p = problem(moderate(&app, &admin, &best.id, 1, 95.0).await).await;
    assert_eq!((p.status, p.code.as_str()), (409, "recommendation_locked"));
    // Nor does anyone join the assessment of the locked round.
    let late = passed(&app, "Anyaman Terlambat Dikunci").await;
    let refused = app
        .put(
            &admin,
            &format!("/api/v1/nominations/{}/assessors/penilai-1", late.id),
        )
        .json(&json!({"panel": "jateng"}))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(refused).await.code, "recommendation_locked");
}

#[tokio::test]
async fn automatic_balancing_gives_each_nomination_its_assessors_evenly_never_a_conflicted_one_and_again_adds_nothing(
) {
    let app = TestApp::spawn().await;
    let mut ids = Vec::new();
    for name in ["Anyaman Satu", "Anyaman Dua", "Anyaman Tiga"] {
        ids.push(passed(&app, name).await.id);
    }
    let round = app
        .get_json::<Nomination>(
            &app.login("admin").await,
            &format!("/api/v1/nominations/{}", ids[0]),
        )
        .await
        .round_id;
    let admin = app.login("admin").await;
    let panels = json!({"panels": [{
        "id": "kementerian", "name": "Panel Kementerian",
        "scope": {"kind": "ministry"},
        "members": [
            {"user_id": "penilai-1", "name": "Dr. Ratna"},
            {"user_id": "penilai-2", "name": "Bambang", "region": "33"},
            {"user_id": "penilai-3", "name": "Ir. Sari"},
            {"user_id": "penilai-4", "name": "Yusuf", "region": "35"},
        ],
    }]});
    let saved = app
        .put(&admin, &format!("/api/v1/rounds/{round}/panels"))
        .json(&panels)
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), 200);
    let path = format!("/api/v1/rounds/{round}/assignments/balance");
    let balance = |per: u8| {
        app.post(&admin, &path)
            .json(&json!({"panel": "kementerian", "per_nomination": per}))
            .send()
    };
    let report: Value = balance(2).await.unwrap().json().await.unwrap();
    let assigned = report["assigned"].as_array().unwrap();
    assert_eq!(assigned.len(), 6, "{report}");
    let mut load: std::collections::BTreeMap<&str, usize> = Default::default();
    for a in assigned {
        *load.entry(a["assessor"].as_str().unwrap()).or_default() += 1;
    }
    assert!(
        !load.contains_key("penilai-2"),
        "Jawa Tengah's own assessor: {load:?}"
    );
    assert_eq!(
        load.values().copied().collect::<Vec<_>>(),
        [2, 2, 2],
        "{load:?}"
    );
    assert_eq!(report["short"], json!([]));

    // Again: nothing to add. Four each: the three eligible are not enough.
    let again: Value = balance(2).await.unwrap().json().await.unwrap();
    assert_eq!(again["assigned"], json!([]));
    let four: Value = balance(4).await.unwrap().json().await.unwrap();
    assert_eq!(four["assigned"].as_array().unwrap().len(), 3);
    assert_eq!(four["short"].as_array().unwrap().len(), 3);
    assert_eq!(four["short"][0]["missing"], 1);

    // The admin follows progress; each assessor lists their own work.
    let progress: Value = app
        .get_json(&admin, &format!("/api/v1/rounds/{round}/progress"))
        .await;
    assert_eq!(progress["count"], json!({"assigned": 9, "scored": 0}));
    assert_eq!(
        progress["panels"][0]["assessors"].as_array().unwrap().len(),
        3
    );
    let mine: Value = app
        .get_json(&app.login("penilai-1").await, "/api/v1/assessments")
        .await;
    assert_eq!(mine["items"].as_array().unwrap().len(), 3);
    let none: Value = app
        .get_json(&app.login("penilai-2").await, "/api/v1/assessments")
        .await;
    assert_eq!(none["items"], json!([]));

    // Bad requests name the field; nobody but the admin balances.
    let p = problem(balance(0).await.unwrap()).await;
    assert!(
        p.status == 422 && p.errors.contains_key("per_nomination"),
        "{p:?}"
    );
    let p = problem(
        app.post(&admin, &path)
            .json(&json!({"panel": "tidak-ada", "per_nomination": 2}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(p.status == 422 && p.errors.contains_key("panel"), "{p:?}");
    let secretariat = app.login("sekretariat").await;
    let p = problem(
        app.post(&secretariat, &path)
            .json(&json!({"panel": "kementerian", "per_nomination": 2}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(p.status, 403);
}

#[tokio::test]
async fn only_the_admin_reads_results_leaderboards_progress_audit_trails_and_locks() {
    let app = TestApp::spawn().await;
    let n = passed(&app, "Anyaman Rahasia").await;
    let admin = app.login("admin").await;
    let rubric = panel_and_rubric(&app, &admin, &n.round_id).await;
    assign(&app, &admin, &n.id, "penilai-1").await;
    let one = app.login("penilai-1").await;
    assert_eq!(
        submit_sheet(&app, &one, &n.id, &sheet(2, &rubric))
            .await
            .status(),
        200
    );
    let round = &n.round_id;
    let id = &n.id;
    let nomination_reads = [
        format!("/api/v1/nominations/{id}/result"),
        format!("/api/v1/nominations/{id}/audit"),
    ];
    let round_reads = [
        format!("/api/v1/rounds/{round}/leaderboard"),
        format!("/api/v1/rounds/{round}/progress"),
        format!("/api/v1/rounds/{round}/recommendation"),
    ];
    // Who sees the nomination is told no (403); who does not see it gets 404.
    for (who, on_nomination) in [
        ("dinas-semarang", 403),
        ("disperin-jateng", 403),
        ("sekretariat", 403),
        ("penilai-1", 403),
        ("dinas-pekalongan", 404),
        ("penilai-2", 404),
    ] {
        let token = app.login(who).await;
        for path in &nomination_reads {
            let p = problem(app.get(&token, path).send().await.unwrap()).await;
            assert_eq!(p.status, on_nomination, "{who} {path}");
        }
        let p = problem(moderate(&app, &token, id, 1, 90.0).await).await;
        assert_eq!(p.status, on_nomination, "{who} moderates");
        for path in &round_reads {
            let p = problem(app.get(&token, path).send().await.unwrap()).await;
            assert_eq!(p.status, 403, "{who} {path}");
        }
        let lock = app
            .post(&token, &format!("/api/v1/rounds/{round}/recommendation"))
            .header("Idempotency-Key", ulid::Ulid::new().to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(problem(lock).await.status, 403, "{who} locks");
    }
    // The admin reads them all (the recommendation once locked).
    for path in nomination_reads.iter().chain(&round_reads[..2]) {
        assert_eq!(
            app.get(&admin, path).send().await.unwrap().status(),
            200,
            "{path}"
        );
    }
}

#[tokio::test]
async fn a_relation_declared_on_the_nomination_puts_the_assessor_in_conflict_whether_assigned_already_or_not(
) {
    let app = TestApp::spawn().await;
    let n = passed(&app, "Anyaman Keluarga").await;
    let admin = app.login("admin").await;
    panel_and_rubric(&app, &admin, &n.round_id).await;
    assign(&app, &admin, &n.id, "penilai-1").await;
    let one = app.login("penilai-1").await;
    let nomination = format!("/api/v1/nominations/{}", n.id);
    assert_eq!(
        app.get(&one, &nomination).send().await.unwrap().status(),
        200
    );

    let relations = format!("{nomination}/relations");
    let declare = |assessor: &str| {
        app.post(&admin, &relations)
            .json(&json!({"assessor": assessor, "reason": "Pemilik IKM adalah adik kandungnya."}))
            .send()
    };
    assert_eq!(declare("penilai-1").await.unwrap().status(), 201);
    assert_eq!(declare("penilai-3").await.unwrap().status(), 201);
    assert_eq!(
        problem(declare("penilai-1").await.unwrap()).await.code,
        "relation_exists"
    );
    // Assigned already: the nomination is hidden from them from now on.
    assert_eq!(
        problem(app.get(&one, &nomination).send().await.unwrap())
            .await
            .status,
        404
    );
    let listed: Value = app.get_json(&admin, &relations).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 2);
    // Not assigned yet: refused, naming the relation, unless overridden.
    let panels = json!({"panels": [{
        "id": "jateng", "name": "Panel Jawa Tengah",
        "scope": {"kind": "province", "province": "33"},
        "members": [
            {"user_id": "penilai-1", "name": "Dr. Ratna"},
            {"user_id": "penilai-2", "name": "Bambang", "region": "33"},
            {"user_id": "penilai-3", "name": "Ir. Sari"},
        ],
    }]});
    let saved = app
        .put(&admin, &format!("/api/v1/rounds/{}/panels", n.round_id))
        .header("If-Match", "\"1\"")
        .json(&panels)
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), 200);
    let refused = app
        .put(&admin, &format!("{nomination}/assessors/penilai-3"))
        .json(&json!({"panel": "jateng"}))
        .send()
        .await
        .unwrap();
    let p = problem(refused).await;
    assert_eq!(p.code, "conflict_of_interest");
    assert!(
        p.detail.contains("hubungan") || p.detail.contains("related"),
        "{}",
        p.detail
    );
    // Balancing passes them over too: penilai-2 is Jawa Tengah's own, so nobody is left.
    let report: Value = app
        .post(
            &admin,
            &format!("/api/v1/rounds/{}/assignments/balance", n.round_id),
        )
        .json(&json!({"panel": "jateng", "per_nomination": 2}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(report["assigned"], json!([]));
    assert_eq!(report["short"][0]["missing"], 2);
    // Only the admin declares; bad input names the field.
    let secretariat = app.login("sekretariat").await;
    let p = problem(
        app.post(&secretariat, &relations)
            .json(&json!({"assessor": "penilai-2", "reason": "Rekan usaha."}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(p.status, 403);
    let p = problem(
        app.post(&admin, &relations)
            .json(&json!({"assessor": " ", "reason": ""}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(
        p.status == 422 && p.errors.contains_key("assessor") && p.errors.contains_key("reason"),
        "{p:?}"
    );
}

#[tokio::test]
async fn the_selection_reads_refuse_bad_queries_naming_the_parameter() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin").await;
    let assessor = app.login("penilai-1").await;
    let round = app.round_id();
    let long = "r".repeat(65);
    for (token, path, field) in [
        (
            &assessor,
            format!("/api/v1/assessments?round={long}"),
            "round",
        ),
        (&assessor, "/api/v1/assessments?zzz=1".to_owned(), "zzz"),
        (
            &admin,
            format!("/api/v1/rounds/{round}/leaderboard?zzz=1"),
            "zzz",
        ),
        (
            &admin,
            format!("/api/v1/rounds/{round}/leaderboard?commodity=emas"),
            "commodity",
        ),
    ] {
        let p = problem(app.get(token, &path).send().await.unwrap()).await;
        assert_eq!(p.status, 400, "{path}: {p:?}");
        assert!(
            p.errors.contains_key(field) || p.detail.contains(field),
            "{path} names {field}: {p:?}"
        );
    }
    // Anonymous: 401 on every read.
    for path in [
        "/api/v1/assessments".to_owned(),
        format!("/api/v1/rounds/{round}/leaderboard"),
        format!("/api/v1/rounds/{round}/progress"),
        format!("/api/v1/rounds/{round}/recommendation"),
    ] {
        let r = app.http.get(app.url(&path)).send().await.unwrap();
        assert_eq!(problem(r).await.status, 401, "{path}");
    }
}
