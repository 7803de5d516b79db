//! Administrative-selection decisions on the item store, on both adapters (embedded and
//! DynamoDB on moto): declared in `entities.rs` only, with no adapter code. A decision is
//! written with the nomination's change in one transaction; two secretariat members deciding
//! the same nomination at once cannot both win; every decision is kept, in order.

use std::sync::Arc;

use chrono::Duration;
use ovop_core::commodity::CommodityCatalog;
use ovop_core::document::{Checklist, DocumentLimits, Need};
use ovop_core::nomination::Nomination;
use ovop_core::policy::{Principal, Role};
use ovop_core::status::NominationStatus;
use ovop_core::verification::{Decision, DocumentFinding, Finding, Verification, VerificationForm};
use ovop_platform::clock::ManualClock;
use ovop_platform::store::{entities, Store, StoreError, Tx};
use ovop_tests::{draft, dynamo_store_with, embedded_store_with, start_time};

fn secretariat(n: u32) -> Principal {
    Principal {
        user_id: format!("sekretariat-{n}"),
        name: format!("Sekretariat {n}"),
        role: Role::Verifikator,
        region: None,
    }
}

/// A verification form over an empty bundle's checklist (the store does not care what the
/// documents were): every needed document found `finding`.
fn form(checklist: &Checklist, decision: Decision, finding: Finding) -> VerificationForm {
    VerificationForm {
        findings: checklist
            .entries
            .iter()
            .filter(|e| e.need == Need::Required)
            .map(|e| DocumentFinding {
                document: e.document,
                finding,
                note: (finding != Finding::Valid).then(|| "Tidak terbaca.".to_owned()),
            })
            .collect(),
        decision: Some(decision),
        reasons: if decision == Decision::Pass {
            String::new()
        } else {
            "Lengkapi berkas.".into()
        },
        revision_deadline: (decision == Decision::Revise)
            .then(|| start_time() + Duration::days(14)),
    }
}

async fn decisions_are_kept_in_order_and_never_twice(store: Store) {
    let created = draft("33.26", "Batik Verifikasi");
    let mut tx = Tx::new();
    tx.create(&created.nomination).unwrap();
    store.commit(tx).await.unwrap();
    // Submitted (the store test skips the bundle: the use case's rules are core's tests).
    let submitted = Nomination {
        status: NominationStatus::Submitted,
        version: 2,
        ..created.nomination.clone()
    };
    let mut tx = Tx::new();
    tx.update(&submitted, 1).unwrap();
    store.commit(tx).await.unwrap();
    let commodity = CommodityCatalog::default().get("anyaman").unwrap().clone();
    let checklist = Checklist::build(&commodity, &DocumentLimits::default(), &[], None);
    let now = start_time() + Duration::days(1);

    // Two secretariat members decide at once from the same version: one wins.
    let write = |by: u32, decision: Decision, finding: Finding| {
        let valid = form(&checklist, decision, finding)
            .validate(&checklist, now)
            .unwrap();
        let (change, verification) = submitted
            .verify(Some(2), valid, 1, &secretariat(by), now)
            .unwrap();
        let mut tx = Tx::new();
        tx.update(&change.nomination, 2).unwrap();
        tx.create(&change.audit).unwrap();
        tx.create(&verification).unwrap();
        tx
    };
    let (a, b) = tokio::join!(
        store.commit(write(1, Decision::Revise, Finding::Invalid)),
        store.commit(write(2, Decision::Revise, Finding::Missing)),
    );
    let outcomes = [a.is_ok(), b.is_ok()];
    assert_eq!(outcomes.iter().filter(|ok| **ok).count(), 1, "{a:?} {b:?}");
    let loser = if a.is_ok() { b } else { a };
    assert!(
        matches!(loser, Err(StoreError::ConditionFailed { .. })),
        "{loser:?}"
    );

    let stored = store
        .get::<Nomination>(&submitted.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.version, 3);
    let kept: Vec<Verification> = store
        .list::<Verification>(
            "verification",
            &entities::verifications_of(&submitted.id),
            50,
            None,
            |_| true,
        )
        .await
        .unwrap()
        .items;
    assert_eq!(kept.len(), 1, "only the winner's decision is kept");
    assert_eq!(kept[0].nomination_version, 3);
    assert_eq!(stored.status, NominationStatus::NeedsRevision);
    assert!(stored.revision.is_some());
    assert_eq!(
        store
            .get::<Verification>(&(submitted.id.clone(), 1))
            .await
            .unwrap(),
        Some(kept[0].clone())
    );

    // The regency office resubmits; the secretariat passes it: decision 2.
    let resubmitted = Nomination {
        status: NominationStatus::Submitted,
        revision: None,
        version: 4,
        ..stored.clone()
    };
    let mut tx = Tx::new();
    tx.update(&resubmitted, 3).unwrap();
    store.commit(tx).await.unwrap();
    let later = now + Duration::days(2);
    let pass = |by: u32| {
        let valid = form(&checklist, Decision::Pass, Finding::Valid)
            .validate(&checklist, later)
            .unwrap();
        resubmitted
            .verify(Some(4), valid, 2, &secretariat(by), later)
            .unwrap()
    };
    let (change, verification) = pass(1);
    let mut tx = Tx::new();
    tx.update(&change.nomination, 4).unwrap();
    tx.create(&change.audit).unwrap();
    tx.create(&verification).unwrap();
    store.commit(tx).await.unwrap();
    // A second "decision 2" (a replay from an old page) finds its number taken.
    let (_, again) = pass(2);
    let mut tx = Tx::new();
    tx.create(&again).unwrap();
    assert!(matches!(
        store.commit(tx).await,
        Err(StoreError::ConditionFailed { op: 0, .. })
    ));
    let kept: Vec<Verification> = store
        .list::<Verification>(
            "verification",
            &entities::verifications_of(&submitted.id),
            50,
            None,
            |_| true,
        )
        .await
        .unwrap()
        .items;
    let trail: Vec<(u32, Decision)> = kept.iter().map(|v| (v.sequence, v.decision)).collect();
    assert_eq!(trail, vec![(1, Decision::Revise), (2, Decision::Pass)]);
    let stored = store
        .get::<Nomination>(&submitted.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.status, NominationStatus::AdminPassed);
}

#[tokio::test]
async fn decisions_are_kept_in_order_and_never_twice_on_the_embedded_store() {
    let clock = Arc::new(ManualClock::new(start_time()));
    let (items, _dir) = embedded_store_with(clock);
    decisions_are_kept_in_order_and_never_twice(Store::new(Arc::new(items))).await;
}

#[tokio::test]
async fn decisions_are_kept_in_order_and_never_twice_on_dynamodb() {
    let clock = Arc::new(ManualClock::new(start_time()));
    let items = dynamo_store_with(clock).await;
    decisions_are_kept_in_order_and_never_twice(Store::new(Arc::new(items))).await;
}
