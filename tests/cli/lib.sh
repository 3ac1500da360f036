# Sourced by the CLI tests: tests/cli/test_X.sh PATH/TO/mfrec, run from the
# project root. Each helper fails the test with a message naming the check.
set -u
MFREC=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
FAILS=0
CHECKS=0

fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }

# run ARGS...: runs mfrec with stdin closed; sets RC, output in $T/out, $T/err.
run() {
  RC=0
  "$MFREC" "$@" >"$T/out" 2>"$T/err" </dev/null || RC=$?
}

# expect_exit CODE DESCRIPTION: checks RC and, for failures, the one-line
# "mfrec: error: ..." message on stderr.
expect_exit() {
  CHECKS=$((CHECKS + 1))
  if [ "$RC" != "$1" ]; then
    fail "$2: exit $RC, want $1; stderr: $(head -c 300 "$T/err")"
    return
  fi
  if [ "$1" != 0 ]; then
    local lines
    lines=$(wc -l <"$T/err")
    grep -q '^mfrec: error: ' "$T/err" || fail "$2: no 'mfrec: error:' line: $(head -c 300 "$T/err")"
    [ "$lines" = 1 ] || fail "$2: $lines lines on stderr, want 1"
  fi
}

# expect_err_contains TEXT DESCRIPTION
expect_err_contains() {
  CHECKS=$((CHECKS + 1))
  grep -qF -- "$1" "$T/err" || fail "$2: stderr lacks '$1': $(head -c 300 "$T/err")"
}

finish() {
  echo "$((CHECKS - FAILS)) passed, $FAILS failed"
  [ "$FAILS" = 0 ]
  exit $?
}
