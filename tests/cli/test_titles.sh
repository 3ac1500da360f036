#!/usr/bin/env bash
# Item titles (issue 15, CLI.md "Item titles"): train --item-names stores
# them; recommend, predict --long and similarity --items --item print a
# `title` column right after the item in every format; --item takes an id or
# an exact title (a shared title: exit 65 naming the ids); a model without
# titles prints what it always did; bad titles files fail before training
# with one line naming file:line:column.
. "$(dirname "$0")/lib.sh"

# Titles with quoted commas and quotes, two items sharing one, an id not in
# the ratings, and rated items with no title (the rest of data/music.csv).
cat >"$T/titles.csv" <<'EOF2'
id,genre,title
Back in Black,rock,"Back in Black, AC/DC (1980)"
Firework,pop,"Firework, ""Katy"" (2010)"
Survivor,pop,Greatest Hits
Clair de Lune,classical,Greatest Hits
Not Rated,none,Nobody's Song
EOF2
run train data/music.csv -m "$T/m.model" -e 20 --item-names "$T/titles.csv"
expect_exit 0 "train --item-names"
expect_err_contains "titles for 4 of 12 items from $T/titles.csv; 1 id(s) not in the ratings ignored" "titles counted"

run recommend -m "$T/m.model" --user Ripley --include-rated --top 12 -f csv
expect_exit 0 "recommend csv"
CHECKS=$((CHECKS + 1))
[ "$(head -1 "$T/out")" = "user,rank,item,title,score" ] || fail "recommend header: $(head -1 "$T/out")"
CHECKS=$((CHECKS + 1))
grep -q '^Ripley,[0-9]*,Firework,"Firework, ""Katy"" (2010)",' "$T/out" || fail "quoted title in csv: $(cat "$T/out")"
CHECKS=$((CHECKS + 1))
grep -q '^Ripley,[0-9]*,Bohemian Rhapsody,,' "$T/out" || fail "untitled item: empty title: $(cat "$T/out")"

run recommend -m "$T/m.model" --user Ripley --include-rated --top 12 -f tsv
CHECKS=$((CHECKS + 1))
grep -qP '^Ripley\t[0-9]+\tBack in Black\tBack in Black, AC/DC \(1980\)\t' "$T/out" || fail "tsv title: $(cat "$T/out")"

run recommend -m "$T/m.model" --user Ripley --include-rated --top 12 -f jsonl
CHECKS=$((CHECKS + 1))
grep -qF '"item":"Firework","title":"Firework, \"Katy\" (2010)","score":' "$T/out" || fail "jsonl title: $(cat "$T/out")"

run recommend -m "$T/m.model" --user Ripley --include-rated --top 12 -f json
CHECKS=$((CHECKS + 1))
python3 -c '
import json, sys
rows = json.load(open(sys.argv[1]))
assert list(rows[0]) == ["user", "rank", "item", "title", "score"], rows[0]
titles = {r["item"]: r["title"] for r in rows}
assert titles["Survivor"] == titles["Clair de Lune"] == "Greatest Hits", titles
assert titles["Comfortably Numb"] == "", titles
' "$T/out" || fail "json titles: $(cat "$T/out")"

run recommend -m "$T/m.model" --user Ripley --include-rated --top 12 -f table
CHECKS=$((CHECKS + 1))
head -1 "$T/out" | grep -qE '^user +rank +item +title +score$' || fail "table header: $(head -1 "$T/out")"
CHECKS=$((CHECKS + 1))
grep -qF 'Firework, "Katy" (2010)' "$T/out" || fail "table title: $(cat "$T/out")"

# At a narrow terminal (script(1) gives a real one) long titles are cut
# with an ellipsis and every line fits.
script -qec "stty cols 60; exec $(printf '%q ' "$MFREC" recommend -m "$T/m.model" --user Ripley --include-rated \
  --top 12) </dev/null" /dev/null | tr -d '\r' >"$T/tty"
