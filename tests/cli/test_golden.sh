#!/usr/bin/env bash
# Golden files: every case of tests/golden/cases run with this binary must
# write the same model and result bytes as the known-good binary that wrote
# tests/golden/expected (README: tests/golden/make_golden.sh). Train cases
# run as written, with --threads 1 and with --threads 2: all three must give
# the golden model. Query cases read the golden models. Cases that read
# ../shared (ml-latest-small) are skipped, with a message, when it is missing.
. "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/../.."
. tests/golden/golden_lib.sh
mkdir -p "$T/models" "$T/results"

# A query reads the golden model, or, for one kept as a sha256, the model
# this run trained (checked against that sha256 above).
model_lookup() {
  if [ -f "$GOLDEN_EXPECTED/$1.model" ]; then
    echo "$GOLDEN_EXPECTED/$1.model"
  elif [ -f "$T/models/$1.model" ]; then
    echo "$T/models/$1.model"
  else
    return 1
  fi
}

# same GOT GOLDEN-BASE WHAT: GOT must equal $GOLDEN_EXPECTED/GOLDEN-BASE, or
# match GOLDEN-BASE.sha256; WHAT names the case and run in the message.
same() {
  local got=$1 want=$GOLDEN_EXPECTED/$2 what=$3
  CHECKS=$((CHECKS + 1))
  if [ -f "$want" ]; then
    local diff
    if ! diff=$(cmp "$want" "$got" 2>&1); then
      fail "$what: differs from $want: ${diff#"$want $got "}"
      if [ "$(wc -c <"$got")" -lt 100000 ] && grep -qI . "$got"; then
        echo "    diff (< golden, > this run), first lines:"
        diff "$want" "$got" | head -n 6 | sed 's/^/    /'
      fi
    fi
  elif [ -f "$want.sha256" ]; then
    local sum
    sum=$(golden_sha256 "$got")
    [ "$sum" = "$(cut -d' ' -f1 "$want.sha256")" ] ||
      fail "$what: sha256 $sum, golden $want.sha256 has $(cut -d' ' -f1 "$want.sha256") ($(wc -c <"$got") bytes)"
  else
    fail "$what: no golden $want (regenerate: tests/golden/make_golden.sh)"
  fi
}

# nothing_golden BASE WHAT: this run wrote nothing where a golden file exists.
nothing_golden() {
  CHECKS=$((CHECKS + 1))
  if [ -f "$GOLDEN_EXPECTED/$1" ] || [ -f "$GOLDEN_EXPECTED/$1.sha256" ]; then
    fail "$2: empty, but there is a golden $GOLDEN_EXPECTED/$1"
  fi
}

golden_read_cases || { fail "reading $GOLDEN_CASES"; finish; }
SKIPPED=" "
declare -A KNOWN
for i in "${!CASE_NAMES[@]}"; do
  name=${CASE_NAMES[$i]}
  line=${CASE_LINES[$i]}
  line=${line#"${line%%[![:space:]]*}"}
  KNOWN[$name]=1
  if ! golden_expand "$name" "${CASE_LINES[$i]}" "$T/results" model_lookup 2>"$T/expand.err"; then
    # A model of a skipped case is missing on purpose.
    needs=$(grep -o "no model '[^']*'" "$T/expand.err" | cut -d"'" -f2)
    if [ -n "$needs" ] && [[ "$SKIPPED" == *" $needs "* ]]; then
      echo "skip: $name (reads the model of skipped case $needs)"
      SKIPPED="$SKIPPED$name "
    else
      fail "$(cat "$T/expand.err")"
    fi
    continue
  fi
  if [ -n "$MISSING" ]; then
    echo "skip: $name ($MISSING is missing)"
    SKIPPED="$SKIPPED$name "
    continue
  fi

  if [ "$CMD" = train ]; then
    for threads in "" 1 2; do
      what="case $name (mfrec $line${threads:+ --threads $threads})"
      model=$T/models/$name${threads:+.t$threads}.model
      if [ -n "$threads" ]; then
        run "${ARGS[@]}" --threads "$threads" -m "$model"
      else
        run "${ARGS[@]}" -m "$model"
      fi
      expect_exit 0 "$what"
      [ "$RC" = 0 ] && same "$model" "$name.model" "$what"
    done
    continue
  fi

  what="case $name (mfrec $line)"
  run "${ARGS[@]}"
  expect_exit 0 "$what"
  [ "$RC" = 0 ] || continue
  result=$T/out.txt
  cp "$T/out" "$result"
  if [ -n "$OUT_FILE" ]; then
    CHECKS=$((CHECKS + 1))
    [ -s "$T/out" ] && fail "$what: -o given, yet stdout is not empty"
    result=$OUT_FILE
  fi
  golden_strip_timing "$CMD" "$result"
  same "$result" "$name.out" "$what: output"
  if [ "$CMD" != cv ]; then
    if [ -s "$T/err" ]; then
      same "$T/err" "$name.err" "$what: stderr"
    else
      nothing_golden "$name.err" "$what: stderr"
    fi
  fi
done

# Every golden file belongs to a case (a renamed case leaves its old files).
for f in "$GOLDEN_EXPECTED"/*; do
  base=$(basename "$f")
  base=${base%.sha256}
  base=${base%.*}
  CHECKS=$((CHECKS + 1))
  [ -n "${KNOWN[$base]:-}" ] || fail "$f belongs to no case in $GOLDEN_CASES"
done

finish
