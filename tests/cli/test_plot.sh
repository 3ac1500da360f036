#!/usr/bin/env bash
# train --plot and `mfrec plot LOGFILE`: the SVG parses with a real XML
# parser, has axes with ticks and a legend, and each line's points, mapped
# back through its axis's tick labels, are the values of the --log-file.
. "$(dirname "$0")/lib.sh"

run train data/music.csv -m "$T/m.model" -q -e 60 --validation 0.2 --log-file "$T/log.csv" --plot "$T/train.svg"
expect_exit 0 "train --plot"
run train data/music.csv -m "$T/m2.model" -q -e 30 -k 3 --log-file "$T/log.jsonl"
expect_exit 0 "train --log-file .jsonl"
run plot "$T/log.csv" -o "$T/csv.svg"
expect_exit 0 "plot a CSV log"
run plot "$T/log.jsonl" -o "$T/jsonl.svg"
expect_exit 0 "plot a JSON Lines log"
run plot "$T/log.csv"
expect_exit 0 "plot to stdout"
cp "$T/out" "$T/stdout.svg"

# check SVG LOG: every polyline against the log's columns.
check() {
  CHECKS=$((CHECKS + 1))
  python3 - "$1" "$2" <<'PY' || fail "plot $1 against $2"
import csv, json, math, sys
import xml.etree.ElementTree as ET

svg_path, log_path = sys.argv[1], sys.argv[2]
NS = "{http://www.w3.org/2000/svg}"
root = ET.parse(svg_path).getroot()
assert root.tag == NS + "svg", root.tag

def num(x):
    return float("nan") if x in ("", "nan", None) else float(x)

if log_path.endswith(".jsonl"):
    log = [json.loads(l) for l in open(log_path) if l.strip()]
    log = [{k: num(v) for k, v in r.items()} for r in log]
else:
    log = [{k: num(v) for k, v in r.items()} for r in csv.DictReader(open(log_path))]

# Each axis: (value, pixel) from its tick labels; a linear or log map fitted
# on two ticks must place every other tick exactly.
axes = {}
for g in root.iter(NS + "g"):
    if g.get("class") == "axis":
        ticks = []
        for t in g.iter(NS + "text"):
            if t.get("class") == "tick-label":
                pixel = float(t.get("y" if g.get("id") != "x" else "x"))
                ticks.append((float(t.get("data-value")), pixel))
                assert t.text.strip() == t.get("data-value"), (t.text, t.get("data-value"))
        assert len(ticks) >= 3, (g.get("id"), ticks)
        log_scale = g.get("data-scale") == "log"
        f = (lambda v: math.log10(v)) if log_scale else (lambda v: v)
        (v0, p0), (v1, p1) = ticks[0], ticks[-1]
        slope = (p1 - p0) / (f(v1) - f(v0))
        for v, p in ticks:
            assert abs(p0 + (f(v) - f(v0)) * slope - p) < 0.01, (g.get("id"), v, p)
        inv = (lambda p, f=f, v0=v0, p0=p0, s=slope, lg=log_scale:
               10 ** (math.log10(v0) + (p - p0) / s) if lg else v0 + (p - p0) / s)
        axes[g.get("id")] = (inv, ticks)
assert set(axes) == {"x", "y-left", "y-right"}, axes.keys()

lines = {p.get("data-series"): p for p in root.iter(NS + "polyline")}
want = ["objective", "train_rmse"] + (["validation_rmse"] if not math.isnan(log[0]["validation_rmse"]) else [])
assert sorted(lines) == sorted(want), (lines.keys(), want)
legend = [t.text for g in root.iter(NS + "g") if g.get("class") == "legend" for t in g.iter(NS + "text")]
assert len(legend) == len(want), legend

for name, line in lines.items():
    xinv, _ = axes["x"]
    yinv, yticks = axes[line.get("data-axis")]
    points = [tuple(map(float, p.split(","))) for p in line.get("points").split()]
    assert len(points) == len(log), (name, len(points), len(log))
    lo, hi = min(v for v, _ in yticks), max(v for v, _ in yticks)
    for (px, py), row in zip(points, log):
        assert abs(xinv(px) - row["epoch"]) < 1e-3 * len(log), (name, px, row["epoch"])
        value = yinv(py)
        assert lo <= row[name] <= hi, (name, row[name], lo, hi)  # the axis covers the data
        assert abs(value - row[name]) <= 1e-4 * abs(row[name]) + 1e-4 * (hi - lo), (name, value, row[name])
PY
}
check "$T/train.svg" "$T/log.csv"
check "$T/csv.svg" "$T/log.csv"
check "$T/stdout.svg" "$T/log.csv"
check "$T/jsonl.svg" "$T/log.jsonl"
CHECKS=$((CHECKS + 1))
cmp -s "$T/csv.svg" "$T/stdout.svg" || fail "plot -o and stdout differ"

# The objective falls by more than 10x over 300 epochs of the seed's
# settings: its axis is a log scale.
run train data/music.csv -m "$T/m3.model" -q --optimizer sgd -k 5 --lr 0.01 --lambda 0.02 -e 300 --no-bias --order sequential --log-file "$T/seed.csv"
expect_exit 0 "train the seed's settings"
run plot "$T/seed.csv" -o "$T/seed.svg"
expect_exit 0 "plot the seed's log"
check "$T/seed.svg" "$T/seed.csv"
CHECKS=$((CHECKS + 1))
grep -q 'id="y-right" data-scale="log"' "$T/seed.svg" || fail "the seed's objective is not on a log scale"

# --- errors ----------------------------------------------------------------
run plot "$T/no-such.csv"
expect_exit 66 "plot a missing log"
printf 'epoch,objective\n1,2\n' >"$T/short.csv"
run plot "$T/short.csv"
expect_exit 65 "plot a log without train_rmse"
expect_err_contains "the epoch log has no 'train_rmse' column" "missing column"
printf 'epoch,objective,train_rmse,validation_rmse\n' >"$T/empty.csv"
run plot "$T/empty.csv"
expect_exit 65 "plot a log without epochs"
run train data/music.csv -m "$T/m4.model" -q -e 2 --plot "$T/no-such-dir/x.svg"
expect_exit 73 "train --plot into a missing folder"
CHECKS=$((CHECKS + 1))
[ -e "$T/m4.model" ] && fail "train --plot to a bad path wrote the model"

finish
