#!/usr/bin/env bash
# Editor support, checked with the editors' own engine (taplo, from npm: the
# validator behind Even Better TOML):
#
#   1. schema/json/{cart,project}.schema.json are what the binary prints
#      (tools/docs/gen_json_schema.sh --check);
#   2. with the repository's .taplo.toml (no --schema: the association under
#      test), every sample is valid: cartsync.toml, carts.d/, examples/demo/
#      (also through examples/demo/.taplo.toml);
#   3. one mistake -> exactly one taplo error, on the mistake's line: an
#      unknown key in each kind of table, a misspelled status, a plain secret,
#      a schedule outside the service's bounds, an unknown key in cartsync.toml
#      (an array or table value: one message, which taplo repeats per span);
#   4. the bad-config example is invalid.
#
# Usage: tests/tools/editors_check.sh PATH/TO/cartsync
# taplo: $TAPLO, else `taplo` on PATH, else npm i @taplo/cli into
# $TAPLO_PREFIX (default: the binary's build dir's node/).
set -euo pipefail
bin="$(realpath "$1")"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="$(cd "$(dirname "$bin")/.." && pwd)"
# ok, bad, expect, refuse, check_summary; `failures` counts.
source "$(dirname "${BASH_SOURCE[0]}")/check_lib.sh"

if [[ -z ${TAPLO:-} ]]; then
  if command -v taplo >/dev/null; then
    TAPLO="$(command -v taplo)"
  else
    prefix="${TAPLO_PREFIX:-$build/node}"
    TAPLO="$prefix/node_modules/.bin/taplo"
    if [[ ! -x $TAPLO ]]; then
      npm install --silent --no-audit --no-fund --prefix "$prefix" @taplo/cli >/dev/null
    fi
  fi
fi
[[ -x $TAPLO ]] || { echo "editors_check: no taplo at $TAPLO" >&2; exit 2; }  # (taplo --version exits 1)

# 1. The committed schemas are fresh.
if bash "$root/tools/docs/gen_json_schema.sh" --check "$bin"; then
  ok "schema/json/*.schema.json are up to date"
else
  bad "schema/json is stale: run tools/docs/gen_json_schema.sh"
fi

# A copy of what taplo reads, so mistakes can be made without touching the tree.
tmp="$(mktemp -d "${TMPDIR:-/tmp}/cartsync-editors.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/repo/schema" "$tmp/repo/examples"
cp -r "$root/.taplo.toml" "$root/cartsync.toml" "$root/carts.d" "$tmp/repo/"
cp -r "$root/examples/demo" "$root/examples/bad-config" "$tmp/repo/examples/"
# The schemas as the binary prints them (step 1 reported any difference).
mkdir -p "$tmp/repo/schema/json"
"$bin" schema --json-schema > "$tmp/repo/schema/json/cart.schema.json"
"$bin" schema --json-schema --project > "$tmp/repo/schema/json/project.schema.json"

# taplo_errors DIR FILE...: the error count of `taplo check` in DIR (with DIR/.taplo.toml),
# its output in $tmp/taplo.out.
taplo_errors() {
  local dir="$1"
  shift
  (cd "$dir" && "$TAPLO" check "$@") > "$tmp/taplo.out" 2>&1 || true
  if grep -q 'failed to load schema\|failed to fetch schema\|no such file' "$tmp/taplo.out"; then
    echo "taplo could not load a schema:" >&2
    cat "$tmp/taplo.out" >&2
  fi
  grep -c '^error' "$tmp/taplo.out" || true
}

