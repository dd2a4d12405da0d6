#!/usr/bin/env bash
# Times a bulk assignment: the demo office assigns two technicians and a date to 500 tasks,
# ten times; prints median, p99, worst and the emails queued (target: under 300 ms on SQLite).
# Usage: bench/assign.sh [postgres://... scratch database]   (SQLite in a temp folder otherwise)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/certidesk/target}"
cargo run --quiet --release -p app --features test-support --example bench_assign -- "$@"
