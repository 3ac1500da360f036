#!/usr/bin/env bash
# What `mfrec train` and `predict --pairs` decide about a file's first row, and
# the hints for what spreadsheets and other tools write: no row is dropped
# without a word, and every refusal says what was seen and what to do.
. "$(dirname "$0")/lib.sh"

# expect_read_line TEXT DESCRIPTION: the `mfrec: read …` line, its time cut.
expect_read_line() {
  CHECKS=$((CHECKS + 1))
  local got
  got=$(grep '^mfrec: read ' "$T/err" | sed 's/, [0-9.]* s$//')
  [ "$got" = "$1" ] || fail "$2: read line is '$got', want '$1'"
}

# expect_err_line TEXT DESCRIPTION: stderr is exactly this one line.
expect_err_line() {
  CHECKS=$((CHECKS + 1))
  [ "$(cat "$T/err")" = "$1" ] || fail "$2: stderr is '$(cat "$T/err")', want '$1'"
}

# Bug 1: a long file without a header lost its first rating.
printf 'ann,x,4\nann,y,2\nbob,x,5\nbob,z,1\ncid,y,3\ncid,z,4\n' >"$T/six.csv"
RC=0
"$MFREC" train - -m "$T/six.model" -e 2 <"$T/six.csv" >"$T/out" 2>"$T/err" || RC=$?
expect_exit 0 "headerless long file from stdin"
expect_read_line "mfrec: read 6 ratings (3 users, 3 items) from <stdin>: long layout, comma separated, no header row, user = column 1, item = column 2, rating = column 3" \
  "headerless long file"

# ... and MovieLens without its header line under --layout long.
awk 'BEGIN { for (i = 0; i < 1000; i++) printf "%d,%d,%s,1260759144\n", 1 + int(i / 100), 10 + i, (i % 2 ? "3.5" : "4") }' >"$T/ml.csv"
run train "$T/ml.csv" --layout long -m "$T/ml.model" -e 1
expect_exit 0 "MovieLens without its header"
expect_read_line "mfrec: read 1000 ratings (10 users, 1000 items) from $T/ml.csv: long layout, comma separated, no header row, user = column 1, item = column 2, rating = column 3" \
  "MovieLens without its header"

# A header is named in the line, with the columns it gave.
printf 'timestamp,movieId,userId,rating\n1,Alien,ann,4\n2,Heat,bob,3\n' >"$T/named.csv"
run train "$T/named.csv" -m "$T/n.model" -e 1
expect_read_line "mfrec: read 2 ratings (2 users, 2 items) from $T/named.csv: long layout, comma separated, header row, user = column 3 (userId), item = column 2 (movieId), rating = column 4 (rating)" \
  "recognised header"
run train data/music.csv -m "$T/music.model" -e 5
expect_read_line "mfrec: read 39 ratings (4 users, 12 items) from data/music.csv: wide layout, comma separated, header row, user = column 1 (User), items = columns 2-13 (named by the header)" \
  "wide file"

# --header forces the first row to be a header; with --no-header, exit 64.
run train "$T/six.csv" --header -m "$T/h.model" -e 1
expect_read_line "mfrec: read 5 ratings (3 users, 3 items) from $T/six.csv: long layout, comma separated, header row, user = column 1 (ann), item = column 2 (x), rating = column 3 (4)" \
  "--header"
run train "$T/six.csv" --header --no-header -m "$T/h.model"
expect_exit 64 "--header with --no-header"

# Bug 1 for pairs: a first row of known names is a pair.
RC=0
printf 'Hermione,Back in Black\nSpock,Firework\n' |
  "$MFREC" predict -m "$T/music.model" --pairs - -f csv >"$T/out" 2>"$T/err" || RC=$?
expect_exit 0 "headerless pairs"
CHECKS=$((CHECKS + 1))
[ "$(cut -d, -f1,2 "$T/out" | tr '\n' '|')" = "user,item|Hermione,Back in Black|Spock,Firework|" ] ||
  fail "headerless pairs: $(cat "$T/out")"
[ -s "$T/err" ] && fail "headerless pairs: stderr '$(cat "$T/err")'"
# A first row of names the model does not know is a header, with a note.
RC=0
printf 'who,what\nSpock,Firework\n' |
  "$MFREC" predict -m "$T/music.model" --pairs - -f csv >"$T/out" 2>"$T/err" || RC=$?
