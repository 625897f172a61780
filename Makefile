# Atlas CRM — developer and CI entry points. `make help` lists them.
#
# Every recipe runs in one bash (.ONESHELL) with -euo pipefail: the first failing command stops it.
# When DATABASE_URL is unset, the database targets start the project-local PostgreSQL cluster
# (infra/local-pg.sh: .local/pg, 127.0.0.1:54329); when it is set, they use it as it is.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.ONESHELL:
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

TARGET_DIR := $(or $(CARGO_TARGET_DIR),target)
ATLAS := $(TARGET_DIR)/debug/atlas
# Sub-make calls through a simply-expanded copy of $(MAKE): with .ONESHELL a recipe line naming
# $(MAKE) would make `make -n` execute the whole recipe instead of printing it.
SUBMAKE := $(MAKE)
# Extra arguments for Playwright, e.g. make e2e E2E_ARGS='--grep login'
E2E_ARGS ?=

.PHONY: help setup db db-stop clean-db web build test check-domain e2e dev fmt lint bench

help:
	@echo 'Atlas CRM'
	echo '  make setup         install what is missing (apt packages, wasm toolchain, npm deps)'
	echo '  make dev           local PostgreSQL + migrate + demo data + SPA + fake WhatsApp, serve on http://localhost:8080'
	echo '  make test          the whole suite, as CI runs it: check-domain, cargo test, web, e2e'
	echo '  make build         cargo build -p atlas-server (target/debug/atlas)'
	echo '  make web           build the SPA into frontend/dist'
	echo '  make e2e           Playwright suite against a fresh atlas_e2e database (E2E_ARGS=...)'
	echo '  make check-domain  atlas-domain must not depend on I/O crates'
	echo '  make db | db-stop  start | stop the project-local PostgreSQL cluster'
	echo '  make clean-db      stop it and delete its data (.local/pg)'
	echo '  make fmt | lint    cargo fmt | cargo clippy -D warnings'
	echo '  make bench         seed atlas_bench (1M dossiers, --seed) and measure search/dashboard/list p95 (BENCH_ARGS=...)'

