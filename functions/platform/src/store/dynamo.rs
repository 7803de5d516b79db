//! The DynamoDB store: one table, three GSIs, conditional writes and transactions.
//!
//! | item        | pk                        | sk                 | GSIs                                  |
//! |-------------|---------------------------|--------------------|---------------------------------------|
//! | nomination  | `NOM#{id}`                | `NOM`              | gsi1 `REG#{regency}`, gsi2 `PROV#{p}`, gsi3 `ROUND#{round}#{shard}` |
//! | audit entry | `NOM#{id}`                | `AUDIT#{version}`  | –                                     |
//! | idempotency | `IDEM#{scope}#{key}`      | `IDEM`             | – (TTL on `expires_at`)               |
//! | round       | `ROUND#{id}`              | `ROUND`            | gsi3 `ROUNDS`                         |
//!
//! The round index is spread over [`ROUND_SHARDS`] partitions so that a nationwide burst of
//! submissions does not write one hot GSI key. No item is written by every submission.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Utc};
use ovop_core::nomination::{AuditEntry, Nomination};
use ovop_core::round::Round;
use serde::{Deserialize, Serialize};
use serde_dynamo::aws_sdk_dynamodb_1::{from_item, to_item};

use super::{
    Created, NominationQuery, NominationStore, RoundStore, Scope, StoreError, IDEMPOTENCY_TTL_SECS,
};

/// Partitions of the per-round index.
pub const ROUND_SHARDS: u32 = 8;

type Item = HashMap<String, AttributeValue>;

/// DynamoDB-backed store.
#[derive(Clone, Debug)]
pub struct DynamoStore {
    pub(super) client: Client,
    pub(super) table: String,
}

#[derive(Serialize, Deserialize)]
struct IdempotencyItem {
    nomination_id: String,
    expires_at: i64,
}

fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

fn shard(id: &str) -> u32 {
    id.bytes().map(u32::from).sum::<u32>() % ROUND_SHARDS
}

fn nomination_key(id: &str) -> Item {
    HashMap::from([
        ("pk".into(), s(format!("NOM#{id}"))),
        ("sk".into(), s("NOM")),
    ])
}

fn round_key(id: &str) -> Item {
    HashMap::from([
        ("pk".into(), s(format!("ROUND#{id}"))),
        ("sk".into(), s("ROUND")),
    ])
}

fn encode<T: Serialize>(value: &T) -> Result<Item, StoreError> {
    to_item(value).map_err(|e| StoreError::backend("encode item", e))
}

fn decode<T: for<'de> Deserialize<'de>>(item: Item) -> Result<T, StoreError> {
    from_item(item).map_err(|e| StoreError::backend("decode item", e))
}

fn nomination_item(n: &Nomination) -> Result<Item, StoreError> {
    let mut item = encode(n)?;
    item.extend(nomination_key(&n.id));
    let sort = format!("{}#{}#{}", n.round_id, n.created_at.to_rfc3339(), n.id);
    item.insert("gsi1pk".into(), s(format!("REG#{}", n.regency_code)));
    item.insert("gsi1sk".into(), s(sort.clone()));
    item.insert("gsi2pk".into(), s(format!("PROV#{}", n.province_code)));
    item.insert("gsi2sk".into(), s(sort));
    item.insert(
        "gsi3pk".into(),
        s(format!("ROUND#{}#{}", n.round_id, shard(&n.id))),
    );
    item.insert(
        "gsi3sk".into(),
        s(format!("{}#{}", n.status.as_str(), n.id)),
    );
    item.insert("entity".into(), s("nomination"));
    Ok(item)
}

fn audit_item(a: &AuditEntry) -> Result<Item, StoreError> {
    let mut item = encode(a)?;
    item.insert("pk".into(), s(format!("NOM#{}", a.nomination_id)));
    item.insert("sk".into(), s(format!("AUDIT#{:020}", a.version)));
    item.insert("entity".into(), s("audit"));
    Ok(item)
}

fn round_item(r: &Round) -> Result<Item, StoreError> {
    let mut item = encode(r)?;
    item.extend(round_key(&r.id));
    item.insert("gsi3pk".into(), s("ROUNDS"));
    item.insert("gsi3sk".into(), s(format!("{:04}#{}", r.year, r.id)));
    item.insert("entity".into(), s("round"));
    Ok(item)
}

fn put(
    table: &str,
    item: Item,
    condition: Option<&str>,
    values: Option<Item>,
) -> Result<TransactWriteItem, StoreError> {
    let put = Put::builder()
        .table_name(table)
        .set_item(Some(item))
        .set_condition_expression(condition.map(str::to_owned))
        .set_expression_attribute_values(values)
        .build()
        .map_err(|e| StoreError::backend("build put", e))?;
    Ok(TransactWriteItem::builder().put(put).build())
}

