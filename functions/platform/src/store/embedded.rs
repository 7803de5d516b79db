//! The embedded store: redb in a data folder, with group commit through a write-ahead log.
//!
//! All writes go through one writer thread. It takes every write waiting in its queue, applies
//! each one's conditions and changes in a single redb transaction, appends the changes to the
//! write-ahead log as one record with one `fdatasync`, then commits the transaction (without a
//! sync of its own: the log already holds it) and answers every caller. Readers therefore only
//! see what is on disk. Under concurrency many writes share a record, so durable writes per
//! second exceed the disk's fsync rate; a lone write is still made durable at once.
//!
//! When the log is full, the batch at hand is committed durably instead (a checkpoint) and the
//! log starts over. Opening the store replays the records the last checkpoint does not include.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use ovop_core::nomination::{AuditEntry, Nomination};
use ovop_core::round::Round;
use redb::{
    Database, Durability, ReadableDatabase, ReadableTable, Table, TableDefinition, WriteTransaction,
};
use serde::{Deserialize, Serialize};
use tokio::sync::{mpsc, oneshot};

use super::recent::Recent;
use super::wal::WriteAheadLog;
use super::{
    Created, NominationQuery, NominationStore, RoundStore, Scope, StoreError, IDEMPOTENCY_TTL_SECS,
};

const NOMINATIONS: TableDefinition<&str, &[u8]> = TableDefinition::new("nominations");
/// `{regency}#{created_at}#{id}` → id; a province is a prefix of its regencies' codes.
const BY_REGENCY: TableDefinition<&str, &str> = TableDefinition::new("nominations_by_regency");
const AUDIT: TableDefinition<&str, &[u8]> = TableDefinition::new("audit");
const IDEMPOTENCY: TableDefinition<&str, &[u8]> = TableDefinition::new("idempotency");
const ROUNDS: TableDefinition<&str, &[u8]> = TableDefinition::new("rounds");
const META: TableDefinition<&str, u64> = TableDefinition::new("meta");
/// Key in `META`: the last log record the durable database includes.
const CHECKPOINTED_SEQ: &str = "log_checkpointed_seq";
/// The write-ahead log's file in the data folder.
const LOG_FILE: &str = "ovop.wal";

/// redb's page cache, which also holds the pages of commits not yet checkpointed. redb's
/// default (1 GiB) let the intake bench's process grow to 311 MB in 10 s; with 64 MiB it
/// peaks at 190–215 MB (load generator included) at the same throughput.
const CACHE_BYTES: usize = 64 << 20;

/// Size of the write-ahead log unless told otherwise: with records compressed, tens of
/// thousands of nomination writes between checkpoints (the intake bench's 10 s run of ~100,000
/// writes needs none).
pub const DEFAULT_LOG_BYTES: u64 = 32 << 20;

/// The tables a logged change can touch, as numbered in the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TableId {
    Nominations = 1,
    ByRegency = 2,
    Audit = 3,
    Idempotency = 4,
    Rounds = 5,
}

impl TableId {
    fn from_byte(b: u8) -> Option<TableId> {
        [
            TableId::Nominations,
            TableId::ByRegency,
            TableId::Audit,
            TableId::Idempotency,
            TableId::Rounds,
        ]
        .into_iter()
        .find(|t| *t as u8 == b)
    }
}

/// Most writes one commit takes.
const MAX_BATCH: usize = 512;

/// Decoded nominations kept per cache generation (two generations are kept): a submit or an
/// edit right after a create or a read finds its nomination without decoding it again.
const RECENT_NOMINATIONS: usize = 4096;
/// Decoded rounds kept per generation: every create and submit checks its round.
const RECENT_ROUNDS: usize = 64;

/// Decoded records the writer publishes after each commit, shared with the readers.
#[derive(Clone)]
struct Caches {
    nominations: Arc<Recent<Nomination>>,
    rounds: Arc<Recent<Round>>,
}

/// What a successful write makes current.
enum Publish {
    Nomination(Arc<Nomination>),
    Round(Arc<Round>),
}

