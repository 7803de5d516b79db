//! Steps of the selection the API tests share: a nomination submitted with its bundle, the
//! secretariat's pass, Jawa Tengah's panel and rubric, assignments and score sheets.

use ovop_core::nomination::Nomination;
use ovop_core::verification::Decided;
use serde_json::{json, Value};

use crate::{form, TestApp};

/// A submitted nomination of Kota Semarang with its complete bundle: (office token, id).
pub async fn submitted(app: &TestApp, name: &str) -> (String, Nomination) {
    let office = app.login("dinas-semarang").await;
    let created = app.create(&office, &form("33.74", name)).await;
    assert_eq!(created.status(), 201);
    let n: Nomination = created.json().await.unwrap();
    app.attach_complete_bundle(&office, &n.id).await;
    let sent = app
        .post(&office, &format!("/api/v1/nominations/{}/submit", n.id))
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 200);
    (office, sent.json().await.unwrap())
}

/// Findings for every document the checklist says is required: valid, except `wrong`.
pub async fn findings(app: &TestApp, token: &str, id: &str, wrong: Option<&str>) -> Vec<Value> {
    let checklist = app.checklist(token, id).await;
    checklist["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["need"] == "required")
        .map(|e| {
            let code = e["document"].as_str().unwrap();
            if Some(code) == wrong {
                json!({"document": code, "finding": "invalid", "note": "Tidak ditandatangani kepala dinas."})
            } else {
                json!({"document": code, "finding": "valid"})
            }
        })
        .collect()
}

pub async fn decide(app: &TestApp, token: &str, id: &str, body: &Value) -> reqwest::Response {
    app.post(token, &format!("/api/v1/nominations/{id}/verification"))
        .header("Idempotency-Key", ulid::Ulid::new().to_string())
        .json(body)
        .send()
        .await
        .unwrap()
}

/// A nomination of Kota Semarang that passed administrative selection.
pub async fn passed(app: &TestApp, name: &str) -> Nomination {
    let (_, n) = submitted(app, name).await;
    let secretariat = app.login("sekretariat").await;
    let body =
        json!({"findings": findings(app, &secretariat, &n.id, None).await, "decision": "pass"});
    let answer = decide(app, &secretariat, &n.id, &body).await;
    assert_eq!(answer.status(), 201);
    answer.json::<Decided>().await.unwrap().nomination
}

/// Jawa Tengah's panel: penilai-1 (an academic, no office) and penilai-2 registered with the
/// province office of Jawa Tengah (33).
pub fn jateng_panels() -> Value {
    json!({"panels": [{
        "id": "jateng", "name": "Panel Jawa Tengah",
        "scope": {"kind": "province", "province": "33"},
        "members": [
            {"user_id": "penilai-1", "name": "Dr. Ratna"},
            {"user_id": "penilai-2", "name": "Bambang", "region": "33"},
        ],
    }]})
}

/// Levels for every criterion of the proposed batik/anyaman rubric at `level`, with the
/// comments extreme levels need.
pub fn sheet(level: u8, rubric: &Value) -> Value {
    let mut levels = serde_json::Map::new();
    let mut comments = serde_json::Map::new();
    for aspect in rubric["aspects"].as_array().unwrap() {
        for c in aspect["criteria"].as_array().unwrap() {
            let code = c["code"].as_str().unwrap().to_owned();
            levels.insert(code.clone(), json!(level));
            if level == 1 || level == 3 {
                comments.insert(code, json!("Sesuai pengamatan sampel."));
            }
        }
    }
    json!({"levels": levels, "comments": comments})
}

/// The round of `n` with Jawa Tengah's panel and the proposed anyaman rubric; the rubric.
pub async fn panel_and_rubric(app: &TestApp, admin: &str, round: &str) -> Value {
    let panels = app
        .put(admin, &format!("/api/v1/rounds/{round}/panels"))
        .json(&jateng_panels())
        .send()
        .await
        .unwrap();
    assert_eq!(panels.status(), 200);
    let rubric = app
        .post(
            admin,
            &format!("/api/v1/rounds/{round}/rubrics/anyaman/proposed"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(rubric.status(), 201);
    rubric.json().await.unwrap()
}

/// Assigns `who` of Jawa Tengah's panel to `id` (penilai-2, of the province office, only
/// with an override).
pub async fn assign(app: &TestApp, admin: &str, id: &str, who: &str) {
    let body = if who == "penilai-2" {
        json!({"panel": "jateng", "override_reason": "Satu-satunya ahli anyaman."})
    } else {
        json!({"panel": "jateng"})
    };
    let r = app
        .put(admin, &format!("/api/v1/nominations/{id}/assessors/{who}"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{who}");
}

pub async fn submit_sheet(app: &TestApp, token: &str, id: &str, body: &Value) -> reqwest::Response {
    app.post(token, &format!("/api/v1/nominations/{id}/score/submit"))
        .header("Idempotency-Key", ulid::Ulid::new().to_string())
        .json(body)
        .send()
        .await
        .unwrap()
}

/// A round whose recommendation is locked: one nomination of Kota Semarang per `(name, level)`,
/// passed, scored by penilai-1 at that level for every criterion (3: 100 points, 3★; 1: no
/// award), and the lock. Answers the admin's token and the nominations as they stand now.
pub async fn locked_round(app: &TestApp, nominations: &[(&str, u8)]) -> (String, Vec<Nomination>) {
    let mut passed_ones = Vec::new();
    for (name, _) in nominations {
        passed_ones.push(passed(app, name).await);
    }
    let admin = app.login("admin").await;
    let round = passed_ones[0].round_id.clone();
    let rubric = panel_and_rubric(app, &admin, &round).await;
    let assessor = app.login("penilai-1").await;
    for (n, (_, level)) in passed_ones.iter().zip(nominations) {
        assign(app, &admin, &n.id, "penilai-1").await;
        let sent = submit_sheet(app, &assessor, &n.id, &sheet(*level, &rubric)).await;
        assert_eq!(sent.status(), 200);
    }
    let lock = app
        .post(&admin, &format!("/api/v1/rounds/{round}/recommendation"))
        .header("Idempotency-Key", ulid::Ulid::new().to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(lock.status(), 201);
    let mut now = Vec::new();
    for n in &passed_ones {
        now.push(
            app.get_json::<Nomination>(&admin, &format!("/api/v1/nominations/{}", n.id))
                .await,
        );
    }
    (admin, now)
}
