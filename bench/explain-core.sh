#!/usr/bin/env bash
# Query plans of the dossier list and dedup queries at 100k dossiers in one org (docs/benchmarks.md,
# issue "Core CRM API").
#
#   bench/explain-core.sh            # seeds atlas_plans when empty, prints EXPLAIN ANALYZE of each query
#
# Uses the database atlas_plans on the cluster of DATABASE_URL (or the project-local one).
set -euo pipefail
cd "$(dirname "$0")/.."

BASE_URL="${DATABASE_URL:-$(infra/local-pg.sh start)}"
url_with_db() {
  local u="$1" q=""
  if [[ "$u" == *\?* ]]; then q="?${u#*\?}"; u="${u%%\?*}"; fi
  if [[ "${u#*://}" == */* ]]; then u="${u%/*}"; fi
  echo "$u/$2$q"
}
DB_URL="$(url_with_db "$BASE_URL" atlas_plans)"
ATLAS_BIN="${ATLAS_BIN:-target/debug/atlas}"
[[ -x "$ATLAS_BIN" ]] || cargo build -p atlas-server

psql "$(url_with_db "$BASE_URL" postgres)" -tAc "SELECT 1 FROM pg_database WHERE datname = 'atlas_plans'" | grep -q 1 \
  || psql "$(url_with_db "$BASE_URL" postgres)" -qc "CREATE DATABASE atlas_plans"
if [[ "$(psql "$DB_URL" -tAc "SELECT to_regclass('dossier') IS NOT NULL AND EXISTS (SELECT 1 FROM dossier)" 2>/dev/null)" != "t" ]]; then
  echo "seeding atlas_plans: 100 000 dossiers, 10 000 annonces, one org" >&2
  DATABASE_URL="$DB_URL" ATLAS_ENV=dev "$ATLAS_BIN" seed-bench --dossiers 100000 --annonces 10000 --orgs 1 --jobs 1 >&2
fi

# Realistic parameters: the org, and the phone/email/annonce of an open dossier that has an annonce.
read -r org phone email annonce <<<"$(psql "$DB_URL" -tA -F ' ' -c \
  "SELECT org_id, lead_phone, coalesce(lead_email, 'none@x.fr'), annonce_id FROM dossier
   WHERE status NOT IN ('WON','LOST') AND annonce_id IS NOT NULL AND lead_phone IS NOT NULL LIMIT 1")"
name="$(psql "$DB_URL" -tAc "SELECT lower(split_part(lead_name, ' ', 2)) FROM dossier LIMIT 1")"
echo "org=$org dossiers=$(psql "$DB_URL" -tAc 'SELECT count(*) FROM dossier')" >&2
psql "$DB_URL" -v org="$org" -v phone="$phone" -v email="$email" -v annonce="$annonce" -v name="$name" \
  -f bench/explain_core.sql
