//! Cold start of the intake Lambda binary on this machine: time from process start to the
//! first handled invocation, against a local stub of the Lambda runtime API. Includes SDK
//! client construction (done once in `main`). Also prints the binary sizes.
//!
//! Build the binary first (`scripts/bench.sh` does): `cargo build --release -p ovop-intake`.
//! `cargo bench -p ovop-tests --bench lambda_init` (env: `LAMBDA_INIT_RUNS`, `OVOP_INTAKE_BIN`).

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::Router;
use tokio::sync::Notify;

#[derive(Clone)]
struct Stub {
    event: String,
    handled: Arc<Notify>,
    response: Arc<Mutex<Option<String>>>,
}

async fn next(State(stub): State<Stub>) -> (HeaderMap, String) {
    let mut headers = HeaderMap::new();
    headers.insert("lambda-runtime-aws-request-id", "req-1".parse().unwrap());
    let deadline = (std::time::SystemTime::now() + Duration::from_secs(30))
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis();
    headers.insert(
        "lambda-runtime-deadline-ms",
        deadline.to_string().parse().unwrap(),
    );
    headers.insert(
        "lambda-runtime-invoked-function-arn",
        "arn:aws:lambda:ap-southeast-3:123456789012:function:ovop-intake"
            .parse()
            .unwrap(),
    );
    headers.insert("content-type", "application/json".parse().unwrap());
    (headers, stub.event.clone())
}

async fn respond(State(stub): State<Stub>, Path(_id): Path<String>, body: String) -> &'static str {
    *stub.response.lock().unwrap() = Some(body);
    stub.handled.notify_one();
    "ok"
}

async fn never() {
    std::future::pending::<()>().await
}

/// Peak resident set (`VmHWM`) of a running process, in KiB.
fn peak_rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn binary() -> PathBuf {
    if let Ok(p) = std::env::var("OVOP_INTAKE_BIN") {
        return p.into();
    }
    // target/release/deps/lambda_init-… → target/release/ovop-intake
    let exe = std::env::current_exe().unwrap();
    exe.parent().unwrap().parent().unwrap().join("ovop-intake")
}

fn main() {
    let runs: usize = std::env::var("LAMBDA_INIT_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let bin = binary();
    assert!(
        bin.exists(),
        "{} missing: run `cargo build --release -p ovop-intake`",
        bin.display()
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let event = serde_json::json!({
            "version": "2.0", "routeKey": "$default", "rawPath": "/api/v1/openapi.json", "rawQueryString": "",
            "headers": {"accept": "application/json"},
            "requestContext": {"accountId": "123456789012", "apiId": "api", "domainName": "api.example", "domainPrefix": "api",
                "http": {"method": "GET", "path": "/api/v1/openapi.json", "protocol": "HTTP/1.1", "sourceIp": "10.0.0.1", "userAgent": "bench"},
                "requestId": "r", "routeKey": "$default", "stage": "$default", "time": "28/Nov/2026:00:00:00 +0000", "timeEpoch": 0},
            "isBase64Encoded": false
        })
        .to_string();
        let mut times = Vec::new();
        let mut peak_rss = Vec::new();
        for _ in 0..runs {
            let stub = Stub { event: event.clone(), handled: Arc::new(Notify::new()), response: Arc::new(Mutex::new(None)) };
            let app = Router::new()
                .route("/2018-06-01/runtime/invocation/next", get(next))
                .route("/2018-06-01/runtime/invocation/{id}/response", post(respond))
                .route("/2018-06-01/runtime/invocation/{id}/error", post(respond))
                .route("/2018-06-01/runtime/init/error", post(never))
                .with_state(stub.clone());
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let server = tokio::spawn(async move { axum::serve(listener, app).await });
            let started = Instant::now();
            let mut child = tokio::process::Command::new(&bin)
                .env_clear()
                .env("AWS_LAMBDA_RUNTIME_API", addr.to_string())
                .env("AWS_LAMBDA_FUNCTION_NAME", "ovop-intake")
                .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512")
                .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
                .env("AWS_LAMBDA_LOG_STREAM_NAME", "bench")
                .env("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/ovop-intake")
                .env("AWS_REGION", "ap-southeast-3")
                .env("AWS_ACCESS_KEY_ID", "bench")
                .env("AWS_SECRET_ACCESS_KEY", "bench")
                .env("AWS_SESSION_TOKEN", "bench")
                .env("TABLE_NAME", "ovop-bench")
                .env("RUST_LOG", "warn")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            tokio::time::timeout(Duration::from_secs(10), stub.handled.notified()).await.expect("no invocation handled within 10 s");
            times.push(started.elapsed().as_secs_f64() * 1e3);
            let body = stub.response.lock().unwrap().clone().unwrap_or_default();
            assert!(body.contains("\"statusCode\":200"), "unexpected response: {}", &body[..body.len().min(300)]);
            if let Some(kb) = child.id().and_then(peak_rss_kb) {
                peak_rss.push(kb);
            }
            let _ = child.kill().await;
            server.abort();
        }
        times.sort_by(f64::total_cmp);
        let size = std::fs::metadata(&bin).unwrap().len();
        println!("lambda_init ({} runs, binary {}, {:.2} MB)", runs, bin.display(), size as f64 / 1e6);
        println!("  process start → first handled invocation: min {:.1} ms, median {:.1} ms, p95 {:.1} ms, max {:.1} ms",
            times[0], times[times.len() / 2], times[(times.len() as f64 * 0.95) as usize - 1], times[times.len() - 1]);
        if let Some(max) = peak_rss.iter().max() {
            println!("  peak resident memory after the first invocation: {:.1} MB", *max as f64 / 1024.0);
        }
        let arm = bin.parent().unwrap().parent().unwrap().join("aarch64-unknown-linux-gnu/release/ovop-intake");
        if let Ok(meta) = std::fs::metadata(&arm) {
            println!("  arm64 binary {}: {:.2} MB", arm.display(), meta.len() as f64 / 1e6);
        }
    });
}
