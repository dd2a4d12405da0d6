#!/usr/bin/env bash
# The load benchmark: seeds ten agencies (the largest with 2,000 contractors, 40,000 certificates,
# 100,000 tasks and 500 technicians), starts the release server on that database and drives it
# with wrk through the key pages and server functions at 16 connections; prints per route the
# throughput, p50/p99 and the cost relative to the same server's /healthz, then the budgets.
# Runs on SQLite, and on PostgreSQL when a server answers (a scratch database is made and dropped).
#
# Usage: bench/load.sh [postgres://user@host:port]   (default: postgres://postgres@127.0.0.1:5432)
# Environment: DURATION (s per route, 10), CONNECTIONS (16), ENGINES ("sqlite postgres"),
# ROUTES (words of route names to drive, e.g. "validate,status,message"; all by default),
# SQLITE_SYNCHRONOUS (passed to the server: full, the default, or normal), KEEP=1 (keep the work
# folder: seeds, databases and each server's log), SERVER_LOG (the server's RUST_LOG, warn by
# default; with KEEP=1, app::services::compliance=debug logs each computation of the statuses,
# app::db=debug each write's wait for its turn and time holding it),
# BUILD=0 (use the release build as it is), SERVER (another server binary, with the build's
# hash.txt and tech-hash.txt beside it, to compare builds on one machine). A failed run prints
# the end of the server's log.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh
setup_tools
command -v wrk >/dev/null || { echo "installing wrk"; apt_install wrk; }

PG_BASE="${1:-postgres://postgres@127.0.0.1:5432}"
ENGINES="${ENGINES:-sqlite postgres}"
[ "${BUILD:-1}" = 0 ] || build_release
SERVER="${SERVER:-$(server_bin)}"
step "Building the seeder"
cargo build --quiet --release -p app --features ssr --example bench_load_seed
SEEDER="$CARGO_TARGET_DIR/release/examples/bench_load_seed"

WORK="$(mktemp -d)"
SERVER_PID=""
PG_DB=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  [ -n "$PG_DB" ] && psql "$PG_BASE/postgres" -qc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null
  if [ "${KEEP:-0}" = 1 ]; then echo "work folder kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

run_engine() {
  local engine="$1" url="$2"
  step "$engine: seeding"
  mkdir -p "$WORK/$engine/data"
  "$SEEDER" "$url" "$WORK/$engine"
  local port
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  DATABASE_URL="$url" LISTEN_ADDR="127.0.0.1:$port" PUBLIC_URL="http://127.0.0.1:$port" \
    DATA_DIR="$WORK/$engine/data" SITE_ROOT="$ROOT/target/site" RUST_LOG="${SERVER_LOG:-warn}" \
    API_REQUESTS_PER_MINUTE=1000000 \
    "$SERVER" >"$WORK/$engine/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
    sleep 0.2
  done
  curl -fs "http://127.0.0.1:$port/readyz" >/dev/null || { cat "$WORK/$engine/server.log"; exit 1; }
  step "$engine: load"
  if ! python3 bench/load.py "$WORK/$engine" "http://127.0.0.1:$port" "$engine" "$WORK/$engine.json"; then
    echo "--- end of the $engine server's log ---"
    tail -n 40 "$WORK/$engine/server.log"
    exit 1
  fi
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
}

results=()
for engine in $ENGINES; do
  case "$engine" in
    sqlite)
      run_engine sqlite "sqlite://$WORK/sqlite/data/app.db"
      results+=("$WORK/sqlite.json") ;;
    postgres)
      if ! pg_isready -d "$PG_BASE/postgres" -q 2>/dev/null; then
        echo "PostgreSQL at $PG_BASE does not answer: skipped"; continue
      fi
      PG_DB="certidesk_bench_$$"
      psql "$PG_BASE/postgres" -qc "CREATE DATABASE $PG_DB" >/dev/null
      run_engine postgres "$PG_BASE/$PG_DB"
      results+=("$WORK/postgres.json") ;;
  esac
done

step "Budgets"
python3 bench/budgets.py "${results[@]}"
