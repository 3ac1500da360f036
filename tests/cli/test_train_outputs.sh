#!/usr/bin/env bash
# What a successful `mfrec train` writes: nothing on stdout, epoch lines on
# stderr, the model at -m / $MFREC_MODEL, log files as CSV or JSON Lines.
. "$(dirname "$0")/lib.sh"

run train data/music.csv -m "$T/a.model" -e 7
expect_exit 0 "train music.csv"
CHECKS=$((CHECKS + 1))
[ -s "$T/out" ] && fail "train printed on stdout"
CHECKS=$((CHECKS + 1))
[ "$(grep -c '^epoch' "$T/err")" = 7 ] || fail "want 7 epoch lines, got: $(cat "$T/err")"

run train data/music.csv -m "$T/b.model" -e 25 --log-every 10
expect_exit 0 "--log-every 10"
CHECKS=$((CHECKS + 1))
got=$(grep '^epoch' "$T/err" | awk '{print $2}' | tr '\n' ' ')
[ "$got" = " 1/25 10/25 20/25 25/25 " ] || [ "$got" = "1/25 10/25 20/25 25/25 " ] || fail "--log-every 10 printed epochs: $got"

run train data/music.csv -m "$T/q.model" -q
expect_exit 0 "--quiet"
CHECKS=$((CHECKS + 1))
[ -s "$T/err" ] && fail "--quiet printed on stderr: $(cat "$T/err")"

# The model path from the environment, then the default ./mfrec.model.
RC=0; (cd "$T" && MFREC_MODEL="$T/env.model" "$MFREC" train "$OLDPWD/data/music.csv" -q) || RC=$?
CHECKS=$((CHECKS + 1))
[ "$RC" = 0 ] && [ -s "$T/env.model" ] || fail "\$MFREC_MODEL not used (exit $RC)"
RC=0; (cd "$T" && env -u MFREC_MODEL "$MFREC" train "$OLDPWD/data/music.csv" -q) || RC=$?
CHECKS=$((CHECKS + 1))
[ "$RC" = 0 ] && [ -s "$T/mfrec.model" ] || fail "default ./mfrec.model not written (exit $RC)"

# stdin gives the same model as the path (the source name aside, same numbers).
RC=0; "$MFREC" train - -m "$T/stdin.model" -q <data/music.csv || RC=$?
CHECKS=$((CHECKS + 1))
[ "$RC" = 0 ] || fail "train - exited $RC"
run info -m "$T/stdin.model" -f csv
expect_exit 0 "info on a model trained from stdin"
CHECKS=$((CHECKS + 1))
grep -q '^ratings,39$' "$T/out" || fail "stdin model does not have 39 ratings"

# Log files: CSV by default, JSON Lines for .jsonl; validation columns filled.
run train data/music.csv -m "$T/l.model" -e 5 -q --validation 0.25 --log-file "$T/log.csv"
expect_exit 0 "--log-file CSV"
run train data/music.csv -m "$T/l.model" -e 5 -q --validation 0.25 --log-file "$T/log.jsonl"
expect_exit 0 "--log-file JSONL"
CHECKS=$((CHECKS + 1))
python3 - "$T" <<'PY' || fail "log files malformed"
import csv, json, sys
T = sys.argv[1]
rows = list(csv.DictReader(open(f"{T}/log.csv")))
assert [int(r["epoch"]) for r in rows] == [1, 2, 3, 4, 5], rows
assert all(float(r["validation_rmse"]) > 0 for r in rows)
lines = [json.loads(l) for l in open(f"{T}/log.jsonl")]
assert [l["epoch"] for l in lines] == [1, 2, 3, 4, 5]
for r, l in zip(rows, lines):
    assert abs(float(r["objective"]) - l["objective"]) < 1e-9 * max(1, l["objective"])
PY

# A validation file and early stopping: info records the kept epoch.
printf 'user,item,rating\nHermione,Back in Black,4\nSpock,Back in Black,3\n' >"$T/val.csv"
run train data/music.csv -m "$T/v.model" -e 30 --validation "$T/val.csv" --early-stop 3 -q
expect_exit 0 "--validation FILE --early-stop"
run info -m "$T/v.model" -f json
expect_exit 0 "info -f json"
CHECKS=$((CHECKS + 1))
python3 - "$T/out" <<'PY' || fail "info JSON lacks validation fields"
import json, sys
rows = {r["field"]: r["value"] for r in json.load(open(sys.argv[1]))}
assert rows["validation_ratings"] == 2, rows
assert 1 <= rows["best_epoch"] <= rows["epochs_run"] <= 30, rows
assert rows["validation_rmse"] > 0
PY

# --normalize: info shows the scaler; predictions stay on the input scale.
run train data/music.csv -m "$T/n.model" --normalize -q
expect_exit 0 "--normalize"
run info -m "$T/n.model" -f csv
CHECKS=$((CHECKS + 1))
grep -qF 'normalization,"min-max [1, 5] -> [0, 5]"' "$T/out" || fail "info normalization row: $(grep normalization "$T/out")"

# Long layout with tab delimiter and no header, columns by index.
printf 'x\t1\t4\nx\t2\t5\ny\t1\t3\ny\t3\t2\n' >"$T/long.tsv"
run train "$T/long.tsv" -m "$T/t.model" --no-header -q
expect_exit 0 "headerless TSV"
run info -m "$T/t.model" -f csv
CHECKS=$((CHECKS + 1))
grep -q '^items,3$' "$T/out" && grep -q '^users,2$' "$T/out" || fail "headerless TSV shape: $(cat "$T/out")"

finish
