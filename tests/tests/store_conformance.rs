//! One conformance suite, run against both store adapters: the embedded redb store and the
//! DynamoDB store on moto. A rule that holds on one must hold on the other.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use ovop_core::nomination::{AuditEntry, Nomination};
use ovop_core::region::RegencyCode;
use ovop_core::round::{Round, RoundPhase};
use ovop_core::status::NominationStatus;
use ovop_platform::store::{
    Created, NominationQuery, NominationStore, RoundStore, Scope, StoreError,
};
use ovop_tests::{form, start_time};

trait Store: NominationStore + RoundStore {}
impl<T: NominationStore + RoundStore> Store for T {}

fn nomination(regency: &str, round: &str, name: &str) -> Nomination {
    let mut f = form(regency, name);
    f.round_id = round.into();
    let valid = f
        .validate(&Default::default(), 2026)
        .expect("test form is valid");
    Nomination::draft(ulid::Ulid::new().to_string(), valid, "tester", start_time())
}

fn entry(n: &Nomination, action: &str) -> AuditEntry {
    AuditEntry::of(n, "tester", action, None)
}

fn round(year: i32) -> Round {
    Round {
        id: Round::id_for(year),
        year,
        name: format!("OVOP {year}"),
        phase: RoundPhase::Planned,
        proposal_deadline: start_time() + Duration::days(30),
        version: 1,
        created_at: start_time(),
    }
}

/// Creates `n` with its first audit entry, as `creator` with `key` at `at`.
async fn create(
    store: &dyn Store,
    n: &Nomination,
    creator: &str,
    key: &str,
    at: DateTime<Utc>,
) -> Created {
    store
        .create_nomination(Arc::new(n.clone()), &entry(n, "create"), creator, key, at)
        .await
        .unwrap()
}

async fn created_nomination_reads_back_unchanged(store: &dyn Store) {
    let n = nomination("33.26", "ovop-2026", "Batik A");
    let created = create(store, &n, "u1", "key-1", start_time()).await;
    assert_eq!(created, Created::New);
    assert_eq!(
        store.get_nomination(&n.id).await.unwrap().as_deref(),
        Some(&n)
    );
    assert_eq!(store.get_nomination("missing").await.unwrap(), None);
}

async fn same_idempotency_key_returns_the_first_nomination(store: &dyn Store) {
    let first = nomination("33.26", "ovop-2026", "Batik A");
    let retry = nomination("33.26", "ovop-2026", "Batik A");
    create(store, &first, "u1", "same", start_time()).await;
    let again = create(store, &retry, "u1", "same", start_time()).await;
    assert_eq!(again, Created::Replayed(Box::new(first.clone())));
    assert_eq!(
        store.get_nomination(&retry.id).await.unwrap(),
        None,
        "no duplicate written"
    );
    // Another user's identical key is a different request.
    let other = nomination("33.26", "ovop-2026", "Batik A");
    let created = create(store, &other, "u2", "same", start_time()).await;
    assert_eq!(created, Created::New);
}

async fn expired_idempotency_key_can_be_used_again(store: &dyn Store) {
    let first = nomination("33.26", "ovop-2026", "Batik A");
    create(store, &first, "u1", "old", start_time()).await;
    let later = start_time() + Duration::days(2);
    let second = nomination("33.26", "ovop-2026", "Batik B");
    let created = create(store, &second, "u1", "old", later).await;
    assert_eq!(created, Created::New);
}

async fn stale_update_is_refused_and_loses_nothing(store: &dyn Store) {
    let n = nomination("33.26", "ovop-2026", "Batik A");
    create(store, &n, "u1", "k", start_time()).await;
    let mut first = n.clone();
    first.profile.ikm.name = "Batik A baru".into();
    first.version = 2;
    store
        .update_nomination(first.clone().into(), 1, &entry(&first, "update"))
        .await
        .unwrap();

    let mut stale = n.clone();
    stale.profile.ikm.name = "Batik A lama".into();
    stale.version = 2;
    let err = store
        .update_nomination(stale.clone().into(), 1, &entry(&stale, "update"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::VersionConflict { current: 2 }),
        "{err:?}"
    );
    let stored = store.get_nomination(&n.id).await.unwrap().unwrap();
    assert_eq!(stored.profile.ikm.name, "Batik A baru");
    let trail = store.audit_trail(&n.id).await.unwrap();
    let actions: Vec<_> = trail
        .iter()
        .map(|a| (a.action.as_str(), a.version))
        .collect();
    assert_eq!(
        actions,
        vec![("create", 1), ("update", 2)],
        "the refused write left no audit entry"
    );
}

async fn update_of_a_missing_nomination_is_not_found(store: &dyn Store) {
    let n = nomination("33.26", "ovop-2026", "Batik A");
    let err = store
        .update_nomination(n.clone().into(), 1, &entry(&n, "update"))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound), "{err:?}");
}

