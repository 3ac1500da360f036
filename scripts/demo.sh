#!/usr/bin/env bash
# The README demo: set up, build, train on the seed's music ratings and
# recommend songs for Hermione.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh >/dev/null
set -x
build/mfrec train data/music.csv -m mfrec.model --log-every 10
build/mfrec recommend --user Hermione -m mfrec.model -f table
