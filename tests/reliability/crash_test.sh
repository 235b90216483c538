#!/usr/bin/env bash
# Crash injection: runs batches against cartsync-sim and SIGKILLs `cartsync run`
# at N kill points, restarting it after each, then checks from the simulator's
# records that every eligible order reached the WMS exactly once, every tracking
# number reached its cart exactly once, cart inventory equals the WMS stock
# through the carts' rules, and nothing is lost or stuck.
#
#   tests/reliability/crash_test.sh [N=30] [SEED]
#
# Kill points alternate between
#   block   the simulator holds store/WMS request K+1 onwards (K random within
#           the run's expected request count), before handling (nothing
#           happened) or after handling (the write happened, the answer never
#           came); once a request is held the run is SIGKILLed, then the
#           block is lifted (held requests land);
#   delay   SIGKILL after a random delay within the last run's duration.
# Between kill points the WMS sometimes ships orders and the stores sometimes
# get new orders. A run that ends before its kill point still counts as a
# restart, not as a kill point; the loop goes on until N processes were killed.
# Carts are never unlocked by hand: the run after a kill must take over the
# dead run's leases (same host, its process gone) and reconcile.
# Then clean runs until one exits 0 and changes nothing, and the checks.
#
# Environment: CRASH_ORDERS (orders per store at start, default 80),
# CRASH_TIMEOUT (overall seconds, default 150 + 6 per kill point),
# CRASH_SUMMARY (also write the summary JSON there), and lib.sh's
# (CARTSYNC_BIN, CARTSYNC_SIM, REL_KEEP, REL_RUN_TIMEOUT, REL_VERBOSE).
# Exit 0 all good, 1 a check failed (or a run hung / the budget ran out).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

N="${1:-30}"
SEED="${2:-$(($(date +%s) % 1000000))}"
[[ $N =~ ^[0-9]+$ && $SEED =~ ^[0-9]+$ ]] || { echo "usage: $0 [N] [SEED]" >&2; exit 2; }
RANDOM=$SEED
ORDERS="${CRASH_ORDERS:-80}"
BUDGET_S="${CRASH_TIMEOUT:-$((150 + 6 * N))}"

rel_init crash
T0=$(rel_now_ms)
DEADLINE=$((T0 + BUDGET_S * 1000))
rel_log "N=$N seed=$SEED orders/store=$ORDERS budget=${BUDGET_S}s work=$REL_WORK"

sim_config "$REL_WORK/sim.json" "$ORDERS" "$SEED" "{\"latency_ms\": 1, $REL_FAST_LIMITS}"
sim_start "$REL_WORK/sim.json"
P="$REL_WORK/project"
project_write "$P"
snapshot_orders "$P"

STORES=("shopify acme" "woocommerce bluebird" "bigcommerce cedar" "amazon harbor" "ebay harbor" "walmart summit"
        "magento greenleaf")
kills=0 kills_block_before=0 kills_block_after=0 kills_delay=0 finished_first=0
kills_order_intent=0 kills_tracking_intent=0 reconciled=0
restarts=0 hung=0 run_errors=0 ships=0 added=0 iter=0
est_requests=400 est_ms=1500
declare -a ERRORS=()
declare -a CANCELED=()  # order keys canceled at the cart after they were sent
kills_cancel_intent=0
CANCEL_INTENT_KILLS=""   # one line per (kill, order key with a cancel intent)

over_budget() { (($(rel_now_ms) > DEADLINE)); }

# After a kill: did it land between an intent and its result?
note_intents() {
  local o t
  read -r o t < <(state_intents "$P")
  ((o > 0)) && ((kills_order_intent++))
  ((t > 0)) && ((kills_tracking_intent++))
  # A cancel intent (order_cancel.h: reason "cancel requested: …") left behind:
  # the next run asks the WMS again (the kill may have come after the WMS
  # answered), so each such kill allows that order one more cancel request.
  local k
  k="$(python3 -c 'import sqlite3, sys
for (key,) in sqlite3.connect(sys.argv[1], timeout=30).execute(
        "SELECT order_key FROM orders WHERE reason LIKE ?", ("cancel requested:%",)):
    print(key)' "$P/.cartsync/state.db" 2>/dev/null)"
  if [[ -n $k ]]; then
    ((kills_cancel_intent++))
    CANCEL_INTENT_KILLS+="$k"$'\n'
  fi
  return 0
}

