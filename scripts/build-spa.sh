#!/usr/bin/env bash
# Builds the SPA into frontend/dist: cargo (wasm32, size profile) → wasm-bindgen → wasm-opt -Oz,
# then gives every asset a content-hashed name (`name-<10 hex of sha256>.ext`, which the servers
# cache as immutable) and rewrites the references in boot.js and index.html. No inline script or
# style anywhere: the Content-Security-Policy allows 'self' only.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"
tools="${OVOP_TOOLS_DIR:-$HOME/.cache/ovop/tools}"
dist=frontend/dist

# Leptos's `erase_components`: each component renders as one type-erased view instead of being
# inlined, with its whole view type, into every parent (~20 KB less brotli'd wasm). Only the
# wasm build gets it; RUSTFLAGS, when set, takes the place of target rustflags, so it goes there.
if [ -n "${RUSTFLAGS:-}" ]; then
  export RUSTFLAGS="$RUSTFLAGS --cfg erase_components"
else
  export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="${CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS:-} --cfg erase_components"
fi
cargo build -p ovop-frontend --target wasm32-unknown-unknown --profile wasm-release
rm -rf "$dist" && mkdir -p "$dist/pkg"
wasm-bindgen --target web --no-typescript --out-dir "$dist/pkg" --out-name ovop \
  "$target/wasm32-unknown-unknown/wasm-release/ovop-frontend.wasm"
"$tools/node_modules/.bin/wasm-opt" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
  --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
  "$dist/pkg/ovop_bg.wasm" -o "$dist/pkg/ovop_bg.wasm"
cp frontend/index.html frontend/style.css frontend/boot.js "$dist/"

# Renames dist/<dir>/<stem>.<ext> to <stem>-<hash>.<ext>; prints the new URL path.
hashed() {
  local file="$dist/$1" hash
  hash=$(sha256sum "$file" | cut -c1-10)
  local renamed="${1%.*}-$hash.${1##*.}"
  mv "$file" "$dist/$renamed"
  echo "/$renamed"
}
wasm=$(hashed pkg/ovop_bg.wasm)
glue=$(hashed pkg/ovop.js)
css=$(hashed style.css)
sed -i -e "s#/pkg/ovop\.js#$glue#g" -e "s#/pkg/ovop_bg\.wasm#$wasm#g" "$dist/boot.js"
boot=$(hashed boot.js)
sed -i -e "s#/pkg/ovop\.js#$glue#g" -e "s#/pkg/ovop_bg\.wasm#$wasm#g" \
  -e "s#/style\.css#$css#g" -e "s#/boot\.js#$boot#g" "$dist/index.html"
for ref in "$wasm" "$glue" "$css" "$boot"; do
  grep -q "$ref" "$dist/index.html" || { echo "index.html does not name $ref" >&2; exit 1; }
done
if grep -qiE '<script>|<script type="module">|[[:space:]]style=|[[:space:]]on[a-z]+=' "$dist/index.html"; then
  echo "index.html has inline script, style or event handler (CSP forbids them)" >&2
  exit 1
fi

raw=$(stat -c %s "$dist$wasm")
if command -v brotli >/dev/null; then
  br=$(brotli -c -q 11 "$dist$wasm" | wc -c)
  echo "SPA wasm $wasm: $raw bytes raw, $br bytes brotli"
else
  echo "SPA wasm $wasm: $raw bytes raw"
fi
