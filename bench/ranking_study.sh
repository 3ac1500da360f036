#!/bin/sh
# The recommend ranking study (bench/ranking_study.md): trains default rating
# models, and some with a larger --lambda-bias, on three seeded 80/20 splits
# of MovieLens latest-small and on a synthetic Zipf set, then scores each
# ranking configuration with build/bench/ranking_study.
#   bench/ranking_study.sh [OUT_DIR=/tmp/rank-splits]
set -eu
B=build
M=$B/mfrec
S=$B/bench/ranking_study
OUT=${1:-/tmp/rank-splits}
ML=/work/shared/datasets/ml-latest-small/ratings.csv
mkdir -p "$OUT"
cp /work/data-split/train.csv "$OUT/mlA-train.csv"
cp /work/data-split/test.csv "$OUT/mlA-test.csv"
for seed in 7 123; do $B/bench/split_ratings $ML 0.2 $seed "$OUT/ml$seed-train.csv" "$OUT/ml$seed-test.csv"; done
$B/bench/make_ratings "$OUT/syn.csv" 20000 2000 1000000
$B/bench/split_ratings "$OUT/syn.csv" 0.2 7 "$OUT/syn-train.csv" "$OUT/syn-test.csv"

CONFIGS="pop shrink=0 min=2,shrink=0 min=5,shrink=0 min=10,shrink=0 min=20,shrink=0 min=50,shrink=0
  min=100,shrink=0 min=200,shrink=0 min=500,shrink=0 min=1000,shrink=0
  shrink=1 shrink=3 shrink=10 shrink=30 shrink=100 shrink=300 shrink=1000 shrink=10000 shrink=1e6
  min=5,shrink=300 min=20,shrink=300 min=50,shrink=300 min=100,shrink=300
  method=neighbors,shrink=0 method=neighbors,min=20,shrink=0 method=neighbors"
for d in mlA ml7 ml123 syn; do
  $M train "$OUT/$d-train.csv" -m "$OUT/$d.model" -q --threads 1
  echo "== $d: rating model, defaults"
  # shellcheck disable=SC2086  # one word per configuration
  $S "$OUT/$d.model" "$OUT/$d-test.csv" $CONFIGS
  for lb in 0.15 0.3 0.6 1.2 2.5; do
    $M train "$OUT/$d-train.csv" -m "$OUT/$d-lb$lb.model" -q --threads 1 --lambda-bias $lb
    echo "== $d: --lambda-bias $lb, RMSE $($M evaluate -m "$OUT/$d-lb$lb.model" "$OUT/$d-test.csv" -f csv -q | grep '^rmse')"
    $S "$OUT/$d-lb$lb.model" "$OUT/$d-test.csv" shrink=0 shrink=100 shrink=300 shrink=1000
  done
done
