#!/usr/bin/env bash
# The exported JSON Schema, checked by someone else's validator (ajv, strict
# mode): every sample cart validates, 230+ mutated carts and the bad-config
# examples do not. Usage: json_schema_check.sh PATH/TO/cartsync
set -euo pipefail
cartsync="$1"
root="$(cd "$(dirname "$0")/../.." && pwd)"
prefix="${AJV_PREFIX:-$root/build/node}"
if [[ ! -d "$prefix/node_modules/ajv" || ! -d "$prefix/node_modules/ajv-formats" ]]; then
  npm install --silent --no-audit --no-fund --prefix "$prefix" ajv@8 ajv-formats@3 >/dev/null
fi
schema="$(mktemp -t cart.schema.XXXXXX.json)"
project_schema="$(mktemp -t project.schema.XXXXXX.json)"
trap 'rm -f "$schema" "$project_schema"' EXIT
"$cartsync" schema --json-schema > "$schema"
"$cartsync" schema --json-schema --project > "$project_schema"
export AJV_PREFIX="$prefix"
cd "$root"
node tests/compiler/validate_json_schema.js --mutations "$schema" carts.d/*.toml
node tests/compiler/validate_json_schema.js --expect-invalid "$schema" \
  examples/bad-config/carts.d/acme-apparel.toml examples/bad-config/carts.d/acme-wholesale.toml
# cartsync.toml (cartsync schema --json-schema --project): the sample projects' files.
node tests/compiler/validate_json_schema.js "$project_schema" cartsync.toml examples/demo/cartsync.toml \
  examples/bad-config/cartsync.toml
