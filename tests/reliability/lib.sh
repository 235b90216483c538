# Shared helpers for the reliability harnesses (crash, overlap, fault matrix):
# start the simulator, write a temporary project pointing at it, run
# `cartsync run` under a watchdog (and SIGKILL it), read the simulator's
# records, and check exactly-once delivery against expectations computed
# independently of cartsync. Sourced, not run (it sets `set -uo pipefail`):
#
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#   rel_init crash                    # work dir in $REL_WORK, cleanup on exit
#   sim_config "$REL_WORK/sim.json" 80 7 "{\"latency_ms\": 1, $REL_FAST_LIMITS}"
#   sim_start "$REL_WORK/sim.json"    # $SIM_URL, $SIM_PID
#   project_write "$REL_WORK/project" # 7 carts (shopify, woocommerce, bigcommerce, amazon, ebay,
#                                     # walmart, magento) + expect.json
#   snapshot_orders "$REL_WORK/project"
#   cs_run "$REL_WORK/project" "$REL_WORK/run1"; echo "exit $?"
#   rel_check "$REL_WORK/project"     # prints counts; non-zero on any problem
#
# Environment (all optional):
#   CARTSYNC_BIN, CARTSYNC_SIM  the binaries (default: first of build-rel/, build/
#                               under the repository that has both)
#   REL_KEEP=1                  keep $REL_WORK after exit (always kept on failure)
#   REL_RUN_TIMEOUT             seconds before a run counts as hung (default 120)
#   REL_VERBOSE=1               echo every run's summary table
#
# Functions (return codes in brackets):
#   rel_log MSG… / rel_die MSG…      progress on stderr / fail the script
#   rel_init NAME                    mktemp work dir, binaries, EXIT trap
#   rel_now_ms                       wall clock in ms
#   rel_rand LO HI                   uniform integer from bash's $RANDOM (seed it: RANDOM=N)
#   sim_config FILE [ORDERS] [SEED] [FAULTS_JSON] [WMS_JSON]
#                                    the demo stores (acme shopify, bluebird woocommerce,
#                                    cedar bigcommerce, harbor amazon and ebay, summit
#                                    walmart, greenleaf magento; more partly shipped orders than the
#                                    demo mix), ORDERS each (default 80); WMS_JSON as
#                                    the config's "wms" (e.g. '{"as_of": "none"}')
#   $REL_FAST_LIMITS                 a fragment of faults JSON with rate limits so generous that
#                                    the connectors never pace themselves (a run of a few hundred
#                                    orders takes seconds, not minutes): '{"latency_ms": 1, '"$REL_FAST_LIMITS"'}'
#   sim_start CONFIG [ARGS…]         cartsync-sim on a free port; sets SIM_URL, SIM_PID
#   sim_get PATH / sim_post PATH [JSON]   body on stdout [curl's code]
#   sim_faults JSON                  POST /_sim/faults (any subset of keys)
#   sim_block N [AFTER_HANDLING]     hold store/WMS request N+1 onwards (true|false)
#   sim_unblock                      lift the block, wait until nothing is held, settle
#   sim_blocked / sim_total_requests numbers from GET /_sim/records
#   sim_ship [N]                     the WMS ships every received order / the first N
#   sim_add_orders PLATFORM STORE N  new orders placed now
#   sim_records FILE                 GET /_sim/records into FILE
#   sim_writes                       "deliveries tracking_posts inventory_sets": a write fingerprint
#   project_write DIR [STATE_URL]    cartsync.toml + carts.d/ for the demo stores at $SIM_URL,
#                                    and DIR/expect.json (the rules, for rel_check)
#   project_carts DIR                the cart ids, one a line
#   snapshot_orders DIR              merge every store's GET /_sim/orders into DIR/orders.json
#                                    (first-seen status wins: call it before runs touch new orders;
#                                    partly shipped orders get "remaining" line quantities from the
#                                    store's own API)
#   cs_run DIR OUT [ARGS…]           `cartsync run DIR --report OUT.json ARGS…` in the foreground
#                                    under the watchdog; OUT.out/OUT.err [its exit; 124 = hung, killed]
#   cs_run_bg DIR OUT [ARGS…]        the same in the background; sets CS_PID, CS_STARTED_MS
#   cs_wait PID [TIMEOUT_S]          reap it [its exit; 124 = still running after TIMEOUT_S, killed]
#   cs_kill PID                      SIGKILL and reap [137]
#   cs_unlock_all DIR                `cartsync state unlock` every cart (after a kill only!)
#   cs_noop OUT                      the report OUT.json shows a run that changed nothing [0/1]
#   state_intents DIR                "PUSH_ORDER UPLOAD_TRACKING": unfinished intents in the state
#                                    database (what a killed run left for the next to reconcile)
#   rel_check DIR [OUT_JSON]         the exactly-once checks (see below) [0 = all good]
#
# rel_check compares, with nothing computed by cartsync itself:
#   expectations  from DIR/expect.json (the cart rules) and DIR/orders.json (snapshot_orders),
#                 the WMS's own /wms/inventory and /wms/aliases;
#   outcomes      from GET /_sim/records (every write the stores and the WMS saw) and the
#                 state database (orders still `new`, unfinished intents, leases).
# Counts: lost (eligible order never delivered; WMS-shipped tracking never on its cart;
# a delivered Walmart order never acknowledged), duplicated (an order delivered twice; a
# tracking number posted twice; an order acknowledged twice), unexpected (a
# non-eligible order delivered; tracking the WMS never issued; an order whose document asks
# for more or fewer units than are left to ship; a Walmart acknowledge of an order never
# delivered), stuck (orders left `new`,
# eligible orders not sent/confirmed in state, pending intents, leases, WooCommerce
# orders with tracking but not completed), inventory_wrong (a cart SKU whose last set value
# differs from the WMS stock through the cart's rules, or that was never set).
#
# The problem lines (stderr, and "problems" in OUT_JSON) are parsed by fault_matrix.sh: keep
# "lost order K", "order K delivered N times", "… expected Q, cart has …" and "… never
# reached the cart" as they are.
#
# Another project: write cartsync.toml + carts.d/ for the simulator's stores yourself and a
# DIR/expect.json with the same rules, {"carts": [{…one per cart…}]}:
#   id, platform (shopify|woocommerce|bigcommerce|amazon|ebay|walmart|magento), store
#                 the cart and its simulated store
#   statuses      fnmatch patterns of GET /_sim/orders "status" labels that download
#                 (Shopify "state/financial/fulfillment", e.g. "open/paid/*")
#   earliest      "YYYY-MM-DD";  countries: null or the required ship_to.country list
#   items         {"filter": disabled|whitelist|blacklist, "level": item|order, "skus": [globs]}
#   translate     "master_sku" or the alias type of translate_item_code
#   ship_codes    the [ship_methods] codes (fnmatch patterns);  ship_default: true when "*" is mapped
#   inventory     {"with": "all"|warehouse, "alias": "master_sku"|alias type, "minimum": N,
#                 "quantity": "available" (default) | "on_hand" (the platform's
#                 inventory_quantity, schema/platforms/*.toml: Magento's is on_hand)}
#   acknowledges  (optional) true: the cart acknowledges orders the WMS took (Walmart):
#                 each delivered order exactly once in /_sim/records status_changes
#                 (to Acknowledged, from Created; none for one first seen Acknowledged),
#                 no acknowledge of an order never delivered
#   shipped_status  the cart status a shipped order must end in ("completed"), or null
#   partial, store_api  (optional) status patterns of partly shipped orders and how to read
#                 their lines: {"kind": shopify|bigcommerce, "path": "/shopify/acme/admin/api/V",
#                 "headers": {…credentials…}}

