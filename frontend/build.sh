#!/usr/bin/env bash
# Builds the SPA into frontend/dist/:
#   index.html (no cache), app-<hash>.js, app-<hash>_bg.wasm, style-<hash>.css (cache forever).
# Needs what setup.sh installs. Runs from any directory.
#   CARGO_TARGET_DIR     honoured (default: <repo>/target)
#   ATLAS_SKIP_WASM_OPT  set to 1 to skip wasm-opt (faster local builds, larger wasm)
set -euo pipefail

FRONTEND_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)"
ROOT_DIR="$(cd -- "$FRONTEND_DIR/.." && pwd)"
DIST_DIR="$FRONTEND_DIR/dist"

log() { printf '[frontend/build] %s\n' "$*"; }
die() { printf '[frontend/build] error: %s\n' "$*" >&2; exit 1; }

if [[ -n "${CARGO_TARGET_DIR:-}" ]]; then
  case "$CARGO_TARGET_DIR" in
    /*) ;;
    *) CARGO_TARGET_DIR="$PWD/$CARGO_TARGET_DIR" ;;
  esac
  export CARGO_TARGET_DIR
fi
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT_DIR/target}"
STAGE_DIR="$TARGET_DIR/atlas-frontend-stage"
PROFILE="wasm-release"
WASM_IN="$TARGET_DIR/wasm32-unknown-unknown/$PROFILE/atlas-frontend.wasm"

command -v wasm-bindgen >/dev/null 2>&1 || die "wasm-bindgen not found: run frontend/setup.sh"

start=$SECONDS

# 1. Compile ------------------------------------------------------------------------------------
log "cargo build -p atlas-frontend --profile $PROFILE --target wasm32-unknown-unknown"
(cd "$ROOT_DIR" && cargo build -p atlas-frontend --profile "$PROFILE" --target wasm32-unknown-unknown)
[[ -f "$WASM_IN" ]] || die "expected $WASM_IN after cargo build"

# The CLI must be the exact version of the wasm-bindgen crate, or the glue does not match.
WB_LOCKED="$(awk '
  /^\[\[package\]\]/ { in_pkg = 0 }
  /^name = "wasm-bindgen"$/ { in_pkg = 1; next }
  in_pkg && /^version = / { gsub(/"/, "", $3); print $3; exit }
' "$ROOT_DIR/Cargo.lock")"
WB_HAVE="$(wasm-bindgen --version | awk '{print $2}')"
[[ "$WB_HAVE" == "$WB_LOCKED" ]] \
  || die "wasm-bindgen CLI is $WB_HAVE but Cargo.lock has $WB_LOCKED: run frontend/setup.sh"

# 2. Bindings -----------------------------------------------------------------------------------
rm -rf "$STAGE_DIR"
mkdir -p "$STAGE_DIR"
log "wasm-bindgen $WB_HAVE --target web"
wasm-bindgen --target web --no-typescript --out-dir "$STAGE_DIR" --out-name app "$WASM_IN"

# 3. Optimise -----------------------------------------------------------------------------------
# Only binaryen from npm (pinned in package-lock.json): Debian's wasm-opt produces a wasm that
# loads blank.
WASM_OPT="$FRONTEND_DIR/node_modules/.bin/wasm-opt"
if [[ "${ATLAS_SKIP_WASM_OPT:-0}" == "1" ]]; then
  log "wasm-opt skipped (ATLAS_SKIP_WASM_OPT=1)"
elif [[ -x "$WASM_OPT" ]]; then
  log "wasm-opt -Oz ($("$WASM_OPT" --version))"
  "$WASM_OPT" -Oz \
    --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "$STAGE_DIR/app_bg.wasm" -o "$STAGE_DIR/app_bg.opt.wasm"
  mv "$STAGE_DIR/app_bg.opt.wasm" "$STAGE_DIR/app_bg.wasm"
else
  log "wasm-opt not found at $WASM_OPT (run frontend/setup.sh): skipping the size optimisation"
fi

# 4. Content-hashed site ------------------------------------------------------------------------
hash8() { sha256sum "$1" | cut -c1-8; }
JS_NAME="app-$(hash8 "$STAGE_DIR/app.js").js"
WASM_NAME="app-$(hash8 "$STAGE_DIR/app_bg.wasm")_bg.wasm"
CSS_NAME="style-$(hash8 "$FRONTEND_DIR/style.css").css"

mkdir -p "$DIST_DIR"
# Assets first, under new names, then index.html atomically: a server reading dist/ meanwhile
# always finds the files of the index.html it sends.
cp "$STAGE_DIR/app.js" "$DIST_DIR/$JS_NAME"
cp "$STAGE_DIR/app_bg.wasm" "$DIST_DIR/$WASM_NAME"
cp "$FRONTEND_DIR/style.css" "$DIST_DIR/$CSS_NAME"
if [[ -d "$STAGE_DIR/snippets" ]]; then
  # JS snippets of dependencies, imported relatively by app.js.
  rm -rf "$DIST_DIR/snippets"
  cp -R "$STAGE_DIR/snippets" "$DIST_DIR/snippets"
fi

sed -e "s#\"/app\\.js\"#\"/$JS_NAME\"#g" \
    -e "s#\"/app_bg\\.wasm\"#\"/$WASM_NAME\"#g" \
    -e "s#\"/style\\.css\"#\"/$CSS_NAME\"#g" \
    -e "/<!-- build.sh rewrites/d" \
    "$FRONTEND_DIR/index.html" > "$DIST_DIR/.index.html.tmp"
for name in "$JS_NAME" "$WASM_NAME" "$CSS_NAME"; do
  grep -q "\"/$name\"" "$DIST_DIR/.index.html.tmp" \
    || die "index.html does not reference /$name (the template's asset paths changed?)"
done
mv "$DIST_DIR/.index.html.tmp" "$DIST_DIR/index.html"

# Remove assets of earlier builds.
find "$DIST_DIR" -maxdepth 1 -type f \
  \( -name 'app-*.js' -o -name 'app-*_bg.wasm' -o -name 'style-*.css' \) \
  ! -name "$JS_NAME" ! -name "$WASM_NAME" ! -name "$CSS_NAME" -delete

# 5. Report -------------------------------------------------------------------------------------
size_line() {
  local f="$1"
  printf '  %-28s %9s bytes raw  %9s bytes gzip\n' \
    "$(basename "$f")" "$(wc -c < "$f" | tr -d ' ')" "$(gzip -9 -c "$f" | wc -c | tr -d ' ')"
}
log "site written to $DIST_DIR in $((SECONDS - start)) s"
size_line "$DIST_DIR/$WASM_NAME"
size_line "$DIST_DIR/$JS_NAME"
size_line "$DIST_DIR/$CSS_NAME"
