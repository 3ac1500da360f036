#!/usr/bin/env bash
# Golden files: what a known-good mfrec writes, byte for byte, for a fixed
# list of commands, so that a change that should not change results (a
# refactor, a build flag) is proven not to.
#
#   tests/golden/make_golden.sh [MFREC]     regenerate (default build/mfrec)
#   bash tests/cli/test_golden.sh MFREC     check a binary (CTest: cli.test_golden)
#
# Both run from any directory (they work from the project root) and read the
# same files:
#   cases          the commands, one a line: NAME ARGS... (format in its header)
#   golden_lib.sh  how a case line becomes a command line; shared by both
#   data/          inputs made once and committed (never regenerated here):
#     music-test.csv, music-pairs.csv   held-out ratings and user,item pairs
#                                       (with an unknown user and item)
#     music-long.tsv, music-dash.csv    data/music.csv in the long layout
#                                       (tab, no header, columns item,user,rating,x)
#                                       and wide with ';' and '-' for "not rated"
#     synth-train.csv, synth-test.csv   made with the tools of the baseline build:
#         bench/make_ratings all.csv 2000 500 37000 16 1
#         bench/split_ratings all.csv 0.1 1 synth-train.csv synth-test.csv
#       33,300 training ratings: choose_bands gives ceil(sqrt(33300/32768)) = 2
#       bands, so training walks a 2 x 2 block grid (at most 32,768: 1 band)
#   expected/      the golden files, all written by this script (it empties
#                  the folder first):
#     NAME.model   train cases: the model file
#     NAME.out     other cases: the result (stdout, or the -o @out file)
#     NAME.err     other cases, when stderr is not empty (cv: never kept)
#     *.sha256     instead of the file when it is over 1,000,000 bytes
#                  (ml-latest-small's model and large outputs)
#
# The check runs every case with the binary under test and compares each
# file with cmp (first differing byte named) or by sha256; train cases run
# three times, as written (all cores), --threads 1 and --threads 2, and all
# three must give the golden model. Query cases read the golden models, so
# a training change and a query change show up separately.
#
# Regenerate only when a change of results is intended, with the binary of
# a commit that is known good, and review `git diff --stat tests/golden`.
# ml-latest-small must be at ../shared/datasets (as in CI) to regenerate; the
# check skips its cases when it is missing.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${1:-build/mfrec}
[[ "$BIN" = /* ]] || BIN=$PWD/$BIN
[ -x "$BIN" ] || { echo "make_golden: no executable at $BIN" >&2; exit 1; }
cd "$ROOT"
. tests/golden/golden_lib.sh

W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
mkdir -p "$W/models" "$W/out"

# Models are looked up in the work folder: hashed ones are not in expected/.
model_lookup() { [ -f "$W/models/$1.model" ] && echo "$W/models/$1.model"; }

# store FILE NAME.EXT: keeps FILE in expected/ as NAME.EXT, or its sha256.
store() {
  if [ "$(stat -c %s "$1")" -gt "$GOLDEN_HASH_OVER" ]; then
    echo "$(golden_sha256 "$1")  $2" >"$GOLDEN_EXPECTED/$2.sha256"
  else
    cp "$1" "$GOLDEN_EXPECTED/$2"
  fi
}

golden_read_cases
rm -rf "$GOLDEN_EXPECTED"
mkdir -p "$GOLDEN_EXPECTED"
for i in "${!CASE_NAMES[@]}"; do
  name=${CASE_NAMES[$i]}
  golden_expand "$name" "${CASE_LINES[$i]}" "$W/out" model_lookup
  if [ -n "$MISSING" ]; then
    echo "make_golden: case $name: $MISSING is missing; it is needed to regenerate" >&2
    exit 1
  fi
  rc=0
  if [ "$CMD" = train ]; then
    "$BIN" "${ARGS[@]}" -m "$W/models/$name.model" >"$W/stdout" 2>"$W/stderr" </dev/null || rc=$?
  else
    "$BIN" "${ARGS[@]}" >"$W/stdout" 2>"$W/stderr" </dev/null || rc=$?
  fi
  if [ "$rc" != 0 ]; then
    echo "make_golden: case $name exited $rc:" >&2
    head -c 1000 "$W/stderr" >&2
    exit 1
  fi
  if [ "$CMD" = train ]; then
    store "$W/models/$name.model" "$name.model"
  else
    result=$W/stdout
    if [ -n "$OUT_FILE" ]; then
      [ -s "$W/stdout" ] && { echo "make_golden: case $name: -o given, yet stdout is not empty" >&2; exit 1; }
      result=$OUT_FILE
    fi
    golden_strip_timing "$CMD" "$result"
    store "$result" "$name.out"
    [ "$CMD" != cv ] && [ -s "$W/stderr" ] && store "$W/stderr" "$name.err"
  fi
  echo "$name"
done
echo "make_golden: ${#CASE_NAMES[@]} cases written to $GOLDEN_EXPECTED with $BIN"
