#!/usr/bin/env bash
# Runs the Playwright suite against a real `atlas serve` with a fresh, seeded database.
#
#   bash e2e/run.sh [playwright test arguments...]      (normally through `make e2e`)
#
# 1. (re)creates the database atlas_e2e (E2E_DB_NAME) on the server of DATABASE_URL, or of the
#    project-local cluster (infra/local-pg.sh start) when DATABASE_URL is unset: DROP ... WITH (FORCE);
# 2. atlas migrate + atlas seed-demo against it;
# 3. atlas fake-whatsapp on 127.0.0.1:${E2E_FAKE_PORT:-E2E_PORT+1} (like `make dev`: status callbacks
#    sent,delivered,read to the server's webhook, signed with ATLAS_DEV_WHATSAPP_APP_SECRET, the app
#    secret seed-demo gives "Agence Atlas Paris");
# 4. atlas serve on 127.0.0.1:${E2E_PORT:-18080} (ATLAS_ENV=dev, SPA from frontend/dist,
#    ATLAS_WHATSAPP_API_BASE = the fake), waits for /readyz;
# 5. npx playwright test in e2e/ (E2E_BASE_URL, E2E_FAKE_WHATSAPP_URL); the server and the fake are
#    stopped on exit, whatever happens.
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
E2E_FAKE_PORT="${E2E_FAKE_PORT:-$((E2E_PORT + 1))}"
STATIC_DIR="$ROOT/frontend/dist"
LOG_DIR="$ROOT/.local/e2e"
SERVER_LOG="$LOG_DIR/server.log"
FAKE_LOG="$LOG_DIR/fake-whatsapp.log"

[[ -x "$ATLAS_BIN" ]] || die "$ATLAS_BIN not found: cargo build -p atlas-server (make e2e does it)"
[[ -f "$STATIC_DIR/index.html" ]] || die "$STATIC_DIR/index.html not found: build the SPA first (make web)"
[[ "$E2E_DB_NAME" =~ ^[a-z_][a-z0-9_]*$ ]] || die "E2E_DB_NAME must be a plain lower-case identifier"
[[ "$E2E_PORT" =~ ^[0-9]+$ && "$E2E_FAKE_PORT" =~ ^[0-9]+$ ]] || die "E2E_PORT and E2E_FAKE_PORT must be port numbers"
[[ "$E2E_PORT" != "$E2E_FAKE_PORT" ]] || die "E2E_FAKE_PORT must differ from E2E_PORT"
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
# The suite runs ~40 tests with the same demo users within a minute (600/min per user per org).
export ATLAS_RATE_LIMIT_API="${ATLAS_RATE_LIMIT_API:-100000}"
# The daily retention job would purge by the settings a test saves, under the feet of other tests.
export ATLAS_RETENTION_JOB="${ATLAS_RETENTION_JOB:-off}"
# seed-demo configures WhatsApp for "Agence Atlas Paris" with this app secret; the fake signs its
# status callbacks with it (same default as `make dev`).
export ATLAS_DEV_WHATSAPP_APP_SECRET="${ATLAS_DEV_WHATSAPP_APP_SECRET:-atlas-dev-app-secret}"

log "atlas migrate"
"$ATLAS_BIN" migrate
log "atlas seed-demo"
"$ATLAS_BIN" seed-demo

# --- server and fake WhatsApp provider ---------------------------------------------------------------
BASE="http://127.0.0.1:$E2E_PORT"
FAKE_BIND="127.0.0.1:$E2E_FAKE_PORT"
FAKE_BASE="http://$FAKE_BIND"
if curl -s -o /dev/null --max-time 2 "$BASE/healthz"; then
  die "something already answers on $BASE: stop it, or set E2E_PORT to a free port"
fi
if curl -s -o /dev/null --max-time 2 "$FAKE_BASE/_fake/requests"; then
  die "something already answers on $FAKE_BASE: stop it, or set E2E_FAKE_PORT to a free port"
fi

mkdir -p "$LOG_DIR"
: >"$SERVER_LOG"
: >"$FAKE_LOG"
SERVER_PID=""
FAKE_PID=""
stop_pid() { # name pid
  local name="$1" pid="$2"
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    log "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
}
stop_all() {
  stop_pid "atlas serve" "$SERVER_PID"
  stop_pid "atlas fake-whatsapp" "$FAKE_PID"
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

show_log() { # file
  local file="$1" n
  n="$(wc -l <"$file")"
  echo "----- $file ($n lines) -----" >&2
  if ((n <= 120)); then
    cat "$file" >&2
  else
    head -n 60 "$file" >&2
    echo "[... $((n - 120)) lines ...]" >&2
    tail -n 60 "$file" >&2
  fi
  echo "-----" >&2
}

log "atlas fake-whatsapp on $FAKE_BASE (log: $FAKE_LOG)"
NO_COLOR=1 "$ATLAS_BIN" fake-whatsapp --bind "$FAKE_BIND" \
  --callback-url "$BASE/api/v1/webhooks/whatsapp" \
  --app-secret "$ATLAS_DEV_WHATSAPP_APP_SECRET" --auto-statuses sent,delivered,read >>"$FAKE_LOG" 2>&1 &
FAKE_PID=$!
deadline=$((SECONDS + 20))
until curl -sf -o /dev/null --max-time 2 "$FAKE_BASE/_fake/requests"; do
  if ! kill -0 "$FAKE_PID" 2>/dev/null; then
    show_log "$FAKE_LOG"
    die "atlas fake-whatsapp exited before it was ready (E2E_FAKE_PORT=... to pick another port)"
  fi
  if ((SECONDS >= deadline)); then
    show_log "$FAKE_LOG"
    die "atlas fake-whatsapp not ready on $FAKE_BASE after 20 s"
  fi
  sleep 0.1
done

log "atlas serve on $BASE (log: $SERVER_LOG)"
ATLAS_BIND="127.0.0.1:$E2E_PORT" ATLAS_STATIC_DIR="$STATIC_DIR" ATLAS_WHATSAPP_API_BASE="$FAKE_BASE" NO_COLOR=1 \
  "$ATLAS_BIN" serve >>"$SERVER_LOG" 2>&1 &
SERVER_PID=$!

deadline=$((SECONDS + 60))
until curl -sf -o /dev/null --max-time 2 "$BASE/readyz"; do
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    show_log "$SERVER_LOG"
    die "atlas serve exited before it was ready"
  fi
  if ((SECONDS >= deadline)); then
    show_log "$SERVER_LOG"
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
export E2E_FAKE_WHATSAPP_URL="$FAKE_BASE"
set +e
npx --no-install playwright test "$@"
status=$?
set -e
if ((status != 0)); then
  log "Playwright failed (exit $status): traces and screenshots in e2e/test-results/, report: cd e2e && npx playwright show-report"
  log "server log: $SERVER_LOG, fake WhatsApp log: $FAKE_LOG"
fi
exit "$status"
