//! Determination and awards on the item store, on both adapters (embedded and DynamoDB on
//! moto): declared in `entities.rs` only, with no adapter code. A round is determined once;
//! its awards list by province and regency from the round's index; a revocation is a
//! conditional write, so two admins revoking the same award cannot both win.

use std::sync::Arc;

use chrono::NaiveDate;
use ovop_core::award::{determine, Award, DecreeForm, Determination};
use ovop_core::moderation::{Recommendation, Recommended};
use ovop_core::nomination::Nomination;
use ovop_core::stars::{Outcome, Score, StarScale, Stars};
use ovop_core::status::NominationStatus;
use ovop_platform::clock::ManualClock;
use ovop_platform::store::{entities, Store, StoreError, Tx};
use ovop_tests::{draft, dynamo_store_with, embedded_store_with, start_time};

/// Recommended nominations of Semarang (33.74), Pekalongan (33.26) and Surabaya (35.78).
fn recommended() -> Vec<Nomination> {
    ["33.74", "33.26", "35.78"]
        .iter()
        .enumerate()
        .map(|(i, regency)| Nomination {
            status: NominationStatus::Recommended,
            ..draft(regency, &format!("Sentra Juara {i}")).nomination
        })
        .collect()
}

fn recommendation(nominations: &[Nomination]) -> Recommendation {
    Recommendation {
        round_id: "ovop-2026".into(),
        items: nominations
            .iter()
            .map(|n| Recommended {
                round_id: n.round_id.clone(),
                nomination_id: n.id.clone(),
                ikm_name: n.profile.ikm.name.clone(),
                commodity: n.profile.product.commodity.clone(),
                final_score: Score::try_from(88.0).unwrap(),
                outcome: Outcome::Awarded {
                    stars: Stars::new(StarScale::Ovop2021, 2).unwrap(),
                },
                result_version: 1,
            })
            .collect(),
        locked_by: "admin".into(),
        locked_at: start_time(),
    }
}

async fn a_round_is_determined_once_and_its_awards_list_by_region(store: Store) {
    let nominations = recommended();
    let today = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
    let decree = DecreeForm {
        number: "1234/M-IND/Kep/11/2026".into(),
        date: Some(today),
        signer: "Menteri Perindustrian".into(),
        valid_until: None,
    }
    .validate(today)
    .unwrap();
    let (determination, awards) = determine(
        &recommendation(&nominations),
        2026,
        &nominations,
        &Default::default(),
        &decree,
        "decrees/ovop-2026/d.pdf",
        "admin",
        start_time(),
    )
    .unwrap();
    let mut tx = Tx::new();
    for a in &awards {
        tx.create(a).unwrap();
    }
    tx.create(&determination).unwrap();
    store.commit(tx).await.unwrap();

    // Determined once: a second determination of the round is refused, nothing written.
    let mut again = Tx::new();
    again.create(&determination).unwrap();
    assert!(matches!(
        store.commit(again).await,
        Err(StoreError::ConditionFailed { .. })
    ));
    let stored = store.get::<Determination>("ovop-2026").await.unwrap();
    assert_eq!(stored.map(|d| d.awards), Some(3));

    // By province, then regency: Pekalongan and Semarang (33) before Surabaya (35).
    let listed = store
        .list_all::<Award>("award", &entities::awards_of_round("ovop-2026"))
        .await
        .unwrap();
    let regions: Vec<String> = listed.iter().map(|a| a.regency_code.to_string()).collect();
    assert_eq!(regions, ["33.26", "33.74", "35.78"]);

    // Two admins revoke the same award from version 1: one wins.
    let award = &listed[0];
    let at = start_time();
    let first = award.revoke("Izin usaha dicabut.", "admin-1", at).unwrap();
    let second = award
        .revoke("Produk tidak lagi dibuat.", "admin-2", at)
        .unwrap();
    let write = |revoked: Award| {
        let store = store.clone();
        async move {
            let mut tx = Tx::new();
            tx.update(&revoked, 1).unwrap();
            store.commit(tx).await
        }
    };
    let (a, b) = tokio::join!(write(first), write(second));
    assert_eq!([a.is_ok(), b.is_ok()].iter().filter(|ok| **ok).count(), 1);
    let now = store.get::<Award>(&award.id).await.unwrap().unwrap();
    assert_eq!(now.version, 2);
    assert!(!now.holds_on(today));
}

#[tokio::test]
async fn a_round_is_determined_once_and_its_awards_list_by_region_on_the_embedded_store() {
    let clock = Arc::new(ManualClock::new(start_time()));
    let (items, _dir) = embedded_store_with(clock);
    a_round_is_determined_once_and_its_awards_list_by_region(Store::new(Arc::new(items))).await;
}

#[tokio::test]
async fn a_round_is_determined_once_and_its_awards_list_by_region_on_dynamodb() {
    let clock = Arc::new(ManualClock::new(start_time()));
    let items = dynamo_store_with(clock).await;
    a_round_is_determined_once_and_its_awards_list_by_region(Store::new(Arc::new(items))).await;
}
