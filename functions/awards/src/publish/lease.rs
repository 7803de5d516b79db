//! One publication at a time: two that interleaved could flip `latest.json` to a version
//! whose clean-up the other is running, or delete each other's objects. A publication takes
//! the lease in the item store ([`PublicationLease`]) before it reads anything and gives it
//! back when it ends, whether it succeeded or not.

use chrono::{DateTime, Utc};
use ovop_platform::store::entities::PublicationLease;
use ovop_platform::store::{Condition, Store, StoreError, Tx};

/// How long a lease holds. Far longer than a publication runs (the function is stopped at
/// 29 s), so it never runs out under a live one; short enough that a publication that crashed
/// holds up the next only for minutes.
pub const LEASE_SECS: i64 = 300;

/// Why the lease was not taken.
#[derive(Debug, thiserror::Error)]
pub enum LeaseError {
    #[error("another publication is running")]
    Taken,
    #[error(transparent)]
    Store(StoreError),
}

/// Takes the lease for `holder` at `now`: only when no other is live (an expired one is taken
/// over).
pub async fn take(
    store: &Store,
    holder: &str,
    now: DateTime<Utc>,
) -> Result<PublicationLease, LeaseError> {
    let lease = PublicationLease::new(holder, now.timestamp(), LEASE_SECS);
    let mut tx = Tx::new();
    tx.create(&lease).map_err(LeaseError::Store)?;
    match store.commit(tx).await {
        Ok(()) => Ok(lease),
        Err(StoreError::ConditionFailed {
            condition: Condition::Absent,
            ..
        }) => Err(LeaseError::Taken),
        Err(e) => Err(LeaseError::Store(e)),
    }
}

/// Gives `lease` back. Only this holder's: when it expired and another publication took it
/// over, that one's stays. A failure is logged, not returned — the publication is over, and the
/// lease expires anyway.
pub async fn release(store: &Store, lease: &PublicationLease) {
    let mut tx = Tx::new();
    tx.delete::<PublicationLease>(&(), lease.token);
    if let Err(e) = store.commit(tx).await {
        tracing::warn!(error = %e, holder = %lease.holder, "the publication lease was not released");
    }
}
