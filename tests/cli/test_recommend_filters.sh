#!/usr/bin/env bash
# recommend --min-ratings and --shrink from the command line (issue 12): the
# filter leaves out items with fewer training ratings and says so when the
# answer is short; --shrink 0 prints the plain predictions; the default is
# --shrink 300; bad values are usage errors.
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

finish
