# Sourced by run.sh and test.sh: installs what is missing, and only that. Safe to run again.
# Tools: the wasm target, cmake and libde265 (HEIC photos), cargo-leptos, the wasm-bindgen CLI
# matching Cargo.lock, Node.js, the npm packages of end2end/ (Playwright, axe-core, binaryen's
# wasm-opt), Debian's Chromium;
# for the tests also s3s-fs (an S3-compatible server) and schemathesis (the API against its
# OpenAPI document).

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# Compiled dependencies live outside the clone so a fresh clone on this machine reuses them.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/certidesk/target}"
export PATH="$HOME/.cargo/bin:$ROOT/end2end/node_modules/.bin:$PATH"

CARGO_LEPTOS_VERSION=0.3.10
# The newest s3s-fs that builds with this machine's Rust 1.95.
S3S_FS_VERSION=0.14.1
# Generates requests from the API's OpenAPI document and checks the answers against it.
SCHEMATHESIS_VERSION=4.32.5

# tachys, Leptos's renderer, is built from its crates.io source with one upstream change
# backported (patches/tachys-0.2.19.patch says which and when to drop it). Cargo.toml's
# [patch.crates-io] points at vendor/tachys, so this runs before any cargo command.
TACHYS_VERSION=0.2.19
TACHYS_SHA256=e47e2220bb9d2a3be976a22a0fb7685a0b84499bb11ea5cb3bbc82907675ac68

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

apt_install() {
  if [ -z "${APT_UPDATED:-}" ]; then apt-get update -qq; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

setup_patched_crates() {
  local patch="$ROOT/patches/tachys-$TACHYS_VERSION.patch" dest="$ROOT/vendor/tachys" stamp tmp cached
  stamp="$TACHYS_VERSION $(sha256sum "$patch" | cut -d' ' -f1)"
  if [ "$(cat "$dest/.patched" 2>/dev/null)" = "$stamp" ]; then return; fi
  echo "patching tachys $TACHYS_VERSION into vendor/tachys"
  tmp="$(mktemp -d)"
  cached="$(ls "$HOME"/.cargo/registry/cache/*/tachys-"$TACHYS_VERSION".crate 2>/dev/null | head -1 || true)"
  if [ -n "$cached" ]; then
    cp "$cached" "$tmp/tachys.crate"
  else
    curl -fsSL --retry 3 -o "$tmp/tachys.crate" \
      "https://static.crates.io/crates/tachys/tachys-$TACHYS_VERSION.crate"
  fi
  echo "$TACHYS_SHA256  $tmp/tachys.crate" | sha256sum --check --quiet
  tar xzf "$tmp/tachys.crate" -C "$tmp"
  (cd "$tmp/tachys-$TACHYS_VERSION" && patch -p1 --quiet --forward < "$patch")
  rm -rf "$dest"
  mkdir -p "$(dirname "$dest")"
  mv "$tmp/tachys-$TACHYS_VERSION" "$dest"
  echo "$stamp" > "$dest/.patched"
  rm -rf "$tmp"
}

setup_tools() {
  step "Checking tools"
  setup_patched_crates
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    echo "installing the wasm32 target"
    rustup target add wasm32-unknown-unknown
  fi

  # HEIC defect photos: the libheif crate builds libheif with cmake and decodes with libde265.
  if ! command -v cmake >/dev/null || ! pkg-config --exists libde265 2>/dev/null; then
    echo "installing cmake and libde265 (to read HEIC photos)"
    apt_install cmake pkg-config libde265-dev
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

# Only the tests need it: an S3-compatible server for the object storage test, and poppler's
# pdftotext, which reads the service reports back as a person's PDF reader would.
setup_s3s_fs() {
  if ! command -v pdftotext >/dev/null; then
    echo "installing poppler-utils (pdftotext)"
    apt_install poppler-utils
  fi
  if ! cargo install --list | grep -qx "s3s-fs v$S3S_FS_VERSION:"; then
    echo "installing s3s-fs $S3S_FS_VERSION, the S3-compatible server the storage test uses (a few minutes, once)"
    cargo install s3s-fs --version "$S3S_FS_VERSION" --features binary --locked
  fi
  export TEST_S3S_FS="${TEST_S3S_FS:-$HOME/.cargo/bin/s3s-fs}"
}

# Only the tests need it: schemathesis, from PyPI, in a virtual environment of its own.
setup_schemathesis() {
  local venv="$HOME/.cache/certidesk/venv"
  if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -q " $SCHEMATHESIS_VERSION\$"; then
    echo "installing schemathesis $SCHEMATHESIS_VERSION"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q "schemathesis==$SCHEMATHESIS_VERSION"
  fi
  export SCHEMATHESIS="$venv/bin/schemathesis"
}

build_release() {
  step "Building the site (release)"
  local start=$SECONDS
  # --precompress writes .br and .gz beside every file of the site, served as they are.
  # --split moves each lazy island's code (`#[island(lazy)]`) into its own file, fetched by a
  # page that shows the island: the Tech view's pages never download the sign-in forms. Both
  # builds split, as both link the same app crate and its lazy islands.
  # `|| return`: a caller without `set -e` (a bench's subshell) must not go on after a failed
  # build and test or measure an older server binary.
  cargo leptos build --release --precompress --split --project certidesk || return
  # The islands client, for the Tech view's pages (Cargo.toml's second project), joins the
  # full client in pkg/; its file names are in tech-hash.txt beside the server binary.
  cargo leptos build --release --precompress --split --project tech --frontend-only || return
  # (every file of its pkg/: its names are content hashes, so nothing of the full client's is
  # overwritten but the shared style, with the same content)
  cp -R "$ROOT"/target/site-tech/pkg/. "$ROOT/target/site/pkg/" || return
  # cargo-leptos's gzip (libflate) is about a fifth larger than gzip -9; browsers that take only
  # gzip (plain http, some proxies) get the smaller one.
  find "$ROOT/target/site" -type f ! -name '*.gz' ! -name '*.br' -exec gzip -9 --no-name --keep --force {} +
  echo "built in $((SECONDS - start)) s"
}

server_bin() { echo "$CARGO_TARGET_DIR/release/certidesk"; }

# The content hash of one of a client's files, from the hash file beside the server binary:
# `hash_of wasm` (the full client), `hash_of wasm tech-hash.txt` (the islands client).
hash_of() { sed -n "s/^$1: *//p" "$(dirname "$(server_bin)")/${2:-hash.txt}"; }
