//! Every entity's keys and indexes: the single-table layout, in one place.
//!
//! | entity       | pk                    | sk                 | gsi1 (pk / sk)                     | gsi2 (pk / sk)                    | gsi3 (pk / sk)                                  | expiry |
//! |--------------|-----------------------|--------------------|------------------------------------|-----------------------------------|-------------------------------------------------|--------|
//! | nomination   | `NOM#{id}`            | `NOM`              | `REG#{regency}` / `{round}#{id}`   | `PROV#{province}` / `{round}#{id}` | `ROUND#{round}#{shard}` / `{status}#{id}`       | –      |
//! | audit entry  | `NOM#{nomination}`    | `AUDIT#{version}`  | –                                  | –                                 | –                                               | –      |
//! | document     | `NOM#{nomination}`    | `DOC#{code}`       | –                                  | –                                 | –                                               | –      |
//! | upload       | `NOM#{nomination}`    | `UPLOAD#{upload}`  | –                                  | –                                 | –                                               | 7 days |
//! | verification | `NOM#{nomination}`    | `VERIF#{sequence}` | –                                  | –                                 | –                                               | –      |
//! | sample (D08) | `NOM#{nomination}`    | `SAMPLE`           | –                                  | –                                 | –                                               | –      |
//! | score sheet  | `NOM#{nomination}`    | `SHEET#{user}`     | –                                  | –                                 | –                                               | –      |
//! | assignment   | `NOM#{nomination}`    | `ASSIGN#{user}`    | `ASSESSOR#{user}` / `{round}#{nomination}` | `ASSIGNED#{round}` / `{panel}#{user}#{nomination}` | –                        | –      |
//! | relation     | `NOM#{nomination}`    | `REL#{user}`       | –                                  | `RELATED#{round}` / `{nomination}#{user}` | –                                   | –      |
//! | result       | `NOM#{nomination}`    | `RESULT`           | –                                  | –                                 | `RESULTS#{round}` / `{commodity}#{nomination}`  | –      |
//! | audit record | `NOM#{nomination}`    | `LOG#{id}`         | –                                  | –                                 | –                                               | –      |
//! | recommendation lock | `ROUND#{round}` | `RECOMMENDATION`   | –                                  | –                                 | –                                               | –      |
//! | recommended  | `ROUND#{round}`       | `RECOMMENDED#{nomination}` | –                          | –                                 | –                                               | –      |
//! | determination | `ROUND#{round}`      | `DETERMINATION`    | –                                  | –                                 | `DETERMINATIONS` / `{round}`                    | –      |
//! | award        | `AWARD#{id}`          | `AWARD`            | –                                  | –                                 | `AWARDS#{round}` / `{province}#{regency}#{id}`  | –      |
//! | panels       | `ROUND#{round}`       | `PANELS`           | –                                  | –                                 | –                                               | –      |
//! | rubric       | `ROUND#{round}`       | `RUBRIC#{group}`   | –                                  | –                                 | –                                               | –      |
//! | round        | `ROUND#{id}`          | `ROUND`            | –                                  | –                                 | `ROUNDS` / `{year}#{id}`                        | –      |
//! | idempotency  | `IDEM#{actor}#{key}`  | `IDEM`             | –                                  | –                                 | –                                               | 24 h   |
//! | publication lease | `PUBLICATION`    | `LEASE`            | –                                  | –                                 | –                                               | 5 min  |
//!
//! Ids are ULIDs, so `{…}#{id}` sort keys list in creation order. The round index of
//! nominations is spread over [`ROUND_SHARDS`] partitions so that a nationwide burst of
//! submissions does not write one hot index partition; lists merge the shards. A nomination's
//! status is part of its gsi3 sort key: when it changes, the entry moves. No item is written by
//! every submission.
//!
//! A nomination's partition holds its item, its history, its current document per type (one
//! `DOC#{code}` each: a new upload of a type replaces the document at its version), its uploads
//! in progress (ULIDs, so in creation order; they expire
//! [`UPLOAD_TTL_DAYS`](ovop_core::document::UPLOAD_TTL_DAYS) days after they
//! start) and its product sample's shipment and receipt. Each list is one key range of the
//! primary index.
//!
//! Adding an entity: implement [`Entity`] here (keys, indexes, summary) — no adapter code.

