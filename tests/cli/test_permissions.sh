#!/usr/bin/env bash
# Permission faults, as an unprivileged user (when run as root, the checks
# drop to nobody with setpriv, since root reads and writes anything):
# an unreadable ratings file is 66; a read-only output directory is 73 for
# the model and for -o, and leaves what was there untouched.
. "$(dirname "$0")/lib.sh"

as_user=()
if [ "$(id -u)" = 0 ]; then
  command -v setpriv >/dev/null || { echo "setpriv missing: cannot drop root"; finish; }
  as_user=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
  chmod 755 "$T"
fi
# run_as ARGS...: like run, without root's powers.
run_as() {
  RC=0
  "${as_user[@]}" "$MFREC" "$@" >"$T/out" 2>"$T/err" </dev/null || RC=$?
}

mkdir "$T/w"
chmod 777 "$T/w"
cp data/music.csv "$T/secret.csv"
chmod 000 "$T/secret.csv"
run_as train "$T/secret.csv" -m "$T/w/m.model"
expect_exit 66 "unreadable ratings file"
expect_err_contains "Permission denied" "unreadable file reason"

mkdir "$T/ro"
run train data/music.csv -m "$T/ro/m.model" -q
expect_exit 0 "train into the directory before it is made read-only"
cp "$T/ro/m.model" "$T/m.orig"
chmod 555 "$T/ro"
run_as train data/music.csv -m "$T/ro/m.model" -q
expect_exit 73 "model in a read-only directory"
CHECKS=$((CHECKS + 1))
cmp -s "$T/ro/m.model" "$T/m.orig" || fail "the existing model changed"
chmod 644 "$T/ro/m.model"
run_as info -m "$T/ro/m.model" -o "$T/ro/info.csv"
expect_exit 73 "-o into a read-only directory"
CHECKS=$((CHECKS + 1))
[ -e "$T/ro/info.csv" ] && fail "-o left a file in the read-only directory"
chmod 755 "$T/ro"

finish
