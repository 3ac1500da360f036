#!/usr/bin/env bash
# An empty or short answer is explained on stderr (issue 11): a user who
# rated every item, fewer unrated items than --top, and ranking metrics with
# no user to average (empty / null, not 0). -q keeps stderr quiet.
. "$(dirname "$0")/lib.sh"

# ann rated every item; bob two of three.
cat >"$T/r.csv" <<'EOF2'
user,item,rating
ann,x,4
ann,y,2
ann,z,5
bob,x,3
bob,y,4
cid,z,1
EOF2
run train "$T/r.csv" -m "$T/m.model" -q -e 5
expect_exit 0 "train"

run recommend --user ann -m "$T/m.model"
expect_exit 0 "recommend for a user who rated everything"
CHECKS=$((CHECKS + 1))
[ "$(cat "$T/out")" = "user,rank,item,score" ] || fail "ann: want the header only: $(cat "$T/out")"
CHECKS=$((CHECKS + 1))
[ "$(cat "$T/err")" = "mfrec: ann has rated every item (3): nothing to recommend (--include-rated ranks them all)" ] ||
  fail "ann: $(cat "$T/err")"

run recommend --user bob --user ann --top 2 -m "$T/m.model"
expect_exit 0 "recommend --top 2"
CHECKS=$((CHECKS + 1))
[ "$(wc -l <"$T/out")" = 2 ] || fail "bob: want one row: $(cat "$T/out")"
CHECKS=$((CHECKS + 1))
[ "$(head -1 "$T/err")" = "mfrec: bob has only 1 unrated item, fewer than --top 2" ] || fail "bob: $(cat "$T/err")"

run recommend --user bob --include-rated --top 5 -m "$T/m.model"
expect_exit 0 "recommend --include-rated --top 5"
expect_err_contains "mfrec: the model has only 3 items, fewer than --top 5" "--include-rated with few items"

run recommend --all-users --top 2 -m "$T/m.model"
expect_exit 0 "recommend --all-users"
CHECKS=$((CHECKS + 1))
[ "$(cat "$T/err")" = "mfrec: 2 of 3 users got fewer than --top 2 recommendations (1 got none: they rated every item)" ] ||
  fail "--all-users: $(cat "$T/err")"

run recommend --all-users --top 1 -m "$T/m.model"
expect_exit 0 "recommend --all-users --top 1"
expect_err_contains "mfrec: 1 of 3 users got fewer than --top 1 recommendations (1 got none" "--all-users --top 1"

run recommend --user ann -q -m "$T/m.model"
expect_exit 0 "recommend -q"
CHECKS=$((CHECKS + 1))
[ -s "$T/err" ] && fail "-q wrote to stderr: $(cat "$T/err")"

# A full answer says nothing.
run recommend --user cid --top 2 -m "$T/m.model"
expect_exit 0 "recommend a full answer"
CHECKS=$((CHECKS + 1))
[ -s "$T/err" ] && fail "a full answer wrote to stderr: $(cat "$T/err")"

# --- predict --pairs with no pairs -------------------------------------
printf 'user,item\n' >"$T/pairs.csv"
run predict --pairs "$T/pairs.csv" -m "$T/m.model"
expect_exit 0 "predict --pairs with a header only"
CHECKS=$((CHECKS + 1))
[ "$(cat "$T/out")" = "user,item,prediction" ] || fail "predict --pairs: $(cat "$T/out")"
CHECKS=$((CHECKS + 1))
[ "$(cat "$T/err")" = "mfrec: $T/pairs.csv has no user,item rows: nothing to predict" ] || fail "predict --pairs: $(cat "$T/err")"

# --- evaluate: no user to rank ------------------------------------------
run evaluate "$T/r.csv" -m "$T/m.model" --relevant 6
expect_exit 0 "evaluate with nothing relevant"
CHECKS=$((CHECKS + 1))
grep -qx 'precision@10,' "$T/out" && grep -qx 'recall@10,' "$T/out" && grep -qx 'ndcg@10,' "$T/out" &&
  grep -qx 'ranked_users,0' "$T/out" || fail "evaluate: want empty ranking metrics: $(cat "$T/out")"
expect_err_contains "mfrec: no test user has a rating >= 6 (--relevant) of an item they did not rate in training, so precision@10, recall@10 and ndcg@10 are undefined" "evaluate explains"
run evaluate "$T/r.csv" -m "$T/m.model" --relevant 6 --k 3 -f json -q
expect_exit 0 "evaluate -f json"
CHECKS=$((CHECKS + 1))
python3 -c '
import json, sys
v = {r["metric"]: r["value"] for r in json.load(open(sys.argv[1]))}
assert v["precision@3"] is None and v["recall@3"] is None and v["ndcg@3"] is None, v
assert isinstance(v["rmse"], float) and v["count"] == 6, v
' "$T/out" || fail "evaluate -f json: want null: $(cat "$T/out")"
CHECKS=$((CHECKS + 1))
[ -s "$T/err" ] && fail "evaluate -q wrote to stderr"

finish
