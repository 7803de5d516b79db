//! The generic item port, modelled on DynamoDB's data model.
//!
//! An [`Item`] has a primary [`Key`] (partition + sort), up to three secondary index keys, a
//! version, an optional expiry and a body (the entity as JSON text). Writes are [`Op`]s in one all-or-nothing
//! transaction, each with a [`Condition`]; reads are a point [`ItemStore::get`] and a paged
//! [`ItemStore::query`] over one partition of the primary key or of a secondary index.
//!
//! DynamoDB's own limits are checked here, before either backend writes anything, so that a
//! write that production would refuse fails the same way in local tests ([`check_transaction`]).

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

/// Most operations in one transaction (DynamoDB `TransactWriteItems`).
pub const MAX_TRANSACTION_OPS: usize = 100;
/// Largest item, counted as DynamoDB does: attribute names plus values. DynamoDB documents
/// 400 KB; we hold items to 400,000 bytes so that nothing accepted here is refused there (or by
/// moto, which refuses above 405,000).
pub const MAX_ITEM_BYTES: usize = 400_000;
/// Largest transaction, all items together.
pub const MAX_TRANSACTION_BYTES: usize = 4 * 1024 * 1024;
/// Longest partition key.
pub const MAX_PARTITION_KEY_BYTES: usize = 2048;
/// Longest sort key.
pub const MAX_SORT_KEY_BYTES: usize = 1024;
/// Most items one query page returns.
pub const MAX_PAGE_ITEMS: usize = 1000;

/// Where an item lives: partition key and sort key.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Key {
    pub pk: String,
    pub sk: String,
}

impl Key {
    pub fn new(pk: impl Into<String>, sk: impl Into<String>) -> Self {
        Key {
            pk: pk.into(),
            sk: sk.into(),
        }
    }
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}|{}", self.pk, self.sk)
    }
}

/// An index of the table: the primary key itself or one of the secondary indexes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Index {
    Primary,
    Gsi1,
    Gsi2,
    Gsi3,
}

impl Index {
    /// The secondary indexes, in order.
    pub const SECONDARY: [Index; 3] = [Index::Gsi1, Index::Gsi2, Index::Gsi3];

    /// The index's name in the table (`gsi1`…); `primary` for the table itself.
    pub fn name(self) -> &'static str {
        match self {
            Index::Primary => "primary",
            Index::Gsi1 => "gsi1",
            Index::Gsi2 => "gsi2",
            Index::Gsi3 => "gsi3",
        }
    }

    /// The index's number: 0 for the primary key, 1–3 for the secondary ones.
    pub fn number(self) -> u8 {
        match self {
            Index::Primary => 0,
            Index::Gsi1 => 1,
            Index::Gsi2 => 2,
            Index::Gsi3 => 3,
        }
    }

    /// The index numbered `n`.
    pub fn from_number(n: u8) -> Option<Index> {
        [Index::Primary, Index::Gsi1, Index::Gsi2, Index::Gsi3]
            .into_iter()
            .find(|i| i.number() == n)
    }
}

/// An item's place in a secondary index.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct IndexKey {
    pub index: Index,
    pub pk: String,
    pub sk: String,
}

/// A stored item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    pub key: Key,
    /// Its entries in secondary indexes (at most one per index).
    pub indexes: Vec<IndexKey>,
    /// Optimistic-locking version, checked by [`Condition::Version`].
    pub version: u64,
    /// Seconds since the epoch after which the item counts as absent (and is deleted later).
    pub expires_at: Option<i64>,
    /// The entity, as its repository encoded it.
    pub body: String,
    /// What secondary-index queries return instead of the body: indexes carry what their
    /// queries need, not whole items. Required when the item has index entries.
    pub summary: Option<String>,
}

/// Attribute names as DynamoDB counts them towards an item's size (see `dynamo.rs`).
const KEY_ATTRS: usize = "pk".len() + "sk".len();
const INDEX_ATTRS: usize = "gsi1pk".len() + "gsi1sk".len();
const VERSION_ATTR: usize = "version".len() + 8;
const EXPIRY_ATTR: usize = "expires_at".len() + 8;
const BODY_ATTR: usize = "body".len();
const SUMMARY_ATTR: usize = "summary".len();

