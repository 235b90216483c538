#!/usr/bin/env bash
# Overlap: two `cartsync run` processes started together on the same project
# and state database, for a few rounds (new orders and WMS shipments between
# rounds, simulator latency so the runs really overlap). Asserts, per round:
# both exit 0; every cart was processed by at least one of them (by both only
# one after the other: the second pass writes nothing); at least one cart was
# reported "locked", so the runs did overlap; a cart locked in a run's
# --report is "locked" in its summary table too; no order delivered to the
# WMS twice, no tracking number posted twice, no cart inventory item set twice.
# Rounds after the first give one run --concurrency 1, so the carts split
# between the two and each run reports the ones the other holds.
# Then a settling run and the exactly-once checks of lib.sh's rel_check.
# First, 60 times: two processes open a state database that does not exist
# yet (`cartsync run` of a project whose cart has no service enabled); both must succeed.
#
#   tests/reliability/overlap_test.sh [ROUNDS=4] [SEED=1]
#
# Environment: OVERLAP_LATENCY_MS (per simulated request, default 15), OVERLAP_OPEN_PAIRS (default 60),
# OVERLAP_ORDERS (per store at start, default 60), and lib.sh's.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROUNDS="${1:-4}"
SEED="${2:-1}"
RANDOM=$SEED
LATENCY="${OVERLAP_LATENCY_MS:-15}"
rel_init overlap
T0=$(rel_now_ms)
# No "as_of" on the WMS stock: the runtime then takes the stock as is (the
# simulator allocates on receipt), so every inventory value is exact and a
# second set of an item within a round can only be a double write. (With a
# to-the-second as_of, a run right after the other may correct a value the
# first one lowered for orders sent within the snapshot's second: crash_test.sh
# covers that path.)
sim_config "$REL_WORK/sim.json" "${OVERLAP_ORDERS:-60}" "$SEED" "{\"latency_ms\": $LATENCY, $REL_FAST_LIMITS}" \
  '{"as_of": "none"}'
sim_start "$REL_WORK/sim.json"
P="$REL_WORK/project"
project_write "$P"
STORES=("shopify acme" "woocommerce bluebird" "bigcommerce cedar")
failures=0
fail() { rel_log "FAIL: $*"; ((failures++)); }

# A new state file, opened by two processes at once: creating it, switching it
# to WAL and migrating it must wait for the other process, not fail.
open_fail=0
for i in $(seq "${OVERLAP_OPEN_PAIRS:-60}"); do
  d="$REL_WORK/open$i"
  mkdir -p "$d"
  # A cart with no service enabled: the runs record themselves (creating the
  # state file) and touch nothing else.
  mkdir -p "$d/carts.d"
  printf '[state]\nurl = "sqlite:.cartsync/state.db"\n[wms.main]\nsystem = "directory"\npath = "wms"\n' >"$d/cartsync.toml"
  printf '[cart]\nid = "idle"\nclient = "idle"\nplatform = "shopify"\nwms = "main"\n[api]\nstore_url = "https://idle.myshopify.com"\naccess_token = { secret = "env:IDLE_TOKEN" }\n' >"$d/carts.d/idle.toml"
  "$CARTSYNC_BIN" run "$d" >/dev/null 2>"$d/a.err" & p1=$!
  "$CARTSYNC_BIN" run "$d" >/dev/null 2>"$d/b.err" & p2=$!
  wait "$p1" || { ((open_fail++)); rel_log "$(cat "$d/a.err")"; }
  wait "$p2" || { ((open_fail++)); rel_log "$(cat "$d/b.err")"; }
  rm -rf "$d"
done
((open_fail == 0)) || fail "$open_fail processes failed to open a new state database beside another"

