//! Ports and adapters shared by the OVOP functions.
//!
//! - [`store`]: storage ports and their two adapters (embedded redb, DynamoDB);
//! - [`auth`]: who is calling (access-token claims: API Gateway JWT authorizer in Lambda, JWKS
//!   verification locally);
//! - [`problem`]: `application/problem+json` errors in Bahasa Indonesia or English;
//! - [`json`]: a JSON extractor that names the offending field;
//! - [`extract`]: query and path extractors that name the offending parameter;
//! - [`clock`]: the time port.

pub mod auth;
pub mod clock;
pub mod extract;
pub mod http;
pub mod idempotency;
pub mod ids;
pub mod json;
pub mod nominations;
pub mod objects;
pub mod paging;
pub mod problem;
pub mod store;
pub mod telemetry;
mod wording;

pub use problem::ApiError;
