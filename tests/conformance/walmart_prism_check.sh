#!/usr/bin/env bash
# Runs the Walmart conformance tests against Prism serving Walmart's OpenAPI
# files (auth, orders, inventory, feeds). Usage: walmart_prism_check.sh PATH/TO/cartsync_tests
#
# What Prism cannot catch here: orders.json, inventory.json and feeds.json
# require a security scheme (basicScheme) they never define, so Prism checks
# no credential on them; it only checks that the WM_* headers are present
# (declared as header parameters), not that WM_SEC.ACCESS_TOKEN is a token
# the grant issued, nor that WM_QOS.CORRELATION_ID differs per request. The
# unit tests (WalmartCartTest: every request's headers, a fresh correlation
# id each) and the simulator (WalmartSimTest: issued tokens, expiry, the
# Basic grant) cover that; the check below proves the mocks do enforce the
# declared headers (422 without them).
set -euo pipefail
tests="$1"
root="$(cd "$(dirname "$0")/../.." && pwd)"
prefix="${PRISM_PREFIX:-$root/build/node}"
prism="$prefix/node_modules/.bin/prism"
if [[ ! -x "$prism" ]]; then
  npm install --silent --no-audit --no-fund --prefix "$prefix" @stoplight/prism-cli@5 >/dev/null
fi
spec="${WALMART_OPENAPI:-$root/../shared/openapi/walmart}"
for f in auth orders inventory feeds; do
  [[ -f "$spec/$f.json" ]] || {
    echo "walmart_prism_check: no Walmart OpenAPI file $f.json at $spec (shared/ beside the checkout, or WALMART_OPENAPI)" >&2
    exit 1
  }
done
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
declare -A port
logdir="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$logdir"; }
trap cleanup EXIT
for f in auth orders inventory feeds; do
  port[$f]=$(free_port)
  "$prism" mock -h 127.0.0.1 -p "${port[$f]}" "$spec/$f.json" >"$logdir/$f.log" 2>&1 &
  pids+=($!)
done
# Bounded wait for the mocks to listen (orders.json is 3 MB: slower).
for f in auth orders inventory feeds; do
  for _ in $(seq 1 240); do
    if (exec 3<>"/dev/tcp/127.0.0.1/${port[$f]}") 2>/dev/null; then break; fi
    sleep 0.5
  done
done
export PRISM_WALMART_AUTH_URL="http://127.0.0.1:${port[auth]}"
export PRISM_WALMART_ORDERS_URL="http://127.0.0.1:${port[orders]}"
export PRISM_WALMART_INVENTORY_URL="http://127.0.0.1:${port[inventory]}"
export PRISM_WALMART_FEEDS_URL="http://127.0.0.1:${port[feeds]}"
# The mocks enforce the declared WM_* headers: without them, 422.
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Accept: application/json' "$PRISM_WALMART_ORDERS_URL/v3/orders?limit=1")
[[ $code == 422 ]] || { echo "prism: orders mock answered $code without the WM_* headers (want 422)"; exit 1; }
if ! "$tests" --gtest_filter='WalmartPrism.*'; then
  for f in auth orders inventory feeds; do
    echo "--- prism $f log (violations) ---"; grep -iE "violation|error" "$logdir/$f.log" | tail -20 || true
  done
  exit 1
fi