for round in $(seq "$ROUNDS"); do
  if ((round > 1)); then
    for s in "${STORES[@]}"; do
      read -r platform store <<<"$s"
      sim_add_orders "$platform" "$store" "$(rel_rand 3 10)"
    done
    sim_ship >/dev/null
  fi
  snapshot_orders "$P"
  sim_records "$REL_WORK/before$round.json"
  a="$REL_WORK/r$round-a" b="$REL_WORK/r$round-b"
  # Round 1: the same command twice. Then one of them takes one cart at a
  # time (--concurrency 1), so the other grabs the carts it has not reached
  # and each run finds some carts locked by the other.
  args_a=() args_b=()
  ((round % 3 == 2)) && args_a=(--concurrency 1)
  ((round % 3 == 0)) && args_b=(--concurrency 1)
  if ((round % 3 == 0)); then  # the one-at-a-time run starts first
    cs_run_bg "$P" "$b" "${args_b[@]}"; pid_b=$CS_PID
    cs_run_bg "$P" "$a"; pid_a=$CS_PID
  else
    cs_run_bg "$P" "$a" "${args_a[@]+"${args_a[@]}"}"; pid_a=$CS_PID
    cs_run_bg "$P" "$b"; pid_b=$CS_PID
  fi
  cs_wait "$pid_a"; rc_a=$?
  cs_wait "$pid_b"; rc_b=$?
  sim_records "$REL_WORK/after$round.json"
  [[ $rc_a -eq 0 ]] || fail "round $round: run A exited $rc_a: $(tail -n 3 "$a.err" | tr '\n' ' ')"
  [[ $rc_b -eq 0 ]] || fail "round $round: run B exited $rc_b: $(tail -n 3 "$b.err" | tr '\n' ' ')"
  python3 - "$P" "$a" "$b" "$REL_WORK/before$round.json" "$REL_WORK/after$round.json" "$round" <<'PY' || fail "round $round: see above"
import json, re, sys
p, a, b, before_f, after_f, rnd = sys.argv[1:7]
carts = [c["id"] for c in json.load(open(p + "/expect.json"))["carts"]]
bad = []
def steps(prefix):
    r = json.load(open(prefix + ".json"))
    out = {}
    for s in r["steps"]:
        out.setdefault(s["cart"], set()).add(s["state"])
    return out
def table_locked(prefix):
    locked = set()
    for line in open(prefix + ".out"):
        cells = line.split()
        if len(cells) >= 2 and cells[1] == "locked":
            locked.add(cells[0].split("/")[0])
    return locked
sa, sb = steps(a), steps(b)
ta, tb = table_locked(a), table_locked(b)
notes = []
for c in carts:
    ran = [n for n, s in (("A", sa), ("B", sb)) if s.get(c, set()) & {"ok", "failed"}]
    locked = [n for n, s in (("A", sa), ("B", sb)) if s.get(c) == {"locked"}]
    if not ran:
        bad.append(f"cart {c} was processed by neither run (A {sa.get(c)}, B {sb.get(c)})")
    notes.append(f"{c}: ran {'+'.join(ran) or '-'}, locked {'+'.join(locked) or '-'}")
    for n, s, t in (("A", sa, ta), ("B", sb, tb)):
        if s.get(c) == {"locked"} and c not in t:
            bad.append(f"run {n}'s report says {c} was locked, its summary table does not")
if not (ta | tb):
    bad.append("neither run reported a locked cart: the runs did not overlap")
before, after = json.load(open(before_f)), json.load(open(after_f))
for k in ("duplicate_wms_deliveries", "duplicate_tracking_posts"):
    if after["summary"][k]:
        bad.append(f"{k} = {after['summary'][k]}")
prev = {(i["platform"], i["store"], i["location"], i["item_id"], i["sku"]): i["sets"] for i in before["inventory"]}
twice = [(k, s - prev.get(k, 0)) for k, s in
         (((i["platform"], i["store"], i["location"], i["item_id"], i["sku"]), i["sets"]) for i in after["inventory"])
         if s - prev.get(k, 0) > 1]
for k, n in twice[:10]:
    bad.append(f"inventory {k} set {n} times in one round")
d = after["summary"]
pb = before["summary"]
print(f"round {rnd}: {'; '.join(notes)}; this round: {d['wms_deliveries'] - pb['wms_deliveries']} WMS deliveries, "
      f"{d['tracking_posts'] - pb['tracking_posts']} tracking posts, {d['inventory_sets'] - pb['inventory_sets']} inventory sets",
      file=sys.stderr)
for x in bad:
    print("  " + x, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
done

# Settle (both runs of the last round may each have left a cart to the other)
# and check everything end to end.
sim_ship >/dev/null
noop=0
for i in 1 2 3 4 5; do
  w_before="$(sim_writes)"
  cs_run "$P" "$REL_WORK/final$i"; rc=$?
  if [[ $rc -eq 0 && $w_before == "$(sim_writes)" ]] && cs_noop "$REL_WORK/final$i"; then noop=1; break; fi
done
((noop)) || fail "no settling run was a no-op"
rel_check "$P" "$REL_WORK/check.json" || fail "end-to-end checks"
rel_log "$ROUNDS rounds, $((($(rel_now_ms) - T0) / 1000))s"
((failures == 0)) || rel_die "$failures failures"
rel_log "ok"
