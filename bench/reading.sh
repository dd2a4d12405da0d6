#!/usr/bin/env bash
# Times reading a typical 2-page certificate PDF as an upload does (child process, text,
# fields), 20 times, through the release server binary's `read-pdf`.
# Usage: bench/reading.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh
build_release
cargo run --quiet --release -p app --features ssr --example bench_reading -- "$(server_bin)" read-pdf