set -uo pipefail

REL_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
REL_RUN_TIMEOUT="${REL_RUN_TIMEOUT:-120}"
REL_WMS_TOKEN="demo-wms-token"
REL_FAST_LIMITS='"shopify_bucket_size": 1000, "shopify_leak_per_second": 500, "shopify_cost_maximum": 1000000, "shopify_cost_restore_rate": 1000000, "bigcommerce_quota": 100000, "amazon_rate": 1000'
export REL_WMS_TOKEN REL_SHOPIFY_TOKEN="demo-shopify-token" REL_WOO_KEY="ck_demo" \
  REL_WOO_SECRET="cs_demo" REL_BC_TOKEN="demo-bc-token" \
  REL_AMAZON_SECRET="demo-amazon-lwa-secret" REL_AMAZON_REFRESH="Atzr|demo-amazon-refresh" \
  REL_EBAY_SECRET="demo-ebay-client-secret" REL_EBAY_REFRESH="demo-ebay-refresh-token" \
  REL_WALMART_SECRET="demo-walmart-client-secret" REL_MAGENTO_TOKEN="demo-magento-token"

rel_log() { printf '[%s] %s\n' "${REL_NAME:-rel}" "$*" >&2; }
rel_die() { rel_log "FAIL: $*"; REL_FAILED=1; exit 1; }

rel_now_ms() {
  local t=${EPOCHREALTIME/./}
  echo $((t / 1000))
}

rel_rand() { echo $(($1 + ((RANDOM << 15) | RANDOM) % ($2 - $1 + 1))); }

_rel_find_bins() {
  if [[ -z ${CARTSYNC_BIN:-} || -z ${CARTSYNC_SIM:-} ]]; then
    local d
    for d in "${BUILD_DIR:-}" "$REL_ROOT/build-rel" "$REL_ROOT/build"; do
      [[ -n $d && -x $d/tools/cartsync && ! -d $d/tools/cartsync && -x $d/tools/simulator/cartsync-sim ]] || continue
      CARTSYNC_BIN="${CARTSYNC_BIN:-$d/tools/cartsync}"
      CARTSYNC_SIM="${CARTSYNC_SIM:-$d/tools/simulator/cartsync-sim}"
      break
    done
  fi
  [[ -x ${CARTSYNC_BIN:-} ]] || rel_die "no cartsync binary: build it or set CARTSYNC_BIN"
  [[ -x ${CARTSYNC_SIM:-} ]] || rel_die "no cartsync-sim binary: build it or set CARTSYNC_SIM"
  command -v python3 >/dev/null || rel_die "python3 is needed"
}

REL_CHILDREN=()
_rel_cleanup() {
  local rc=$?
  local p
  for p in "${REL_CHILDREN[@]+"${REL_CHILDREN[@]}"}"; do
    kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null
  done
  if [[ -n ${SIM_PID:-} ]] && kill -0 "$SIM_PID" 2>/dev/null; then
    kill -TERM "$SIM_PID" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$SIM_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SIM_PID" 2>/dev/null
  fi
  wait 2>/dev/null
  if [[ -n ${REL_WORK:-} && -d $REL_WORK ]]; then
    if [[ $rc -ne 0 || -n ${REL_FAILED:-} || -n ${REL_KEEP:-} ]]; then
      rel_log "work dir kept: $REL_WORK"
    else
      rm -rf "$REL_WORK"
    fi
  fi
  exit $rc
}

rel_init() {
  REL_NAME="$1"
  _rel_find_bins
  REL_WORK="$(mktemp -d "${TMPDIR:-/tmp}/cartsync-$1.XXXXXX")"
  trap _rel_cleanup EXIT
  trap 'exit 130' INT TERM
}

# ---- simulator -------------------------------------------------------------------

sim_config() {
  local file="$1" orders="${2:-80}" seed="${3:-1}" faults="${4:-}" wms="${5:-}"
  [[ -n $faults ]] || faults='{}'
  [[ -n $wms ]] || wms='{}'
  # The demo stores (names and credentials as DemoSeeds), with more orders
  # shipped in part than the demo mix has: those must reach the WMS with only
  # what is left to ship.
  cat >"$file" <<EOF
{"port": 0, "seed": $seed, "demo": false, "faults": $faults, "wms": $wms,
 "stores": [
  {"platform": "shopify", "name": "acme", "orders": $orders, "token": "demo-shopify-token",
   "statuses": [{"status": "open/paid/unfulfilled", "weight": 50}, {"status": "open/paid/partial", "weight": 12},
                {"status": "open/partially_refunded/unfulfilled", "weight": 5},
                {"status": "open/pending/unfulfilled", "weight": 8}, {"status": "closed/paid/fulfilled", "weight": 8},
                {"status": "cancelled/refunded/unfulfilled", "weight": 5}]},
  {"platform": "woocommerce", "name": "bluebird", "orders": $orders,
   "consumer_key": "ck_demo", "consumer_secret": "cs_demo"},
  {"platform": "bigcommerce", "name": "cedar", "orders": $orders, "token": "demo-bc-token",
   "statuses": [{"status": "Awaiting Fulfillment", "weight": 50}, {"status": "Awaiting Shipment", "weight": 10},
                {"status": "Partially Shipped", "weight": 12}, {"status": "Awaiting Payment", "weight": 8},
                {"status": "Shipped", "weight": 8}, {"status": "Cancelled", "weight": 4}]},
  {"platform": "amazon", "name": "harbor", "orders": $orders, "token": "Atzr|demo-amazon-refresh",
   "client_id": "amzn1.application-oa2-client.harbor", "client_secret": "demo-amazon-lwa-secret"},
  {"platform": "ebay", "name": "harbor", "orders": $orders, "token": "demo-ebay-refresh-token",
   "client_id": "demo-ebay-client", "client_secret": "demo-ebay-client-secret",
   "statuses": [{"status": "NOT_STARTED", "weight": 60}, {"status": "FULFILLED", "weight": 15}]},
  {"platform": "walmart", "name": "summit", "orders": $orders,
   "client_id": "demo-walmart-client", "client_secret": "demo-walmart-client-secret",
   "sku_prefixes": ["SS"]},
  {"platform": "magento", "name": "greenleaf", "orders": $orders, "token": "demo-magento-token"}]}
EOF
}

