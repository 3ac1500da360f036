#!/usr/bin/env bash
# Accuracy benchmark on MovieLens latest-small: a seeded 80/20 split
# (seed 42), mfrec trained with its defaults, with the best setting that
# `mfrec cv --grid` finds on the training part, and with --objective
# implicit; prints test RMSE, MAE, NDCG@10 and precision@10 (and the
# most-popular list's, from evaluate's *_popular rows) and the times. Usage, from the project root:
#   bench/accuracy.sh [RATINGS] [GRID...]
# GRID defaults to: k=64,128,256 lambda=0.05,0.075,0.1
set -euo pipefail
cd "$(dirname "$0")/.."
ratings=${1:-../shared/datasets/ml-latest-small/ratings.csv}
shift || true
grid=("$@")
[ ${#grid[@]} -gt 0 ] || grid=(k=64,128,256 lambda=0.05,0.075,0.1)

scripts/build.sh >/dev/null
mfrec=build/mfrec
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

build/bench/split_ratings "$ratings" 0.2 42 "$T/train.csv" "$T/test.csv"
echo "split: $(($(wc -l <"$T/train.csv") - 1)) train, $(($(wc -l <"$T/test.csv") - 1)) test ratings (seed 42)" >&2

seconds() { local s=$(date +%s.%N); "$@"; echo "$(date +%s.%N) - $s" | bc; }
metric() { grep "^$1," "$2" | cut -d, -f2; }
# A metric to 4 decimals, or "-" when it is undefined (an implicit model's RMSE).
fmt4() { if [ -n "$1" ]; then printf '%.4f' "$1"; else printf -- -; fi; }

# run NAME TRAIN-FLAGS...: trains on the training part, scores the test part.
run() {
  local name=$1; shift
  local t
  t=$(seconds "$mfrec" train "$T/train.csv" -m "$T/$name.model" -q "$@")
  "$mfrec" evaluate "$T/test.csv" -m "$T/$name.model" -f csv -q >"$T/$name.eval"
  printf '%-44s %8s %8s %8s %8s %8.2f\n' "$name ${*:-}" "$(fmt4 "$(metric rmse "$T/$name.eval")")" \
    "$(fmt4 "$(metric mae "$T/$name.eval")")" "$(fmt4 "$(metric ndcg@10 "$T/$name.eval")")" \
    "$(fmt4 "$(metric precision@10 "$T/$name.eval")")" "$t"
}

grid_args=()
for g in "${grid[@]}"; do grid_args+=(--grid "$g"); done
cv_seconds=$(seconds "$mfrec" cv "$T/train.csv" "${grid_args[@]}" -f csv -q -o "$T/grid.csv")
best=$(sed -n 2p "$T/grid.csv")
IFS=, read -r _ k lambda lr epochs _ _ cv_rmse _ <<<"$best"

printf '%-44s %8s %8s %8s %8s %8s\n' setting rmse mae ndcg@10 p@10 seconds
run defaults
printf '%-44s %8s %8s %8s %8s\n' "most popular (training counts)" - - "$(fmt4 "$(metric ndcg@10_popular "$T/defaults.eval")")" \
  "$(fmt4 "$(metric precision@10_popular "$T/defaults.eval")")"
run implicit --objective implicit
run best -k "$k" --lambda "$lambda" --lr "$lr" -e "$epochs"
echo "best grid setting: k=$k lambda=$lambda lr=$lr epochs=$epochs (5-fold CV RMSE on the training part $cv_rmse; cv took ${cv_seconds} s)"
