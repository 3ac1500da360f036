#!/usr/bin/env bash
# recommend/predict --ratings and --ratings-file (issue 16, CLI.md "New users
# and new data"): a new user folded in from given ratings, named by --as;
# items by id or title (quoted commas, `=` in titles, stdin); unknown items
# counted or with --strict exit 65; a title shared by two items exit 65; no
# usable rating: the mean plus item biases with a note; the rated items left
# out; --explain shows the rating given; predict's matrix and --long rows;
# the combinations that make no sense are usage errors.
. "$(dirname "$0")/lib.sh"

cat >"$T/titles.csv" <<'EOF'
id,title
Back in Black,"Back in Black, AC/DC (1980)"
Firework,Fire=work
Survivor,Greatest Hits
Clair de Lune,Greatest Hits
EOF
run train data/music.csv -m "$T/m.model" -e 20 --item-names "$T/titles.csv" -q
expect_exit 0 "train"

# --- recommend: rows for --as, the given items left out, deterministic -----
run recommend -m "$T/m.model" --ratings '"Back in Black, AC/DC (1980)"=5,Fire=work=1' --as Ron --top 20 -f csv
expect_exit 0 "recommend --ratings"
cp "$T/out" "$T/ron.csv"
CHECKS=$((CHECKS + 1))
[ "$(head -1 "$T/out")" = "user,rank,item,title,score" ] || fail "header: $(head -1 "$T/out")"
CHECKS=$((CHECKS + 1))
[ "$(tail -n +2 "$T/out" | cut -d, -f1 | sort -u)" = "Ron" ] || fail "user column: $(cat "$T/out")"
CHECKS=$((CHECKS + 1))
[ "$(tail -n +2 "$T/out" | wc -l)" = 10 ] || fail "want the 10 items not given: $(cat "$T/out")"
CHECKS=$((CHECKS + 1))
grep -qE '^Ron,[0-9]+,(Back in Black|Firework),' "$T/out" && fail "a given item was recommended: $(cat "$T/out")"
# The same ratings from a file on stdin (a header, a quoted comma).
printf 'item,rating\n"Back in Black, AC/DC (1980)",5\nFire=work,1\n' >"$T/given.csv"
RC=0
"$MFREC" recommend -m "$T/m.model" --ratings-file - --as Ron --top 20 -f csv <"$T/given.csv" >"$T/out" 2>"$T/err" || RC=$?
expect_exit 0 "--ratings-file -"
CHECKS=$((CHECKS + 1))
cmp -s "$T/out" "$T/ron.csv" || fail "--ratings-file - differs from --ratings: $(cat "$T/out")"

# --explain: the because bracket is the rating given.
run recommend -m "$T/m.model" --ratings 'Back in Black=5,Firework=1' --top 20 --explain -f csv
expect_exit 0 "--explain"
CHECKS=$((CHECKS + 1))
grep -q ',"Back in Black, AC/DC (1980) (5)"$' "$T/out" || fail "because (5): $(cat "$T/out")"

# --- unknown items, --strict, ambiguous titles, bad ratings -------------------
run recommend -m "$T/m.model" --ratings 'Nope=4,Firework=5,Nada=1'
expect_exit 0 "unknown items"
expect_err_contains "mfrec: 2 of the 3 ratings given name no item of the model: ignored" "unknown counted"
run recommend -m "$T/m.model" --ratings 'Firework=5,Nope=4' --strict
expect_exit 65 "--strict"
expect_err_contains "unknown item 'Nope'" "--strict names the item"
run recommend -m "$T/m.model" --ratings 'Greatest Hits=4'
expect_exit 65 "shared title"
expect_err_contains "names 2 items (Clair de Lune, Survivor)" "shared title lists the ids"
run recommend -m "$T/m.model" --ratings 'Firework=9'
expect_exit 65 "rating out of range"
expect_err_contains "outside the model's rating range 1 to 5" "range named"
run recommend -m "$T/m.model" --ratings 'Firework'
expect_exit 64 "no ="

# --- no usable rating: the mean plus each item's bias, with a note -----------
run predict -m "$T/m.model" --ratings 'Nope=4' --as Nobody --long -f tsv
expect_exit 0 "fallback"
expect_err_contains "mfrec: note: no usable rating: answering with the mean plus each item's bias" "fallback note"
tail -n +2 "$T/out" | cut -f1,2,4 | sort >"$T/fallback"
{ printf 'user,item\n'; tail -n +2 "$T/out" | cut -f2 | sed 's/^/Nobody,/'; } >"$T/pairs.csv"
run predict -m "$T/m.model" --pairs "$T/pairs.csv" -f tsv -q
tail -n +2 "$T/out" | sort >"$T/unknown"
CHECKS=$((CHECKS + 1))
[ "$(wc -l <"$T/fallback")" = 12 ] && cmp -s "$T/fallback" "$T/unknown" ||
  fail "fallback differs from an unknown user's predictions: $(diff "$T/fallback" "$T/unknown")"

# --- predict: the matrix row and --long for --as ------------------------------
run predict -m "$T/m.model" --ratings 'Firework=5' --as Ron -f csv
expect_exit 0 "predict --ratings"
CHECKS=$((CHECKS + 1))
[ "$(wc -l <"$T/out")" = 2 ] && [ "$(tail -1 "$T/out" | cut -d, -f1)" = Ron ] || fail "matrix row: $(cat "$T/out")"
run predict -m "$T/m.model" --ratings 'Firework=5' --long -f csv
CHECKS=$((CHECKS + 1))
[ "$(tail -n +2 "$T/out" | wc -l)" = 12 ] && [ "$(tail -n +2 "$T/out" | cut -d, -f1 | sort -u)" = new ] ||
  fail "--long rows for new: $(cat "$T/out")"

# --- combinations that make no sense ----------------------------------------
run recommend -m "$T/m.model" --ratings 'Firework=5' --user Ripley
expect_exit 64 "--ratings with --user"
run recommend -m "$T/m.model" --ratings 'Firework=5' --all-users
expect_exit 64 "--ratings with --all-users"
run recommend -m "$T/m.model" --ratings 'Firework=5' --ratings-file "$T/given.csv"
expect_exit 64 "--ratings with --ratings-file"
run recommend -m "$T/m.model" --ratings 'Firework=5' --method neighbors
expect_exit 64 "--method neighbors"
run recommend -m "$T/m.model" --user Ripley --strict
expect_exit 64 "--strict without --ratings"
run predict -m "$T/m.model" --ratings 'Firework=5' --pairs "$T/pairs.csv"
expect_exit 64 "predict --ratings with --pairs"
run predict -m "$T/m.model" --ratings 'Firework=5' --user Ripley
expect_exit 64 "predict --ratings with --user"
run recommend -m "$T/m.model" --ratings-file "$T/missing.csv"
expect_exit 66 "missing --ratings-file"

# --- an implicit model folds in by its ALS step -------------------------------
run train data/music.csv -m "$T/i.model" --objective implicit -k 4 -q
run recommend -m "$T/i.model" --ratings 'Firework=5,Survivor=2' --top 3 -f csv
expect_exit 0 "implicit fold-in"
CHECKS=$((CHECKS + 1))
[ "$(tail -n +2 "$T/out" | wc -l)" = 3 ] || fail "implicit: 3 rows: $(cat "$T/out")"

finish
