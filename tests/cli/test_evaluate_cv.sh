#!/usr/bin/env bash
# `mfrec evaluate` and `mfrec cv`: the rows each prints, values that agree
# with `predict --pairs` and `recommend`, exit codes for bad input, grid
# ranking, and the same output for the same command.
. "$(dirname "$0")/lib.sh"

run train data/music.csv -m "$T/m.model" -q --seed 3 -e 50
expect_exit 0 "train"

# Held-out ratings in the long layout: cells music.csv leaves empty (so they
# are candidates for ranking), plus an unknown user and an unknown item.
cat >"$T/test.csv" <<'EOF'
user,item,rating
Darth Vader,Firework,5
Darth Vader,Survivor,2
Hermione,Back in Black,4
Ripley,Hedwig’s Theme,1
Spock,The Imperial March,5
Spock,Back in Black,3
Stranger,Firework,4
Hermione,Unheard Song,5
EOF

# --- evaluate ------------------------------------------------------------

run evaluate "$T/test.csv" -m "$T/m.model" -f csv
expect_exit 0 "evaluate"
cp "$T/out" "$T/eval10.csv"
run evaluate "$T/test.csv" -m "$T/m.model" -f csv --k 5
expect_exit 0 "evaluate --k 5"
cp "$T/out" "$T/eval5.csv"
run predict --pairs "$T/test.csv" -m "$T/m.model" -f csv
expect_exit 0 "predict --pairs"
cp "$T/out" "$T/pairs.csv"
run recommend --all-users --top 10 -m "$T/m.model" -f csv
expect_exit 0 "recommend --all-users"
cp "$T/out" "$T/recs.csv"

CHECKS=$((CHECKS + 1))
python3 - "$T" <<'PY' || fail "evaluate rows or values"
import csv, math, sys
T = sys.argv[1]

def rows(path):
    with open(path, newline="") as f:
        return list(csv.reader(f))

for k in (10, 5):
    r = rows(f"{T}/eval{k}.csv")
    assert r[0] == ["metric", "value"], r[0]
    names = [x[0] for x in r[1:]]
    want = ["rmse", "mae", "count", "unknown", f"precision@{k}", f"precision@{k}_popular", f"recall@{k}",
            f"recall@{k}_popular", f"ndcg@{k}", f"ndcg@{k}_popular", "ranked_users"]
    assert names == want, (k, names)
    v = {x[0]: float(x[1]) for x in r[1:]}  # every value parses as a number
    assert all(math.isfinite(x) for x in v.values()), v
    for name in ("count", "unknown", "ranked_users"):
        assert r[1 + want.index(name)][1].isdigit(), (name, r)
    assert v["count"] == 8 and v["unknown"] == 2, v
    for m in ("precision", "recall", "ndcg"):
        assert 0 <= v[f"{m}@{k}"] <= 1, v

    # RMSE and MAE are those of the clipped predictions `predict --pairs`
    # writes (the model saw every user and item of music.csv, so "known"
    # means the same to both).
    test = {(x[0], x[1]): float(x[2]) for x in rows(f"{T}/test.csv")[1:]}
    pred = {(x[0], x[1]): float(x[2]) for x in rows(f"{T}/pairs.csv")[1:]}
    assert set(test) == set(pred)
    e = [test[p] - pred[p] for p in test]
    assert abs(v["rmse"] - math.sqrt(sum(x * x for x in e) / len(e))) < 1e-9, v
    assert abs(v["mae"] - sum(abs(x) for x in e) / len(e)) < 1e-9, v

    # Ranking from `recommend` (top-K of the items each user did not rate):
    # relevant = known test items rated >= 4; users without one are left out.
    recs = {}
    for u, rank, item, score in rows(f"{T}/recs.csv")[1:]:
        recs.setdefault(u, []).append(item)
    relevant = {}
    for (u, i), x in test.items():
        if u in recs and x >= 4 and i != "Unheard Song":
            relevant.setdefault(u, set()).add(i)
    p = r_ = n = 0.0
    for u, rel in relevant.items():
        top = recs[u][:k]
        hits = [j for j, i in enumerate(top) if i in rel]
        p += len(hits) / k
        r_ += len(hits) / len(rel)
        ideal = sum(1 / math.log2(j + 2) for j in range(min(k, len(rel))))
        n += sum(1 / math.log2(j + 2) for j in hits) / ideal
    c = len(relevant)
    assert v["ranked_users"] == c == 3, (v, relevant)
    assert abs(v[f"precision@{k}"] - p / c) < 1e-12, (v, p / c)
    assert abs(v[f"recall@{k}"] - r_ / c) < 1e-12, (v, r_ / c)
    assert abs(v[f"ndcg@{k}"] - n / c) < 1e-12, (v, n / c)

    # The most-popular list: items by how many users rated them in
    # music.csv (ties in the file's column order), the user's own left out.
    music = rows("data/music.csv")
    items = music[0][1:]
    rated = {x[0]: {items[j] for j, cell in enumerate(x[1:]) if cell not in ("", "0")} for x in music[1:]}
    count = {i: sum(i in s for s in rated.values()) for i in items}
    by_count = sorted(items, key=lambda i: -count[i])  # stable: ties keep column order
    p = r_ = n = 0.0
    for u, rel in relevant.items():
        top = [i for i in by_count if i not in rated[u]][:k]
        hits = [j for j, i in enumerate(top) if i in rel]
        p += len(hits) / k
        r_ += len(hits) / len(rel)
        ideal = sum(1 / math.log2(j + 2) for j in range(min(k, len(rel))))
        n += sum(1 / math.log2(j + 2) for j in hits) / ideal
    assert abs(v[f"precision@{k}_popular"] - p / c) < 1e-12, (v, p / c)
    assert abs(v[f"recall@{k}_popular"] - r_ / c) < 1e-12, (v, r_ / c)
    assert abs(v[f"ndcg@{k}_popular"] - n / c) < 1e-12, (v, n / c)
