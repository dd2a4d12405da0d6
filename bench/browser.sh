#!/usr/bin/env bash
# Largest contentful paint of the Tech view's first page on a phone with 4x CPU slowdown and
# DevTools' slow 4G, against the release build (run scripts/test.sh or `cargo leptos build
# --release` first). Prints the median and worst of five loads and the budget's verdict.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh
setup_tools
export E2E_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
export E2E_SERVER_BIN="$(server_bin)"
export E2E_SITE_ROOT="$ROOT/target/site"
export E2E_DATA_DIR="$(mktemp -d)"
cd end2end && npx playwright test --config perf.config.ts
