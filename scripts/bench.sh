#!/usr/bin/env bash
# Prints the benchmark figures (not part of `make test`).
#   intake_throughput: 64 clients create+submit over HTTP vs the disk's fsync rate
#   lambda_init:       intake binary cold start against a stub Lambda runtime API, binary sizes
#   aggregation:       a national round's scores → aggregates and stars, in memory
# With OVOP_BENCH_ARM64=1 it also cross-builds the arm64 binary (cargo-zigbuild + ziglang).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/ovop/target}"
cargo build --release -p ovop-intake
if [ "${OVOP_BENCH_ARM64:-0}" = 1 ]; then
  scripts/build-lambdas.sh
fi
cargo bench -p ovop-tests --bench intake_throughput
cargo bench -p ovop-tests --bench lambda_init
cargo bench -p ovop-tests --bench upload_throughput
cargo bench -p ovop-tests --bench aggregation
