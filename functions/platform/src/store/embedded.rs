//! The embedded item store: redb in a data folder, with group commit through a write-ahead log.
//!
//! All writes go through one writer thread. It takes every transaction waiting in its queue,
//! checks each one's conditions and applies its ops in a single redb transaction, appends the
//! changes to the write-ahead log as one record with one `fdatasync`, then commits (without a
//! sync of its own: the log already holds it) and answers every caller. Readers therefore only
//! see what is on disk. Under concurrency many transactions share a record, so durable writes per
//! second exceed the disk's fsync rate; a lone write is still made durable at once.
//!
//! When the log is full, the batch at hand is committed durably instead (a checkpoint) and the
//! log starts over. Opening the store replays the records the last checkpoint does not include.
//!
//! Layout (all keys are bytes; item keys hold no NUL, so NUL separates their parts):
//! - `items`: `pk 0 sk` → record (format byte, version, expiry, index keys, summary, body);
//! - `index_entries`: `index pk 0 index sk 0 pk 0 sk` → nothing; every put and delete moves them,
//!   so an item whose indexed attribute changes leaves its old index partition;
//! - `expiry`: `expires_at (8 bytes) pk 0 sk` → nothing; the writer deletes expired items a few
//!   at a time, as DynamoDB's TTL does (reads treat them as absent meanwhile);
//! - `meta`: the format version and the last log record the database includes.

use std::ops::Bound;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use async_trait::async_trait;
use redb::{
    Database, Durability, ReadableDatabase, ReadableTable, ReadableTableMetadata, Table,
    TableDefinition, WriteTransaction,
};
use tokio::sync::{mpsc, oneshot};

use super::item::{
    check_query, check_transaction, Condition, Found, Index, IndexKey, Item, ItemStore, Key, Op,
    Page, Query, SortCondition, StoreError,
};
use super::recent::Recent;
use super::wal::WriteAheadLog;
use crate::clock::{Clock, SystemClock};

const ITEMS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("items");
const INDEX: TableDefinition<&[u8], &[u8]> = TableDefinition::new("index_entries");
const EXPIRY: TableDefinition<&[u8], &[u8]> = TableDefinition::new("expiry");
const META: TableDefinition<&str, u64> = TableDefinition::new("meta");
/// Key in `META`: the last log record the durable database includes.
const CHECKPOINTED_SEQ: &str = "log_checkpointed_seq";
/// Key in `META`: the layout's version.
const FORMAT_KEY: &str = "format";
/// The layout described above. Data folders of the earlier, per-entity layout are refused.
const FORMAT: u64 = 2;
/// The first byte of every log record's payload: how its changes are encoded. Format 3: then,
/// LZ4-compressed, the batch's item puts (item key and record) and deletes (item key), in the
/// order they were applied.
const LOG_FORMAT: u8 = 3;
/// The first byte of every item record.
const RECORD_FORMAT: u8 = 1;
/// The write-ahead log's file in the data folder.
const LOG_FILE: &str = "ovop.wal";

/// redb's page cache, which also holds the pages of commits not yet checkpointed.
const CACHE_BYTES: usize = 64 << 20;

/// Size of the write-ahead log unless told otherwise: with records compressed, tens of
/// thousands of writes between checkpoints.
pub const DEFAULT_LOG_BYTES: u64 = 32 << 20;

/// Most transactions one commit takes.
const MAX_BATCH: usize = 512;
/// Expired items the writer deletes per batch at most.
const PURGE_PER_BATCH: usize = 16;
/// Decoded items kept per cache generation (two generations are kept): a submit or an edit
/// right after a create or a read finds its item without reading the database.
const RECENT_ITEMS: usize = 8192;

/// The tables an item write touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TableId {
    Items,
    Index,
    Expiry,
}

const PUT: u8 = 1;
const DELETE: u8 = 2;

/// redb-backed item store for the local app and tests.
#[derive(Clone)]
pub struct EmbeddedStore {
    db: Arc<Database>,
    writes: mpsc::UnboundedSender<Request>,
    stats: Arc<CommitStats>,
    recent: Arc<Recent<Item>>,
    clock: Arc<dyn Clock>,
}

/// Counters of the writer thread, for benchmarks and logs.
#[derive(Debug, Default)]
pub struct CommitStats {
    /// Batches the writer took, each one redb transaction.
    pub commits: AtomicU64,
    /// Transactions those batches carried.
    pub writes: AtomicU64,
    /// Records appended to the write-ahead log, one `fdatasync` each (batches that changed
    /// nothing and checkpoints append none).
    pub log_records: AtomicU64,
    /// Time spent applying writes and committing (fsync included), in nanoseconds.
    pub busy_ns: AtomicU64,
    /// Of which making the batch durable (log append and sync, commit), in nanoseconds.
    pub commit_ns: AtomicU64,
    /// Of which appending to the log and waiting for its sync, in nanoseconds.
    pub log_ns: AtomicU64,
    /// Checkpoints: durable database commits after which the log starts over.
    pub checkpoints: AtomicU64,
    /// Time spent in checkpoints, in nanoseconds.
    pub checkpoint_ns: AtomicU64,
}

fn backend<E: Into<redb::Error>>(context: &'static str) -> impl FnOnce(E) -> StoreError {
    move |e| StoreError::backend(context, e.into())
}

