#!/usr/bin/env bash
# Runs every test, as CI does: formatting and lints, unit tests, store conformance on the
# embedded store and on DynamoDB (moto server, started and stopped here), API and Lambda-event
# tests, the SPA build with its size budget, and the browser tests in headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/ovop/target}"
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "setup"
scripts/setup.sh test

say "format and lints"
cargo fmt --all -- --check
cargo clippy --workspace --exclude ovop-frontend --all-targets -- -D warnings
cargo clippy -p ovop-frontend --target wasm32-unknown-unknown -- -D warnings

say "SAM template (cfn-lint)"
cfn-lint infra/template.yaml

say "DynamoDB emulator (moto)"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 -m moto.server -H 127.0.0.1 -p "$port" >"${TMPDIR:-/tmp}/ovop-moto.log" 2>&1 &
moto_pid=$!
trap 'kill $moto_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/moto-api/" >/dev/null 2>&1 && break
  sleep 0.1
done
export OVOP_TEST_DYNAMODB_ENDPOINT="http://127.0.0.1:$port"
export AWS_EC2_METADATA_DISABLED=true

say "unit, conformance, API and Lambda tests"
cargo test --workspace --exclude ovop-frontend
cargo test -p ovop-frontend

say "SPA build and size budget"
scripts/build-spa.sh
brotli_bytes=$(brotli -c -q 11 frontend/dist/pkg/ovop_bg-*.wasm | wc -c)
# The officials' app: at most 350 KB brotli (291 KB; README, Benchmarks).
budget=$((350 * 1000))
echo "wasm brotli: $brotli_bytes bytes (budget $budget)"
[ "$brotli_bytes" -le "$budget" ] || { echo "SPA over its size budget"; exit 1; }

say "browser tests (headless Chromium)"
cargo build -p ovop-local
(cd tests/e2e && mkdir -p test-results \
  && OVOP_LOCAL_BIN="$CARGO_TARGET_DIR/debug/ovop-local" OVOP_SPA_DIR="$PWD/../../frontend/dist" npm test)
