#!/bin/sh
# End-to-end performance of the release binary: starts the in-repo mock on 127.0.0.1, runs
# ecochat in tmux against it and prints one table with the budgets of issue 8.
# Usage: benches/e2e.sh   (needs tmux; about two minutes after the build)
#        ECOCHAT_E2E_ONLY=ce benches/e2e.sh   runs only measurements (c) and (e)
set -eu
cd "$(dirname "$0")/.."
command -v tmux >/dev/null || { echo "e2e.sh: tmux is required" >&2; exit 2; }
# The bench profile is the release profile: this builds target/release/ecochat.
ECOCHAT_E2E_BENCH=1 exec timeout 1800 cargo bench --locked --bench e2e