impl Publish {
    fn to(self, caches: &Caches) {
        match self {
            Publish::Nomination(n) => caches.nominations.publish(&n.id.clone(), n),
            Publish::Round(r) => caches.rounds.publish(&r.id.clone(), r),
        }
    }
}

#[derive(Serialize, Deserialize)]
struct IdempotencyRecord {
    nomination_id: String,
    expires_at: i64,
}

/// A nomination and its audit entry, encoded by the caller so that the writer thread, which
/// every write waits for, spends its time on the database only.
struct EncodedNomination {
    id: String,
    /// The nomination itself, for the cache once committed.
    value: Arc<Nomination>,
    record: Vec<u8>,
    regency_key: String,
    audit_key: String,
    audit: Vec<u8>,
}

impl EncodedNomination {
    fn of(n: Arc<Nomination>, audit: &AuditEntry) -> Result<Self, StoreError> {
        Ok(EncodedNomination {
            id: n.id.clone(),
            record: encode_nomination(&n)?,
            regency_key: regency_key(&n),
            audit_key: audit_key(audit),
            audit: encode(audit)?,
            value: n,
        })
    }
}

enum WriteOp {
    CreateNomination {
        nomination: EncodedNomination,
        idempotency: String,
        now: DateTime<Utc>,
        reply: oneshot::Sender<Result<Created, StoreError>>,
    },
    UpdateNomination {
        nomination: EncodedNomination,
        expected_version: u64,
        reply: oneshot::Sender<Result<(), StoreError>>,
    },
    CreateRound {
        round: Round,
        reply: oneshot::Sender<Result<(), StoreError>>,
    },
    UpdateRound {
        round: Round,
        expected_version: u64,
        reply: oneshot::Sender<Result<(), StoreError>>,
    },
}

/// redb-backed store for the local app and tests.
#[derive(Clone)]
pub struct EmbeddedStore {
    db: Arc<Database>,
    writes: mpsc::UnboundedSender<WriteOp>,
    stats: Arc<CommitStats>,
    caches: Caches,
}

/// Counters of the writer thread, for benchmarks and logs.
#[derive(Debug, Default)]
pub struct CommitStats {
    /// Batches the writer took, each one redb transaction.
    pub commits: AtomicU64,
    /// Writes those batches carried.
    pub writes: AtomicU64,
    /// Records appended to the write-ahead log, one `fdatasync` each (batches that changed
    /// nothing, such as idempotent replays, and checkpoints append none).
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

fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(value).map_err(|e| StoreError::backend("encode record", e))
}

fn decode<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::backend("decode record", e))
}

/// A nomination record: its version (8 bytes, big-endian), then its JSON. The version alone
/// decides a conditional write, so the writer need not decode the whole record.
fn encode_nomination(n: &Nomination) -> Result<Vec<u8>, StoreError> {
    // Room for a whole nomination: written without growing (and copying) the buffer.
    let mut out = Vec::with_capacity(2048);
    out.extend_from_slice(&n.version.to_be_bytes());
    serde_json::to_writer(&mut out, n).map_err(|e| StoreError::backend("encode record", e))?;
    Ok(out)
}

fn stored_version(bytes: &[u8]) -> u64 {
    let mut v = [0u8; 8];
    v.copy_from_slice(&bytes[..8]);
    u64::from_be_bytes(v)
}

fn decode_nomination(bytes: &[u8]) -> Result<Nomination, StoreError> {
    if bytes.len() < 8 {
        return Err(StoreError::backend(
            "decode record",
            "nomination record too short",
        ));
    }
    decode(&bytes[8..])
}

fn regency_key(n: &Nomination) -> String {
    format!("{}#{}#{}", n.regency_code, n.created_at.to_rfc3339(), n.id)
}

fn audit_key(a: &AuditEntry) -> String {
    format!("{}#{:020}", a.nomination_id, a.version)
}