// ---- byte layout ----------------------------------------------------------------------------

/// `pk 0 sk`: the item's key in `items`, and the cache's.
fn item_key(key: &Key) -> String {
    let mut k = String::with_capacity(key.pk.len() + 1 + key.sk.len());
    k.push_str(&key.pk);
    k.push('\0');
    k.push_str(&key.sk);
    k
}

fn split_item_key(bytes: &[u8]) -> Result<Key, StoreError> {
    let text = std::str::from_utf8(bytes).map_err(|e| StoreError::backend("decode key", e))?;
    let (pk, sk) = text
        .split_once('\0')
        .ok_or_else(|| StoreError::backend("decode key", "item key without separator"))?;
    Ok(Key::new(pk, sk))
}

/// The start of every entry of one index partition.
fn index_prefix(index: Index, pk: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(2 + pk.len());
    k.push(index.number());
    k.extend_from_slice(pk.as_bytes());
    k.push(0);
    k
}

fn index_entry(entry: &IndexKey, key: &Key) -> Vec<u8> {
    let mut k = index_prefix(entry.index, &entry.pk);
    k.extend_from_slice(entry.sk.as_bytes());
    k.push(0);
    k.extend_from_slice(item_key(key).as_bytes());
    k
}

/// `index sk`, `pk`, `sk` of an index entry, after its partition prefix.
fn split_index_entry(rest: &[u8]) -> Result<(String, Key), StoreError> {
    let text = std::str::from_utf8(rest).map_err(|e| StoreError::backend("decode index", e))?;
    let mut parts = text.splitn(3, '\0');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(isk), Some(pk), Some(sk)) => Ok((isk.to_owned(), Key::new(pk, sk))),
        _ => Err(StoreError::backend("decode index", "malformed index entry")),
    }
}

fn expiry_entry(at: i64, key: &Key) -> Vec<u8> {
    // Offset so that byte order is numeric order for negative instants too.
    let mut k = ((at as u64) ^ (1 << 63)).to_be_bytes().to_vec();
    k.extend_from_slice(item_key(key).as_bytes());
    k
}

fn put_sized(out: &mut Vec<u8>, bytes: &[u8]) -> Result<(), StoreError> {
    let len = u32::try_from(bytes.len()).map_err(|e| StoreError::backend("encode", e))?;
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(bytes);
    Ok(())
}

/// Reads bytes off the front of a record.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], StoreError> {
        if self.0.len() < n {
            return Err(StoreError::backend("decode record", "record ends early"));
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn byte(&mut self) -> Result<u8, StoreError> {
        Ok(self.take(1)?[0])
    }

    fn u64(&mut self) -> Result<u64, StoreError> {
        let mut b = [0u8; 8];
        b.copy_from_slice(self.take(8)?);
        Ok(u64::from_be_bytes(b))
    }

    fn sized(&mut self) -> Result<&'a [u8], StoreError> {
        let mut b = [0u8; 4];
        b.copy_from_slice(self.take(4)?);
        self.take(u32::from_le_bytes(b) as usize)
    }

    fn text(&mut self) -> Result<String, StoreError> {
        let bytes = self.sized()?;
        std::str::from_utf8(bytes)
            .map(str::to_owned)
            .map_err(|e| StoreError::backend("decode record", e))
    }
}

const HAS_EXPIRY: u8 = 1;
const HAS_SUMMARY: u8 = 2;

/// An item's record in `items`: everything but its key.
fn encode_record(item: &Item) -> Result<Vec<u8>, StoreError> {
    let mut out = Vec::with_capacity(
        64 + item.body.len() + item.summary.as_ref().map_or(0, String::len) + 128,
    );
    out.push(RECORD_FORMAT);
    out.extend_from_slice(&item.version.to_be_bytes());
    let flags = if item.expires_at.is_some() {
        HAS_EXPIRY
    } else {
        0
    } | if item.summary.is_some() {
        HAS_SUMMARY
    } else {
        0
    };
    out.push(flags);
    if let Some(at) = item.expires_at {
        out.extend_from_slice(&at.to_be_bytes());
    }
    out.push(item.indexes.len() as u8);
    for entry in &item.indexes {
        out.push(entry.index.number());
        put_sized(&mut out, entry.pk.as_bytes())?;
        put_sized(&mut out, entry.sk.as_bytes())?;
    }
    if let Some(summary) = &item.summary {
        put_sized(&mut out, summary.as_bytes())?;
    }
    out.extend_from_slice(item.body.as_bytes());
    Ok(out)
}

/// The head of a record: what conditions and index maintenance need.
struct Head {
    version: u64,
    expires_at: Option<i64>,
    indexes: Vec<IndexKey>,
}

fn decode_head<'a>(r: &mut Reader<'a>) -> Result<(Head, u8), StoreError> {
    if r.byte()? != RECORD_FORMAT {
        return Err(StoreError::backend(
            "decode record",
            "unknown record format",
        ));
    }
    let version = r.u64()?;
    let flags = r.byte()?;
    let expires_at = if flags & HAS_EXPIRY != 0 {
        Some(r.u64()? as i64)
    } else {
        None
    };
    let n = r.byte()?;
    let mut indexes = Vec::with_capacity(n as usize);
    for _ in 0..n {
        let index = Index::from_number(r.byte()?)
            .ok_or_else(|| StoreError::backend("decode record", "unknown index"))?;
        let pk = r.text()?;
        let sk = r.text()?;
        indexes.push(IndexKey { index, pk, sk });
    }
    Ok((
        Head {
            version,
            expires_at,
            indexes,
        },
        flags,
    ))
}

