#!/usr/bin/env bash
# Prints the benchmark figures (not part of `make test`).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/ovop/target}"
cargo bench -p ovop-tests --bench intake_throughput
