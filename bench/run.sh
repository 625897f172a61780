#!/usr/bin/env bash
# Search and dashboard benchmarks (docs/benchmarks.md, issue 5).
#
#   bench/run.sh [--seed] [--dossiers N --annonces M --orgs K]
#
# Uses the database atlas_bench on the cluster of DATABASE_URL (or the project-local one), seeds
# it with `atlas seed-bench` when asked (or when it has no bench org), starts `atlas serve` on
# BENCH_PORT (default 18080) unless BENCH_URL points at a running server, then measures:
#   - GET /api/v1/search (random org, random query among realistic ones)  — wrk
#   - GET /api/v1/dashboard/kpis (random org, default period and a 1-year period) — wrk
#   - the dossier list page SQL (ORDER BY created_at DESC LIMIT 20 + count) — pgbench
# Needs: wrk, pgbench, psql, curl, cargo. Knobs: BENCH_DURATION (20s), BENCH_CONNECTIONS (8),
# BENCH_THREADS (2), ATLAS_BIN (default target/release/atlas, built if missing).
set -euo pipefail
cd "$(dirname "$0")/.."

SEED=0; DOSSIERS=1000000; ANNONCES=200000; ORGS=200
while (($#)); do
  case "$1" in
    --seed) SEED=1 ;;
    --dossiers) DOSSIERS="$2"; shift ;;
    --annonces) ANNONCES="$2"; shift ;;
    --orgs) ORGS="$2"; shift ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

for tool in wrk pgbench psql curl; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is required (apt-get install wrk postgresql-client curl)" >&2; exit 1; }
done

