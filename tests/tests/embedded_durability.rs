//! The embedded store keeps every acknowledged write across a crash: its write-ahead log holds
//! what the last checkpoint does not. A crash is taken as a copy of the data folder made while
//! the store is running (between writes), as the disk would be found after a power cut.

use std::path::Path;
use std::sync::atomic::Ordering;

use ovop_core::nomination::{AuditEntry, Nomination};
use ovop_core::status::NominationStatus;
use ovop_platform::store::embedded::EmbeddedStore;
use ovop_platform::store::{Created, NominationQuery, NominationStore, Scope, StoreError};
use ovop_tests::{form, start_time};

fn nomination(name: &str) -> Nomination {
    let valid = form("33.26", name)
        .validate(&Default::default(), 2026)
        .expect("test form is valid");
    Nomination::draft(ulid::Ulid::new().to_string(), valid, "tester", start_time())
}

fn entry(n: &Nomination, action: &str) -> AuditEntry {
    AuditEntry::of(n, "tester", action, None)
}

/// The data folder as a crash would leave it: the files copied while the store runs.
fn crash_copy(running: &Path, to: &Path, with_log: bool) {
    std::fs::create_dir_all(to).unwrap();
    std::fs::copy(running.join("ovop.redb"), to.join("ovop.redb")).unwrap();
    if with_log {
        std::fs::copy(running.join("ovop.wal"), to.join("ovop.wal")).unwrap();
    }
}

async fn create(store: &EmbeddedStore, n: &Nomination, key: &str) -> Created {
    store
        .create_nomination(
            n.clone().into(),
            &entry(n, "create"),
            "tester",
            key,
            start_time(),
        )
        .await
        .unwrap()
}

async fn submit(store: &EmbeddedStore, n: &Nomination) -> Nomination {
    let mut submitted = n.clone();
    submitted.status = NominationStatus::Submitted;
    submitted.version += 1;
    store
        .update_nomination(
            submitted.clone().into(),
            n.version,
            &entry(&submitted, "submit"),
        )
        .await
        .unwrap();
    submitted
}

#[tokio::test]
async fn acknowledged_writes_survive_a_crash_before_any_checkpoint() {
    let running = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open(running.path()).unwrap();
    let n = nomination("Gerabah Tanah Liat");
    assert_eq!(create(&store, &n, "k1").await, Created::New);
    let submitted = submit(&store, &n).await;
    // A stale update is refused and must not come back after the crash either.
    let mut stale = n.clone();
    stale.version += 1;
    let refused = store
        .update_nomination(stale.clone().into(), n.version, &entry(&stale, "update"))
        .await;
    assert!(matches!(refused, Err(StoreError::VersionConflict { .. })));
    assert_eq!(store.commit_stats().checkpoints.load(Ordering::Relaxed), 0);

    let crashed = tempfile::tempdir().unwrap();
    crash_copy(running.path(), crashed.path(), true);
    let recovered = EmbeddedStore::open(crashed.path()).unwrap();
    assert_eq!(
        recovered.get_nomination(&n.id).await.unwrap().as_deref(),
        Some(&submitted)
    );
    let trail = recovered.audit_trail(&n.id).await.unwrap();
    let actions: Vec<&str> = trail.iter().map(|a| a.action.as_str()).collect();
    assert_eq!(actions, ["create", "submit"]);
    let listed = recovered
        .list_nominations(&NominationQuery {
            scope: Scope::Regency(ovop_core::region::RegencyCode::parse("33.26").unwrap()),
            round_id: None,
            status: None,
        })
        .await
        .unwrap();
    assert_eq!(listed.len(), 1, "the regency index is recovered too");
    let again = create(&recovered, &nomination("Gerabah Tanah Liat"), "k1").await;
    assert!(
        matches!(again, Created::Replayed(ref earlier) if earlier.id == n.id),
        "the idempotency key is recovered: a retry is not a duplicate"
    );
}

#[tokio::test]
async fn without_its_log_the_database_alone_lacks_the_writes_since_the_checkpoint() {
    // The other half of the proof above: the log, not the database file, carried the writes.
    let running = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open(running.path()).unwrap();
    let n = nomination("Batik Tulis");
    create(&store, &n, "k1").await;
    let crashed = tempfile::tempdir().unwrap();
    crash_copy(running.path(), crashed.path(), false);
    let without_log = EmbeddedStore::open(crashed.path()).unwrap();
    assert_eq!(without_log.get_nomination(&n.id).await.unwrap(), None);
}

#[tokio::test]
async fn a_full_log_checkpoints_and_nothing_is_lost_across_cycles() {
    let running = tempfile::tempdir().unwrap();
    // About five compressed nominations fit in this log: thirty writes go through several checkpoints.
    let store = EmbeddedStore::open_with_log(running.path(), 4 << 10).unwrap();
    let mut written = Vec::new();
    for i in 0..30 {
        let n = nomination(&format!("Anyaman Bambu {i}"));
        create(&store, &n, &format!("k{i}")).await;
        written.push(n);
    }
    let checkpoints = store.commit_stats().checkpoints.load(Ordering::Relaxed);
    assert!(checkpoints >= 3, "only {checkpoints} checkpoints");

    let crashed = tempfile::tempdir().unwrap();
    crash_copy(running.path(), crashed.path(), true);
    let recovered = EmbeddedStore::open_with_log(crashed.path(), 4 << 10).unwrap();
    for n in &written {
        assert_eq!(
            recovered.get_nomination(&n.id).await.unwrap().as_deref(),
            Some(n),
            "{} lost",
            n.profile.ikm.name
        );
    }
    // The recovered store goes on writing and recovering.
    let later = nomination("Anyaman Pandan");
    create(&recovered, &later, "later").await;
    let crashed_again = tempfile::tempdir().unwrap();
    crash_copy(crashed.path(), crashed_again.path(), true);
    let twice = EmbeddedStore::open_with_log(crashed_again.path(), 4 << 10).unwrap();
    assert_eq!(
        twice.get_nomination(&later.id).await.unwrap().as_deref(),
        Some(&later)
    );
    assert_eq!(
        twice
            .get_nomination(&written[0].id)
            .await
            .unwrap()
            .as_deref(),
        Some(&written[0])
    );
}
