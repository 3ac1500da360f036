#!/usr/bin/env bash
# Issue 14: `mfrec train` reads the long layout in pieces of 4 MiB on
# --threads threads. A file of three pieces gives the same read line and the
# same model bytes for --threads 1, 2 and 8, from a file, stdin and a FIFO;
# with bad rows in its second and third pieces, the same one-line error (the
# first bad row's) and exit 65.
. "$(dirname "$0")/lib.sh"

# 600,000 rows, 8.9 MB; 1499 and 2999 are prime, so every pair is new while
# every piece holds both new names and names met in earlier pieces.
awk 'BEGIN { print "user,item,rating"
             for (k = 0; k < 600000; k++) printf "u%d,i%d,%d.5\n", k % 1499, k % 2999, 1 + k % 5 }' >"$T/big.csv"
# Line 300,001 (the second piece) and line 500,001 (the third) spoilt.
awk 'NR == 300001 { print "u1,i1,abc"; next } NR == 500001 { print "u2,i2"; next } { print }' "$T/big.csv" >"$T/bad.csv"
mkfifo "$T/fifo"

# train_from SOURCE FILE THREADS: trains on FILE given as a path (file),
# through a pipe on stdin (stdin) or through a FIFO (fifo); sets RC, $T/out,
# $T/err.
train_from() {
  local args=(-m "$T/model.$3" -k 2 -e 1 --threads "$3")
  RC=0
  case $1 in
    file) "$MFREC" train "$2" "${args[@]}" >"$T/out" 2>"$T/err" </dev/null || RC=$? ;;
    stdin) cat "$2" 2>/dev/null | "$MFREC" train - "${args[@]}" >"$T/out" 2>"$T/err" || RC=$? ;;
    fifo)
      cat "$2" >"$T/fifo" 2>/dev/null &
      "$MFREC" train "$T/fifo" "${args[@]}" >"$T/out" 2>"$T/err" </dev/null || RC=$?
      # A reader that stopped early leaves cat blocked: open the FIFO to let it fail.
      : <>"$T/fifo"
      wait
      ;;
  esac
}

# The read line without its time, then the error line (if any).
read_lines() { grep -E '^mfrec: (read|error)' "$T/err" | sed 's/, [0-9.]* s$//'; }

for source in file stdin fifo; do
  for threads in 1 2 8; do
    train_from "$source" "$T/big.csv" "$threads"
    expect_exit 0 "$source, --threads $threads"
    read_lines >"$T/read.$threads"
    train_from "$source" "$T/bad.csv" "$threads"
    expect_exit 65 "bad rows, $source, --threads $threads"
    cp "$T/err" "$T/error.$threads"
  done
  name=$T/big.csv
  [ "$source" = stdin ] && name='<stdin>'
  [ "$source" = fifo ] && name=$T/fifo
  CHECKS=$((CHECKS + 1))
  [ "$(cat "$T/read.1")" = "mfrec: read 600000 ratings (1499 users, 2999 items) from $name: long layout, comma separated, header row, user = column 1 (user), item = column 2 (item), rating = column 3 (rating)" ] ||
    fail "$source: read line '$(cat "$T/read.1")'"
  bad=$T/bad.csv
  [ "$source" = file ] || bad=$name
  CHECKS=$((CHECKS + 1))
  [ "$(cat "$T/error.1")" = "mfrec: error: rating 'abc' is not a finite number ($bad:300001:7)" ] ||
    fail "$source: error '$(cat "$T/error.1")'"
  for threads in 2 8; do
    CHECKS=$((CHECKS + 1))
    cmp -s "$T/model.1" "$T/model.$threads" || fail "$source: the model of --threads $threads differs from 1's"
    cmp -s "$T/read.1" "$T/read.$threads" || fail "$source, --threads $threads: read '$(cat "$T/read.$threads")'"
    cmp -s "$T/error.1" "$T/error.$threads" || fail "$source, --threads $threads: error '$(cat "$T/error.$threads")'"
  done
done

finish