impl EmbeddedStore {
    /// Opens (or creates) the database `ovop.redb` and its log `ovop.wal` in `dir`, replays
    /// what the log holds beyond the last checkpoint, and starts the writer thread.
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        Self::open_with_log(dir, DEFAULT_LOG_BYTES)
    }

    /// [`Self::open`] with a write-ahead log of `log_bytes` (a smaller log checkpoints sooner).
    pub fn open_with_log(dir: &Path, log_bytes: u64) -> Result<Self, StoreError> {
        std::fs::create_dir_all(dir).map_err(|e| StoreError::backend("create data folder", e))?;
        let db = redb::Builder::new()
            .set_cache_size(CACHE_BYTES)
            .create(dir.join("ovop.redb"))
            .map_err(backend("open database"))?;
        let db = Arc::new(db);
        // Create the tables once so readers never meet a missing table.
        let checkpointed = {
            let txn = db.begin_write().map_err(backend("begin write"))?;
            let checkpointed = {
                let tables = Tables::open(&txn)?;
                let seq = tables
                    .meta
                    .get(CHECKPOINTED_SEQ)
                    .map_err(backend("read checkpoint"))?
                    .map(|g| g.value());
                seq.unwrap_or(0)
            };
            txn.commit().map_err(backend("commit"))?;
            checkpointed
        };
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
        let caches = Caches {
            nominations: Arc::new(Recent::new(RECENT_NOMINATIONS)),
            rounds: Arc::new(Recent::new(RECENT_ROUNDS)),
        };
        let mut writer = Writer {
            db: Arc::clone(&db),
            wal,
            next_seq: last + 1,
            broken: None,
            stats: Arc::clone(&stats),
            caches: caches.clone(),
        };
        std::thread::Builder::new()
            .name("ovop-store-writer".into())
            .spawn(move || writer.run(rx))
            .map_err(|e| StoreError::backend("start writer thread", e))?;
        Ok(EmbeddedStore {
            db,
            writes: tx,
            stats,
            caches,
        })
    }

    /// Counters so far: writes per commit is the group-commit factor; busy time over wall time
    /// is the writer's utilisation.
    pub fn commit_stats(&self) -> &CommitStats {
        &self.stats
    }

    async fn send<T>(
        &self,
        op: impl FnOnce(oneshot::Sender<Result<T, StoreError>>) -> WriteOp,
    ) -> Result<T, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.writes
            .send(op(reply))
            .map_err(|_| StoreError::backend("queue write", "writer thread stopped"))?;
        answer
            .await
            .map_err(|_| StoreError::backend("await write", "writer thread dropped the write"))?
    }

    /// Runs a read transaction inline: redb reads never wait for the writer (MVCC) and take
    /// microseconds, cheaper than a hop to the blocking pool.
    async fn read<T>(
        &self,
        f: impl FnOnce(&Database) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        f(&self.db)
    }
}

/// The writer thread's state: the database, the log and the next record's number.
struct Writer {
    db: Arc<Database>,
    wal: WriteAheadLog,
    next_seq: u64,
    /// Set when the log or the database failed in a way that leaves their agreement unknown;
    /// from then on every write is refused until the store is opened again (which replays).
    broken: Option<String>,
    stats: Arc<CommitStats>,
    caches: Caches,
}

