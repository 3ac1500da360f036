#!/usr/bin/env bash
# mfrec tune on the seed's music.csv: its setting,value rows, the same bytes
# on a rerun and for any --threads, a best score that a hand `cv` with the
# printed flags gives again, fixed flags kept out of the search, -m writing
# a model `info` reads, SIGINT writing nothing, and cv's exit codes for bad
# flags.
source "$(dirname "$0")/lib.sh" "$1"

M=data/music.csv
TUNE=(tune "$M" --folds 3 --trials 9)

# expect_out_line LINE DESCRIPTION: stdout has this whole line.
expect_out_line() {
  CHECKS=$((CHECKS + 1))
  grep -qxF -- "$1" "$T/out" || fail "$2: no line '$1' in: $(head -c 400 "$T/out")"
}
# value NAME: the value of row NAME in $T/out.
value() { sed -n "s/^$1,//p" "$T/out"; }

# --- the rows -------------------------------------------------------------
run "${TUNE[@]}" -q
expect_exit 0 "tune"
CHECKS=$((CHECKS + 1))
[ "$(cut -d, -f1 "$T/out" | tr '\n' ' ')" = "setting k lambda lr epochs cv_rmse flags " ] ||
  fail "tune rows: $(cat "$T/out")"
[ -s "$T/err" ] && fail "tune -q: stderr not empty: $(cat "$T/err")"
expect_out_line "flags,-k $(value k) --lambda $(value lambda) --lr $(value lr) -e $(value epochs)" "the flags row"
cp "$T/out" "$T/first"
flags=$(value flags)
cv_rmse=$(value cv_rmse)

# --- reproducible: a rerun and another thread count give the same bytes ----
for threads in 1 2; do
  run "${TUNE[@]}" -q --threads "$threads"
  CHECKS=$((CHECKS + 1))
  cmp -s "$T/out" "$T/first" || fail "tune --threads $threads differs from the first run"
done

# --- the best score is a hand cv of the printed flags ----------------------
# shellcheck disable=SC2086  # the flags are words
run cv "$M" --folds 3 -q $flags
expect_exit 0 "cv with the printed flags"
CHECKS=$((CHECKS + 1))
[ "$(grep '^mean,' "$T/out" | cut -d, -f2)" = "$cv_rmse" ] ||
  fail "cv with '$flags' gives $(grep '^mean,' "$T/out" | cut -d, -f2), tune said $cv_rmse"

# --- progress: one line per trial and rung on stderr -----------------------
run "${TUNE[@]}"
expect_exit 0 "tune with progress"
# The rungs of 9 trials up to the default epochs E: E/9, E/3, E (rounded).
E=$("$MFREC" train --help | sed -n 's/.*-e,--epochs UINT=\([0-9]*\).*/\1/p')
e0=$(( (2 * E + 9) / 18 )); e1=$(( (2 * E + 3) / 6 ))
expect_err_contains "[rung 1/3, $e0 epochs] trial 9/9  k=" "a trial's line"
expect_err_contains "rung 1/3 done, best: trial " "a rung's line"
expect_err_contains "3 of 9 go on to $e1 epochs" "the halving"
expect_err_contains "[rung 3/3, $E epochs] your setting  k=128 lambda=" "the defaults in the last rung"
CHECKS=$((CHECKS + 1))
[ "$(grep -c '^\[rung' "$T/err")" = $((9 + 3 + 1 + 1)) ] || fail "not 9 + 3 + 1 trials and yours: $(cat "$T/err")"

# --- flags given are fixed: never searched, never printed ------------------
run "${TUNE[@]}" -q -k 8 -e 12 --no-bias
expect_exit 0 "tune with fixed flags"
CHECKS=$((CHECKS + 1))
[ "$(cut -d, -f1 "$T/out" | tr '\n' ' ')" = "setting lambda lr cv_rmse flags " ] ||
  fail "fixed flags still searched: $(cat "$T/out")"

