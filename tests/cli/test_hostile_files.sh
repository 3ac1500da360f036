#!/usr/bin/env bash
# Hostile files given to the binary: each fails with the documented exit code
# and one "mfrec: error:" line that says what and where, or is accepted as
# ordinary input (a FIFO with a writer). tests/test_hostile_inputs.cpp checks
# the same cases, and more, at the library level.
. "$(dirname "$0")/lib.sh"

build_model() {
  "$MFREC" train data/music.csv -k 2 -e 3 -q -m "$T/good.model" || fail "training the reference model"
}
build_model

# --- ratings ----------------------------------------------------------------
cp "$T/good.model" "$T/binary.csv"
run train "$T/binary.csv" -m "$T/m.model"
expect_exit 65 "a binary file as ratings"
expect_err_contains "NUL byte in text input (is this a binary file?) ($T/binary.csv:1:10)" "binary file place"

run train /dev/null -m "$T/m.model"
expect_exit 65 "/dev/null as ratings"
expect_err_contains "empty file: no rows (/dev/null)" "/dev/null message"

python3 -c 'import sys; sys.stdout.write("x" * 10000000)' >"$T/line.csv"
run train "$T/line.csv" -m "$T/m.model"
expect_exit 65 "a 10 MB single line"
expect_err_contains "header row but no ratings ($T/line.csv:1)" "10 MB line message"

printf 'user,item,rating\nann,x,4\nbob,y,1e999\n' >"$T/huge.csv"
run train "$T/huge.csv" -m "$T/m.model"
expect_exit 65 "1e999"
expect_err_contains "rating '1e999' is not a finite number ($T/huge.csv:3:7)" "1e999 message"

printf 'user,item,rating\nann,x,4\n"bob,y,3' >"$T/cut.csv"
run train "$T/cut.csv" -m "$T/m.model"
expect_exit 65 "a file that ends mid-quote"
expect_err_contains "unterminated quoted field" "mid-quote message"
expect_err_contains "cut.csv:3:1" "mid-quote place"

mkfifo "$T/ratings.fifo"
printf 'user,item,rating\nann,x,4\nann,y,2\nbob,x,5\n' >"$T/ratings.fifo" &
run train "$T/ratings.fifo" -k 2 -e 2 -q -m "$T/fifo.model"
wait
expect_exit 0 "a FIFO with a writer as ratings"
[ -s "$T/fifo.model" ] || fail "no model trained from a FIFO"
rm -f "$T/fifo.model" "$T/m.model"

# --- models -----------------------------------------------------------------
mkfifo "$T/model.fifo"
RC=0
timeout 20 "$MFREC" info -m "$T/model.fifo" >"$T/out" 2>"$T/err" </dev/null || RC=$?
expect_exit 66 "a FIFO with no writer as the model (must not hang)"
expect_err_contains "not a regular file" "FIFO model message"

run info -m /dev/null
expect_exit 66 "/dev/null as the model"
run info -m "$T"
expect_exit 66 "a directory as the model"

run info -m data/music.csv
expect_exit 65 "a text file as the model"
expect_err_contains "data/music.csv is not an mfrec model file (no MFRECMDL signature)" "text model message"

head -c 100 "$T/good.model" >"$T/cut.model"
run info -m "$T/cut.model"
expect_exit 65 "a truncated model"
expect_err_contains "truncated: the file is shorter than its header says" "truncated model message"

python3 - "$T/good.model" "$T/newer.model" "$T/flipped.model" <<'PY'
import struct, sys
b = bytearray(open(sys.argv[1], 'rb').read())
newer = bytearray(b); newer[8:12] = struct.pack('<I', struct.unpack('<I', b[8:12])[0] + 1)
open(sys.argv[2], 'wb').write(newer)
b[len(b) // 2] ^= 0xFF
open(sys.argv[3], 'wb').write(b)
PY
run info -m "$T/newer.model"
expect_exit 65 "a newer model format"
expect_err_contains "upgrade mfrec" "newer model message"
run recommend --user Hermione -m "$T/flipped.model"
expect_exit 65 "a model with a flipped byte"
expect_err_contains "checksum mismatch" "flipped byte message"

# --- pairs ------------------------------------------------------------------
printf 'user,item\nHermione,"Back in Black\n' >"$T/pairs.csv"
run predict --pairs "$T/pairs.csv" -m "$T/good.model" -f csv
expect_exit 65 "pairs that end mid-quote"
expect_err_contains "pairs.csv:2:10" "pairs mid-quote place"
run predict --pairs "$T/good.model" -m "$T/good.model" -f csv
expect_exit 65 "a binary file as pairs"
expect_err_contains "NUL byte" "binary pairs message"
run predict --pairs /dev/null -m "$T/good.model" -f csv
expect_exit 0 "/dev/null as pairs: no rows"

finish
