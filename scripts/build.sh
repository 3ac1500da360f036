#!/usr/bin/env bash
# Configures and builds mfrec (Release) in build/, after installing what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j2