# 2. Every sample valid, and the association applies (a mistake is seen).
cd "$tmp/repo"
samples=(cartsync.toml carts.d/*.toml examples/demo/cartsync.toml examples/demo/carts.d/*.toml)
n=$(taplo_errors "$tmp/repo" "${samples[@]}")
if [[ $n -eq 0 ]]; then ok "taplo: ${#samples[@]} samples valid"; else
  cat "$tmp/taplo.out" >&2
  bad "taplo: $n error(s) in the samples"
fi
n=$(taplo_errors "$tmp/repo/examples/demo" cartsync.toml carts.d/*.toml)
if [[ $n -eq 0 ]]; then ok "taplo in examples/demo (its .taplo.toml): valid"; else
  cat "$tmp/taplo.out" >&2
  bad "taplo in examples/demo: $n error(s)"
fi

# 3. One mistake, one error. mistake LABEL FILE SED_SCRIPT [EXPECTED_LINE_TEXT]
cart=carts.d/acme-apparel-shopify.toml
mistake() {
  local label="$1" file="$2" script="$3" dir="$tmp/repo"
  cp "$file" "$tmp/orig"
  sed -i -e "$script" "$file"
  if cmp -s "$file" "$tmp/orig"; then
    bad "$label: the edit changed nothing (the sample changed?)"
    return
  fi
  # examples/demo files are checked from examples/demo: its own .taplo.toml.
  local rel="$file"
  if [[ $file == examples/demo/* ]]; then dir="$tmp/repo/examples/demo"; rel="${file#examples/demo/}"; fi
  local n
  n=$(taplo_errors "$dir" "$rel")
  mv "$tmp/orig" "$file"
  if [[ $n -eq 1 ]]; then
    ok "$label: one taplo error ($(grep -m1 '^error' "$tmp/taplo.out" | cut -c1-100))"
  else
    grep -E '^error|┌─' "$tmp/taplo.out" >&2 || cat "$tmp/taplo.out" >&2
    bad "$label: $n taplo errors, want 1"
  fi
}
mistake "unknown key in [cart] (clinet)" "$cart" 's/^client = /clinet = "x"\nclient = /'
mistake "unknown key in [api]" "$cart" 's/^store_url = /stor_url = "x"\nstore_url = /'
mistake "unknown key in [services.order_download]" "$cart" '/^\[services.order_download\]/a enabeld = true'
mistake "unknown key in [order_load]" "$cart" 's/^earliest_order_date = /ealiest_order_date = 2026-09-01\nearliest_order_date = /'
mistake "unknown key in [items]" "$cart" 's/^filter = /filtr = "x"\nfilter = /'
mistake "misspelled status" "$cart" 's/"paid"/"payed"/'
mistake "plain secret" "$cart" 's/^access_token = .*/access_token = "shpat_0123456789abcdef0123456789abcdef"/'
mistake "order_download every 2m (under 5m)" "$cart" '/^\[services.order_download\]/,/^every/ s/^every = .*/every = "2m"/'
mistake "order_download every 2d (over a day)" "$cart" '/^\[services.order_download\]/,/^every/ s/^every = .*/every = "2d"/'
mistake "shipment_upload every 10m (under 15m)" "$cart" '/^\[services.shipment_upload\]/,/^every/ s/^every = .*/every = "10m"/'
mistake "inventory_upload every 30m (under 1h)" "$cart" '/^\[services.inventory_upload\]/,/^every/ s/^every = .*/every = "30m"/'
mistake "unknown key in cartsync.toml [state]" cartsync.toml 's/^url = "sqlite/uri = "x"\nurl = "sqlite/'
mistake "unknown key in cartsync.toml [wms.main]" cartsync.toml 's/^warehouses = /timeout = 30\nwarehouses = /'
# taplo reports an error about an array or table value once per span of it
# (the array and each item; the header and each key and value): one message.
cp cartsync.toml "$tmp/orig"
sed -i 's/^warehouses = /warehouse = ["x", "y"]\nwarehouses = /' cartsync.toml
taplo_errors "$tmp/repo" cartsync.toml > /dev/null
mv "$tmp/orig" cartsync.toml
n=$(grep '^error' "$tmp/taplo.out" | sort -u | wc -l)
if [[ $n -eq 1 ]]; then ok "unknown key with an array value: one distinct taplo message"; else
  cat "$tmp/taplo.out" >&2
  bad "unknown key with an array value: $n distinct taplo messages, want 1"
fi
mistake "unknown key in cartsync.toml [defaults]" cartsync.toml 's/^order_load.reject_unmapped_ship_codes = true/order_load.reject_unmaped_ship_codes = true/'
mistake "unknown key in examples/demo (its .taplo.toml)" examples/demo/carts.d/acme-apparel-shopify.toml \
  's/^client = /clinet = "x"\nclient = /'

# 4. The bad-config example has mistakes taplo sees.
n=$(taplo_errors "$tmp/repo" examples/bad-config/carts.d/*.toml)
if [[ $n -gt 0 ]]; then ok "examples/bad-config: $n taplo errors"; else bad "examples/bad-config passes taplo"; fi

check_summary editors_check
