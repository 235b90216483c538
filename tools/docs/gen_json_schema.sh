#!/usr/bin/env bash
# Writes the JSON Schemas editors use (.taplo.toml, examples/editors/) from the
# descriptors, through the binary:
#   schema/json/cart.schema.json     cartsync schema --json-schema
#   schema/json/project.schema.json  cartsync schema --json-schema --project
#
#   tools/docs/gen_json_schema.sh [--check] [CARTSYNC]   (default build/tools/cartsync)
#
# --check writes nothing and exits 1 when a file differs from what the binary
# prints (with the diff), like tools/docs/gen_docs.py --check.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
check=0
if [[ ${1:-} == --check ]]; then check=1; shift; fi
bin="${1:-$root/build/tools/cartsync}"
[[ -x $bin ]] || { echo "gen_json_schema: no cartsync binary at $bin" >&2; exit 2; }
stale=0
for pair in "cart.schema.json:" "project.schema.json:--project"; do
  file="$root/schema/json/${pair%%:*}"
  flags=(--json-schema)
  [[ -n ${pair#*:} ]] && flags+=("${pair#*:}")
  want="$("$bin" schema "${flags[@]}")" || { echo "gen_json_schema: cartsync schema ${flags[*]} failed" >&2; exit 2; }
  if [[ $check -eq 1 ]]; then
    if ! diff -u "$file" <(printf '%s\n' "$want") >&2; then
      echo "gen_json_schema: schema/json/${pair%%:*} is out of date: run tools/docs/gen_json_schema.sh" >&2
      stale=1
    fi
  else
    mkdir -p "$(dirname "$file")"
    printf '%s\n' "$want" > "$file.tmp" && mv "$file.tmp" "$file"
  fi
done
exit $stale
