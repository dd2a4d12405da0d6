#!/usr/bin/env bash
# Times the certification import: preview and commit of 10,000 rows (2,000 contractors, 20 types).
# Usage: bench/import.sh [postgres://... scratch database]   (SQLite in a temp folder otherwise)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/certidesk/target}"
cargo run --quiet --release -p app --features test-support --example bench_import -- "$@"
