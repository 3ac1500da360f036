#!/usr/bin/env bash
# End-to-end speed on seeded synthetic ratings (make_ratings), in two parts:
#   train: `mfrec train -k 32 -e 20` on the whole file at 1 and 2 threads,
#     each --runs times under /usr/bin/time -v; then test RMSE after training
#     on a 90/10 split (split_ratings), for the shuffled block order and for
#     the seed's sequential order on 1 thread;
#   read: reading the same ratings in four files (sorted by user or in a
#     seeded random order; string ids `u…`,`i…`, comma, header, or LIBMF's
#     numeric ids, space, no header): mfrec's read time at 1 and 2 threads,
#     the bare one-thread fast-cpp-csv-parser loop (fccp_parse_nothread) on
#     the same file, and the peak RSS of `train -k 32 -e 20 --threads 2` on the
#     string-id files, against issue 14's targets.
# Prints Markdown tables of medians over the runs, the commands and the
# machine, ready for README.
#   bench/speed.sh [--part train|read|all] [--sizes 1M,10M] [--runs 3] [--build DIR]
# Data is cached in ${MFREC_BENCH_DIR:-/tmp/mfrec-bench} (file names carry the
# shape and seed); delete it after changing the generator.
set -euo pipefail

usage() { echo "usage: bench/speed.sh [--part train|read|all] [--sizes 1M,10M] [--runs N] [--build DIR]" >&2; exit 64; }
die() { echo "speed.sh: $*" >&2; exit 1; }

root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/bench/bench_common.sh"
part=all
sizes=1M,10M
runs=3
build=$root/build
while [ $# -gt 0 ]; do
  case $1 in
    --part) [ $# -ge 2 ] || usage; part=$2; shift 2 ;;
    --sizes) [ $# -ge 2 ] || usage; sizes=$2; shift 2 ;;
    --runs) [ $# -ge 2 ] || usage; runs=$2; shift 2 ;;
    --build) [ $# -ge 2 ] || usage; build=$2; shift 2 ;;
    -h | --help) usage ;;
    *) echo "speed.sh: unknown argument '$1'" >&2; usage ;;
  esac
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "--runs needs a positive whole number, not '$runs'"
[[ $part =~ ^(train|read|all)$ ]] || die "--part is train, read or all, not '$part'"

mfrec=$build/mfrec
make_ratings=$build/bench/make_ratings
split_ratings=$build/bench/split_ratings
fccp_parse=$build/bench/fccp_parse_nothread
for tool in "$mfrec" "$make_ratings" "$split_ratings" "$fccp_parse"; do
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

# size_file SIZE ORDER IDS: ratings_file of the named size, made if missing.
size_file() {
  local users items ratings
  read -r users items ratings <<<"$(shape "$1")"
  ratings_file "$users" "$items" "$ratings" "$2" "$3"
  if [ -s "$file" ]; then
    echo "speed.sh: $1: reusing $file" >&2
    commands+=("${make_cmd[*]}")
  else
    echo "speed.sh: $1: generating $file" >&2
    run_logged "${make_cmd[@]}"
  fi
}