use ovop_core::audit::AuditRecord;
use ovop_core::award::{Award, Determination};
use ovop_core::document::{Document, DocumentType, ProductSample, Upload};
use ovop_core::dto::NominationSummary;
use ovop_core::moderation::{NominationResult, RecommendationLock, Recommended};
use ovop_core::nomination::{AuditEntry, Nomination};
use ovop_core::panel::{Assignment, Panels, Relation};
use ovop_core::region::{ProvinceCode, RegencyCode};
use ovop_core::round::Round;
use ovop_core::rubric::Rubric;
use ovop_core::scoring::ScoreSheet;
use ovop_core::status::NominationStatus;
use ovop_core::verification::Verification;
use serde::{Deserialize, Serialize};

use super::item::{Index, IndexKey, Key, SortCondition};
use super::repo::{Entity, Listing};
use crate::idempotency::IdempotencyRecord;

/// Partitions of the per-round nomination index.
pub const ROUND_SHARDS: u32 = 8;

fn shard(id: &str) -> u32 {
    id.bytes().map(u32::from).sum::<u32>() % ROUND_SHARDS
}

impl Entity for Nomination {
    const KIND: &'static str = "nomination";
    type Summary = NominationSummary;
    type Id = str;

    fn key_of(id: &str) -> Key {
        Key::new(format!("NOM#{id}"), "NOM")
    }

    fn key(&self) -> Key {
        Self::key_of(&self.id)
    }

    fn version(&self) -> u64 {
        self.version
    }

    fn index_keys(&self) -> Vec<IndexKey> {
        let by_round = format!("{}#{}", self.round_id, self.id);
        vec![
            IndexKey {
                index: Index::Gsi1,
                pk: format!("REG#{}", self.regency_code),
                sk: by_round.clone(),
            },
            IndexKey {
                index: Index::Gsi2,
                pk: format!("PROV#{}", self.province_code),
                sk: by_round,
            },
            IndexKey {
                index: Index::Gsi3,
                pk: format!("ROUND#{}#{}", self.round_id, shard(&self.id)),
                sk: format!("{}#{}", self.status.as_str(), self.id),
            },
        ]
    }

    fn summary(&self) -> Option<NominationSummary> {
        Some(NominationSummary::of(self))
    }
}

/// Nominations of a regency, optionally of one round, oldest first.
pub fn nominations_of_regency(regency: &RegencyCode, round: Option<&str>) -> Listing {
    Listing::of(Index::Gsi1, format!("REG#{regency}")).sorted(round_prefix(round))
}

/// Nominations of a province, optionally of one round, oldest first.
pub fn nominations_of_province(province: &ProvinceCode, round: Option<&str>) -> Listing {
    Listing::of(Index::Gsi2, format!("PROV#{province}")).sorted(round_prefix(round))
}

/// Nominations of a round, by status then age; optionally of one status.
pub fn nominations_of_round(round: &str, status: Option<NominationStatus>) -> Listing {
    Listing {
        index: Index::Gsi3,
        partitions: (0..ROUND_SHARDS)
            .map(|s| format!("ROUND#{round}#{s}"))
            .collect(),
        sort: match status {
            Some(s) => SortCondition::BeginsWith(format!("{}#", s.as_str())),
            None => SortCondition::Any,
        },
        descending: false,
    }
}

fn round_prefix(round: Option<&str>) -> SortCondition {
    match round {
        Some(r) => SortCondition::BeginsWith(format!("{r}#")),
        None => SortCondition::Any,
    }
}

impl Entity for AuditEntry {
    const KIND: &'static str = "audit entry";
    type Summary = AuditEntry;
    /// (nomination id, version)
    type Id = (String, u64);

    fn key_of((nomination, version): &(String, u64)) -> Key {
        Key::new(format!("NOM#{nomination}"), format!("AUDIT#{version:020}"))
    }

