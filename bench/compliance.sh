#!/usr/bin/env bash
# Times the compliance matrix and the contractor list over 1,000 contractors x 20 types.
# Usage: bench/compliance.sh [postgres://... scratch database]   (SQLite in a temp folder otherwise)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/certidesk/target}"
cargo run --quiet --release -p app --features ssr --example bench_compliance -- "$@"
