//! The DynamoDB item store: one table, three generic secondary indexes.
//!
//! Every item is stored as the same attributes, whatever entity it holds:
//!
//! | attribute                | type | what                                                  |
//! |--------------------------|------|-------------------------------------------------------|
//! | `pk`, `sk`               | S    | primary key                                           |
//! | `gsi1pk` … `gsi3sk`      | S    | the item's entries in the secondary indexes, if any   |
//! | `version`                | N    | optimistic-locking version                            |
//! | `expires_at`             | N    | TTL (seconds since the epoch); expired items count as absent before DynamoDB deletes them |
//! | `body`                   | S    | the entity as JSON                                    |
//! | `summary`                | S    | what index queries return, as JSON                    |
//!
//! The indexes project only `summary`, `version` and `expires_at` (besides the keys), so an
//! index write costs what a list needs, not a copy of the whole item. Which entity uses which
//! key and index is declared once, in `store::entities`.
//!
//! One op is a conditional `PutItem` / `DeleteItem`; several are one `TransactWriteItems`, whose
//! cancellation reasons are mapped back to the failing op.

use std::collections::HashMap;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::delete_item::DeleteItemError;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    AttributeValue, ConditionCheck, Delete, Put, ReturnValuesOnConditionCheckFailure,
    TransactWriteItem,
};
use aws_sdk_dynamodb::Client;

use super::item::{
    check_query, check_transaction, Condition, Found, Index, IndexKey, Item, ItemStore, Key, Op,
    Page, Query, SortCondition, StoreError,
};
use crate::clock::{Clock, SystemClock};
use std::sync::Arc;

type Attrs = HashMap<String, AttributeValue>;

/// How often a transaction that met a concurrent one is tried again.
const CONFLICT_RETRIES: u32 = 3;

/// DynamoDB-backed item store.
#[derive(Clone)]
pub struct DynamoStore {
    pub(super) client: Client,
    pub(super) table: String,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for DynamoStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DynamoStore")
            .field("table", &self.table)
            .finish()
    }
}

fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

fn n(v: impl ToString) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

fn key_attrs(key: &Key) -> Attrs {
    HashMap::from([("pk".into(), s(&key.pk)), ("sk".into(), s(&key.sk))])
}

fn index_attrs(index: Index) -> (String, String) {
    (format!("{}pk", index.name()), format!("{}sk", index.name()))
}

fn to_attrs(item: &Item) -> Attrs {
    let mut a = key_attrs(&item.key);
    for entry in &item.indexes {
        let (pk, sk) = index_attrs(entry.index);
        a.insert(pk, s(&entry.pk));
        a.insert(sk, s(&entry.sk));
    }
    a.insert("version".into(), n(item.version));
    if let Some(at) = item.expires_at {
        a.insert("expires_at".into(), n(at));
    }
    a.insert("body".into(), s(&item.body));
    if let Some(summary) = &item.summary {
        a.insert("summary".into(), s(summary));
    }
    a
}

fn text(a: &Attrs, name: &str) -> Result<String, StoreError> {
    match a.get(name) {
        Some(AttributeValue::S(v)) => Ok(v.clone()),
        _ => Err(StoreError::backend(
            "decode item",
            format!("attribute {name} missing or not a string"),
        )),
    }
}

fn number(a: &Attrs, name: &str) -> Result<Option<i64>, StoreError> {
    match a.get(name) {
        None => Ok(None),
        Some(AttributeValue::N(v)) => v
            .parse()
            .map(Some)
            .map_err(|e| StoreError::backend("decode item", e)),
        Some(_) => Err(StoreError::backend(
            "decode item",
            format!("attribute {name} is not a number"),
        )),
    }
}

fn take_text(a: &mut Attrs, name: &str) -> Option<String> {
    match a.remove(name) {
        Some(AttributeValue::S(v)) => Some(v),
        _ => None,
    }
}

fn version_of(a: &Attrs) -> Result<u64, StoreError> {
    let v = number(a, "version")?
        .ok_or_else(|| StoreError::backend("decode item", "attribute version missing"))?;
    u64::try_from(v).map_err(|e| StoreError::backend("decode item", e))
}

fn from_attrs(mut a: Attrs) -> Result<Item, StoreError> {
    let key = Key::new(text(&a, "pk")?, text(&a, "sk")?);
    let mut indexes = Vec::new();
    for index in Index::SECONDARY {
        let (pk, sk) = index_attrs(index);
        if a.contains_key(&pk) {
            indexes.push(IndexKey {
                index,
                pk: text(&a, &pk)?,
                sk: text(&a, &sk)?,
            });
        }
    }
    Ok(Item {
        key,
        indexes,
        version: version_of(&a)?,
        expires_at: number(&a, "expires_at")?,
        body: take_text(&mut a, "body").unwrap_or_default(),
        summary: take_text(&mut a, "summary"),
    })
}

