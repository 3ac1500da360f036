#!/usr/bin/env bash
# Issue 14's large benchmark (not a CI test): 100M ratings in the Netflix
# prize's shape, 480,000 users x 17,770 items, lines in a seeded random order
# (make_ratings --shuffled: string ids, comma, header), and
# `mfrec train FILE -k 32 -e 5 --threads 2` under /usr/bin/time -v, --runs
# times. Prints the read time, each epoch's time, the whole process and the
# peak RSS (target: <= 1.3 GB) as a Markdown table of medians, with the
# commands and the machine.
#   bench/netflix_shape.sh [--runs 1] [--build DIR] [--make-only] [USERS ITEMS N]
# (another shape, smaller, to try the script).
# --make-only makes (or finds) the file, prints its path and stops. The file
# (about 1.8 GB; making it takes a few minutes and about 6 GB of memory) is
# cached in ${MFREC_BENCH_DIR:-/tmp/mfrec-bench}, its name carrying the shape
# and seed; delete it after changing the generator.
set -euo pipefail

usage() { echo "usage: bench/netflix_shape.sh [--runs N] [--build DIR] [--make-only] [USERS ITEMS N]" >&2; exit 64; }
die() { echo "netflix_shape.sh: $*" >&2; exit 1; }

root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/bench/bench_common.sh"
runs=1
build=$root/build
one_shape_args "480000 17770 100000000" "$@"

factors=32
epochs=5
threads=2
seed=1
mfrec=$build/mfrec
make_ratings=$build/bench/make_ratings
for tool in "$mfrec" "$make_ratings"; do
  [ -x "$tool" ] || die "$tool not found; build first: cmake --build build -j2 --target mfrec make_ratings (or pass --build DIR)"
done
[ -x /usr/bin/time ] || die "/usr/bin/time not found; install the 'time' package (scripts/setup.sh)"
data_dir=${MFREC_BENCH_DIR:-/tmp/mfrec-bench}
mkdir -p "$data_dir"

# The file is about 19 bytes a rating; the generator holds about 70 bytes a
# rating (the pairs it has drawn in a hash set, to keep them distinct).
disk_needed_mb=$((n * 25 / 1000000))
memory_needed_mb=$((n * 80 / 1000000))

# make_file: makes the file if it is missing, after checking there is room for it.
make_file() {
  if [ -s "$file" ]; then
    echo "netflix_shape.sh: reusing $file" >&2
    return
  fi
  local free_mb available_mb
  free_mb=$(df -Pm "$data_dir" | awk 'NR == 2 { print $4 }')
  [ "$free_mb" -ge "$disk_needed_mb" ] ||
    die "$data_dir has $free_mb MB free and the file needs about $disk_needed_mb MB; free some space or set MFREC_BENCH_DIR to a roomier disk"
  available_mb=$(awk '/^MemAvailable:/ { print int($2 / 1024) }' /proc/meminfo)
  [ "$available_mb" -ge "$memory_needed_mb" ] ||
    die "making the file needs about $memory_needed_mb MB of memory and $available_mb MB is available; try later"
  echo "netflix_shape.sh: generating $file (a few minutes)" >&2
  "${make_cmd[@]}" || die "make_ratings failed"
}

ratings_file "$users" "$items" "$n" shuffled string
make_file
if $make_only; then
  echo "$file"
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmd=("$mfrec" train "$file" -k "$factors" -e "$epochs" --threads "$threads" -m "$work/model" --log-file "$work/log.csv")
declare -A result  # result[measure] = one value per run, space separated
cat "$file" >/dev/null  # the page cache warm for the first run as for the others
for ((run = 1; run <= runs; run++)); do
  echo "netflix_shape.sh: run $run/$runs" >&2
  /usr/bin/time -v -o "$work/time.txt" "${cmd[@]}" 2>"$work/stderr.txt" ||
    { cat "$work/stderr.txt" >&2; die "training failed: ${cmd[*]}"; }
  n_load=$(read_line "$work/stderr.txt")
  [ -n "$n_load" ] || die "no 'mfrec: read N ratings ... X.XX s' line on mfrec's stderr"
  result[read]+=" ${n_load#* }"
  log_column "$work/log.csv" seconds >"$work/epochs.txt" || die "no epoch times in the --log-file"
  result[epochs]+=" $(awk '{ printf "%s%.2f", (NR > 1 ? "/" : ""), $1 }' "$work/epochs.txt")"
  result[epoch]+=" $(median <"$work/epochs.txt")"
  result[wall]+=" $(wall_seconds "$work/time.txt")"
  result[rss]+=" $(peak_mb "$work/time.txt")"
done

m() { median <<<"${result[$1]}"; }
echo "| ${n} ratings, ${users} x ${items}, shuffled; k = $factors, $epochs epochs, $threads threads | median of $runs run(s) | target |"
echo "| --- | ---: | ---: |"
printf '| read (the "read … s" of mfrec) | %.2f s | |\n' "$(m read)"
printf '| epoch, with its objective pass (median of the %d) | %.2f s | |\n' "$epochs" "$(m epoch)"
printf '| each epoch, per run | %s | |\n' "$(sed 's/^ //; s/ /; /g' <<<"${result[epochs]}")"
printf '| whole process, wall | %.1f s | |\n' "$(m wall)"
printf '| peak RSS | %s MB | ≤ 1300 MB |\n' "$(m rss)"
echo
echo '```'
echo "${make_cmd[*]}" | sed "s|$data_dir|\$D|g; s|$root/||g"
echo "/usr/bin/time -v ${cmd[*]}" | sed "s|$work|\$TMP|g; s|$data_dir|\$D|g; s|$root/||g"
echo '```'
echo
commit=$(git -C "$root" describe --always --dirty 2>/dev/null || echo unknown)
echo "Machine: $(nproc) CPUs, $(awk '/^MemTotal:/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo); $("$mfrec" --version 2>/dev/null | head -1), commit $commit. D=$data_dir"