impl Writer {
    fn run(&mut self, mut rx: mpsc::UnboundedReceiver<WriteOp>) {
        while let Some(first) = rx.blocking_recv() {
            let mut batch = vec![first];
            while batch.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(op) => batch.push(op),
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

    fn commit_batch(&mut self, mut batch: Vec<WriteOp>) {
        let txn = match &self.broken {
            Some(msg) => Err(msg.clone()),
            None => self.db.begin_write().map_err(|e| e.to_string()),
        };
        let mut txn = match txn {
            Ok(txn) => txn,
            Err(msg) => {
                for op in batch {
                    op_into_pending(op).answer(Some(&msg), &self.caches);
                }
                return;
            }
        };
        let mut pending = Vec::with_capacity(batch.len());
        let mut storage_failure: Option<String> = txn
            .set_durability(Durability::None)
            .err()
            .map(|e| e.to_string());
        let mut changes = Vec::new();
        // Tables are opened once per batch; they must be closed before the commit.
        match Tables::open(&txn) {
            Err(e) => storage_failure = Some(e.to_string()),
            Ok(mut tables) => {
                for op in batch.drain(..) {
                    let p = if storage_failure.is_some() {
                        op_into_pending(op)
                    } else {
                        apply(&mut tables, op)
                    };
                    if let Pending::Created(_, Err(StoreError::Backend { context, source }), _)
                    | Pending::Done(_, Err(StoreError::Backend { context, source }), _) = &p
                    {
                        storage_failure.get_or_insert_with(|| format!("{context}: {source}"));
                    }
                    pending.push(p);
                }
                changes = std::mem::take(&mut tables.changes);
            }
        }
        pending.extend(batch.into_iter().map(op_into_pending));
        let failure = match storage_failure {
            Some(msg) => {
                let _ = txn.abort();
                Some(msg)
            }
            None => {
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
            p.answer(failure.as_deref(), &self.caches);
        }
    }

    /// Logs the batch's changes and commits them; when the log is full, commits durably and
    /// starts the log over instead.
    fn make_durable(&mut self, txn: WriteTransaction, changes: Vec<u8>) -> Result<(), String> {
        if changes.is_empty() {
            // Replays and refused writes only: nothing to keep.
            let _ = txn.abort();
            return Ok(());
        }
        let seq = self.next_seq;
        let started = std::time::Instant::now();
        let appended = self.wal.append(seq, &changes);
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

/// A reply waiting for the commit, with what the write makes current if it succeeded.
enum Pending {
    Created(
        oneshot::Sender<Result<Created, StoreError>>,
        Result<Created, StoreError>,
        Option<Publish>,
    ),
    Done(
        oneshot::Sender<Result<(), StoreError>>,
        Result<(), StoreError>,
        Option<Publish>,
    ),
}

impl Pending {
    /// Publishes a committed write to the caches, then answers its caller.
    fn answer(self, commit_failed: Option<&str>, caches: &Caches) {
        let fail = |msg: &str| StoreError::backend("commit", msg.to_owned());
        // A send fails only when the caller went away; nothing to tell then.
        match (self, commit_failed) {
            (Pending::Created(tx, _, _), Some(msg)) => drop(tx.send(Err(fail(msg)))),
            (Pending::Created(tx, result, publish), None) => {
                if let (Ok(Created::New), Some(p)) = (&result, publish) {
                    p.to(caches);
                }
                drop(tx.send(result))
            }
            (Pending::Done(tx, _, _), Some(msg)) => drop(tx.send(Err(fail(msg)))),
            (Pending::Done(tx, result, publish), None) => {
                if let (Ok(()), Some(p)) = (&result, publish) {
                    p.to(caches);
                }
                drop(tx.send(result))
            }
        }
    }
}

/// The tables of one write transaction.
struct Tables<'t> {
    nominations: Table<'t, &'static str, &'static [u8]>,
    by_regency: Table<'t, &'static str, &'static str>,
    audit: Table<'t, &'static str, &'static [u8]>,
    idempotency: Table<'t, &'static str, &'static [u8]>,
    rounds: Table<'t, &'static str, &'static [u8]>,
    meta: Table<'t, &'static str, u64>,
    /// Every change made through [`Tables::put`], encoded for the log.
    changes: Vec<u8>,
}

impl<'t> Tables<'t> {
    fn open(txn: &'t WriteTransaction) -> Result<Self, StoreError> {
        Ok(Tables {
            nominations: txn
                .open_table(NOMINATIONS)
                .map_err(backend("open nominations"))?,
            by_regency: txn.open_table(BY_REGENCY).map_err(backend("open index"))?,
            audit: txn.open_table(AUDIT).map_err(backend("open audit"))?,
            idempotency: txn
                .open_table(IDEMPOTENCY)
                .map_err(backend("open idempotency"))?,
            rounds: txn.open_table(ROUNDS).map_err(backend("open rounds"))?,
            meta: txn.open_table(META).map_err(backend("open meta"))?,
            changes: Vec::new(),
        })
    }

    /// Writes `value` under `key` and records the change for the log: table byte, then key and
    /// value, each with its length as a little-endian `u32`.
    fn put(&mut self, table: TableId, key: &str, value: &[u8]) -> Result<(), StoreError> {
        match table {
            TableId::Nominations => self
                .nominations
                .insert(key, value)
                .map(drop)
                .map_err(backend("write nomination")),
            TableId::ByRegency => {
                let id = std::str::from_utf8(value)
                    .map_err(|e| StoreError::backend("write index", e))?;
                self.by_regency
                    .insert(key, id)
                    .map(drop)
                    .map_err(backend("write index"))
            }
            TableId::Audit => self
                .audit
                .insert(key, value)
                .map(drop)
                .map_err(backend("write audit")),
            TableId::Idempotency => self
                .idempotency
                .insert(key, value)
                .map(drop)
                .map_err(backend("write idempotency")),
            TableId::Rounds => self
                .rounds
                .insert(key, value)
                .map(drop)
                .map_err(backend("write round")),
        }?;
        let len = |n: usize| {
            u32::try_from(n)
                .map(u32::to_le_bytes)
                .map_err(|e| StoreError::backend("encode change", e))
        };
        self.changes.push(table as u8);
        self.changes.extend_from_slice(&len(key.len())?);
        self.changes.extend_from_slice(key.as_bytes());
        self.changes.extend_from_slice(&len(value.len())?);
        self.changes.extend_from_slice(value);
        Ok(())
    }
}

/// Applies the changes of one log record again.
fn replay(tables: &mut Tables<'_>, mut changes: &[u8]) -> Result<(), StoreError> {
    fn take<'a>(bytes: &mut &'a [u8], n: usize) -> Result<&'a [u8], StoreError> {
        if bytes.len() < n {
            return Err(StoreError::backend("replay log", "record ends early"));
        }
        let (head, rest) = bytes.split_at(n);
        *bytes = rest;
        Ok(head)
    }
    fn sized<'a>(bytes: &mut &'a [u8]) -> Result<&'a [u8], StoreError> {
        let len = u32::from_le_bytes(take(bytes, 4)?.try_into().expect("4 bytes"));
        take(bytes, len as usize)
    }
    while !changes.is_empty() {
        let table = TableId::from_byte(take(&mut changes, 1)?[0])
            .ok_or_else(|| StoreError::backend("replay log", "unknown table"))?;
        let key = std::str::from_utf8(sized(&mut changes)?)
            .map_err(|e| StoreError::backend("replay log", e))?;
        let value = sized(&mut changes)?;
        tables.put(table, key, value)?;
    }
    Ok(())
}

