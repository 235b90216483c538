# shellcheck shell=bash
# Shared by tools/bench/throughput, ratelimit and memory: binaries, a work
# directory, a cartsync-sim on a free loopback port, and a generated project
# whose carts point at the simulator's stores. Sourced, not run.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BENCH_BUILD_DIR="${BUILD_DIR:-$ROOT/build}"

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

# --- binaries ------------------------------------------------------------------------
# CARTSYNC / CARTSYNC_SIM override; default: the build directory's.
bench_binaries() {
  CARTSYNC="${CARTSYNC:-$BENCH_BUILD_DIR/tools/cartsync}"
  CARTSYNC_SIM="${CARTSYNC_SIM:-$BENCH_BUILD_DIR/tools/simulator/cartsync-sim}"
  [[ -x $CARTSYNC ]] || die "no cartsync at $CARTSYNC (cmake --build build --target cartsync, or set CARTSYNC=PATH)"
  [[ -x $CARTSYNC_SIM ]] || die "no cartsync-sim at $CARTSYNC_SIM (cmake --build build --target cartsync-sim, or set CARTSYNC_SIM=PATH)"
  CARTSYNC="$(realpath "$CARTSYNC")"
  CARTSYNC_SIM="$(realpath "$CARTSYNC_SIM")"
  command -v python3 >/dev/null || die "python3 is needed"
  command -v curl >/dev/null || die "curl is needed"
}

# --- work directory ------------------------------------------------------------------
# BENCH_DIR: kept when given (its contents are replaced), else a fresh mktemp dir
# removed at exit unless KEEP=1.
bench_workdir() {
  if [[ -n "${BENCH_DIR:-}" ]]; then
    mkdir -p "$BENCH_DIR"
    BENCH_DIR="$(realpath "$BENCH_DIR")"
    BENCH_OWN_DIR=0
  else
    BENCH_DIR="$(mktemp -d /tmp/cartsync-bench.XXXXXX)"
    BENCH_OWN_DIR=1
  fi
  SIM_PID=""
  trap bench_cleanup EXIT
}

bench_cleanup() {
  local rc=$?
  stop_sim
  if [[ ${KEEP:-0} == 1 || $BENCH_OWN_DIR == 0 ]]; then
    echo "kept: $BENCH_DIR" >&2
  else
    rm -rf -- "$BENCH_DIR"
  fi
  return $rc
}

# --- the simulator ---------------------------------------------------------------------
# start_sim CONFIG.json [TIMEOUT_S]: cartsync-sim on a free port (the config's
# "port" is overridden), waits for /_sim/health; sets SIM_URL and SIM_PID.
start_sim() {
  local config="$1" timeout="${2:-300}"
  local out="$BENCH_DIR/sim.log"
  stop_sim
  # Emptied here, not only by the child's redirection: a look before the new
  # simulator has opened the file would read the last one's URL.
  : >"$out"
  "$CARTSYNC_SIM" --port 0 --quiet --config "$config" >"$out" 2>&1 &
  SIM_PID=$!
  SIM_URL=""
  local deadline=$((SECONDS + timeout))
  while :; do
    if ! kill -0 "$SIM_PID" 2>/dev/null; then
      cat "$out" >&2
      SIM_PID=""
      die "cartsync-sim exited at start-up"
    fi
    [[ -z $SIM_URL ]] && SIM_URL="$(grep -m1 -o '^http://127\.0\.0\.1:[0-9]*' "$out" || true)"
    if [[ -n $SIM_URL ]] && curl -sf --max-time 5 "$SIM_URL/_sim/health" >/dev/null; then break; fi
    ((SECONDS < deadline)) || die "cartsync-sim did not come up within ${timeout}s (seeding?)"
    sleep 0.2
  done
}

stop_sim() {
  if [[ -n ${SIM_PID:-} ]] && kill -0 "$SIM_PID" 2>/dev/null; then
    kill "$SIM_PID" 2>/dev/null || true
    wait "$SIM_PID" 2>/dev/null || true
  fi
  SIM_PID=""
}