fn decode_record(key: Key, bytes: &[u8]) -> Result<Item, StoreError> {
    let mut r = Reader(bytes);
    let (head, flags) = decode_head(&mut r)?;
    let summary = if flags & HAS_SUMMARY != 0 {
        Some(r.text()?)
    } else {
        None
    };
    Ok(Item {
        key,
        indexes: head.indexes,
        version: head.version,
        expires_at: head.expires_at,
        body: std::str::from_utf8(r.0)
            .map_err(|e| StoreError::backend("decode record", e))?
            .to_owned(),
        summary,
    })
}

// ---- requests to the writer -----------------------------------------------------------------

/// One op, encoded by the caller so that the writer thread, which every write waits for,
/// spends its time on the database only.
struct EncodedOp {
    key: Key,
    /// `pk 0 sk`.
    item_key: String,
    condition: Condition,
    write: Write,
}

enum Write {
    Put {
        record: Vec<u8>,
        links: Links,
        item: Arc<Item>,
    },
    Delete,
    Check,
}

impl EncodedOp {
    fn of(op: Op) -> Result<Self, StoreError> {
        let condition = op.condition();
        Ok(match op {
            Op::Put { item, .. } => EncodedOp {
                item_key: item_key(&item.key),
                key: item.key.clone(),
                condition,
                write: Write::Put {
                    record: encode_record(&item)?,
                    links: Links {
                        index_entries: item
                            .indexes
                            .iter()
                            .map(|e| index_entry(e, &item.key))
                            .collect(),
                        expiry: item.expires_at.map(|at| expiry_entry(at, &item.key)),
                    },
                    item: Arc::new(item),
                },
            },
            Op::Delete { key, .. } => EncodedOp {
                item_key: item_key(&key),
                key,
                condition,
                write: Write::Delete,
            },
            Op::Check { key, .. } => EncodedOp {
                item_key: item_key(&key),
                key,
                condition,
                write: Write::Check,
            },
        })
    }
}

/// A transaction waiting for the writer.
struct Request {
    ops: Vec<EncodedOp>,
    /// Seconds since the epoch when it was sent: expired items count as absent.
    now: i64,
    /// Its changes for the log ([`log_entries`]), empty when it only checks.
    log: Vec<u8>,
    reply: oneshot::Sender<Result<(), StoreError>>,
}

impl EmbeddedStore {
    /// Opens (or creates) the database `ovop.redb` and its log `ovop.wal` in `dir`, replays
    /// what the log holds beyond the last checkpoint, and starts the writer thread.
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        Self::open_with(dir, DEFAULT_LOG_BYTES, Arc::new(SystemClock))
    }

    /// [`Self::open`] with a write-ahead log of `log_bytes` (a smaller log checkpoints sooner)
    /// and the clock that decides expiry.
    pub fn open_with(
        dir: &Path,
        log_bytes: u64,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, StoreError> {
        std::fs::create_dir_all(dir).map_err(|e| StoreError::backend("create data folder", e))?;
        let db = redb::Builder::new()
            .set_cache_size(CACHE_BYTES)
            .create(dir.join("ovop.redb"))
            .map_err(backend("open database"))?;
        let db = Arc::new(db);
        let checkpointed = prepare(&db, dir)?;
        let (mut wal, records) = WriteAheadLog::open(&dir.join(LOG_FILE), log_bytes, checkpointed)
            .map_err(|e| StoreError::backend("open write-ahead log", e))?;
        let mut last = checkpointed;
        if let Some(final_record) = records.last() {
            last = final_record.seq;
            let txn = db.begin_write().map_err(backend("begin write"))?;
            {
                let mut tables = Tables::open(&txn)?;
                for record in &records {
                    replay(&mut tables, &record.payload)?;
                }
                tables
                    .meta
                    .insert(CHECKPOINTED_SEQ, last)
                    .map_err(backend("write checkpoint"))?;
            }
            txn.commit().map_err(backend("commit replayed log"))?;
            tracing::info!(
                records = records.len(),
                from = checkpointed + 1,
                through = last,
                "write-ahead log replayed"
            );
        }
        wal.restart();
        let (tx, rx) = mpsc::unbounded_channel();
        let stats = Arc::new(CommitStats::default());
        let recent = Arc::new(Recent::new(RECENT_ITEMS));
        let mut writer = Writer {
            db: Arc::clone(&db),
            wal,
            next_seq: last + 1,
            broken: None,
            stats: Arc::clone(&stats),
            recent: Arc::clone(&recent),
        };
        std::thread::Builder::new()
            .name("ovop-store-writer".into())
            .spawn(move || writer.run(rx))
            .map_err(|e| StoreError::backend("start writer thread", e))?;
        Ok(EmbeddedStore {
            db,
            writes: tx,
            stats,
            recent,
            clock,
        })
    }

    /// Counters so far: writes per commit is the group-commit factor; busy time over wall time
    /// is the writer's utilisation.
    pub fn commit_stats(&self) -> &CommitStats {
        &self.stats
    }

    fn now(&self) -> i64 {
        self.clock.now().timestamp()
    }
}