fn op_into_pending(op: WriteOp) -> Pending {
    let skipped = || StoreError::backend("batch", "skipped after an earlier failure");
    match op {
        WriteOp::CreateNomination { reply, .. } => Pending::Created(reply, Err(skipped()), None),
        WriteOp::UpdateNomination { reply, .. }
        | WriteOp::CreateRound { reply, .. }
        | WriteOp::UpdateRound { reply, .. } => Pending::Done(reply, Err(skipped()), None),
    }
}

fn apply(txn: &mut Tables<'_>, op: WriteOp) -> Pending {
    match op {
        WriteOp::CreateNomination {
            nomination,
            idempotency,
            now,
            reply,
        } => Pending::Created(
            reply,
            create_nomination(txn, &nomination, &idempotency, now),
            Some(Publish::Nomination(nomination.value)),
        ),
        WriteOp::UpdateNomination {
            nomination,
            expected_version,
            reply,
        } => Pending::Done(
            reply,
            update_nomination(txn, &nomination, expected_version),
            Some(Publish::Nomination(nomination.value)),
        ),
        WriteOp::CreateRound { round, reply } => Pending::Done(
            reply,
            put_round(txn, &round, None),
            Some(Publish::Round(Arc::new(round))),
        ),
        WriteOp::UpdateRound {
            round,
            expected_version,
            reply,
        } => Pending::Done(
            reply,
            put_round(txn, &round, Some(expected_version)),
            Some(Publish::Round(Arc::new(round))),
        ),
    }
}

