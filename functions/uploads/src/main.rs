//! Lambda entry point of the uploads function: the DynamoDB store and the uploads bucket's
//! S3 client are built once per process.

use std::sync::Arc;

use ovop_platform::auth::Authenticator;
use ovop_platform::clock::SystemClock;
use ovop_platform::objects::{DownloadLinks, ObjectStore, S3Objects};
use ovop_platform::store::dynamo::DynamoStore;
use ovop_uploads::{app, AppState};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    ovop_platform::telemetry::init(true);
    let table = std::env::var("TABLE_NAME").map_err(|_| "TABLE_NAME is not set")?;
    let bucket = std::env::var("UPLOADS_BUCKET").map_err(|_| "UPLOADS_BUCKET is not set")?;
    let (client, objects) =
        tokio::join!(DynamoStore::client_from_env(), S3Objects::from_env(bucket));
    let store = Arc::new(DynamoStore::new(client, table));
    let objects: Arc<dyn ObjectStore> = Arc::new(objects);
    // CloudFront signed URLs when DOWNLOADS_* are set (the key read once from SSM), else
    // presigned S3 GETs.
    let downloads = DownloadLinks::from_env(objects.clone()).await?;
    tracing::info!(downloads = downloads.kind(), "download links");
    let state = AppState::new(store, objects, Arc::new(SystemClock)).with_downloads(downloads);
    lambda_http::run(app(state, Authenticator::ApiGatewayJwt)).await
}
