#!/usr/bin/env bash
# The main job: build cartsync and the cart/WMS simulator, check and plan the
# sample carts in carts.d, then run the whole pipeline end to end on loopback:
# start cartsync-sim (Shopify "acme", WooCommerce "bluebird", BigCommerce
# "cedar" and a WMS on 127.0.0.1:18080), and run the project in examples/demo
# against it — a dry run, a real run (orders -> WMS, stock -> carts), the WMS
# ships, a second run (tracking -> carts), a third run (nothing left to do) —
# then show the held orders and what the simulator recorded. Installs missing
# Debian packages itself. Takes a few seconds after the build; repeatable (the
# demo's state in examples/demo/.cartsync is deleted first).
# shellcheck source=tools/scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/scripts/common.sh"
CARTSYNC_PACKAGES+=(curl)  # the demo talks to the simulator's control endpoints
install_packages
if [[ -f $BUILD_DIR/CMakeCache.txt ]]; then
  # A build directory made before (by tools/test.sh, say) keeps its options:
  # turning its tests off there would leave ctest a stale test binary to run.
  cmake -S "$CARTSYNC_ROOT" -B "$BUILD_DIR" >/dev/null
  log "building cartsync and cartsync-sim in $BUILD_DIR (-j$JOBS)"
  cmake --build "$BUILD_DIR" -j "$JOBS" --target cartsync cartsync-sim
else
  configure_and_build "$BUILD_DIR" -DCARTSYNC_BUILD_TESTS=OFF
fi
cartsync="$BUILD_DIR/tools/cartsync"
sim="$BUILD_DIR/tools/simulator/cartsync-sim"
[[ -x $cartsync && -x $sim ]] || { echo "demo: $cartsync or $sim was not built" >&2; exit 1; }
cd "$CARTSYNC_ROOT"

PORT=18080  # examples/demo's carts and WMS point here
SIM_URL="http://127.0.0.1:$PORT"
DEMO=examples/demo
STATE="$DEMO/.cartsync"

say() { printf '%s\n' "$*"; }
# Prints at most $1 lines of stdin, then how many were left out.
head_of() {
  awk -v n="$1" 'NR <= n { print; next } { more++ } END { if (more) printf "  … %d more lines\n", more }'
}

# --- 1. the compiler on the sample project (carts.d, cartsync.toml) ----------------
log "cartsync check (carts.d, project cartsync.toml)"
"$cartsync" check

log "cartsync plan -o $BUILD_DIR/plan.json; preview (first cart)"
"$cartsync" plan -o "$BUILD_DIR/plan.json"
"$cartsync" plan --format text | head_of 34

log "a config with mistakes: cartsync check examples/bad-config (exit 1 expected)"
set +e
"$cartsync" check --color never examples/bad-config 2>&1 | head_of 6
status=${PIPESTATUS[0]}
set -e
[[ $status -eq 1 ]] || { echo "demo: expected exit 1 from the bad config, got $status" >&2; exit 1; }
say "(exit code 1: errors found, as expected; examples/bad-config/README.md lists them all)"

# --- 2. the runtime against the local simulator ------------------------------------
# The simulator's demo credentials, for the carts' env: secret references.
export DEMO_SHOPIFY_TOKEN=demo-shopify-token DEMO_SHOPIFY_CLIENT_SECRET=demo-shopify-client-secret
export DEMO_WOO_CONSUMER_KEY=ck_demo DEMO_WOO_CONSUMER_SECRET=cs_demo
export DEMO_BC_TOKEN=demo-bc-token
export DEMO_WALMART_CLIENT_SECRET=demo-walmart-client-secret
export DEMO_MAGENTO_TOKEN=demo-magento-token
export DEMO_AMAZON_LWA_CLIENT_SECRET=demo-amazon-lwa-secret DEMO_AMAZON_LWA_REFRESH_TOKEN='Atzr|demo-amazon-refresh'
export DEMO_EBAY_CLIENT_SECRET=demo-ebay-client-secret DEMO_EBAY_REFRESH_TOKEN=demo-ebay-refresh-token
export DEMO_WMS_TOKEN=demo-wms-token

rm -rf -- "$STATE"
mkdir -p "$STATE"

if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
  echo "demo: port $PORT is already in use (another cartsync-sim or demo?): stop that first," \
    "e.g. look with: ss -ltnp 'sport = :$PORT'" >&2
  exit 1
fi

# The simulator sends the platforms' rate limits (Shopify GraphQL: the cost
# bucket in every answer's extensions.cost, at the Standard plan's 2,000
# points restoring 100/s) and cartsync paces to them. At BigCommerce's
# standard 150 requests per 30 s the demo would take a while, so its shop
# advertises 1500 (the REST bucket values only matter to REST clients).
# Amazon's searchOrders allows one request per 3 minutes (burst 20): the
# demo store advertises 1000/s (x-amzn-RateLimit-Limit).
# tools/bench/ratelimit runs against the real ones.
cat > "$STATE/sim.json" <<'JSON'
{"faults": {"shopify_cost_maximum": 2000, "shopify_cost_restore_rate": 100,
            "bigcommerce_quota": 1500, "bigcommerce_window_ms": 30000, "amazon_rate": 1000}}
JSON

