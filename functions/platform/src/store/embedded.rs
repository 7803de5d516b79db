//! The embedded store: redb in a data folder, with group commit.
//!
//! All writes go through one writer thread. It takes every write waiting in its queue, applies
//! each one's conditions and changes in a single redb transaction, commits once (one fsync), and
//! then answers every caller. Under concurrency many writes share a commit, so durable writes per
//! second exceed the disk's fsync rate; a lone write still commits at once.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use ovop_core::nomination::{AuditEntry, Nomination};
use ovop_core::round::Round;
use redb::{Database, ReadableDatabase, ReadableTable, Table, TableDefinition, WriteTransaction};
use serde::{Deserialize, Serialize};
use tokio::sync::{mpsc, oneshot};

use super::{
    Created, NominationQuery, NominationStore, RoundStore, Scope, StoreError, IDEMPOTENCY_TTL_SECS,
};

const NOMINATIONS: TableDefinition<&str, &[u8]> = TableDefinition::new("nominations");
/// `{regency}#{created_at}#{id}` → id; a province is a prefix of its regencies' codes.
const BY_REGENCY: TableDefinition<&str, &str> = TableDefinition::new("nominations_by_regency");
const AUDIT: TableDefinition<&str, &[u8]> = TableDefinition::new("audit");
const IDEMPOTENCY: TableDefinition<&str, &[u8]> = TableDefinition::new("idempotency");
const ROUNDS: TableDefinition<&str, &[u8]> = TableDefinition::new("rounds");

/// Most writes one commit takes.
const MAX_BATCH: usize = 512;

#[derive(Serialize, Deserialize)]
struct IdempotencyRecord {
    nomination_id: String,
    expires_at: i64,
}

enum WriteOp {
    CreateNomination {
        nomination: Box<Nomination>,
        audit: AuditEntry,
        idempotency: String,
        now: DateTime<Utc>,
        reply: oneshot::Sender<Result<Created, StoreError>>,
    },
    UpdateNomination {
        nomination: Box<Nomination>,
        expected_version: u64,
        audit: AuditEntry,
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
}

/// Counters of the writer thread, for benchmarks and logs.
#[derive(Debug, Default)]
pub struct CommitStats {
    /// Transactions committed (one fsync each).
    pub commits: AtomicU64,
    /// Writes those transactions carried.
    pub writes: AtomicU64,
    /// Time spent applying writes and committing (fsync included), in nanoseconds.
    pub busy_ns: AtomicU64,
    /// Of which committing, in nanoseconds.
    pub commit_ns: AtomicU64,
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
    let mut out = n.version.to_be_bytes().to_vec();
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
    /// Opens (or creates) the database file `ovop.redb` in `dir` and starts the writer thread.
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(dir).map_err(|e| StoreError::backend("create data folder", e))?;
        let db = Database::create(dir.join("ovop.redb")).map_err(backend("open database"))?;
        let db = Arc::new(db);
        // Create the tables once so readers never meet a missing table.
        {
            let txn = db.begin_write().map_err(backend("begin write"))?;
            txn.open_table(NOMINATIONS).map_err(backend("open table"))?;
            txn.open_table(BY_REGENCY).map_err(backend("open table"))?;
            txn.open_table(AUDIT).map_err(backend("open table"))?;
            txn.open_table(IDEMPOTENCY).map_err(backend("open table"))?;
            txn.open_table(ROUNDS).map_err(backend("open table"))?;
            txn.commit().map_err(backend("commit"))?;
        }
        let (tx, rx) = mpsc::unbounded_channel();
        let writer_db = Arc::clone(&db);
        let stats = Arc::new(CommitStats::default());
        let writer_stats = Arc::clone(&stats);
        std::thread::Builder::new()
            .name("ovop-store-writer".into())
            .spawn(move || writer_loop(&writer_db, rx, &writer_stats))
            .map_err(|e| StoreError::backend("start writer thread", e))?;
        Ok(EmbeddedStore {
            db,
            writes: tx,
            stats,
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

fn writer_loop(db: &Database, mut rx: mpsc::UnboundedReceiver<WriteOp>, stats: &CommitStats) {
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
        commit_batch(db, batch, stats);
        stats
            .busy_ns
            .fetch_add(started.elapsed().as_nanos() as u64, Ordering::Relaxed);
        stats.commits.fetch_add(1, Ordering::Relaxed);
        stats.writes.fetch_add(n, Ordering::Relaxed);
    }
}

/// A reply waiting for the commit.
enum Pending {
    Created(
        oneshot::Sender<Result<Created, StoreError>>,
        Result<Created, StoreError>,
    ),
    Done(
        oneshot::Sender<Result<(), StoreError>>,
        Result<(), StoreError>,
    ),
}

impl Pending {
    fn answer(self, commit_failed: Option<&str>) {
        let fail = |msg: &str| StoreError::backend("commit", msg.to_owned());
        // A send fails only when the caller went away; nothing to tell then.
        match (self, commit_failed) {
            (Pending::Created(tx, _), Some(msg)) => drop(tx.send(Err(fail(msg)))),
            (Pending::Created(tx, result), None) => drop(tx.send(result)),
            (Pending::Done(tx, _), Some(msg)) => drop(tx.send(Err(fail(msg)))),
            (Pending::Done(tx, result), None) => drop(tx.send(result)),
        }
    }
}

fn commit_batch(db: &Database, mut batch: Vec<WriteOp>, stats: &CommitStats) {
    let txn = match db.begin_write() {
        Ok(txn) => txn,
        Err(e) => {
            let msg = e.to_string();
            for op in batch {
                op_into_pending(op).answer(Some(&msg));
            }
            return;
        }
    };
    let mut pending = Vec::with_capacity(batch.len());
    let mut storage_failure: Option<String> = None;
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
                if let Pending::Created(_, Err(StoreError::Backend { context, source }))
                | Pending::Done(_, Err(StoreError::Backend { context, source })) = &p
                {
                    storage_failure.get_or_insert_with(|| format!("{context}: {source}"));
                }
                pending.push(p);
            }
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
            let result = txn.commit().err().map(|e| e.to_string());
            stats
                .commit_ns
                .fetch_add(started.elapsed().as_nanos() as u64, Ordering::Relaxed);
            result
        }
    };
    if let Some(msg) = &failure {
        tracing::error!(error = %msg, "embedded store commit failed");
    }
    for p in pending {
        p.answer(failure.as_deref());
    }
}

