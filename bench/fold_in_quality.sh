#!/usr/bin/env bash
# Fold-in quality on MovieLens latest-small: 50 users held out entirely
# (seeded), a model trained on the others; each held-out user is folded in
# from 80% of their ratings (`predict --ratings-file`) and predicts the other
# 20%. The same 20% are predicted by a model retrained with those 80%
# included. Prints both RMSEs (clipped, input scale) and their ratio; the
# fold-in should be within 2% of retraining. Usage, from the project root:
#   bench/fold_in_quality.sh [RATINGS] [SEED] [TRAIN-FLAGS...]
set -euo pipefail
cd "$(dirname "$0")/.."
ratings=${1:-../shared/datasets/ml-latest-small/ratings.csv}
seed=${2:-42}
shift 2 || shift $# || true
mfrec=${MFREC:-build/mfrec}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# The split: rest.csv (the other users), given.csv (the held-out users' 80%,
# also as one item,rating file per user under given/) and test.csv (their
# 20%), each user's ratings shuffled by the seed.
python3 - "$ratings" "$seed" "$T" <<'PY'
import csv, os, random, sys
path, seed, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with open(path, newline="") as f:
    rows = list(csv.reader(f))
header, rows = rows[0], rows[1:]
by_user = {}
for r in rows:
    by_user.setdefault(r[0], []).append(r)
rng = random.Random(seed)
held = set(rng.sample(sorted(by_user), 50))
os.makedirs(f"{out}/given")
def writer(name):
    w = csv.writer(open(f"{out}/{name}", "w", newline=""), lineterminator="\n")
    w.writerow(header[:3])
    return w
rest, given, test = writer("rest.csv"), writer("given.csv"), writer("test.csv")
for user in sorted(by_user):
    mine = by_user[user]
    if user not in held:
        for r in mine: rest.writerow(r[:3])
        continue
    rng.shuffle(mine)
    cut = round(0.8 * len(mine))
    with open(f"{out}/given/{user}.csv", "w") as f:
        f.write("item,rating\n" + "".join(f"{r[1]},{r[2]}\n" for r in mine[:cut]))
    for r in mine[:cut]: given.writerow(r[:3])
    for r in mine[cut:]: test.writerow(r[:3])
PY
tail -n +2 "$T/given.csv" | cat "$T/rest.csv" - >"$T/retrain.csv"
echo "held-out users: 50; given $(($(wc -l <"$T/given.csv") - 1)), test $(($(wc -l <"$T/test.csv") - 1)) ratings (seed $seed)" >&2

"$mfrec" train "$T/rest.csv" -m "$T/rest.model" -q "$@"
"$mfrec" train "$T/retrain.csv" -m "$T/retrain.model" -q "$@"

# Fold-in: each user's whole predicted row, then their test pairs from it.
start=$(date +%s.%N)
for f in "$T"/given/*.csv; do
  user=$(basename "$f" .csv)
  "$mfrec" predict -m "$T/rest.model" --ratings-file "$f" --as "$user" --long -f csv -q | tail -n +2
done >"$T/folded.csv"
echo "fold-in: 50 users in $(echo "$(date +%s.%N) - $start" | bc) s (whole processes, each predicting every item)" >&2
"$mfrec" predict -m "$T/retrain.model" --pairs "$T/test.csv" -f csv -q >"$T/retrained.csv"

python3 - "$T" <<'PY'
import csv, math, sys
t = sys.argv[1]
def table(name, skip_header=True):
    with open(f"{t}/{name}", newline="") as f:
        rows = list(csv.reader(f))
    return {(r[0], r[1]): float(r[-1]) for r in rows[1 if skip_header else 0:]}
test = table("test.csv")
folded = table("folded.csv", skip_header=False)
retrained = table("retrained.csv")
# Pairs whose item the first model knows (an item only held-out users rated
# has no factors to fold against); the retrained model knows them all.
pairs = [p for p in test if p in folded]
def rmse(pred):
    return math.sqrt(sum((pred[p] - test[p]) ** 2 for p in pairs) / len(pairs))
a, b = rmse(folded), rmse(retrained)
print("pairs,fold_in_rmse,retrained_rmse,ratio")
print(f"{len(pairs)},{a:.4f},{b:.4f},{a / b:.4f}")
print(f"({len(test) - len(pairs)} test pairs name items only the held-out users rated: left out)", file=sys.stderr)
PY