log "starting cartsync-sim on $SIM_URL (log: $STATE/sim.log)"
"$sim" --port "$PORT" --config "$STATE/sim.json" >"$STATE/sim.log" 2>&1 &
SIM_PID=$!
stop_sim() {
  if [[ -n ${SIM_PID:-} ]] && kill -0 "$SIM_PID" 2>/dev/null; then
    kill "$SIM_PID" 2>/dev/null || true
    wait "$SIM_PID" 2>/dev/null || true
  fi
}
trap stop_sim EXIT

for ((i = 0; ; i++)); do
  if ! kill -0 "$SIM_PID" 2>/dev/null; then
    echo "demo: cartsync-sim exited at start-up:" >&2
    cat "$STATE/sim.log" >&2
    exit 1
  fi
  curl -sf --max-time 1 "$SIM_URL/_sim/health" >/dev/null && break
  if ((i >= 100)); then
    echo "demo: cartsync-sim did not answer $SIM_URL/_sim/health within 10 s" >&2
    exit 1
  fi
  sleep 0.1
done
sed -n '2,$p' "$STATE/sim.log" | grep -v '^cartsync-sim:' || true

# Runs cartsync, its log (stderr) into $STATE/NAME.log; shows the first lines
# of the log, or all of it when cartsync failed.
run_logged() {
  local name="$1"; shift
  local rc=0
  "$cartsync" "$@" 2>"$STATE/$name.log" || rc=$?
  if ((rc != 0)); then
    cat "$STATE/$name.log" >&2
    echo "demo: cartsync $* failed (exit $rc)" >&2
    exit "$rc"
  fi
  local lines
  lines=$(wc -l <"$STATE/$name.log")
  if ((lines > 0)); then
    say "log ($lines lines, $STATE/$name.log):"
    head_of 4 <"$STATE/$name.log" | sed 's/^/  /'
  fi
}

log "cartsync check $DEMO"
"$cartsync" check "$DEMO"

log "cartsync run --dry-run $DEMO: read the carts and the WMS, write nothing"
run_logged dry-run run --dry-run "$DEMO" >"$STATE/dry-run.txt"
# The preview (a line per order, tracking number and SKU), two lines of each
# step; then the summary table.
awk '/^step / { table = 1 }
     table { print; next }
     /^  / { if (++shown <= 2) print; else more++; next }
     { if (more) printf "    … %d more\n", more; shown = more = 0; print }' "$STATE/dry-run.txt"

log "cartsync run $DEMO: orders -> WMS, stock -> carts"
run_logged run-1 run "$DEMO" --report "$STATE/run-1.json"
say "report: $STATE/run-1.json"

log "the WMS ships every order it received: POST $SIM_URL/_sim/ship"
curl -sf -d '' "$SIM_URL/_sim/ship"
echo

log "cartsync run $DEMO again: tracking -> carts"
run_logged run-2 run "$DEMO" --report "$STATE/run-2.json"

log "cartsync run $DEMO a third time: nothing new (held orders stay held)"
run_logged run-3 run "$DEMO" --report "$STATE/run-3.json"

log "cartsync state orders --status held --project $DEMO: why is my order missing?"
"$cartsync" state orders --status held --project "$DEMO"

log "what the simulator recorded (GET $SIM_URL/_sim/records)"
curl -sf "$SIM_URL/_sim/records" >"$STATE/records.json"
python3 - "$STATE/records.json" <<'PY'
import json, sys

r = json.load(open(sys.argv[1]))
s = r["summary"]
print(f"orders delivered to the WMS:  {s['wms_orders']} ({s['wms_deliveries']} POSTs, "
      f"{s['duplicate_wms_deliveries']} duplicates)")
print(f"shipments issued by the WMS:  {s['shipments_issued']}")
print(f"tracking posted to the carts: {s['tracking_posts']} ({s['duplicate_tracking_posts']} duplicates)")
print(f"inventory levels set:         {s['inventory_sets']} (on {len(r['inventory'])} store SKUs)")
print(f"cart/WMS requests:            {r['total_requests']}, 429s: {r['rate_limited_total']}")
# Shopify over the Admin GraphQL API only: orders in, fulfillments with tracking out.
shop = {k: v for k, v in r["requests"].items() if k.startswith("shopify/acme ")}
graphql = sum(v for k, v in shop.items() if k.endswith("/graphql.json"))
grants = sum(v for k, v in shop.items() if k.endswith("/admin/oauth/access_token"))
rest = sum(shop.values()) - graphql - grants
shop_orders = sum(1 for o in r["wms_orders"] if o["order_key"].startswith("acme-apparel-shopify:"))
shop_tracking = sum(1 for t in r["tracking"] if t["platform"] == "shopify" and t["kind"] == "fulfillment")
print(f"Shopify acme (GraphQL):       {shop_orders} orders delivered, {shop_tracking} fulfillments with tracking; "
      f"{graphql} GraphQL requests ({r['cost_spent'].get('shopify/acme', 0)} points, "
      f"{r['throttled'].get('shopify/acme', 0)} THROTTLED), {grants} token grant(s), {rest} REST requests")
bad = s["duplicate_wms_deliveries"] or s["duplicate_tracking_posts"] or s["wms_orders"] == 0 \
    or s["tracking_posts"] != s["shipments_issued"] or shop_orders == 0 or shop_tracking == 0 or rest != 0
sys.exit(1 if bad else 0)
PY
log "demo finished: the simulator stops now; state kept in $STATE"
