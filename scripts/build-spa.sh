#!/usr/bin/env bash
# Builds the SPA into frontend/dist: cargo (wasm32, size profile) → wasm-bindgen → wasm-opt -Oz.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"
tools="${OVOP_TOOLS_DIR:-$HOME/.cache/ovop/tools}"
dist=frontend/dist

cargo build -p ovop-frontend --target wasm32-unknown-unknown --profile wasm-release
rm -rf "$dist" && mkdir -p "$dist/pkg"
wasm-bindgen --target web --no-typescript --out-dir "$dist/pkg" --out-name ovop \
  "$target/wasm32-unknown-unknown/wasm-release/ovop-frontend.wasm"
"$tools/node_modules/.bin/wasm-opt" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
  --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
  "$dist/pkg/ovop_bg.wasm" -o "$dist/pkg/ovop_bg.wasm"
cp frontend/index.html frontend/style.css "$dist/"
raw=$(stat -c %s "$dist/pkg/ovop_bg.wasm")
if command -v brotli >/dev/null; then
  br=$(brotli -c -q 11 "$dist/pkg/ovop_bg.wasm" | wc -c)
  echo "SPA wasm: $raw bytes raw, $br bytes brotli"
else
  echo "SPA wasm: $raw bytes raw"
fi
