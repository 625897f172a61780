#!/usr/bin/env bash
# Installs what frontend/build.sh needs. Idempotent: run it as often as you like.
#  - the Rust target wasm32-unknown-unknown,
#  - wasm-bindgen-cli at exactly the wasm-bindgen version recorded in Cargo.lock,
#  - binaryen's wasm-opt from npm (pinned in package.json / package-lock.json).
set -euo pipefail

FRONTEND_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)"
ROOT_DIR="$(cd -- "$FRONTEND_DIR/.." && pwd)"

log() { printf '[frontend/setup] %s\n' "$*"; }

# 1. Rust target ---------------------------------------------------------------------------------
if rustup target list --installed | grep -qx 'wasm32-unknown-unknown'; then
  log "rust target wasm32-unknown-unknown: present"
else
  log "adding rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# 2. wasm-bindgen-cli, same version as the wasm-bindgen crate in Cargo.lock --------------------
if [[ ! -f "$ROOT_DIR/Cargo.lock" ]]; then
  log "no Cargo.lock yet: resolving the workspace"
  (cd "$ROOT_DIR" && cargo metadata --format-version 1 >/dev/null)
fi
WB_VERSION="$(awk '
  /^\[\[package\]\]/ { in_pkg = 0 }
  /^name = "wasm-bindgen"$/ { in_pkg = 1; next }
  in_pkg && /^version = / { gsub(/"/, "", $3); print $3; exit }
' "$ROOT_DIR/Cargo.lock")"
if [[ -z "$WB_VERSION" ]]; then
  echo "error: wasm-bindgen not found in $ROOT_DIR/Cargo.lock" >&2
  exit 1
fi
HAVE_VERSION=""
if command -v wasm-bindgen >/dev/null 2>&1; then
  HAVE_VERSION="$(wasm-bindgen --version | awk '{print $2}')"
fi
if [[ "$HAVE_VERSION" == "$WB_VERSION" ]]; then
  log "wasm-bindgen-cli $WB_VERSION: present"
else
  log "installing wasm-bindgen-cli =$WB_VERSION (found: ${HAVE_VERSION:-none}; takes a few minutes)"
  # No --locked: the CLI's own lock file does not build with this toolchain.
  cargo install wasm-bindgen-cli --version "=$WB_VERSION"
fi

# 3. wasm-opt (binaryen from npm; never Debian's binaryen: its wasm-opt output loads blank) ------
cd "$FRONTEND_DIR"
WASM_OPT="$FRONTEND_DIR/node_modules/.bin/wasm-opt"
if [[ -x "$WASM_OPT" ]] && [[ -f package-lock.json ]] \
   && "$WASM_OPT" --version 2>/dev/null | grep -q 'version 132'; then
  log "wasm-opt (binaryen 132): present"
elif [[ -f package-lock.json ]]; then
  log "npm ci (binaryen pinned by package-lock.json)"
  npm ci --no-audit --no-fund
else
  log "npm install (creates package-lock.json: commit it)"
  npm install --no-audit --no-fund
fi

log "done"
