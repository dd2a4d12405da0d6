#!/usr/bin/env bash
# Times issuing a 3-page service report (lay out, write the PDF, store, record), 20 times.
# Usage: bench/report.sh [postgres://... scratch database]   (SQLite in a temp folder otherwise)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/certidesk/target}"
cargo run --quiet --release -p app --features test-support --example bench_report -- "$@"