# What a completed run's report says it reconciled.
note_reconciled() {
  local n
  n=$(python3 -c 'import json,sys
try: print(sum(s["counts"]["reconciled"] for s in json.load(open(sys.argv[1]))["steps"]))
except Exception: print(0)' "$1.json")
  ((reconciled += n))
}

# A run that ended on its own: learn its size, note a non-zero exit.
finished() {  # RC OUT REQUESTS
  ((finished_first++))
  note_reconciled "$2"
  local dur=$(($(rel_now_ms) - CS_STARTED_MS))
  ((dur > 200)) && est_ms=$dur
  (($3 > 20)) && est_requests=$3
  if [[ $1 -ne 0 ]]; then
    ((run_errors++))
    ERRORS+=("$2 exited $1: $(grep -v '^$' "$2.err" | tail -n 2 | tr '\n' ' ')")
  fi
}

while ((kills < N)); do
  over_budget && rel_die "over the ${BUDGET_S}s budget after $kills kill points"
  ((iter++))
  ((iter > 3 * N + 10)) && rel_die "only $kills kill points in $iter attempts (runs end too early)"
  # Between kill points: new orders, WMS shipping.
  if ((RANDOM % 2 == 0)); then
    read -r platform store <<<"${STORES[RANDOM % ${#STORES[@]}]}"
    n=$(rel_rand 1 8)
    sim_add_orders "$platform" "$store" "$n"
    ((added += n))
    snapshot_orders "$P"
  fi
  if ((RANDOM % 5 < 2)); then
    if ((RANDOM % 4 == 0)); then sim_ship >/dev/null; else sim_ship "$(rel_rand 1 25)" >/dev/null; fi
    ((ships++))
  fi
  # Cancellation: a sent, unshipped WooCommerce order is canceled at the cart,
  # so kill points also land in the cancel path (intent recorded, WMS called).
  if ((RANDOM % 2 == 0)); then
    ckey="$(sim_get /_sim/records | python3 -c '
import json, sys
ks = [o["order_key"] for o in json.load(sys.stdin)["wms_orders"]
      if not o["shipped"] and not o["canceled"] and o["order_key"].startswith("rel-bluebird-woo:")]
print(ks[0] if ks else "")')"
    if [[ -n $ckey ]]; then
      sim_post /_sim/cancel "{\"platform\": \"woocommerce\", \"store\": \"bluebird\", \"id\": \"${ckey#*:}\"}" >/dev/null &&
        CANCELED+=("$ckey")
    fi
  fi
  out="$REL_WORK/run$iter"
  before=$(sim_total_requests)
  ((restarts++))
  if ((iter % 2 == 1)); then
    after_handling=$([[ $((RANDOM % 2)) == 0 ]] && echo false || echo true)
    k=$((before + $(rel_rand 1 "$est_requests")))
    sim_block "$k" "$after_handling"
    cs_run_bg "$P" "$out"
    state=running
    while :; do
      if ! kill -0 "$CS_PID" 2>/dev/null; then state=exited; break; fi
      if [[ $(sim_blocked) != 0 ]]; then state=blocked; break; fi
      if (($(rel_now_ms) - CS_STARTED_MS > REL_RUN_TIMEOUT * 1000)); then state=hung; break; fi
      sleep 0.03
    done
    case $state in
      blocked)
        sleep "0.$(printf '%03d' $(rel_rand 0 150))"  # let the other carts reach the block too
        cs_kill "$CS_PID"
        ((kills++))
        if [[ $after_handling == true ]]; then ((kills_block_after++)); else ((kills_block_before++)); fi
        note_intents
        sim_unblock
        ;;
      exited)
        cs_wait "$CS_PID"; rc=$?
        sim_unblock
        finished "$rc" "$out" $(($(sim_total_requests) - before))
        ;;
      hung)
        cs_kill "$CS_PID"
        sim_unblock
        ((hung++))
        ERRORS+=("$out: no request held and no exit after ${REL_RUN_TIMEOUT}s")
        ;;
    esac
  else
    delay=$(rel_rand 0 "$est_ms")
    cs_run_bg "$P" "$out"
    until_ms=$((CS_STARTED_MS + delay))
    while kill -0 "$CS_PID" 2>/dev/null && (($(rel_now_ms) < until_ms)); do sleep 0.005; done
    if kill -0 "$CS_PID" 2>/dev/null; then
      cs_kill "$CS_PID"
      ((kills++, kills_delay++))
      note_intents
    else
      cs_wait "$CS_PID"; rc=$?
      finished "$rc" "$out" $(($(sim_total_requests) - before))
    fi
  fi
  ((iter % 10 == 0)) && rel_log "attempt $iter: $kills kill points, $finished_first runs finished first"
done

# ---- settle: clean runs until one exits 0 and changes nothing ------------------------
rel_log "$kills kill points done; settling"
sim_unblock
final_runs=0
noop=0
cs_run "$P" "$REL_WORK/final0"; rc=$?
((final_runs++))
note_reconciled "$REL_WORK/final0"
[[ $rc -eq 0 ]] || ERRORS+=("first clean run exited $rc: $(tail -n 3 "$REL_WORK/final0.err" | tr '\n' ' ')")
sim_ship >/dev/null
for i in 1 2 3 4 5 6 7 8; do
  over_budget && rel_die "over the ${BUDGET_S}s budget while settling"
  # The WMS stock snapshot is stamped to the second: orders sent within its
  # second count as "after it". A quiet second between runs lets the last run
  # see the final stock.
  sleep 1.1
  w_before="$(sim_writes)"
  cs_run "$P" "$REL_WORK/final$i"; rc=$?
  ((final_runs++))
  w_after="$(sim_writes)"
  if [[ $rc -eq 0 && $w_before == "$w_after" ]] && cs_noop "$REL_WORK/final$i"; then
    noop=1
    break
  fi
  [[ $rc -eq 0 ]] || ERRORS+=("clean run $i exited $rc: $(tail -n 3 "$REL_WORK/final$i.err" | tr '\n' ' ')")
