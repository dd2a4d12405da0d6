#!/usr/bin/env bash
# Sets up what is missing, builds in release mode and runs the app with demo data on SQLite.
# Settings can be overridden from the environment, e.g. LISTEN_ADDR=0.0.0.0:8080 scripts/run.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

setup_tools
build_release

export DEMO_MODE="${DEMO_MODE:-true}"
export DATABASE_URL="${DATABASE_URL:-sqlite://$ROOT/data/app.db}"
export DATA_DIR="${DATA_DIR:-$ROOT/data}"
export SITE_ROOT="${SITE_ROOT:-$ROOT/target/site}"
step "Starting Certidesk (Ctrl-C stops it)"
exec "$(server_bin)" serve
