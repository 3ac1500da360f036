#!/usr/bin/env bash
# The README demo: set up, build, train on the seed's music ratings with the
# settings of README's worked example (the doc-test checks they agree) and
# recommend songs for Hermione.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh >/dev/null
set -x
build/mfrec train data/music.csv --optimizer sgd -k 5 --lr 0.01 --lambda 0.02 -e 1000 --no-bias --log-every 250 -m mfrec.model
build/mfrec recommend --user Hermione -m mfrec.model -f table