done
((noop)) || ERRORS+=("no clean run was a no-op after $final_runs runs")

# ---- check ---------------------------------------------------------------------
# Every order canceled at the cart after it was sent: canceled at the WMS
# exactly once (or shipped first: noted too late), settled in the state store.
if ((${#CANCELED[@]})); then
  bad="$(sim_get /_sim/records | CANCEL_INTENT_KILLS="$CANCEL_INTENT_KILLS" python3 -c '
import json, os, sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=30)
wms = {o["order_key"]: o for o in json.load(sys.stdin)["wms_orders"]}
kills = os.environ["CANCEL_INTENT_KILLS"].split()
for key in sys.argv[2:]:
    o = wms.get(key, {})
    row = db.execute("SELECT status, reason FROM orders WHERE order_key = ?", (key,)).fetchone()
    ok_wms = (o.get("canceled") and not o.get("shipped")) or (o.get("shipped") and not o.get("canceled"))
    ok_state = row and (row[0] == "canceled" or row[1].startswith("cancel_too_late: "))
    # One request, plus one per kill that left a cancel intent for the order.
    allowed = 1 + kills.count(key)
    if not ok_wms or not ok_state or o.get("cancel_requests", 0) > allowed:
        print("%s: wms %s/%s, state %s, cancel requests %s (allowed %d)" % (
            key, o.get("canceled"), o.get("shipped"), row, o.get("cancel_requests"), allowed))' \
    "$P/.cartsync/state.db" "${CANCELED[@]}")" ||
    ERRORS+=("the cancellation check itself failed (exit $?)")
  [[ -z $bad ]] || ERRORS+=("cancellations not settled: $(echo "$bad" | head -n 3 | tr '\n' ' ')")
fi
rel_log "${#CANCELED[@]} orders canceled at the cart after they were sent; $kills_cancel_intent kills left a cancel intent"
snapshot_orders "$P"
rel_check "$P" "$REL_WORK/check.json"
check_rc=$?
elapsed=$((($(rel_now_ms) - T0) / 1000))
python3 - "$REL_WORK/check.json" "$REL_WORK/summary.json" <<PY
import json, sys
c = json.load(open(sys.argv[1]))
s = {"kill_points": $kills, "block_before_handling": $kills_block_before,
     "block_after_handling": $kills_block_after, "delay": $kills_delay,
     "runs_finished_before_kill": $finished_first, "restarts": $restarts,
     "kills_with_order_intent": $kills_order_intent,
     "kills_with_tracking_intent": $kills_tracking_intent, "reconciled": $reconciled,
     "hung": $hung, "run_errors": $run_errors, "ships": $ships, "orders_added": $added,
     "final_runs": $final_runs, "seed": $SEED, "seconds": $elapsed}
for k in ("eligible", "delivered_once", "shipped", "tracking_once", "inventory_checked",
          "lost", "duplicated", "stuck", "unexpected", "inventory_wrong",
          "lost_orders", "lost_tracking", "duplicated_orders", "duplicated_tracking",
          "stuck_new", "stuck_state", "pending_intents", "leases", "not_completed"):
    s[k] = c[k]
json.dump(s, open(sys.argv[2], "w"), indent=1)
PY
[[ -n ${CRASH_SUMMARY:-} ]] && cp "$REL_WORK/summary.json" "$CRASH_SUMMARY"
# Leases of killed runs taken over by the next run (nobody unlocked by hand).
takeovers=$(cat "$REL_WORK"/*.err 2>/dev/null | grep -c 'taking over the lease of run' || true)
((kills < 5 || takeovers > 0)) || ERRORS+=("$kills runs were killed, yet no later run took over a lease")
for e in "${ERRORS[@]+"${ERRORS[@]}"}"; do rel_log "error: $e"; done
rel_log "kill points $kills (block before handling $kills_block_before, after handling $kills_block_after, delay $kills_delay; $kills_order_intent left an order intent, $kills_tracking_intent a tracking intent; $reconciled side effects reconciled; $takeovers leases taken over); runs that finished first $finished_first; hung $hung; run errors $run_errors; ${elapsed}s; seed $SEED"
if [[ $check_rc -ne 0 || $hung -ne 0 || $run_errors -ne 0 || $noop -ne 1 || ${#ERRORS[@]} -ne 0 ]]; then
  rel_die "crash test failed (reproduce: $0 $N $SEED)"
fi
rel_log "ok"
