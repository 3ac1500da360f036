# shellcheck shell=bash
# Helpers the end-to-end speed scripts share (bench/speed.sh,
# bench/netflix_shape.sh); sourced, not run.

# median: the median of the whitespace-separated numbers on stdin.
median() { tr ' ' '\n' | grep . | sort -g | awk '{v[NR] = $1} END {print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

# wall_seconds TIME_OUTPUT: "Elapsed (wall clock) time (h:mm:ss or m:ss): 1:02.5"
# of /usr/bin/time -v, in seconds.
wall_seconds() {
  awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$1"
}

# peak_mb TIME_OUTPUT: "Maximum resident set size (kbytes)" of /usr/bin/time -v, in MB.
peak_mb() { awk -F': ' '/Maximum resident set size/ { printf "%.0f\n", $2 / 1024 }' "$1"; }

# read_line MFREC_STDERR: "N SECONDS" from mfrec's
# "mfrec: read N ratings (...) from FILE: ..., X.XX s" line; nothing without one.
read_line() { awk '/^mfrec: read / { print $3, $(NF - 1) }' "$1"; }

# ratio A B [FORMAT]: A / B printed with FORMAT (default %.2f), "–" when either is empty.
ratio() {
  awk -v a="$1" -v b="$2" -v f="${3:-%.2f}" 'BEGIN { if (a == "" || b == "" || b == 0) print "–"; else printf f "\n", a / b }'
}

# ratings_file USERS ITEMS N ORDER IDS: sets $file to the path in $data_dir
# of make_ratings' N ratings (seed $seed) in ORDER, sorted (by user, then
# item) or shuffled, with IDS, string (u…,i…, comma, header) or numeric
# (LIBMF's: space, no header), and $make_cmd to the command that makes it
# ($make_ratings). Every form holds the same ratings; make_ratings writes
# atomically, so a file that exists is whole.
# shellcheck disable=SC2034,SC2154  # $file and $make_cmd are for the caller; $data_dir, $seed, $make_ratings its
ratings_file() {
  file=$data_dir/ratings-${1}x${2}x${3}-seed$seed
  local flags=()
  [ "$4" = sorted ] || { file+=-shuffled; flags+=(--shuffled); }
  if [ "$5" = numeric ]; then file+=-numeric.txt; flags+=(--numeric); else file+=.csv; fi
  make_cmd=("$make_ratings" "${flags[@]}" "$file" "$1" "$2" "$3" 16 "$seed")
}

# log_column LOG COLUMN: the values of COLUMN (by its header name) in a
# --log-file of mfrec train, one line per epoch.
log_column() {
  awk -F, -v want="$2" '
    NR == 1 { for (i = 1; i <= NF; i++) if ($i == want) c = i
              if (!c) { print "the log has no " want " column" > "/dev/stderr"; exit 1 }
              next }
    { print $c }' "$1"
}

# one_shape_args DEFAULT_SHAPE ARGS...: the command line of a benchmark on
# one generated file, [--runs N] [--build DIR] [--make-only] [USERS ITEMS N].
# Sets $runs and $build (the caller's values are the defaults), $make_only,
# and $users, $items and $n (DEFAULT_SHAPE, "USERS ITEMS N", when not given).
# Calls the caller's usage and die.
# shellcheck disable=SC2034  # the variables it sets are for the caller
one_shape_args() {
  local default=$1 shape=() v
  shift
  make_only=false
  while [ $# -gt 0 ]; do
    case $1 in
      --runs) [ $# -ge 2 ] || usage; runs=$2; shift 2 ;;
      --build) [ $# -ge 2 ] || usage; build=$2; shift 2 ;;
      --make-only) make_only=true; shift ;;
      -h | --help) usage ;;
      -*) echo "$(basename "$0"): unknown argument '$1'" >&2; usage ;;
      *) shape+=("$1"); shift ;;
    esac
  done
  [ ${#shape[@]} -gt 0 ] || read -r -a shape <<<"$default"
  [ ${#shape[@]} -eq 3 ] || usage
  read -r users items n <<<"${shape[*]}"
  for v in "$runs" "$users" "$items" "$n"; do
    [[ $v =~ ^[1-9][0-9]*$ ]] || die "'$v' is not a positive whole number"
  done
}
