#!/usr/bin/env bash
# Runs the whole app on localhost: builds the SPA and starts ovop-local (API + SPA + embedded
# store, seeded demo data). Data lives in ./.data; delete it to start afresh.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/ovop/target}"
scripts/setup.sh app
scripts/build-spa.sh
exec cargo run -p ovop-local
