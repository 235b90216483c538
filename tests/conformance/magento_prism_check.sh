#!/usr/bin/env bash
# Runs the Magento conformance tests against Prism serving Adobe's Commerce
# admin REST schema (admin-schema-2.4.9.yaml, with its intro/ directory
# beside it: the schema's info.description is a $ref into intro/, and Prism
# stops with ENOENT without it). Usage: magento_prism_check.sh PATH/TO/cartsync_tests
#
# What Prism cannot catch here: the schema defines an api_key security
# definition but no operation requires it, so Prism checks no credential.
# The unit tests (MagentoCartTest: Authorization on every request, the
# OAuth 1.0a HMAC-SHA256 signature against an independent computation) and
# the simulator (MagentoSimTest: 401 without the Bearer token) cover that.
set -euo pipefail
tests="$1"
root="$(cd "$(dirname "$0")/../.." && pwd)"
prefix="${PRISM_PREFIX:-$root/build/node}"
prism="$prefix/node_modules/.bin/prism"
if [[ ! -x "$prism" ]]; then
  npm install --silent --no-audit --no-fund --prefix "$prefix" @stoplight/prism-cli@5 >/dev/null
fi
spec="${MAGENTO_OPENAPI:-$root/../shared/openapi/magento}"
[[ -f "$spec/admin-schema-2.4.9.yaml" && -f "$spec/intro/redocly-intro.md" ]] || {
  echo "magento_prism_check: no admin-schema-2.4.9.yaml with intro/redocly-intro.md at $spec (shared/ beside the checkout, or MAGENTO_OPENAPI)" >&2
  exit 1
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port)
logdir="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$logdir"; }
trap cleanup EXIT
"$prism" mock -h 127.0.0.1 -p "$port" "$spec/admin-schema-2.4.9.yaml" >"$logdir/magento.log" 2>&1 &
pids+=($!)
# Bounded wait (the schema has 493 paths: slow to load).
for _ in $(seq 1 240); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
  sleep 0.5
done
export PRISM_MAGENTO_URL="http://127.0.0.1:$port"
# The mock does validate: a source item with a quantity that is not a number is refused.
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
  -d '{"sourceItems":[{"sku":"A","source_code":"default","quantity":"five","status":1}]}' \
  "$PRISM_MAGENTO_URL/V1/inventory/source-items")
[[ $code == 400 ]] || { echo "prism: an invalid source item was answered $code, not 400"; tail -20 "$logdir/magento.log"; exit 1; }
if ! "$tests" --gtest_filter='MagentoPrism.*'; then
  # Prism also logs violations of its own generated answers (the recursive
  # parent_item schema); the request violations are what matter here.
  echo "--- prism log (violations) ---"; grep -iE "violation|error" "$logdir/magento.log" | tail -30 || true
  exit 1
fi
