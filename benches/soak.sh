#!/bin/sh
# A long session: 500 short replies in one ecochat against the in-repo mock (127.0.0.1);
# RSS, open files and threads after reply 50 and reply 500. Needs tmux; a few minutes.
set -eu
cd "$(dirname "$0")/.."
ECOCHAT_E2E_ONLY=s exec benches/e2e.sh