/// Creates the tables (so readers never meet a missing one), checks the layout's version and
/// returns the last checkpointed log record.
fn prepare(db: &Database, dir: &Path) -> Result<u64, StoreError> {
    let txn = db.begin_write().map_err(backend("begin write"))?;
    let known = ["items", "index_entries", "expiry", "meta"];
    let foreign: Vec<String> = txn
        .list_tables()
        .map_err(backend("list tables"))?
        .map(|t| redb::TableHandle::name(&t).to_owned())
        .filter(|name| !known.contains(&name.as_str()))
        .collect();
    if !foreign.is_empty() {
        return Err(StoreError::backend(
            "open database",
            format!(
                "the data folder {} holds an earlier layout (tables {foreign:?}); delete the \
                 folder to start afresh (README: local data)",
                dir.display()
            ),
        ));
    }
    let checkpointed = {
        let mut tables = Tables::open(&txn)?;
        let format = tables
            .meta
            .get(FORMAT_KEY)
            .map_err(backend("read format"))?
            .map(|g| g.value());
        match format {
            Some(FORMAT) => {}
            None if tables.items.is_empty().map_err(backend("read items"))? => {
                tables
                    .meta
                    .insert(FORMAT_KEY, FORMAT)
                    .map_err(backend("write format"))?;
            }
            other => {
                return Err(StoreError::backend(
                    "open database",
                    format!("unknown layout version {other:?} in {}", dir.display()),
                ))
            }
        }
        let seq = tables
            .meta
            .get(CHECKPOINTED_SEQ)
            .map_err(backend("read checkpoint"))?
            .map(|g| g.value());
        seq.unwrap_or(0)
    };
    txn.commit().map_err(backend("commit"))?;
    Ok(checkpointed)
}

/// The byte range of one partition under a sort condition, narrowed to what follows `after`.
fn range_of(prefix: &[u8], sort: &SortCondition) -> (Vec<u8>, Vec<u8>) {
    let with = |s: &str, tail: &[u8]| {
        let mut k = prefix.to_vec();
        k.extend_from_slice(s.as_bytes());
        k.extend_from_slice(tail);
        k
    };
    // Lower bounds are inclusive, upper bounds exclusive. An index entry continues after its
    // sort key with NUL, so "sort key ≤ hi" ends just before `hi` followed by byte 1; UTF-8
    // never contains byte 0xFF, so "starts with p" ends before `p` followed by 0xFF.
    match sort {
        SortCondition::Any => (prefix.to_vec(), with("", &[0xFF])),
        SortCondition::Equals(v) => (with(v, &[]), with(v, &[1])),
        SortCondition::BeginsWith(p) => (with(p, &[]), with(p, &[0xFF])),
        SortCondition::Between(lo, hi) => (with(lo, &[]), with(hi, &[1])),
        SortCondition::AtLeast(lo) => (with(lo, &[]), with("", &[0xFF])),
        SortCondition::AtMost(hi) => (prefix.to_vec(), with(hi, &[1])),
    }
}

