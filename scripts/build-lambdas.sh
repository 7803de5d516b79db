#!/usr/bin/env bash
# Cross-builds the Lambda functions for arm64 (provided.al2023) without cargo-lambda:
# rustup's aarch64 target + cargo-zigbuild + zig from PyPI. `sam build` uses cargo-lambda
# instead (see README); both produce the same stripped `bootstrap` binaries.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/ovop/target}"
rustup target list --installed | grep -qx aarch64-unknown-linux-gnu || rustup target add aarch64-unknown-linux-gnu
python3 -c 'import ziglang' 2>/dev/null || pip install --quiet 'ziglang==0.15.2'
command -v cargo-zigbuild >/dev/null || cargo install --locked cargo-zigbuild --version 0.24.1
export PATH="$(python3 -c 'import ziglang, os; print(os.path.dirname(ziglang.__file__))'):$PATH"
cargo zigbuild --release --target aarch64-unknown-linux-gnu -p ovop-intake
for f in intake; do
  bin="$CARGO_TARGET_DIR/aarch64-unknown-linux-gnu/release/ovop-$f"
  printf 'ovop-%s arm64: %s bytes\n' "$f" "$(stat -c %s "$bin")"
done
