#!/usr/bin/env bash
# Help, version and the parser's errors: `mfrec` alone and `mfrec help`,
# defaults and examples in every command's help, only the flags that apply,
# mfrec's own sentences for typos and bad values, "did you mean" only for
# close names, and a man page and completions that list every flag.
source "$(dirname "$0")/lib.sh" "$1"

COMMANDS="train predict similarity recommend evaluate info cv tune split plot help"

# expect_out_same FILE DESCRIPTION: stdout equals FILE byte for byte.
expect_out_same() {
  CHECKS=$((CHECKS + 1))
  cmp -s "$T/out" "$1" || fail "$2: stdout differs from $1"
}
# expect_err_is TEXT DESCRIPTION: the whole stderr line.
expect_err_is() {
  CHECKS=$((CHECKS + 1))
  [ "$(cat "$T/err")" = "$1" ] || fail "$2: stderr is '$(cat "$T/err")', want '$1'"
}

# --- mfrec alone, mfrec help, mfrec help COMMAND ---------------------------
run --help
expect_exit 0 "--help"
cp "$T/out" "$T/overview"
run
expect_exit 0 "mfrec alone"
expect_out_same "$T/overview" "mfrec alone prints the overview"
[ -s "$T/err" ] && fail "mfrec alone: stderr not empty"
run help
expect_exit 0 "mfrec help"
expect_out_same "$T/overview" "mfrec help prints the overview"
for c in $COMMANDS; do
  CHECKS=$((CHECKS + 1))
  grep -qE "^  $c " "$T/overview" || fail "the overview lacks $c"
  run "$c" --help
  expect_exit 0 "$c --help"
  cp "$T/out" "$T/help-$c"
  run help "$c"
  expect_exit 0 "help $c"
  expect_out_same "$T/help-$c" "help $c is $c --help"
done
run help recomend
expect_exit 64 "help of an unknown command"
expect_err_is "mfrec: error: help: unknown command 'recomend'; did you mean 'recommend'? (see mfrec help)" "help recomend"

# --- every command's help: defaults, two or three examples -----------------
# An option that takes a value shows its default (=VALUE) or says it in words.
for c in $COMMANDS; do
  CHECKS=$((CHECKS + 1))
  problems=$(python3 - "$T/help-$c" <<'PY'
import re, sys
# The Options block: one entry per option, its help possibly on the next line.
body = open(sys.argv[1]).read().split("\nOptions:\n", 1)[1].split("\n\n", 1)[0]
for entry in re.split(r"\n(?=  -)", body.strip("\n")):
    names_and_type = entry.strip().split("  ")[0]  # "-k,--factors UINT=128"
    takes_value = re.search(r" [A-Z]+", names_and_type)
    if takes_value and "=" not in names_and_type and "default" not in entry and "required" not in entry:
        print(names_and_type.split()[0])
PY
) || fail "$c --help: the default check failed"
  [ -z "$problems" ] || fail "$c --help: no default shown for: $problems"
  CHECKS=$((CHECKS + 1))
  examples=$(sed -n '/^Examples:$/,$p' "$T/help-$c" | grep -c '^  ')
  [ "$examples" -ge 2 ] && [ "$examples" -le 3 ] || fail "$c --help: $examples examples, want 2 or 3"
done
CHECKS=$((CHECKS + 1))
grep -q -- '-k,--factors UINT=128' "$T/help-train" || fail "train --help: no default for --factors"

# A command lists only the flags that apply to it.
for flag in --layout --rating-col --missing; do
  CHECKS=$((CHECKS + 1))
  grep -q -- "$flag" "$T/help-predict" && fail "predict --help offers $flag"
  grep -q -- "$flag" "$T/help-train" || fail "train --help lacks $flag"
done
for flag in --delimiter --no-header --user-col --item-col; do
  CHECKS=$((CHECKS + 1))
  grep -q -- "$flag" "$T/help-predict" || fail "predict --help lacks $flag (--pairs reads with it)"
done

# --- --version: the version and the kernel --------------------------------
run --version
expect_exit 0 "--version"
CHECKS=$((CHECKS + 1))
grep -qE '^mfrec [0-9]+\.[0-9]+\.[0-9]+ \(SGD kernel: (AVX-512|AVX2\+FMA|baseline)\)$' "$T/out" ||
  fail "--version: $(cat "$T/out")"