BASE_URL="${DATABASE_URL:-$(infra/local-pg.sh start)}"
url_with_db() { # url, database name: the same server with another database
  local u="$1" q=""
  if [[ "$u" == *\?* ]]; then q="?${u#*\?}"; u="${u%%\?*}"; fi
  if [[ "${u#*://}" == */* ]]; then u="${u%/*}"; fi
  echo "$u/$2$q"
}
DB_URL="$(url_with_db "$BASE_URL" atlas_bench)"
ADMIN_URL="$(url_with_db "$BASE_URL" postgres)"
ATLAS_BIN="${ATLAS_BIN:-target/release/atlas}"
DURATION="${BENCH_DURATION:-20s}"; CONNS="${BENCH_CONNECTIONS:-8}"; THREADS="${BENCH_THREADS:-2}"
PORT="${BENCH_PORT:-18080}"
PASSWORD="${ATLAS_BENCH_PASSWORD:-bench-password}"

if [[ ! -x "$ATLAS_BIN" ]]; then
  echo "==> cargo build --release -p atlas-server"
  cargo build --release -p atlas-server
fi

psql "$ADMIN_URL" -Atqc "SELECT 1 FROM pg_database WHERE datname = 'atlas_bench'" | grep -q 1 \
  || psql "$ADMIN_URL" -qc "CREATE DATABASE atlas_bench"
have="$(psql "$DB_URL" -Atqc "SELECT count(*) FROM pg_tables WHERE tablename = 'organisation'")"
[[ "$have" == 1 ]] && have="$(psql "$DB_URL" -Atqc "SELECT count(*) FROM organisation WHERE name LIKE 'Bench Org %'")" || have=0
if ((SEED)) || [[ "$have" == 0 ]]; then
  echo "==> atlas seed-bench --dossiers $DOSSIERS --annonces $ANNONCES --orgs $ORGS"
  ATLAS_ENV=dev DATABASE_URL="$DB_URL" "$ATLAS_BIN" seed-bench --dossiers "$DOSSIERS" --annonces "$ANNONCES" --orgs "$ORGS" | tail -3
fi
ORG_COUNT="$(psql "$DB_URL" -Atqc "SELECT count(*) FROM organisation WHERE name LIKE 'Bench Org %'")"
psql "$DB_URL" -Atqc "SELECT 'data: ' || (SELECT count(*) FROM dossier) || ' dossiers, ' || (SELECT count(*) FROM annonce) || ' annonces, ' || (SELECT count(*) FROM message) || ' messages, ' || (SELECT count(*) FROM party) || ' parties, $ORG_COUNT orgs, ' || pg_size_pretty(pg_database_size('atlas_bench'))"

SERVER_PID=""
cleanup() { [[ -n "$SERVER_PID" ]] && kill "$SERVER_PID" 2>/dev/null || true; }
trap cleanup EXIT
if [[ -z "${BENCH_URL:-}" ]]; then
  BENCH_URL="http://127.0.0.1:$PORT"
  ATLAS_ENV=dev RUST_LOG=warn ATLAS_BIND="127.0.0.1:$PORT" DATABASE_URL="$DB_URL" "$ATLAS_BIN" serve >/tmp/atlas-bench-serve.log 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 100); do curl -fs "$BENCH_URL/readyz" >/dev/null && break; sleep 0.2; done
fi

TOKEN="$(curl -fs "$BENCH_URL/api/v1/auth/login" -H 'content-type: application/json' \
  -d "{\"email\":\"bench@atlas.local\",\"password\":\"$PASSWORD\"}" | sed -E 's/.*"accessToken":"([^"]+)".*/\1/')"
ORG_IDS="$(psql "$DB_URL" -Atqc "SELECT string_agg(id::text, ',') FROM organisation WHERE name LIKE 'Bench Org %'")"
export TOKEN ORGS="$ORG_IDS"

run_wrk() { # name, paths (separated by |)
  echo "==> $1"
  PATHS="$2" wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" -s bench/rotate.lua "$BENCH_URL" | grep RESULT
}

# Realistic queries: names (with and without accents), a city, prose words, a partial phone, a
# reference, an email fragment.
SEARCH="/api/v1/search?q=dupont|/api/v1/search?q=helene|/api/v1/search?q=H%C3%A9l%C3%A8ne%20Martin"
SEARCH+="|/api/v1/search?q=bordeaux|/api/v1/search?q=visite%20samedi|/api/v1/search?q=appartement%20lumineux"
SEARCH+="|/api/v1/search?q=06%2012%2034|/api/v1/search?q=4567|/api/v1/search?q=DOS-001234|/api/v1/search?q=ANN-00042"
SEARCH+="|/api/v1/search?q=exemple.fr&types=DOSSIER|/api/v1/search?q=charges&types=MESSAGE"
run_wrk "search (12 queries x $ORG_COUNT orgs)" "$SEARCH"
run_wrk "dashboard kpis, default period (30 days)" "/api/v1/dashboard/kpis"
today="$(date +%F)"; year_ago="$(date -d '-364 days' +%F)"
run_wrk "dashboard kpis, 365 days" "/api/v1/dashboard/kpis?from=$year_ago&to=$today"
run_wrk "dashboard, every endpoint (default period)" \
  "/api/v1/dashboard/funnel|/api/v1/dashboard/sources|/api/v1/dashboard/top-annonces|/api/v1/dashboard/durations|/api/v1/dashboard/timeseries?interval=week"

echo "==> dossier list page SQL (pgbench, $CONNS clients, $DURATION)"
secs="${DURATION%s}"
logdir="$(mktemp -d)"
(cd "$logdir" && pgbench -n -f "$OLDPWD/bench/dossier_list.sql" -D orgs="$ORG_COUNT" -c "$CONNS" -j "$THREADS" -T "$secs" \
  --log --log-prefix=list "$DB_URL" | grep -E "tps|latency average")
cat "$logdir"/list* | awk '{print $3}' | sort -n | awk '{a[NR]=$1} END {printf "RESULT transactions=%d p50=%.1fms p95=%.1fms p99=%.1fms\n", NR, a[int(NR*0.5)]/1000, a[int(NR*0.95)]/1000, a[int(NR*0.99)]/1000}'
rm -rf "$logdir"
