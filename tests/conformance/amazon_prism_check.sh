#!/usr/bin/env bash
# Runs the Amazon SP-API conformance tests against Prism serving Amazon's
# own models (one mock per file). Usage: amazon_prism_check.sh PATH/TO/cartsync_tests
# The models declare no security scheme: Prism checks no credentials there
# (the tests assert x-amz-access-token themselves).
set -euo pipefail
tests="$1"
root="$(cd "$(dirname "$0")/../.." && pwd)"
prefix="${PRISM_PREFIX:-$root/build/node}"
prism="$prefix/node_modules/.bin/prism"
if [[ ! -x "$prism" ]]; then
  npm install --silent --no-audit --no-fund --prefix "$prefix" @stoplight/prism-cli@5 >/dev/null
fi
spec="${AMAZON_OPENAPI:-$root/../shared/openapi/amazon-sp-api}"
[[ -d "$spec" ]] || { echo "amazon_prism_check: no Amazon SP-API models at $spec (shared/ beside the checkout, or AMAZON_OPENAPI)" >&2; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
logdir="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$logdir"; }
trap cleanup EXIT
declare -A ports
for name in orders_2026-01-01 ordersV0 listingsItems_2021-08-01 feeds_2021-06-30; do
  ports[$name]=$(free_port)
  "$prism" mock -h 127.0.0.1 -p "${ports[$name]}" "$spec/$name.json" >"$logdir/$name.log" 2>&1 &
  pids+=($!)
done
# Bounded wait for the mocks to listen.
for port in "${ports[@]}"; do
  for _ in $(seq 1 120); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
    sleep 0.5
  done
done
export PRISM_AMAZON_ORDERS_URL="http://127.0.0.1:${ports[orders_2026-01-01]}"
export PRISM_AMAZON_ORDERS_V0_URL="http://127.0.0.1:${ports[ordersV0]}"
export PRISM_AMAZON_LISTINGS_URL="http://127.0.0.1:${ports[listingsItems_2021-08-01]}"
export PRISM_AMAZON_FEEDS_URL="http://127.0.0.1:${ports[feeds_2021-06-30]}"
# The mock refuses what the model refuses: a shipment confirmation without
# its required fields is a 400 (so a 2xx in the tests means something).
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
  -d '{"marketplaceId":"ATVPDKIKX0DER"}' \
  "$PRISM_AMAZON_ORDERS_V0_URL/orders/v0/orders/902-1106328-1059050/shipmentConfirmation")
[[ $code == 400 || $code == 422 ]] || { echo "prism: ordersV0 mock accepted an invalid confirmation ($code)"; exit 1; }
if ! "$tests" --gtest_filter='AmazonPrism.*'; then
  for name in "${!ports[@]}"; do
    echo "--- prism $name log (violations) ---"; grep -iE "violation|error" "$logdir/$name.log" | tail -20 || true
  done
  exit 1
fi
