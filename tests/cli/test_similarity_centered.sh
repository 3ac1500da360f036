#!/usr/bin/env bash
# similarity's default space (issue 15): the cosine between rows of the
# predicted matrix after removing each row's mean and each column's mean,
# checked here the slow obvious way from `predict --no-clip` (every
# prediction, unclipped, printed round-trip exact) to 1e-9, for users and
# items, on the music example and on a slice of MovieLens; `--space
# predicted` stays the seed's plain cosine of the same rows.
. "$(dirname "$0")/lib.sh"

check_space() {  # MODEL SPACE SIDE(users|items)
  local flags=()
  [ "$3" = items ] && flags+=(--items)
  run predict -m "$1" --no-clip -f csv
  cp "$T/out" "$T/pred.csv"
  run similarity -m "$1" --space "$2" "${flags[@]}" -f csv
  expect_exit 0 "similarity --space $2 $3"
  CHECKS=$((CHECKS + 1))
  python3 - "$T/pred.csv" "$T/out" "$2" "$3" <<'PY' || fail "similarity --space $2 $3 differs from the naive computation"
import csv, math, sys
pred, sims, space, side = sys.argv[1:]
rows = list(csv.reader(open(pred)))
items, users = rows[0][1:], [r[0] for r in rows[1:]]
p = [[float(x) for x in r[1:]] for r in rows[1:]]
if side == "items":
    p = [list(col) for col in zip(*p)]
    names = items
else:
    names = users
if space == "centered":
    n, m = len(p), len(p[0])
    row_mean = [sum(r) / m for r in p]
    col_mean = [sum(p[i][j] for i in range(n)) / n for j in range(m)]
    grand = sum(row_mean) / n
    p = [[p[i][j] - row_mean[i] - col_mean[j] + grand for j in range(m)] for i in range(n)]
def cos(a, b):
    na, nb = math.sqrt(sum(x * x for x in a)), math.sqrt(sum(x * x for x in b))
    if na < 1e-9 * math.sqrt(len(a)) or nb < 1e-9 * math.sqrt(len(b)):
        return 0.0
    return sum(x * y for x, y in zip(a, b)) / (na * nb)
got = list(csv.reader(open(sims)))
assert got[0][1:] == names, (got[0][:5], names[:5])
worst = 0.0
for i, r in enumerate(got[1:]):
    assert r[0] == names[i]
    for j, x in enumerate(r[1:]):
        want = 1.0 if i == j else cos(p[i], p[j])
        worst = max(worst, abs(float(x) - want))
assert worst < 1e-9, worst
PY
}

run train data/music.csv -m "$T/music.model" -q
for space in centered predicted; do
  for side in users items; do check_space "$T/music.model" "$space" "$side"; done
done

# 60 MovieLens users and the films with ids up to 300 they rated.
ML=../shared/datasets/ml-latest-small/ratings.csv
if [ -f "$ML" ]; then
  awk -F, 'NR == 1 || ($1 <= 60 && $2 <= 300)' "$ML" >"$T/ml60.csv"
  run train "$T/ml60.csv" -m "$T/ml.model" -q -k 8
  for side in users items; do check_space "$T/ml.model" centered "$side"; done
fi

finish