sim_records() { curl -sf --max-time 120 "$SIM_URL/_sim/records"; }
# sim_cpu_s: the simulator's CPU time so far (user + system), in seconds.
sim_cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f\n", ($14 + $15) / hz }' "/proc/$SIM_PID/stat"; }
# cpu_delta BEFORE AFTER: AFTER - BEFORE, seconds to 2 decimals.
cpu_delta() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# --- configs and projects ---------------------------------------------------------------
# sim_config OUT.json FAULTS_JSON PLATFORM:NAME:ORDERS… — stores whose orders
# all download (one downloadable status, a ship method on every order, every
# SKU stocked and sold under its WMS SKU), dated in the last ~2 months.
sim_config() {
  local out="$1" faults="$2"; shift 2
  python3 - "$out" "$faults" "$@" <<'PY'
import datetime, json, sys

out, faults, specs = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3:]
start = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=60)).strftime("%Y-%m-%dT00:00:00Z")
status = {"shopify": "open/paid/unfulfilled", "woocommerce": "processing", "bigcommerce": "Awaiting Fulfillment"}
stores = []
for i, spec in enumerate(specs):
    platform, name, orders = spec.split(":")
    stores.append({"platform": platform, "name": name, "orders": int(orders), "seed": i + 1,
                   "start_date": start, "span_hours": 50 * 24,
                   "statuses": [{"status": status[platform], "weight": 1}],
                   "no_shipping_percent": 0, "po_box_percent": 0, "extra_skus": [],
                   "wms_alias_type": "", "token": "bench-token",
                   "client_id": "bench-client", "client_secret": "bench-client-secret",
                   "consumer_key": "ck_bench", "consumer_secret": "cs_bench"})
json.dump({"seed": 1, "demo": False, "faults": faults, "stores": stores}, open(out, "w"), indent=1)
PY
}

# gen_project DIR SIM_CONFIG.json SIM_URL [SERVICE…]: cartsync.toml + one cart per
# store with these services (default order_download; "*" maps every ship code).
# Secrets: env BENCH_*.
gen_project() {
  local dir="$1" config="$2" url="$3"; shift 3
  rm -rf -- "$dir"
  mkdir -p "$dir/carts.d"
  python3 - "$dir" "$config" "$url" "${@:-order_download}" <<'PY'
import datetime, json, sys

project, config, url = sys.argv[1], json.load(open(sys.argv[2])), sys.argv[3]
services = "".join(f'\n[services.{s}]\nenabled = true\nevery = "30m"\n' for s in sys.argv[4:])
earliest = (datetime.date.today() - datetime.timedelta(days=90)).isoformat()
open(f"{project}/cartsync.toml", "w").write(f'''# Generated by tools/bench (simbench.sh).
[project]
carts = "carts.d"

[state]
url = "sqlite:.cartsync/state.db"

[wms.main]
system = "http"
url = "{url}/wms"
token = {{ secret = "env:BENCH_WMS_TOKEN" }}
warehouses = ["east", "west"]
carriers = ["UPS", "FEDEX", "USPS", "DHL"]
''')
for s in config["stores"]:
    p, name = s["platform"], s["name"]
    cart = f"bench-{name}"
    if p == "shopify":
        api = f'''store_url = "https://{name}.myshopify.com"
base_url = "{url}/shopify/{name}"
client_id = "bench-client"
client_secret = {{ secret = "env:BENCH_SHOPIFY_SECRET" }}'''
        statuses = 'status = ["open"]\nfinancial_status = ["paid"]\nfulfillment_status = ["unfulfilled"]'
    elif p == "woocommerce":
        api = f'''store_url = "https://{name}.example"
base_url = "{url}/woo/{name}"
consumer_key = {{ secret = "env:BENCH_WOO_KEY" }}
consumer_secret = {{ secret = "env:BENCH_WOO_SECRET" }}'''
        statuses = 'status = ["processing"]'
    else:
        api = f'''store_hash = "{name.replace('-', '')}"
base_url = "{url}/bigcommerce/{name}"
access_token = {{ secret = "env:BENCH_CART_TOKEN" }}'''
        statuses = 'status = ["Awaiting Fulfillment"]'
    open(f"{project}/carts.d/{cart}.toml", "w").write(f'''[cart]
id = "{cart}"
client = "{cart}"
platform = "{p}"

[api]
{api}
{services}
[statuses]
{statuses}

[order_load]
earliest_order_date = {earliest}

[ship_methods]
"*" = "UPS/GROUND"
''')
PY
}

# The secrets gen_project's carts reference (sim_config's credentials).
export BENCH_WMS_TOKEN=demo-wms-token BENCH_CART_TOKEN=bench-token BENCH_WOO_KEY=ck_bench BENCH_WOO_SECRET=cs_bench \
  BENCH_SHOPIFY_SECRET=bench-client-secret

# Seconds since the epoch, with fractions.
now_s() { date +%s.%N; }
# cpu_timed FILE CMD…: runs CMD (its output and exit status untouched) and
# writes the CPU time it and its children used (user + system, seconds) to FILE.
cpu_timed() {
  local file="$1" rc=0 TIMEFORMAT='%U %S'
  shift
  { time "$@" 2>&3; } 3>&2 2>"$file" || rc=$?
  awk '{ printf "%.2f\n", $1 + $2 }' "$file" >"$file.sum" && mv -- "$file.sum" "$file"
  return "$rc"
}
