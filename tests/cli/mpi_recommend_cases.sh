# shellcheck shell=bash
# `mpirun -np N mfrec recommend --all-users`: the users split across the
# ranks, the output (stdout, stderr, -o's file) one process's, byte for byte;
# an -o error said once with its code. Sourced by tests/cli/test_mpi.sh
# before its `finish`: uses its ranks(), $ML and $T/music.model.
# same_answers DESCRIPTION N RECOMMEND_ARGS...: stdout, stderr and the -o file
# of N ranks are one process's, byte for byte.
same_answers() {
  local what=$1 n=$2
  shift 2
  run recommend "$@"
  expect_exit 0 "$what: alone"
  mv "$T/out" "$T/out.one" && mv "$T/err" "$T/err.one"
  ranks "$n" "$MFREC" recommend "$@"
  expect_exit 0 "$what: mpirun -np $n"
  CHECKS=$((CHECKS + 1))
  cmp -s "$T/out.one" "$T/out" && cmp -s "$T/err.one" "$T/err" || fail "$what: $n ranks' output differs from one process's"
  rm -f "$T/one.csv" "$T/many.csv"
  run recommend "$@" -o "$T/one.csv"
  ranks "$n" "$MFREC" recommend "$@" -o "$T/many.csv"
  expect_exit 0 "$what: mpirun -np $n -o"
  CHECKS=$((CHECKS + 1))
  cmp -s "$T/one.csv" "$T/many.csv" || fail "$what: $n ranks' -o file differs from one process's"
}
same_answers "music, short answers" 4 -m "$T/music.model" --all-users --top 5
if [ -f "$ML" ]; then
  run train "$ML" -k 16 -e 5 -m "$T/ml.model" -q
  same_answers "--all-users --explain" 3 -m "$T/ml.model" --all-users --explain --top 4
  same_answers "--all-users, neighbors, filters" 2 -m "$T/ml.model" --all-users --method neighbors --min-ratings 5 --top 3
fi
ranks 3 "$MFREC" recommend -m "$T/music.model" --all-users -o "$T/nowhere/recs.csv"
expect_exit 73 "recommend --all-users -o into a missing directory under mpirun"
CHECKS=$((CHECKS + 1))
[ "$(grep -c 'mfrec: error' "$T/err")" = 1 ] || fail "the -o error said $(grep -c 'mfrec: error' "$T/err") times, want once"
# The model missing on one rank only (a file system not every node sees).
ranks 3 sh -c 'if [ "$OMPI_COMM_WORLD_RANK" = 2 ]; then m=/nonexistent.model; else m="$1"; fi
  exec "$2" recommend -m "$m" --all-users -o "$3"' sh "$T/music.model" "$MFREC" "$T/recs.csv"
expect_exit 66 "recommend --all-users, the model missing on rank 2"
expect_err_contains "mfrec: error: cannot open model /nonexistent.model" "the model missing on rank 2"
CHECKS=$((CHECKS + 1))
[ ! -e "$T/recs.csv" ] || fail "the model missing on rank 2: -o's file was written"