    fn key(&self) -> Key {
        Self::key_of(&(self.nomination_id.clone(), self.version))
    }

    fn version(&self) -> u64 {
        1
    }
}

impl Entity for Verification {
    const KIND: &'static str = "verification";
    type Summary = Verification;
    /// (nomination id, sequence)
    type Id = (String, u32);

    fn key_of((nomination, sequence): &(String, u32)) -> Key {
        Key::new(format!("NOM#{nomination}"), format!("VERIF#{sequence:010}"))
    }

    fn key(&self) -> Key {
        Self::key_of(&(self.nomination_id.clone(), self.sequence))
    }

    /// Decisions are written once and never change.
    fn version(&self) -> u64 {
        1
    }
}

impl Entity for Rubric {
    const KIND: &'static str = "rubric";
    type Summary = Rubric;
    /// (round id, commodity group code)
    type Id = (String, String);

    fn key_of((round, commodity): &(String, String)) -> Key {
        Key::new(format!("ROUND#{round}"), format!("RUBRIC#{commodity}"))
    }

    fn key(&self) -> Key {
        let commodity = self.commodity.clone().unwrap_or_default();
        Self::key_of(&(self.round_id.clone(), commodity))
    }

    fn version(&self) -> u64 {
        self.version
    }
}

impl Entity for Panels {
    const KIND: &'static str = "panels";
    type Summary = Panels;
    /// The round id.
    type Id = str;

    fn key_of(round: &str) -> Key {
        Key::new(format!("ROUND#{round}"), "PANELS")
    }

    fn key(&self) -> Key {
        Self::key_of(&self.round_id)
    }

    fn version(&self) -> u64 {
        self.version
    }
}

impl Entity for Assignment {
    const KIND: &'static str = "assignment";
    type Summary = Assignment;
    /// (nomination id, assessor user id)
    type Id = (String, String);

    fn key_of((nomination, assessor): &(String, String)) -> Key {
        Key::new(format!("NOM#{nomination}"), format!("ASSIGN#{assessor}"))
    }

    fn key(&self) -> Key {
        Self::key_of(&(self.nomination_id.clone(), self.assessor.clone()))
    }

    fn version(&self) -> u64 {
        self.version
    }

    fn index_keys(&self) -> Vec<IndexKey> {
        vec![
            IndexKey {
                index: Index::Gsi1,
                pk: format!("ASSESSOR#{}", self.assessor),
                sk: format!("{}#{}", self.round_id, self.nomination_id),
            },
            IndexKey {
                index: Index::Gsi2,
                pk: format!("ASSIGNED#{}", self.round_id),
                sk: format!("{}#{}#{}", self.panel_id, self.assessor, self.nomination_id),
            },
        ]
    }

    fn summary(&self) -> Option<Assignment> {
        Some(self.clone())
    }
}

/// An assessor's assignments, optionally of one round, by round then nomination.
pub fn assignments_of_assessor(assessor: &str, round: Option<&str>) -> Listing {
    Listing::of(Index::Gsi1, format!("ASSESSOR#{assessor}")).sorted(round_prefix(round))
}

/// A round's assignments, by panel, assessor and nomination.
pub fn assignments_of_round(round: &str) -> Listing {
    Listing::of(Index::Gsi2, format!("ASSIGNED#{round}"))
}

impl Entity for Relation {
    const KIND: &'static str = "relation";
    type Summary = Relation;
    /// (nomination id, assessor user id)
    type Id = (String, String);

    fn key_of((nomination, assessor): &(String, String)) -> Key {
        Key::new(format!("NOM#{nomination}"), format!("REL#{assessor}"))
    }

    fn key(&self) -> Key {
        Self::key_of(&(self.nomination_id.clone(), self.assessor.clone()))
    }

    /// Declared once, never changed.
    fn version(&self) -> u64 {
        1
    }

    fn index_keys(&self) -> Vec<IndexKey> {
        vec![IndexKey {
            index: Index::Gsi2,
            pk: format!("RELATED#{}", self.round_id),
            sk: format!("{}#{}", self.nomination_id, self.assessor),
        }]
    }

