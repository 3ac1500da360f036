#!/usr/bin/env bash
# Implicit-feedback training speed, the target of issue 12: on N distinct
# user,item interactions (make_ratings --interactions: Zipf-like item
# popularity, lines in seeded random order), `mfrec train --objective
# implicit -k 64 -e 15 --threads 2`, the whole process (reading the text
# file included), must take no longer than the implicit library's ALS fit
# alone, 40 s at 200,000 users x 20,000 items x 10M. Runs it --runs times
# under /usr/bin/time and prints each run, the median and µs·core per
# nonzero per iteration (seconds x threads / (N x iterations) x 1e6).
#   bench/implicit_speed.sh [--runs 3] [--build DIR] [--make-only] [USERS ITEMS N]
# --make-only makes (or finds) the file, prints its path and stops; it needs
# no --objective implicit. The file is cached in ${MFREC_BENCH_DIR:-/tmp/mfrec-bench}
# (its name carries the shape and seed); delete it after changing the generator.
set -euo pipefail

usage() { echo "usage: bench/implicit_speed.sh [--runs N] [--build DIR] [--make-only] [USERS ITEMS N]" >&2; exit 64; }
die() { echo "implicit_speed.sh: $*" >&2; exit 1; }

root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/bench/bench_common.sh"
runs=3
build=$root/build
one_shape_args "200000 20000 10000000" "$@"

factors=64
iterations=15
threads=2
seed=1
mfrec=$build/mfrec
make_ratings=$build/bench/make_ratings
if [ ! -x "$mfrec" ] || [ ! -x "$make_ratings" ]; then
  echo "implicit_speed.sh: building in $build" >&2
  { cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null &&
    cmake --build "$build" -j2 --target mfrec make_ratings >&2; } || die "the build failed"
fi
[ -x /usr/bin/time ] || die "/usr/bin/time not found; install the 'time' package (scripts/setup.sh)"

data_dir=${MFREC_BENCH_DIR:-/tmp/mfrec-bench}
mkdir -p "$data_dir"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# make_file USERS ITEMS N PATH: makes the interactions unless PATH exists
# (make_ratings writes atomically, so an existing file is whole).
make_file() {
  if [ -s "$4" ]; then
    echo "implicit_speed.sh: reusing $4" >&2
    return
  fi
  echo "implicit_speed.sh: generating $4" >&2
  "$make_ratings" --interactions "$4" "$1" "$2" "$3" "$seed" || die "make_ratings failed"
}

# check_objective: one epoch on a tiny file, so that a missing flag (or a
# reader that refuses rating-less rows) fails now, not after the big file.
check_objective() {
  "$make_ratings" --interactions "$work/tiny.csv" 50 20 200 "$seed" || die "make_ratings failed"
  "$mfrec" train "$work/tiny.csv" --objective implicit -k 4 -e 1 --threads 1 -m "$work/tiny.model" -q 2>"$work/err.txt" ||
    die "this mfrec cannot train '--objective implicit' on user,item rows (issue 12 adds it): $(cat "$work/err.txt")"
}

file=$data_dir/interactions-${users}x${items}x${n}-seed$seed.csv
if $make_only; then
  make_file "$users" "$items" "$n" "$file"
  echo "$file"
  exit 0
fi
check_objective
make_file "$users" "$items" "$n" "$file"

cmd=("$mfrec" train "$file" --objective implicit -k "$factors" -e "$iterations" --threads "$threads" -m "$work/model" -q)
echo "command: /usr/bin/time -f '%e s %M KB' ${cmd[*]}" | sed "s|$work|\$TMP|g"
seconds=()
for ((run = 1; run <= runs; run++)); do
  /usr/bin/time -f '%e s %M KB' -o "$work/time.txt" "${cmd[@]}" || die "training failed: ${cmd[*]}"
  echo "run $run: $(cat "$work/time.txt")"
  seconds+=("$(awk '{ print $1 }' "$work/time.txt")")
done
median=$(printf '%s\n' "${seconds[@]}" | sort -g | awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
awk -v s="$median" -v t="$threads" -v n="$n" -v it="$iterations" -v runs="$runs" 'BEGIN {
  printf "median of %d run(s): %.2f s, %.3f µs·core per nonzero per iteration (%d threads, %d nonzeros, %d iterations)\n",
    runs, s, s * t / (n * it) * 1e6, t, n, it }'
echo "target (issue 12): at most 40 s, the implicit library's ALS fit alone at 200000 x 20000 x 10M"
