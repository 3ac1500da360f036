#!/usr/bin/env bash
# Warm start (issue 16): does `train day2.csv --init day1.model -e 5` reach
# the test RMSE of a 60-epoch cold start on day1 + day2, and in what time?
# Splits RATINGS (long layout with a timestamp column, MovieLens') as: test =
# a seeded 10% of all ratings (random, not by time, so that both days' users
# are tested); day1 = the earlier 80% by timestamp of the rest; day2 = the
# later 20%. Prints test RMSE, epochs run and the wall time of the whole
# command (reading, loading the --init model, training, writing; median of
# RUNS). Usage, from the project root:
#   bench/warm_start.sh [RATINGS] [RUNS] [THREADS]
# MFREC=path/to/mfrec overrides build/mfrec (built with scripts/build.sh
# when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/bench_common.sh
ratings=${1:-../shared/datasets/ml-latest-small/ratings.csv}
runs=${2:-3}
threads=${3:-2}
mfrec=${MFREC:-build/mfrec}
[ -x "$mfrec" ] || { scripts/build.sh >/dev/null; mfrec=build/mfrec; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

python3 - "$ratings" "$T" <<'EOF'
import csv, random, sys
path, out = sys.argv[1], sys.argv[2]
with open(path, newline='') as f:
    rows = list(csv.reader(f))
header, rows = rows[0], rows[1:]
rng = random.Random(42)
test, rest = [], []
for r in rows:
    (test if rng.random() < 0.1 else rest).append(r)
rest.sort(key=lambda r: int(r[3]))  # stable: ties keep the file's order
cut = int(len(rest) * 0.8)
for name, part in [('test', test), ('day1', rest[:cut]), ('day2', rest[cut:]), ('all', rest)]:
    with open(f'{out}/{name}.csv', 'w', newline='') as f:
        w = csv.writer(f, lineterminator='\n')
        w.writerow(header)
        w.writerows(part)
print(f'split: {len(test)} test (seeded 10%), {cut} day1 (earlier 80% by time), {len(rest) - cut} day2',
      file=sys.stderr)
EOF

# timed OUT ARGS...: runs `mfrec train ARGS` RUNS times; the median wall
# seconds in OUT.seconds, the median of training alone (its summary line's
# "trained … in X s") in OUT.train.
timed() {
  local out=$1 times=() trains=() s
  shift
  for _ in $(seq "$runs"); do
    s=$(date +%s.%N)
    "$mfrec" train "$@" --threads "$threads" 2>"$out.err"
    times+=("$(echo "$(date +%s.%N) - $s" | bc)")
    trains+=("$(awk '/^mfrec: trained/ { for (i = 1; i <= NF; i++) if ($i == "in") { print $(i + 1); exit } }' "$out.err")")
  done
  echo "${times[*]}" | median >"$out.seconds"
  echo "${trains[*]}" | median >"$out.train"
}
rmse() { "$mfrec" evaluate "$T/test.csv" -m "$1" -f csv -q | awk -F, '$1 == "rmse" { print $2 }'; }
epochs() { "$mfrec" info -m "$1" -f csv | awk -F, '$1 == "epochs_run" { print $2 }'; }

# run NAME ARGS...: one row of the table.
reference=
run() {
  local name=$1
  shift
  timed "$T/$name" "$@" -m "$T/$name.model"
  local r
  r=$(rmse "$T/$name.model")
  [ -n "$reference" ] || reference=$r
  printf '%-40s %6s %8.4f %8s %8.2f %8.2f\n' "$name" "$(epochs "$T/$name.model")" "$r" \
    "$(ratio "$r" "$reference" %.4f)" "$(cat "$T/$name.seconds")" "$(cat "$T/$name.train")"
}

printf '%-40s %6s %8s %8s %8s %8s\n' setting epochs rmse "/cold60" seconds training
run "cold: all -e 60 --tol 0" "$T/all.csv" -e 60 --tol 0
run "cold: all (defaults: --tol stops)" "$T/all.csv"
run "day1 alone (defaults)" "$T/day1.csv"
cp "$T/day1 alone (defaults).model" "$T/day1.model"
run "warm: day2 --init day1 -e 5" "$T/day2.csv" --init "$T/day1.model" -e 5
run "warm: day2 --init day1 -e 3" "$T/day2.csv" --init "$T/day1.model" -e 3
run "warm: day2 --init day1 --replay -e 5" "$T/day2.csv" --init "$T/day1.model" --replay -e 5
run "warm: all --init day1 -e 5" "$T/all.csv" --init "$T/day1.model" -e 5
run "warm: all --init day1 -e 3" "$T/all.csv" --init "$T/day1.model" -e 3

# Forgetting: day2 alone, epoch by epoch (one run each; times not measured).
runs=1
echo
echo "warm start on day2 alone, by epochs (--tol 0): test RMSE"
for e in 1 2 3 5 10 20 40; do
  "$mfrec" train "$T/day2.csv" --init "$T/day1.model" -e "$e" --tol 0 -m "$T/curve.model" -q --threads "$threads"
  printf '  -e %-3s %8.4f\n' "$e" "$(rmse "$T/curve.model")"
done
