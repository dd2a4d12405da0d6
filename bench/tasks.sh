#!/usr/bin/env bash
# Times the task dashboard: one contractor with 50,000 tasks, unfiltered and with each filter,
# median and p99 of 40 runs each.
# Usage: bench/tasks.sh [postgres://... scratch database]   (SQLite in a temp folder otherwise)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/certidesk/target}"
cargo run --quiet --release -p app --features test-support --example bench_tasks -- "$@"
