#!/usr/bin/env bash
# mfrec split: the parts of a long and a wide file, stdin, --by-user, train
# and evaluate on the parts, exit codes and messages of bad input, and that
# a failed or interrupted split leaves no file and no temporary file behind.
. "$(dirname "$0")/lib.sh"

check() {  # check CONDITION-COMMAND... DESCRIPTION (the last argument)
  CHECKS=$((CHECKS + 1))
  local what=${*: -1}
  "${@:1:$#-1}" || fail "$what"
}
no_temporaries() { ! ls -a "$T" | grep -q '\.tmp-'; }
differ() { ! cmp -s "$1" "$2"; }

# Long: header in both, every data line in exactly one part, round(0.25 x 210) in test.
{ echo "userId,movieId,rating,timestamp"; for u in $(seq 1 20); do for i in $(seq 1 $u); do echo "$u,$((i * 3)),$((i % 5 + 1)).0,$((1000 + u * i))"; done; done; } >"$T/long.csv"
run split "$T/long.csv" --test 0.25 -o "$T/train.csv" --test-output "$T/test.csv"
expect_exit 0 "split a long file"
expect_err_contains "mfrec: split 210 ratings: 157 to $T/train.csv, 53 to $T/test.csv" "the counts on stderr"
check [ "$(head -1 "$T/train.csv")" = "userId,movieId,rating,timestamp" ] "header in train"
check [ "$(head -1 "$T/test.csv")" = "userId,movieId,rating,timestamp" ] "header in test"
check cmp -s <(tail -n +2 "$T/long.csv" | sort) <(tail -q -n +2 "$T/train.csv" "$T/test.csv" | sort) "the parts are the input's lines"

# Same seed, same bytes; --threads changes nothing; another seed, another split.
run split "$T/long.csv" --test 0.25 -o "$T/train2.csv" --test-output "$T/test2.csv" --threads 1 -q
expect_exit 0 "split again, one thread"
check [ ! -s "$T/err" ] "-q prints nothing"
check cmp -s "$T/test.csv" "$T/test2.csv" "same seed, same test part"
run split "$T/long.csv" --test 0.25 --seed 7 -o "$T/train3.csv" --test-output "$T/test3.csv"
check differ "$T/test.csv" "$T/test3.csv" "another seed, another test part"

# stdin: the same parts as the file.
RC=0
"$MFREC" split - --test 0.25 -o "$T/train4.csv" --test-output "$T/test4.csv" <"$T/long.csv" 2>"$T/err" || RC=$?
expect_exit 0 "split stdin"
check cmp -s "$T/test.csv" "$T/test4.csv" "stdin gives the file's split"
expect_err_contains "to $T/train4.csv" "stdin counts"

# --by-user: user 1's only rating stays in train; user 20 has 5 of 20 in test.
run split "$T/long.csv" --test 0.25 --by-user -o "$T/utrain.csv" --test-output "$T/utest.csv"
expect_exit 0 "split --by-user"
check grep -q '^1,3,' "$T/utrain.csv" "a user's only rating stays in train"
check [ "$(grep -c '^20,' "$T/utest.csv")" = 5 ] "round(0.25 x 20) of user 20's ratings in test"

# Wide, tab-separated, no header: the matrix in both parts, cells as text.
printf 'ann\t5\t0\t3\nbob\t0\t4\t2.5\ncy\t1\t1\t0\n' >"$T/wide.tsv"
run split "$T/wide.tsv" --test 0.3 --layout wide --no-header -o "$T/wtrain.tsv" --test-output "$T/wtest.tsv"
expect_exit 0 "split a wide file"
expect_err_contains "split 6 ratings: 4 to" "wide counts cells"
check [ "$(cut -f1 "$T/wtrain.tsv" | tr '\n' ' ')" = "ann bob cy " ] "wide train keeps the rows"
check [ "$(tr -cd '\t' <"$T/wtest.tsv" | wc -c)" = 9 ] "wide test keeps the columns"

