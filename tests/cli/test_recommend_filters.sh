#!/usr/bin/env bash
# recommend --min-ratings and --shrink from the command line (issue 12): the
# filter leaves out items with fewer training ratings and says so when the
# answer is short; --shrink 0 prints the plain predictions; the default is
# --shrink 300; bad values are usage errors. --exclude, --exclude-file and
# --candidates (issue 15) for one user, several and --all-users: unknown items
# are ignored and counted, a missing list exits 66; --explain's because column
# names an item the user rated.
. "$(dirname "$0")/lib.sh"

# Training ratings per item: x 3, y 2, z 2. cid has not rated x or y.
cat >"$T/r.csv" <<'EOF'
user,item,rating
ann,x,4
ann,y,2
ann,z,5
bob,x,3
bob,y,4
cid,z,1
dan,x,5
EOF
run train "$T/r.csv" -m "$T/m.model" -q -e 5
expect_exit 0 "train"

run recommend --user cid --min-ratings 3 -m "$T/m.model"
expect_exit 0 "recommend --min-ratings 3"
CHECKS=$((CHECKS + 1))
[ "$(cut -d, -f3 "$T/out" | tail -n +2)" = "x" ] || fail "--min-ratings 3: want x alone: $(cat "$T/out")"
CHECKS=$((CHECKS + 1))
[ "$(cat "$T/err")" = "mfrec: cid has only 1 unrated item with at least 3 ratings (--min-ratings), fewer than --top 10" ] ||
  fail "--min-ratings 3 explanation: $(cat "$T/err")"

run recommend --user cid --min-ratings 1 -m "$T/m.model" -q
CHECKS=$((CHECKS + 1))
[ "$(tail -n +2 "$T/out" | wc -l)" = 2 ] || fail "--min-ratings 1: want x and y: $(cat "$T/out")"

# --shrink 0: each score is the model's prediction (unclipped, as printed by
# predict --long --no-clip).
run recommend --user cid --shrink 0 -m "$T/m.model" -q
cp "$T/out" "$T/plain.csv"
run predict --user cid --long --no-clip -m "$T/m.model" -q
cp "$T/out" "$T/predicted.csv"
CHECKS=$((CHECKS + 1))
[ "$(tail -n +2 "$T/plain.csv" | wc -l)" = 2 ] || fail "--shrink 0: want two rows: $(cat "$T/plain.csv")"
while IFS=, read -r user _ item score; do
  [ "$user" = user ] && continue
  CHECKS=$((CHECKS + 1))
  grep -qxF "cid,$item,$score" "$T/predicted.csv" || fail "--shrink 0: $item scored $score: $(cat "$T/predicted.csv")"
done <"$T/plain.csv"

run recommend --all-users -m "$T/m.model" -q
cp "$T/out" "$T/default.csv"
run recommend --all-users --shrink 300 -m "$T/m.model" -q
CHECKS=$((CHECKS + 1))
cmp -s "$T/out" "$T/default.csv" || fail "the default is not --shrink 300"

run recommend --user cid --min-ratings 0 -m "$T/m.model"
expect_exit 64 "--min-ratings 0"
run recommend --user cid --shrink -1 -m "$T/m.model"
expect_exit 64 "--shrink -1"

# items ITEMS...: checks the item column (after the header) of $T/out.
items_are() {
  CHECKS=$((CHECKS + 1))
  local got
  got=$(cut -d, -f3 "$T/out" | tail -n +2 | tr '\n' ' ')
  [ "$got" = "$1" ] || fail "$2: items '$got', want '$1': $(cat "$T/out")"
}

# --- item filters (issue 15) -------------------------------------------------
# cid has not rated x or y; dan not y or z; bob not z; ann rated all three.
run recommend --user cid --exclude x -m "$T/m.model"
items_are "y " "--exclude x"
CHECKS=$((CHECKS + 1))
grep -q "not in the model" "$T/err" && fail "--exclude x: counted as unknown: $(cat "$T/err")"
run recommend --user cid --exclude nope --exclude x -m "$T/m.model"
items_are "y " "--exclude nope"
expect_err_contains "mfrec: 1 item in --exclude not in the model: ignored" "--exclude nope"

printf 'item\nx\n' >"$T/excluded.txt"
run recommend --user cid --exclude-file "$T/excluded.txt" -m "$T/m.model"
items_are "y " "--exclude-file with a header"
CHECKS=$((CHECKS + 1))
grep -q "not in the model" "$T/err" && fail "--exclude-file: the header counted as unknown: $(cat "$T/err")"

printf 'item,note\n"y",a\nw,b\nv,c\n' >"$T/catalogue.csv"
run recommend --user cid --candidates "$T/catalogue.csv" -m "$T/m.model"
items_are "y " "--candidates: the first column of a CSV"
expect_err_contains "mfrec: 2 items in $T/catalogue.csv not in the model: ignored" "--candidates unknown"

run recommend --user cid --user dan --exclude y -m "$T/m.model" -q
items_are "x z " "several users, --exclude y"

printf 'z\n' >"$T/only-z.txt"
run recommend --all-users --candidates "$T/only-z.txt" -m "$T/m.model" -q
CHECKS=$((CHECKS + 1))
[ "$(cut -d, -f1,3 "$T/out" | tail -n +2 | tr '\n' ' ')" = "bob,z dan,z " ] ||
  fail "--all-users --candidates z: $(cat "$T/out")"
run recommend --all-users --exclude-file "$T/only-z.txt" --exclude x -m "$T/m.model" -q
items_are "y y " "--all-users, --exclude-file and --exclude together"

for flag in --exclude-file --candidates; do
  run recommend --user cid "$flag" "$T/missing.txt" -m "$T/m.model"
  expect_exit 66 "$flag missing file"
  expect_err_contains "missing.txt" "$flag missing file"
done

# --explain: cid rated only z, dan only x, so theirs is the only possible
# support (or none, when the model fits it below the user's baseline; the
# exact choice is tested on hand-built factors in test_recommend_filters.cpp).
run recommend --user cid --user dan --explain -m "$T/m.model" -q
expect_exit 0 "--explain"
CHECKS=$((CHECKS + 1))
[ "$(head -1 "$T/out")" = "user,rank,item,score,because" ] || fail "--explain header: $(head -1 "$T/out")"
while IFS=, read -r user _ _ _ because; do
  [ "$user" = user ] && continue
  CHECKS=$((CHECKS + 1))
  case "$user:$because" in
    cid: | dan: | cid:z\ \([0-9]*\) | cid:z\ \([0-9]*.[0-9]\) | dan:x\ \([0-9]*\) | dan:x\ \([0-9]*.[0-9]\)) ;;
    *) fail "--explain: $user because '$because'" ;;
  esac
done <"$T/out"

finish
