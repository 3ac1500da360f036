#!/usr/bin/env bash
# Makes the data sets of the optimizer sweep (issue 13, target 4) in DIR
# (default /work/sweep-data): each NAME-train.csv and NAME-test.csv, a seeded
# 80/20 split (split_ratings, seed 42) of make_ratings' synthetic data or of
# MovieLens small, and variants on other rating scales. Existing files are
# kept. Usage, from the project root, after building the bench targets:
#   bench/optimizer_sweep_data.sh [DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-/work/sweep-data}
mkdir -p "$out"
ml_train=/work/data-split/train.csv  # bench/accuracy.sh's split of ml-latest-small
ml_test=/work/data-split/test.csv
big_sparse=/tmp/mfrec-bench/ratings-200000x20000x10000000-seed1  # the issue's 10M file

# synthetic NAME USERS ITEMS RATINGS: make_ratings (rank 16, noise 0.5, seed 1), then the split.
synthetic() {
  local name=$1 users=$2 items=$3 ratings=$4
  [ -s "$out/$name-test.csv" ] && return
  build/bench/make_ratings "$out/$name-all.csv" "$users" "$items" "$ratings"
  build/bench/split_ratings "$out/$name-all.csv" 0.2 42 "$out/$name-train.csv" "$out/$name-test.csv"
  rm "$out/$name-all.csv"
}

# rescale NAME FROM AWK-EXPR: NAME's files are FROM's with the rating column
# replaced by AWK-EXPR of v (the old value); the same pairs, the same split.
rescale() {
  local name=$1 from=$2 expr=$3 part
  for part in train test; do
    [ -s "$out/$name-$part.csv" ] && continue
    awk -F, -v OFS=, "NR == 1 { print; next } { v = \$3; \$3 = $expr; print }" "$from-$part.csv" >"$out/$name-$part.csv"
  done
}

[ -s "$out/ml-small-test.csv" ] || { cp "$ml_train" "$out/ml-small-train.csv"; cp "$ml_test" "$out/ml-small-test.csv"; }
rescale ml-small-10 "$out/ml-small" "2 * v"                       # 1-10 in steps of 1
rescale ml-small-likes "$out/ml-small" "(v >= 4 ? 1 : 0)"         # 0/1 likes
synthetic syn-10k-dense 200 100 10000                             # 50% of the cells
synthetic syn-10k-sparse 5000 2000 10000                          # 0.1%
synthetic syn-100k-dense 1000 500 100000                          # 20%
synthetic syn-100k-sparse 50000 10000 100000                      # 0.02%
synthetic syn-1M-dense 5000 2000 1000000                          # 10%
synthetic syn-1M-sparse 200000 20000 1000000                      # 0.025%
synthetic syn-10M-dense 20000 5000 10000000                       # 10%
# make_ratings' values are continuous (2 decimals, mean 3.5, unbounded):
# the 100k dense set on a 0.5-step scale and on a 1-10 integer scale.
rescale syn-100k-half "$out/syn-100k-dense" "int(2 * v + (v < 0 ? -0.5 : 0.5)) / 2"
rescale syn-100k-10 "$out/syn-100k-dense" "(w = int(2 * v + 0.5)) < 1 ? 1 : (w > 10 ? 10 : w)"
for part in train test; do
  [ -e "$out/syn-10M-sparse-$part.csv" ] || ln -s "$big_sparse-$part.csv" "$out/syn-10M-sparse-$part.csv"
done
# The golden tests' synthetic split (2,000 x 500, about 17 ratings a user),
# added in the second pass: a shape between the 10k and 100k sets.
for part in train test; do
  [ -s "$out/syn-37k-$part.csv" ] || cp "tests/golden/data/synth-$part.csv" "$out/syn-37k-$part.csv"
done
