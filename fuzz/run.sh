#!/usr/bin/env bash
# Bounded fuzzing of the parsers and renderers. With a nightly toolchain and cargo-fuzz, each
# libFuzzer target runs for $SECONDS_PER_TARGET; otherwise the proptest suites run with many
# more cases than in `cargo test`. Found inputs: libFuzzer keeps them in fuzz/artifacts/,
# proptest in tests/*.proptest-regressions; turn each into a regression test.
set -euo pipefail
cd "$(dirname "$0")"
SECONDS_PER_TARGET="${SECONDS_PER_TARGET:-60}"

if cargo +nightly fuzz --version >/dev/null 2>&1; then
  for target in sse chunk media_links markdown transcript; do
    cargo +nightly fuzz run "$target" -- -max_total_time="$SECONDS_PER_TARGET"
  done
else
  # `cargo test` runs a fixed seed; a fuzzing run explores new cases.
  seed="${PROPTEST_RNG_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}"
  echo "no nightly cargo-fuzz: running the proptest suites with PROPTEST_CASES=${PROPTEST_CASES:-20000} PROPTEST_RNG_SEED=$seed"
  cd ..
  PROPTEST_RNG_SEED="$seed" PROPTEST_CASES="${PROPTEST_CASES:-20000}" timeout "$((SECONDS_PER_TARGET * 5))" \
    cargo test --test fuzz_parsers --test fuzz_render
fi