    fn summary(&self) -> Option<Relation> {
        Some(self.clone())
    }
}

/// A nomination's declared relations, by assessor.
pub fn relations_of(nomination_id: &str) -> Listing {
    Listing::of(Index::Primary, format!("NOM#{nomination_id}"))
        .sorted(SortCondition::BeginsWith("REL#".into()))
}

/// A round's declared relations, by nomination.
pub fn relations_of_round(round: &str) -> Listing {
    Listing::of(Index::Gsi2, format!("RELATED#{round}"))
}

impl Entity for NominationResult {
    const KIND: &'static str = "result";
    type Summary = NominationResult;
    /// The nomination id.
    type Id = str;

    fn key_of(nomination: &str) -> Key {
        Key::new(format!("NOM#{nomination}"), "RESULT")
    }

    fn key(&self) -> Key {
        Self::key_of(&self.nomination_id)
    }

    fn version(&self) -> u64 {
        self.version
    }

    fn index_keys(&self) -> Vec<IndexKey> {
        vec![IndexKey {
            index: Index::Gsi3,
            pk: format!("RESULTS#{}", self.round_id),
            sk: format!("{}#{}", self.commodity, self.nomination_id),
        }]
    }

    fn summary(&self) -> Option<NominationResult> {
        Some(self.clone())
    }
}

/// A round's results, by commodity group.
pub fn results_of_round(round: &str) -> Listing {
    Listing::of(Index::Gsi3, format!("RESULTS#{round}"))
}

impl Entity for AuditRecord {
    const KIND: &'static str = "audit record";
    type Summary = AuditRecord;
    /// (nomination id, record id)
    type Id = (String, String);

    fn key_of((nomination, id): &(String, String)) -> Key {
        Key::new(format!("NOM#{nomination}"), format!("LOG#{id}"))
    }

    fn key(&self) -> Key {
        Self::key_of(&(self.nomination_id.clone(), self.id.clone()))
    }

    /// Records are written once and never change.
    fn version(&self) -> u64 {
        1
    }
}

/// A nomination's audit records, oldest first.
pub fn audit_records_of(nomination_id: &str) -> Listing {
    Listing::of(Index::Primary, format!("NOM#{nomination_id}"))
        .sorted(SortCondition::BeginsWith("LOG#".into()))
}

impl Entity for RecommendationLock {
    const KIND: &'static str = "recommendation lock";
    type Summary = RecommendationLock;
    /// The round id.
    type Id = str;

    fn key_of(round: &str) -> Key {
        Key::new(format!("ROUND#{round}"), "RECOMMENDATION")
    }

    fn key(&self) -> Key {
        Self::key_of(&self.round_id)
    }

    /// Locked once, never changed.
    fn version(&self) -> u64 {
        1
    }
}

impl Entity for Recommended {
    const KIND: &'static str = "recommended nomination";
    type Summary = Recommended;
    /// (round id, nomination id)
    type Id = (String, String);

    fn key_of((round, nomination): &(String, String)) -> Key {
        Key::new(
            format!("ROUND#{round}"),
            format!("RECOMMENDED#{nomination}"),
        )
    }

    fn key(&self) -> Key {
        Self::key_of(&(self.round_id.clone(), self.nomination_id.clone()))
    }

    /// Written once, with the lock.
    fn version(&self) -> u64 {
        1
    }
}

/// The nominations a round's locked recommendation names, by nomination id.
pub fn recommended_of(round: &str) -> Listing {
    Listing::of(Index::Primary, format!("ROUND#{round}"))
        .sorted(SortCondition::BeginsWith("RECOMMENDED#".into()))
}

impl Entity for ScoreSheet {
    const KIND: &'static str = "score sheet";
    type Summary = ScoreSheet;
    /// (nomination id, assessor user id)
    type Id = (String, String);

    fn key_of((nomination, assessor): &(String, String)) -> Key {
        Key::new(format!("NOM#{nomination}"), format!("SHEET#{assessor}"))
    }

    fn key(&self) -> Key {
        Self::key_of(&(self.nomination_id.clone(), self.assessor.clone()))
    }

