#!/usr/bin/env bash
# Runs the Playwright suite against a real `atlas serve` with a fresh, seeded database.
#
#   bash e2e/run.sh [playwright test arguments...]      (normally through `make e2e`)
#
# 1. (re)creates the database atlas_e2e (E2E_DB_NAME) on the server of DATABASE_URL, or of the
#    project-local cluster (infra/local-pg.sh start) when DATABASE_URL is unset: DROP ... WITH (FORCE);
# 2. atlas migrate + atlas seed-demo against it;
# 3. atlas serve on 127.0.0.1:${E2E_PORT:-18080} (ATLAS_ENV=dev, SPA from frontend/dist), waits for /readyz;
# 4. npx playwright test in e2e/; the server is stopped on exit, whatever happens.
#
# Needs target/debug/atlas (cargo build -p atlas-server; ATLAS_BIN overrides the path), frontend/dist
# (make web) and e2e/node_modules (make setup; installed here when missing).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

log() { printf '[e2e] %s\n' "$*" >&2; }
die() { printf '[e2e] error: %s\n' "$*" >&2; exit 1; }

ATLAS_BIN="${ATLAS_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/debug/atlas}"
[[ "$ATLAS_BIN" == /* ]] || ATLAS_BIN="$ROOT/$ATLAS_BIN"
E2E_DB_NAME="${E2E_DB_NAME:-atlas_e2e}"
E2E_PORT="${E2E_PORT:-18080}"
STATIC_DIR="$ROOT/frontend/dist"
LOG_DIR="$ROOT/.local/e2e"
SERVER_LOG="$LOG_DIR/server.log"

[[ -x "$ATLAS_BIN" ]] || die "$ATLAS_BIN not found: cargo build -p atlas-server (make e2e does it)"
[[ -f "$STATIC_DIR/index.html" ]] || die "$STATIC_DIR/index.html not found: build the SPA first (make web)"
[[ "$E2E_DB_NAME" =~ ^[a-z_][a-z0-9_]*$ ]] || die "E2E_DB_NAME must be a plain lower-case identifier"
command -v psql >/dev/null || die "psql not found (make setup installs the PostgreSQL client)"
command -v curl >/dev/null || die "curl not found (make setup installs it)"

# --- database -------------------------------------------------------------------------------------
BASE_URL="$("$ROOT/infra/local-pg.sh" start)" # prints DATABASE_URL unchanged when it is set
# Swap the database name of the URL: postgres[ql]://[userinfo@]host[:port][/db][?params]
re='^(postgres(ql)?://[^/?]*)(/[^?]*)?(\?.*)?$'
[[ "$BASE_URL" =~ $re ]] || die "cannot parse the database URL (expected postgres://...)"
SERVER_PART="${BASH_REMATCH[1]}"
QUERY_PART="${BASH_REMATCH[4]:-}"
ADMIN_URL="$SERVER_PART/postgres$QUERY_PART"
E2E_DB_URL="$SERVER_PART/$E2E_DB_NAME$QUERY_PART"

log "recreating database $E2E_DB_NAME"
psql -X -q -v ON_ERROR_STOP=1 "$ADMIN_URL" \
  -c "DROP DATABASE IF EXISTS $E2E_DB_NAME WITH (FORCE)" \
  -c "CREATE DATABASE $E2E_DB_NAME" >&2

export DATABASE_URL="$E2E_DB_URL"
export ATLAS_ENV=dev
export RUST_LOG="${RUST_LOG:-info}"
# Each test signs in through the form; keep the login rate limit (10/min in production) out of the way.
export ATLAS_RATE_LIMIT_LOGIN="${ATLAS_RATE_LIMIT_LOGIN:-1000}"

log "atlas migrate"
"$ATLAS_BIN" migrate
log "atlas seed-demo"
"$ATLAS_BIN" seed-demo

# --- server ---------------------------------------------------------------------------------------
BASE="http://127.0.0.1:$E2E_PORT"
if curl -s -o /dev/null --max-time 2 "$BASE/healthz"; then
  die "something already answers on $BASE: stop it, or set E2E_PORT to a free port"
fi

mkdir -p "$LOG_DIR"
: >"$SERVER_LOG"
SERVER_PID=""
stop_server() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    log "stopping atlas serve (pid $SERVER_PID)"
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$SERVER_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
}
trap stop_server EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log "atlas serve on $BASE (log: $SERVER_LOG)"
ATLAS_BIND="127.0.0.1:$E2E_PORT" ATLAS_STATIC_DIR="$STATIC_DIR" NO_COLOR=1 \
  "$ATLAS_BIN" serve >>"$SERVER_LOG" 2>&1 &
SERVER_PID=$!

show_log() {
  local n
  n="$(wc -l <"$SERVER_LOG")"
  echo "----- $SERVER_LOG ($n lines) -----" >&2
  if ((n <= 120)); then
    cat "$SERVER_LOG" >&2
  else
    head -n 60 "$SERVER_LOG" >&2
    echo "[... $((n - 120)) lines ...]" >&2
    tail -n 60 "$SERVER_LOG" >&2
  fi
  echo "-----" >&2
}

deadline=$((SECONDS + 60))
until curl -sf -o /dev/null --max-time 2 "$BASE/readyz"; do
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    show_log
    die "atlas serve exited before it was ready"
  fi
  if ((SECONDS >= deadline)); then
    show_log
    die "atlas serve not ready on $BASE/readyz after 60 s"
  fi
  sleep 0.2
done
log "server ready"

# --- playwright -----------------------------------------------------------------------------------
cd "$ROOT/e2e"
if [[ ! -d node_modules/@playwright/test ]]; then
  log "installing e2e npm dependencies"
  npm ci --no-audit --no-fund >&2
fi
export E2E_BASE_URL="$BASE"
set +e
npx --no-install playwright test "$@"
status=$?
set -e
if ((status != 0)); then
  log "Playwright failed (exit $status): traces and screenshots in e2e/test-results/, report: cd e2e && npx playwright show-report"
  log "server log: $SERVER_LOG"
fi
exit "$status"
