#!/usr/bin/env bash
# Project-local PostgreSQL for development and tests, without Docker.
#
#   infra/local-pg.sh [start|stop|status|url|destroy]      (default: start)
#
# start   initdb on first use, start the cluster if it is not running, create the database `atlas`,
#         then print its URL (one line on stdout; everything else goes to stderr).
# url     print the URL (does not start anything).
# status  say whether the cluster runs (exit 0 when running, 3 when not).
# stop    stop the cluster (pg_ctl stop -m fast); fine if it is not running.
# destroy stop it and delete its folder (all data): the next start makes a new cluster.
#
# When DATABASE_URL is set, `start` and `url` print it unchanged and do nothing else: the caller brings
# its own PostgreSQL.
#
# Layout: <repo>/.local/pg/{data,postgres.log,run/} — port ${ATLAS_PG_PORT:-54329}, 127.0.0.1 only,
# trust authentication for user `postgres`. Server binaries: ${ATLAS_PG_BINDIR}, else `pg_config --bindir`
# when it has initdb, else the highest /usr/lib/postgresql/*/bin.
# As root, initdb/pg_ctl run as the unprivileged `postgres` user (PostgreSQL refuses to run as root).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PORT="${ATLAS_PG_PORT:-54329}"
DB_NAME="atlas"
CMD="${1:-start}"

log() { printf 'local-pg: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

url_for_port() { printf 'postgres://postgres@127.0.0.1:%s/%s\n' "$1" "$DB_NAME"; }

case "$CMD" in
  start | url)
    if [[ -n "${DATABASE_URL:-}" ]]; then
      printf '%s\n' "$DATABASE_URL"
      exit 0
    fi
    ;;
  stop | status | destroy) ;;
  -h | --help | help)
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}" >&2
    exit 0
    ;;
  *) die "unknown command '$CMD' (expected start, stop, status, url or destroy)" ;;
esac

# --- where the cluster lives ---------------------------------------------------------------------
AS_ROOT=0
[[ "$(id -u)" == 0 ]] && AS_ROOT=1

PG_DIR="$ROOT/.local/pg"
if [[ $AS_ROOT == 1 ]]; then
  id postgres >/dev/null 2>&1 || die "running as root but there is no 'postgres' user (install the postgresql package: make setup)"
  # The postgres user must be able to reach <repo>/.local/pg. When an ancestor of the repository is
  # closed to others (a clone under /root, say), fall back to a per-repository folder under /var/tmp.
  if ! runuser -u postgres -- test -x "$ROOT"; then
    PG_DIR="/var/tmp/atlas-pg-$(printf '%s' "$ROOT" | cksum | cut -d' ' -f1)"
    log "the postgres user cannot reach $ROOT; using $PG_DIR instead of .local/pg"
  fi
fi
DATA="$PG_DIR/data"
LOGFILE="$PG_DIR/postgres.log"
SOCKDIR="$PG_DIR/run"

# as_pg CMD...: run a server command as the postgres user when we are root, directly otherwise.
as_pg() {
  if [[ $AS_ROOT == 1 ]]; then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

find_bindir() {
  if [[ -n "${ATLAS_PG_BINDIR:-}" ]]; then
    [[ -x "$ATLAS_PG_BINDIR/initdb" ]] || die "ATLAS_PG_BINDIR=$ATLAS_PG_BINDIR has no initdb"
    printf '%s\n' "$ATLAS_PG_BINDIR"
    return
  fi
  local d
  if command -v pg_config >/dev/null 2>&1; then
    d="$(pg_config --bindir 2>/dev/null || true)"
    if [[ -n "$d" && -x "$d/initdb" ]]; then
      printf '%s\n' "$d"
      return
    fi
  fi
  d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5,5n | tail -n 1 || true)"
  if [[ -n "$d" && -x "$d/initdb" ]]; then
    printf '%s\n' "$d"
    return
  fi
  die "no PostgreSQL server binaries found (initdb): run 'make setup', or set DATABASE_URL to a server of your own"
}

# Port of the running cluster (from postmaster.pid), empty when it does not run.
running_port() {
  local bindir="$1"
  if [[ -f "$DATA/postmaster.pid" ]] && as_pg "$bindir/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
    sed -n '4p' "$DATA/postmaster.pid"
  fi
}

