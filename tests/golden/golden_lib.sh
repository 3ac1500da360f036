# Sourced by tests/golden/make_golden.sh (writes the golden files) and
# tests/cli/test_golden.sh (checks a binary against them), so both read the
# case list the same way and run each case with the same command line.
# See make_golden.sh for what the golden files are and how to use them.
# Everything runs from the project root.

GOLDEN_DIR=tests/golden
GOLDEN_CASES=$GOLDEN_DIR/cases
GOLDEN_EXPECTED=$GOLDEN_DIR/expected
# A golden file bigger than this is stored as its sha256 (NAME.model.sha256,
# NAME.out.sha256) instead of the bytes.
GOLDEN_HASH_OVER=1000000

# golden_read_cases: fills CASE_NAMES[i] and CASE_LINES[i] (the arguments,
# still as text) from the case list; comments and blank lines skipped.
# Returns 1, with a message, on a malformed line or a repeated name.
golden_read_cases() {
  CASE_NAMES=()
  CASE_LINES=()
  local line name rest n=0 seen=" "
  while IFS= read -r line || [ -n "$line" ]; do
    n=$((n + 1))
    line=${line%$'\r'}
    [[ "$line" =~ ^[[:space:]]*(#|$) ]] && continue
    name=${line%%[[:space:]]*}
    rest=${line#"$name"}
    if ! [[ "$name" =~ ^[A-Za-z0-9][A-Za-z0-9._-]*$ ]] || [[ ! "$rest" =~ [^[:space:]] ]]; then
      echo "$GOLDEN_CASES:$n: want 'NAME ARGS...', got: $line" >&2
      return 1
    fi
    case "$seen" in *" $name "*)
      echo "$GOLDEN_CASES:$n: case '$name' named twice" >&2
      return 1 ;;
    esac
    seen="$seen$name "
    CASE_NAMES+=("$name")
    CASE_LINES+=("$rest")
  done <"$GOLDEN_CASES"
}

# golden_expand NAME TEXT OUTDIR MODEL_LOOKUP: splits TEXT into words (shell
# quoting: '...', "..." and \ as xargs reads them, no expansion) and fills
#   ARGS      the mfrec arguments, tokens replaced:
#               @out.EXT  -> OUTDIR/NAME.EXT (the case writes its result with -o)
#               @CASE     -> the model trained by case CASE: the path that the
#                            function MODEL_LOOKUP prints for CASE
#   CMD       ARGS[0] (train, predict, ...)
#   OUT_FILE  the -o file, or empty when the result is stdout
#   MISSING   the first input under ../shared that does not exist, or empty
#   NEEDS     the model cases this case reads, space separated
# Returns 1, with a message, when TEXT does not split or a model is unknown.
golden_expand() {
  local name=$1 text=$2 outdir=$3 lookup=$4 a path words
  words=$(mktemp)
  if ! printf '%s\n' "$text" | xargs printf '%s\0' >"$words" 2>&1; then
    echo "case $name: cannot split the arguments: $(tr '\0' ' ' <"$words")" >&2
    rm -f "$words"
    return 1
  fi
  mapfile -d '' -t ARGS <"$words"
  rm -f "$words"
  CMD=${ARGS[0]}
  OUT_FILE=
  MISSING=
  NEEDS=
  local i
  for i in "${!ARGS[@]}"; do
    a=${ARGS[$i]}
    case "$a" in
      @out | @out.*)
        OUT_FILE=$outdir/$name${a#@out}
        ARGS[$i]=$OUT_FILE
        ;;
      @*)
        path=$("$lookup" "${a#@}") || {
          echo "case $name: no model '${a#@}' (is it trained by a case above this one?)" >&2
          return 1
        }
        NEEDS="$NEEDS ${a#@}"
        ARGS[$i]=$path
        ;;
      ../shared/*)
        [ -z "$MISSING" ] && [ ! -e "$a" ] && MISSING=$a
        ;;
    esac
  done
  return 0
}

# golden_strip_timing CMD FILE: drops what is wall-clock time from a result,
# in place: the `seconds` column of cv's CSV output.
golden_strip_timing() {
  [ "$1" = cv ] || return 0
  awk -F, -v OFS=, '
    NR == 1 { for (i = 1; i <= NF; ++i) if ($i == "seconds") drop = i }
    drop { out = ""; n = 0
           for (i = 1; i <= NF; ++i) if (i != drop) out = out (n++ ? OFS : "") $i
           $0 = out }
    { print }' "$2" >"$2.strip" && mv "$2.strip" "$2"
}

# golden_sha256 FILE: prints the file's sha256, alone.
golden_sha256() {
  sha256sum "$1" | cut -d' ' -f1
}
