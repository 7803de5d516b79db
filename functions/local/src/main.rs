//! `ovop-local`: the whole platform on localhost.
//!
//! Environment: `OVOP_ADDR` (127.0.0.1:8080), `OVOP_DATA_DIR` (.data), `OVOP_SPA_DIR`
//! (frontend/dist), `OVOP_STORE` (`embedded` | `dynamodb`, with `TABLE_NAME` and the standard
//! AWS variables), `OVOP_DEV_SECRET` (random per data folder when unset).

use std::path::PathBuf;

use ovop_local::{serve, LocalConfig, StoreChoice};

/// mimalloc: the local app's many short-lived request buffers and the store's page buffers
/// cost a third less CPU than with the system allocator (see the intake_throughput bench).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn env(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

/// A dev secret kept in the data folder, so sessions survive a restart.
fn dev_secret(dir: &std::path::Path) -> std::io::Result<Vec<u8>> {
    if let Ok(secret) = std::env::var("OVOP_DEV_SECRET") {
        return Ok(secret.into_bytes());
    }
    std::fs::create_dir_all(dir)?;
    let path = dir.join("dev-secret");
    match std::fs::read(&path) {
        Ok(bytes) if bytes.len() >= 32 => Ok(bytes),
        _ => {
            let secret = format!("{}{}", ulid::Ulid::new(), ulid::Ulid::new()).into_bytes();
            std::fs::write(&path, &secret)?;
            Ok(secret)
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    ovop_local::process::tune_allocator();
    ovop_local::process::runtime()?.block_on(run())
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    ovop_platform::telemetry::init(false);
    let data_dir = PathBuf::from(env("OVOP_DATA_DIR", ".data"));
    let store = match env("OVOP_STORE", "embedded").as_str() {
        "dynamodb" => StoreChoice::DynamoDb {
            table: std::env::var("TABLE_NAME")
                .map_err(|_| "OVOP_STORE=dynamodb needs TABLE_NAME")?,
        },
        _ => StoreChoice::Embedded(data_dir.clone()),
    };
    let spa_dir = PathBuf::from(env("OVOP_SPA_DIR", "frontend/dist"));
    let config = LocalConfig {
        addr: env("OVOP_ADDR", "127.0.0.1:8080").parse()?,
        store,
        spa_dir: spa_dir.join("index.html").exists().then_some(spa_dir),
        dev_secret: dev_secret(&data_dir)?,
        token_ttl_secs: 8 * 3600,
        seed: true,
    };
    serve(config).await?;
    Ok(())
}
