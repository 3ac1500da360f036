#!/usr/bin/env bash
# `mfrec info`: every format parses back to the same fields; bad models are
# refused with 65, a missing one with 66 and a hint.
. "$(dirname "$0")/lib.sh"

run train data/music.csv -m "$T/m.model" -q --seed 3
expect_exit 0 "train"
for f in csv tsv json jsonl table; do
  run info -m "$T/m.model" -f "$f"
  expect_exit 0 "info -f $f"
  cp "$T/out" "$T/info.$f"
done
CHECKS=$((CHECKS + 1))
python3 - "$T" "$(stat -c %s "$T/m.model")" <<'PY' || fail "info formats disagree"
import csv, json, sys
T, size = sys.argv[1], int(sys.argv[2])
c = {r[0]: r[1] for r in list(csv.reader(open(f"{T}/info.csv")))[1:]}
t = {r[0]: r[1] for r in list(csv.reader(open(f"{T}/info.tsv"), delimiter="\t"))[1:]}
j = {r["field"]: r["value"] for r in json.load(open(f"{T}/info.json"))}
l = {r["field"]: r["value"] for r in map(json.loads, open(f"{T}/info.jsonl"))}
assert c == t, (c, t)
assert set(c) == set(j) == set(l)
for k in c:
    assert str(j[k]) == c[k] or float(j[k]) == float(c[k]), (k, j[k], c[k])
    assert j[k] == l[k]
assert c["users"] == "4" and c["items"] == "12" and c["ratings"] == "39"
assert c["seed"] == "3" and c["bias"] == "yes" and c["format_version"] == "4" and c["optimizer"] == "adagrad"
assert int(c["file_size"]) == size
for f in ("k", "lambda", "lr", "epochs", "train_rmse"):
    assert f in c, f
table = open(f"{T}/info.table").read().splitlines()
assert table[0].split() == ["field", "value"], table[0]
assert any(line.split() == ["users", "4"] for line in table)
PY

run info -m "$T/absent.model"
expect_exit 66 "missing model"
printf 'user,item,rating\n' >"$T/text.model"
run info -m "$T/text.model"
expect_exit 65 "text file as a model"
head -c 100 "$T/m.model" >"$T/short.model"
run info -m "$T/short.model"
expect_exit 65 "truncated model"

run info -m "$T/m.model" -o "$T/info-out.csv"
expect_exit 0 "info -o"
CHECKS=$((CHECKS + 1))
cmp -s "$T/info-out.csv" "$T/info.csv" || fail "info -o FILE.csv differs from -f csv"
run info -m "$T/m.model" -f yaml
expect_exit 64 "unknown format"

finish
