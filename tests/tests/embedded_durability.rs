//! The embedded store keeps every acknowledged write across a crash: its write-ahead log holds
//! what the last checkpoint does not. A crash is taken as a copy of the data folder made while
//! the store is running (between writes), as the disk would be found after a power cut.

use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use ovop_core::dto::NominationSummary;
use ovop_core::nomination::{AuditEntry, Change, Nomination};
use ovop_core::region::RegencyCode;
use ovop_platform::clock::SystemClock;
use ovop_platform::idempotency::IdempotencyRecord;
use ovop_platform::store::embedded::{EmbeddedStore, DEFAULT_LOG_BYTES};
use ovop_platform::store::{entities, Store, StoreError, Tx};
use ovop_tests::{draft, office, open_round, start_time};

fn open(dir: &Path, log_bytes: u64) -> (Store, EmbeddedStore) {
    let embedded = EmbeddedStore::open_with(dir, log_bytes, Arc::new(SystemClock)).unwrap();
    (Store::new(Arc::new(embedded.clone())), embedded)
}

/// The data folder as a crash would leave it: the files copied while the store runs.
fn crash_copy(running: &Path, to: &Path, with_log: bool) {
    std::fs::create_dir_all(to).unwrap();
    std::fs::copy(running.join("ovop.redb"), to.join("ovop.redb")).unwrap();
    if with_log {
        std::fs::copy(running.join("ovop.wal"), to.join("ovop.wal")).unwrap();
    }
}

/// Creates the draft with its audit entry and an idempotency record under `key`.
async fn create(store: &Store, change: &Change, key: &str) {
    let mut tx = Tx::new();
    tx.create(&change.nomination).unwrap();
    tx.create(&change.audit).unwrap();
    tx.create(&IdempotencyRecord {
        actor: "tester".into(),
        key: key.into(),
        fingerprint: "f".into(),
        status: 201,
        version: Some(1),
        body: change.nomination.id.clone(),
        expires_at: chrono::Utc::now().timestamp() + 3600,
    })
    .unwrap();
    store.commit(tx).await.unwrap();
}

async fn submit(store: &Store, n: &Nomination) -> Result<Nomination, StoreError> {
    let change = n
        .submit(None, &open_round(), &office("33.26"), start_time())
        .unwrap();
    let mut tx = Tx::new();
    tx.update(&change.nomination, n.version)?;
    tx.create(&change.audit)?;
    store.commit(tx).await?;
    Ok(change.nomination)
}

#[tokio::test]
async fn acknowledged_writes_survive_a_crash_before_any_checkpoint() {
    let running = tempfile::tempdir().unwrap();
    let (store, embedded) = open(running.path(), DEFAULT_LOG_BYTES);
    let created = draft("33.26", "Gerabah Tanah Liat");
    let n = created.nomination.clone();
    create(&store, &created, "k1").await;
    let submitted = submit(&store, &n).await.unwrap();
    // A stale update is refused and must not come back after the crash either.
    let refused = submit(&store, &n).await;
    assert!(matches!(refused, Err(StoreError::ConditionFailed { .. })));
    assert_eq!(
        embedded.commit_stats().checkpoints.load(Ordering::Relaxed),
        0
    );

    let crashed = tempfile::tempdir().unwrap();
    crash_copy(running.path(), crashed.path(), true);
    let (recovered, _) = open(crashed.path(), DEFAULT_LOG_BYTES);
    assert_eq!(
        recovered.get::<Nomination>(&n.id).await.unwrap(),
        Some(submitted)
    );
    let trail = recovered
        .list::<AuditEntry>("audit", &entities::audit_trail(&n.id), 50, None, |_| true)
        .await
        .unwrap();
    let actions: Vec<&str> = trail.items.iter().map(|a| a.action.as_str()).collect();
    assert_eq!(actions, ["create", "submit"]);
    let regency = RegencyCode::parse("33.26").unwrap();
    let listed = recovered
        .list::<NominationSummary>(
            "nomination",
            &entities::nominations_of_regency(&regency, None),
            50,
            None,
            |_| true,
        )
        .await
        .unwrap();
    assert_eq!(listed.items.len(), 1, "the regency index is recovered too");
    let round = recovered
        .list::<NominationSummary>(
            "nomination",
            &entities::nominations_of_round("ovop-2026", Some(submitted_status())),
            50,
            None,
            |_| true,
        )
        .await
        .unwrap();
    assert_eq!(
        round.items.len(),
        1,
        "the status index moved and was recovered"
    );
    let key = ("tester".to_owned(), "k1".to_owned());
    assert!(
        recovered
            .get::<IdempotencyRecord>(&key)
            .await
            .unwrap()
            .is_some(),
        "the idempotency key is recovered: a retry is not a duplicate"
    );
}