CHECKS=$((CHECKS + 1))
grep -qE '^Ripley +[0-9]+ +Back in Black +Back in Black, A[^ ]* ?…  +[0-9.]+$' "$T/tty" ||
  fail "no title cut with an ellipsis: $(cat "$T/tty")"
CHECKS=$((CHECKS + 1))
head -1 "$T/tty" | grep -qE 'title +score$' || fail "the score column is not shown: $(cat "$T/tty")"
CHECKS=$((CHECKS + 1))
[ "$(python3 -c 'import sys; print(max(len(l.rstrip("\n")) for l in open(sys.argv[1], encoding="utf-8")))' "$T/tty")" -le 60 ] ||
  fail "a line wider than the terminal: $(cat "$T/tty")"

run predict -m "$T/m.model" --user Ripley --long -f csv
CHECKS=$((CHECKS + 1))
[ "$(head -1 "$T/out")" = "user,item,title,prediction" ] || fail "predict --long header: $(head -1 "$T/out")"
CHECKS=$((CHECKS + 1))
[ "$(tail -n +2 "$T/out" | wc -l)" = 12 ] || fail "predict --long rows: $(cat "$T/out")"

# --item by id or by exact title; the neighbours carry their titles.
run similarity -m "$T/m.model" --items --item Firework --top 11 -f csv
expect_exit 0 "similarity by id"
cp "$T/out" "$T/by-id.csv"
CHECKS=$((CHECKS + 1))
[ "$(head -1 "$T/out")" = "item,neighbor,title,similarity" ] || fail "similarity header: $(head -1 "$T/out")"
CHECKS=$((CHECKS + 1))
grep -q '^Firework,Back in Black,"Back in Black, AC/DC (1980)",' "$T/out" || fail "neighbour title: $(cat "$T/out")"
run similarity -m "$T/m.model" --items --item 'Firework, "Katy" (2010)' --top 11 -f csv
expect_exit 0 "similarity by title"
CHECKS=$((CHECKS + 1))
cmp -s "$T/out" "$T/by-id.csv" || fail "by title differs from by id: $(cat "$T/out")"

run similarity -m "$T/m.model" --items --item 'Greatest Hits'
expect_exit 65 "a title two items share"
expect_err_contains "the title 'Greatest Hits' names 2 items (Clair de Lune, Survivor); give one by its id" "ambiguous title"
run similarity -m "$T/m.model" --items --item 'No Such Title'
expect_exit 65 "an unknown title"
expect_err_contains "unknown item 'No Such Title'" "unknown title"

# The item filters take titles too: a title names every item that has it.
run recommend -m "$T/m.model" --user Ripley --include-rated --top 12 -f csv --exclude 'Greatest Hits' \
  --exclude 'Firework, "Katy" (2010)'
expect_exit 0 "--exclude by title"
CHECKS=$((CHECKS + 1))
! grep -qE '^Ripley,[0-9]+,(Survivor|Clair de Lune|Firework),' "$T/out" || fail "--exclude by title kept: $(cat "$T/out")"
CHECKS=$((CHECKS + 1))
[ "$(tail -n +2 "$T/out" | wc -l)" = 9 ] || fail "--exclude by title: 9 items left: $(cat "$T/out")"
printf 'title\nGreatest Hits\nBack in Black\n' >"$T/candidates.txt"
run recommend -m "$T/m.model" --user Ripley --include-rated -f csv --candidates "$T/candidates.txt"
CHECKS=$((CHECKS + 1))
[ "$(tail -n +2 "$T/out" | cut -d, -f3 | sort | tr '\n' '|')" = "Back in Black|Clair de Lune|Survivor|" ] ||
  fail "--candidates by title and id: $(cat "$T/out")"

