#!/usr/bin/env bash
# Builds everything with AddressSanitizer + UndefinedBehaviorSanitizer
# (-DMFREC_SANITIZE=ON: -O1 -g, assertions on; clang) in build-asan/ and runs the
# whole suite there, as scripts/test.sh runs it in build/. Any sanitizer
# report fails the test it happens in: leaks and UB abort, and the CLI tests
# see a wrong exit code and extra lines on stderr.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# clang: it builds this code at -O1 with sanitizers about twice as fast as
# g++, and the Release build already covers g++. Without MPI: Open MPI's own
# allocations would read as leaks, and this proves the build without it.
CC=clang CXX=clang++ cmake -S . -B build-asan -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug \
  -DMFREC_SANITIZE=ON -DMFREC_MPI=OFF >/dev/null
cmake --build build-asan -j2
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# The golden files hold for the Release build (GCC -O3); clang at -O1 runs
# the baseline kernel and may round differently, so they are left out here.
ctest --test-dir build-asan --output-on-failure -j2 --timeout 600 -E '^cli\.test_golden$'