/// The stored version an item's attributes show, `None` when absent or expired at `now`.
fn live_version(a: Option<&Attrs>, now: i64) -> Result<Option<u64>, StoreError> {
    let Some(a) = a.filter(|a| !a.is_empty()) else {
        return Ok(None);
    };
    if number(a, "expires_at")?.is_some_and(|at| at <= now) {
        return Ok(None);
    }
    version_of(a).map(Some)
}

/// A condition as a DynamoDB expression with its names and values.
struct Expression {
    text: Option<String>,
    names: Option<HashMap<String, String>>,
    values: Option<Attrs>,
}

fn expression(condition: Condition, now: i64) -> Expression {
    let live = "(attribute_not_exists(#exp) OR #exp > :now)";
    let (text, version) = match condition {
        Condition::Always => {
            return Expression {
                text: None,
                names: None,
                values: None,
            }
        }
        Condition::Absent => ("attribute_not_exists(pk) OR #exp <= :now".to_owned(), None),
        Condition::Present => (format!("attribute_exists(pk) AND {live}"), None),
        Condition::Version(v) => (format!("#v = :v AND {live}"), Some(v)),
    };
    let mut names = HashMap::from([("#exp".to_owned(), "expires_at".to_owned())]);
    let mut values = HashMap::from([(":now".to_owned(), n(now))]);
    if let Some(v) = version {
        names.insert("#v".into(), "version".into());
        values.insert(":v".into(), n(v));
    }
    Expression {
        text: Some(text),
        names: Some(names),
        values: Some(values),
    }
}

/// A request that can carry a condition (the SDK's builders share these setters, not a trait).
trait Conditioned: Sized {
    /// Sets the condition's expression, names and values, and asks for the old item when the
    /// condition fails (to report its version).
    fn conditioned(self, e: Expression) -> Self;
}

macro_rules! conditioned {
    ($($builder:ty),*) => {$(
        impl Conditioned for $builder {
            fn conditioned(self, e: Expression) -> Self {
                self.set_condition_expression(e.text)
                    .set_expression_attribute_names(e.names)
                    .set_expression_attribute_values(e.values)
                    .set_return_values_on_condition_check_failure(Some(
                        ReturnValuesOnConditionCheckFailure::AllOld,
                    ))
            }
        }
    )*};
}

conditioned!(
    aws_sdk_dynamodb::types::builders::PutBuilder,
    aws_sdk_dynamodb::types::builders::DeleteBuilder,
    aws_sdk_dynamodb::types::builders::ConditionCheckBuilder,
    aws_sdk_dynamodb::operation::put_item::builders::PutItemFluentBuilder,
    aws_sdk_dynamodb::operation::delete_item::builders::DeleteItemFluentBuilder
);

fn build<E: std::error::Error + Send + Sync + 'static>(e: E) -> StoreError {
    StoreError::backend("build request", e)
}

