//! Lambda entry point of the awards function: the DynamoDB store and the two buckets' S3
//! clients are built once per process.

use std::sync::Arc;

use ovop_awards::{app, AppState};
use ovop_platform::auth::Authenticator;
use ovop_platform::clock::SystemClock;
use ovop_platform::objects::S3Objects;
use ovop_platform::store::dynamo::DynamoStore;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    ovop_platform::telemetry::init(true);
    let var = |name: &'static str| std::env::var(name).map_err(|_| format!("{name} is not set"));
    let (table, uploads, public, gallery_url) = (
        var("TABLE_NAME")?,
        var("UPLOADS_BUCKET")?,
        var("PUBLIC_BUCKET")?,
        var("GALLERY_URL")?,
    );
    let client = S3Objects::client_from_env().await;
    let store = Arc::new(DynamoStore::new(
        DynamoStore::client_from_env().await,
        table,
    ));
    let state = AppState::new(
        store,
        Arc::new(S3Objects::new(client.clone(), uploads)),
        Arc::new(S3Objects::new(client, public)),
        Arc::new(SystemClock),
        gallery_url,
    );
    lambda_http::run(app(state, Authenticator::ApiGatewayJwt)).await
}