# prepare SIZE: makes (or reuses) the sorted ratings and their split; sets
# $all, $train and $test.
prepare() {
  size_file "$1" sorted string
  all=$file
  train=${all%.csv}-train.csv
  test=${all%.csv}-test.csv
  local cmd=("$split_ratings" "$all" "$test_fraction" "$seed" "$train" "$test")
  # The tool writes atomically, and the test part last.
  if [ -s "$test" ]; then commands+=("${cmd[*]}"); else run_logged "${cmd[@]}"; fi
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

# epoch_rate LOG N COLUMN: median over the epochs of N / the epoch's COLUMN
# (sgd_seconds: the SGD pass; seconds: the epoch with its objective pass).
epoch_rate() { log_column "$1" "$3" | awk -v n="$2" '{ print n / $1 }' | median; }

declare -A result  # result[column,measure] = one value per run, space separated

# timed_train KEY FILE THREADS EXTRA...: one `mfrec train FILE -k 32 THREADS
# EXTRA` under /usr/bin/time -v, logged on the first run; adds the read
# time, wall time and peak RSS to result[KEY,load|wall|rss] and sets $n.
timed_train() {
  local key=$1 file=$2 t=$3 n_load
  shift 3
  local cmd=("$mfrec" train "$file" -k "$factors" --threads "$t" -m "$work/model" "$@")
  [ "$run" -gt 1 ] || commands+=("/usr/bin/time -v ${cmd[*]}")
  /usr/bin/time -v -o "$work/time.txt" "${cmd[@]}" 2>"$work/stderr.txt" ||
    { cat "$work/stderr.txt" >&2; die "training failed: ${cmd[*]}"; }
  n_load=$(read_line "$work/stderr.txt")
  [ -n "$n_load" ] || die "no 'mfrec: read N ratings ... X.XX s' line on mfrec's stderr"
  n=${n_load% *}
  result[$key,load]+=" ${n_load#* }"
  result[$key,wall]+=" $(wall_seconds "$work/time.txt")"
  result[$key,rss]+=" $(peak_mb "$work/time.txt")"
  rm -f "$work/model"
}

# med KEY MEASURE: the median of result[KEY,MEASURE]; empty when unmeasured.
med() { [ -z "${result[$1,$2]:-}" ] || median <<<"${result[$1,$2]}"; }

# row LABEL MEASURE FORMAT [SCALE]: one table row of the training part, the
# median of each column / SCALE.
row() {
  local line="| $1 |" col
  for col in "${columns[@]}"; do
    line+=" $(awk -v v="$(med "$col" "$2")" -v s="${4:-1}" -v f="$3" 'BEGIN { printf f, v / s }') |"
  done
  echo "$line"
}

train_part() {
  local size t col
  columns=()
  for size in "${size_list[@]}"; do
    prepare "$size"
    for t in "${threads_list[@]}"; do
      col=$size,$t
      columns+=("$col")
      for ((run = 1; run <= runs; run++)); do
        echo "speed.sh: train, $size, $t thread(s), run $run/$runs" >&2
        timed_train "$col" "$all" "$t" -e "$epochs" --log-file "$work/log.csv"
        result[$col,n]=$n
        result[$col,rate]+=" $(epoch_rate "$work/log.csv" "$n" sgd_seconds)"
        result[$col,rate_fit]+=" $(epoch_rate "$work/log.csv" "$n" seconds)"
      done
      rm -f "$work/log.csv"
    done
    # The model is the same for every thread count (same seed), so one
    # training per order stands for every column of this size.
    echo "speed.sh: train, $size, test RMSE" >&2
    test_rmse --threads 2
    for t in "${threads_list[@]}"; do result[$size,$t,rmse]=$rmse; done
    test_rmse --threads 1 --order sequential
    for t in "${threads_list[@]}"; do result[$size,$t,rmse_seq]=$rmse; done
  done

  local header="| median of $runs run(s) |" rule="| --- |"
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
}

# fccp_run KEY IDS: one run of the bare parse loop on $file; adds its seconds
# to result[KEY,fccp] and sets $n to its rows.
fccp_run() {
  local cmd=("$fccp_parse" "$file") out
  [ "$2" = string ] || cmd+=(--space --no-header)
  [ "$run" -gt 1 ] || commands+=("${cmd[*]}")
  out=$("${cmd[@]}") || die "the parse loop failed: ${cmd[*]}"
  n=$(awk '{ print $2 }' <<<"$out")
  result[$1,fccp]+=" $(awk '{ for (i = 1; i < NF; i++) if ($i == "seconds") print $(i + 1) }' <<<"$out")"
}

# measure_reading KEY IDS: --runs rounds on $file of the parse loop, mfrec's
# read at 1 and 2 threads, and for string ids training's peak RSS.
measure_reading() {
  local rows t
  cat "$file" >/dev/null  # the page cache warm for the first run as for the others
  for ((run = 1; run <= runs; run++)); do
    echo "speed.sh: read, ${1//,/, }, run $run/$runs" >&2
    fccp_run "$1" "$2"
    rows=$n
    for t in "${threads_list[@]}"; do
      timed_train "$1,$t" "$file" "$t" -e 1
      [ "$n" = "$rows" ] || die "$file: mfrec read $n ratings, the parse loop $rows rows"
    done
    [ "$2" = numeric ] || timed_train "$1,peak" "$file" 2 -e "$epochs"
  done
}

# reading_row SIZE ORDER IDS: the reading table's row of one file.
reading_row() {
  local key=$1,$2,$3 fccp read1 read2 sorted2 rss peak
  fccp=$(med "$key" fccp)
  read1=$(med "$key,1" load)
  read2=$(med "$key,2" load)
  [ "$2" = sorted ] || sorted2=$(med "$1,sorted,$3,2" load)
  rss=$(med "$key,peak" rss)
  peak=${rss:+$rss MB}
  printf '| %s, %s ids | %.3f s | %.2f s | %.2f s | %s | %s | %s | %s |\n' "$2" "$3" "$fccp" "$read1" "$read2" \
    "$(ratio "$read2" "$fccp")" "$(ratio "$read1" "$read2")" "$(ratio "$read2" "${sorted2:-}")" "${peak:-–}"
}

read_part() {
  local size ids order
  for size in "${size_list[@]}"; do
    for ids in string numeric; do
      for order in sorted shuffled; do
        size_file "$size" "$order" "$ids"
        measure_reading "$size,$order,$ids" "$ids"
      done
    done
  done
  for size in "${size_list[@]}"; do
    echo "| $size ratings, median of $runs run(s) | fccp loop, 1 thread | read, 1 thread | read, 2 threads | 2 threads ÷ fccp loop | 1 thread ÷ 2 threads | shuffled ÷ sorted, 2 threads | peak RSS, train -e $epochs |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    echo "| target (issue 14, at 10M) | | | ≤ 0.6 s | ≤ 1.0 | ≥ 1.7 | ≤ 1.15 | ≤ 150 MB |"
    for ids in string numeric; do
      for order in sorted shuffled; do reading_row "$size" "$order" "$ids"; done
    done
    echo
  done
  echo "- *fccp loop*: \`fccp_parse_nothread FILE\` (\`--space --no-header\` for numeric ids), fast-cpp-csv-parser's"
  echo "  bare one-thread parse loop, no interning or checks;"
  echo "- *read*: mfrec's \`read … s\` line of \`mfrec train FILE -k $factors -e 1 --threads T\`;"
  echo "- *peak RSS*: \`Maximum resident set size\` of \`mfrec train FILE -k $factors -e $epochs --threads 2\`"
  echo "  under \`/usr/bin/time -v\`, string-id files only;"
  echo "- string ids: \`u…,i…,r\` with a header line; numeric ids: LIBMF's \`u i r\`, no header (\`make_ratings --numeric\`);"
  echo "  shuffled: the same lines in a seeded random order (\`make_ratings --shuffled\`)."
  echo
}

# report_commands: every command run, with the data and temporary paths
# shortened, and the machine.
report_commands() {
  echo "Commands (each train command run $runs time(s) per size; /usr/bin/time -v gives wall time and peak RSS):"
  echo
  echo '```'
  echo "D=$data_dir TMP=\$(mktemp -d)"
  printf '%s\n' "${commands[@]}" | sed "s|$work|\$TMP|g; s|$data_dir|\$D|g; s|$root/||g" | awk '!seen[$0]++'
  echo '```'
  echo
  local cpu simd commit
  cpu=$(lscpu 2>/dev/null | awk -F': *' '/^Model name/ { print $2; exit }')
  # The trainer picks its AVX2 kernel when the CPU has it, so the vector width belongs in the report.
  simd=$(grep -m1 -o -w -e avx512f -e avx2 /proc/cpuinfo 2>/dev/null | sort | tail -1 || true)
  commit=$(git -C "$root" describe --always --dirty 2>/dev/null || echo unknown)
  echo "Machine: $(nproc) CPUs, ${cpu:-unknown CPU}${simd:+ ($simd)}; $("$mfrec" --version 2>/dev/null | head -1), commit $commit."
}

IFS=, read -r -a size_list <<<"$sizes"
for size in "${size_list[@]}"; do shape "$size" >/dev/null; done  # fail before any work
[ "$part" = read ] || train_part
[ "$part" = train ] || read_part
report_commands
