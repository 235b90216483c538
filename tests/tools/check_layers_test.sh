#!/usr/bin/env bash
# tools/check_layers.sh must pass on the tree and must fail, naming the file
# and the include, when runtime/ includes a compiler header or model/ a
# runtime one. Runs on a copy of the sources in a temp dir.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

copy() {
  rm -rf "$tmp/tree" && mkdir -p "$tmp/tree/tools/simulator"
  cp -r "$root/base" "$root/model" "$root/compiler" "$root/runtime" "$tmp/tree/"
  cp -r "$root/tools/simulator/." "$tmp/tree/tools/simulator/"
  cp "$root/tools/check_layers.sh" "$tmp/tree/tools/"
}
fail=0
expect_violation() {  # FILE INCLUDE
  copy
  printf '#include "%s"\n' "$2" >>"$tmp/tree/$1"
  if out=$(bash "$tmp/tree/tools/check_layers.sh" 2>&1); then
    echo "FAIL: $1 including $2 was accepted"; fail=1
  elif ! grep -q "$1:.*\"$2\"" <<<"$out"; then
    echo "FAIL: the message does not name $1 and $2: $out"; fail=1
  else
    echo "ok: $1 including $2 refused"
  fi
}

copy
if bash "$tmp/tree/tools/check_layers.sh" >/dev/null; then echo "ok: the tree passes"; else echo "FAIL: the tree does not pass"; fail=1; fi
expect_violation runtime/runner.cc compiler/compiler.h
expect_violation runtime/state/state_store.h compiler/diagnostic.h
expect_violation model/plan.h runtime/runner.h
expect_violation base/status.h model/plan.h
expect_violation compiler/checker.cc runtime/secrets.h
[[ $fail -eq 0 ]] && echo "check_layers_test: ok" || { echo "check_layers_test: FAILED"; exit 1; }
