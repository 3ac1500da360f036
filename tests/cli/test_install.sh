#!/usr/bin/env bash
# What a user installs: `cmake --install` into a prefix puts the binary, the
# man page mfrec(1) and the bash, zsh and fish completions in place; the page
# renders with man, the installed binary runs, the bash completion completes
# commands, flags and choices. `cpack -G DEB` (a few seconds on a built tree)
# makes a .deb holding the same files and naming its library dependencies.
source "$(dirname "$0")/lib.sh" "$1"

BUILD=$(dirname "$MFREC")
[ -f "$BUILD/CMakeCache.txt" ] || { echo "FAIL: $BUILD is not a CMake build directory"; exit 1; }
# The man page and completions are built with the default target; a tree
# where only `--target mfrec` was built gets them here.
cmake --build "$BUILD" --target mfrec_docs >/dev/null || { echo "FAIL: cannot build mfrec_docs"; exit 1; }

PREFIX=$T/prefix
CHECKS=$((CHECKS + 1))
cmake --install "$BUILD" --prefix "$PREFIX" >"$T/install.log" 2>&1 || fail "cmake --install: $(tail -n 3 "$T/install.log")"
for f in bin/mfrec share/man/man1/mfrec.1 share/bash-completion/completions/mfrec share/zsh/vendor-completions/_mfrec \
  share/fish/vendor_completions.d/mfrec.fish; do
  CHECKS=$((CHECKS + 1))
  [ -s "$PREFIX/$f" ] || fail "not installed: $f"
done

# The man page renders without warnings and covers every command.
CHECKS=$((CHECKS + 1))
if ! command -v man >/dev/null; then
  fail "man is missing (scripts/setup.sh installs man-db)"
else
  MANWIDTH=100 man --warnings -l "$PREFIX/share/man/man1/mfrec.1" >"$T/man.txt" 2>"$T/man.err" || fail "man -l failed"
  [ -s "$T/man.err" ] && fail "man -l warns: $(head -c 300 "$T/man.err")"
  for c in train predict similarity recommend evaluate info cv; do
    CHECKS=$((CHECKS + 1))
    grep -q "^ *mfrec $c\$" "$T/man.txt" || fail "man page lacks the section of $c"
  done
  CHECKS=$((CHECKS + 1))
  grep -q -- "-k, --factors UINT (default: 128)" "$T/man.txt" || fail "man page: no --factors with its default"
fi

# The installed binary runs.
CHECKS=$((CHECKS + 1))
"$PREFIX/bin/mfrec" --version >"$T/version" 2>&1 || fail "installed mfrec --version failed"
grep -qE '^mfrec [0-9.]+ \(SGD kernel: ' "$T/version" || fail "installed --version: $(cat "$T/version")"
# A build with MPI installs its plug-in where the installed binary finds it.
CHECKS=$((CHECKS + 1))
built_mpi=$("$MFREC" --version | sed -n 2p)
installed_mpi=$(sed -n 2p "$T/version")
[ "$installed_mpi" = "$built_mpi" ] || fail "installed --version says '$installed_mpi', the build '$built_mpi'"

# complete WORDS...: the bash completion's candidates for the last word.
complete_words() {
  bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _mfrec; printf "%s\n" "${COMPREPLY[@]}"' \
    _ "$PREFIX/share/bash-completion/completions/mfrec" "$@"
}
expect_completion() {
  CHECKS=$((CHECKS + 1))
  local want=$1
  shift
  local got
  got=$(complete_words "$@" | tr '\n' ' ')
  [ "$got" = "$want" ] || fail "completion of '$*': got '$got', want '$want'"
}
expect_completion "recommend " mfrec rec
expect_completion "--factors " mfrec train --fac
expect_completion "table tsv " mfrec predict --format t
expect_completion "shuffled sequential " mfrec train --order ""
expect_completion "similarity " mfrec help si
CHECKS=$((CHECKS + 1))
bash -c 'source "$1"; complete -p mfrec' _ "$PREFIX/share/bash-completion/completions/mfrec" | grep -q -- "-F _mfrec" ||
  fail "the bash completion does not register _mfrec"

# zsh and fish, where installed (scripts/setup.sh does not need them): the
# scripts parse, and fish completes from them.
if command -v zsh >/dev/null; then
  CHECKS=$((CHECKS + 1))
  zsh -n "$PREFIX/share/zsh/vendor-completions/_mfrec" || fail "the zsh completion does not parse"
fi
if command -v fish >/dev/null; then
  CHECKS=$((CHECKS + 1))
  got=$(fish -c 'source $argv[1]; complete -C "mfrec train --fac"' "$PREFIX/share/fish/vendor_completions.d/mfrec.fish" | cut -f1)
  [ "$got" = "--factors" ] || fail "fish completion of 'mfrec train --fac': '$got'"
fi

# The .deb: the same files under /usr, with the shared libraries it needs.
if command -v cpack >/dev/null && command -v dpkg-deb >/dev/null; then
  CHECKS=$((CHECKS + 1))
  if cpack --config "$BUILD/CPackConfig.cmake" -G DEB -B "$T/pkg" >"$T/cpack.log" 2>&1; then
    deb=$(ls "$T"/pkg/mfrec_*.deb)
    dpkg-deb -c "$deb" >"$T/deb.list"
    for f in usr/bin/mfrec usr/share/man/man1/mfrec.1 usr/share/bash-completion/completions/mfrec \
      usr/share/zsh/vendor-completions/_mfrec usr/share/fish/vendor_completions.d/mfrec.fish; do
      CHECKS=$((CHECKS + 1))
      grep -q " \./$f\$" "$T/deb.list" || fail ".deb lacks /$f"
    done
    CHECKS=$((CHECKS + 1))
    dpkg-deb -f "$deb" Depends | grep -q libfmt || fail ".deb Depends lacks libfmt: $(dpkg-deb -f "$deb" Depends)"
    dpkg-deb -x "$deb" "$T/root"
    CHECKS=$((CHECKS + 1))
    "$T/root/usr/bin/mfrec" --version >"$T/deb.version" || fail "the .deb's mfrec does not run"
    CHECKS=$((CHECKS + 1))
    [ "$(sed -n 2p "$T/deb.version")" = "$built_mpi" ] || fail "the .deb's mfrec says '$(sed -n 2p "$T/deb.version")'"
  else
    fail "cpack -G DEB: $(tail -n 3 "$T/cpack.log")"
  fi
fi

finish