PY

run evaluate "$T/test.csv" -m "$T/m.model" -f csv
expect_exit 0 "evaluate again"
expect_err_contains "2 of 8" "unknown ratings counted on stderr"
run evaluate "$T/test.csv" -m "$T/m.model" -f csv -q
CHECKS=$((CHECKS + 1))
[ -s "$T/err" ] && fail "evaluate -q wrote to stderr: $(head -c 300 "$T/err")"

run evaluate "$T/no-such-test.csv" -m "$T/m.model"
expect_exit 66 "missing test file"
expect_err_contains "no-such-test.csv" "missing test file named"
printf 'user,item,rating\nann,x,5\nbob,y,abc\n' >"$T/bad.csv"
run evaluate "$T/bad.csv" -m "$T/m.model"
expect_exit 65 "non-numeric test rating"
expect_err_contains "bad.csv:3" "bad test file location"
run evaluate "$T/test.csv" -m "$T/m.model" --k 0
expect_exit 64 "--k 0"
run evaluate "$T/test.csv" -m "$T/no-such.model"
expect_exit 66 "missing model"

# --- cv ------------------------------------------------------------------

run cv data/music.csv --folds 3 -e 5 -f csv
expect_exit 0 "cv"
cp "$T/out" "$T/cv1.csv"
run cv data/music.csv --folds 3 -e 5 -f csv -q
expect_exit 0 "cv again"
cp "$T/out" "$T/cv2.csv"
run cv data/music.csv --folds 3 -e 5 -f json -q
expect_exit 0 "cv -f json"
cp "$T/out" "$T/cv.json"
CHECKS=$((CHECKS + 1))
[ -s "$T/err" ] && fail "cv -q wrote to stderr: $(head -c 300 "$T/err")"
run cv data/music.csv --folds 3 -e 5 -k 4 --lambda 0.1 -f csv -q
expect_exit 0 "cv -k 4 --lambda 0.1"
cp "$T/out" "$T/cv-k4.csv"

run cv data/music.csv --folds 3 -e 5 -f csv -q --grid k=2,4 --grid lambda=0.01,0.1
expect_exit 0 "cv --grid"
cp "$T/out" "$T/grid1.csv"
run cv data/music.csv --folds 3 -e 5 -f csv -q --grid k=2,4 --grid lambda=0.01,0.1
expect_exit 0 "cv --grid again"
cp "$T/out" "$T/grid2.csv"

CHECKS=$((CHECKS + 1))
python3 - "$T" <<'PY' || fail "cv rows or values"
import csv, math, statistics, sys
T = sys.argv[1]

def rows(path):
    with open(path, newline="") as f:
        return list(csv.reader(f))

def without_seconds(r):
    # Wall-clock time is the one column allowed to differ between runs.
    col = r[0].index("seconds")
    return [x[:col] + x[col + 1:] for x in r]