#[async_trait]
impl ItemStore for EmbeddedStore {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        let cache_key = item_key(key);
        let found = self.recent.get_or_read(&cache_key, || {
            let txn = self.db.begin_read().map_err(backend("begin read"))?;
            let items = txn.open_table(ITEMS).map_err(backend("open items"))?;
            items
                .get(cache_key.as_bytes())
                .map_err(backend("read item"))?
                .map(|g| decode_record(key.clone(), g.value()))
                .transpose()
        })?;
        let now = self.now();
        Ok(found
            .filter(|item| !item.expired(now))
            .map(|item| Item::clone(&item)))
    }

    async fn query(&self, query: &Query) -> Result<Page, StoreError> {
        check_query(query)?;
        let now = self.now();
        let txn = self.db.begin_read().map_err(backend("begin read"))?;
        let items = txn.open_table(ITEMS).map_err(backend("open items"))?;
        let primary = query.index == Index::Primary;
        let prefix = if primary {
            let mut p = query.partition.as_bytes().to_vec();
            p.push(0);
            p
        } else {
            index_prefix(query.index, &query.partition)
        };
        let (mut lower, mut upper) = (
            Bound::Included(range_of(&prefix, &query.sort).0),
            Bound::Excluded(range_of(&prefix, &query.sort).1),
        );
        if let Some(after) = &query.after {
            let at = if primary {
                let mut k = prefix.clone();
                k.extend_from_slice(after.key.sk.as_bytes());
                k
            } else {
                let entry = IndexKey {
                    index: query.index,
                    pk: query.partition.clone(),
                    sk: after.index_sk.clone(),
                };
                index_entry(&entry, &after.key)
            };
            if query.descending {
                if let Bound::Excluded(hi) = &upper {
                    if at < *hi {
                        upper = Bound::Excluded(at);
                    }
                }
            } else if let Bound::Included(lo) = &lower {
                if at >= *lo {
                    lower = Bound::Excluded(at);
                }
            }
        }
        let (lo, hi) = match (&lower, &upper) {
            (Bound::Included(lo) | Bound::Excluded(lo), Bound::Excluded(hi)) => (lo, hi),
            _ => unreachable!("bounds are built above"),
        };
        if lo >= hi {
            return Ok(Page::default());
        }
        let bounds = (
            lower.as_ref().map(Vec::as_slice),
            upper.as_ref().map(Vec::as_slice),
        );
        let index = txn.open_table(INDEX).map_err(backend("open index"))?;
        let table = if primary { &items } else { &index };
        let range = table.range::<&[u8]>(bounds).map_err(backend("scan"))?;
        let range: Box<dyn Iterator<Item = _>> = if query.descending {
            Box::new(range.rev())
        } else {
            Box::new(range)
        };
        let mut out = Vec::with_capacity(query.limit.min(64) + 1);
        let mut more = false;
        for entry in range {
            let (k, v) = entry.map_err(backend("scan"))?;
            // An item, or an index entry that names its item.
            let (index_sk, item) = if primary {
                let item = decode_record(split_item_key(k.value())?, v.value())?;
                (item.key.sk.clone(), item)
            } else {
                let (index_sk, key) = split_index_entry(&k.value()[prefix.len()..])?;
                let record = items
                    .get(item_key(&key).as_bytes())
                    .map_err(backend("read item"))?
                    .ok_or_else(|| {
                        StoreError::backend("scan index", format!("entry without its item {key}"))
                    })?;
                (index_sk, decode_record(key, record.value())?)
            };
            if item.expired(now) {
                continue;
            }
            if out.len() == query.limit {
                more = true;
                break;
            }
            out.push(Found {
                index_sk,
                key: item.key,
                version: item.version,
                data: if primary {
                    item.body
                } else {
                    item.summary.unwrap_or_default()
                },
            });
        }
        let next = if more {
            out.last().map(Found::position)
        } else {
            None
        };
        Ok(Page { items: out, next })
    }

    async fn transact(&self, ops: Vec<Op>) -> Result<(), StoreError> {
        check_transaction(&ops)?;
        let ops = ops
            .into_iter()
            .map(EncodedOp::of)
            .collect::<Result<Vec<_>, _>>()?;
        let log = log_entries(&ops)?;
        let (reply, answer) = oneshot::channel();
        self.writes
            .send(Request {
                ops,
                now: self.now(),
                log,
                reply,
            })
            .map_err(|_| StoreError::backend("queue write", "writer thread stopped"))?;
        answer
            .await
            .map_err(|_| StoreError::backend("await write", "writer thread dropped the write"))?
    }
}

// ---- the writer thread ----------------------------------------------------------------------

/// The writer thread's state: the database, the log and the next record's number.
struct Writer {
    db: Arc<Database>,
    wal: WriteAheadLog,
    next_seq: u64,
    /// Set when the log or the database failed in a way that leaves their agreement unknown;
    /// from then on every write is refused until the store is opened again (which replays).
    broken: Option<String>,
    stats: Arc<CommitStats>,
    recent: Arc<Recent<Item>>,
}

/// What a committed transaction makes current in the cache.
enum Publish {
    Put(String, Arc<Item>),
    Forget(String),
}

/// A reply waiting for the commit.
struct Pending {
    reply: oneshot::Sender<Result<(), StoreError>>,
    result: Result<(), StoreError>,
    publish: Vec<Publish>,
}