fn create_nomination(
    t: &mut Tables<'_>,
    n: &EncodedNomination,
    idempotency: &str,
    now: DateTime<Utc>,
) -> Result<Created, StoreError> {
    let earlier = t
        .idempotency
        .get(idempotency)
        .map_err(backend("read idempotency"))?
        .map(|g| decode::<IdempotencyRecord>(g.value()))
        .transpose()?;
    if let Some(record) = earlier.filter(|r| r.expires_at > now.timestamp()) {
        let stored = t
            .nominations
            .get(record.nomination_id.as_str())
            .map_err(backend("read nomination"))?
            .map(|g| decode_nomination(g.value()))
            .transpose()?
            .ok_or(StoreError::NotFound)?;
        return Ok(Created::Replayed(Box::new(stored)));
    }
    if t.nominations
        .get(n.id.as_str())
        .map_err(backend("read nomination"))?
        .is_some()
    {
        return Err(StoreError::AlreadyExists);
    }
    let record = IdempotencyRecord {
        nomination_id: n.id.clone(),
        expires_at: now.timestamp() + IDEMPOTENCY_TTL_SECS,
    };
    t.put(TableId::Idempotency, idempotency, &encode(&record)?)?;
    t.put(TableId::Nominations, &n.id, &n.record)?;
    t.put(TableId::ByRegency, &n.regency_key, n.id.as_bytes())?;
    t.put(TableId::Audit, &n.audit_key, &n.audit)?;
    Ok(Created::New)
}

fn update_nomination(
    t: &mut Tables<'_>,
    n: &EncodedNomination,
    expected_version: u64,
) -> Result<(), StoreError> {
    let current = t
        .nominations
        .get(n.id.as_str())
        .map_err(backend("read nomination"))?
        .map(|g| stored_version(g.value()))
        .ok_or(StoreError::NotFound)?;
    if current != expected_version {
        return Err(StoreError::VersionConflict { current });
    }
    t.put(TableId::Nominations, &n.id, &n.record)?;
    t.put(TableId::Audit, &n.audit_key, &n.audit)?;
    Ok(())
}

fn put_round(
    t: &mut Tables<'_>,
    round: &Round,
    expected_version: Option<u64>,
) -> Result<(), StoreError> {
    let current = t
        .rounds
        .get(round.id.as_str())
        .map_err(backend("read round"))?
        .map(|g| decode::<Round>(g.value()))
        .transpose()?;
    match (expected_version, current) {
        (None, Some(_)) => return Err(StoreError::AlreadyExists),
        (Some(_), None) => return Err(StoreError::NotFound),
        (Some(expected), Some(c)) if c.version != expected => {
            return Err(StoreError::VersionConflict { current: c.version })
        }
        _ => {}
    }
    t.put(TableId::Rounds, &round.id, &encode(round)?)?;
    Ok(())
}

fn prefix_end(prefix: &str) -> String {
    // '#' < '~': every key starting with the prefix sorts below prefix + '~'.
    format!("{prefix}~")
}

#[async_trait]
impl NominationStore for EmbeddedStore {
    async fn create_nomination(
        &self,
        nomination: Arc<Nomination>,
        audit: &AuditEntry,
        creator: &str,
        idempotency_key: &str,
        now: DateTime<Utc>,
    ) -> Result<Created, StoreError> {
        let nomination = EncodedNomination::of(nomination, audit)?;
        let idempotency = format!("create#{creator}#{idempotency_key}");
        self.send(|reply| WriteOp::CreateNomination {
            nomination,
            idempotency,
            now,
            reply,
        })
        .await
    }

    async fn get_nomination(&self, id: &str) -> Result<Option<Arc<Nomination>>, StoreError> {
        self.caches.nominations.get_or_read(id, || {
            let txn = self.db.begin_read().map_err(backend("begin read"))?;
            let noms = txn
                .open_table(NOMINATIONS)
                .map_err(backend("open nominations"))?;
            noms.get(id)
                .map_err(backend("read nomination"))?
                .map(|g| decode_nomination(g.value()))
                .transpose()
        })
    }

