#!/usr/bin/env bash
# scripts/fuzz.sh [SECONDS [TARGET...]]: builds the libFuzzer targets of
# tests/fuzz with clang (ASan + UBSan + coverage) in build-fuzz/ and runs each
# for SECONDS (default 60) from its seed corpus. A finding stops with exit 1
# and leaves the input in build-fuzz/tests/fuzz/artifacts/; replay it with
#   build-fuzz/tests/fuzz/<target> <file>
# For longer runs: cmake --build build-fuzz --target fuzz (MFREC_FUZZ_SECONDS
# per target, default 600).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift $(($# > 0 ? 1 : 0))
scripts/setup.sh
targets=(fuzz_ratings_reader fuzz_model_loader fuzz_pairs_reader)
CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_CXX_COMPILER=clang++ -DMFREC_FUZZ=ON \
  -DMFREC_BUILD_TESTS=OFF -DMFREC_BUILD_BENCH=OFF -DMFREC_MPI=OFF >/dev/null
cmake --build build-fuzz -j2 --target "${targets[@]}"
exec bash tests/fuzz/run_fuzzers.sh build-fuzz/tests/fuzz "$seconds" "$@"
