#!/usr/bin/env bash
# Shopify GraphQL conformance against Shopify's own 2026-10 schema
# (../shared/openapi/shopify/admin_2026-10.json.gz), judged by graphql-js and
# @graphql-tools/mock (installed beside the build, like Prism for BigCommerce):
#
#   1. every document the connector can send (dumped by cartsync_tests,
#      ShopifyGraphqlDocuments.Dump) validates, and its declared worst-case
#      cost equals the schema's count by Shopify's rules and stays <= 1000;
#   2. the connector parses answers a schema-driven mock generates, and every
#      request it makes passes the mock's validation (ShopifyGraphqlMock.*);
#   3. cartsync-sim answers each document with data valid for the schema.
#
# Usage: shopify_graphql_check.sh PATH/TO/cartsync_tests [PATH/TO/cartsync-sim]
set -euo pipefail
tests="$1"
sim="${2:-$(dirname "$tests")/../tools/simulator/cartsync-sim}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
prefix="${GRAPHQL_PREFIX:-${PRISM_PREFIX:-$root/build/node}}"
if [[ ! -d "$prefix/node_modules/graphql" || ! -d "$prefix/node_modules/@graphql-tools/mock" ]]; then
  npm install --silent --no-audit --no-fund --prefix "$prefix" graphql@16 @graphql-tools/mock@9 \
    @graphql-tools/schema@10 >/dev/null
fi
export GRAPHQL_PREFIX="$prefix"
schema="${SHOPIFY_SCHEMA:-$root/../shared/openapi/shopify/admin_2026-10.json.gz}"
[[ -f "$schema" ]] || { echo "shopify_graphql_check: no Shopify schema at $schema (shared/ beside the checkout, or SHOPIFY_SCHEMA)" >&2; exit 1; }
export SHOPIFY_SCHEMA="$schema"
js="$root/tests/conformance/shopify_graphql.js"
work="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]+"${pids[@]}"}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

# 1. The documents.
CARTSYNC_GRAPHQL_DUMP_DIR="$work/docs" "$tests" --gtest_filter='ShopifyGraphqlDocuments.Dump' >"$work/dump.log" 2>&1 ||
  { cat "$work/dump.log"; exit 1; }
echo "--- the connector's GraphQL documents (worst-case requested cost) ---"
node "$js" documents "$work/docs"

# 2. The connector against the schema-driven mock.
node "$js" mock "$work/port" >"$work/mock.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do [[ -s "$work/port" ]] && break; sleep 0.2; done
[[ -s "$work/port" ]] || { cat "$work/mock.log"; echo "the mock did not start"; exit 1; }
export SHOPIFY_GRAPHQL_MOCK_URL="http://127.0.0.1:$(cat "$work/port")"
if ! "$tests" --gtest_filter='ShopifyGraphqlMock.*' || grep -q '^VIOLATION' "$work/mock.log"; then
  echo "--- mock log ---"; tail -40 "$work/mock.log"
  exit 1
fi
echo "mock: $(grep -c '^ok ' "$work/mock.log") requests valid for the schema, answered from it"

# 3. The simulator's answers.
"$sim" --port 0 --quiet >"$work/sim.log" 2>&1 &
pids+=($!)
url=""
for _ in $(seq 1 100); do
  url="$(grep -m1 -o '^http://127\.0\.0\.1:[0-9]*' "$work/sim.log" || true)"
  [[ -n $url ]] && curl -sf "$url/_sim/health" >/dev/null && break
  sleep 0.2
done
[[ -n $url ]] || { cat "$work/sim.log"; echo "cartsync-sim did not start"; exit 1; }
echo "--- cartsync-sim's answers against the schema ---"
node "$js" simulator "$url/shopify/acme" "$work/docs" demo-shopify-token
