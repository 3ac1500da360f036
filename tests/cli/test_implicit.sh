#!/usr/bin/env bash
# `--objective implicit` from the command line: a user,item file (repeats
# adding up) trains an implicit model; flags that do not apply are refused;
# info, predict and evaluate say what its scores are; cv ranks; the model is the same
# for any --threads.
. "$(dirname "$0")/lib.sh"

# Clicks without a rating column: ann clicked jazz three times.
cat >"$T/clicks.csv" <<'EOF'
user,item
ann,jazz
bob,rock
ann,jazz
ann,rock
cid,pop
bob,pop
ann,jazz
cid,jazz
dee,rock
dee,pop
EOF

# As ratings, a file of pairs is a data error that points at the objective.
run train "$T/clicks.csv" -m "$T/r.model"
expect_exit 65 "user,item file as ratings"
expect_err_contains "--objective implicit" "the error suggests the implicit objective"
[ ! -e "$T/r.model" ] || fail "no model written after the error"

run train "$T/clicks.csv" --objective implicit -k 2 -e 4 --lambda 0.1 -m "$T/i.model"
expect_exit 0 "train --objective implicit"
expect_err_contains "each row counts 1" "the columns line says every row counts 1"
expect_err_contains "3 repeated user,item rows were added up into 1 pair" "repeats added up"
expect_err_contains "trained 4 ALS iterations on 8 interactions" "the summary counts pairs, not rows"

# The same model bytes for any thread count.
for t in 1 2 3; do
  run train "$T/clicks.csv" --objective implicit -k 2 -e 4 --lambda 0.1 --threads "$t" -m "$T/t$t.model" -q
  expect_exit 0 "train --threads $t"
  CHECKS=$((CHECKS + 1))
  cmp -s "$T/i.model" "$T/t$t.model" || fail "--threads $t wrote different model bytes"
done

run info -m "$T/i.model" -f csv
expect_exit 0 "info"
CHECKS=$((CHECKS + 1))
grep -qx "objective,implicit" "$T/out" && grep -q "^scores,preference" "$T/out" && grep -qx "confidence,1" "$T/out" \
  || fail "info rows: $(cat "$T/out")"
CHECKS=$((CHECKS + 1))
! grep -q "^lr,\|^train_rmse,\|^bias," "$T/out" || fail "info shows rating-only rows: $(cat "$T/out")"

run predict --long --user bob -m "$T/i.model" -f csv
expect_exit 0 "predict"
expect_err_contains "preference scores" "predict says its numbers are not ratings"

# Held-out clicks: no rating reaches 4, so every one is relevant; no RMSE.
printf 'user,item\nbob,jazz\ndee,jazz\n' >"$T/test.csv"
run evaluate "$T/test.csv" -m "$T/i.model" -f csv
expect_exit 0 "evaluate"
CHECKS=$((CHECKS + 1))
grep -qx "rmse," "$T/out" && grep -qx "mae," "$T/out" && grep -qx "count,2" "$T/out" && grep -qx "ranked_users,2" "$T/out" \
  || fail "evaluate rows: $(cat "$T/out")"
expect_err_contains "counts as relevant" "evaluate says how it chose relevance"

# Strengths of 0 are no interaction: a file of nothing else has nothing to learn.
printf 'user,item,count\nann,jazz,0\nbob,rock,0\n' >"$T/zeros.csv"
run train "$T/zeros.csv" --objective implicit -q -m "$T/z.model"
expect_exit 65 "every strength 0"
expect_err_contains "no interaction has a value above 0" "says why"
[ ! -e "$T/z.model" ] || fail "a model written for a file without interactions"

# Flags for the other objective are refused before anything is read.
run train "$T/clicks.csv" --objective implicit --lr 0.01 -m "$T/x.model"
expect_exit 64 "--lr with implicit"
expect_err_contains "--lr has no effect with --objective implicit" "names the flag and the objective"
run train "$T/clicks.csv" --confidence 2 -m "$T/x.model"
expect_exit 64 "--confidence with ratings"
expect_err_contains "--confidence has no effect with --objective rating" "names the flag"
run train "$T/clicks.csv" --objective implicit --validation 0.2 -m "$T/x.model"
expect_exit 64 "--validation with implicit"
# cv scores an implicit model by its ranking.
run cv "$T/clicks.csv" --objective implicit --folds 2 -k 2 -e 3 -f csv -q
expect_exit 0 "cv --objective implicit"
CHECKS=$((CHECKS + 1))
[ "$(head -1 "$T/out")" = "fold,ndcg@10,precision@10,recall@10,count,unknown,seconds" ] || fail "cv columns: $(head -1 "$T/out")"
run cv "$T/clicks.csv" --objective implicit --folds 2 -k 2 -e 3 --grid lambda=0.01,1 -f csv -q
expect_exit 0 "cv --grid with implicit"
CHECKS=$((CHECKS + 1))
head -1 "$T/out" | grep -q "^rank,k,lambda,epochs,confidence,ndcg@10_mean,ndcg@10_std," || fail "grid columns: $(head -1 "$T/out")"
run cv "$T/clicks.csv" --objective implicit --lr 0.1
expect_exit 64 "cv: --lr with implicit"
run train "$T/clicks.csv" --objective clicks -m "$T/x.model"
expect_exit 64 "an unknown objective"
[ ! -e "$T/x.model" ] || fail "a refused command wrote a model"

finish
