//! Typed repositories over the item port: an entity declares its keys, indexes and version
//! ([`Entity`]); reading, writing and listing it needs no adapter code.

use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::item::{
    Condition, Found, Index, IndexKey, Item, ItemStore, Key, Op, Position, Query, SortCondition,
    StoreError,
};

/// Something stored as one item.
pub trait Entity: Serialize + DeserializeOwned + Send + Sync + 'static {
    /// The entity's name, for logs and errors.
    const KIND: &'static str;
    /// What secondary-index queries return: a list row.
    type Summary: Serialize + DeserializeOwned + Send;
    /// Its identifier, as callers name it.
    type Id: ?Sized;

    /// The item key of the entity named `id`.
    fn key_of(id: &Self::Id) -> Key;
    /// Its own item key.
    fn key(&self) -> Key;
    /// Its optimistic-locking version.
    fn version(&self) -> u64;
    /// Its entries in the secondary indexes.
    fn index_keys(&self) -> Vec<IndexKey> {
        Vec::new()
    }
    /// When it expires (seconds since the epoch), if ever.
    fn expires_at(&self) -> Option<i64> {
        None
    }
    /// Its list row; required when it has index entries.
    fn summary(&self) -> Option<Self::Summary> {
        None
    }
}

fn encode<T: Serialize>(kind: &str, value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::backend(format!("encode {kind}"), e))
}

fn decode<T: DeserializeOwned>(kind: &str, text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::backend(format!("decode {kind}"), e))
}

/// The item that stores `entity`.
pub fn item_of<E: Entity>(entity: &E) -> Result<Item, StoreError> {
    Ok(Item {
        key: entity.key(),
        indexes: entity.index_keys(),
        version: entity.version(),
        expires_at: entity.expires_at(),
        body: encode(E::KIND, entity)?,
        summary: entity.summary().map(|s| encode(E::KIND, &s)).transpose()?,
    })
}

/// The ops of one all-or-nothing write, built entity by entity.
#[derive(Debug, Default)]
pub struct Tx {
    ops: Vec<Op>,
}

impl Tx {
    pub fn new() -> Self {
        Tx::default()
    }

    fn push(&mut self, op: Op) -> usize {
        self.ops.push(op);
        self.ops.len() - 1
    }

    /// Writes a new entity; fails if one exists under its key. Returns the op's number.
    pub fn create<E: Entity>(&mut self, entity: &E) -> Result<usize, StoreError> {
        let item = item_of(entity)?;
        Ok(self.push(Op::Put {
            item,
            condition: Condition::Absent,
        }))
    }

    /// Replaces an entity stored at `expected_version`.
    pub fn update<E: Entity>(
        &mut self,
        entity: &E,
        expected_version: u64,
    ) -> Result<usize, StoreError> {
        let item = item_of(entity)?;
        Ok(self.push(Op::Put {
            item,
            condition: Condition::Version(expected_version),
        }))
    }

    /// Deletes the entity `id` if it is at `expected_version`.
    pub fn delete<E: Entity>(&mut self, id: &E::Id, expected_version: u64) -> usize {
        self.push(Op::Delete {
            key: E::key_of(id),
            condition: Condition::Version(expected_version),
        })
    }

    /// Checks, without writing, that the entity `id` is as `condition` says.
    pub fn check<E: Entity>(&mut self, id: &E::Id, condition: Condition) -> usize {
        self.push(Op::Check {
            key: E::key_of(id),
            condition,
        })
    }

    pub fn len(&self) -> usize {
        self.ops.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }
}

/// A partition-merged list: one or more partitions of one index (a sharded index has several),
/// read in sort-key order as if they were one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listing {
    pub index: Index,
    pub partitions: Vec<String>,
    pub sort: SortCondition,
    pub descending: bool,
}

impl Listing {
    /// Every item of one partition, ascending.
    pub fn of(index: Index, partition: impl Into<String>) -> Self {
        Listing {
            index,
            partitions: vec![partition.into()],
            sort: SortCondition::Any,
            descending: false,
        }
    }

    pub fn sorted(mut self, sort: SortCondition) -> Self {
        self.sort = sort;
        self
    }

    pub fn descending(mut self) -> Self {
        self.descending = true;
        self
    }
}

/// Where a listing stopped, per partition.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Progress {
    Start,
    After(Position),
    Done,
}

/// Where the next page of a listing starts. Opaque to clients (the API seals it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListCursor {
    pub partitions: Vec<Progress>,
}

