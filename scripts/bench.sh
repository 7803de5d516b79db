#!/usr/bin/env bash
# Prints the benchmark figures (not part of `make test`).
#   intake_throughput: 64 clients create+submit over HTTP vs the disk's fsync rate
#   lambda_init:       intake binary cold start against a stub Lambda runtime API, binary sizes
#   aggregation:       a national round's scores → aggregates and stars, in memory
#   leaderboard_read:  a national round's results through the store (embedded, and moto)
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
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 -m moto.server -H 127.0.0.1 -p "$port" >"${TMPDIR:-/tmp}/ovop-bench-moto.log" 2>&1 &
moto_pid=$!
trap 'kill $moto_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/moto-api/" >/dev/null 2>&1 && break
  sleep 0.1
done
OVOP_TEST_DYNAMODB_ENDPOINT="http://127.0.0.1:$port" AWS_EC2_METADATA_DISABLED=true \
  cargo bench -p ovop-tests --bench leaderboard_read
scripts/build-spa.sh && cargo build -p ovop-local && (cd tests/e2e && OVOP_LOCAL_BIN="$CARGO_TARGET_DIR/debug/ovop-local" OVOP_SPA_DIR="$PWD/../../frontend/dist" node bench/first-visit.mjs)