# --- parser errors in mfrec's words -----------------------------------------
run recommend --usr Hermione
expect_exit 64 "misspelt option"
expect_err_is "mfrec: error: recommend: unknown option '--usr'; did you mean '--user'? (see mfrec recommend --help)" "--usr"
run train data/music.csv --fac 8
expect_exit 64 "abbreviated option"
expect_err_is "mfrec: error: train: unknown option '--fac'; did you mean '--factors'? (see mfrec train --help)" "--fac"
run train data/music.csv --frobnicate
expect_exit 64 "unknown option, nothing close"
expect_err_is "mfrec: error: train: unknown option '--frobnicate' (see mfrec train --help)" "--frobnicate"
run -x
expect_exit 64 "unknown option before the command"
expect_err_is "mfrec: error: unknown option '-x' (see mfrec --help)" "-x"
run recomend
expect_exit 64 "misspelt command"
expect_err_contains "unknown command 'recomend'; did you mean 'recommend'?" "recomend"
run frobnicate
expect_exit 64 "unknown command, nothing close"
CHECKS=$((CHECKS + 1))
grep -q "did you mean" "$T/err" && fail "frobnicate: a suggestion for a far name: $(cat "$T/err")"
run train data/music.csv --lr 0
expect_exit 64 "--lr 0"
expect_err_is "mfrec: error: --lr must be > 0 and < 1000 (see mfrec train --help)" "--lr 0"
run train data/music.csv --lr fast
expect_exit 64 "--lr fast"
expect_err_is "mfrec: error: --lr must be a number (not 'fast') (see mfrec train --help)" "--lr fast"
run recommend --user Hermione --top 0
expect_exit 64 "--top 0"
expect_err_is "mfrec: error: --top must be >= 1 (see mfrec recommend --help)" "--top 0"
run recommend --user Hermione --top many
expect_exit 64 "--top many"
expect_err_is "mfrec: error: --top must be a whole number (not 'many') (see mfrec recommend --help)" "--top many"
run cv data/music.csv --folds 1
expect_exit 64 "--folds 1"
expect_err_is "mfrec: error: --folds must be >= 2 (see mfrec cv --help)" "--folds 1"
run info -f xml
expect_exit 64 "-f xml"
expect_err_is "mfrec: error: --format must be one of table, csv, tsv, json, jsonl (not 'xml') (see mfrec info --help)" "-f xml"
run recommend --user
expect_exit 64 "--user without a value"
expect_err_is "mfrec: error: --user needs a value (see mfrec recommend --help)" "--user"
run train
expect_exit 64 "train without RATINGS"
expect_err_is "mfrec: error: train needs RATINGS (see mfrec train --help)" "train"
run train a.csv b.csv
expect_exit 64 "a second RATINGS"
expect_err_is "mfrec: error: train: unexpected argument 'b.csv' (see mfrec train --help)" "train a b"

# --- "did you mean" only for close names -----------------------------------
run train data/music.csv -m "$T/music.model" -q -e 2
expect_exit 0 "train the music model"
run recommend -m "$T/music.model" --user Hermoine
expect_exit 65 "misspelt user"
expect_err_is "mfrec: error: unknown user 'Hermoine'; did you mean 'Hermione'?" "Hermoine"
run recommend -m "$T/music.model" --user Nobody
expect_exit 65 "unknown user"
expect_err_is "mfrec: error: unknown user 'Nobody'" "Nobody: no unrelated suggestions"
run similarity -m "$T/music.model" --items --item Firewrk
expect_exit 65 "misspelt item"
expect_err_is "mfrec: error: unknown item 'Firewrk'; did you mean 'Firework'?" "Firewrk"

# --- the man page and the completions list every flag of every command -----
run help --man
expect_exit 0 "help --man"
cp "$T/out" "$T/mfrec.1"
for shell in bash zsh fish; do
  run help --completion "$shell"
  expect_exit 0 "help --completion $shell"
  cp "$T/out" "$T/completion.$shell"
done
run help --completion tcsh
expect_exit 64 "completion for an unknown shell"
for c in $COMMANDS; do
  CHECKS=$((CHECKS + 1))
  grep -q "^\.SS \"mfrec $c\"" "$T/mfrec.1" || [ "$c" = help ] || fail "man page lacks $c"
  for flag in $(grep -oE '^  -[^ ]+' "$T/help-$c" | tr ',' ' '); do
    CHECKS=$((CHECKS + 1))
    [ "$flag" = -h ] || [ "$flag" = --help ] || [ "$c" = help ] || grep -qF -- "$(sed 's/-/\\-/g' <<<"$flag")" "$T/mfrec.1" ||
      fail "man page lacks $c $flag"
    grep -qF -- " $flag" "$T/completion.bash" || fail "bash completion lacks $c $flag"
    grep -qF -- "'*$flag[" "$T/completion.zsh" || fail "zsh completion lacks $c $flag"
    case $flag in
      --*) grep -qE -- "__fish_seen_subcommand_from $c'.* -l ${flag#--}( |$)" "$T/completion.fish" ;;
      *) grep -qE -- "__fish_seen_subcommand_from $c'.* -s ${flag#-}( |$)" "$T/completion.fish" ;;
    esac || fail "fish completion lacks $c $flag"
  done
done

finish
