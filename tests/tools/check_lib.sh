# The helpers of the check scripts in tests/tools/ (sourced, not run):
#
#   ok DESCRIPTION            prints "ok   DESCRIPTION"
#   bad DESCRIPTION           prints "FAIL DESCRIPTION" on stderr and counts a failure
#   expect DESCRIPTION CMD…   CMD must succeed (its output is shown)
#   refuse DESCRIPTION CMD…   CMD must fail (its output is hidden)
#   check_summary NAME        "NAME: N check(s) failed" and exit 1, or "NAME: all checks passed"
#
# `failures` counts the failed checks; a script sources this once, near its top:
#   source "$(dirname "${BASH_SOURCE[0]}")/check_lib.sh"
# shellcheck shell=bash

failures=0
ok() { printf 'ok   %s\n' "$*"; }
bad() { printf 'FAIL %s\n' "$*" >&2; failures=$((failures + 1)); }
expect() {
  local what="$1"
  shift
  if "$@"; then ok "$what"; else bad "$what"; fi
}
refuse() {
  local what="$1"
  shift
  if "$@" >/dev/null 2>&1; then bad "$what"; else ok "$what"; fi
}
check_summary() {
  if [[ $failures -gt 0 ]]; then
    echo "$1: $failures check(s) failed" >&2
    exit 1
  fi
  echo "$1: all checks passed"
}
