//! `ovop-local`: the whole platform on localhost.
//!
//! Configured by the environment: see [`ovop_local::LocalConfig::from_env`] (`OVOP_ADDR`,
//! `OVOP_DATA_DIR`, `OVOP_SPA_DIR`, `OVOP_PUBLIC_ORIGIN`, `OVOP_ACCESS_TOKEN_SECS`,
//! `OVOP_STORE` with `TABLE_NAME`, `OVOP_SEED`, `OVOP_LOCAL_ISSUER`, `OVOP_OIDC_ISSUER`,
//! `OVOP_OIDC_CLIENT_ID`), and [`ovop_local::ObjectsConfig::from_env`] (`OVOP_S3_ADDR`,
//! `OVOP_S3_PUBLIC_URL`, `OVOP_S3_ACCESS_KEY`, `OVOP_S3_SECRET_KEY`; `OVOP_UPLOADS_BUCKET` with
//! DynamoDB).

use ovop_local::{serve, LocalConfig, ObjectsConfig};

/// mimalloc: the local app's many short-lived request buffers and the store's page buffers
/// cost a third less CPU than with the system allocator (see the intake_throughput bench).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    ovop_local::process::tune_allocator();
    ovop_local::process::runtime()?.block_on(run())
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    ovop_platform::telemetry::init(false);
    let config = LocalConfig::from_env(|name| std::env::var(name).ok())?;
    let objects = ObjectsConfig::from_env(|name| std::env::var(name).ok(), &config.store)?;
    serve(config, objects).await?;
    Ok(())
}