    async fn update_nomination(
        &self,
        nomination: Arc<Nomination>,
        expected_version: u64,
        audit: &AuditEntry,
    ) -> Result<(), StoreError> {
        let nomination = EncodedNomination::of(nomination, audit)?;
        self.send(|reply| WriteOp::UpdateNomination {
            nomination,
            expected_version,
            reply,
        })
        .await
    }

    async fn list_nominations(
        &self,
        query: &NominationQuery,
    ) -> Result<Vec<Nomination>, StoreError> {
        let query = query.clone();
        self.read(move |db| {
            let txn = db.begin_read().map_err(backend("begin read"))?;
            let noms = txn
                .open_table(NOMINATIONS)
                .map_err(backend("open nominations"))?;
            let index = txn.open_table(BY_REGENCY).map_err(backend("open index"))?;
            let prefix = match &query.scope {
                Scope::All => String::new(),
                Scope::Province(p) => format!("{p}."),
                Scope::Regency(r) => format!("{r}#"),
            };
            let mut out = Vec::new();
            let range = if prefix.is_empty() {
                index.iter().map_err(backend("scan index"))?
            } else {
                index
                    .range(prefix.as_str()..prefix_end(&prefix).as_str())
                    .map_err(backend("scan index"))?
            };
            for entry in range {
                let (_, id) = entry.map_err(backend("scan index"))?;
                let Some(bytes) = noms.get(id.value()).map_err(backend("read nomination"))? else {
                    continue;
                };
                let n = decode_nomination(bytes.value())?;
                if query.matches(&n) {
                    out.push(n);
                }
            }
            out.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
            Ok(out)
        })
        .await
    }

    async fn audit_trail(&self, nomination_id: &str) -> Result<Vec<AuditEntry>, StoreError> {
        let prefix = format!("{nomination_id}#");
        self.read(move |db| {
            let txn = db.begin_read().map_err(backend("begin read"))?;
            let trail = txn.open_table(AUDIT).map_err(backend("open audit"))?;
            let mut out = Vec::new();
            for entry in trail
                .range(prefix.as_str()..prefix_end(&prefix).as_str())
                .map_err(backend("scan audit"))?
            {
                let (_, v) = entry.map_err(backend("scan audit"))?;
                out.push(decode(v.value())?);
            }
            Ok(out)
        })
        .await
    }
}

#[async_trait]
impl RoundStore for EmbeddedStore {
    async fn create_round(&self, round: &Round) -> Result<(), StoreError> {
        let round = round.clone();
        self.send(|reply| WriteOp::CreateRound { round, reply })
            .await
    }

    async fn get_round(&self, id: &str) -> Result<Option<Round>, StoreError> {
        self.caches
            .rounds
            .get_or_read(id, || {
                let txn = self.db.begin_read().map_err(backend("begin read"))?;
                let rounds = txn.open_table(ROUNDS).map_err(backend("open rounds"))?;
                rounds
                    .get(id)
                    .map_err(backend("read round"))?
                    .map(|g| decode(g.value()))
                    .transpose()
            })
            .map(|found| found.map(|r| Round::clone(&r)))
    }

    async fn update_round(&self, round: &Round, expected_version: u64) -> Result<(), StoreError> {
        let round = round.clone();
        self.send(|reply| WriteOp::UpdateRound {
            round,
            expected_version,
            reply,
        })
        .await
    }

    async fn list_rounds(&self) -> Result<Vec<Round>, StoreError> {
        self.read(|db| {
            let txn = db.begin_read().map_err(backend("begin read"))?;
            let rounds = txn.open_table(ROUNDS).map_err(backend("open rounds"))?;
            let mut out: Vec<Round> = Vec::new();
            for entry in rounds.iter().map_err(backend("scan rounds"))? {
                let (_, v) = entry.map_err(backend("scan rounds"))?;
                out.push(decode(v.value())?);
            }
            out.sort_by_key(|r| std::cmp::Reverse(r.year));
            Ok(out)
        })
        .await
    }
}