# --- -m: the best setting trained on everything, a model info reads --------
run "${TUNE[@]}" -m "$T/best.model"
expect_exit 0 "tune -m"
expect_err_contains "trained the best setting on 39 ratings and wrote $T/best.model" "the model's line"
CHECKS=$((CHECKS + 1))
cmp -s "$T/out" "$T/first" || fail "tune -m printed other rows"
run info -m "$T/best.model"
expect_exit 0 "info on the tuned model"
expect_out_line "k,$(grep '^k,' "$T/first" | cut -d, -f2)" "the model's k"
expect_out_line "epochs,$(grep '^epochs,' "$T/first" | cut -d, -f2)" "the model's epochs"

# --- -f json, implicit -----------------------------------------------------
run "${TUNE[@]}" -q -f json
expect_exit 0 "tune -f json"
expect_out_line '  {"setting":"cv_rmse","value":'"$cv_rmse"'},' "json cv_rmse"
run tune "$M" --folds 2 --trials 3 -q --objective implicit
expect_exit 0 "tune --objective implicit"
CHECKS=$((CHECKS + 1))
[ "$(cut -d, -f1 "$T/out" | tr '\n' ' ')" = "setting k lambda epochs confidence cv_ndcg@10 flags " ] ||
  fail "implicit rows: $(cat "$T/out")"

# --- SIGINT: the search stops after its current fold, nothing written ------
# Signalled once the first trial's line shows on stderr (a FIFO: no sleeps).
rm -f "$T/fifo" "$T/int.model"
mkfifo "$T/fifo"
"$MFREC" tune "$M" --folds 2 --trials 3 -e 300000 --tol 0 -m "$T/int.model" 2>"$T/fifo" >/dev/null </dev/null &
pid=$!
exec 3<"$T/fifo"
while IFS= read -r line <&3; do
  case "$line" in "[rung 1/2"*) kill -INT "$pid"; break ;; esac
done
cat <&3 >"$T/err"
exec 3<&-
RC=0
{ wait "$pid"; } 2>/dev/null || RC=$?
expect_exit 130 "SIGINT during tune"
expect_err_contains "tune interrupted; nothing written" "SIGINT message"
CHECKS=$((CHECKS + 1))
[ -z "$(find "$T" -name '*int.model*' | head -n 1)" ] || fail "an interrupted tune left a model file"

# --- errors as cv's --------------------------------------------------------
run "${TUNE[@]}" --trials 0
expect_exit 64 "--trials 0"
expect_err_contains "--trials must be >= 1" "--trials 0 message"
run tune "$M" --folds 1
expect_exit 64 "--folds 1"
expect_err_contains "--folds must be >= 2" "--folds 1 message"
run tune "$M" --objective implicit --lr 0.01
expect_exit 64 "--lr with implicit"
run tune "$M" --trails 3
expect_exit 64 "a misspelt flag"
run tune "$M" --folds 2 --trials 3 --lr 100 -q
expect_exit 65 "every trial diverged"
expect_err_contains "training diverged for every setting tune tried" "divergence message"
run tune "$T/missing.csv"
expect_exit 66 "a missing file"
run "${TUNE[@]}" -m "$T/no/such/dir/m.model"
expect_exit 73 "a model that cannot be created"
CHECKS=$((CHECKS + 1))
[ -s "$T/out" ] && fail "a failed tune printed rows"

# The flags row carries the flags the command was given, so that pasting it
# trains what was tuned (an SGD setting without biases stays one).
run tune "$M" --folds 2 --trials 3 -q -f csv --optimizer sgd --no-bias --threads 1
expect_exit 0 "tune with fixed flags"
CHECKS=$((CHECKS + 1))
grep -q '^flags,--optimizer sgd --no-bias -k ' "$T/out" || fail "the flags row lacks the given flags: $(cat "$T/out")"
run train "$M" -m "$T/x.model" --optimizer sgd --lambda-row 2
expect_exit 64 "--lambda-row with --optimizer sgd"
expect_err_contains "--lambda-row has no effect with --optimizer sgd" "its message"

finish
