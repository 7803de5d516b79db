//! Storage ports and their adapters.
//!
//! Two adapters implement every port: [`embedded::EmbeddedStore`] (redb in a data folder, the
//! local default) and [`dynamo::DynamoStore`] (DynamoDB single table, production). One
//! conformance suite (`tests/tests/store_conformance.rs`) runs against both.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use ovop_core::nomination::{AuditEntry, Nomination};
use ovop_core::region::{ProvinceCode, RegencyCode};
use ovop_core::round::Round;
use ovop_core::status::NominationStatus;

pub mod dynamo;
pub mod dynamo_schema;
pub mod embedded;
mod recent;
pub mod wal;

/// How long an idempotency key is remembered.
pub const IDEMPOTENCY_TTL_SECS: i64 = 24 * 3600;

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// The conditional write saw another version.
    #[error("version conflict: stored version is {current}")]
    VersionConflict { current: u64 },
    #[error("already exists")]
    AlreadyExists,
    #[error("storage backend failed: {context}")]
    Backend {
        context: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl StoreError {
    /// A backend failure with what we were doing.
    pub fn backend(
        context: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        StoreError::Backend {
            context: context.into(),
            source: source.into(),
        }
    }
}

/// Outcome of a create with an idempotency key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Created {
    /// Written now.
    New,
    /// The key was used before: this is what it created.
    Replayed(Box<Nomination>),
}

/// Whose nominations a list reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    All,
    Province(ProvinceCode),
    Regency(RegencyCode),
}

/// A list query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NominationQuery {
    pub scope: Scope,
    pub round_id: Option<String>,
    pub status: Option<NominationStatus>,
}

impl NominationQuery {
    /// Whether `n` belongs in the answer.
    pub fn matches(&self, n: &Nomination) -> bool {
        let in_scope = match &self.scope {
            Scope::All => true,
            Scope::Province(p) => &n.province_code == p,
            Scope::Regency(r) => &n.regency_code == r,
        };
        in_scope
            && self.round_id.as_ref().is_none_or(|r| &n.round_id == r)
            && self.status.is_none_or(|s| n.status == s)
    }
}

/// Nominations and their audit trail.
#[async_trait]
pub trait NominationStore: Send + Sync {
    /// Writes a new nomination and its first audit entry, unless `creator` already used
    /// `idempotency_key` (within [`IDEMPOTENCY_TTL_SECS`]): then nothing is written and the
    /// earlier nomination comes back.
    async fn create_nomination(
        &self,
        nomination: Arc<Nomination>,
        audit: &AuditEntry,
        creator: &str,
        idempotency_key: &str,
        now: DateTime<Utc>,
    ) -> Result<Created, StoreError>;

    /// The nomination, shared: callers that change it build a new one from it.
    async fn get_nomination(&self, id: &str) -> Result<Option<Arc<Nomination>>, StoreError>;

    /// Replaces the nomination if the stored version is `expected_version`, writing the audit
    /// entry in the same transaction. `nomination.version` must be `expected_version + 1`.
    async fn update_nomination(
        &self,
        nomination: Arc<Nomination>,
        expected_version: u64,
        audit: &AuditEntry,
    ) -> Result<(), StoreError>;

    /// Nominations matching the query, oldest first.
    async fn list_nominations(
        &self,
        query: &NominationQuery,
    ) -> Result<Vec<Nomination>, StoreError>;

    /// The history of a nomination, oldest first.
    async fn audit_trail(&self, nomination_id: &str) -> Result<Vec<AuditEntry>, StoreError>;
}

/// Award rounds.
#[async_trait]
pub trait RoundStore: Send + Sync {
    /// Writes a new round; [`StoreError::AlreadyExists`] if its id is taken.
    async fn create_round(&self, round: &Round) -> Result<(), StoreError>;

    async fn get_round(&self, id: &str) -> Result<Option<Round>, StoreError>;

    /// Replaces the round if the stored version is `expected_version`.
    async fn update_round(&self, round: &Round, expected_version: u64) -> Result<(), StoreError>;

    /// Every round, newest year first.
    async fn list_rounds(&self) -> Result<Vec<Round>, StoreError>;
}
