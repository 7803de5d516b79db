//! Storage: one generic item port ([`item::ItemStore`]) with two adapters — the embedded store
//! (`embedded::EmbeddedStore`, redb in a data folder, the local default; feature `embedded`) and DynamoDB
//! ([`dynamo::DynamoStore`], a single table, production) — and typed repositories on top
//! ([`repo::Store`], [`repo::Entity`]). Entities declare their keys and indexes in
//! [`entities`]; the item-level conformance suite (`tests/tests/store_conformance.rs`) runs
//! against both adapters.
//!
//! The embedded store (and its log and cache) is compiled only with the `embedded` feature,
//! which the local app and the tests enable; the Lambda functions build without it.

pub mod dynamo;
pub mod dynamo_schema;
#[cfg(feature = "embedded")]
pub mod embedded;
pub mod entities;
pub mod item;
#[cfg(feature = "embedded")]
mod recent;
pub mod repo;
#[cfg(feature = "embedded")]
pub mod wal;

pub use item::{Condition, ItemStore, LimitExceeded, StoreError};
pub use repo::{Entity, ListCursor, ListPage, Listing, Store, Tx};