sim_start() {
  local config="$1"; shift
  local out="$REL_WORK/sim.stdout"
  # Empty it first: the child truncates it only once it runs, and until then
  # the previous simulator's (dead) URL would be read.
  : >"$out"
  "$CARTSYNC_SIM" --config "$config" --port 0 --quiet "$@" >"$out" 2>"$REL_WORK/sim.stderr" &
  SIM_PID=$!
  local i
  for i in $(seq 200); do
    SIM_URL="$(head -n 1 "$out" 2>/dev/null)"
    [[ $SIM_URL == http://* ]] && break
    kill -0 "$SIM_PID" 2>/dev/null || rel_die "cartsync-sim exited: $(cat "$REL_WORK/sim.stderr")"
    sleep 0.05
  done
  [[ $SIM_URL == http://* ]] || rel_die "cartsync-sim did not print its URL"
  export SIM_URL
}

_rel_http() {  # METHOD URL [BODY]
  if command -v curl >/dev/null; then
    if [[ $1 == GET ]]; then
      curl -sS --fail-with-body --max-time 60 "$2"
    else
      curl -sS --fail-with-body --max-time 60 -X "$1" -H 'Content-Type: application/json' \
        --data-binary "${3-}" "$2"
    fi
  else
    python3 - "$@" <<'PY'
import sys, urllib.request
m, url = sys.argv[1], sys.argv[2]
data = sys.argv[3].encode() if len(sys.argv) > 3 else (b"" if m != "GET" else None)
req = urllib.request.Request(url, data=data, method=m, headers={"Content-Type": "application/json"})
try:
    with urllib.request.urlopen(req, timeout=60) as r:
        sys.stdout.buffer.write(r.read())
except urllib.error.HTTPError as e:
    sys.stdout.buffer.write(e.read()); sys.exit(22)
PY
  fi
}

sim_get() { _rel_http GET "$SIM_URL$1"; }
sim_post() { _rel_http POST "$SIM_URL$1" "${2-}"; }
sim_faults() { sim_post /_sim/faults "$1" >/dev/null || rel_die "POST /_sim/faults $1 refused"; }
sim_block() { sim_faults "{\"block_after_requests\": $1, \"block_after_handling\": ${2:-false}}"; }
sim_ship() {
  if [[ -n ${1:-} ]]; then sim_post /_sim/ship "{\"count\": $1}"; else sim_post /_sim/ship ''; fi
}
sim_add_orders() {
  sim_post /_sim/orders "{\"platform\": \"$1\", \"store\": \"$2\", \"count\": $3}" >/dev/null ||
    rel_die "POST /_sim/orders refused"
}
sim_records() { sim_get /_sim/records >"$1" || rel_die "GET /_sim/records failed"; }

# The head of /_sim/records is {"total_requests":N,"blocked":M,…}.
_sim_head() { _rel_http GET "$SIM_URL/_sim/records" 2>/dev/null | head -c 200; }
sim_blocked() {
  local h; h="$(_sim_head)"
  [[ $h =~ \"blocked\":([0-9]+) ]] && echo "${BASH_REMATCH[1]}" || echo 0
}
sim_total_requests() {
  local h; h="$(_sim_head)"
  [[ $h =~ \"total_requests\":([0-9]+) ]] && echo "${BASH_REMATCH[1]}" || echo 0
}

sim_unblock() {
  sim_faults '{"block_after_requests": 0, "block_after_handling": false}'
  local i
  for i in $(seq 200); do
    [[ $(sim_blocked) == 0 ]] && break
    sleep 0.05
  done
  # Released requests are handled right after they leave the wait: let them
  # land before anything else looks (an in-flight request reaches the server
  # before the restart, as it would after a real crash).
  sleep "${REL_SETTLE:-0.3}"
}

sim_writes() {
  sim_get /_sim/records | python3 -c '
import json, sys
s = json.load(sys.stdin)["summary"]
print(s["wms_deliveries"], s["tracking_posts"], s["inventory_sets"])'
}

# ---- project ---------------------------------------------------------------------

project_write() {
  local dir="$1" state="${2:-sqlite:.cartsync/state.db}"
  mkdir -p "$dir/carts.d"
  cat >"$dir/cartsync.toml" <<EOF
# Written by tests/reliability/lib.sh: the demo stores of cartsync-sim at $SIM_URL.
[state]
url = "$state"

[wms.main]
system = "http"
url = "$SIM_URL/wms"
token = { secret = "env:REL_WMS_TOKEN" }
warehouses = ["east", "west"]
carriers = ["UPS", "FEDEX", "USPS", "DHL"]
alias_types = ["shopify_sku", "upc"]

[defaults]
order_load.reject_unmapped_ship_codes = true
EOF
  cat >"$dir/carts.d/rel-acme-shopify.toml" <<EOF
[cart]
id = "rel-acme-shopify"
client = "acme"
platform = "shopify"

[api]
store_url = "https://acme.myshopify.com"
base_url = "$SIM_URL/shopify/acme"
access_token = { secret = "env:REL_SHOPIFY_TOKEN" }

[services.order_download]
enabled = true
every = "15m"

[services.shipment_upload]
enabled = true
every = "30m"

[services.inventory_upload]
enabled = true
every = "hourly"

[statuses]
status = ["open"]
financial_status = ["paid", "partially_refunded"]
fulfillment_status = ["unfulfilled", "partial"]

[order_load]
earliest_order_date = 2026-10-01
sync_inventory_with = "all"
sync_inventory_alias = "shopify_sku"
minimum_inventory_level = 2

[ship_methods]
"Standard Shipping" = "USPS/GROUND_ADVANTAGE"
"Express (2 business days)" = "FEDEX/FEDEX_2_DAY"
"Overnight" = "FEDEX/STANDARD_OVERNIGHT"
"International Shipping" = "DHL/EXPRESS_WORLDWIDE"
"*" = "USPS/GROUND_ADVANTAGE"

[items]
translate_item_code = "shopify_sku"
filter = "blacklist"
filter_level = "item"
skus = ["GIFT-CARD", "SAMPLE-*"]

[carrier_codes]
"FEDEX" = "FedEx"
EOF
  cat >"$dir/carts.d/rel-bluebird-woo.toml" <<EOF
[cart]
id = "rel-bluebird-woo"
client = "bluebird"
platform = "woocommerce"

[api]
store_url = "https://bluebird.example"
base_url = "$SIM_URL/woo/bluebird"
consumer_key = { secret = "env:REL_WOO_KEY" }
consumer_secret = { secret = "env:REL_WOO_SECRET" }

[services.order_download]
enabled = true
every = "30m"

[services.shipment_upload]
enabled = true
every = "1h"

[services.inventory_upload]
enabled = true
every = "daily at 02:30"

[statuses]
status = ["processing", "on-hold"]

[order_load]
earliest_order_date = 2026-10-01
sync_inventory_with = "east"
sync_inventory_alias = "master_sku"

[ship_methods]
"Flat rate" = "USPS/PRIORITY"
"Free shipping" = "USPS/GROUND_ADVANTAGE"
"UPS Ground" = "UPS/GROUND"
# "Local pickup" and no shipping line stay unmapped: held.

[items]
translate_item_code = "master_sku"
filter = "whitelist"
filter_level = "item"
skus = ["BB-*"]

[[order_filters]]
field = "ship_to.country"
match = "exact"
values = ["US", "CA"]
mode = "required"
EOF
  cat >"$dir/carts.d/rel-cedar-bc.toml" <<EOF
[cart]
id = "rel-cedar-bc"
client = "cedar"
platform = "bigcommerce"

[api]
store_hash = "cedar"
base_url = "$SIM_URL/bigcommerce/cedar"
access_token = { secret = "env:REL_BC_TOKEN" }

[services.order_download]
enabled = true
every = "20m"

[services.shipment_upload]
enabled = true
every = "45m"

[services.inventory_upload]
enabled = true
every = "2h"

[statuses]
# Partially Shipped: the WMS gets only what is still to ship.
status = ["Awaiting Fulfillment", "Awaiting Shipment", "Partially Shipped"]

[order_load]
earliest_order_date = 2026-10-01
sync_inventory_with = "all"
sync_inventory_alias = "master_sku"
minimum_inventory_level = 1

[ship_methods]
"UPS Next Day Air®" = "UPS/NEXT_DAY_AIR"
"FedEx 2Day®" = "FEDEX/FEDEX_2_DAY"
"*" = "UPS/GROUND"

# Made-to-order pieces (CUSTOM-*) are not in the warehouse: such an order is held.
[items]
filter = "whitelist"
filter_level = "order"
skus = ["CH-*"]

[carrier_codes]
"UPS" = "ups"
"FEDEX" = "fedex"
EOF
  cat >"$dir/carts.d/rel-harbor-amazon.toml" <<EOF
[cart]
id = "rel-harbor-amazon"
client = "harbor"
platform = "amazon"

[api]
seller_id = "SIMHARBOR"
marketplace_id = "ATVPDKIKX0DER"
region = "na"
client_id = "amzn1.application-oa2-client.harbor"
client_secret = { secret = "env:REL_AMAZON_SECRET" }
refresh_token = { secret = "env:REL_AMAZON_REFRESH" }
base_url = "$SIM_URL/amazon/harbor"

[services.order_download]
enabled = true
every = "30m"

[services.shipment_upload]
enabled = true
every = "1h"

[services.inventory_upload]
enabled = true
every = "4h"

[statuses]
order_status = ["UNSHIPPED"]

[order_load]
earliest_order_date = 2026-10-01
sync_inventory_with = "all"
sync_inventory_alias = "master_sku"
minimum_inventory_level = 2

[ship_methods]
"NEXT_DAY" = "UPS/NEXT_DAY_AIR"
"*" = "USPS/GROUND_ADVANTAGE"

# More than 10 SKUs: the stock goes as one JSON_LISTINGS_FEED.
[items]
filter = "whitelist"
filter_level = "item"
skus = ["AZ-*"]

# Amazon takes its own carrier codes only.
[carrier_codes]
"UPS" = "UPS"
"USPS" = "USPS"
"FEDEX" = "FedEx"
EOF
  cat >"$dir/carts.d/rel-harbor-ebay.toml" <<EOF
[cart]
id = "rel-harbor-ebay"
client = "harbor-ebay"
platform = "ebay"

[api]
marketplace_id = "EBAY_US"
client_id = "demo-ebay-client"
client_secret = { secret = "env:REL_EBAY_SECRET" }
refresh_token = { secret = "env:REL_EBAY_REFRESH" }
base_url = "$SIM_URL/ebay/harbor"

[services.order_download]
enabled = true
every = "20m"

[services.shipment_upload]
enabled = true
every = "45m"

[services.inventory_upload]
enabled = true
every = "2h"

[statuses]
fulfillment_status = ["NOT_STARTED", "IN_PROGRESS"]

[order_load]
earliest_order_date = 2026-10-01
sync_inventory_with = "all"
sync_inventory_alias = "master_sku"
minimum_inventory_level = 1

[ship_methods]
"USPSPriority" = "USPS/PRIORITY"
"*" = "UPS/GROUND"

[items]
filter = "whitelist"
filter_level = "item"
skus = ["HG-*"]

# eBay's carrier enumeration spells FedEx this way.
[carrier_codes]
"FEDEX" = "FedEx"
EOF
  cat >"$dir/carts.d/rel-summit-walmart.toml" <<EOF
[cart]
id = "rel-summit-walmart"
client = "summit"
platform = "walmart"

[api]
client_id = "demo-walmart-client"
client_secret = { secret = "env:REL_WALMART_SECRET" }
base_url = "$SIM_URL/walmart/summit"
ship_node = "10000003527"

[services.order_download]
enabled = true
every = "15m"

[services.shipment_upload]
enabled = true
every = "30m"

[services.inventory_upload]
enabled = true
every = "2h"

# Orders are acknowledged once the WMS has them (Created -> Acknowledged).
[statuses]
status = ["Created", "Acknowledged"]

[order_load]
earliest_order_date = 2026-10-01
sync_inventory_with = "all"
sync_inventory_alias = "master_sku"
minimum_inventory_level = 2

[ship_methods]
"OneDay" = "FEDEX/STANDARD_OVERNIGHT"
"Express" = "FEDEX/FEDEX_2_DAY"
"*" = "UPS/GROUND"

[items]
translate_item_code = "master_sku"
filter = "whitelist"
filter_level = "item"
skus = ["SS-*"]

# Walmart's carrier enumeration spells FedEx this way.
[carrier_codes]
"FEDEX" = "FedEx"
EOF
  cat >"$dir/carts.d/rel-greenleaf-magento.toml" <<EOF
[cart]
id = "rel-greenleaf-magento"
client = "greenleaf"
platform = "magento"

[api]
store_url = "https://www.greenleaftea.example"
base_url = "$SIM_URL/magento/greenleaf"
access_token = { secret = "env:REL_MAGENTO_TOKEN" }
store_code = "default"
inventory_api = "msi"
source_code = "default"

[services.order_download]
enabled = true
every = "15m"

[services.shipment_upload]
enabled = true
every = "30m"

[services.inventory_upload]
enabled = true
every = "2h"

[statuses]
status = ["processing", "pending"]

# Magento takes on-hand quantities (no minimum_inventory_level: it could not
# take effect on on-hand stock).
[order_load]
earliest_order_date = 2026-10-01
sync_inventory_with = "all"
sync_inventory_alias = "master_sku"

[ship_methods]
"Flat Rate - Fixed" = "USPS/PRIORITY"
"Free Shipping - Free" = "USPS/GROUND_ADVANTAGE"
"United Parcel Service - *" = "UPS/GROUND"
"Federal Express - Priority Overnight" = "FEDEX/PRIORITY_OVERNIGHT"
# "DHL - Express worldwide" stays unmapped: held.

# One WMS for every store here: only the tea SKUs go to this cart (the gift
# sampler, packed by hand in the shop, is left out of orders and stock).
[items]
filter = "whitelist"
filter_level = "item"
skus = ["GT-*"]

[carrier_codes]
"UPS" = "ups"
"FEDEX" = "fedex"
"USPS" = "usps"
"DHL" = "dhl"
EOF
  # The same rules, for rel_check (an independent reading of the carts above:
  # status labels as GET /_sim/orders spells them, fnmatch patterns).
  # "partial": status patterns of orders with lines shipped already, whose
  # remaining quantities snapshot_orders reads from the store API ("store_api").
  cat >"$dir/expect.json" <<'EOF'
{"carts": [
 {"id": "rel-acme-shopify", "platform": "shopify", "store": "acme",
  "statuses": ["open/paid/unfulfilled", "open/paid/partial",
               "open/partially_refunded/unfulfilled", "open/partially_refunded/partial"],
  "partial": ["*/partial"],
  "store_api": {"kind": "shopify", "path": "/shopify/acme/admin/api/2026-10",
                "headers": {"X-Shopify-Access-Token": "demo-shopify-token"}},
  "earliest": "2026-10-01", "countries": null,
  "items": {"filter": "blacklist", "level": "item", "skus": ["GIFT-CARD", "SAMPLE-*"]},
  "translate": "shopify_sku",
  "ship_codes": ["Standard Shipping", "Express (2 business days)", "Overnight", "International Shipping"],
  "ship_default": true,
  "inventory": {"with": "all", "alias": "shopify_sku", "minimum": 2},
  "shipped_status": null},
 {"id": "rel-bluebird-woo", "platform": "woocommerce", "store": "bluebird",
  "statuses": ["processing", "on-hold"],
  "earliest": "2026-10-01", "countries": ["US", "CA"],
  "items": {"filter": "whitelist", "level": "item", "skus": ["BB-*"]},
  "translate": "master_sku",
  "ship_codes": ["Flat rate", "Free shipping", "UPS Ground"],
  "ship_default": false,
  "inventory": {"with": "east", "alias": "master_sku", "minimum": 0},
  "shipped_status": "completed"},
 {"id": "rel-cedar-bc", "platform": "bigcommerce", "store": "cedar",
  "statuses": ["Awaiting Fulfillment", "Awaiting Shipment", "Partially Shipped"],
  "partial": ["Partially Shipped"],
  "store_api": {"kind": "bigcommerce", "path": "/bigcommerce/cedar",
                "headers": {"X-Auth-Token": "demo-bc-token", "Accept": "application/json"}},
  "earliest": "2026-10-01", "countries": null,
  "items": {"filter": "whitelist", "level": "order", "skus": ["CH-*"]},
  "translate": "master_sku",
  "ship_codes": ["UPS Next Day Air®", "FedEx 2Day®"],
  "ship_default": true,
  "inventory": {"with": "all", "alias": "master_sku", "minimum": 1},
  "shipped_status": null},
 {"id": "rel-harbor-amazon", "platform": "amazon", "store": "harbor",
  "statuses": ["UNSHIPPED"],
  "earliest": "2026-10-01", "countries": null,
  "items": {"filter": "whitelist", "level": "item", "skus": ["AZ-*"]},
  "translate": "master_sku",
  "ship_codes": ["NEXT_DAY"],
  "ship_default": true,
  "inventory": {"with": "all", "alias": "master_sku", "minimum": 2},
  "shipped_status": null},
 {"id": "rel-harbor-ebay", "platform": "ebay", "store": "harbor",
  "statuses": ["NOT_STARTED", "IN_PROGRESS"],
  "earliest": "2026-10-01", "countries": null,
  "items": {"filter": "whitelist", "level": "item", "skus": ["HG-*"]},
  "translate": "master_sku",
  "ship_codes": ["USPSPriority"],
  "ship_default": true,
  "inventory": {"with": "all", "alias": "master_sku", "minimum": 1},
  "shipped_status": null},
 {"id": "rel-summit-walmart", "platform": "walmart", "store": "summit",
  "statuses": ["Created", "Acknowledged"],
  "acknowledges": true,
  "earliest": "2026-10-01", "countries": null,
  "items": {"filter": "whitelist", "level": "item", "skus": ["SS-*"]},
  "translate": "master_sku",
  "ship_codes": ["OneDay", "Express"],
  "ship_default": true,
  "inventory": {"with": "all", "alias": "master_sku", "minimum": 2},
  "shipped_status": null},
 {"id": "rel-greenleaf-magento", "platform": "magento", "store": "greenleaf",
  "statuses": ["processing", "pending"],
  "earliest": "2026-10-01", "countries": null,
  "items": {"filter": "whitelist", "level": "item", "skus": ["GT-*"]},
  "translate": "master_sku",
  "ship_codes": ["Flat Rate - Fixed", "Free Shipping - Free", "United Parcel Service - *",
                 "Federal Express - Priority Overnight"],
  "ship_default": false,
  "inventory": {"with": "all", "alias": "master_sku", "minimum": 0, "quantity": "on_hand"},
  "shipped_status": null}
]}
EOF
}

project_carts() {
  python3 -c 'import json,sys; [print(c["id"]) for c in json.load(open(sys.argv[1]))["carts"]]' "$1/expect.json"
}

snapshot_orders() {
  local dir="$1"
  python3 - "$dir" "$SIM_URL" <<'PY'
import fnmatch, json, os, sys, urllib.request
d, base = sys.argv[1], sys.argv[2]
path = os.path.join(d, "orders.json")
known = json.load(open(path)) if os.path.exists(path) else {}
for c in json.load(open(os.path.join(d, "expect.json")))["carts"]:
    url = f"{base}/_sim/orders?platform={c['platform']}&store={c['store']}"
    with urllib.request.urlopen(url, timeout=60) as r:
        orders = json.load(r)["orders"]
    mine = known.setdefault(c["id"], {})
    fresh = [o for o in orders if o["id"] not in mine]
    for o in fresh:
        mine[o["id"]] = o  # first seen wins: later statuses are our own doing
    # Partly shipped orders: what is left per line, as the store API says.
    api = c.get("store_api")
    partial = [o for o in fresh if any(fnmatch.fnmatchcase(o["status"], p) for p in c.get("partial", []))]
    if api and partial:
        def get(path):
            req = urllib.request.Request(base + api["path"] + path, headers=api["headers"])
            with urllib.request.urlopen(req, timeout=60) as r:
                return json.load(r)
        if api["kind"] == "shopify":
            for i in range(0, len(partial), 50):
                ids = ",".join(o["id"] for o in partial[i:i + 50])
                for so in get(f"/orders.json?ids={ids}&status=any&limit=250")["orders"]:
                    mine[str(so["id"])]["remaining"] = [
                        {"sku": l["sku"] or "", "quantity": min(l["quantity"], l["fulfillable_quantity"])}
                        for l in so["line_items"]]
        elif api["kind"] == "bigcommerce":
            for o in partial:
                o["remaining"] = [{"sku": p["sku"], "quantity": p["quantity"] - p.get("quantity_shipped", 0)}
                                  for p in get(f"/v2/orders/{o['id']}/products")]
tmp = path + ".tmp"
json.dump(known, open(tmp, "w"))
os.replace(tmp, path)
PY
}

# ---- running cartsync -----------------------------------------------------------------

cs_run_bg() {
  local dir="$1" out="$2"; shift 2
  rm -f "$out.json"
  CS_STARTED_MS=$(rel_now_ms)
  "$CARTSYNC_BIN" run "$dir" --report "$out.json" "$@" >"$out.out" 2>"$out.err" &
  CS_PID=$!
  REL_CHILDREN+=("$CS_PID")
}

cs_wait() {
  local pid="$1" limit="${2:-$REL_RUN_TIMEOUT}"
  local deadline=$(($(rel_now_ms) + limit * 1000))
  while kill -0 "$pid" 2>/dev/null; do
    if (($(rel_now_ms) > deadline)); then
      kill -KILL "$pid" 2>/dev/null
      wait "$pid" 2>/dev/null
      return 124
    fi
    sleep 0.02
  done
  wait "$pid" 2>/dev/null
}

cs_kill() {
  kill -KILL "$1" 2>/dev/null
  wait "$1" 2>/dev/null
  return 137
}

cs_run() {
  cs_run_bg "$@"
  cs_wait "$CS_PID"
  local rc=$?
  if [[ -n ${REL_VERBOSE:-} ]]; then cat "$2.out" >&2; fi
  return $rc
}

cs_unlock_all() {
  local cart
  for cart in $(project_carts "$1"); do
    "$CARTSYNC_BIN" state unlock "$cart" --project "$1" >/dev/null 2>&1 || true
  done
}

cs_noop() {
  python3 - "$1.json" <<'PY'
import json, sys
try:
    r = json.load(open(sys.argv[1]))
except Exception:
    sys.exit(1)
busy = ("downloaded", "sent", "send_failed", "tracking_uploaded", "tracking_failed",
        "skus_pushed", "skus_failed", "reconciled", "released")
ok = r.get("ok") and all(s["state"] == "ok" and not any(s["counts"].get(k) for k in busy)
                         for s in r["steps"])
sys.exit(0 if ok else 1)
PY
}

state_intents() {
  python3 - "$1/.cartsync/state.db" <<'PY'
import os, sqlite3, sys
if not os.path.exists(sys.argv[1]):
    print(0, 0); sys.exit(0)
db = sqlite3.connect(sys.argv[1], timeout=30)
n = dict(db.execute("SELECT kind, count(*) FROM intents GROUP BY kind"))
print(n.get("push_order", 0), n.get("upload_tracking", 0))
PY
}

# ---- checking ----------------------------------------------------------------------

rel_check() {
  local dir="$1" out="${2:-$1/check.json}"
  sim_records "$dir/records.json"
  python3 - "$dir" "$SIM_URL" "$REL_WMS_TOKEN" "$out" <<'PY'
import fnmatch, json, os, sqlite3, sys, urllib.request
d, base, token, out = sys.argv[1:5]
expect = json.load(open(os.path.join(d, "expect.json")))["carts"]
snap = json.load(open(os.path.join(d, "orders.json")))
rec = json.load(open(os.path.join(d, "records.json")))

def wms(path):
    req = urllib.request.Request(base + "/wms" + path, headers={"Authorization": "Bearer " + token})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.load(r)

aliases = {a["sku"]: a["aliases"] for a in wms("/aliases")["aliases"]}
by_alias = {}
for sku, al in aliases.items():
    for t, v in al.items():
        by_alias.setdefault(t, {})[v] = sku
inventory = wms("/inventory")["inventory"]

def passes(items, sku):
    if items["filter"] == "disabled":
        return True
    listed = any(fnmatch.fnmatchcase(sku, p) for p in items["skus"])
    return listed if items["filter"] == "whitelist" else not listed

def decide(c, o):
    """('send' | 'held' | 'skipped' | 'not downloaded', units to ship), as the cart's rules say."""
    if not any(fnmatch.fnmatchcase(o["status"], p) for p in c["statuses"]):
        return "not downloaded", 0
    if o["created_at"][:10] < c["earliest"]:
        return "skipped", 0
    if c["countries"] is not None and o["country"] not in c["countries"]:
        return "skipped", 0
    lines, units = [], 0
    # Lines shipped already (snapshot_orders read them from the store) do not go again.
    for l in (o["remaining"] if "remaining" in o else o["lines"]):
        if l["quantity"] <= 0:
            continue
        if passes(c["items"], l["sku"]):
            lines.append(l["sku"])
            units += l["quantity"]
        elif c["items"]["level"] == "order":
            return "held", 0
    if not lines:
        return "skipped", 0
    if c["translate"] != "master_sku":
        for s in lines:
            if s not in by_alias.get(c["translate"], {}) and s not in aliases:
                return "held", 0
    if not any(fnmatch.fnmatchcase(o["ship_code"], p) for p in c["ship_codes"]) and not c["ship_default"]:
        return "held", 0
    return "send", units

counts = dict(eligible=0, delivered_once=0, lost_orders=0, duplicated_orders=0,
              unexpected_orders=0, shipped=0, tracking_once=0, tracking_withheld=0, lost_tracking=0,
              duplicated_tracking=0, unexpected_tracking=0, stuck_new=0, stuck_state=0,
              pending_intents=0, leases=0, not_completed=0, inventory_checked=0,
              inventory_wrong=0, wrong_quantity=0, acks_checked=0, acks_once=0, lost_acks=0,
              duplicated_acks=0, unexpected_acks=0)
problems = []
deliveries = {o["order_key"]: o for o in rec["wms_orders"]}
eligible = {}  # order key -> units the WMS is to ship
for c in expect:
    for oid, o in snap.get(c["id"], {}).items():
        verdict, units = decide(c, o)
        if verdict == "send":
            eligible[f'{c["id"]}:{oid}'] = units
counts["eligible"] = len(eligible)
for key in sorted(eligible):
    n = deliveries.get(key, {}).get("deliveries", 0)
    if n == 1:
        counts["delivered_once"] += 1
        body = deliveries[key].get("first_body") or {}
        got = sum(l.get("quantity", 0) for l in body.get("lines", []))
        if got != eligible[key]:
            counts["wrong_quantity"] += 1
            problems.append(f"order {key} asks the WMS for {got} units, {eligible[key]} are left to ship")
    elif n == 0:
        counts["lost_orders"] += 1
        problems.append(f"lost order {key}")
    else:
        counts["duplicated_orders"] += 1
        problems.append(f"order {key} delivered {n} times")
for key, o in deliveries.items():
    if key not in eligible:
        counts["unexpected_orders"] += 1
        problems.append(f"order {key} delivered ({o['deliveries']}x) but not eligible")

# acknowledgements (carts with "acknowledges", Walmart): every order delivered
# to the WMS acknowledged at the cart exactly once (the simulator records each
# acknowledge call as a status change to Acknowledged, from Created the first
# time), none that was not delivered. An order first seen Acknowledged already
# (acknowledged before cartsync looked) must not be acknowledged again.
acks = {}
for s in rec.get("status_changes", []):
    if s["to"] == "Acknowledged":
        acks.setdefault((s["platform"], s["store"], s["order_id"]), []).append(s)
for c in expect:
    if not c.get("acknowledges"):
        continue
    for oid, o in snap.get(c["id"], {}).items():
        key = f'{c["id"]}:{oid}'
        got = acks.get((c["platform"], c["store"], oid), [])
        if key not in deliveries:
            if got:
                counts["unexpected_acks"] += 1
                problems.append(f"order {key} acknowledged {len(got)}x at the cart but never delivered")
            continue
        counts["acks_checked"] += 1
        before = o["status"] == "Acknowledged"
        if before and not got or not before and len(got) == 1 and got[0]["from"] == "Created":
            counts["acks_once"] += 1
        elif not before and not got:
            counts["lost_acks"] += 1
            problems.append(f"order {key} delivered but never acknowledged at the cart")
        elif not before and len(got) == 1:
            counts["lost_acks"] += 1
            problems.append(f"order {key} acknowledged only once it was {got[0]['from']!r}, not 'Created'")
        else:
            counts["duplicated_acks"] += 1
            problems.append(f"order {key} acknowledged {len(got) + before} times "
                            f"(from {[a['from'] for a in got]})")

# Orders canceled at the cart (now): one the WMS shipped before the cancel
# reached it is a too-late cancel (order_cancel.h): its tracking is withheld
# from the cart unless it got there before the cancel, and its state says so.
canceled_at_cart = set()
for c in expect:
    url = f"{base}/_sim/orders?platform={c['platform']}&store={c['store']}"
    with urllib.request.urlopen(url, timeout=60) as r:
        for o in json.load(r)["orders"]:
            if str(o.get("status", "")).lower() in ("cancelled", "canceled"):
                canceled_at_cart.add((c["platform"], c["store"], str(o["id"])))

# tracking: every number the WMS issued, exactly once on its cart's order
carts = {c["id"]: c for c in expect}
posts = {}
for t in rec["tracking"]:
    posts.setdefault((t["platform"], t["store"], t["order_id"], t["tracking_number"]), []).append(t)
issued = set()
for s in rec["shipments"]:
    cart_id, _, oid = s["order_key"].partition(":")
    c = carts.get(cart_id)
    if c is None:
        continue
    k = (c["platform"], c["store"], oid, s["tracking_number"])
    issued.add(k)
    counts["shipped"] += 1
    n = len(posts.get(k, []))
    if n == 1:
        counts["tracking_once"] += 1
    elif n == 0 and k[:3] in canceled_at_cart:
        counts["tracking_withheld"] += 1  # canceled at the cart: no tracking for it
    elif n == 0:
        counts["lost_tracking"] += 1
        problems.append(f"tracking {s['tracking_number']} of {s['order_key']} never reached the cart")
    else:
        counts["duplicated_tracking"] += 1
        problems.append(f"tracking {s['tracking_number']} of {s['order_key']} posted {n} times")
for k, v in posts.items():
    if k not in issued:
        counts["unexpected_tracking"] += len(v)
        problems.append(f"tracking post {k} the WMS never issued")

# the cart reflects a shipment (WooCommerce: PUT status completed after the tracking)
for c in expect:
    if not c.get("shipped_status"):
        continue
    url = f"{base}/_sim/orders?platform={c['platform']}&store={c['store']}"
    with urllib.request.urlopen(url, timeout=60) as r:
        now = {o["id"]: o for o in json.load(r)["orders"]}
    for (plat, store, oid, _num) in issued:
        if (plat, store, oid) in canceled_at_cart:
            continue
        if plat == c["platform"] and store == c["store"] and now.get(oid, {}).get("status") != c["shipped_status"]:
            counts["not_completed"] += 1
            problems.append(f"{c['id']}:{oid} has its tracking but is {now.get(oid, {}).get('status')!r}, not {c['shipped_status']!r}")

# state: nothing left new or half-done
state_db = os.path.join(d, ".cartsync", "state.db")
if os.path.exists(state_db):
    db = sqlite3.connect(f"file:{state_db}?mode=ro", uri=True, timeout=30)
    status = dict(db.execute("SELECT order_key, status FROM orders"))
    reasons = dict(db.execute("SELECT order_key, reason FROM orders"))
    for key, st in status.items():
        if st == "new":
            counts["stuck_new"] += 1
            problems.append(f"order {key} still new in state")
    shipped_keys = {s["order_key"] for s in rec["shipments"]}
    for key in eligible:
        want = ("confirmed",) if key in shipped_keys else ("sent",)
        if deliveries.get(key, {}).get("canceled"):  # canceled at the cart, then at the WMS
            want = ("canceled",)
        cart_id, _, oid = key.partition(":")
        c = carts.get(cart_id)
        if (c and (c["platform"], c["store"], oid) in canceled_at_cart and key in shipped_keys and
                not deliveries.get(key, {}).get("canceled")):
            # Shipped before the cancel reached the WMS: recorded as too late
            # (tracking withheld), or confirmed when its tracking got there first.
            too_late = str(reasons.get(key, "")).startswith("cancel_too_late: ")
            want = ("shipped",) if too_late else ("confirmed",)
        st = status.get(key)
        if st not in want and not (st == "new" and key not in deliveries):
            counts["stuck_state"] += 1
            problems.append(f"order {key} is {st!r} in state, expected {want[0]}")
    counts["pending_intents"] = db.execute("SELECT count(*) FROM intents").fetchone()[0]
    if counts["pending_intents"]:
        problems.append(f"{counts['pending_intents']} unfinished intents in state")
    counts["leases"] = db.execute("SELECT count(*) FROM leases").fetchone()[0]
    if counts["leases"]:
        problems.append(f"{counts['leases']} leases left in state")
else:
    problems.append("no state database")

# inventory: the WMS stock through each cart's rules == the last value set on the cart
last = {}
for i in rec["inventory"]:
    last.setdefault((i["platform"], i["store"], i["sku"]), []).append(i)
for c in expect:
    inv = c["inventory"]
    stock = {}
    for r in inventory:
        if inv["with"] != "all" and r["warehouse"] != inv["with"]:
            stock.setdefault(r["sku"], 0)
            continue
        # Most carts get the WMS's available quantity; some (Magento) on_hand.
        stock[r["sku"]] = stock.get(r["sku"], 0) + r[inv.get("quantity", "available")]
    for sku, q in stock.items():
        q = max(0, q)
        if q < inv["minimum"]:
            q = 0
        cart_sku = sku
        if inv["alias"] != "master_sku":
            cart_sku = aliases.get(sku, {}).get(inv["alias"])
            if cart_sku is None:
                continue
        if not passes(c["items"], cart_sku):
            continue
        counts["inventory_checked"] += 1
        got = [i for i in last.get((c["platform"], c["store"], cart_sku), []) if i["known"]]
        if len(got) != 1 or got[0]["value"] != q:
            counts["inventory_wrong"] += 1
            problems.append(f"{c['id']} {cart_sku}: expected {q}, cart has "
                            f"{[(i['location'], i['value']) for i in got] or 'nothing'}")

counts["lost"] = counts["lost_orders"] + counts["lost_tracking"] + counts["lost_acks"]
counts["duplicated"] = counts["duplicated_orders"] + counts["duplicated_tracking"] + counts["duplicated_acks"]
counts["unexpected"] = (counts["unexpected_orders"] + counts["unexpected_tracking"] + counts["wrong_quantity"] +
                        counts["unexpected_acks"])
counts["stuck"] = (counts["stuck_new"] + counts["stuck_state"] + counts["pending_intents"] +
                   counts["leases"] + counts["not_completed"])
counts["sim_duplicate_wms_deliveries"] = rec["summary"]["duplicate_wms_deliveries"]
counts["sim_duplicate_tracking_posts"] = rec["summary"]["duplicate_tracking_posts"]
counts["problems"] = problems
json.dump(counts, open(out, "w"), indent=1)
for p in problems[:40]:
    print("  " + p, file=sys.stderr)
if len(problems) > 40:
    print(f"  … {len(problems) - 40} more in {out}", file=sys.stderr)
print(f"eligible {counts['eligible']} delivered-once {counts['delivered_once']}; "
      f"shipped {counts['shipped']} tracking-once {counts['tracking_once']} withheld {counts['tracking_withheld']}; "
      f"inventory SKUs {counts['inventory_checked']} wrong {counts['inventory_wrong']}; "
      f"acknowledged {counts['acks_checked']} once {counts['acks_once']}; "
      f"lost {counts['lost']} duplicated {counts['duplicated']} stuck {counts['stuck']} "
      f"unexpected {counts['unexpected']}")
bad = (counts["lost"] or counts["duplicated"] or counts["stuck"] or counts["unexpected"] or
       counts["inventory_wrong"] or counts["sim_duplicate_wms_deliveries"] or
       counts["sim_duplicate_tracking_posts"] or counts["eligible"] == 0)
sys.exit(1 if bad else 0)
PY
}
