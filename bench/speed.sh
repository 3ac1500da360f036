#!/usr/bin/env bash
# End-to-end training speed on seeded synthetic ratings (make_ratings):
# `mfrec train -k 32 -e 20` on the whole file at 1 and 2 threads, each
# --runs times under /usr/bin/time -v; then test RMSE after training on a
# 90/10 split (split_ratings), for the shuffled block order and for the
# seed's sequential order on 1 thread. Prints a Markdown table of medians
# over the runs, the commands and the machine, ready for README.
#   bench/speed.sh [--sizes 1M,10M] [--runs 3] [--build DIR]
# Data is cached in ${MFREC_BENCH_DIR:-/tmp/mfrec-bench} (file names carry the
# shape and seed); delete it after changing the generator.
set -euo pipefail

usage() { echo "usage: bench/speed.sh [--sizes 1M,10M] [--runs N] [--build DIR]" >&2; exit 64; }
die() { echo "speed.sh: $*" >&2; exit 1; }

root=$(cd "$(dirname "$0")/.." && pwd)
sizes=1M,10M
runs=3
build=$root/build
while [ $# -gt 0 ]; do
  case $1 in
    --sizes) [ $# -ge 2 ] || usage; sizes=$2; shift 2 ;;
    --runs) [ $# -ge 2 ] || usage; runs=$2; shift 2 ;;
    --build) [ $# -ge 2 ] || usage; build=$2; shift 2 ;;
    -h | --help) usage ;;
    *) echo "speed.sh: unknown argument '$1'" >&2; usage ;;
  esac
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "--runs needs a positive whole number, not '$runs'"

mfrec=$build/mfrec
make_ratings=$build/bench/make_ratings
split_ratings=$build/bench/split_ratings
for tool in "$mfrec" "$make_ratings" "$split_ratings"; do
  [ -x "$tool" ] || die "$tool not found; build first: cmake -S . -B build -DCMAKE_BUILD_TYPE=Release && cmake --build build -j2 (or pass --build DIR)"
done
[ -x /usr/bin/time ] || die "/usr/bin/time not found; install the 'time' package (scripts/setup.sh)"

threads_list=(1 2)
epochs=20
factors=32
seed=1            # of the data and of its split; training keeps mfrec's default seed
test_fraction=0.1
data_dir=${MFREC_BENCH_DIR:-/tmp/mfrec-bench}
mkdir -p "$data_dir"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# shape SIZE: "users items ratings" of the named size.
shape() {
  case $1 in
    1M) echo "20000 2000 1000000" ;;
    10M) echo "200000 20000 10000000" ;;
    *) die "unknown size '$1' (known: 1M, 10M)" ;;
  esac
}

commands=()
# run_logged CMD...: runs CMD and remembers it for the report.
run_logged() {
  commands+=("$*")
  "$@"
}

# prepare SIZE: makes (or reuses) the ratings and their split; sets $all,
# $train and $test.
prepare() {
  local users items ratings base
  read -r users items ratings <<<"$(shape "$1")"
  base=$data_dir/ratings-${users}x${items}x${ratings}-seed$seed
  all=$base.csv
  train=$base-train.csv
  test=$base-test.csv
  # Both tools write atomically, and the test part is written last.
  if [ -s "$all" ] && [ -s "$test" ]; then
    echo "speed.sh: $1: reusing $all and its split" >&2
    commands+=("$make_ratings $all $users $items $ratings 16 $seed" "$split_ratings $all $test_fraction $seed $train $test")
    return
  fi
  echo "speed.sh: $1: generating $all" >&2
  run_logged "$make_ratings" "$all" "$users" "$items" "$ratings" 16 "$seed"
  run_logged "$split_ratings" "$all" "$test_fraction" "$seed" "$train" "$test"
}

# test_rmse TRAIN-FLAGS...: trains on the split's training part and sets
# $rmse to the RMSE of the test part (no subshell, so the commands are kept).
test_rmse() {
  local cmd=("$mfrec" train "$train" -k "$factors" -e "$epochs" -m "$work/split.model" -q "$@")
  commands+=("${cmd[*]}")
  "${cmd[@]}" || die "training failed: ${cmd[*]}"
  local eval_cmd=("$mfrec" evaluate "$test" -m "$work/split.model" -f csv -q)
  commands+=("${eval_cmd[*]}")
  rmse=$("${eval_cmd[@]}" | awk -F, '$1 == "rmse" { print $2 }')
  rm -f "$work/split.model"
}