async fn concurrent_updates_of_one_version_let_exactly_one_win(store: &dyn Store) {
    let n = nomination("33.26", "ovop-2026", "Batik A");
    create(store, &n, "u1", "k", start_time()).await;
    let attempts = (0..6).map(|i| {
        let mut next = n.clone();
        next.profile.ikm.name = format!("Versi {i}");
        next.version = 2;
        async move {
            store
                .update_nomination(next.clone().into(), 1, &entry(&next, "update"))
                .await
        }
    });
    let results = futures::future::join_all(attempts).await;
    let wins = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(wins, 1, "{results:?}");
    assert!(results
        .iter()
        .filter_map(|r| r.as_ref().err())
        .all(|e| matches!(e, StoreError::VersionConflict { current: 2 })));
    // Every later read sees the winner, none a refused attempt.
    let winner = results.iter().position(|r| r.is_ok()).unwrap();
    for _ in 0..3 {
        let stored = store.get_nomination(&n.id).await.unwrap().unwrap();
        assert_eq!(stored.profile.ikm.name, format!("Versi {winner}"));
        assert_eq!(stored.version, 2);
    }
}

async fn lists_follow_scope_round_and_status(store: &dyn Store) {
    let a = nomination("33.26", "ovop-2026", "A");
    let b = nomination("33.74", "ovop-2026", "B");
    let c = nomination("35.15", "ovop-2026", "C");
    let old = nomination("33.26", "ovop-2024", "Old");
    for (i, n) in [&a, &b, &c, &old].into_iter().enumerate() {
        create(store, n, "u", &format!("k{i}"), start_time()).await;
    }
    store.create_round(&round(2026)).await.unwrap();
    store.create_round(&round(2024)).await.unwrap();
    let mut submitted = b.clone();
    submitted.status = NominationStatus::Submitted;
    submitted.version = 2;
    store
        .update_nomination(submitted.clone().into(), 1, &entry(&submitted, "submit"))
        .await
        .unwrap();

    let ids = |v: Vec<Nomination>| {
        let mut ids: Vec<String> = v.into_iter().map(|n| n.profile.ikm.name).collect();
        ids.sort();
        ids
    };
    let q = |scope, round: Option<&str>, status| NominationQuery {
        scope,
        round_id: round.map(Into::into),
        status,
    };
    let regency = Scope::Regency(RegencyCode::parse("33.26").unwrap());
    let province = Scope::Province(RegencyCode::parse("33.26").unwrap().province());
    let list = |query| async move { ids(store.list_nominations(&query).await.unwrap()) };
    assert_eq!(list(q(regency.clone(), None, None)).await, ["A", "Old"]);
    assert_eq!(list(q(regency, Some("ovop-2026"), None)).await, ["A"]);
    assert_eq!(
        list(q(province.clone(), Some("ovop-2026"), None)).await,
        ["A", "B"]
    );
    assert_eq!(
        list(q(province, None, Some(NominationStatus::Submitted))).await,
        ["B"]
    );
    assert_eq!(
        list(q(Scope::All, Some("ovop-2026"), None)).await,
        ["A", "B", "C"]
    );
    assert_eq!(
        list(q(Scope::All, None, None)).await,
        ["A", "B", "C", "Old"]
    );
}

async fn rounds_are_unique_per_year_and_versioned(store: &dyn Store) {
    let r = round(2026);
    store.create_round(&r).await.unwrap();
    assert!(matches!(
        store.create_round(&r).await,
        Err(StoreError::AlreadyExists)
    ));
    let opened = Round {
        phase: RoundPhase::OpenForProposals,
        version: 2,
        ..r.clone()
    };
    store.update_round(&opened, 1).await.unwrap();
    let err = store.update_round(&opened, 1).await.unwrap_err();
    assert!(
        matches!(err, StoreError::VersionConflict { current: 2 }),
        "{err:?}"
    );
    store.create_round(&round(2024)).await.unwrap();
    let years: Vec<i32> = store
        .list_rounds()
        .await
        .unwrap()
        .iter()
        .map(|r| r.year)
        .collect();
    assert_eq!(years, [2026, 2024]);
    assert_eq!(store.get_round("ovop-2026").await.unwrap(), Some(opened));
}

macro_rules! conformance {
    ($($rule:ident),* $(,)?) => {
        mod embedded {
            $(
                #[tokio::test]
                async fn $rule() {
                    let (store, _dir) = ovop_tests::embedded_store();
                    super::$rule(&store).await;
                }
            )*
        }
        mod dynamodb_on_moto {
            $(
                #[tokio::test]
                async fn $rule() {
                    let store = ovop_tests::dynamo_store().await;
                    super::$rule(&store).await;
                }
            )*
        }
    };
}

conformance!(
    created_nomination_reads_back_unchanged,
    same_idempotency_key_returns_the_first_nomination,
    expired_idempotency_key_can_be_used_again,
    stale_update_is_refused_and_loses_nothing,
    update_of_a_missing_nomination_is_not_found,
    concurrent_updates_of_one_version_let_exactly_one_win,
    lists_follow_scope_round_and_status,
    rounds_are_unique_per_year_and_versioned,
);