    fn version(&self) -> u64 {
        self.version
    }
}

/// A nomination's score sheets, by assessor.
pub fn sheets_of(nomination_id: &str) -> Listing {
    Listing::of(Index::Primary, format!("NOM#{nomination_id}"))
        .sorted(SortCondition::BeginsWith("SHEET#".into()))
}

/// A nomination's assessors, by user id.
pub fn assignments_of(nomination_id: &str) -> Listing {
    Listing::of(Index::Primary, format!("NOM#{nomination_id}"))
        .sorted(SortCondition::BeginsWith("ASSIGN#".into()))
}

/// A nomination's administrative-selection decisions, oldest first.
pub fn verifications_of(nomination_id: &str) -> Listing {
    Listing::of(Index::Primary, format!("NOM#{nomination_id}"))
        .sorted(SortCondition::BeginsWith("VERIF#".into()))
}

/// A nomination's history, oldest first.
pub fn audit_trail(nomination_id: &str) -> Listing {
    Listing::of(Index::Primary, format!("NOM#{nomination_id}"))
        .sorted(SortCondition::BeginsWith("AUDIT#".into()))
}

impl Entity for Round {
    const KIND: &'static str = "round";
    type Summary = Round;
    type Id = str;

    fn key_of(id: &str) -> Key {
        Key::new(format!("ROUND#{id}"), "ROUND")
    }

    fn key(&self) -> Key {
        Self::key_of(&self.id)
    }

    fn version(&self) -> u64 {
        self.version
    }

    fn index_keys(&self) -> Vec<IndexKey> {
        vec![IndexKey {
            index: Index::Gsi3,
            pk: "ROUNDS".into(),
            sk: format!("{:04}#{}", self.year, self.id),
        }]
    }

    fn summary(&self) -> Option<Round> {
        Some(self.clone())
    }
}

/// Every round, newest year first.
pub fn rounds() -> Listing {
    Listing::of(Index::Gsi3, "ROUNDS").descending()
}

impl Entity for IdempotencyRecord {
    const KIND: &'static str = "idempotency record";
    type Summary = ();
    /// (actor, key)
    type Id = (String, String);

    fn key_of((actor, key): &(String, String)) -> Key {
        Key::new(format!("IDEM#{actor}#{key}"), "IDEM")
    }

    fn key(&self) -> Key {
        Self::key_of(&(self.actor.clone(), self.key.clone()))
    }

    fn version(&self) -> u64 {
        1
    }

    fn expires_at(&self) -> Option<i64> {
        Some(self.expires_at)
    }
}

/// The gallery's publication lease: one publication writes the public bucket at a time
/// (`ovop_awards::publish`). It is created only where none is live — an expired lease counts
/// as absent ([`Condition::Absent`](super::item::Condition::Absent)), so one a crashed
/// publication left is taken over once it expires — and deleted by its holder at the end, at
/// its [`token`](PublicationLease::token): a holder whose lease expired and was taken over
/// cannot delete the next holder's.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicationLease {
    /// Who publishes (a user id), for the logs.
    pub holder: String,
    /// Random, naming this taking of the lease: the item's version.
    pub token: u64,
    /// Seconds since the epoch: from then on the lease counts as absent.
    pub expires_at: i64,
}

impl PublicationLease {
    /// A lease for `holder` from `now` (seconds since the epoch) for `ttl_secs`.
    pub fn new(holder: &str, now: i64, ttl_secs: i64) -> Self {
        // 63 random bits: versions are stored as signed 64-bit numbers.
        let token = (ulid::Ulid::new().random() as u64) >> 1;
        PublicationLease {
            holder: holder.to_owned(),
            token,
            expires_at: now + ttl_secs,
        }
    }
}

impl Entity for PublicationLease {
    const KIND: &'static str = "publication lease";
    type Summary = ();
    /// There is one.
    type Id = ();

    fn key_of(_: &()) -> Key {
        Key::new("PUBLICATION", "LEASE")
    }

    fn key(&self) -> Key {
        Self::key_of(&())
    }

    fn version(&self) -> u64 {
        self.token
    }

