#!/usr/bin/env bash
# Set up, build and run every test (unit tests, CLI tests, contract checks):
# first the Release build in build/, then the same suite built with
# AddressSanitizer and UndefinedBehaviorSanitizer in build-asan/, then a short
# run of every libFuzzer target (scripts/fuzz.sh, MFREC_FUZZ_SECONDS each,
# default 30). MFREC_SKIP_SANITIZE=1 or MFREC_SKIP_FUZZ=1 leave a stage out.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
ctest --test-dir build --output-on-failure -j2 --timeout 600
stages=1

if [ "${MFREC_SKIP_SANITIZE:-0}" != 1 ]; then
  start=$(date +%s)
  scripts/sanitize.sh
  stages=$((stages + 1))
  echo "mfrec test: sanitizer build and suite took $(($(date +%s) - start)) s" >&2
fi
if [ "${MFREC_SKIP_FUZZ:-0}" != 1 ]; then
  start=$(date +%s)
  scripts/fuzz.sh "${MFREC_FUZZ_SECONDS:-30}"
  stages=$((stages + 1))
  echo "mfrec test: fuzzing took $(($(date +%s) - start)) s" >&2
fi
# Each stage stops the script on its first failure, so reaching here means
# every stage that ran passed.
echo "stages: $stages passed, 0 failed"