expect_exit 0 "pairs with an unnamed header"
expect_err_line "mfrec: note: the first row of <stdin> was read as a header (no name in it is in the model); give --no-header to read it as a pair" \
  "pairs header note"
CHECKS=$((CHECKS + 1))
[ "$(wc -l <"$T/out")" = 2 ] || fail "pairs with an unnamed header: $(cat "$T/out")"

# Decimal commas, as a spreadsheet in a comma-decimal locale exports them.
printf 'user;item;rating\nann;x;2,5\n' >"$T/comma.csv"
run train "$T/comma.csv" -m "$T/x.model"
expect_exit 65 "decimal comma"
expect_err_line "mfrec: error: rating '2,5' is not a finite number (decimal comma? write 2.5: export the file with '.' as the decimal separator) ($T/comma.csv:2:7)" \
  "decimal comma"

# "Not rated" marks in a wide file, then --missing with a list.
printf 'user,A,B,C,D\nann,NA,3,1,2\nbob,4,N/A,-,3\n' >"$T/na.csv"
run train "$T/na.csv" -m "$T/x.model"
expect_exit 65 "NA in a wide file"
expect_err_line "mfrec: error: rating 'NA' is not a finite number (a \"not rated\" mark? give --missing 0,NA) ($T/na.csv:2:5)" \
  "NA in a wide file"
run train "$T/na.csv" -m "$T/x.model" --missing 0,NA,N/A,- -e 1
expect_exit 0 "--missing 0,NA,N/A,-"
expect_read_line "mfrec: read 5 ratings (2 users, 4 items) from $T/na.csv: wide layout, comma separated, header row, user = column 1 (user), items = columns 2-5 (named by the header)" \
  "--missing list"

# A wide file without a header row.
printf 'ann,4,0,3,5\nbob,1,2,3,4\n' >"$T/nohead.csv"
run train "$T/nohead.csv" -m "$T/x.model"
expect_exit 65 "wide file without a header row"
expect_err_line "mfrec: error: the first row (ann,4,0,3,…) holds numbers where a wide file's header names the items: a file without a header row? give --no-header (items are then numbered by column), --layout long if each row is one rating, or --header if these are item ids ($T/nohead.csv:1:5)" \
  "wide file without a header row"
run train "$T/nohead.csv" -m "$T/x.model" --no-header -e 1
expect_exit 0 "wide file without a header row, --no-header"

# Excel's trailing empty column: read, with a note.
printf 'User,A,B,C,\r\nann,1,2,3,\r\nbob,4,,5,\r\n' >"$T/excel.csv"
run train "$T/excel.csv" -m "$T/x.model" -e 1
expect_exit 0 "trailing empty column"
expect_err_contains "mfrec: note: column 5 has no name in the header and no value in any row (a trailing delimiter, as spreadsheets export): ignored" \
  "trailing empty column note"
run train "$T/excel.csv" -m "$T/x.model" -e 1 -q
CHECKS=$((CHECKS + 1))
[ -s "$T/err" ] && fail "-q still prints: $(cat "$T/err")"

# One column: the separators tried; '|' is one of them now.
printf 'user:item:rating\nann:x:4\n' >"$T/colon.csv"
run train "$T/colon.csv" -m "$T/x.model"
expect_exit 65 "one column"
expect_err_line "mfrec: error: row has 1 field, need at least 3 (user, item, rating); only one column found: tried comma, tab, semicolon, pipe and space as separators (give --delimiter if the file uses another) ($T/colon.csv:2)" \
  "one column"
printf 'user|item|rating\nann|x|4\nbob|y|3\n' >"$T/pipe.csv"
run train "$T/pipe.csv" -m "$T/x.model" -e 1
expect_read_line "mfrec: read 2 ratings (2 users, 2 items) from $T/pipe.csv: long layout, pipe separated, header row, user = column 1 (user), item = column 2 (item), rating = column 3 (rating)" \
  "pipe sniffed"
for d in '|' pipe; do
  run train "$T/pipe.csv" -m "$T/x.model" -e 1 --delimiter "$d"
  expect_exit 0 "--delimiter $d"
done

finish
