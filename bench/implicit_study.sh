#!/usr/bin/env bash
# The implicit-ALS regularization study (issue 12): data sets of several
# shapes, each split 80/20, in $DIR (default /tmp/reg-study), then
# NDCG@10 of the implicit model against the popular baseline on each.
#   bench/implicit_study.sh prepare
#   bench/implicit_study.sh score SHAPE [train options...]   -> shape,ndcg@10,ndcg@10_popular,p@10
#   bench/implicit_study.sh sweep "LAMBDAS" "ALPHAS" SHAPE...  -> λ,α, then score's row
# Shapes: ml-s42 ml-s7 ml-s123 ml-users40 ml-half ml-clicks syn-pop-20k
# syn-lr-20k syn-lr-60k syn-taste-20k syn-taste-100k. BUILD picks the mfrec.
set -euo pipefail
BUILD=${BUILD:-build}
DIR=${DIR:-/tmp/reg-study}
RATINGS=${RATINGS:-/work/shared/datasets/ml-latest-small/ratings.csv}

split() {  # split FILE SHAPE [SEED]: DIR/SHAPE-{train,test}.csv
  "$BUILD"/bench/split_ratings "$1" 0.2 "${3:-42}" "$DIR/$2-train.csv" "$DIR/$2-test.csv" >/dev/null
}

split_clicks() {  # split_clicks PAIRS SHAPE: split_ratings wants values, so 1s go in and come out again
  awk 'NR == 1 { print "user,item,rating"; next } { print $0 ",1" }' "$1" >"$1.valued"
  split "$1.valued" "$2"
  for part in train test; do cut -d, -f1,2 "$DIR/$2-$part.csv" >"$1.part" && mv "$1.part" "$DIR/$2-$part.csv"; done
}

prepare() {
  mkdir -p "$DIR"
  local tmp="$DIR/tmp" ; mkdir -p "$tmp"
  for seed in 42 7 123; do split "$RATINGS" "ml-s$seed" "$seed"; done
  # 40% of the users, by a hash of the id; and half the ratings, at random.
  awk -F, 'NR == 1 || ($1 * 2654435761) % 4294967296 % 100 < 40' "$RATINGS" >"$tmp/users40.csv"
  awk -F, 'BEGIN { srand(5) } NR == 1 || rand() < 0.5' "$RATINGS" >"$tmp/half.csv"
  split "$tmp/users40.csv" ml-users40
  split "$tmp/half.csv" ml-half
  # Clicks: the seed-42 split without its values.
  for part in train test; do cut -d, -f1,2 "$DIR/ml-s42-$part.csv" >"$DIR/ml-clicks-$part.csv"; done
  # Popularity only: make_ratings --interactions draws Zipf pairs with no
  # low-rank structure.
  "$BUILD"/bench/make_ratings --interactions "$tmp/pop.csv" 20000 2000 500000 3 >/dev/null
  split_clicks "$tmp/pop.csv" syn-pop-20k
  # Weakly structured: low-rank ratings (rank 16) on Zipf pairs, kept where
  # the rating is in its top third (no setting beat popular on these).
  structured 20000 2000 1500000 syn-lr-20k
  structured 60000 6000 4500000 syn-lr-60k
  # Taste: clicks drawn from a low-rank model (implicit_study_gen.cpp).
  c++ -O2 -std=c++20 -o "$tmp/gen" "$(dirname "$0")/implicit_study_gen.cpp"
  taste 20000 2000 500000 syn-taste-20k
  taste 100000 10000 3000000 syn-taste-100k
  rm -r "$tmp"
}

taste() {  # taste USERS ITEMS N SHAPE
  "$DIR/tmp/gen" "$1" "$2" "$3" 1 >"$DIR/tmp/$4.csv"
  split_clicks "$DIR/tmp/$4.csv" "$4"
}

structured() {  # structured USERS ITEMS RATINGS SHAPE
  local tmp="$DIR/tmp/$4.csv"
  "$BUILD"/bench/make_ratings "$tmp.all" "$1" "$2" "$3" 16 4 >/dev/null
  local cut
  cut=$(tail -n +2 "$tmp.all" | cut -d, -f3 | sort -g | awk '{ v[NR] = $1 } END { print v[int(NR * 2 / 3)] }')
  awk -F, -v cut="$cut" 'NR == 1 { print "user,item"; next } $3 > cut { print $1 "," $2 }' "$tmp.all" >"$tmp"
  split_clicks "$tmp" "$4"
}

score() {  # score SHAPE [train options...]
  local shape=$1 model
  shift
  model=$(mktemp "$DIR/model.XXXXXX")
  "$BUILD"/mfrec train "$DIR/$shape-train.csv" --objective implicit -q -m "$model" "$@"
  "$BUILD"/mfrec evaluate "$DIR/$shape-test.csv" -m "$model" -f csv -q |
    awk -F, -v s="$shape" '{ v[$1] = $2 }
      END { printf "%s,%.4f,%.4f,%.4f\n", s, v["ndcg@10"], v["ndcg@10_popular"], v["precision@10"] }'
  rm -f "$model"
}

sweep() {  # sweep "LAMBDAS" "ALPHAS" SHAPE...
  local lambdas=$1 alphas=$2 shape a l
  shift 2
  for shape in "$@"; do for a in $alphas; do for l in $lambdas; do
    echo "$l,$a,$(score "$shape" --threads 2 --lambda "$l" --confidence "$a")"
  done; done; done
}

"$@"