fn submitted_status() -> ovop_core::status::NominationStatus {
    ovop_core::status::NominationStatus::Submitted
}

#[tokio::test]
async fn without_its_log_the_database_alone_lacks_the_writes_since_the_checkpoint() {
    // The other half of the proof above: the log, not the database file, carried the writes.
    let running = tempfile::tempdir().unwrap();
    let (store, _) = open(running.path(), DEFAULT_LOG_BYTES);
    let created = draft("33.26", "Batik Tulis");
    create(&store, &created, "k1").await;
    let crashed = tempfile::tempdir().unwrap();
    crash_copy(running.path(), crashed.path(), false);
    let (without_log, _) = open(crashed.path(), DEFAULT_LOG_BYTES);
    assert_eq!(
        without_log
            .get::<Nomination>(&created.nomination.id)
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn a_full_log_checkpoints_and_nothing_is_lost_across_cycles() {
    let running = tempfile::tempdir().unwrap();
    // A few compressed nominations fit in this log: thirty go through several checkpoints.
    let (store, embedded) = open(running.path(), 4 << 10);
    let mut written = Vec::new();
    for i in 0..30 {
        let created = draft("33.26", &format!("Anyaman Bambu {i}"));
        create(&store, &created, &format!("k{i}")).await;
        written.push(created.nomination);
    }
    let checkpoints = embedded.commit_stats().checkpoints.load(Ordering::Relaxed);
    assert!(checkpoints >= 3, "only {checkpoints} checkpoints");

    let crashed = tempfile::tempdir().unwrap();
    crash_copy(running.path(), crashed.path(), true);
    let (recovered, _) = open(crashed.path(), 4 << 10);
    for n in &written {
        assert_eq!(
            recovered.get::<Nomination>(&n.id).await.unwrap().as_ref(),
            Some(n),
            "{} lost",
            n.profile.ikm.name
        );
    }
    // The recovered store goes on writing and recovering.
    let later = draft("33.26", "Anyaman Pandan");
    create(&recovered, &later, "later").await;
    let crashed_again = tempfile::tempdir().unwrap();
    crash_copy(crashed.path(), crashed_again.path(), true);
    let (twice, _) = open(crashed_again.path(), 4 << 10);
    assert_eq!(
        twice.get::<Nomination>(&later.nomination.id).await.unwrap(),
        Some(later.nomination)
    );
    assert_eq!(
        twice
            .get::<Nomination>(&written[0].id)
            .await
            .unwrap()
            .as_ref(),
        Some(&written[0])
    );
}

#[tokio::test]
async fn a_data_folder_of_the_earlier_layout_is_refused_with_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    {
        let db = redb::Database::create(dir.path().join("ovop.redb")).unwrap();
        let txn = db.begin_write().unwrap();
        let table: redb::TableDefinition<&str, &[u8]> = redb::TableDefinition::new("nominations");
        txn.open_table(table).unwrap();
        txn.commit().unwrap();
    }
    let err = EmbeddedStore::open(dir.path()).err().expect("refused");
    assert!(err.to_string().contains("open database"), "{err}");
    let source = std::error::Error::source(&err).unwrap().to_string();
    assert!(source.contains("delete the folder"), "{source}");
}
