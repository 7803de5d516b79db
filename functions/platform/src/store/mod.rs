//! Storage: one generic item port ([`item::ItemStore`]) with two adapters — the embedded store
//! ([`embedded::EmbeddedStore`], redb in a data folder, the local default) and DynamoDB
//! ([`dynamo::DynamoStore`], a single table, production) — and typed repositories on top
//! ([`repo::Store`], [`repo::Entity`]). Entities declare their keys and indexes in
//! [`entities`]; the item-level conformance suite (`tests/tests/store_conformance.rs`) runs
//! against both adapters.

pub mod dynamo;
pub mod dynamo_schema;
pub mod embedded;
pub mod entities;
pub mod item;
mod recent;
pub mod repo;
pub mod wal;

pub use item::{Condition, ItemStore, LimitExceeded, StoreError};
pub use repo::{Entity, ListCursor, ListPage, Listing, Store, Tx};
