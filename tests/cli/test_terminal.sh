#!/usr/bin/env bash
# What a person at a terminal sees, and output files: the default table is
# cut to --max-rows rows and one panel of columns with a footer (an explicit
# -f table, a pipe and a file never are), and -o picks its format from the
# file's extension. The terminal is a real pseudo-terminal (script(1) of
# util-linux, in every Debian).
. "$(dirname "$0")/lib.sh"

run train data/music.csv -m "$T/m.model" -q -e 20
expect_exit 0 "train"

# on_tty COLUMNS ARGS...: runs mfrec on a pseudo-terminal COLUMNS wide;
# its output (line ends as \n) in $T/tty.
on_tty() {
  local cols=$1
  shift
  local cmd="stty cols $cols; exec $(printf '%q ' "$MFREC" "$@") </dev/null"
  RC=0
  script -qec "$cmd" /dev/null >"$T/tty.raw" 2>&1 || RC=$?
  tr -d '\r' <"$T/tty.raw" >"$T/tty"
}

# --- the default table on a terminal -------------------------------------
on_tty 200 predict -m "$T/m.model" --max-rows 2
expect_exit 0 "predict on a terminal"
CHECKS=$((CHECKS + 1))
[ "$(wc -l <"$T/tty")" = 4 ] || fail "predict --max-rows 2: want header, 2 rows, footer: $(cat "$T/tty")"
CHECKS=$((CHECKS + 1))
[ "$(tail -1 "$T/tty")" = "… 4 rows × 13 columns, 2 rows shown (-f csv, -o FILE or --max-rows 0 for all)" ] ||
  fail "predict --max-rows 2 footer: $(tail -1 "$T/tty")"
CHECKS=$((CHECKS + 1))
head -1 "$T/tty" | grep -q '^user ' || fail "predict table header: $(head -1 "$T/tty")"

# Narrow: one panel of the columns that fit, and the footer says so.
on_tty 60 predict -m "$T/m.model"
expect_exit 0 "predict on a narrow terminal"
CHECKS=$((CHECKS + 1))
[ "$(wc -l <"$T/tty")" = 6 ] || fail "narrow predict: want header, 4 rows, footer: $(cat "$T/tty")"
CHECKS=$((CHECKS + 1))
tail -1 "$T/tty" | grep -qE '^… 4 rows × 13 columns, [0-9]+ columns shown \(' || fail "narrow footer: $(tail -1 "$T/tty")"
CHECKS=$((CHECKS + 1))
python3 -c 'import sys; assert all(len(l) <= 60 for l in open(sys.argv[1], encoding="utf-8").read().splitlines()[:5])' "$T/tty" ||
  fail "narrow table wider than 60 columns: $(cat "$T/tty")"

# --max-rows 0: everything, in panels, no footer; an explicit -f table too.
for args in "--max-rows 0" "-f table"; do
  # shellcheck disable=SC2086
  on_tty 60 predict -m "$T/m.model" $args
  expect_exit 0 "predict $args"
  CHECKS=$((CHECKS + 1))
  grep -q '^…' "$T/tty" && fail "predict $args has a footer"
  CHECKS=$((CHECKS + 1))
  [ "$(grep -c '^user ' "$T/tty")" -gt 1 ] || fail "predict $args: want several panels: $(cat "$T/tty")"
done

# A table that fits has no footer; and a pipe gets all the CSV.
on_tty 200 info -m "$T/m.model"
expect_exit 0 "info on a terminal"
CHECKS=$((CHECKS + 1))
grep -q '^…' "$T/tty" && fail "info has a footer"
run recommend --all-users --top 100 --max-rows 1 -m "$T/m.model"
expect_exit 0 "recommend to a pipe"
CHECKS=$((CHECKS + 1))
head -1 "$T/out" | grep -qx 'user,rank,item,score' && [ "$(wc -l <"$T/out")" -gt 2 ] || fail "a pipe was cut: $(head -3 "$T/out")"

CHECKS=$((CHECKS + 1))
run predict -m "$T/m.model" --max-rows -1
expect_exit 64 "--max-rows -1"

# --- -o FILE: the format by extension ------------------------------------
run evaluate data/music.csv -m "$T/m.model" -o "$T/e.json"
expect_exit 0 "evaluate -o .json"
run evaluate data/music.csv -m "$T/m.model" -o "$T/e.NDJSON"
expect_exit 0 "evaluate -o .NDJSON"
run evaluate data/music.csv -m "$T/m.model" -o "$T/e.tab"
expect_exit 0 "evaluate -o .tab"
run evaluate data/music.csv -m "$T/m.model" -o "$T/e.txt"
expect_exit 0 "evaluate -o .txt"
run evaluate data/music.csv -m "$T/m.model" -o "$T/e-csv.json" -f csv
expect_exit 0 "evaluate -o .json -f csv"
CHECKS=$((CHECKS + 1))
python3 - "$T" <<'PY' || fail "formats by extension"
import json, sys
T = sys.argv[1]
j = json.load(open(f"{T}/e.json"))
assert j[0] == {"metric": "rmse", "value": j[0]["value"]} and isinstance(j[0]["value"], float), j[0]
lines = open(f"{T}/e.NDJSON").read().splitlines()
assert json.loads(lines[0])["metric"] == "rmse", lines
assert open(f"{T}/e.tab").readline() == "metric\tvalue\n"
assert open(f"{T}/e.txt").readline() == "metric,value\n"
assert open(f"{T}/e-csv.json").readline() == "metric,value\n"  # -f wins over the extension
PY

finish
