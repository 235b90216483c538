#!/usr/bin/env bash
# Runs the BigCommerce conformance tests against Prism serving BigCommerce's
# official OpenAPI files. Usage: prism_check.sh PATH/TO/cartsync_tests
set -euo pipefail
tests="$1"
root="$(cd "$(dirname "$0")/../.." && pwd)"
prefix="${PRISM_PREFIX:-$root/build/node}"
prism="$prefix/node_modules/.bin/prism"
if [[ ! -x "$prism" ]]; then
  npm install --silent --no-audit --no-fund --prefix "$prefix" @stoplight/prism-cli@5 >/dev/null
fi
spec="${BIGCOMMERCE_OPENAPI:-$root/../shared/openapi/bigcommerce}"
[[ -d "$spec" ]] || { echo "prism_check: no BigCommerce OpenAPI files at $spec (shared/ beside the checkout, or BIGCOMMERCE_OPENAPI)" >&2; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
orders_port=$(free_port)
inventory_port=$(free_port)
catalog_port=$(free_port)
logdir="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$logdir"; }
trap cleanup EXIT
"$prism" mock -h 127.0.0.1 -p "$orders_port" "$spec/orders.v2.oas2.yml" >"$logdir/orders.log" 2>&1 &
pids+=($!)
"$prism" mock -h 127.0.0.1 -p "$inventory_port" "$spec/inventory.v3.yml" >"$logdir/inventory.log" 2>&1 &
pids+=($!)
"$prism" mock -h 127.0.0.1 -p "$catalog_port" "$spec/product-variants_catalog.v3.yml" >"$logdir/catalog.log" 2>&1 &
pids+=($!)
# Bounded wait for both mocks to listen.
for port in "$orders_port" "$inventory_port" "$catalog_port"; do
  for _ in $(seq 1 120); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
    sleep 0.5
  done
done
export PRISM_ORDERS_URL="http://127.0.0.1:$orders_port"
export PRISM_INVENTORY_URL="http://127.0.0.1:$inventory_port"
export PRISM_CATALOG_URL="http://127.0.0.1:$catalog_port"
# The catalog variants file (SKU -> variant, for a lookup by SKU) loads and
# answers; the connector itself sets stock by SKU and does not call it yet.
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'X-Auth-Token: prism-token' -H 'Accept: application/json' \
  "$PRISM_CATALOG_URL/catalog/variants?sku=TS-RED-M")
[[ $code == 200 ]] || { echo "prism: catalog variants mock answered $code"; grep -iE "error|violation" "$logdir/catalog.log" | tail -10; exit 1; }
if ! "$tests" --gtest_filter='BigCommercePrism.*'; then
  echo "--- prism orders log (violations) ---"; grep -iE "violation|error" "$logdir/orders.log" | tail -20 || true
  echo "--- prism inventory log ---"; grep -iE "violation|error" "$logdir/inventory.log" | tail -20 || true
  exit 1
fi
