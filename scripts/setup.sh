#!/usr/bin/env bash
# Installs what mfrec needs to build and test on Debian 12, and only what is
# missing. Runs apt-get as root, or through sudo otherwise.
set -euo pipefail

packages=(
  cmake g++ make               # toolchain
  libcli11-dev                 # command-line parsing
  libfmt-dev                   # formatting
  libfccp-dev                  # CSV tokenizer: fast-cpp-csv-parser, <libfccp/csv.h>
  nlohmann-json3-dev           # JSON output
  libgtest-dev                 # unit tests
  libbenchmark-dev             # microbenchmarks
  python3 bc                   # CLI tests and the contract checks
  time                         # /usr/bin/time -v: wall time and peak memory in bench/speed.sh
  man-db dpkg-dev              # tests/cli/test_install.sh: man -l, and the .deb's library dependencies
  clang libclang-rt-14-dev     # fuzzing: libFuzzer and its sanitizer runtimes (scripts/fuzz.sh)
  libopenmpi-dev openmpi-bin   # mpirun -np N mfrec train (Open MPI 4.1.4; the build finds it, -DMFREC_MPI=OFF skips it)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
echo "mfrec setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