impl Writer {
    fn run(&mut self, mut rx: mpsc::UnboundedReceiver<Request>) {
        while let Some(first) = rx.blocking_recv() {
            let mut batch = vec![first];
            while batch.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(req) => batch.push(req),
                    Err(_) => break,
                }
            }
            let n = batch.len() as u64;
            let started = std::time::Instant::now();
            self.commit_batch(batch);
            let stats = &self.stats;
            stats
                .busy_ns
                .fetch_add(started.elapsed().as_nanos() as u64, Ordering::Relaxed);
            stats.commits.fetch_add(1, Ordering::Relaxed);
            stats.writes.fetch_add(n, Ordering::Relaxed);
        }
        // Every handle is gone: leave a database that needs no replay.
        if self.broken.is_none() && self.wal.used() > 0 {
            if let Err(e) = self.checkpoint_alone() {
                tracing::warn!(error = %e, "checkpoint at close failed; the log will be replayed");
            }
        }
    }

    fn commit_batch(&mut self, batch: Vec<Request>) {
        let failed = |batch: Vec<Request>, msg: &str| {
            for req in batch {
                let _ = req
                    .reply
                    .send(Err(StoreError::backend("commit", msg.to_owned())));
            }
        };
        if let Some(msg) = &self.broken {
            return failed(batch, msg);
        }
        let mut txn = match self.db.begin_write() {
            Ok(txn) => txn,
            Err(e) => return failed(batch, &e.to_string()),
        };
        if let Err(e) = txn.set_durability(Durability::None) {
            let _ = txn.abort();
            return failed(batch, &e.to_string());
        }
        let now = batch.iter().map(|r| r.now).max().unwrap_or(0);
        let mut pending = Vec::with_capacity(batch.len() + 1);
        // The log entries of every transaction applied.
        let mut entries = Vec::new();
        // Tables are opened once per batch; they must be closed before the commit.
        let applied = Tables::open(&txn).and_then(|mut tables| {
            for req in batch {
                let mut publish = Vec::new();
                let result = apply(&mut tables, &req.ops, req.now, &mut publish);
                if let Err(StoreError::Backend { context, source }) = &result {
                    // The transaction is in an unknown state: nothing in this batch commits.
                    let msg = format!("{context}: {source}");
                    let _ = req
                        .reply
                        .send(Err(StoreError::backend("apply", msg.clone())));
                    return Err(StoreError::backend("apply", msg));
                }
                if result.is_ok() {
                    entries.extend_from_slice(&req.log);
                }
                pending.push(Pending {
                    reply: req.reply,
                    result,
                    publish,
                });
            }
            let mut publish = Vec::new();
            let purged = purge_expired(&mut tables, now, &mut publish)?;
            if !purged.is_empty() {
                entries.extend_from_slice(&delete_entries(&purged)?);
                let (reply, _) = oneshot::channel();
                pending.push(Pending {
                    reply,
                    result: Ok(()),
                    publish,
                });
            }
            Ok(entries)
        });
        let failure = match applied {
            Err(e) => {
                let _ = txn.abort();
                Some(e.to_string())
            }
            Ok(changes) => {
                let started = std::time::Instant::now();
                let result = self.make_durable(txn, changes);
                self.stats
                    .commit_ns
                    .fetch_add(started.elapsed().as_nanos() as u64, Ordering::Relaxed);
                result.err()
            }
        };
        if let Some(msg) = &failure {
            tracing::error!(error = %msg, "embedded store commit failed");
        }
        for p in pending {
            match (&failure, p.result) {
                (Some(msg), _) => {
                    let _ = p
                        .reply
                        .send(Err(StoreError::backend("commit", msg.clone())));
                }
                (None, result) => {
                    if result.is_ok() {
                        for publish in p.publish {
                            match publish {
                                Publish::Put(key, item) => self.recent.publish(&key, item),
                                Publish::Forget(key) => self.recent.forget(&key),
                            }
                        }
                    }
                    // A send fails only when the caller went away; nothing to tell then.
                    let _ = p.reply.send(result);
                }
            }
        }
    }

    /// Logs the batch's changes and commits them; when the log is full, commits durably and
    /// starts the log over instead.
    fn make_durable(&mut self, txn: WriteTransaction, changes: Vec<u8>) -> Result<(), String> {
        if changes.is_empty() {
            // Refused writes and checks only: nothing to keep.
            let _ = txn.abort();
            return Ok(());
        }
        let seq = self.next_seq;
        let started = std::time::Instant::now();
        // A batch's entries are alike (JSON of the same shapes): compressed together they
        // shrink several times, and every byte not written is time saved on the sync.
        let mut record = vec![LOG_FORMAT];
        record.extend_from_slice(&lz4_flex::compress_prepend_size(&changes));
        let appended = self.wal.append(seq, &record);
        self.stats
            .log_ns
            .fetch_add(started.elapsed().as_nanos() as u64, Ordering::Relaxed);
        match appended {
            Ok(true) => {
                self.stats.log_records.fetch_add(1, Ordering::Relaxed);
            }
            Ok(false) => {
                // The log is full: this batch's own durable commit is the checkpoint.
                self.checkpoint(txn, seq)?;
                self.next_seq += 1;
                return Ok(());
            }
            Err(e) => {
                let _ = txn.abort();
                return Err(self.break_down(format!("write-ahead log: {e}")));
            }
        }
        self.next_seq += 1;
        if let Err(e) = txn.commit() {
            // The log holds the batch: opening the store again replays it.
            return Err(self.break_down(format!("commit after logging: {e}")));
        }
        Ok(())
    }

    /// Commits `txn` durably as including every record through `seq`; the log starts over.
    fn checkpoint(&mut self, mut txn: WriteTransaction, seq: u64) -> Result<(), String> {
        let started = std::time::Instant::now();
        let done = (|| -> Result<(), StoreError> {
            txn.open_table(META)
                .map_err(backend("open meta"))?
                .insert(CHECKPOINTED_SEQ, seq)
                .map_err(backend("write checkpoint"))?;
            txn.set_durability(Durability::Immediate)
                .map_err(|e| StoreError::backend("checkpoint durability", e))?;
            txn.commit().map_err(backend("checkpoint commit"))
        })();
        self.stats
            .checkpoint_ns
            .fetch_add(started.elapsed().as_nanos() as u64, Ordering::Relaxed);
        done.map_err(|e| e.to_string())?;
        self.wal.restart();
        self.stats.checkpoints.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// A checkpoint with no batch of its own.
    fn checkpoint_alone(&mut self) -> Result<(), String> {
        let txn = self.db.begin_write().map_err(|e| e.to_string())?;
        self.checkpoint(txn, self.next_seq - 1)
    }

    fn break_down(&mut self, msg: String) -> String {
        tracing::error!(error = %msg, "embedded store stops taking writes until it is reopened");
        self.broken = Some(msg.clone());
        msg
    }
}