cv = rows(f"{T}/cv1.csv")
assert cv[0] == ["fold", "rmse", "mae", "count", "unknown", "seconds"], cv[0]
assert [x[0] for x in cv[1:]] == ["1", "2", "3", "mean", "std"], [x[0] for x in cv[1:]]
folds = cv[1:4]
rmse = [float(x[1]) for x in folds]
mae = [float(x[2]) for x in folds]
assert sum(int(x[3]) for x in folds) == 39, folds  # every rating of music.csv tested once
mean, std = cv[4], cv[5]
# The mean row holds means (issue 11: it held the fold sums), the std row
# leaves the counts and seconds empty (undefined, not 0).
assert float(mean[3]) == 13 and float(mean[4]) == statistics.fmean(int(x[4]) for x in folds), mean
assert abs(float(mean[5]) - statistics.fmean(float(x[5]) for x in folds)) < 1e-9, mean
assert std[3:] == ["", "", ""], std
assert abs(float(mean[1]) - statistics.fmean(rmse)) < 1e-12, (mean, rmse)
assert abs(float(mean[2]) - statistics.fmean(mae)) < 1e-12, (mean, mae)
assert abs(float(std[1]) - statistics.stdev(rmse)) < 1e-12, (std, rmse)  # sample std
assert abs(float(std[2]) - statistics.stdev(mae)) < 1e-12, (std, mae)
assert all(float(x[5]) >= 0 for x in cv[1:5])
# JSON: numbers are numbers, an undefined value is null (it was "").
import json
js = json.load(open(f"{T}/cv.json"))
assert [x["fold"] for x in js] == [1, 2, 3, "mean", "std"], js
assert js[3]["count"] == 13 and isinstance(js[3]["seconds"], float), js[3]
assert [js[4][c] for c in ("count", "unknown", "seconds")] == [None, None, None], js[4]
assert isinstance(js[4]["rmse"], float) and isinstance(js[4]["mae"], float), js[4]
assert without_seconds(cv) == without_seconds(rows(f"{T}/cv2.csv")), "cv is not reproducible"

g = rows(f"{T}/grid1.csv")
head = ["rank", "k", "lambda", "lambda_row", "lr", "epochs", "lr_decay", "lambda_bias", "rmse_mean", "rmse_std", "mae_mean",
        "mae_std", "seconds"]
assert g[0] == head, g[0]
body = [dict(zip(head, x)) for x in g[1:]]
assert [x["rank"] for x in body] == ["1", "2", "3", "4"], g
means = [float(x["rmse_mean"]) for x in body]
assert means == sorted(means), means  # best first
assert sorted((int(x["k"]), float(x["lambda"])) for x in body) == [(2, 0.01), (2, 0.1), (4, 0.01), (4, 0.1)], body
assert all(x["epochs"] == "5" for x in body), body  # the other train flags apply to every setting
assert without_seconds(g) == without_seconds(rows(f"{T}/grid2.csv")), "cv --grid is not reproducible"
# A grid row is the plain cv of its setting on the same folds.
k4 = rows(f"{T}/cv-k4.csv")
row = next(x for x in body if x["k"] == "4" and float(x["lambda"]) == 0.1)
assert float(row["rmse_mean"]) == float(k4[4][1]) and float(row["rmse_std"]) == float(k4[5][1]), (row, k4)
assert float(row["mae_mean"]) == float(k4[4][2]), (row, k4)
PY

# Identical stdout for the same command (the `seconds` column aside, which
# is wall-clock time; the check above compares everything else).
CHECKS=$((CHECKS + 1))
cut -d, -f1-5 "$T/cv1.csv" >"$T/cv1.cut"
cut -d, -f1-5 "$T/cv2.csv" >"$T/cv2.cut"
cmp -s "$T/cv1.cut" "$T/cv2.cut" || fail "cv stdout differs between two runs"

for g in foo=1 k= k=0 k lambda=-1 k=1.5 k=2,,4 epochs=0 k=2,x; do
  run cv data/music.csv --folds 3 -e 5 --grid "$g"
  expect_exit 64 "--grid $g"
done
run cv data/music.csv --folds 1
expect_exit 64 "--folds 1"
run cv data/music.csv --folds 40 -e 2
expect_exit 65 "more folds than ratings"
run cv "$T/no-such.csv" --folds 3
expect_exit 66 "cv of a missing file"
run cv "$T/bad.csv" --folds 2
expect_exit 65 "cv of a bad file"

finish
