#!/usr/bin/env bash
# Warm start (issue 16, CLI.md "New users and new data"): train RATINGS
# --init MODEL starts from MODEL's factors; its settings are the defaults and
# a flag given overrides; users it knows that RATINGS does not mention keep
# their predictions; rated items are united (recommend leaves out both
# days'); titles carry over; another k, objective or bias is exit 64; the
# same seed gives the same bytes for any --threads.
. "$(dirname "$0")/lib.sh"

field() { grep "^$1," "$T/out" | cut -d, -f2; }
expect_field() {  # NAME VALUE DESCRIPTION: of the `info -f csv` in $T/out
  CHECKS=$((CHECKS + 1))
  [ "$(field "$1")" = "$2" ] || fail "$3: $1 is '$(field "$1")', want '$2'"
}
pair() {  # MODEL USER ITEM: the prediction for one pair
  printf '%s,%s\n' "$2" "$3" | "$MFREC" predict -m "$1" --pairs - --no-header -f csv | tail -1 | cut -d, -f3
}

# Day 1: the seed's example (Ripley rated all but Hedwig's Theme), with
# titles. Day 2: Ripley rates a new song, a new user arrives; Hermione and
# the others rate nothing.
printf 'id,title\nFirework,Firework (2010)\n' >"$T/titles.csv"
run train data/music.csv -m "$T/day1.model" -k 4 --lambda 0.07 -e 30 --item-names "$T/titles.csv"
expect_exit 0 "train day 1"
cat >"$T/day2.csv" <<'EOF'
user,item,rating
Ripley,New Song,4
Newbie,Firework,5
Newbie,New Song,2
EOF

run train "$T/day2.csv" --init "$T/day1.model" -e 5 -m "$T/day2.model" --threads 1
expect_exit 0 "train --init"
expect_err_contains "starting from $T/day1.model (k = 4): it knows 1 of the 2 users and 1 of the 2 items read; it has 4 users and 12 items" "warm start logged"
run info -m "$T/day2.model" -f csv
expect_field users 5 "every user known"
expect_field items 13 "every item known"
expect_field k 4 "k from the model"
expect_field lambda 0.07 "lambda from the model"
expect_field epochs 5 "-e given"

# Neither Hermione nor Clair de Lune is in day 2: their prediction is day
# 1's, bit for bit (Firework, rated today, has moved).
CHECKS=$((CHECKS + 1))
[ "$(pair "$T/day1.model" Hermione "Clair de Lune")" = "$(pair "$T/day2.model" Hermione "Clair de Lune")" ] ||
  fail "Hermione's prediction changed: $(pair "$T/day1.model" Hermione "Clair de Lune") -> $(pair "$T/day2.model" Hermione "Clair de Lune")"
CHECKS=$((CHECKS + 1))
[ "$(pair "$T/day1.model" Hermione Firework)" != "$(pair "$T/day2.model" Hermione Firework)" ] ||
  fail "Firework did not train"

# Ripley has rated every item of both days but Hedwig's Theme.
run recommend -m "$T/day2.model" --user Ripley --top 20 -f csv
expect_exit 0 "recommend after a warm start"
CHECKS=$((CHECKS + 1))
[ "$(tail -n +2 "$T/out" | cut -d, -f3)" = "Hedwig’s Theme" ] || fail "rated items not united: $(cat "$T/out")"
CHECKS=$((CHECKS + 1))
grep -q '^Newbie,1,' <(run recommend -m "$T/day2.model" --user Newbie -f csv; cat "$T/out") || fail "new user not recommended for"

# The ratings given are kept too: --explain names day 1's.
run recommend -m "$T/day2.model" --user Hermione --explain --top 12 -f csv
CHECKS=$((CHECKS + 1))
grep -qE ',(Clair de Lune|Hedwig’s Theme|Bohemian Rhapsody|Firework \(2010\)) \(5\)$' "$T/out" ||
  fail "day 1's ratings lost for --explain: $(cat "$T/out")"

# Titles carry over; the new item has none.
run predict -m "$T/day2.model" --user Newbie --long -f csv
CHECKS=$((CHECKS + 1))
grep -q '^Newbie,Firework,Firework (2010),' "$T/out" && grep -q '^Newbie,New Song,,' "$T/out" ||
  fail "titles not carried: $(cat "$T/out")"

# A flag given overrides the model's setting.
run train "$T/day2.csv" --init "$T/day1.model" -e 2 --lambda 0.09 -m "$T/over.model" -q
expect_exit 0 "--lambda over --init"
run info -m "$T/over.model" -f csv
expect_field lambda 0.09 "--lambda given"

# --replay trains on day 1's kept ratings too (39 + 3, Ripley's new song
# among them once).
run train "$T/day2.csv" --init "$T/day1.model" --replay -e 2 -m "$T/replay.model"
expect_exit 0 "--replay"
expect_err_contains "trained 2 epochs on 42 ratings" "day 1's ratings replayed"
run train "$T/day2.csv" --replay -m "$T/bad.model"
expect_exit 64 "--replay without --init"

# Same seed, same bytes, for any --threads.
run train "$T/day2.csv" --init "$T/day1.model" -e 5 -m "$T/day2-t2.model" --threads 2 -q
CHECKS=$((CHECKS + 1))
cmp -s "$T/day2.model" "$T/day2-t2.model" || fail "--threads 1 and 2 give different models"

# What a warm start cannot continue: exit 64, one line naming both sides.
run train "$T/day2.csv" --init "$T/day1.model" -k 8 -m "$T/bad.model"
expect_exit 64 "another k"
expect_err_contains "the --init model has k = 4 but training asks for k = 8" "both k named"
run train "$T/day2.csv" --init "$T/day1.model" --no-bias -m "$T/bad.model"
expect_exit 64 "--no-bias on a model with biases"
run train "$T/day2.csv" --init "$T/day1.model" --objective implicit -m "$T/bad.model"
expect_exit 64 "--objective implicit on a rating model"
expect_err_contains "learned --objective rating, not implicit" "objectives named"
CHECKS=$((CHECKS + 1))
[ ! -e "$T/bad.model" ] || fail "a refused warm start wrote a model"
run train "$T/day2.csv" --init "$T/missing.model" -m "$T/bad.model"
expect_exit 66 "--init of a missing file"

# Implicit: the model's objective comes with it; another one is refused.
run train data/music.csv --objective implicit -k 4 -e 3 -m "$T/implicit.model" -q
run train "$T/day2.csv" --init "$T/implicit.model" -e 2 -m "$T/implicit2.model"
expect_exit 0 "implicit warm start"
expect_err_contains "trained 2 ALS iterations" "implicit objective inherited"
run train "$T/day2.csv" --init "$T/implicit.model" --replay -m "$T/bad.model"
expect_exit 64 "--replay of an implicit model"
expect_err_contains "kept no ratings to replay" "why not said"
run info -m "$T/implicit2.model" -f csv
expect_field users 5 "implicit: every user known"
run train "$T/day2.csv" --init "$T/implicit.model" --objective rating -m "$T/bad.model"
expect_exit 64 "--objective rating on an implicit model"
expect_err_contains "learned --objective implicit, not rating" "objectives named"

finish