median() { tr ' ' '\n' | grep . | sort -g | awk '{v[NR] = $1} END {print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

# epoch_rate LOG N COLUMN: median over the epochs of N / the epoch's COLUMN
# (sgd_seconds: the SGD pass; seconds: the epoch with its objective pass).
epoch_rate() {
  awk -F, -v n="$2" -v want="$3" '
    NR == 1 { for (i = 1; i <= NF; i++) if ($i == want) c = i
              if (!c) { print "speed.sh: the log has no " want " column" > "/dev/stderr"; exit 1 }
              next }
    { print n / $c }' "$1" | median
}

# wall_seconds TIME_OUTPUT: "Elapsed (wall clock) time (h:mm:ss or m:ss): 1:02.5" in seconds.
wall_seconds() {
  awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$1"
}
peak_mb() { awk -F': ' '/Maximum resident set size/ { printf "%.0f\n", $2 / 1024 }' "$1"; }

declare -A result  # result[column,measure] = one value per run, space separated
columns=()
IFS=, read -r -a size_list <<<"$sizes"
for size in "${size_list[@]}"; do shape "$size" >/dev/null; done  # fail before any work
for size in "${size_list[@]}"; do
  prepare "$size"
  for t in "${threads_list[@]}"; do
    col=$size,$t
    columns+=("$col")
    for ((run = 1; run <= runs; run++)); do
      echo "speed.sh: $size, $t thread(s), run $run/$runs" >&2
      cmd=("$mfrec" train "$all" -k "$factors" -e "$epochs" --threads "$t" -m "$work/model" --log-file "$work/log.csv")
      [ "$run" -gt 1 ] || commands+=("/usr/bin/time -v ${cmd[*]}")
      /usr/bin/time -v -o "$work/time.txt" "${cmd[@]}" 2>"$work/stderr.txt" ||
        { cat "$work/stderr.txt" >&2; die "training failed: ${cmd[*]}"; }
      read -r n load < <(awk '/^mfrec: read / { print $3, $(NF - 1) }' "$work/stderr.txt") || true
      [ -n "${load:-}" ] || die "no 'mfrec: read N ratings ... X.XX s' line on mfrec's stderr"
      result[$col,n]=$n
      result[$col,load]+=" $load"
      result[$col,rate]+=" $(epoch_rate "$work/log.csv" "$n" sgd_seconds)"
      result[$col,rate_fit]+=" $(epoch_rate "$work/log.csv" "$n" seconds)"
      result[$col,wall]+=" $(wall_seconds "$work/time.txt")"
      result[$col,rss]+=" $(peak_mb "$work/time.txt")"
    done
    rm -f "$work/model" "$work/log.csv"
  done
  # The model is the same for every thread count (same seed), so one
  # training per order stands for every column of this size.
  echo "speed.sh: $size, test RMSE" >&2
  test_rmse --threads 2
  for t in "${threads_list[@]}"; do result[$size,$t,rmse]=$rmse; done
  test_rmse --threads 1 --order sequential
  for t in "${threads_list[@]}"; do result[$size,$t,rmse_seq]=$rmse; done
done

# row LABEL MEASURE FORMAT [SCALE]: one table row, the median of each column / SCALE.
row() {
  local line="| $1 |" col v
  for col in "${columns[@]}"; do
    v=$(median <<<"${result[$col,$2]}")
    line+=" $(awk -v v="$v" -v s="${4:-1}" -v f="$3" 'BEGIN { printf f, v / s }') |"
  done
  echo "$line"
}

header="| median of $runs run(s) |"
rule="| --- |"
for col in "${columns[@]}"; do
  header+=" ${col%,*}, ${col#*,} thread$([ "${col#*,}" = 1 ] || echo s) |"
  rule+=" ---: |"
done
echo "$header"
echo "$rule"
row "training ratings" n "%.0f"
row "load seconds (read the CSV)" load "%.2f"
row "M updates/s, SGD pass of an epoch" rate "%.1f" 1000000
row "M updates/s, epoch with its objective pass" rate_fit "%.1f" 1000000
row "whole process, wall seconds" wall "%.2f"
row "peak RSS, MB" rss "%.0f"
row "test RMSE, shuffled blocks ($test_fraction held out)" rmse "%.4f"
row "test RMSE, sequential order, 1 thread" rmse_seq "%.4f"
echo
echo "Commands (each train command run $runs time(s) per size; /usr/bin/time -v gives wall time and peak RSS):"
echo
echo '```'
echo "D=$data_dir TMP=\$(mktemp -d)"
printf '%s\n' "${commands[@]}" | sed "s|$work|\$TMP|g; s|$data_dir|\$D|g; s|$root/||g" | awk '!seen[$0]++'
echo '```'
echo
cpu=$(lscpu 2>/dev/null | awk -F': *' '/^Model name/ { print $2; exit }')
# The trainer picks its AVX2 kernel when the CPU has it, so the vector width belongs in the report.
simd=$(grep -m1 -o -w -e avx512f -e avx2 /proc/cpuinfo 2>/dev/null | sort | tail -1 || true)
commit=$(git -C "$root" describe --always --dirty 2>/dev/null || echo unknown)
echo "Machine: $(nproc) CPUs, ${cpu:-unknown CPU}${simd:+ ($simd)}; $("$mfrec" --version 2>/dev/null | head -1), commit $commit."