/// Which items of a cancelled transaction failed their condition.
fn failed_conditions(err: &SdkError<TransactWriteItemsError>) -> Option<Vec<bool>> {
    match err.as_service_error() {
        Some(TransactWriteItemsError::TransactionCanceledException(e)) => Some(
            e.cancellation_reasons()
                .iter()
                .map(|r| r.code() == Some("ConditionalCheckFailed"))
                .collect(),
        ),
        _ => None,
    }
}

impl DynamoStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        DynamoStore {
            client,
            table: table.into(),
        }
    }

    /// A client from the standard AWS environment (`AWS_ENDPOINT_URL_DYNAMODB` honoured).
    pub async fn client_from_env() -> Client {
        let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
        Client::new(&config)
    }

    async fn get_item(&self, key: Item) -> Result<Option<Item>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| StoreError::backend("get item", e.into_service_error()))?;
        Ok(out.item)
    }

    /// Every item of an index partition, following pages.
    async fn query_index(
        &self,
        index: &str,
        pk: String,
        sk_prefix: Option<String>,
    ) -> Result<Vec<Item>, StoreError> {
        let mut items = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let mut q = self
                .client
                .query()
                .table_name(&self.table)
                .index_name(index)
                .expression_attribute_values(":pk", s(pk.clone()))
                .set_exclusive_start_key(start.take());
            q = match &sk_prefix {
                Some(prefix) => q
                    .key_condition_expression(format!(
                        "{index}pk = :pk AND begins_with({index}sk, :prefix)"
                    ))
                    .expression_attribute_values(":prefix", s(prefix.clone())),
                None => q.key_condition_expression(format!("{index}pk = :pk")),
            };
            let page = q
                .send()
                .await
                .map_err(|e| StoreError::backend("query index", e.into_service_error()))?;
            items.extend(page.items.unwrap_or_default());
            match page.last_evaluated_key {
                Some(key) if !key.is_empty() => start = Some(key),
                _ => break,
            }
        }
        Ok(items)
    }

    async fn nominations_of_round(&self, round_id: &str) -> Result<Vec<Item>, StoreError> {
        let mut items = Vec::new();
        for shard in 0..ROUND_SHARDS {
            items.extend(
                self.query_index("gsi3", format!("ROUND#{round_id}#{shard}"), None)
                    .await?,
            );
        }
        Ok(items)
    }
}

#[async_trait]
impl NominationStore for DynamoStore {
    async fn create_nomination(
        &self,
        nomination: Arc<Nomination>,
        audit: &AuditEntry,
        creator: &str,
        idempotency_key: &str,
        now: DateTime<Utc>,
    ) -> Result<Created, StoreError> {
        let idem_pk = format!("IDEM#create#{creator}#{idempotency_key}");
        let mut idem = encode(&IdempotencyItem {
            nomination_id: nomination.id.clone(),
            expires_at: now.timestamp() + IDEMPOTENCY_TTL_SECS,
        })?;
        idem.insert("pk".into(), s(idem_pk.clone()));
        idem.insert("sk".into(), s("IDEM"));
        // DynamoDB deletes expired items lazily (and emulators never): check expiry ourselves.
        let items = vec![
            put(
                &self.table,
                idem,
                Some("attribute_not_exists(pk) OR expires_at < :now"),
                Some(HashMap::from([(
                    ":now".into(),
                    AttributeValue::N(now.timestamp().to_string()),
                )])),
            )?,
            put(
                &self.table,
                nomination_item(&nomination)?,
                Some("attribute_not_exists(pk)"),
                None,
            )?,
            put(&self.table, audit_item(audit)?, None, None)?,
        ];
        let result = self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await;
        match result {
            Ok(_) => Ok(Created::New),
            Err(err) => match failed_conditions(&err).as_deref() {
                Some([true, ..]) => {
                    let key = HashMap::from([("pk".into(), s(idem_pk)), ("sk".into(), s("IDEM"))]);
                    let record: IdempotencyItem =
                        decode(self.get_item(key).await?.ok_or(StoreError::NotFound)?)?;
                    let earlier = self
                        .get_nomination(&record.nomination_id)
                        .await?
                        .ok_or(StoreError::NotFound)?;
                    Ok(Created::Replayed(Box::new(Nomination::clone(&earlier))))
                }
                Some([false, true, ..]) => Err(StoreError::AlreadyExists),
                _ => Err(StoreError::backend(
                    "create nomination",
                    err.into_service_error(),
                )),
            },
        }
    }

