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
    let table = std::env::var("TABLE_NAME").map_err(|_| "TABLE_NAME is not set")?;
    let uploads = std::env::var("UPLOADS_BUCKET").map_err(|_| "UPLOADS_BUCKET is not set")?;
    let public = std::env::var("PUBLIC_BUCKET").map_err(|_| "PUBLIC_BUCKET is not set")?;
    // The gallery's public address (`https://…/galeri/`): QR codes and canonical links.
    let gallery_url = std::env::var("GALLERY_URL").map_err(|_| "GALLERY_URL is not set")?;
    let (dynamo, s3) = tokio::join!(DynamoStore::client_from_env(), S3Objects::client_from_env());
    let state = AppState::new(
        Arc::new(DynamoStore::new(dynamo, table)),
        Arc::new(S3Objects::new(s3.clone(), uploads)),
        Arc::new(S3Objects::new(s3, public)),
        Arc::new(SystemClock),
        gallery_url,
    );
    lambda_http::run(app(state, Authenticator::ApiGatewayJwt)).await
}