impl Item {
    /// The item's size as DynamoDB counts it: attribute names plus values (numbers counted as
    /// 8 bytes, an upper bound for ours).
    pub fn size(&self) -> usize {
        KEY_ATTRS
            + self.key.pk.len()
            + self.key.sk.len()
            + self
                .indexes
                .iter()
                .map(|i| INDEX_ATTRS + i.pk.len() + i.sk.len())
                .sum::<usize>()
            + VERSION_ATTR
            + self.expires_at.map_or(0, |_| EXPIRY_ATTR)
            + BODY_ATTR
            + self.body.len()
            + self.summary.as_ref().map_or(0, |s| SUMMARY_ATTR + s.len())
    }

    /// Whether the item counts as absent at `now` (seconds since the epoch).
    pub fn expired(&self, now: i64) -> bool {
        self.expires_at.is_some_and(|at| at <= now)
    }

    /// The item's sort key in `index`.
    pub fn sort_key_in(&self, index: Index) -> Option<&str> {
        match index {
            Index::Primary => Some(&self.key.sk),
            _ => self
                .indexes
                .iter()
                .find(|i| i.index == index)
                .map(|i| i.sk.as_str()),
        }
    }
}

/// What must hold for an op to apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Condition {
    /// Nothing.
    Always,
    /// No item under the key (an expired one counts as absent).
    Absent,
    /// An item under the key.
    Present,
    /// An item under the key at this version.
    Version(u64),
}

impl Condition {
    /// Whether the condition holds for the stored item's version (`None`: absent).
    pub fn holds(self, current: Option<u64>) -> bool {
        match self {
            Condition::Always => true,
            Condition::Absent => current.is_none(),
            Condition::Present => current.is_some(),
            Condition::Version(v) => current == Some(v),
        }
    }
}

/// One operation of a transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// Writes the item (replacing any under its key).
    Put { item: Item, condition: Condition },
    /// Removes the item under the key.
    Delete { key: Key, condition: Condition },
    /// Only checks the condition.
    Check { key: Key, condition: Condition },
}

impl Op {
    /// The item the op is about.
    pub fn key(&self) -> &Key {
        match self {
            Op::Put { item, .. } => &item.key,
            Op::Delete { key, .. } | Op::Check { key, .. } => key,
        }
    }

    pub fn condition(&self) -> Condition {
        match self {
            Op::Put { condition, .. }
            | Op::Delete { condition, .. }
            | Op::Check { condition, .. } => *condition,
        }
    }
}

/// Which sort keys a query takes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SortCondition {
    Any,
    Equals(String),
    BeginsWith(String),
    /// Inclusive bounds.
    Between(String, String),
    AtLeast(String),
    AtMost(String),
}

impl SortCondition {
    pub fn matches(&self, sk: &str) -> bool {
        match self {
            SortCondition::Any => true,
            SortCondition::Equals(v) => sk == v,
            SortCondition::BeginsWith(p) => sk.starts_with(p.as_str()),
            SortCondition::Between(lo, hi) => lo.as_str() <= sk && sk <= hi.as_str(),
            SortCondition::AtLeast(lo) => lo.as_str() <= sk,
            SortCondition::AtMost(hi) => sk <= hi.as_str(),
        }
    }
}

/// Where a page ended: the last item's sort key in the queried index and its primary key.
/// The next page starts after it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Position {
    pub index_sk: String,
    pub key: Key,
}

/// A query of one partition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Query {
    pub index: Index,
    pub partition: String,
    pub sort: SortCondition,
    /// Highest sort key first.
    pub descending: bool,
    /// Most items in the page (1 to [`MAX_PAGE_ITEMS`]).
    pub limit: usize,
    /// Continue after this position.
    pub after: Option<Position>,
}