impl DynamoStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        DynamoStore {
            client,
            table: table.into(),
            clock: Arc::new(SystemClock),
        }
    }

    /// The same store deciding expiry by `clock`.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// A client from the standard AWS environment (`AWS_ENDPOINT_URL_DYNAMODB` honoured).
    pub async fn client_from_env() -> Client {
        let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
        Client::new(&config)
    }

    fn now(&self) -> i64 {
        self.clock.now().timestamp()
    }

    fn transact_item(&self, op: &Op, now: i64) -> Result<TransactWriteItem, StoreError> {
        let e = expression(op.condition(), now);
        Ok(match op {
            Op::Put { item, .. } => TransactWriteItem::builder()
                .put(
                    Put::builder()
                        .table_name(&self.table)
                        .set_item(Some(to_attrs(item)))
                        .conditioned(e)
                        .build()
                        .map_err(build)?,
                )
                .build(),
            Op::Delete { key, .. } => TransactWriteItem::builder()
                .delete(
                    Delete::builder()
                        .table_name(&self.table)
                        .set_key(Some(key_attrs(key)))
                        .conditioned(e)
                        .build()
                        .map_err(build)?,
                )
                .build(),
            Op::Check { key, .. } => {
                let e = match e.text {
                    Some(_) => e,
                    // A check that always holds still needs an expression.
                    None => Expression {
                        text: Some("attribute_exists(pk) OR attribute_not_exists(pk)".into()),
                        names: None,
                        values: None,
                    },
                };
                TransactWriteItem::builder()
                    .condition_check(
                        ConditionCheck::builder()
                            .table_name(&self.table)
                            .set_key(Some(key_attrs(key)))
                            .conditioned(e)
                            .build()
                            .map_err(build)?,
                    )
                    .build()
            }
        })
    }

    /// One put or delete, as a conditional single-item write (half the cost of a transaction).
    async fn write_one(&self, op: &Op, now: i64) -> Result<(), StoreError> {
        let e = expression(op.condition(), now);
        let failed = match op {
            Op::Put { item, .. } => refused_by_condition(
                self.client
                    .put_item()
                    .table_name(&self.table)
                    .set_item(Some(to_attrs(item)))
                    .conditioned(e)
                    .send()
                    .await
                    .map_err(SdkError::into_service_error),
                "put item",
                |e| match e {
                    PutItemError::ConditionalCheckFailedException(c) => Some(c.item.clone()),
                    _ => None,
                },
            ),
            Op::Delete { key, .. } => refused_by_condition(
                self.client
                    .delete_item()
                    .table_name(&self.table)
                    .set_key(Some(key_attrs(key)))
                    .conditioned(e)
                    .send()
                    .await
                    .map_err(SdkError::into_service_error),
                "delete item",
                |e| match e {
                    DeleteItemError::ConditionalCheckFailedException(c) => Some(c.item.clone()),
                    _ => None,
                },
            ),
            Op::Check { .. } => unreachable!("checks go through a transaction"),
        };
        match failed {
            Ok(()) => Ok(()),
            Err(Err(e)) => Err(e),
            Err(Ok(old)) => Err(self.condition_failed(0, op, old.as_ref(), now).await?),
        }
    }

    /// The error for op `i` whose condition failed, with the stored version (read again when
    /// the answer did not carry the old item).
    async fn condition_failed(
        &self,
        i: usize,
        op: &Op,
        old: Option<&Attrs>,
        now: i64,
    ) -> Result<StoreError, StoreError> {
        let current = match old {
            Some(a) if !a.is_empty() => live_version(Some(a), now)?,
            _ => self.get(op.key()).await?.map(|item| item.version),
        };
        Ok(StoreError::ConditionFailed {
            op: i,
            condition: op.condition(),
            current,
        })
    }

    async fn write_many(&self, ops: &[Op], now: i64) -> Result<(), StoreError> {
        let items = ops
            .iter()
            .map(|op| self.transact_item(op, now))
            .collect::<Result<Vec<_>, _>>()?;
        let mut attempt = 0;
        loop {
            let result = self
                .client
                .transact_write_items()
                .set_transact_items(Some(items.clone()))
                .send()
                .await;
            let err = match result {
                Ok(_) => return Ok(()),
                Err(err) => err,
            };
            match cancellation(&err) {
                Some(Cancelled::Condition(i, old)) => {
                    return Err(self.condition_failed(i, &ops[i], old.as_ref(), now).await?)
                }
                Some(Cancelled::Conflict) if attempt < CONFLICT_RETRIES => {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(20 * u64::from(attempt))).await;
                }
                _ => {
                    return Err(StoreError::backend(
                        "transact write items",
                        err.into_service_error(),
                    ))
                }
            }
        }
    }
}

/// A single-item write's outcome: `Ok` when written; `Err(Ok(old item))` when its condition
/// refused it (DynamoDB returns the old item when asked); `Err(Err(_))` when it failed.
fn refused_by_condition<T, E>(
    result: Result<T, E>,
    context: &'static str,
    condition_failed: impl FnOnce(&E) -> Option<Option<Attrs>>,
) -> Result<(), Result<Option<Attrs>, StoreError>>
where
    E: std::error::Error + Send + Sync + 'static,
{
    result.map(drop).map_err(|e| match condition_failed(&e) {
        Some(old) => Ok(old),
        None => Err(StoreError::backend(context, e)),
    })
}

/// Why a transaction was cancelled.
enum Cancelled {
    /// This op's condition failed; the old item when DynamoDB returned it.
    Condition(usize, Option<Attrs>),
    /// It met a concurrent transaction on one of its items: worth trying again.
    Conflict,
}

