#!/usr/bin/env bash
# What the islands client's code is made of, by crate and by function: builds it as the release
# does (wasm-release profile, components erased) but keeping function names, in its own target
# directory so the release build's cache is left alone, and reads the result with
# bench/client_code.py. Usage: bench/client_code.sh [REGEX [COUNT]]  (e.g. '^app::' 40)
# FEATURES="" for the full client.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh
setup_tools
target="${CARGO_TARGET_DIR}-names"
CARGO_TARGET_DIR="$target" CARGO_PROFILE_WASM_RELEASE_STRIP=false \
  RUSTFLAGS="--cfg erase_components" \
  cargo build --quiet -p frontend --lib --target wasm32-unknown-unknown --profile wasm-release \
  --features "${FEATURES-islands}"
python3 bench/client_code.py "$target/wasm32-unknown-unknown/wasm-release/frontend.wasm" "$@"
