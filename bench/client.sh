#!/usr/bin/env bash
# Client weight: per page (sign-in, Tech task list, Tech task, Desk dashboard, Desk task, agent
# dashboard, matrix, import), the JS + WASM bytes a phone downloads on its first visit and on a
# repeat visit, against the release build (run scripts/test.sh or scripts/run.sh first); then
# the server CPU each asset request costs, read from /proc over 300 requests per asset.
exec "$(dirname "${BASH_SOURCE[0]}")/browser.sh" --project weight
