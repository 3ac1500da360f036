#!/usr/bin/env bash
# SIGINT/SIGTERM during `mfrec train`: stop at the end of the current block,
# exit 130/143, keep the previous model byte for byte and leave no temporary
# file; --save-on-interrupt saves the model as it is. The signal is sent once
# the first epoch line shows on stderr (read through a FIFO: no sleeps).
. "$(dirname "$0")/lib.sh"

run train data/music.csv -m "$T/m.model" -q -e 3
expect_exit 0 "train the model a failed run must keep"
cp "$T/m.model" "$T/m.orig"

# interrupt SIGNAL EXTRA-FLAGS...: starts a very long training, signals it
# after its first epoch line, sets RC.
interrupt() {
  local sig=$1; shift
  rm -f "$T/fifo"
  mkfifo "$T/fifo"
  "$MFREC" train data/music.csv -m "$T/m.model" -e 1000000 --tol 0 --log-every 1000000 "$@" 2>"$T/fifo" </dev/null &
  local pid=$!
  local line
  # One open read end for the whole run: a FIFO reopened after its writer
  # has exited would block forever.
  exec 3<"$T/fifo"
  while IFS= read -r line <&3; do
    case "$line" in epoch*) kill "-$sig" "$pid"; break ;; esac
  done
  cat <&3 >"$T/err"  # the rest, up to the writer's exit
  exec 3<&-
  RC=0
  { wait "$pid"; } 2>/dev/null || RC=$?
}

interrupt INT
expect_exit 130 "SIGINT during train"
expect_err_contains "interrupted" "SIGINT message"
interrupt TERM
expect_exit 143 "SIGTERM during train"
CHECKS=$((CHECKS + 1))
cmp -s "$T/m.model" "$T/m.orig" || fail "an interrupted train changed the existing model"
CHECKS=$((CHECKS + 1))
leftover=$(find "$T" -name '.*tmp*' | head -n 1)
[ -z "$leftover" ] || fail "temporary file left behind: $leftover"

# SIGKILL cannot be caught: the temporary file may stay, but the model that
# was there is untouched, since only a finished file is renamed into place.
interrupt KILL
CHECKS=$((CHECKS + 1))
[ "$RC" = 137 ] || fail "SIGKILL: exit $RC, want 137"
CHECKS=$((CHECKS + 1))
cmp -s "$T/m.model" "$T/m.orig" || fail "a killed train changed the existing model"

interrupt INT --save-on-interrupt
CHECKS=$((CHECKS + 1))
[ "$RC" = 0 ] || fail "--save-on-interrupt exited $RC: $(cat "$T/err")"
run info -m "$T/m.model" -f csv
CHECKS=$((CHECKS + 1))
ran=$(grep '^epochs_run,' "$T/out" | cut -d, -f2)
[ -n "$ran" ] && [ "$ran" -ge 1 ] && [ "$ran" -lt 1000000 ] || fail "saved model says epochs_run=$ran"

finish
