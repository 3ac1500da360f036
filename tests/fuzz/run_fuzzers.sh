#!/usr/bin/env bash
# run_fuzzers.sh BIN_DIR SECONDS [TARGET...]: runs each libFuzzer target built
# in BIN_DIR for SECONDS, from its seed corpus (tests/fuzz/corpus/<target>,
# never written to) and a working corpus in BIN_DIR/corpus/<target>. A crash,
# leak, UB report, timeout or excessive allocation stops with exit 1 and
# leaves the input in BIN_DIR/artifacts/.
set -euo pipefail
src=$(cd "$(dirname "$0")" && pwd)
bin=$(cd "$1" && pwd)
seconds=$2
shift 2
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_ratings_reader fuzz_model_loader fuzz_pairs_reader)

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
mkdir -p "$bin/artifacts"
status=0
for t in "${targets[@]}"; do
  mkdir -p "$bin/corpus/$t"
  start=$(date +%s)
  # The CSV reader allocates a 48 MiB line buffer per file; anything past
  # 128 MiB in one allocation, or 2 GiB in all, is a finding.
  if "$bin/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=128 -max_len=16384 \
      -print_final_stats=1 -artifact_prefix="$bin/artifacts/$t-" \
      "$bin/corpus/$t" "$src/corpus/$t" >"$bin/$t.log" 2>&1; then
    echo "fuzz: $t: $(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$bin/$t.log" | grep -o '[0-9]*$') runs in $(($(date +%s) - start)) s, no finding"
  else
    status=1
    echo "fuzz: $t: FINDING after $(($(date +%s) - start)) s; log $bin/$t.log:"
    grep -E 'ERROR|runtime error|SUMMARY|invariant|Test unit written|uncaught|deadly' "$bin/$t.log" | head -20
  fi
done
exit $status
