//! Lambda entry point of the scoring function: the DynamoDB store is built once per process.

use std::sync::Arc;

use ovop_platform::auth::Authenticator;
use ovop_platform::clock::SystemClock;
use ovop_platform::store::dynamo::DynamoStore;
use ovop_scoring::{app, AppState};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    ovop_platform::telemetry::init(true);
    let table = std::env::var("TABLE_NAME").map_err(|_| "TABLE_NAME is not set")?;
    let client = DynamoStore::client_from_env().await;
    let store = Arc::new(DynamoStore::new(client, table));
    let state = AppState::new(store, Arc::new(SystemClock));
    lambda_http::run(app(state, Authenticator::ApiGatewayJwt)).await
}
