# Sourced by run.sh and test.sh: installs what is missing, and only that. Safe to run again.
# Tools: the wasm target, cargo-leptos, the wasm-bindgen CLI matching Cargo.lock, Node.js, the
# npm packages of end2end/ (Playwright, axe-core, binaryen's wasm-opt), Debian's Chromium;
# for the tests also s3s-fs (an S3-compatible server).

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# Compiled dependencies live outside the clone so a fresh clone on this machine reuses them.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/certidesk/target}"
export PATH="$HOME/.cargo/bin:$ROOT/end2end/node_modules/.bin:$PATH"

CARGO_LEPTOS_VERSION=0.3.10
# The newest s3s-fs that builds with this machine's Rust 1.95.
S3S_FS_VERSION=0.14.1

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

apt_install() {
  if [ -z "${APT_UPDATED:-}" ]; then apt-get update -qq; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

setup_tools() {
  step "Checking tools"
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    echo "installing the wasm32 target"
    rustup target add wasm32-unknown-unknown
  fi

  if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
    echo "installing cargo-leptos $CARGO_LEPTOS_VERSION (about 12 minutes, once)"
    cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked
  fi

  local wb
  wb="$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"$/\1/p')"
  if ! wasm-bindgen --version 2>/dev/null | grep -q " $wb\$"; then
    echo "installing wasm-bindgen-cli $wb (matches Cargo.lock)"
    cargo install wasm-bindgen-cli --version "$wb" --force
  fi

  if ! command -v npm >/dev/null; then
    echo "installing Node.js"
    apt_install nodejs npm
  fi
  if [ ! -f end2end/node_modules/.package-lock.json ] ||
     [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
    echo "installing npm packages of end2end/"
    (cd end2end && npm ci --no-audit --no-fund --loglevel=error)
  fi

  if [ ! -x /usr/bin/chromium ]; then
    echo "installing Chromium (Debian)"
    apt_install chromium fonts-dejavu-core
  fi
  echo "cargo-leptos $CARGO_LEPTOS_VERSION, wasm-bindgen $wb, node $(node --version), $(/usr/bin/chromium --version 2>/dev/null | head -1)"
}

# Only the tests need it: an S3-compatible server for the object storage test.
setup_s3s_fs() {
  if ! cargo install --list | grep -qx "s3s-fs v$S3S_FS_VERSION:"; then
    echo "installing s3s-fs $S3S_FS_VERSION, the S3-compatible server the storage test uses (a few minutes, once)"
    cargo install s3s-fs --version "$S3S_FS_VERSION" --features binary --locked
  fi
  export TEST_S3S_FS="${TEST_S3S_FS:-$HOME/.cargo/bin/s3s-fs}"
}

build_release() {
  step "Building the site (release)"
  local start=$SECONDS
  cargo leptos build --release
  echo "built in $((SECONDS - start)) s"
}

server_bin() { echo "$CARGO_TARGET_DIR/release/certidesk"; }
