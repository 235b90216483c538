#!/usr/bin/env bash
# The real binary on hostile project layouts (cart-format.md "Project layout"),
# each run bounded by `timeout 10`, so a FIFO that gets opened fails the check
# instead of hanging it:
#
#   1. a FIFO named carts.d/x.toml (and one in a subdirectory) is refused with
#      E0110 and never opened: check exits 1 at once;
#   2. a symbolic link out of the project (to a file, to a directory) is
#      refused with E0111, and the target's content is never read;
#   3. a FIFO named on the command line: exit 2 (E0110);
#   4. carts.d/sub/ is read, carts.d/.hidden/ is not.
#
# Usage: tests/tools/project_layout_check.sh BUILD_DIR/tools/cartsync   (exit 0 = all good)
set -euo pipefail
cartsync="$(realpath "${1:?usage: $0 PATH/TO/cartsync}")"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
fail() { echo "project_layout_check: FAIL: $*" >&2; exit 1; }

# run WANT_EXIT OUT ARGS...: the binary under timeout 10; 124 means it hung.
run() {
  local want="$1" out="$2" rc=0
  shift 2
  timeout 10 "$cartsync" "$@" >"$out" 2>&1 || rc=$?
  [[ $rc -ne 124 ]] || fail "timed out (a FIFO was opened?): cartsync $*"
  [[ $rc -eq $want ]] || { cat "$out" >&2; fail "expected exit $want, got $rc: cartsync $*"; }
}

cart() {  # cart ID: a valid cart file's text
  printf '[cart]\nid = "%s"\nclient = "acme"\nplatform = "shopify"\n[api]\n' "$1"
  printf 'store_url = "https://acme.myshopify.com"\naccess_token = { secret = "env:T" }\n'
}

p="$tmp/project"
mkdir -p "$p/carts.d/sub" "$p/carts.d/.hidden" "$tmp/outside/dir"
printf '[wms.main]\nsystem = "http"\nurl = "http://127.0.0.1:18080/wms"\ntoken = { secret = "env:W" }\n' \
  >"$p/cartsync.toml"
cart alpha >"$p/carts.d/alpha.toml"
cart beta >"$p/carts.d/sub/beta.toml"
echo 'not [ toml' >"$p/carts.d/.hidden/broken.toml"
cart secret-outside >"$tmp/outside/stolen.toml"
cart more-outside >"$tmp/outside/dir/more.toml"

# 4. Recursive, dot entries skipped.
run 0 "$tmp/ok.out" check "$p"
grep -q "checked 3 files, 2 carts: ok" "$tmp/ok.out" || { cat "$tmp/ok.out" >&2; fail "sub/ not read"; }

# 1. FIFOs.
mkfifo "$p/carts.d/x.toml" "$p/carts.d/sub/y.toml"
run 1 "$tmp/fifo.out" check "$p"
[[ $(grep -c 'E0110' "$tmp/fifo.out") -eq 2 ]] || { cat "$tmp/fifo.out" >&2; fail "FIFOs not refused twice"; }
grep -q 'x.toml is a FIFO' "$tmp/fifo.out" || fail "no FIFO message"
run 1 "$tmp/fifo-plan.out" plan "$p"

# 3. A FIFO on the command line.
run 2 "$tmp/fifo-arg.out" check "$p/carts.d/x.toml"
grep -q 'E0110' "$tmp/fifo-arg.out" || fail "a FIFO argument not refused"
rm "$p/carts.d/x.toml" "$p/carts.d/sub/y.toml"

# 2. Symbolic links out of the project.
ln -s "$tmp/outside/stolen.toml" "$p/carts.d/evil.toml"
ln -s "$tmp/outside/dir" "$p/carts.d/evil-dir"
run 1 "$tmp/link.out" check "$p"
[[ $(grep -c 'E0111' "$tmp/link.out") -eq 2 ]] || { cat "$tmp/link.out" >&2; fail "links not refused"; }
if grep -q 'outside"' "$tmp/link.out"; then fail "a target outside the project was read"; fi

echo "project_layout_check: ok"