/// The tables of one write transaction.
struct Tables<'t> {
    items: Table<'t, &'static [u8], &'static [u8]>,
    index: Table<'t, &'static [u8], &'static [u8]>,
    expiry: Table<'t, &'static [u8], &'static [u8]>,
    meta: Table<'t, &'static str, u64>,
}

impl<'t> Tables<'t> {
    fn open(txn: &'t WriteTransaction) -> Result<Self, StoreError> {
        Ok(Tables {
            items: txn.open_table(ITEMS).map_err(backend("open items"))?,
            index: txn.open_table(INDEX).map_err(backend("open index"))?,
            expiry: txn.open_table(EXPIRY).map_err(backend("open expiry"))?,
            meta: txn.open_table(META).map_err(backend("open meta"))?,
        })
    }

    fn table(&mut self, table: TableId) -> &mut Table<'t, &'static [u8], &'static [u8]> {
        match table {
            TableId::Items => &mut self.items,
            TableId::Index => &mut self.index,
            TableId::Expiry => &mut self.expiry,
        }
    }

    fn put(&mut self, table: TableId, key: &[u8], value: &[u8]) -> Result<(), StoreError> {
        self.table(table)
            .insert(key, value)
            .map(drop)
            .map_err(backend("write"))
    }

    fn delete(&mut self, table: TableId, key: &[u8]) -> Result<(), StoreError> {
        self.table(table)
            .remove(key)
            .map(drop)
            .map_err(backend("delete"))
    }

    /// The head of the stored record under an item key, decoded in place.
    fn head(&self, item_key: &str) -> Result<Option<Head>, StoreError> {
        match self
            .items
            .get(item_key.as_bytes())
            .map_err(backend("read item"))?
        {
            Some(g) => Ok(Some(decode_head(&mut Reader(g.value()))?.0)),
            None => Ok(None),
        }
    }
}

/// Checks every condition of one transaction, then applies its ops; a false condition leaves
/// the database as it was.
fn apply(
    t: &mut Tables<'_>,
    ops: &[EncodedOp],
    now: i64,
    publish: &mut Vec<Publish>,
) -> Result<(), StoreError> {
    let mut olds = Vec::with_capacity(ops.len());
    for (i, op) in ops.iter().enumerate() {
        let old = t.head(&op.item_key)?;
        let current = old
            .as_ref()
            .filter(|h| h.expires_at.is_none_or(|at| at > now))
            .map(|h| h.version);
        if !op.condition.holds(current) {
            return Err(StoreError::ConditionFailed {
                op: i,
                condition: op.condition,
                current,
            });
        }
        olds.push(old);
    }
    for (op, old) in ops.iter().zip(olds) {
        match &op.write {
            Write::Put {
                record,
                links,
                item,
            } => {
                put_item(t, &op.key, &op.item_key, record, links, old.as_ref())?;
                publish.push(Publish::Put(op.item_key.clone(), Arc::clone(item)));
            }
            Write::Delete => {
                if let Some(old) = &old {
                    delete_item(t, &op.key, &op.item_key, old)?;
                    publish.push(Publish::Forget(op.item_key.clone()));
                }
            }
            Write::Check => {}
        }
    }
    Ok(())
}

/// An item's entries in the other tables: its index entries and its expiry entry.
struct Links {
    index_entries: Vec<Vec<u8>>,
    expiry: Option<Vec<u8>>,
}

impl Links {
    fn of(key: &Key, head: &Head) -> Links {
        Links {
            index_entries: head.indexes.iter().map(|e| index_entry(e, key)).collect(),
            expiry: head.expires_at.map(|at| expiry_entry(at, key)),
        }
    }

    fn all(&self) -> impl Iterator<Item = (TableId, &Vec<u8>)> {
        self.index_entries
            .iter()
            .map(|k| (TableId::Index, k))
            .chain(self.expiry.iter().map(|k| (TableId::Expiry, k)))
    }
}

/// Writes an item's record and moves its index and expiry entries from the `old` record's to
/// the new one's (entries both have stay untouched).
fn put_item(
    t: &mut Tables<'_>,
    key: &Key,
    item_key: &str,
    record: &[u8],
    new: &Links,
    old: Option<&Head>,
) -> Result<(), StoreError> {
    let old = old.map(|h| Links::of(key, h));
    let had = |k: &Vec<u8>| old.as_ref().is_some_and(|o| o.all().any(|(_, e)| e == k));
    if let Some(old) = &old {
        for (table, entry) in old.all() {
            if !new.all().any(|(_, e)| e == entry) {
                t.delete(table, entry)?;
            }
        }
    }
    t.put(TableId::Items, item_key.as_bytes(), record)?;
    for (table, entry) in new.all() {
        if !had(entry) {
            t.put(table, entry, &[])?;
        }
    }
    Ok(())
}

/// Removes an item's record and its index and expiry entries.
fn delete_item(
    t: &mut Tables<'_>,
    key: &Key,
    item_key: &str,
    old: &Head,
) -> Result<(), StoreError> {
    for (table, entry) in Links::of(key, old).all() {
        t.delete(table, entry)?;
    }
    t.delete(TableId::Items, item_key.as_bytes())
}

