#!/usr/bin/env bash
# Installs what building and testing need, once per machine: the wasm target, wasm-bindgen-cli
# at the version in Cargo.lock, wasm-opt from npm binaryen (not Debian's: it breaks the module),
# moto for the DynamoDB emulator, and — for tests — Debian's Chromium, poppler-utils and zbar-tools,
# and npm playwright-core.
# Usage: scripts/setup.sh [app|test]
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-app}
tools="${OVOP_TOOLS_DIR:-$HOME/.cache/ovop/tools}"
mkdir -p "$tools"

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

wb_version=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/[^0-9.]/,""); print; exit}' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$wb_version" ]; then
  say "installing wasm-bindgen-cli $wb_version (a few minutes, once)"
  # No --locked: the crates mirror lags behind the lock file of wasm-bindgen-cli (toolchain.md).
  cargo install wasm-bindgen-cli --version "$wb_version"
fi

if [ ! -x "$tools/node_modules/.bin/wasm-opt" ]; then
  say "installing wasm-opt (npm binaryen@132.0.0)"
  npm install --prefix "$tools" --no-audit --no-fund --silent binaryen@132.0.0
fi

if [ "$what" = test ]; then
  if ! python3 -c 'import moto, flask, flask_cors' 2>/dev/null \
     || [ "$(python3 -c 'import moto; print(moto.__version__)')" != "5.2.5" ]; then
    say "installing moto 5.2.5 (DynamoDB emulator)"
    pip install --quiet 'moto[dynamodb,s3]==5.2.5' flask flask-cors
  fi
  if [ "$(cfn-lint --version 2>/dev/null | awk '{print $2}')" != "1.51.0" ]; then
    say "installing cfn-lint 1.51.0"
    pip install --quiet 'cfn-lint==1.51.0'
  fi
  missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium fonts-liberation)
  command -v brotli >/dev/null || missing+=(brotli)
  # The certificate tests read the PDF's text and fonts (poppler) and scan its QR code (zbar).
  command -v pdftotext >/dev/null || missing+=(poppler-utils)
  command -v zbarimg >/dev/null || missing+=(zbar-tools)
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  if [ ! -d tests/e2e/node_modules/playwright-core ]; then
    say "installing playwright-core and axe-core (npm, no browser download)"
    (cd tests/e2e && npm ci --no-audit --no-fund --silent)
  fi
fi