/// The tables of one write transaction.
struct Tables<'t> {
    nominations: Table<'t, &'static str, &'static [u8]>,
    by_regency: Table<'t, &'static str, &'static str>,
    audit: Table<'t, &'static str, &'static [u8]>,
    idempotency: Table<'t, &'static str, &'static [u8]>,
    rounds: Table<'t, &'static str, &'static [u8]>,
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
        })
    }
}

fn op_into_pending(op: WriteOp) -> Pending {
    let skipped = || StoreError::backend("batch", "skipped after an earlier failure");
    match op {
        WriteOp::CreateNomination { reply, .. } => Pending::Created(reply, Err(skipped())),
        WriteOp::UpdateNomination { reply, .. }
        | WriteOp::CreateRound { reply, .. }
        | WriteOp::UpdateRound { reply, .. } => Pending::Done(reply, Err(skipped())),
    }
}

fn apply(txn: &mut Tables<'_>, op: WriteOp) -> Pending {
    match op {
        WriteOp::CreateNomination {
            nomination,
            audit,
            idempotency,
            now,
            reply,
        } => Pending::Created(
            reply,
            create_nomination(txn, &nomination, &audit, &idempotency, now),
        ),
        WriteOp::UpdateNomination {
            nomination,
            expected_version,
            audit,
            reply,
        } => Pending::Done(
            reply,
            update_nomination(txn, &nomination, expected_version, &audit),
        ),
        WriteOp::CreateRound { round, reply } => Pending::Done(reply, put_round(txn, &round, None)),
        WriteOp::UpdateRound {
            round,
            expected_version,
            reply,
        } => Pending::Done(reply, put_round(txn, &round, Some(expected_version))),
    }
}

fn create_nomination(
    t: &mut Tables<'_>,
    n: &Nomination,
    audit: &AuditEntry,
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
    t.idempotency
        .insert(idempotency, encode(&record)?.as_slice())
        .map_err(backend("write idempotency"))?;
    t.nominations
        .insert(n.id.as_str(), encode_nomination(n)?.as_slice())
        .map_err(backend("write nomination"))?;
    t.by_regency
        .insert(regency_key(n).as_str(), n.id.as_str())
        .map_err(backend("write index"))?;
    t.audit
        .insert(audit_key(audit).as_str(), encode(audit)?.as_slice())
        .map_err(backend("write audit"))?;
    Ok(Created::New)
}

fn update_nomination(
    t: &mut Tables<'_>,
    n: &Nomination,
    expected_version: u64,
    audit: &AuditEntry,
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
    t.nominations
        .insert(n.id.as_str(), encode_nomination(n)?.as_slice())
        .map_err(backend("write nomination"))?;
    t.audit
        .insert(audit_key(audit).as_str(), encode(audit)?.as_slice())
        .map_err(backend("write audit"))?;
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
    t.rounds
        .insert(round.id.as_str(), encode(round)?.as_slice())
        .map_err(backend("write round"))?;
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
        nomination: &Nomination,
        audit: &AuditEntry,
        creator: &str,
        idempotency_key: &str,
        now: DateTime<Utc>,
    ) -> Result<Created, StoreError> {
        let nomination = Box::new(nomination.clone());
        let audit = audit.clone();
        let idempotency = format!("create#{creator}#{idempotency_key}");
        self.send(|reply| WriteOp::CreateNomination {
            nomination,
            audit,
            idempotency,
            now,
            reply,
        })
        .await
    }

    async fn get_nomination(&self, id: &str) -> Result<Option<Nomination>, StoreError> {
        let id = id.to_owned();
        self.read(move |db| {
            let txn = db.begin_read().map_err(backend("begin read"))?;
            let noms = txn
                .open_table(NOMINATIONS)
                .map_err(backend("open nominations"))?;
            noms.get(id.as_str())
                .map_err(backend("read nomination"))?
                .map(|g| decode_nomination(g.value()))
                .transpose()
        })
        .await
    }

    async fn update_nomination(
        &self,
        nomination: &Nomination,
        expected_version: u64,
        audit: &AuditEntry,
    ) -> Result<(), StoreError> {
        let nomination = Box::new(nomination.clone());
        let audit = audit.clone();
        self.send(|reply| WriteOp::UpdateNomination {
            nomination,
            expected_version,
            audit,
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
        let id = id.to_owned();
        self.read(move |db| {
            let txn = db.begin_read().map_err(backend("begin read"))?;
            let rounds = txn.open_table(ROUNDS).map_err(backend("open rounds"))?;
            rounds
                .get(id.as_str())
                .map_err(backend("read round"))?
                .map(|g| decode(g.value()))
                .transpose()
        })
        .await
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
