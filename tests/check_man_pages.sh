#!/usr/bin/env bash
# Each man page renders without a warning at 80 columns and names every
# option its command's --help lists.
#   check_man_pages.sh BIN_DIR MAN1_DIR
set -euo pipefail
bin=$1 man1=$2
fail() { echo "check_man_pages: $*" >&2; exit 1; }
for command in procleak-run procleak-ctest procleak-report; do
  page=$man1/$command.1
  [ -f "$page" ] || fail "no $page"
  warnings=$(LC_ALL=C MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
  [ -z "$warnings" ] || fail "$page: $warnings"
  text=$(LC_ALL=C MANWIDTH=80 man --nh --nj -l "$page" 2>/dev/null)
  options=$("$bin/$command" --help | grep -oE -- '--[a-z][a-z0-9-]+' | sort -u)
  [ -n "$options" ] || fail "$command --help lists no option"
  for option in $options; do
    grep -qF -- "$option" <<<"$text" || fail "$page does not name $option, which $command --help lists"
  done
  echo "check_man_pages: $command(1): renders, names all $(wc -w <<<"$options") options of --help"
done
