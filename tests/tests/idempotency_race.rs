//! A double click or a client's retry racing the original: the request that finds the state
//! already changed by its twin (same `Idempotency-Key`) answers the twin's answer, not a
//! refusal. Deterministic: the twin commits while the second request's work runs.

use std::sync::Arc;

use axum::http::{header, StatusCode};
use chrono::{DateTime, Utc};
use ovop_core::Text;
use ovop_platform::idempotency::{Answer, Idempotency};
use ovop_platform::store::{Store, Tx};
use ovop_platform::ApiError;
use ovop_tests::embedded_store;

/// The embedded store decides expiry by the system clock: records are made now.
fn now() -> DateTime<Utc> {
    Utc::now()
}

fn conflict() -> ApiError {
    ApiError::Conflict {
        code: "illegal_transition",
        message: Text::new("Sudah diajukan.", "Submitted already."),
    }
}

/// The twin request with the same key stores its answer.
async fn twin_answers(store: &Store, twin: &Idempotency) {
    let answer = Answer::json(StatusCode::OK, Some(2), &"first").unwrap();
    twin.commit(store, Tx::new(), answer, now(), ApiError::from)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_request_refused_because_its_twin_won_the_race_gets_the_twins_answer() {
    let (items, _dir) = embedded_store();
    let store = Store::new(Arc::new(items));
    let request = || Idempotency::new("dinas", Some("k-1".into()), "POST /submit", &());
    let second = request();
    // Between the second request's replay check and its refusal, the first one commits.
    let answer = second
        .once(&store, async {
            twin_answers(&store, &request()).await;
            Err(conflict())
        })
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    assert_eq!(answer.headers()[header::ETAG], "\"2\"");
}

#[tokio::test]
async fn without_a_key_or_a_twin_the_refusal_stands_and_a_retry_does_not_run_again() {
    let (items, _dir) = embedded_store();
    let store = Store::new(Arc::new(items));
    let keyless = Idempotency::new("dinas", None, "POST /submit", &());
    let refused = keyless.once(&store, async { Err(conflict()) }).await;
    assert!(matches!(refused, Err(ApiError::Conflict { .. })));
    let keyed = Idempotency::new("dinas", Some("k-2".into()), "POST /submit", &());
    let refused = keyed.once(&store, async { Err(conflict()) }).await;
    assert!(
        matches!(refused, Err(ApiError::Conflict { .. })),
        "no twin stored"
    );
    twin_answers(&store, &keyed).await;
    let mut ran = false;
    let replayed = keyed
        .once(&store, async {
            ran = true;
            Err(conflict())
        })
        .await
        .unwrap();
    assert_eq!(replayed.status(), StatusCode::OK);
    assert!(!ran, "a retry answers from the record without running");
}