fn cancellation(err: &SdkError<TransactWriteItemsError>) -> Option<Cancelled> {
    let Some(TransactWriteItemsError::TransactionCanceledException(e)) = err.as_service_error()
    else {
        return None;
    };
    let reasons = e.cancellation_reasons();
    if let Some(i) = reasons
        .iter()
        .position(|r| r.code() == Some("ConditionalCheckFailed"))
    {
        return Some(Cancelled::Condition(i, reasons[i].item().cloned()));
    }
    reasons
        .iter()
        .any(|r| r.code() == Some("TransactionConflict"))
        .then_some(Cancelled::Conflict)
}

fn sort_expression(name: &str, sort: &SortCondition, values: &mut Attrs) -> Option<String> {
    let mut value = |k: &str, v: &str| {
        values.insert(k.into(), s(v));
    };
    match sort {
        SortCondition::Any => None,
        SortCondition::Equals(v) => {
            value(":s", v);
            Some(format!("{name} = :s"))
        }
        SortCondition::BeginsWith(p) => {
            value(":s", p);
            Some(format!("begins_with({name}, :s)"))
        }
        SortCondition::Between(lo, hi) => {
            value(":s", lo);
            value(":t", hi);
            Some(format!("{name} BETWEEN :s AND :t"))
        }
        SortCondition::AtLeast(lo) => {
            value(":s", lo);
            Some(format!("{name} >= :s"))
        }
        SortCondition::AtMost(hi) => {
            value(":s", hi);
            Some(format!("{name} <= :s"))
        }
    }
}

#[async_trait]
impl ItemStore for DynamoStore {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key_attrs(key)))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| StoreError::backend("get item", e.into_service_error()))?;
        let now = self.now();
        match out.item {
            Some(a) if live_version(Some(&a), now)?.is_some() => from_attrs(a).map(Some),
            _ => Ok(None),
        }
    }

    async fn query(&self, query: &Query) -> Result<Page, StoreError> {
        check_query(query)?;
        let now = self.now();
        let primary = query.index == Index::Primary;
        let (pk_name, sk_name) = if primary {
            ("pk".to_owned(), "sk".to_owned())
        } else {
            index_attrs(query.index)
        };
        let mut values = HashMap::from([(":p".to_owned(), s(&query.partition))]);
        let condition = match sort_expression("#sk", &query.sort, &mut values) {
            Some(sort) => format!("#pk = :p AND {sort}"),
            None => "#pk = :p".to_owned(),
        };
        let mut names = HashMap::from([("#pk".to_owned(), pk_name.clone())]);
        if condition.contains("#sk") {
            names.insert("#sk".to_owned(), sk_name.clone());
        }
        let mut start = query.after.as_ref().map(|p| {
            let mut k = key_attrs(&p.key);
            if !primary {
                k.insert(pk_name.clone(), s(&query.partition));
                k.insert(sk_name.clone(), s(&p.index_sk));
            }
            k
        });
        // One more than asked tells whether another page follows.
        let wanted = query.limit + 1;
        let mut found: Vec<Found> = Vec::with_capacity(wanted.min(64));
        loop {
            let page = self
                .client
                .query()
                .table_name(&self.table)
                .set_index_name((!primary).then(|| query.index.name().to_owned()))
                .key_condition_expression(&condition)
                .set_expression_attribute_names(Some(names.clone()))
                .set_expression_attribute_values(Some(values.clone()))
                .scan_index_forward(!query.descending)
                .consistent_read(primary)
                .limit((wanted - found.len()) as i32)
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|e| StoreError::backend("query", e.into_service_error()))?;
            for mut a in page.items.unwrap_or_default() {
                if live_version(Some(&a), now)?.is_none() {
                    continue;
                }
                let index_sk = text(&a, &sk_name)?;
                let key = Key::new(text(&a, "pk")?, text(&a, "sk")?);
                let version = version_of(&a)?;
                let data = if primary {
                    take_text(&mut a, "body")
                } else {
                    take_text(&mut a, "summary")
                };
                found.push(Found {
                    key,
                    version,
                    index_sk,
                    data: data.unwrap_or_default(),
                });
            }
            match page.last_evaluated_key {
                Some(k) if !k.is_empty() && found.len() < wanted => start = Some(k),
                _ => break,
            }
        }
        let more = found.len() > query.limit;
        found.truncate(query.limit);
        let next = if more {
            found.last().map(Found::position)
        } else {
            None
        };
        Ok(Page { items: found, next })
    }

    async fn transact(&self, ops: Vec<Op>) -> Result<(), StoreError> {
        check_transaction(&ops)?;
        let now = self.now();
        match ops.as_slice() {
            [op @ (Op::Put { .. } | Op::Delete { .. })] => self.write_one(op, now).await,
            _ => self.write_many(&ops, now).await,
        }
    }
}