impl Query {
    /// The first page of every item of `partition` in `index`, ascending.
    pub fn partition(index: Index, partition: impl Into<String>, limit: usize) -> Self {
        Query {
            index,
            partition: partition.into(),
            sort: SortCondition::Any,
            descending: false,
            limit,
            after: None,
        }
    }
}

/// One item of a page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    pub key: Key,
    pub version: u64,
    /// Its sort key in the queried index.
    pub index_sk: String,
    /// The body (primary key queries) or the summary (secondary index queries).
    pub data: String,
}

impl Found {
    /// Where the next page starts if this is the last item of a page.
    pub fn position(&self) -> Position {
        Position {
            index_sk: self.index_sk.clone(),
            key: self.key.clone(),
        }
    }
}

/// A page of a query: its items in index order and, when more may follow, where they start.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Page {
    pub items: Vec<Found>,
    pub next: Option<Position>,
}

/// A limit of DynamoDB's that a transaction would break.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LimitExceeded {
    #[error("a transaction has {0} operations; at most {MAX_TRANSACTION_OPS}")]
    TooManyOps(usize),
    #[error("a transaction has no operations")]
    NoOps,
    #[error("op {op} writes an item of {bytes} bytes; at most {MAX_ITEM_BYTES}")]
    ItemTooLarge { op: usize, bytes: usize },
    #[error("the transaction writes {0} bytes; at most {MAX_TRANSACTION_BYTES}")]
    TransactionTooLarge(usize),
    #[error("ops {first} and {second} are about the same item")]
    SameItemTwice { first: usize, second: usize },
    #[error("op {op} has a key that is empty, too long or contains NUL")]
    BadKey { op: usize },
    #[error("op {op} puts index entries without a summary for them to carry")]
    IndexWithoutSummary { op: usize },
    #[error("op {op} puts two entries in one index")]
    IndexTwice { op: usize },
    #[error("a query limit of {0}; from 1 to {MAX_PAGE_ITEMS}")]
    PageSize(usize),
    #[error("a query on the primary key or a secondary index with a bad partition or start key")]
    BadQuery,
}

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Op number `op` (0-based) found its condition false; nothing was written.
    #[error("op {op} failed its condition {condition:?}; stored version {current:?}")]
    ConditionFailed {
        op: usize,
        condition: Condition,
        /// The stored item's version, `None` when absent.
        current: Option<u64>,
    },
    /// The request breaks one of DynamoDB's limits; nothing was written.
    #[error("limit exceeded: {0}")]
    Limit(#[from] LimitExceeded),
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

fn key_ok(key: &str, max: usize) -> bool {
    !key.is_empty() && key.len() <= max && !key.contains('\0')
}

/// Checks a transaction against DynamoDB's limits and rules before anything is written.
pub fn check_transaction(ops: &[Op]) -> Result<(), LimitExceeded> {
    if ops.is_empty() {
        return Err(LimitExceeded::NoOps);
    }
    if ops.len() > MAX_TRANSACTION_OPS {
        return Err(LimitExceeded::TooManyOps(ops.len()));
    }
    let mut total = 0;
    let mut seen = std::collections::HashMap::with_capacity(ops.len());
    for (i, op) in ops.iter().enumerate() {
        let key = op.key();
        if !key_ok(&key.pk, MAX_PARTITION_KEY_BYTES) || !key_ok(&key.sk, MAX_SORT_KEY_BYTES) {
            return Err(LimitExceeded::BadKey { op: i });
        }
        if let Some(first) = seen.insert(key, i) {
            return Err(LimitExceeded::SameItemTwice { first, second: i });
        }
        if let Op::Put { item, .. } = op {
            let bytes = item.size();
            if bytes > MAX_ITEM_BYTES {
                return Err(LimitExceeded::ItemTooLarge { op: i, bytes });
            }
            total += bytes;
            for (n, entry) in item.indexes.iter().enumerate() {
                if entry.index == Index::Primary
                    || !key_ok(&entry.pk, MAX_PARTITION_KEY_BYTES)
                    || !key_ok(&entry.sk, MAX_SORT_KEY_BYTES)
                {
                    return Err(LimitExceeded::BadKey { op: i });
                }
                if item.indexes[..n].iter().any(|e| e.index == entry.index) {
                    return Err(LimitExceeded::IndexTwice { op: i });
                }
            }
            if !item.indexes.is_empty() && item.summary.is_none() {
                return Err(LimitExceeded::IndexWithoutSummary { op: i });
            }
        }
    }
    if total > MAX_TRANSACTION_BYTES {
        return Err(LimitExceeded::TransactionTooLarge(total));
    }
    Ok(())
}

/// Checks a query before it is sent.
pub fn check_query(query: &Query) -> Result<(), LimitExceeded> {
    if query.limit == 0 || query.limit > MAX_PAGE_ITEMS {
        return Err(LimitExceeded::PageSize(query.limit));
    }
    let max_sk = MAX_SORT_KEY_BYTES;
    let start_ok = query.after.as_ref().is_none_or(|p| {
        key_ok(&p.key.pk, MAX_PARTITION_KEY_BYTES)
            && key_ok(&p.key.sk, max_sk)
            && key_ok(&p.index_sk, max_sk)
            && (query.index != Index::Primary
                || (p.key.pk == query.partition && p.key.sk == p.index_sk))
    });
    if !key_ok(&query.partition, MAX_PARTITION_KEY_BYTES) || !start_ok {
        return Err(LimitExceeded::BadQuery);
    }
    Ok(())
}

/// The item port: one implementation per backend.
#[async_trait]
pub trait ItemStore: Send + Sync {
    /// The item under `key`, unless absent or expired.
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError>;

    /// One page of a partition, in sort-key order (then primary key), skipping expired items.
    async fn query(&self, query: &Query) -> Result<Page, StoreError>;

    /// Applies every op or none. A false condition fails with
    /// [`StoreError::ConditionFailed`] naming the first failing op.
    async fn transact(&self, ops: Vec<Op>) -> Result<(), StoreError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put(pk: &str, body: usize) -> Op {
        Op::Put {
            item: Item {
                key: Key::new(pk, "x"),
                indexes: vec![],
                version: 1,
                expires_at: None,
                body: "a".repeat(body),
                summary: None,
            },
            condition: Condition::Always,
        }
    }

    #[test]
    fn a_transaction_over_one_hundred_ops_is_refused() {
        let ops: Vec<Op> = (0..101).map(|i| put(&format!("p{i}"), 1)).collect();
        assert_eq!(check_transaction(&ops), Err(LimitExceeded::TooManyOps(101)));
        assert_eq!(check_transaction(&ops[..100]), Ok(()));
    }

    #[test]
    fn an_item_over_400_kb_is_refused_counting_attribute_names() {
        let Op::Put { item, .. } = put("p", 0) else {
            unreachable!()
        };
        let room = MAX_ITEM_BYTES - item.size();
        assert_eq!(check_transaction(&[put("p", room)]), Ok(()));
        assert_eq!(
            check_transaction(&[put("p", room + 1)]),
            Err(LimitExceeded::ItemTooLarge {
                op: 0,
                bytes: MAX_ITEM_BYTES + 1
            })
        );
    }

    #[test]
    fn two_ops_on_one_item_are_refused() {
        assert_eq!(
            check_transaction(&[put("a", 1), put("b", 1), put("a", 1)]),
            Err(LimitExceeded::SameItemTwice {
                first: 0,
                second: 2
            })
        );
    }

    #[test]
    fn sort_conditions_match_like_dynamodb_key_conditions() {
        assert!(SortCondition::BeginsWith("2026#".into()).matches("2026#b"));
        assert!(!SortCondition::BeginsWith("2026#".into()).matches("2025#b"));
        let between = SortCondition::Between("b".into(), "d".into());
        assert!(between.matches("b") && between.matches("c") && between.matches("d"));
        assert!(!between.matches("da") && !between.matches("a"));
    }
}