    fn expires_at(&self) -> Option<i64> {
        Some(self.expires_at)
    }
}

impl Entity for Document {
    const KIND: &'static str = "document";
    type Summary = Document;
    /// (nomination id, document type)
    type Id = (String, DocumentType);

    fn key_of((nomination, code): &(String, DocumentType)) -> Key {
        Key::new(format!("NOM#{nomination}"), format!("DOC#{}", code.code()))
    }

    fn key(&self) -> Key {
        Self::key_of(&(self.nomination_id.clone(), self.code))
    }

    fn version(&self) -> u64 {
        self.version
    }
}

/// A nomination's current documents, in checklist order (D01 first).
pub fn documents_of(nomination_id: &str) -> Listing {
    Listing::of(Index::Primary, format!("NOM#{nomination_id}"))
        .sorted(SortCondition::BeginsWith("DOC#".into()))
}

impl Entity for Upload {
    const KIND: &'static str = "upload";
    type Summary = Upload;
    /// (nomination id, upload id)
    type Id = (String, String);

    fn key_of((nomination, upload): &(String, String)) -> Key {
        Key::new(format!("NOM#{nomination}"), format!("UPLOAD#{upload}"))
    }

    fn key(&self) -> Key {
        Self::key_of(&(self.nomination_id.clone(), self.upload_id.clone()))
    }

    fn version(&self) -> u64 {
        self.version
    }

    fn expires_at(&self) -> Option<i64> {
        Some(self.expires_at.timestamp())
    }
}

/// A nomination's uploads that have not expired, oldest first.
pub fn uploads_of(nomination_id: &str) -> Listing {
    Listing::of(Index::Primary, format!("NOM#{nomination_id}"))
        .sorted(SortCondition::BeginsWith("UPLOAD#".into()))
}

impl Entity for ProductSample {
    const KIND: &'static str = "product sample";
    type Summary = ProductSample;
    /// The nomination id.
    type Id = str;

    fn key_of(nomination: &str) -> Key {
        Key::new(format!("NOM#{nomination}"), "SAMPLE")
    }

    fn key(&self) -> Key {
        Self::key_of(&self.nomination_id)
    }

    fn version(&self) -> u64 {
        self.version
    }
}

impl Entity for Determination {
    const KIND: &'static str = "determination";
    type Summary = Determination;
    /// The round id.
    type Id = str;

    fn key_of(round: &str) -> Key {
        Key::new(format!("ROUND#{round}"), "DETERMINATION")
    }

    fn key(&self) -> Key {
        Self::key_of(&self.round_id)
    }

    /// Recorded once: a determined round is frozen.
    fn version(&self) -> u64 {
        1
    }

    fn index_keys(&self) -> Vec<IndexKey> {
        vec![IndexKey {
            index: Index::Gsi3,
            pk: "DETERMINATIONS".to_owned(),
            sk: self.round_id.clone(),
        }]
    }

    fn summary(&self) -> Option<Determination> {
        Some(self.clone())
    }
}

/// Every determined round, by round id: what publication publishes.
pub fn determinations() -> Listing {
    Listing::of(Index::Gsi3, "DETERMINATIONS")
}

impl Entity for Award {
    const KIND: &'static str = "award";
    type Summary = Award;
    /// The award's id (its nomination's).
    type Id = str;

    fn key_of(id: &str) -> Key {
        Key::new(format!("AWARD#{id}"), "AWARD")
    }

    fn key(&self) -> Key {
        Self::key_of(&self.id)
    }

    fn version(&self) -> u64 {
        self.version
    }

    fn index_keys(&self) -> Vec<IndexKey> {
        vec![IndexKey {
            index: Index::Gsi3,
            pk: format!("AWARDS#{}", self.round_id),
            sk: format!("{}#{}#{}", self.province_code, self.regency_code, self.id),
        }]
    }

    fn summary(&self) -> Option<Award> {
        Some(self.clone())
    }
}

/// A round's awards (revoked ones included), by province, regency and id.
pub fn awards_of_round(round: &str) -> Listing {
    Listing::of(Index::Gsi3, format!("AWARDS#{round}"))
}
