#!/usr/bin/env bash
# Exit codes and messages of `mfrec train` for bad input, and that a failed
# train leaves an existing model untouched and no temporary file behind.
. "$(dirname "$0")/lib.sh"

printf 'user,item,rating\nann,x,5\nbob,y,abc\n' >"$T/bad.csv"
run train "$T/bad.csv" -m "$T/m.model"
expect_exit 65 "non-numeric rating"
expect_err_contains "bad.csv:3:7" "non-numeric rating location"
expect_err_contains "'abc'" "non-numeric rating text"

printf 'user,item,rating\nann,x,5\nbob,y,4\nann,x,3\n' >"$T/dup.csv"
run train "$T/dup.csv" -m "$T/m.model"
expect_exit 65 "duplicate pair"
expect_err_contains "lines 2 and 4" "duplicate pair names both lines"

printf 'User,A,B,C,D\nann,1,2,3,4\nbob,1,2,3\n' >"$T/ragged.csv"
run train "$T/ragged.csv" -m "$T/m.model"
expect_exit 65 "ragged wide row"
expect_err_contains "ragged.csv:3" "ragged row location"

: >"$T/empty.csv"
run train "$T/empty.csv" -m "$T/m.model"
expect_exit 65 "empty file"

run train "$T/does-not-exist.csv" -m "$T/m.model"
expect_exit 66 "missing ratings file"
expect_err_contains "does-not-exist.csv" "missing file named"

run train "$T" -m "$T/m.model"
expect_exit 66 "a directory as the ratings file"

run train data/music.csv --bogus-flag
expect_exit 64 "unknown flag"
run train data/music.csv -k 0
expect_exit 64 "-k 0"
run train data/music.csv --lr -1
expect_exit 64 "negative --lr"
run train data/music.csv --lambda -0.5
expect_exit 64 "negative --lambda"
run train data/music.csv --epochs 0
expect_exit 64 "--epochs 0"
run train data/music.csv --order random
expect_exit 64 "unknown --order"
run train data/music.csv --layout diagonal
expect_exit 64 "unknown --layout"
run train data/music.csv --delimiter '#'
expect_exit 64 "unknown --delimiter"
run train data/music.csv --early-stop 3 -m "$T/m.model"
expect_exit 64 "--early-stop without --validation"
run train
expect_exit 64 "no RATINGS argument"
run frobnicate
expect_exit 64 "unknown command"
# `mfrec` alone prints the overview (exit 0): tests/cli/test_help.sh.

run train data/music.csv -m "$T/no/such/dir/m.model"
expect_exit 73 "model in a missing directory"

# A failed train leaves the existing model byte for byte, and no temp files.
run train data/music.csv -m "$T/keep.model" -q
expect_exit 0 "train music.csv"
cp "$T/keep.model" "$T/keep.orig"
run train "$T/bad.csv" -m "$T/keep.model"
expect_exit 65 "bad data over an existing model"
CHECKS=$((CHECKS + 1))
cmp -s "$T/keep.model" "$T/keep.orig" || fail "a failed train changed the existing model"
run train data/music.csv -m "$T/keep.model" --lr 50 -e 5 -q
expect_exit 65 "diverging training"
expect_err_contains "--lr" "divergence hint"
CHECKS=$((CHECKS + 1))
cmp -s "$T/keep.model" "$T/keep.orig" || fail "a diverged train changed the existing model"
CHECKS=$((CHECKS + 1))
leftover=$(find "$T" -name '.*tmp*' | head -n 1)
[ -z "$leftover" ] || fail "temporary file left behind: $leftover"

run --help
expect_exit 0 "--help"
run --version
expect_exit 0 "--version"
run train --help
expect_exit 0 "train --help"
CHECKS=$((CHECKS + 1))
grep -q -- "--factors" "$T/out" || fail "train --help does not list --factors"

finish
