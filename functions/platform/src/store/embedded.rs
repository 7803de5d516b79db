//! The embedded store: redb in a data folder, with group commit.
//!
//! All writes go through one writer thread. It takes every write waiting in its queue, applies
//! each one's conditions and changes in a single redb transaction, commits once (one fsync), and
//! then answers every caller. Under concurrency many writes share a commit, so durable writes per
//! second exceed the disk's fsync rate; a lone write still commits at once.

use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use ovop_core::nomination::{AuditEntry, Nomination};
use ovop_core::round::Round;
use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition, WriteTransaction};
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
        std::thread::Builder::new()
            .name("ovop-store-writer".into())
            .spawn(move || writer_loop(&writer_db, rx))
            .map_err(|e| StoreError::backend("start writer thread", e))?;
        Ok(EmbeddedStore { db, writes: tx })
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

    async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Database) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let db = Arc::clone(&self.db);
        tokio::task::spawn_blocking(move || f(&db))
            .await
            .map_err(|e| StoreError::backend("read task", e))?
    }
}

fn writer_loop(db: &Database, mut rx: mpsc::UnboundedReceiver<WriteOp>) {
    while let Some(first) = rx.blocking_recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(op) => batch.push(op),
                Err(_) => break,
            }
        }
        commit_batch(db, batch);
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

fn commit_batch(db: &Database, batch: Vec<WriteOp>) {
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
    for op in batch {
        let p = if storage_failure.is_some() {
            op_into_pending(op)
        } else {
            apply(&txn, op)
        };
        if let Pending::Created(_, Err(StoreError::Backend { context, source }))
        | Pending::Done(_, Err(StoreError::Backend { context, source })) = &p
        {
            storage_failure.get_or_insert_with(|| format!("{context}: {source}"));
        }
        pending.push(p);
    }
    let failure = match storage_failure {
        Some(msg) => {
            let _ = txn.abort();
            Some(msg)
        }
        None => txn.commit().err().map(|e| e.to_string()),
    };
    if let Some(msg) = &failure {
        tracing::error!(error = %msg, "embedded store commit failed");
    }
    for p in pending {
        p.answer(failure.as_deref());
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

fn apply(txn: &WriteTransaction, op: WriteOp) -> Pending {
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
    txn: &WriteTransaction,
    n: &Nomination,
    audit: &AuditEntry,
    idempotency: &str,
    now: DateTime<Utc>,
) -> Result<Created, StoreError> {
    let mut idem = txn
        .open_table(IDEMPOTENCY)
        .map_err(backend("open idempotency"))?;
    let mut noms = txn
        .open_table(NOMINATIONS)
        .map_err(backend("open nominations"))?;
    let earlier = idem
        .get(idempotency)
        .map_err(backend("read idempotency"))?
        .map(|g| decode::<IdempotencyRecord>(g.value()))
        .transpose()?;
    if let Some(record) = earlier.filter(|r| r.expires_at > now.timestamp()) {
        let stored = noms
            .get(record.nomination_id.as_str())
            .map_err(backend("read nomination"))?
            .map(|g| decode::<Nomination>(g.value()))
            .transpose()?
            .ok_or(StoreError::NotFound)?;
        return Ok(Created::Replayed(Box::new(stored)));
    }
    if noms
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
    idem.insert(idempotency, encode(&record)?.as_slice())
        .map_err(backend("write idempotency"))?;
    noms.insert(n.id.as_str(), encode(n)?.as_slice())
        .map_err(backend("write nomination"))?;
    let mut by_regency = txn.open_table(BY_REGENCY).map_err(backend("open index"))?;
    by_regency
        .insert(regency_key(n).as_str(), n.id.as_str())
        .map_err(backend("write index"))?;
    let mut trail = txn.open_table(AUDIT).map_err(backend("open audit"))?;
    trail
        .insert(audit_key(audit).as_str(), encode(audit)?.as_slice())
        .map_err(backend("write audit"))?;
    Ok(Created::New)
}

fn update_nomination(
    txn: &WriteTransaction,
    n: &Nomination,
    expected_version: u64,
    audit: &AuditEntry,
) -> Result<(), StoreError> {
    let mut noms = txn
        .open_table(NOMINATIONS)
        .map_err(backend("open nominations"))?;
    let current = noms
        .get(n.id.as_str())
        .map_err(backend("read nomination"))?
        .map(|g| decode::<Nomination>(g.value()))
        .transpose()?
        .ok_or(StoreError::NotFound)?;
    if current.version != expected_version {
        return Err(StoreError::VersionConflict {
            current: current.version,
        });
    }
    noms.insert(n.id.as_str(), encode(n)?.as_slice())
        .map_err(backend("write nomination"))?;
    let mut trail = txn.open_table(AUDIT).map_err(backend("open audit"))?;
    trail
        .insert(audit_key(audit).as_str(), encode(audit)?.as_slice())
        .map_err(backend("write audit"))?;
    Ok(())
}

fn put_round(
    txn: &WriteTransaction,
    round: &Round,
    expected_version: Option<u64>,
) -> Result<(), StoreError> {
    let mut rounds = txn.open_table(ROUNDS).map_err(backend("open rounds"))?;
    let current = rounds
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
    rounds
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
                .map(|g| decode(g.value()))
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
                let n: Nomination = decode(bytes.value())?;
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