# --explain names the supporting item by its title (by its id when it has none).
run recommend -m "$T/m.model" --all-users --include-rated --top 12 --explain -f csv -q
expect_exit 0 "--explain with titles"
CHECKS=$((CHECKS + 1))
[ "$(head -1 "$T/out")" = "user,rank,item,title,score,because" ] || fail "--explain header: $(head -1 "$T/out")"
CHECKS=$((CHECKS + 1))
python3 -c '
import csv, re, sys
titled = {"Back in Black, AC/DC (1980)", "Firework, \"Katy\" (2010)", "Greatest Hits"}
untitled = set(open("data/music.csv").readline().strip().split(",")[1:]) - {"Back in Black", "Firework", "Survivor", "Clair de Lune"}
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["because"]]
labels = [re.fullmatch(r"(.*) \(([0-9.]+)\)", r["because"]).group(1) for r in rows]
assert all(l in titled or l in untitled for l in labels), rows
assert any(l in titled for l in labels), rows
' "$T/out" || fail "--explain label: $(cat "$T/out")"

# User neighbours have no titles.
run similarity -m "$T/m.model" --user Ripley -f csv
CHECKS=$((CHECKS + 1))
[ "$(head -1 "$T/out")" = "user,neighbor,similarity" ] || fail "user similarity header: $(head -1 "$T/out")"

# A model without titles prints what it always printed.
run train data/music.csv -m "$T/plain.model" -q -e 20
run recommend -m "$T/plain.model" --user Ripley -f csv
CHECKS=$((CHECKS + 1))
[ "$(head -1 "$T/out")" = "user,rank,item,score" ] || fail "no titles: recommend header: $(head -1 "$T/out")"
run predict -m "$T/plain.model" --user Ripley --long -f csv
CHECKS=$((CHECKS + 1))
[ "$(head -1 "$T/out")" = "user,item,prediction" ] || fail "no titles: predict header: $(head -1 "$T/out")"
run similarity -m "$T/plain.model" --items --item Firework -f csv
CHECKS=$((CHECKS + 1))
[ "$(head -1 "$T/out")" = "item,neighbor,similarity" ] || fail "no titles: similarity header: $(head -1 "$T/out")"

# Bad titles files: nothing is trained, nothing written.
run train data/music.csv -m "$T/bad.model" -q --item-names "$T/missing.csv"
expect_exit 66 "a missing titles file"
printf 'item,genre,title\nFirework,pop,Fire\nSurvivor,pop\n' >"$T/short.csv"
run train data/music.csv -m "$T/bad.model" -q --item-names "$T/short.csv"
expect_exit 65 "a row without a title"
expect_err_contains "$T/short.csv:3:10" "row without a title: where"
printf 'Firework,One\nFirework,Two\n' >"$T/twice.csv"
run train data/music.csv -m "$T/bad.model" -q --item-names "$T/twice.csv"
expect_exit 65 "an id given twice"
expect_err_contains "$T/twice.csv:2:1" "id given twice: where"
CHECKS=$((CHECKS + 1))
[ ! -e "$T/bad.model" ] || fail "a bad titles file left a model"

# MovieLens with its movies.csv: user 1's recommendations carry titles.
ML=../shared/datasets/ml-latest-small
if [ -f "$ML/movies.csv" ]; then
  run train "$ML/ratings.csv" -m "$T/ml.model" -q --item-names "$ML/movies.csv"
  expect_exit 0 "train MovieLens with titles"
  run recommend -m "$T/ml.model" --user 1 -f csv
  CHECKS=$((CHECKS + 1))
  [ "$(head -1 "$T/out")" = "user,rank,item,title,score" ] || fail "MovieLens header: $(head -1 "$T/out")"
  CHECKS=$((CHECKS + 1))
  python3 -c '
import csv, re, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 10 and all(re.search(r"\(\d{4}\)$", r["title"]) for r in rows), rows
' "$T/out" || fail "MovieLens titles: $(cat "$T/out")"
else
  echo "skip: $ML/movies.csv not found"
fi

finish