/// A page of a listing.
#[derive(Clone, Debug, PartialEq)]
pub struct ListPage<T> {
    pub items: Vec<T>,
    pub next: Option<ListCursor>,
}

/// How many rounds of reads a filtered listing makes at most to fill one page: a rare filter
/// gives a short page with a cursor rather than unbounded work.
const MAX_FILL_ROUNDS: usize = 4;

/// The store as the functions use it: typed reads, listings and transactions over one item
/// port.
#[derive(Clone)]
pub struct Store {
    items: Arc<dyn ItemStore>,
}

impl Store {
    pub fn new(items: Arc<dyn ItemStore>) -> Self {
        Store { items }
    }

    /// The item port underneath.
    pub fn items(&self) -> &Arc<dyn ItemStore> {
        &self.items
    }

    /// The entity `id`, if stored.
    pub async fn get<E: Entity>(&self, id: &E::Id) -> Result<Option<E>, StoreError> {
        self.items
            .get(&E::key_of(id))
            .await?
            .map(|item| decode(E::KIND, &item.body))
            .transpose()
    }

    /// Writes every op of `tx` or none.
    pub async fn commit(&self, tx: Tx) -> Result<(), StoreError> {
        self.items.transact(tx.ops).await
    }

    /// Every item of a short listing (a nomination's documents, say), page after page.
    pub async fn list_all<T: DeserializeOwned>(
        &self,
        kind: &str,
        listing: &Listing,
    ) -> Result<Vec<T>, StoreError> {
        let mut out = Vec::new();
        let mut cursor = None;
        loop {
            let page = self.list(kind, listing, 200, cursor, |_: &T| true).await?;
            out.extend(page.items);
            match page.next {
                Some(next) => cursor = Some(next),
                None => return Ok(out),
            }
        }
    }

    /// A page of the listing's summaries (or bodies on the primary index, `T = E`), merged
    /// across its partitions, keeping those `keep` accepts.
    pub async fn list<T: DeserializeOwned>(
        &self,
        kind: &str,
        listing: &Listing,
        limit: usize,
        cursor: Option<ListCursor>,
        keep: impl Fn(&T) -> bool,
    ) -> Result<ListPage<T>, StoreError> {
        let mut progress = match cursor {
            Some(c) if c.partitions.len() == listing.partitions.len() => c.partitions,
            Some(_) => return Err(StoreError::Limit(super::item::LimitExceeded::BadQuery)),
            None => vec![Progress::Start; listing.partitions.len()],
        };
        let mut out = Vec::with_capacity(limit);
        for _ in 0..MAX_FILL_ROUNDS {
            let wanted = limit - out.len();
            // Read the next `wanted` items of every unfinished partition…
            let mut fetched: Vec<(usize, Found)> = Vec::new();
            let mut exhausted = vec![false; progress.len()];
            for (p, partition) in listing.partitions.iter().enumerate() {
                let after = match &progress[p] {
                    Progress::Done => continue,
                    Progress::Start => None,
                    Progress::After(pos) => Some(pos.clone()),
                };
                let page = self
                    .items
                    .query(&Query {
                        index: listing.index,
                        partition: partition.clone(),
                        sort: listing.sort.clone(),
                        descending: listing.descending,
                        limit: wanted,
                        after,
                    })
                    .await?;
                exhausted[p] = page.next.is_none();
                fetched.extend(page.items.into_iter().map(|f| (p, f)));
            }
            // …merge them in index order and take the first `wanted`.
            fetched.sort_by(|(_, a), (_, b)| {
                let order = (&a.index_sk, &a.key).cmp(&(&b.index_sk, &b.key));
                if listing.descending {
                    order.reverse()
                } else {
                    order
                }
            });
            let mut taken = vec![0usize; progress.len()];
            let mut fetched_per = vec![0usize; progress.len()];
            for (p, _) in &fetched {
                fetched_per[*p] += 1;
            }
            for (p, found) in fetched.into_iter().take(wanted) {
                taken[p] += 1;
                progress[p] = Progress::After(found.position());
                let value: T = decode(kind, &found.data)?;
                if keep(&value) {
                    out.push(value);
                }
            }
            for p in 0..progress.len() {
                if exhausted[p] && taken[p] == fetched_per[p] {
                    progress[p] = Progress::Done;
                }
            }
            let finished = progress.iter().all(|p| *p == Progress::Done);
            if finished || out.len() >= limit {
                break;
            }
        }
        let finished = progress.iter().all(|p| *p == Progress::Done);
        Ok(ListPage {
            items: out,
            next: (!finished).then_some(ListCursor {
                partitions: progress,
            }),
        })
    }
}
