#!/usr/bin/env bash
# Many runners, one PostgreSQL: RUNNERS `cartsync run --due` processes started
# at once on one project whose state is a real PostgreSQL server (started here
# with tests/state/postgres_server.sh), while random runners are SIGKILLed at
# random times and started again. 12 carts (4 Shopify, 4 WooCommerce, 4
# BigCommerce stores of cartsync-sim over HTTP, with latency per request so
# the runs overlap). Per round, asserts:
#   - every runner exits 0 (or was killed), none hangs;
#   - the runners split the carts: more than one of them ran steps;
#   - no step succeeded twice in one period of its schedule (a round may
#     cross a grid line: "20m" is due again at :20): the --due decision each runner
#     made at its start is re-checked in the claim, so a cart one runner just
#     finished is not run again by another (state table step_runs);
#   - no cart was processed by two runs at once: the step records of different
#     runs on one cart never overlap in time.
# Between rounds the stores get new orders and the WMS ships, and the step
# records are moved two days back (as if the schedules had come round).
# At the end, one settling run until nothing changes, then lib.sh's exactly-
# once checks (every order at the WMS once, every tracking number at its cart
# once, inventory set, nothing stuck; the PostgreSQL state is exported for
# them) and: no lease left, none held past its expiry.
#
#   tests/reliability/multi_runner_test.sh [ROUNDS=3] [SEED] [RUNNERS=4]
#
# Environment: MR_KILLS (kills per round, default 3), MR_LATENCY_MS (per
# simulated request, default 8), MR_ORDERS (orders per store, default 25),
# MR_IN_FLIGHT (each runner's --max-carts-in-flight, default 3),
# PG_BIN (the server's binaries), and lib.sh's. Exit 0 all good, 1 a check failed.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROUNDS="${1:-3}"
SEED="${2:-$(($(date +%s) % 1000000))}"
RUNNERS="${3:-4}"
[[ $ROUNDS =~ ^[0-9]+$ && $SEED =~ ^[0-9]+$ && $RUNNERS =~ ^[0-9]+$ ]] ||
  { echo "usage: $0 [ROUNDS] [SEED] [RUNNERS]" >&2; exit 2; }
RANDOM=$SEED
KILLS="${MR_KILLS:-3}"
LATENCY="${MR_LATENCY_MS:-8}"
ORDERS="${MR_ORDERS:-25}"
N_PER=4  # stores per platform

rel_init multi-runner
T0=$(rel_now_ms)
rel_log "rounds=$ROUNDS runners=$RUNNERS kills/round=$KILLS seed=$SEED work=$REL_WORK"

# ---- PostgreSQL -------------------------------------------------------------------
PG_DIR="$(mktemp -d "${TMPDIR:-/tmp}/cartsync-mr-pg.XXXXXX")"
rmdir "$PG_DIR"
_mr_cleanup() {
  local rc=$?
  [[ -f $PG_DIR/.cartsync-pg-server ]] && bash "$REL_ROOT/tests/state/postgres_server.sh" stop "$PG_DIR" >/dev/null 2>&1
  (exit $rc)
  _rel_cleanup
}
trap _mr_cleanup EXIT
PG_URL="$(bash "$REL_ROOT/tests/state/postgres_server.sh" start "$PG_DIR")" || rel_die "cannot start PostgreSQL"
export PGPASSFILE="$PG_DIR/pgpass"
PSQL="$(cat "$PG_DIR/.cartsync-pg-server")/psql"
[[ -x $PSQL ]] || PSQL=psql
pg() { "$PSQL" -X -q -At -v ON_ERROR_STOP=1 -d "$PG_URL" -c "$1"; }

# ---- simulator and project: 12 carts --------------------------------------------
python3 - "$REL_WORK/sim.json" "$ORDERS" "$SEED" "$LATENCY" "$N_PER" "$REL_FAST_LIMITS" <<'PY'
import json, sys
out, orders, seed, latency, n, limits = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
faults = json.loads("{" + f'"latency_ms": {latency}, ' + limits + "}")
stores = []
for k in range(1, n + 1):
    stores += [
        {"platform": "shopify", "name": f"acme{k}", "orders": orders, "token": "demo-shopify-token",
         "statuses": [{"status": "open/paid/unfulfilled", "weight": 50}, {"status": "open/paid/partial", "weight": 10},
                      {"status": "open/pending/unfulfilled", "weight": 8}, {"status": "closed/paid/fulfilled", "weight": 8}]},
        {"platform": "woocommerce", "name": f"bluebird{k}", "orders": orders,
         "consumer_key": "ck_demo", "consumer_secret": "cs_demo"},
        {"platform": "bigcommerce", "name": f"cedar{k}", "orders": orders, "token": "demo-bc-token",
         "statuses": [{"status": "Awaiting Fulfillment", "weight": 50}, {"status": "Partially Shipped", "weight": 10},
                      {"status": "Awaiting Payment", "weight": 8}, {"status": "Shipped", "weight": 8}]},
    ]
