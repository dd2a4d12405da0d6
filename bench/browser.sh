#!/usr/bin/env bash
# Browser budgets: largest contentful paint and interaction latency of the agent task dashboard,
# the compliance matrix (desktop) and the Tech view (Pixel 7), with 4x CPU slowdown and
# DevTools' slow 4G, against the release build (run scripts/test.sh or `cargo leptos build
# --release` first). Prints per page the median and worst LCP of five loads, the interaction, and
# the budgets' verdicts.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh
setup_tools
export E2E_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
export E2E_SERVER_BIN="$(server_bin)"
export E2E_SITE_ROOT="$ROOT/target/site"
export E2E_DATA_DIR="$(mktemp -d)"
# Arguments choose the projects (bench/client.sh passes --project weight).
if [ "$#" -eq 0 ]; then set -- --project desktop --project phone; fi
cd end2end && npx playwright test --config perf.config.ts "$@"
