#!/usr/bin/env bash
# Sets up what is missing and runs every test: formatting, clippy, Rust tests on SQLite (and on
# PostgreSQL when TEST_POSTGRES_URL is set), a release build of the site, schemathesis against the
# public API, and the Playwright suite in Debian's Chromium against a freshly started server.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
# A test run gains nothing from incremental compilation (a fresh clone each time in CI) and its
# caches grow the shared target folder by gigabytes per run.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
started=$SECONDS

setup_tools
setup_s3s_fs
setup_schemathesis

step "Formatting"
cargo fmt --all -- --check

step "Layers: no import cycle between the modules of app/src"
python3 "$ROOT/scripts/module_cycles.py"

step "Clippy (server side, then browser side)"
cargo clippy -p app -p certidesk --features app/test-support --all-targets -- -D warnings
cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings
cargo clippy -p frontend --target wasm32-unknown-unknown --features islands -- -D warnings

step "Rust tests"
if [ -n "${TEST_POSTGRES_URL:-}" ]; then
  echo "PostgreSQL tests: ON (TEST_POSTGRES_URL is set)"
else
  echo "PostgreSQL tests: SKIPPED (TEST_POSTGRES_URL is not set; every ::postgres test returns early)"
fi
# Three integration-test binaries (the library's, the PDF bomb's, the server's) and the unit
# tests; examples are left to clippy, which compiles them, instead of being linked again here.
cargo test -p app -p certidesk --features app/test-support --lib --bins --tests

build_release
# The clients' files are named by content, listed in the hash files beside the server binary.
for client in "full client:hash.txt" "islands client (Tech view):tech-hash.txt"; do
  wasm="$ROOT/target/site/pkg/certidesk.$(hash_of wasm "${client#*:}").wasm"
  js="$ROOT/target/site/pkg/certidesk.$(hash_of js "${client#*:}").js"
  printf '%s: WASM %s bytes raw, %s bytes gzip; JS %s bytes raw, %s bytes gzip\n' "${client%%:*}" \
    "$(stat -c %s "$wasm")" "$(gzip -9c "$wasm" | wc -c)" "$(stat -c %s "$js")" "$(gzip -9c "$js" | wc -c)"
done
# Lazy islands (`#[island(lazy)]`: the sign-in forms, the navigation's counts) are fetched only by
# the pages that show them; the Tech view's pages need none.
loader="$ROOT/target/site/pkg/__wasm_split.$(hash_of split tech-hash.txt).js"
lazy=$(grep -o '"\./[^"]*\.wasm"' "$loader" | tr -d '"' | sed "s|^\./|$ROOT/target/site/pkg/|")
printf 'islands client, lazy islands: %s files, %s bytes gzip together; their loader %s bytes gzip\n' \
  "$(echo "$lazy" | wc -l)" "$(for f in $lazy; do gzip -9c "$f" | wc -c; done | awk '{s += $1} END {print s}')" \
  "$(gzip -9c "$loader" | wc -c)"
# The islands client links only what its islands name: none of the office's and the agency's task
# controls (app/src/ui/pages/task/office.rs), nothing of the task the server renders alone (its
# documents, reports, messages), nor the message form technicians do not have; the full client
# has them all.
full_wasm="$ROOT/target/site/pkg/certidesk.$(hash_of wasm).wasm"
tech_wasm="$ROOT/target/site/pkg/certidesk.$(hash_of wasm tech-hash.txt).wasm"
for text in "Reject this task" "Accept the task" "Add a document for the contractor" \
  "Documents provided by client" "Reports, invoices and quotes" "No messages yet." \
  "Send a message"; do
  grep -q "$text" "$full_wasm" || { echo "the full client lacks \"$text\": update this check"; exit 1; }
  if grep -q "$text" "$tech_wasm"; then echo "the islands client carries \"$text\""; exit 1; fi
done
echo "islands client: none of the office's task controls, nothing only rendered, no message form"

step "The public API against its OpenAPI document (schemathesis)"
python3 "$ROOT/scripts/api_check.py" "$(server_bin)" "$ROOT/target/site" 30

step "Browser tests (Playwright, Chromium)"
E2E_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
export E2E_PORT E2E_SERVER_BIN="$(server_bin)" E2E_SITE_ROOT="$ROOT/target/site"
export E2E_DATA_DIR="$(mktemp -d)"
trap 'rm -rf "$E2E_DATA_DIR"' EXIT
(cd end2end && npx playwright test)
node -e '
  const r = require(process.argv[1]).stats;
  console.log(`playwright: ${r.expected} passed, ${r.unexpected} failed, ${r.skipped} skipped`);
' "$ROOT/end2end/test-results/results.json"

step "All tests passed in $((SECONDS - started)) s"