json.dump({"port": 0, "seed": seed, "demo": False, "faults": faults, "wms": {"as_of": "none"},
           "stores": stores}, open(out, "w"), indent=1)
PY
sim_start "$REL_WORK/sim.json"
P="$REL_WORK/project"
project_write "$P" "$PG_URL"
# lib.sh's Shopify, WooCommerce and BigCommerce carts, once per store; the
# other platforms' carts go.
python3 - "$P" "$N_PER" <<'PY'
import json, os, sys
p, n = sys.argv[1], int(sys.argv[2])
carts = os.path.join(p, "carts.d")
base = {"rel-acme-shopify": ("acme", "/shopify/acme"), "rel-bluebird-woo": ("bluebird", "/woo/bluebird"),
        "rel-cedar-bc": ("cedar", "/bigcommerce/cedar")}
for f in os.listdir(carts):
    os.remove(os.path.join(carts, f)) if f[:-5] not in base else None
expect = {c["id"]: c for c in json.load(open(os.path.join(p, "expect.json")))["carts"]}
out = []
for cid, (store, path) in base.items():
    text = open(os.path.join(carts, cid + ".toml")).read()
    os.remove(os.path.join(carts, cid + ".toml"))
    for k in range(1, n + 1):
        new_id = cid.replace(store, f"{store}{k}")
        t = (text.replace(f'id = "{cid}"', f'id = "{new_id}"')
                 .replace(f'client = "{store}"', f'client = "{store}{k}"')
                 .replace(path + '"', f'{path}{k}"')
                 .replace(f'store_hash = "{store}"', f'store_hash = "{store}{k}"'))
        open(os.path.join(carts, new_id + ".toml"), "w").write(t)
        c = json.loads(json.dumps(expect[cid]))
        c["id"], c["store"] = new_id, f"{store}{k}"
        if "store_api" in c:
            c["store_api"]["path"] = c["store_api"]["path"].replace(path, f"{path}{k}")
        out.append(c)
json.dump({"carts": out}, open(os.path.join(p, "expect.json"), "w"), indent=1)
PY
[[ $(ls "$P/carts.d" | wc -l) -eq $((3 * N_PER)) ]] || rel_die "expected $((3 * N_PER)) carts"

failures=0
fail() { rel_log "FAIL: $*"; ((failures++)); }
kills_done=0 restarts=0

# The state as rel_check reads it (a SQLite file): orders, intents, leases.
export_state() {
  local dir="$P/.cartsync"
  mkdir -p "$dir"
  rm -f "$dir/state.db"
  pg "SELECT order_key, status, reason FROM orders" >"$REL_WORK/orders.tsv" || rel_die "cannot read orders"
  local intents leases
  intents=$(pg "SELECT count(*) FROM intents") || rel_die "cannot read intents"
  leases=$(pg "SELECT count(*) FROM leases") || rel_die "cannot read leases"
  python3 - "$dir/state.db" "$REL_WORK/orders.tsv" "$intents" "$leases" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("CREATE TABLE orders (order_key TEXT PRIMARY KEY, status TEXT, reason TEXT)")
db.execute("CREATE TABLE intents (id INTEGER)")
db.execute("CREATE TABLE leases (cart_id TEXT)")
for line in open(sys.argv[2]):
    if "|" in line:
        k, s, reason = (line.rstrip("\n").split("|", 2) + [""])[:3]  # the reason last: it may hold a "|"
        db.execute("INSERT INTO orders VALUES (?, ?, ?)", (k, s, reason))
db.executemany("INSERT INTO intents VALUES (?)", [(i,) for i in range(int(sys.argv[3]))])
db.executemany("INSERT INTO leases VALUES (?)", [(str(i),) for i in range(int(sys.argv[4]))])
db.commit()
PY
}

