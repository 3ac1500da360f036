#!/usr/bin/env bash
# The README doc-test runner (tests/doctest/run_readme.py) on a README of its
# own: a README that matches passes, one that drifts from the binary fails
# with a diff naming the line, --update writes the binary's output back
# (keeping `…` where the output varies), exit statuses are checked, stdout is
# a terminal, and a block needing a missing data set is skipped. Outputs here
# are errors and text, not trained numbers, so they hold for every build.
. "$(dirname "$0")/lib.sh"
RUNNER=$(dirname "$0")/../doctest/run_readme.py
F='```'

# doctest README [ARGS...]: runs the runner; sets RC, output in $T/out.
doctest() {
  RC=0
  python3 "$RUNNER" --mfrec "$MFREC" --readme "$@" --datasets "$T/no-datasets" >"$T/out" 2>&1 || RC=$?
}

# expect RC TEXT DESCRIPTION: the runner's exit status and a line of its output.
expect() {
  CHECKS=$((CHECKS + 1))
  [ "$RC" = "$1" ] || fail "$3: exit $RC, want $1: $(head -c 600 "$T/out")"
  grep -qF -- "$2" "$T/out" || fail "$3: output lacks '$2': $(head -c 600 "$T/out")"
}

cat >"$T/good.md" <<EOF
Prose, and a block that is not run:

$F
\$ mfrec train nothing.csv
$F

${F}console
\$ printf 'user,item,rating\nann,x,4\nann,y,abc\n' > bad.csv

\$ mfrec train bad.csv
mfrec: error: rating 'abc' is not a finite number (bad.csv:3:7)
$F

${F}console
\$ mfrec train data/music.csv -q -e 2

\$ mfrec info | head -3
field,value
format_version,4
source,data/music.csv

\$ echo to stderr >&2; echo to stdout
to stdout
to stderr

\$ [ -t 1 ] && echo stdout is a terminal
stdout is a terminal

\$ echo took 0.37 s
took … s
$F

${F}console needs=ml-latest-small
\$ mfrec train ml-latest-small/ratings.csv
$F
EOF

doctest "$T/good.md"
expect 0 "7 passed, 0 failed, 1 skipped" "a README that matches"
expect 0 "skip good.md:33: needs ml-latest-small" "the block needing a data set"

# Drift: a changed error place, a changed number, a changed timed line.
sed -e 's/(bad.csv:3:7)/(bad.csv:3:8)/' -e 's/^format_version,4$/format_version,1/' \
    -e 's/^\$ echo took 0.37 s$/$ echo took 0.37 s, twice/' "$T/good.md" >"$T/drift.md"
doctest "$T/drift.md"
expect 1 "4 passed, 3 failed, 1 skipped" "a README that drifted"
expect 1 "FAIL drift.md:10: \$ mfrec train bad.csv" "the drifted line named"
expect 1 "+mfrec: error: rating 'abc' is not a finite number (bad.csv:3:7)" "the diff shows the binary's line"

doctest "$T/drift.md" --update
expect 0 "updated $T/drift.md: 3 example(s) rewritten" "--update"
sed 's/^took … s$/took … s, twice/' "$T/good.md" >"$T/want.md"
sed -i 's/^\$ echo took 0.37 s$/$ echo took 0.37 s, twice/' "$T/want.md"
CHECKS=$((CHECKS + 1))
cmp -s "$T/drift.md" "$T/want.md" || fail "--update wrote: $(diff "$T/want.md" "$T/drift.md")"
doctest "$T/drift.md"
expect 0 "7 passed, 0 failed, 1 skipped" "the updated README passes"

# Exit statuses: an error shown must be an error, and only then.
printf '%sconsole\n$ mfrec info -m absent.model\n%s\n' "$F" "$F" >"$T/status.md"
doctest "$T/status.md"
expect 1 "exit status 66" "a failing command whose README shows no error"
printf '%sconsole\n$ true\nmfrec: error: shown\n%s\n' "$F" "$F" >"$T/status.md"
doctest "$T/status.md"
expect 1 "exit status 0, but README shows an error" "an error shown for a command that succeeds"
printf '%sconsole\n$ mfrec info -m absent.model | head -1\n%s\n' "$F" "$F" >"$T/status.md"
doctest "$T/status.md"
expect 1 "exit status 66" "pipefail: a failure before a pipe counts"

finish
