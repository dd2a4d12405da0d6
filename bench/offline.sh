#!/usr/bin/env bash
# The Tech view without signal: for a technician with 20 open tasks, what the service worker
# keeps on the phone (entries and bytes per cache) and how long saving takes after the task list
# is live, against the release build (run scripts/test.sh or scripts/run.sh first).
exec "$(dirname "${BASH_SOURCE[0]}")/browser.sh" --project offline