# ---- rounds ------------------------------------------------------------------------
# A runner holds a few carts at a time: with all 12 in flight, the runner that
# starts first takes every cart before the others are up, and the others find
# them locked (right, but then no claim races another run's record).
RUN_ARGS=(--max-carts-in-flight "${MR_IN_FLIGHT:-3}")
STORES=()
for k in $(seq "$N_PER"); do STORES+=("shopify acme$k" "woocommerce bluebird$k" "bigcommerce cedar$k"); done
for round in $(seq "$ROUNDS"); do
  if ((round > 1)); then
    for s in "${STORES[@]}"; do
      read -r platform store <<<"$s"
      sim_add_orders "$platform" "$store" "$(rel_rand 1 4)"
    done
    sim_ship >/dev/null
    # As if the schedules had come round: every step is due again.
    pg "UPDATE step_runs SET started_ms = started_ms - 172800000, finished_ms = finished_ms - 172800000" ||
      rel_die "cannot move the step records back"
  fi
  snapshot_orders "$P"
  round_start=$(rel_now_ms)
  declare -A PIDS=()
  for r in $(seq "$RUNNERS"); do
    cs_run_bg "$P" "$REL_WORK/r$round-$r-0" --due "${RUN_ARGS[@]}"
    PIDS[$r]=$CS_PID
  done
  # Kill random runners at random times, starting each again at once.
  for k in $(seq "$KILLS"); do
    sleep "0.$(rel_rand 15 90)"
    r=$(rel_rand 1 "$RUNNERS")
    if kill -0 "${PIDS[$r]}" 2>/dev/null; then
      cs_kill "${PIDS[$r]}"
      ((kills_done++))
    else
      cs_wait "${PIDS[$r]}" 5
    fi
    cs_run_bg "$P" "$REL_WORK/r$round-$r-$k" --due "${RUN_ARGS[@]}"
    PIDS[$r]=$CS_PID
    ((restarts++))
  done
  for r in $(seq "$RUNNERS"); do
    cs_wait "${PIDS[$r]}"; rc=$?
    ((rc == 0)) || fail "round $round: runner $r exited $rc: $(tail -n 3 "$REL_WORK/r$round-$r-"*.err 2>/dev/null | tr '\n' ' ' | cut -c1-400)"
  done
  # Per round, from the state: no step succeeded twice, no two runs on one cart at once.
  # Schedules are on a grid ("20m": at :00, :20, :40), so a round that crosses
  # a grid line may rightly run a step again: twice means twice in one period.
  twice=$(pg "SELECT step_id || '|' || finished_ms FROM step_runs WHERE ok AND started_ms >= $round_start" |
    python3 -c '
import collections, os, re, sys, tomllib
units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
period = {}
for f in os.listdir(sys.argv[1]):
    cart = tomllib.load(open(os.path.join(sys.argv[1], f), "rb"))
    for service, s in cart.get("services", {}).items():
        every = s.get("every", "")
        m = re.fullmatch(r"([0-9]+)([smhd])", every)
        d = re.fullmatch(r"daily at ([0-9]{2}):([0-9]{2})", every)  # UTC, no zone
        if every == "hourly":
            grid = (3600, 0)
        elif m:
            grid = (int(m[1]) * units[m[2]], 0)
        elif d:
            grid = (86400, int(d[1]) * 3600 + int(d[2]) * 60)
        else:
            sys.exit("schedule %r of %s: not one the check knows" % (every, f))
        period[cart["cart"]["id"] + "/" + service] = grid
runs = collections.Counter()
for line in sys.stdin:
    step, finished = line.strip().split("|")
    length, offset = period[step]
    runs[step, (int(finished) // 1000 - offset) // length] += 1
for (step, _), n in sorted(runs.items()):
    if n > 1:
        print("%s x%d" % (step, n))' "$P/carts.d") || fail "round $round: the step check failed"
  [[ -z $twice ]] || fail "round $round: steps that succeeded twice in one period of their schedule: $(echo $twice)"
  overlap=$(pg "SELECT a.cart_id || ': run ' || a.run_id || ' ' || a.step_id || ' and run ' || b.run_id || ' ' || b.step_id
                FROM step_runs a JOIN step_runs b ON a.cart_id = b.cart_id AND a.run_id < b.run_id
                AND a.started_ms < b.finished_ms AND b.started_ms < a.finished_ms
                WHERE a.started_ms >= $round_start AND b.started_ms >= $round_start")
  [[ -z $overlap ]] || fail "round $round: a cart processed by two runs at once: $(echo $overlap | cut -c1-400)"
  ran=$(pg "SELECT count(DISTINCT run_id) FROM step_runs WHERE started_ms >= $round_start")
  steps=$(pg "SELECT count(*) FROM step_runs WHERE ok AND started_ms >= $round_start")
  ((ran >= 2)) || fail "round $round: only $ran run(s) ran steps: the runners did not split the carts"
  rel_log "round $round: $steps steps ok, by $ran runs; $(sim_writes | awk '{print "writes so far: " $1 " deliveries, " $2 " tracking posts, " $3 " inventory sets"}')"
  unset PIDS
done

# ---- settle and check ----------------------------------------------------------------
sim_ship >/dev/null
noop=0
for i in 1 2 3 4 5; do
  w_before="$(sim_writes)"
  cs_run "$P" "$REL_WORK/final$i"; rc=$?
  if [[ $rc -eq 0 && $w_before == "$(sim_writes)" ]] && cs_noop "$REL_WORK/final$i"; then noop=1; break; fi
done
((noop)) || fail "no settling run was a no-op"
stale_leases=$(pg "SELECT count(*) FROM leases WHERE expires_ms <= (extract(epoch FROM clock_timestamp()) * 1000)::bigint")
((stale_leases == 0)) || fail "$stale_leases leases held past their expiry"
export_state
rel_check "$P" "$REL_WORK/check.json" || fail "end-to-end checks"
rel_log "$ROUNDS rounds, $RUNNERS runners, $kills_done kills, $restarts restarts, $((($(rel_now_ms) - T0) / 1000))s"
((failures == 0)) || rel_die "$failures failures"
rel_log "ok"
