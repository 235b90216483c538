#!/usr/bin/env bash
# Runs the eBay conformance tests against Prism serving eBay's OpenAPI files
# (Sell Fulfillment v1, Sell Inventory v1). Usage: ebay_prism_check.sh PATH/TO/cartsync_tests
set -euo pipefail
tests="$1"
root="$(cd "$(dirname "$0")/../.." && pwd)"
prefix="${PRISM_PREFIX:-$root/build/node}"
prism="$prefix/node_modules/.bin/prism"
if [[ ! -x "$prism" ]]; then
  npm install --silent --no-audit --no-fund --prefix "$prefix" @stoplight/prism-cli@5 >/dev/null
fi
spec="${EBAY_OPENAPI:-$root/../shared/openapi/ebay}"
[[ -f "$spec/sell_fulfillment_v1_oas3.json" && -f "$spec/sell_inventory_v1_oas3.json" ]] || {
  echo "ebay_prism_check: no eBay OpenAPI files at $spec (shared/ beside the checkout, or EBAY_OPENAPI)" >&2
  exit 1
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
fulfillment_port=$(free_port)
inventory_port=$(free_port)
logdir="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$logdir"; }
trap cleanup EXIT
"$prism" mock -h 127.0.0.1 -p "$fulfillment_port" "$spec/sell_fulfillment_v1_oas3.json" >"$logdir/fulfillment.log" 2>&1 &
pids+=($!)
"$prism" mock -h 127.0.0.1 -p "$inventory_port" "$spec/sell_inventory_v1_oas3.json" >"$logdir/inventory.log" 2>&1 &
pids+=($!)
# Bounded wait for both mocks to listen.
for port in "$fulfillment_port" "$inventory_port"; do
  for _ in $(seq 1 120); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
    sleep 0.5
  done
done
export PRISM_EBAY_FULFILLMENT_URL="http://127.0.0.1:$fulfillment_port"
export PRISM_EBAY_INVENTORY_URL="http://127.0.0.1:$inventory_port"
# The mocks enforce eBay's OAuth scheme: without Authorization, 401.
code=$(curl -s -o /dev/null -w '%{http_code}' "$PRISM_EBAY_INVENTORY_URL/inventory_item/SKU-1")
[[ $code == 401 ]] || { echo "prism: inventory mock answered $code without a token (want 401)"; exit 1; }
if ! "$tests" --gtest_filter='EbayPrism.*'; then
  echo "--- prism fulfillment log (violations) ---"; grep -iE "violation|error" "$logdir/fulfillment.log" | tail -20 || true
  echo "--- prism inventory log ---"; grep -iE "violation|error" "$logdir/inventory.log" | tail -20 || true
  exit 1
fi
