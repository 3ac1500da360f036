#!/usr/bin/env bash
# Live progress: on a terminal's stderr (a real pseudo-terminal, script(1)),
# reading and the epochs are one status line redrawn in place, and the last
# epoch's line stays; not on a terminal, the per-epoch lines are as before
# and there is no control character; with -q nothing at all.
. "$(dirname "$0")/lib.sh"

# on_tty ARGS...: runs mfrec on a pseudo-terminal (stdin closed); what the
# terminal got in $T/tty.
on_tty() {
  RC=0
  script -qec "exec $(printf '%q ' "$MFREC" "$@") </dev/null" /dev/null >"$T/tty" 2>&1 || RC=$?
}
CR=$'\r'
CLEAR=$'\r\033[K'

on_tty train data/music.csv -m "$T/m.model" -e 5 --validation 0.25
expect_exit 0 "train on a terminal"
for want in "${CLEAR}reading data/music.csv  " "${CLEAR}epoch 1/5  objective " "${CLEAR}epoch 4/5  objective " \
  "${CLEAR}mfrec: read "; do
  CHECKS=$((CHECKS + 1))
  grep -qF -- "$want" "$T/tty" || fail "train on a terminal lacks '$(printf %q "$want")': $(cat -A "$T/tty" | head -c 600)"
done
CHECKS=$((CHECKS + 1))
grep -q "ETA [0-9.]* s" "$T/tty" || fail "no ETA: $(cat -A "$T/tty" | head -c 600)"
# The last epoch's line stays, then the summary, each on a line of its own.
CHECKS=$((CHECKS + 1))
tr -d '\r' <"$T/tty" | grep -q $'\033\\[Kepoch 5/5  objective [^\033]* validation_mae [^\033]* s$' ||
  fail "the last epoch's line: $(cat -A "$T/tty" | head -c 900)"
CHECKS=$((CHECKS + 1))
tr -d '\r' <"$T/tty" | grep -q '^mfrec: trained 5 epochs' || fail "summary line"

on_tty train data/music.csv -m "$T/m.model" -e 5 -q
expect_exit 0 "train -q on a terminal"
CHECKS=$((CHECKS + 1))
[ -s "$T/tty" ] && fail "train -q on a terminal wrote: $(cat -A "$T/tty")"

on_tty evaluate data/music.csv -m "$T/m.model" -f csv
expect_exit 0 "evaluate on a terminal"
CHECKS=$((CHECKS + 1))
grep -qF -- "${CLEAR}reading data/music.csv  " "$T/tty" || fail "evaluate shows no reading progress"

# Not a terminal: the lines of before, no control characters.
run train data/music.csv -m "$T/m.model" -e 5
expect_exit 0 "train to a pipe"
CHECKS=$((CHECKS + 1))
[ "$(grep -c '^epoch [1-5]/5  objective' "$T/err")" = 5 ] || fail "train to a pipe: want 5 epoch lines: $(cat "$T/err")"
CHECKS=$((CHECKS + 1))
grep -q "[$CR]" "$T/err" && fail "train to a pipe wrote a carriage return"
CHECKS=$((CHECKS + 1))
grep -q 'ETA\|reading data' "$T/err" && fail "train to a pipe shows progress"

finish
