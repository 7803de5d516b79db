//! Structured logs.

use tracing_subscriber::EnvFilter;

/// Starts JSON logs (Lambda, CloudWatch) or human-readable ones (local), filtered by `RUST_LOG`.
pub fn init(json: bool) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let result = if json {
        builder.json().without_time().try_init()
    } else {
        builder.try_init()
    };
    // A second init (tests, benches) keeps the first subscriber.
    let _ = result;
}
