#!/bin/sh
# ecochat beside aichat 0.30.0 on the same replies from the in-repo mock (127.0.0.1), in the
# same tmux, runs interleaved; prints one table of medians with the ratio ecochat/aichat.
# aichat is built once into a cache dir outside the repo (never vendored, never in CI).
# Usage: benches/peers.sh            (needs tmux; the first run builds aichat, ~10 minutes)
#        ECOCHAT_PEERS_RUNS=3 benches/peers.sh
set -eu
cd "$(dirname "$0")/.."
command -v tmux >/dev/null || { echo "peers.sh: tmux is required" >&2; exit 2; }
root="${ECOCHAT_PEERS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ecochat-peers}"
aichat="$root/bin/aichat"
if ! "$aichat" --version 2>/dev/null | grep -q '0\.30\.0'; then
    echo "peers.sh: building aichat 0.30.0 into $root" >&2
    nice -n 19 cargo install aichat --version 0.30.0 --locked --root "$root"
fi
# The dist profile, what users install (Cargo.toml): this builds target/dist/ecochat (the first
# build takes a while: one optimisation unit over all crates).
ECOCHAT_PEERS_AICHAT="$aichat" exec timeout 3600 cargo bench --locked --profile dist --bench peers