/// Deletes a few items whose expiry has passed, as DynamoDB's TTL does in the background;
/// returns their keys (for the log).
fn purge_expired(
    t: &mut Tables<'_>,
    now: i64,
    publish: &mut Vec<Publish>,
) -> Result<Vec<String>, StoreError> {
    let until = expiry_entry(now, &Key::new("", ""));
    let due: Vec<Vec<u8>> = t
        .expiry
        .range::<&[u8]>(..until.as_slice())
        .map_err(backend("scan expiry"))?
        .take(PURGE_PER_BATCH)
        .map(|e| e.map(|(k, _)| k.value().to_vec()))
        .collect::<Result<_, _>>()
        .map_err(backend("scan expiry"))?;
    let mut purged = Vec::new();
    for entry in due {
        let key = split_item_key(&entry[8..])?;
        let item_key = item_key(&key);
        match t.head(&item_key)? {
            Some(head) => {
                delete_item(t, &key, &item_key, &head)?;
                publish.push(Publish::Forget(item_key.clone()));
                purged.push(item_key);
            }
            // An entry without its item cannot come from this store; drop it all the same.
            None => t.delete(TableId::Expiry, &entry)?,
        }
    }
    Ok(purged)
}

/// One transaction's changes as the log keeps them: its puts (item key and record) and
/// deletes (item key). Built by the request's task, off the writer thread.
fn log_entries(ops: &[EncodedOp]) -> Result<Vec<u8>, StoreError> {
    let mut raw = Vec::new();
    for op in ops {
        match &op.write {
            Write::Put { record, .. } => {
                raw.push(PUT);
                put_sized(&mut raw, op.item_key.as_bytes())?;
                put_sized(&mut raw, record)?;
            }
            Write::Delete => {
                raw.push(DELETE);
                put_sized(&mut raw, op.item_key.as_bytes())?;
            }
            Write::Check => {}
        }
    }
    Ok(raw)
}

/// Log entries of the deletes of items the writer purged.
fn delete_entries(item_keys: &[String]) -> Result<Vec<u8>, StoreError> {
    let mut raw = Vec::new();
    for k in item_keys {
        raw.push(DELETE);
        put_sized(&mut raw, k.as_bytes())?;
    }
    Ok(raw)
}

/// Applies the changes of one log record again, through the same item writes as the writer
/// (so index and expiry entries move exactly as they did).
fn replay(tables: &mut Tables<'_>, payload: &[u8]) -> Result<(), StoreError> {
    let fail = |what: &str| StoreError::backend("replay log", what.to_owned());
    let mut r = Reader(payload);
    if r.byte()? != LOG_FORMAT {
        return Err(fail("unknown log record format"));
    }
    let entries = lz4_flex::decompress_size_prepended(r.0)
        .map_err(|e| StoreError::backend("replay log", e))?;
    let mut c = Reader(&entries);
    while !c.0.is_empty() {
        let kind = c.byte()?;
        let key_text = std::str::from_utf8(c.sized()?)
            .map_err(|e| StoreError::backend("replay log", e))?
            .to_owned();
        let key = split_item_key(key_text.as_bytes())?;
        let old = tables.head(&key_text)?;
        match kind {
            PUT => {
                let record = c.sized()?;
                let new = Links::of(&key, &decode_head(&mut Reader(record))?.0);
                put_item(tables, &key, &key_text, record, &new, old.as_ref())?;
            }
            DELETE => {
                if let Some(old) = &old {
                    delete_item(tables, &key, &key_text, old)?;
                }
            }
            _ => return Err(fail("unknown change")),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_decodes_to_the_item_it_encodes() {
        let item = Item {
            key: Key::new("NOM#1", "NOM"),
            indexes: vec![IndexKey {
                index: Index::Gsi2,
                pk: "PROV#33".into(),
                sk: "ovop-2026#x".into(),
            }],
            version: 7,
            expires_at: Some(-5),
            body: "{\"a\":1}".into(),
            summary: Some("{}".into()),
        };
        let record = encode_record(&item).unwrap();
        assert_eq!(decode_record(item.key.clone(), &record).unwrap(), item);
    }

    #[test]
    fn a_transactions_log_entries_hold_its_writes_only() {
        let body = r#"{"ikm":{"name":"Gerabah","nib":"9120001234567"},"status":"SUBMITTED"}"#;
        let item = Item {
            key: Key::new("NOM#1", "NOM"),
            indexes: vec![],
            version: 1,
            expires_at: None,
            body: body.repeat(20),
            summary: None,
        };
        let op = EncodedOp::of(Op::Put {
            item,
            condition: Condition::Absent,
        })
        .unwrap();
        let entries = log_entries(std::slice::from_ref(&op)).unwrap();
        assert!(entries.len() > body.len() * 20, "the record travels whole");
        assert!(lz4_flex::compress_prepend_size(&entries).len() < body.len() * 20 / 4);
        let check = EncodedOp::of(Op::Check {
            key: Key::new("NOM#1", "NOM"),
            condition: Condition::Present,
        })
        .unwrap();
        assert!(
            log_entries(&[check]).unwrap().is_empty(),
            "a check logs nothing"
        );
    }

    #[test]
    fn expiry_entries_sort_by_instant() {
        let k = Key::new("a", "b");
        assert!(expiry_entry(-1, &k) < expiry_entry(0, &k));
        assert!(expiry_entry(0, &k) < expiry_entry(1_900_000_000, &k));
    }
}