# ---------------------------------------------------------------------------------------------------
# setup: idempotent; apt-get update only when a package is missing. As root apt-get runs directly,
# otherwise through sudo.
setup:
	@command -v cargo >/dev/null || { echo 'setup: cargo not found: install the Rust toolchain with rustup first (https://rustup.rs)' >&2; exit 1; }
	command -v npm >/dev/null || { echo 'setup: npm not found: install Node.js 20+ and npm first' >&2; exit 1; }
	if [[ $$(id -u) == 0 ]]; then SUDO=(); else SUDO=(sudo); fi
	installed() { dpkg-query -W -f='$${Status}' "$$1" 2>/dev/null | grep 'install ok installed' >/dev/null; }
	have_initdb() {
	  local d; d="$$(pg_config --bindir 2>/dev/null || true)"
	  [[ -n "$$d" && -x "$$d/initdb" ]] && return 0
	  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null
	}
	pkgs=()
	have_initdb || pkgs+=(postgresql)
	command -v psql >/dev/null || pkgs+=(postgresql-client)
	installed libpq-dev || pkgs+=(libpq-dev)
	command -v pkg-config >/dev/null || pkgs+=(pkg-config)
	[[ -x /usr/lib/chromium/chromium ]] || pkgs+=(chromium fonts-liberation)
	command -v curl >/dev/null || pkgs+=(curl)
	if (( $${#pkgs[@]} > 0 )); then
	  echo "==> apt-get install $${pkgs[*]}"
	  "$${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
	  "$${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$${pkgs[@]}"
	else
	  echo '==> system packages: all present'
	fi
	echo '==> frontend toolchain (frontend/setup.sh)'
	bash frontend/setup.sh
	echo '==> e2e npm dependencies'
	cd e2e
	if [[ ! -f package-lock.json ]]; then
	  npm install --no-audit --no-fund
	elif [[ -d node_modules/@playwright/test && node_modules/.package-lock.json -nt package-lock.json ]]; then
	  echo 'e2e/node_modules is up to date'
	else
	  npm ci --no-audit --no-fund
	fi

# ---------------------------------------------------------------------------------------------------
db:
	@infra/local-pg.sh start

db-stop:
	@infra/local-pg.sh stop

clean-db:
	@infra/local-pg.sh destroy

web:
	@echo '==> SPA (frontend/build.sh -> frontend/dist)'
	bash frontend/build.sh

build:
	cargo build -p atlas-server

# ---------------------------------------------------------------------------------------------------
# test: what .ci/run runs. Fails at the first failing step.
test:
	@echo '==> [1/4] check-domain'
	$(SUBMAKE) check-domain
	DATABASE_URL="$$(infra/local-pg.sh start)"
	export DATABASE_URL
	echo "==> [2/4] cargo test --workspace (DATABASE_URL=$$(sed -E 's#(://[^:/@]*):[^@]*@#\1:***@#' <<<"$$DATABASE_URL"))"
	cargo test --workspace
	echo '==> [3/4] web'
	$(SUBMAKE) web
	echo '==> [4/4] e2e'
	$(SUBMAKE) e2e

# The domain crate stays pure: no I/O crate anywhere in its normal dependency tree, on any target.
check-domain:
	@tree="$$(cargo tree -p atlas-domain -e normal --target all --prefix none)"
	bad="$$(grep -E '^(actix|diesel|r2d2|reqwest|tokio|sqlx|hyper|mio)([-_][A-Za-z0-9_-]+)? v' <<<"$$tree" | sort -u || true)"
	if [[ -n "$$bad" ]]; then
	  echo 'check-domain: FAILED: atlas-domain depends on I/O crates:' >&2
	  echo "$$bad" | sed 's/^/  /' >&2
	  echo 'see why with: cargo tree -p atlas-domain -e normal -i <crate>' >&2
	  exit 1
	fi
	echo "check-domain: ok ($$(sed "s/ (\*)$$//" <<<"$$tree" | sort -u | wc -l) crates in atlas-domain's tree, no I/O crate)"

e2e:
	@echo '==> cargo build -p atlas-server'
	cargo build -p atlas-server
	ATLAS_BIN="$(ATLAS)" bash e2e/run.sh $(E2E_ARGS)

# ---------------------------------------------------------------------------------------------------
# dev: the server's outbox worker sends WhatsApp messages to a local fake provider
# (`atlas fake-whatsapp`, FAKE_WHATSAPP_BIND, default 127.0.0.1:9099) that answers like Meta and
# posts signed sent/delivered/read callbacks to our webhook. seed-demo configures "Agence Atlas
# Paris" with the same dev app secret (ATLAS_DEV_WHATSAPP_APP_SECRET; its default is a dev-only
# value, also built into atlas for ATLAS_ENV=dev). The fake is stopped when the server exits.
dev:
	@DATABASE_URL="$$(infra/local-pg.sh start)"
	export DATABASE_URL ATLAS_ENV=dev
	export ATLAS_DEV_WHATSAPP_APP_SECRET="$${ATLAS_DEV_WHATSAPP_APP_SECRET:-atlas-dev-app-secret}"
	echo '==> cargo build -p atlas-server'
	cargo build -p atlas-server
	echo '==> atlas migrate'
	$(ATLAS) migrate
	echo '==> atlas seed-demo'
	$(ATLAS) seed-demo
	$(SUBMAKE) web
	export ATLAS_BIND="$${ATLAS_BIND:-127.0.0.1:8080}" RUST_LOG="$${RUST_LOG:-info}"
	fake_bind="$${FAKE_WHATSAPP_BIND:-127.0.0.1:9099}"
	export ATLAS_WHATSAPP_API_BASE="http://$$fake_bind"
	echo "==> atlas fake-whatsapp on $$fake_bind"
	$(ATLAS) fake-whatsapp --bind "$$fake_bind" \
	  --callback-url "http://$$ATLAS_BIND/api/v1/webhooks/whatsapp" \
	  --app-secret "$$ATLAS_DEV_WHATSAPP_APP_SECRET" --auto-statuses sent,delivered,read &
	fake_pid=$$!
	# a background job of a non-interactive shell ignores Ctrl-C: stop it explicitly
	trap 'kill "$$fake_pid" 2>/dev/null || true' EXIT
	for _ in $$(seq 50); do
	  curl -s -o /dev/null "http://$$fake_bind/_fake/requests" && break
	  kill -0 "$$fake_pid" 2>/dev/null || { echo "fake-whatsapp could not start on $$fake_bind (FAKE_WHATSAPP_BIND=...)" >&2; exit 1; }
	  sleep 0.1
	done
	url="http://$$ATLAS_BIND"
	[[ "$$ATLAS_BIND" == 127.0.0.1:* ]] && url="http://localhost:$${ATLAS_BIND#127.0.0.1:}"
	echo
	echo "Atlas CRM (dev) on $$url"
	echo "Demo logins, password '$${ATLAS_DEMO_PASSWORD:-demo-password}':"
	echo '  admin@demo.atlas    ADMIN of Agence Atlas Paris and Agence Atlas Lyon'
	echo '  manager@demo.atlas  MANAGER'
	echo '  agent@demo.atlas    AGENT'
	echo '  viewer@demo.atlas   VIEWER'
	echo "WhatsApp: fake provider on http://$$fake_bind (GET /_fake/requests), templates confirmation_visite, relance_dossier"
	echo
	# not exec: the EXIT trap must run to stop the fake
	$(ATLAS) serve

fmt:
	cargo fmt --all

lint:
	cargo clippy --workspace --all-targets -- -D warnings

# Benchmarks (docs/benchmarks.md): a large seeded database, wrk and pgbench. Not part of make test.
bench:
	@bash bench/run.sh $(BENCH_ARGS)
