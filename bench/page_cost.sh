#!/usr/bin/env bash
# Server CPU per request of pages on the load benchmark's seed (SQLite), one request after
# another, beside /healthz's: the figure behind "x healthz" without wrk's noise.
#
# Usage: bench/page_cost.sh PATH... (e.g. '/desk?status=accepted&q=boiler+1', '/tech/tasks/{task}')
# Environment: COUNT (requests per page, 300); SEED (a folder to keep the seeded database in and
# reuse on the next run; a technician's page needs a fresh seed, its sign-in link works once);
# PERF=1 records each page with `perf record -g` into SEED/perf.data; BUILD=0 uses the release
# build as it is.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh
[ $# -gt 0 ] || { sed -n 2,10p "$0"; exit 2; }
[ "${BUILD:-1}" = 0 ] || build_release
cargo build --quiet --release -p app --features ssr --example bench_load_seed
SEED="${SEED:-$(mktemp -d)}"
if [ ! -f "$SEED/seed.json" ]; then
  step "Seeding $SEED"
  mkdir -p "$SEED/data"
  "$CARGO_TARGET_DIR/release/examples/bench_load_seed" "sqlite://$SEED/data/app.db" "$SEED"
fi
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
DATABASE_URL="sqlite://$SEED/data/app.db" LISTEN_ADDR="127.0.0.1:$port" \
  PUBLIC_URL="http://127.0.0.1:$port" DATA_DIR="$SEED/data" SITE_ROOT="$ROOT/target/site" \
  RUST_LOG=warn "$(server_bin)" >"$SEED/server.log" 2>&1 &
SERVER_PID=$!
trap 'kill $SERVER_PID 2>/dev/null; wait $SERVER_PID 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  sleep 0.2
done
for path in "$@"; do
  python3 bench/page_cost.py "$SEED" "http://127.0.0.1:$port" "$SERVER_PID" "$path" "${COUNT:-300}"
done