port_in_use() {
  # Any listener on 127.0.0.1:$1? (bash's /dev/tcp; no extra tool needed)
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# --- url / status / stop without the lock ----------------------------------------------------------
if [[ "$CMD" == url ]]; then
  p=""
  if [[ -f "$DATA/postmaster.pid" ]]; then p="$(sed -n '4p' "$DATA/postmaster.pid" 2>/dev/null || true)"; fi
  url_for_port "${p:-$PORT}"
  exit 0
fi

BINDIR="$(find_bindir)"

if [[ "$CMD" == status ]]; then
  p="$(running_port "$BINDIR")"
  if [[ -n "$p" ]]; then
    echo "local-pg: running, data $DATA, port $p, pid $(sed -n '1p' "$DATA/postmaster.pid"), url $(url_for_port "$p")"
    exit 0
  fi
  echo "local-pg: not running (data $DATA$([[ -f "$DATA/PG_VERSION" ]] || echo ', not initialised'))"
  exit 3
fi

mkdir -p "$ROOT/.local"
[[ $AS_ROOT == 1 ]] && chmod a+x "$ROOT/.local" # the postgres user walks through it (umask 077 safe)
exec 9>"$ROOT/.local/pg.lock"
flock -w 120 9 || die "could not take the lock $ROOT/.local/pg.lock"

if [[ "$CMD" == stop || "$CMD" == destroy ]]; then
  if [[ -n "$(running_port "$BINDIR")" ]]; then
    as_pg "$BINDIR/pg_ctl" -D "$DATA" -m fast -w stop >&2
  else
    log "not running"
  fi
  if [[ "$CMD" == destroy ]]; then
    rm -rf "$PG_DIR"
    log "removed $PG_DIR"
  fi
  exit 0
fi

# --- start -------------------------------------------------------------------------------------------
if [[ ! -f "$DATA/PG_VERSION" ]]; then
  log "initialising a new cluster in $DATA ($("$BINDIR/postgres" --version))"
  rm -rf "$DATA"
  mkdir -p "$DATA" "$SOCKDIR"
  if [[ $AS_ROOT == 1 ]]; then chown -R postgres: "$PG_DIR"; fi
  chmod 700 "$DATA"
  locale_opt="--locale=C"
  if locale -a 2>/dev/null | grep -iE '^c\.utf-?8$' >/dev/null; then locale_opt="--locale=C.UTF-8"; fi
  as_pg "$BINDIR/initdb" -D "$DATA" --auth=trust -U postgres --encoding=UTF8 "$locale_opt" \
    --no-instructions >"$PG_DIR/initdb.log" 2>&1 || {
    cat "$PG_DIR/initdb.log" >&2
    die "initdb failed"
  }
  # Settings of a throwaway development/test cluster. fsync, synchronous_commit and full_page_writes are
  # off: a crash of the machine may lose or corrupt this cluster, which only ever holds data that
  # `make dev`/`make test` recreate (never use these settings for data you care about).
  cat >>"$DATA/postgresql.conf" <<EOF

# --- Atlas CRM project-local cluster (infra/local-pg.sh) ---
listen_addresses = '127.0.0.1'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 128MB
log_min_messages = warning
log_line_prefix = '%m [%p] %q%u@%d '
EOF
fi

mkdir -p "$SOCKDIR"
if [[ $AS_ROOT == 1 ]]; then
  # The log file and socket folder too: a previous run (or a non-root user) may have created them.
  chown postgres: "$PG_DIR" "$SOCKDIR"
  [[ -e "$LOGFILE" ]] && chown postgres: "$LOGFILE"
fi

p="$(running_port "$BINDIR")"
if [[ -n "$p" ]]; then
  [[ "$p" == "$PORT" ]] || log "already running on port $p (ATLAS_PG_PORT=$PORT ignored; stop it first to change)"
  PORT="$p"
else
  if port_in_use "$PORT"; then
    die "port $PORT on 127.0.0.1 is taken by another program; stop it, or set ATLAS_PG_PORT to a free port"
  fi
  # Unix sockets are limited to ~107 bytes of path; TCP is what everything here uses, so a repository
  # with a very long path simply gets no socket.
  sock_opt="$SOCKDIR"
  if (( ${#SOCKDIR} + 20 > 100 )); then sock_opt=""; fi
  log "starting PostgreSQL on 127.0.0.1:$PORT (log: $LOGFILE)"
  # 9>&-: the server must not inherit the lock's descriptor, or it would hold the lock while it runs.
  if ! as_pg "$BINDIR/pg_ctl" -D "$DATA" -l "$LOGFILE" -w -t 60 \
    -o "-c port=$PORT -c unix_socket_directories='$sock_opt'" start >/dev/null 2>&1 9>&-; then
    tail -n 30 "$LOGFILE" >&2 || true
    die "PostgreSQL did not start (see $LOGFILE)"
  fi
fi

PSQL=("$BINDIR/psql" -X -q -h 127.0.0.1 -p "$PORT" -U postgres -v ON_ERROR_STOP=1)
exists="$("${PSQL[@]}" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")" ||
  die "cannot connect to 127.0.0.1:$PORT"
if [[ "$exists" != 1 ]]; then
  log "creating database $DB_NAME"
  "${PSQL[@]}" -d postgres -c "CREATE DATABASE $DB_NAME" >&2
fi

url_for_port "$PORT"