# The parts of music.csv train and evaluate.
run split data/music.csv --test 0.2 -o "$T/mtrain.csv" --test-output "$T/mtest.csv"
expect_exit 0 "split music.csv"
run train "$T/mtrain.csv" -m "$T/m.model" -q -e 20
expect_exit 0 "train on the training part"
run evaluate "$T/mtest.csv" -m "$T/m.model" -f csv -q
expect_exit 0 "evaluate on the test part"
check grep -q '^count,8$' "$T/out" "evaluate counts the 8 held-out ratings"

# Bad input: train's exit codes and messages; nothing written.
echo keep >"$T/kept.csv"
printf 'user,item,rating\nann,x,5\nbob,y,abc\n' >"$T/bad.csv"
run split "$T/bad.csv" --test 0.5 -o "$T/kept.csv" --test-output "$T/t.csv"
expect_exit 65 "bad rating"
expect_err_contains "bad.csv:3:7" "bad rating location"
"$MFREC" train "$T/bad.csv" -m "$T/x.model" 2>"$T/train_err" || true
check cmp -s "$T/err" "$T/train_err" "split's error is train's"
check [ "$(cat "$T/kept.csv")" = keep ] "an existing output survives an error"
check [ ! -e "$T/t.csv" ] "no test part after an error"
check no_temporaries "no temporary file after an error"

run split "$T/missing.csv" --test 0.2 -o "$T/a.csv" --test-output "$T/b.csv"
expect_exit 66 "missing input"
for frac in 0 1 -0.1 1.5 abc; do
  run split "$T/long.csv" --test "$frac" -o "$T/a.csv" --test-output "$T/b.csv"
  expect_exit 64 "--test $frac"
done
run split "$T/long.csv" -o "$T/a.csv" --test-output "$T/b.csv"
expect_exit 64 "no --test"
run split "$T/long.csv" --test 0.2 --test-output "$T/b.csv"
expect_exit 64 "no -o"
run split "$T/long.csv" --test 0.2 -o "$T/a.csv" --test-output "$T/./a.csv"
expect_exit 64 "-o and --test-output the same file"
run split "$T/long.csv" --test 0.2 -o "$T/long.csv" --test-output "$T/b.csv"
expect_exit 64 "-o is the input"
ln -s "$T/long.csv" "$T/link.csv"
run split "$T/long.csv" --test 0.2 -o "$T/a.csv" --test-output "$T/link.csv"
expect_exit 64 "--test-output is a link to the input"
run split "$T/long.csv" --test 0.2 -o "$T/no/such/dir/a.csv" --test-output "$T/b.csv"
expect_exit 73 "output directory missing"
check [ ! -e "$T/b.csv" ] "no test part when the training part cannot be created"
check no_temporaries "no temporary file after a create error"

# SIGINT while waiting for stdin: exit 130, nothing written.
rm -f "$T/fifo" && mkfifo "$T/fifo"
"$MFREC" split - --test 0.2 -o "$T/i.csv" --test-output "$T/j.csv" <"$T/fifo" 2>"$T/err" &
pid=$!
exec 4>"$T/fifo"
echo "user,item,rating" >&4
for _ in $(seq 1 100000); do ls -a "$T" | grep -q '\.j\.csv\.tmp-' && break; done  # both parts created: the handler is in place
kill -INT "$pid"
RC=0
{ wait "$pid"; } 2>/dev/null || RC=$?
exec 4>&-
expect_exit 130 "SIGINT while reading stdin"
expect_err_contains "interrupted" "SIGINT message"
check [ ! -e "$T/i.csv" ] "no training part after SIGINT"
check no_temporaries "no temporary file after SIGINT"

# MovieLens, when present: the parts train and evaluate.
ml=../shared/datasets/ml-latest-small/ratings.csv
if [ -f "$ml" ]; then
  run split "$ml" --test 0.2 -o "$T/mltrain.csv" --test-output "$T/mltest.csv"
  expect_err_contains "split 100,836 ratings: 80,669 to" "ml-latest-small counts"
  run train "$T/mltrain.csv" -m "$T/ml.model" -q
  expect_exit 0 "train on ml-latest-small's training part"
  run evaluate "$T/mltest.csv" -m "$T/ml.model" -f csv -q
  expect_exit 0 "evaluate on ml-latest-small's test part"
  check grep -q '^count,20167$' "$T/out" "evaluate reads 20,167 test ratings"
fi

finish
