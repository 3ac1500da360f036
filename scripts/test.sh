#!/usr/bin/env bash
# Set up, build and run every test (unit tests, CLI tests, contract checks).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
ctest --test-dir build --output-on-failure -j2 --timeout 600