    async fn get_nomination(&self, id: &str) -> Result<Option<Arc<Nomination>>, StoreError> {
        self.get_item(nomination_key(id))
            .await?
            .map(|item| decode(item).map(Arc::new))
            .transpose()
    }

    async fn update_nomination(
        &self,
        nomination: Arc<Nomination>,
        expected_version: u64,
        audit: &AuditEntry,
    ) -> Result<(), StoreError> {
        let items = vec![
            put(
                &self.table,
                nomination_item(&nomination)?,
                Some("attribute_exists(pk) AND version = :expected"),
                Some(HashMap::from([(
                    ":expected".into(),
                    AttributeValue::N(expected_version.to_string()),
                )])),
            )?,
            put(
                &self.table,
                audit_item(audit)?,
                Some("attribute_not_exists(pk)"),
                None,
            )?,
        ];
        let result = self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(err) => match failed_conditions(&err) {
                Some(failed) if failed.iter().any(|f| *f) => {
                    match self.get_nomination(&nomination.id).await? {
                        None => Err(StoreError::NotFound),
                        Some(current) => Err(StoreError::VersionConflict {
                            current: current.version,
                        }),
                    }
                }
                _ => Err(StoreError::backend(
                    "update nomination",
                    err.into_service_error(),
                )),
            },
        }
    }

    async fn list_nominations(
        &self,
        query: &NominationQuery,
    ) -> Result<Vec<Nomination>, StoreError> {
        let round_prefix = query.round_id.as_ref().map(|r| format!("{r}#"));
        let items = match (&query.scope, &query.round_id) {
            (Scope::Regency(r), _) => {
                self.query_index("gsi1", format!("REG#{r}"), round_prefix)
                    .await?
            }
            (Scope::Province(p), _) => {
                self.query_index("gsi2", format!("PROV#{p}"), round_prefix)
                    .await?
            }
            (Scope::All, Some(round)) => self.nominations_of_round(round).await?,
            (Scope::All, None) => {
                let mut all = Vec::new();
                for round in self.list_rounds().await? {
                    all.extend(self.nominations_of_round(&round.id).await?);
                }
                all
            }
        };
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            let n: Nomination = decode(item)?;
            if query.matches(&n) {
                out.push(n);
            }
        }
        out.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        Ok(out)
    }

    async fn audit_trail(&self, nomination_id: &str) -> Result<Vec<AuditEntry>, StoreError> {
        let mut entries = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let page = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :pk AND begins_with(sk, :audit)")
                .expression_attribute_values(":pk", s(format!("NOM#{nomination_id}")))
                .expression_attribute_values(":audit", s("AUDIT#"))
                .consistent_read(true)
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|e| StoreError::backend("query audit", e.into_service_error()))?;
            for item in page.items.unwrap_or_default() {
                entries.push(decode(item)?);
            }
            match page.last_evaluated_key {
                Some(key) if !key.is_empty() => start = Some(key),
                _ => break,
            }
        }
        Ok(entries)
    }
}

#[async_trait]
impl RoundStore for DynamoStore {
    async fn create_round(&self, round: &Round) -> Result<(), StoreError> {
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(round_item(round)?))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e) => match e.into_service_error() {
                err if err.is_conditional_check_failed_exception() => {
                    Err(StoreError::AlreadyExists)
                }
                err => Err(StoreError::backend("create round", err)),
            },
        }
    }

    async fn get_round(&self, id: &str) -> Result<Option<Round>, StoreError> {
        self.get_item(round_key(id)).await?.map(decode).transpose()
    }

    async fn update_round(&self, round: &Round, expected_version: u64) -> Result<(), StoreError> {
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(round_item(round)?))
            .condition_expression("attribute_exists(pk) AND version = :expected")
            .expression_attribute_values(
                ":expected",
                AttributeValue::N(expected_version.to_string()),
            )
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e) => match e.into_service_error() {
                err if err.is_conditional_check_failed_exception() => {
                    match self.get_round(&round.id).await? {
                        None => Err(StoreError::NotFound),
                        Some(current) => Err(StoreError::VersionConflict {
                            current: current.version,
                        }),
                    }
                }
                err => Err(StoreError::backend("update round", err)),
            },
        }
    }

    async fn list_rounds(&self) -> Result<Vec<Round>, StoreError> {
        let items = self.query_index("gsi3", "ROUNDS".into(), None).await?;
        let mut rounds: Vec<Round> = items.into_iter().map(decode).collect::<Result<_, _>>()?;
        rounds.sort_by_key(|r| std::cmp::Reverse(r.year));
        Ok(rounds)
    }
}
