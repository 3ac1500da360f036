#!/usr/bin/env bash
# Training across ranks on one machine (not a CI test): `mfrec train FILE`
# under mpirun with N = 1, 2 and 4 ranks, --runs times each. Prints a Markdown
# table of medians: the epoch time (median of a run's epochs, from the epoch
# lines), the bytes rank 0 sent per epoch (the lines' "sent X MB"; none when
# N = 1), the whole run's wall time, and whether the model's bytes are
# N = 1's. Then the commands and the machine.
#   bench/mpi_scale.sh [--runs 3] [--build DIR] [--ranks "1 2 4"] [--tcp] FILE [TRAIN FLAGS...]
# e.g. bench/mpi_scale.sh /tmp/mfrec-bench/ratings-200000x20000x10000000-seed1-shuffled.csv -k 32 -e 3
#
# Every rank runs --threads nproc/N (at least 1) unless the flags say. The
# ranks meet through shared memory here (vader: ~0.4 µs, ~10 GB/s), about 8x
# a 10 Gbit/s network, so this measures the computation and the schedule,
# not a network; --tcp sends through loopback TCP instead (~12 µs, ~2 GB/s),
# the closest stand-in on one box. bench/netflix_scale_model.py predicts a
# cluster from the byte counts. As root, the script sets Open MPI's
# OMPI_ALLOW_RUN_AS_ROOT variables itself.
set -euo pipefail

usage() { echo "usage: bench/mpi_scale.sh [--runs N] [--build DIR] [--ranks \"1 2 4\"] [--tcp] FILE [TRAIN FLAGS...]" >&2; exit 64; }
die() { echo "mpi_scale.sh: $*" >&2; exit 1; }

root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/bench/bench_common.sh"
runs=3
build=$root/build
rank_counts="1 2 4"
btl=self,vader
while [ $# -gt 0 ]; do
  case $1 in
    --runs) [ $# -ge 2 ] || usage; runs=$2; shift 2 ;;
    --build) [ $# -ge 2 ] || usage; build=$2; shift 2 ;;
    --ranks) [ $# -ge 2 ] || usage; rank_counts=$2; shift 2 ;;
    --tcp) btl=self,tcp; shift ;;
    -h | --help) usage ;;
    -*) echo "mpi_scale.sh: unknown argument '$1'" >&2; usage ;;
    *) break ;;
  esac
done
[ $# -ge 1 ] || usage
file=$1
shift
flags=("$@")
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "--runs needs a positive whole number, not '$runs'"
[ -r "$file" ] || die "cannot read $file"
mfrec=$build/mfrec
[ -x "$mfrec" ] || die "$mfrec not found; build first (cmake --build build -j2), or pass --build DIR"
command -v mpirun >/dev/null || die "mpirun not found; install openmpi-bin (scripts/setup.sh)"
"$mfrec" --version | grep -q '^MPI: no' && die "$mfrec was built without MPI (install libopenmpi-dev and rebuild)"
[ -x /usr/bin/time ] || die "/usr/bin/time not found; install the 'time' package (scripts/setup.sh)"

export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# -q: no Open MPI banner; ob1 skips 0.2 s of probing per rank; no CMA, which
# needs ptrace rights some containers lack (i17-mpi-facts).
mpirun=(mpirun -q --oversubscribe --mca pml ob1 --mca btl "$btl")
[ "$btl" = self,vader ] && mpirun+=(--mca btl_vader_single_copy_mechanism none)
threads_given=false
for f in "${flags[@]}"; do [ "$f" = --threads ] && threads_given=true; done

# epoch_lines STDERR: "SECONDS SENT_MB" per epoch line ("0" when it says nothing sent).
epoch_lines() {
  awk '/^epoch [ 0-9]+\// {
         s = ""; sent = 0
         for (i = 2; i <= NF; i++) { if ($i == "s" && s == "") s = $(i - 1); if ($i == "sent") sent = $(i + 1) }
         print s, sent }' "$1"
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat "$file" >/dev/null  # the page cache warm for the first run as for the others
declare -A result  # result[N,measure] = one value per run, space separated
for n in $rank_counts; do
  threads=()
  $threads_given || threads=(--threads "$(($(nproc) / n > 0 ? $(nproc) / n : 1))")
  for ((run = 1; run <= runs; run++)); do
    echo "mpi_scale.sh: $n rank(s), run $run/$runs" >&2
    cmd=("${mpirun[@]}" -np "$n" "$mfrec" train "$file" "${flags[@]}" "${threads[@]}" -m "$work/model-$n")
    /usr/bin/time -v -o "$work/time.txt" "${cmd[@]}" 2>"$work/stderr.txt" >/dev/null ||
      { cat "$work/stderr.txt" >&2; die "training failed: ${cmd[*]}"; }
    epoch_lines "$work/stderr.txt" >"$work/epochs.txt"
    [ -s "$work/epochs.txt" ] || die "no epoch lines on mfrec's stderr: ${cmd[*]}"
    result[$n,epoch]+=" $(cut -d' ' -f1 "$work/epochs.txt" | median)"
    result[$n,sent]+=" $(cut -d' ' -f2 "$work/epochs.txt" | median)"
    result[$n,wall]+=" $(wall_seconds "$work/time.txt")"
  done
  result[$n,threads]=${threads[1]:-as given}
  if [ "$n" = "${rank_counts%% *}" ]; then first=$n; fi
  result[$n,same]=$(cmp -s "$work/model-$first" "$work/model-$n" && echo yes || echo NO)
done

m() { median <<<"${result[$1]}"; }
echo "| ranks | threads per rank | epoch (median) | sent by rank 0 per epoch | whole run, wall | model = ${first} rank's |"
echo "| ---: | ---: | ---: | ---: | ---: | :---: |"
for n in $rank_counts; do
  printf '| %s | %s | %.3f s | %.1f MB | %.1f s | %s |\n' "$n" "${result[$n,threads]}" "$(m "$n,epoch")" \
    "$(m "$n,sent")" "$(m "$n,wall")" "${result[$n,same]}"
done
echo
echo "Median of $runs run(s). btl $btl (shared memory: a bound on computation and schedule, not a network)."
echo '```'
echo "${mpirun[*]} -np N $mfrec train $file ${flags[*]} --threads T -m \$TMP/model-N" | sed "s|$root/||g"
echo '```'
commit=$(git -C "$root" describe --always --dirty 2>/dev/null || echo unknown)
echo "Machine: $(nproc) CPUs, $(awk '/^MemTotal:/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg); $("$mfrec" --version 2>/dev/null | head -1), commit $commit."
