#!/usr/bin/env bash
# Fault matrix: runs `cartsync run` against cartsync-sim (and a few stand-ins)
# while one fault is injected, then with the fault cleared, and checks for each
# scenario that
#
#   1. the faulty run ends with a clear error and the contract's exit code
#      (3: a step failed, the others still ran; 1: nothing could run), within
#      bounds (--http-timeout / --max-attempts keep every run short);
#   2. nothing was lost or duplicated: no order held as "rejected" by a WMS
#      that rejected nothing, no unfinished intent left behind; from the
#      simulator's records (GET /_sim/records): no order delivered to the WMS
#      twice — not even under its Idempotency-Key, also where the WMS took an
#      order and its answer was lost (timeouts, cut answers) — and no tracking
#      number posted twice;
#   3. the next run, fault cleared, completes the work: exit 0, then (after the
#      WMS ships) a run that uploads the rest, a run that changes nothing, and
#      lib.sh's rel_check — every eligible order in the WMS exactly once,
#      every tracking number on its cart exactly once, cart stock equal to the
#      WMS stock through the cart's rules, nothing stuck in the state store.
#
#   tests/reliability/fault_matrix.sh [SCENARIO_REGEX]
#
# Scenarios (each on a fresh simulator and project: a clean first run, the
# WMS ships, new orders arrive, then the faulty run):
#   cart-5xx-burst      every Shopify request answers 500/502/503
#   wms-5xx-burst       the WMS answers 5xx to everything (WMS down behind a proxy)
#   flaky-5xx           30% 5xx everywhere (retries absorb most)
#   429-storm           Shopify's GraphQL cost bucket is smaller than a query and
#                       barely refills (THROTTLED)
#   rate-limited        Shopify's cost bucket is small and refills slowly,
#                       BigCommerce allows 5 requests a second: paced, must finish
#   slow                250 ms before every answer: slower, still complete
#   cart-hang           half the cart requests are handled, then hang past the timeout
#   wms-hang            every WMS request is handled, then hangs past the timeout
#   wms-blackhole       the WMS accepts connections and never answers (nothing handled)
#   wms-refused         nothing listens on the WMS port
#   cart-truncated      half the cart answers cut in half (Content-Length longer)
#   wms-truncated       every WMS answer cut in half (orders were received)
#   wms-malformed-json  the WMS answers 200 application/json that is not JSON
#   wms-html            the WMS answers 200 text/html (a maintenance page)
#   cart-html           half the cart answers are a 200 text/html maintenance page
#   cmd-crash           WMS `command` program exits 3 after 2 answers
#   cmd-kill            WMS `command` program is SIGKILLed after 2 answers
#   cmd-hang            WMS `command` program reads a request and never answers
#   cmd-garbage         WMS `command` program answers lines that are not JSON
#   sqlite-busy-short   another process holds the state db's write lock for 2 s
#   sqlite-busy-long    ... for 11 s (longer than the 5 s busy timeout, twice)
#   disk-full-start     the state db's file system is full before the run
#   disk-full-mid-run   it fills up during the run
#   cancel-fault        an order canceled at the cart after it was sent; the
#                       WMS's cancel answers 5xx; the rerun cancels it once
# The disk-full scenarios use a small tmpfs mounted on the project's
# .cartsync/ (root with mount rights), else `ulimit -f` around cartsync.
#
# Environment: FAULT_TIMEOUT (overall seconds, default 480), FAULT_KEEP=1 (keep
# the work dir), FAKE_WMS_COMMAND (the tests' fake_wms_command binary; found in
# the build dir or compiled here otherwise), and lib.sh's (CARTSYNC_BIN,
# CARTSYNC_SIM, BUILD_DIR, REL_KEEP, REL_VERBOSE). Exit 0 all scenarios pass,
# 1 otherwise (a table of results is printed either way).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ONLY="${1:-}"
BUDGET_S="${FAULT_TIMEOUT:-480}"
REL_RUN_TIMEOUT="${REL_RUN_TIMEOUT:-90}"
[[ -n ${FAULT_KEEP:-} ]] && REL_KEEP=1
# Every faulty run is bounded: one HTTP attempt lasts at most 1 s, two attempts.
BOUND=(--http-timeout 1 --max-attempts 2)
FAST="${REL_FAST_LIMITS:-\"shopify_bucket_size\": 1000, \"shopify_leak_per_second\": 500, \"bigcommerce_quota\": 100000, \"amazon_rate\": 1000}"
CLEAR='{"error_rate": 0, "html_rate": 0, "timeout_rate": 0, "truncate_rate": 0, "latency_ms": 0,
        "shopify_bucket": false, "shopify_cost_throttle": false, "shopify_cost_maximum": 1000000,
        "shopify_cost_restore_rate": 1000000, "bigcommerce_window": false, "paths": []}'

rel_init faults
T0=$(rel_now_ms)
declare -a RESULTS=()
FAILED=0
FM_MOUNTS=()
FM_PIDS=()

fm_cleanup() {
  local rc=$? m p
  for p in "${FM_PIDS[@]+"${FM_PIDS[@]}"}"; do kill -KILL "$p" 2>/dev/null; done
  for m in "${FM_MOUNTS[@]+"${FM_MOUNTS[@]}"}"; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; done
  (exit $rc)
  _rel_cleanup
}
trap fm_cleanup EXIT

# ---- helpers ---------------------------------------------------------------------

# A scenario failed: remember why (the scenario function returns 1 after).
fm_fail() { FM_WHY="$*"; rel_log "  FAIL: $*"; return 1; }

fm_stop_sim() {
  if [[ -n ${SIM_PID:-} ]] && kill -0 "$SIM_PID" 2>/dev/null; then
    kill -TERM "$SIM_PID" 2>/dev/null
    wait "$SIM_PID" 2>/dev/null
  fi
  SIM_PID=
}

# fm_begin NAME [ORDERS] [SHIP=yes]: a fresh simulator and project (then
# $FM_PREPARE, when set), a clean first run (must exit 0), the WMS ships
# (unless SHIP=no), new orders arrive. Sets D (scenario dir), P (project).
fm_begin() {
  local name="$1" orders="${2:-${FM_ORDERS:-6}}" ship="${3:-yes}"
  D="$REL_WORK/$name"
  P="$D/project"
  mkdir -p "$D"
  fm_stop_sim
  sim_config "$D/sim.json" "$orders" 7 "{$FAST}"
  sim_start "$D/sim.json"
  project_write "$P"
  [[ -n ${FM_PREPARE:-} ]] && "$FM_PREPARE"
  snapshot_orders "$P"
  cs_run "$P" "$D/run0"
  local rc=$?
  [[ $rc -eq 0 ]] || { fm_fail "the clean first run exited $rc: $(tail -n 3 "$D/run0.err")"; return 1; }
  [[ $ship == no ]] || sim_ship >/dev/null
  sim_add_orders shopify acme 3
  sim_add_orders woocommerce bluebird 3
  sim_add_orders bigcommerce cedar 3
  snapshot_orders "$P"
}

# fm_fault_run WANT_EXIT REGEX [ARGS…]: the faulty run; checks its exit code,
# that REGEX (extended, case-insensitive) is in its summary or log, and that
# the summary's "N failed" agrees with the exit code.
fm_fault_run() {
  local want="$1" regex="$2"; shift 2
  local t=$(rel_now_ms)
  cs_run "$P" "$D/fault" "$@"
  FM_RC=$?
  FM_MS=$(($(rel_now_ms) - t))
  cat "$D/fault.out" "$D/fault.err" >"$D/fault.all"
  [[ $FM_RC -eq 124 ]] && { fm_fail "the faulty run hung (killed after ${REL_RUN_TIMEOUT}s)"; return 1; }
  if [[ $want == *"|"* ]]; then
    [[ "|$want|" == *"|$FM_RC|"* ]] || { fm_fail "faulty run exited $FM_RC, want one of $want: $(tail -n 3 "$D/fault.err")"; return 1; }
  else
    [[ $FM_RC -eq $want ]] || { fm_fail "faulty run exited $FM_RC, want $want: $(tail -n 3 "$D/fault.err")"; return 1; }
  fi
  if [[ $FM_RC -ne 0 && -n $regex ]] && ! grep -Eiq -- "$regex" "$D/fault.all"; then
    fm_fail "no clear error matching /$regex/ in the faulty run's output"; return 1
  fi
  if [[ $FM_RC -eq 3 ]] && ! grep -Eq '^[0-9]+ steps, [1-9][0-9]* failed' "$D/fault.out"; then
    fm_fail "exit 3 but the summary shows no failed step"; return 1
  fi
  if [[ $FM_RC -eq 0 ]] && ! grep -Eq '^[0-9]+ steps, 0 failed' "$D/fault.out"; then
    fm_fail "exit 0 but the summary is not clean"; return 1
  fi
  # What the simulator served meanwhile (faults, 429s), for the table.
  FM_SERVED="$(sim_get /_sim/records | python3 -c '
import json, sys
r = json.load(sys.stdin)
parts = [f"{k} {v}" for k, v in sorted(r["faults"].items())]
if r["rate_limited_total"]:
    parts.append(f"429 {r["rate_limited_total"]}")
if sum(r.get("throttled", {}).values()):
    parts.append(f"THROTTLED {sum(r["throttled"].values())}")
print(", ".join(parts))' 2>/dev/null)"
  [[ -n ${FM_DEFER_SANE:-} ]] || fm_state_sane "after the faulty run" || return 1
}

# Nothing the state store says may be a fault's doing: no order "rejected" by
# a WMS (none rejected anything here), none unreadable, no sent order without
# its WMS reference.
fm_state_sane() {
  local db="$P/.cartsync/state.db"
  [[ -e $db ]] || return 0
  local bad
  bad="$(python3 - "$db" 2>&1 <<'PY' || echo "cannot read the state database"
import sqlite3, sys
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True, timeout=30)
rows = db.execute("""SELECT order_key, status, reason FROM orders
                     WHERE reason LIKE 'WMS rejected%' OR reason LIKE 'stored order unreadable%'
                        OR (status IN ('sent','shipped','confirmed') AND wms_ref = '')""").fetchall()
for k, s, r in rows[:5]:
    print(f"{k} {s}: {r[:160]}")
PY
)"
  [[ -z $bad ]] || { fm_fail "$1: $bad"; return 1; }
}

# fm_recover [ARGS…]: faults are gone; the next run must exit 0, then the WMS
# ships, a run uploads that, and a last run changes nothing.
fm_recover() {
  cs_run "$P" "$D/recover" "$@"
  local rc=$?
  [[ $rc -eq 0 ]] || { fm_fail "the run after the fault exited $rc: $(grep -v ' info ' "$D/recover.err" | tail -n 3)"; return 1; }
  sim_ship >/dev/null
  cs_run "$P" "$D/final" "$@"
  rc=$?
  [[ $rc -eq 0 ]] || { fm_fail "the run after shipping exited $rc: $(grep -v ' info ' "$D/final.err" | tail -n 3)"; return 1; }
  cs_run "$P" "$D/noop" "$@"
  rc=$?
  [[ $rc -eq 0 ]] || { fm_fail "the last run exited $rc"; return 1; }
  cs_noop "$D/noop" || { fm_fail "the last run still changed something: $(tr -d '\n' <"$D/noop.out" | head -c 300)"; return 1; }
}

# fm_check REDELIVERY(yes|no) [STATE_ONLY]: rel_check, with redeliveries of the
# same order allowed when REDELIVERY=yes (then each must have had one body);
# STATE_ONLY ignores what the simulator's WMS saw (a `command` WMS stood in).
fm_check() {
  local redelivery="$1" state_only="${2:-}"
  rel_check "$P" "$D/check.json" >"$D/check.txt" 2>&1
  python3 - "$D/check.json" "$P/records.json" "$redelivery" "$state_only" >"$D/verdict.txt" <<'PY'
import json, re, sys
check = json.load(open(sys.argv[1]))
rec = json.load(open(sys.argv[2]))
redelivery, state_only = sys.argv[3] == "yes", sys.argv[4] == "state_only"
by_key = {o["order_key"]: o for o in rec["wms_orders"]}
problems, redelivered = [], 0
for p in check["problems"]:
    m = re.match(r"order (\S+) delivered (\d+) times", p)
    if m and redelivery:
        o = by_key.get(m.group(1), {})
        if o.get("differing_bodies", 0):
            problems.append(f"order {m.group(1)} redelivered with a different body")
        redelivered += 1
        continue
    if state_only and (p.startswith("lost order") or " expected " in p and "cart has" in p
                       or "delivered" in p or "never reached the cart" in p or "acknowledged" in p):
        continue
    problems.append(p)
if rec["summary"]["duplicate_tracking_posts"]:
    problems.append(f"{rec['summary']['duplicate_tracking_posts']} duplicate tracking posts")
if not redelivery and rec["summary"]["duplicate_wms_deliveries"]:
    problems.append(f"{rec['summary']['duplicate_wms_deliveries']} duplicate WMS deliveries")
if check["eligible"] == 0:
    problems.append("no eligible orders: the scenario tested nothing")
c = check
if state_only:
    print(f"state: {c['eligible']} eligible, {c['stuck']} stuck; tracking posts dup "
          f"{rec['summary']['duplicate_tracking_posts']}")
else:
    print(f"{c['eligible']} orders once{f' ({redelivered} redelivered, same body)' if redelivered else ''}, "
          f"{c['tracking_once']}/{c['shipped']} tracking once, {c['inventory_checked'] - c['inventory_wrong']}/"
          f"{c['inventory_checked']} stock right")
for p in problems[:8]:
    print("PROBLEM " + p)
sys.exit(1 if problems else 0)
PY
  local rc=$?
  FM_DETAIL="$(grep -v '^PROBLEM' "$D/verdict.txt" | head -n 1)"
  [[ $rc -eq 0 ]] || { fm_fail "$(grep '^PROBLEM' "$D/verdict.txt" | head -n 3 | tr '\n' ' ')"; return 1; }
}

# The WMS URL in cartsync.toml.
fm_set_wms_url() {
  python3 - "$P/cartsync.toml" "$1" <<'PY'
import re, sys
path, url = sys.argv[1], sys.argv[2]
text = open(path).read()
text = re.sub(r'^url = "[^"]*/wms"$', f'url = "{url}/wms"', text, count=1, flags=re.M)
open(path, "w").write(text)
PY
}

# A `command` WMS instead of the http one: fm_set_wms_command PROGRAM ARGS…
fm_set_wms_command() {
  python3 - "$P/cartsync.toml" "$@" <<'PY'
import json, re, sys
path, argv = sys.argv[1], sys.argv[2:]
text = open(path).read()
block = ('[wms.main]\nsystem = "command"\ncommand = %s\ntimeout_seconds = 2\n'
         'warehouses = ["east", "west"]\ncarriers = ["UPS", "FEDEX", "USPS", "DHL"]\n'
         'alias_types = ["shopify_sku", "upc"]\n\n') % json.dumps(argv)
text, n = re.subn(r'^\[wms\.main\]\n.*?(?=^\[)', block, text, count=1, flags=re.S | re.M)
assert n == 1, "no [wms.main] block"
open(path, "w").write(text)
PY
}

# A stand-in WMS on a free port: `blackhole` (accepts, reads, never answers)
# or `malformed` (200 application/json that is not JSON). Sets FM_STANDIN_URL.
fm_standin() {
  local mode="$1" out="$D/standin.url"
  python3 - "$mode" "$out" <<'PY' &
import socket, sys, threading, time
mode, out = sys.argv[1], sys.argv[2]
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 0))
srv.listen(64)
open(out + ".tmp", "w").write(f"http://127.0.0.1:{srv.getsockname()[1]}")
import os; os.replace(out + ".tmp", out)
def serve(c):
    try:
        c.settimeout(60)
        while True:
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = c.recv(65536)
                if not chunk:
                    return
                data += chunk
            head, _, rest = data.partition(b"\r\n\r\n")
            n = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    n = int(line.split(b":")[1])
            while len(rest) < n:
                rest += c.recv(65536)
            if mode == "blackhole":
                time.sleep(3600)
            body = b'{"wms_order_id": "W-' if head.startswith(b"POST") else b'{"inventory": [{"sku": "TS-'
            c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                      % (len(body), body))
    except Exception:
        pass
    finally:
        c.close()
while True:
    conn, _ = srv.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
PY
  FM_PIDS+=($!)
  FM_STANDIN_PID=$!
  local i
  for i in $(seq 100); do [[ -s $out ]] && break; sleep 0.05; done
  FM_STANDIN_URL="$(cat "$out")"
}

fm_kill_standin() { kill -KILL "$FM_STANDIN_PID" 2>/dev/null; wait "$FM_STANDIN_PID" 2>/dev/null; }

# A port nothing listens on.
fm_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# fake_wms_command from the build (or compiled here).
fm_fake_wms() {
  if [[ -z ${FAKE_WMS_COMMAND:-} ]]; then
    local d
    for d in "${BUILD_DIR:-}" "$(dirname "$(dirname "$CARTSYNC_BIN")")" "$REL_ROOT/build"; do
      [[ -n $d && -x $d/tests/fake_wms_command ]] && { FAKE_WMS_COMMAND="$d/tests/fake_wms_command"; break; }
    done
  fi
  if [[ -z ${FAKE_WMS_COMMAND:-} ]]; then
    FAKE_WMS_COMMAND="$REL_WORK/fake_wms_command"
    "${CXX:-c++}" -std=c++17 -O1 -o "$FAKE_WMS_COMMAND" "$REL_ROOT/tests/runtime/fake_wms_command.cc" ||
      rel_die "cannot build fake_wms_command (set FAKE_WMS_COMMAND)"
  fi
}

# ---- scenarios -------------------------------------------------------------------

# fm_sim NAME FAULTS WANT_EXIT REGEX REDELIVERY [RUN_ARGS…]: a simulator fault.
fm_sim() {
  local name="$1" faults="$2" want="$3" regex="$4" redelivery="$5"; shift 5
  fm_begin "$name" || return 1
  sim_faults "$faults"
  fm_fault_run "$want" "$regex" "${@:-${BOUND[@]}}" || return 1
  sim_faults "$CLEAR"
  fm_recover || return 1
  fm_check "$redelivery"
}

sc_cart_5xx_burst() { fm_sim cart-5xx-burst '{"error_rate": 1, "paths": ["/shopify"]}' 3 'HTTP 50[023]' no; }
sc_wms_5xx_burst() { fm_sim wms-5xx-burst '{"error_rate": 1, "paths": ["/wms"]}' 3 'HTTP 50[023]' no; }
sc_flaky_5xx() { fm_sim flaky-5xx '{"error_rate": 0.3}' '0|3' 'HTTP 50[023]' no --http-timeout 2 --max-attempts 3; }
sc_429_storm() {
  fm_sim 429-storm '{"shopify_cost_throttle": true, "shopify_cost_maximum": 500, "shopify_cost_restore_rate": 0.05}' \
    3 'THROTTLED' no --http-timeout 2 --max-attempts 1
}
sc_rate_limited() {
  FM_ORDERS=3 fm_sim rate-limited '{"shopify_cost_throttle": true, "shopify_cost_maximum": 1000, "shopify_cost_restore_rate": 200,
                        "bigcommerce_window": true, "bigcommerce_quota": 5, "bigcommerce_window_ms": 1000}' \
    '0|3' 'HTTP 429|THROTTLED' no --http-timeout 5 --max-attempts 4
}
sc_slow() { fm_sim slow '{"latency_ms": 250}' 0 '' no --http-timeout 5 --max-attempts 2; }
sc_cart_hang() {
  fm_sim cart-hang '{"timeout_rate": 0.5, "timeout_ms": 2500, "paths": ["/shopify", "/woo", "/bigcommerce", "/amazon", "/ebay", "/walmart", "/magento"]}' \
    3 'timed out' no --http-timeout 1 --max-attempts 1
}
sc_wms_hang() {
  fm_sim wms-hang '{"timeout_rate": 1, "timeout_ms": 2500, "paths": ["/wms"]}' 3 'timed out' no \
    --http-timeout 1 --max-attempts 1
}
sc_cart_truncated() {
  fm_sim cart-truncated '{"truncate_rate": 0.5, "paths": ["/shopify", "/woo", "/bigcommerce", "/amazon", "/ebay", "/walmart", "/magento"]}' \
    3 'transfer closed|partial|malformed' no
}
sc_wms_truncated() { fm_sim wms-truncated '{"truncate_rate": 1, "paths": ["/wms"]}' 3 'transfer closed|partial' no; }
sc_wms_html() { fm_sim wms-html '{"html_rate": 1, "paths": ["/wms"]}' 3 'invalid JSON' no; }
sc_cart_html() {
  fm_sim cart-html '{"html_rate": 0.5, "paths": ["/shopify", "/woo", "/bigcommerce", "/amazon", "/ebay", "/walmart", "/magento"]}' \
    3 'malformed JSON|not JSON|other than a JSON' no
}

# The WMS URL points at a stand-in (or nothing) for the faulty run only.
fm_wms_elsewhere() {
  local name="$1" url_kind="$2" regex="$3"; shift 3
  fm_begin "$name" || return 1
  local url
  case $url_kind in
    refused) url="http://127.0.0.1:$(fm_free_port)" ;;
    *) fm_standin "$url_kind"; url="$FM_STANDIN_URL" ;;
  esac
  fm_set_wms_url "$url"
  fm_fault_run 3 "$regex" "${@:-${BOUND[@]}}" || return 1
  [[ $url_kind == refused ]] || fm_kill_standin
  fm_set_wms_url "$SIM_URL"
  fm_recover || return 1
  fm_check no
}
sc_wms_blackhole() { fm_wms_elsewhere wms-blackhole blackhole 'timed out' --http-timeout 1 --max-attempts 1; }
sc_wms_refused() { fm_wms_elsewhere wms-refused refused "connect|refused"; }
sc_wms_malformed_json() { fm_wms_elsewhere wms-malformed-json malformed 'invalid JSON'; }

# The WMS is the fake `command` program (order download only: the fake keeps
# its orders in memory, one process per client and run, so only the state
# store and the carts can be checked).
# Without the Shopify cart: its SKUs are WMS aliases the fake does not know.
fm_drop_shopify() {
  rm -f "$P/carts.d/rel-acme-shopify.toml"
  python3 - "$P/expect.json" <<'PY'
import json, sys
e = json.load(open(sys.argv[1]))
e["carts"] = [c for c in e["carts"] if c["platform"] != "shopify"]
json.dump(e, open(sys.argv[1], "w"))
PY
}
fm_cmd() {
  local name="$1" regex="$2"; shift 2
  fm_fake_wms
  FM_PREPARE=fm_drop_shopify fm_begin "$name" 4 no || return 1
  fm_set_wms_command "$FAKE_WMS_COMMAND" "$@"
  fm_fault_run 3 "$regex" --service order_download || return 1
  fm_set_wms_command "$FAKE_WMS_COMMAND" normal
  cs_run "$P" "$D/recover" --service order_download
  local rc=$?
  [[ $rc -eq 0 ]] || { fm_fail "the run after the fault exited $rc: $(grep -v ' info ' "$D/recover.err" | tail -n 2)"; return 1; }
  cs_run "$P" "$D/noop" --service order_download
  cs_noop "$D/noop" || { fm_fail "the last run still changed something"; return 1; }
  fm_check no state_only
}
sc_cmd_crash() { fm_cmd cmd-crash 'exited with code 3' crash-after 2; }
sc_cmd_kill() { fm_cmd cmd-kill 'killed by signal 9' kill-after 2; }
sc_cmd_hang() { fm_cmd cmd-hang 'timed out after 2s' hang; }
sc_cmd_garbage() { fm_cmd cmd-garbage 'printed invalid JSON' garbage; }

# Another process holds the state database's write lock during the run.
fm_busy() {
  local name="$1" seconds="$2" want="$3" regex="$4"
  fm_begin "$name" || return 1
  rm -f "$D/locked"
  python3 - "$P/.cartsync/state.db" "$D/locked" "$seconds" <<'PY' &
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
db.execute("BEGIN IMMEDIATE")
open(sys.argv[2], "w").close()
time.sleep(float(sys.argv[3]))
db.execute("ROLLBACK")
PY
  local holder=$!
  FM_PIDS+=("$holder")
  local i
  for i in $(seq 200); do [[ -e $D/locked ]] && break; sleep 0.05; done
  [[ -e $D/locked ]] || { fm_fail "could not take the lock"; return 1; }
  fm_fault_run "$want" "$regex" "${BOUND[@]}"
  local ok=$?
  wait "$holder" 2>/dev/null
  [[ $ok -eq 0 ]] || return 1
  fm_recover || return 1
  fm_check no
}
sc_sqlite_busy_short() { fm_busy sqlite-busy-short 2 0 ''; }
sc_sqlite_busy_long() { fm_busy sqlite-busy-long 11 3 'state database is busy'; }

# The state database's file system fills up: a tmpfs on .cartsync/ (or, when
# mounting is not possible, a file size limit on cartsync).
FM_DISK_MODE=
fm_disk_prepare() {
  mkdir -p "$P/.cartsync"
  if [[ -z ${FAULT_NO_MOUNT:-} ]] && mount -t tmpfs -o size=8m tmpfs "$P/.cartsync" 2>/dev/null; then
    FM_MOUNTS+=("$P/.cartsync")
    FM_DISK_MODE=tmpfs
  else
    FM_DISK_MODE=ulimit
  fi
}
# fm_disk_fill FREE_KB: leave FREE_KB free (tmpfs), or cap cartsync's file
# sizes at FREE_KB (ulimit; SIGXFSZ ignored so writes fail with EFBIG).
fm_disk_fill() {
  if [[ $FM_DISK_MODE == tmpfs ]]; then
    local free
    dd if=/dev/zero of="$P/.cartsync/filler" bs=64k 2>/dev/null
    rm -f "$P/.cartsync/filler"
    free=$(df -k "$P/.cartsync" | awk 'NR==2 {print $4}')
    if ((free > $1)); then
      dd if=/dev/zero of="$P/.cartsync/filler" bs=1k count=$((free - $1)) 2>/dev/null
    fi
  else
    FM_REAL_BIN="$CARTSYNC_BIN"
    CARTSYNC_BIN="$D/cartsync-ulimit"
    # The limit also applies to cartsync's stdout/stderr files: at least 64 KiB.
    local kb=$(($1 > 64 ? $1 : 64))
    printf '#!/bin/sh\ntrap "" XFSZ\nulimit -f %d\nexec "%s" "$@"\n' $((kb * 2)) "$FM_REAL_BIN" >"$CARTSYNC_BIN"
    chmod +x "$CARTSYNC_BIN"
  fi
}
fm_disk_free() {
  if [[ $FM_DISK_MODE == tmpfs ]]; then
    rm -f "$P/.cartsync/filler"
  else
    CARTSYNC_BIN="$FM_REAL_BIN"
  fi
}
fm_disk() {
  local name="$1" free_kb="$2" want="$3" regex="$4"
  FM_PREPARE=fm_disk_prepare fm_begin "$name" || return 1
  # More work than fits.
  sim_add_orders shopify acme 20
  sim_add_orders bigcommerce cedar 20
  snapshot_orders "$P"
  fm_disk_fill "$free_kb"
  # A file size limit does not stop SQLite opening the database, only writing.
  [[ $FM_DISK_MODE == ulimit && $want == 1 ]] && want='1|3'
  FM_DEFER_SANE=1 fm_fault_run "$want" "$regex" "${BOUND[@]}"
  local ok=$?
  fm_disk_free
  [[ $ok -eq 0 ]] || return 1
  fm_state_sane "after the faulty run" || return 1
  # A lease the run could not release (the disk was full) is reported with
  # what to do; do it, as an operator would.
  local cart
  for cart in $(grep -o 'cartsync state unlock [a-z0-9-]*' "$D/fault.all" | awk '{print $4}' | sort -u); do
    "$CARTSYNC_BIN" state unlock "$cart" --project "$P" >/dev/null 2>&1 ||
      { fm_fail "cartsync state unlock $cart failed"; return 1; }
  done
  python3 - "$P/.cartsync/state.db" <<'PY' || { fm_fail "the state database is damaged"; return 1; }
import sqlite3, sys
sys.exit(0 if sqlite3.connect(sys.argv[1]).execute("PRAGMA integrity_check").fetchone()[0] == "ok" else 1)
PY
  fm_recover || return 1
  fm_check no
  FM_DETAIL="$FM_DETAIL [$FM_DISK_MODE]"
}
sc_disk_full_start() { fm_disk disk-full-start 0 1 'disk full|write failed'; }
sc_disk_full_mid_run() { fm_disk disk-full-mid-run 96 3 'disk full|write failed'; }

# Cancellation: an order sent and not shipped is canceled at the cart; the
# WMS's cancel endpoint answers 5xx in the faulty run (the cancel intent
# stays recorded); the next run cancels it at the WMS, exactly once.
sc_cancel_fault() {
  fm_begin cancel-fault || return 1
  cs_run "$P" "$D/send" --service order_download || { fm_fail "sending the new orders failed"; return 1; }
  local key
  key="$(sim_get /_sim/records | python3 -c '
import json, sys
r = json.load(sys.stdin)
ks = [o["order_key"] for o in r["wms_orders"]
      if not o["shipped"] and o["order_key"].startswith("rel-bluebird-woo:")]
print(ks[0] if ks else "")')"
  [[ -n $key ]] || { fm_fail "no sent, unshipped WooCommerce order to cancel"; return 1; }
  sim_post /_sim/cancel "{\"platform\": \"woocommerce\", \"store\": \"bluebird\", \"id\": \"${key#*:}\"}" >/dev/null ||
    { fm_fail "POST /_sim/cancel refused"; return 1; }
  sim_faults '{"error_rate": 1, "paths": ["/wms/orders"]}'
  fm_fault_run 3 'cancels not delivered' "${BOUND[@]}" || return 1
  sim_faults "$CLEAR"
  fm_recover || return 1
  sim_get /_sim/records | python3 -c '
import json, sys
key = sys.argv[1]
o = [o for o in json.load(sys.stdin)["wms_orders"] if o["order_key"] == key][0]
sys.exit(0 if o["canceled"] and o["cancel_requests"] == 1 and not o["shipped"] else 1)' "$key" ||
    { fm_fail "$key is not canceled at the WMS exactly once"; return 1; }
  python3 - "$P/.cartsync/state.db" "$key" <<'PY' || { fm_fail "$key is not canceled in the state store"; return 1; }
import sqlite3, sys
row = sqlite3.connect(sys.argv[1]).execute("SELECT status FROM orders WHERE order_key = ?", (sys.argv[2],)).fetchone()
sys.exit(0 if row and row[0] == "canceled" else 1)
PY
  fm_check no
}

# ---- the matrix --------------------------------------------------------------------

SCENARIOS=(cart-5xx-burst wms-5xx-burst flaky-5xx 429-storm rate-limited slow cart-hang wms-hang
  wms-blackhole wms-refused cart-truncated wms-truncated wms-malformed-json wms-html cart-html
  cmd-crash cmd-kill cmd-hang cmd-garbage sqlite-busy-short sqlite-busy-long disk-full-start
  disk-full-mid-run cancel-fault)

rel_log "work dir $REL_WORK; budget ${BUDGET_S}s"
for name in "${SCENARIOS[@]}"; do
  [[ -z $ONLY || $name =~ $ONLY ]] || continue
  if (($(rel_now_ms) - T0 > BUDGET_S * 1000)); then
    RESULTS+=("$name|FAIL|over the ${BUDGET_S}s budget, not run|")
    FAILED=1
    continue
  fi
  rel_log "$name"
  FM_WHY= FM_DETAIL= FM_SERVED= FM_RC=- FM_MS=0
  s=$(rel_now_ms)
  if "sc_${name//-/_}"; then
    verdict=PASS
  else
    verdict=FAIL
    FAILED=1
  fi
  took=$((($(rel_now_ms) - s) / 1000))
  if [[ $verdict == PASS ]]; then
    first="$(grep -E '^[0-9TZ:-]+ error |^cartsync' "$D/fault.err" 2>/dev/null | head -n 1 |
      sed -E 's/^[0-9TZ:-]+ error //' | cut -c1-150)"
    RESULTS+=("$name|PASS|exit $FM_RC in $((FM_MS / 1000)).$(((FM_MS % 1000) / 100))s${FM_SERVED:+ (served: $FM_SERVED)}; then $FM_DETAIL|$first")
  else
    RESULTS+=("$name|FAIL|$FM_WHY|")
  fi
  rel_log "  $verdict (${took}s)"
done
fm_stop_sim

printf '\n%-20s %-5s %s\n' scenario result "faulty run; after recovery / first error"
for r in "${RESULTS[@]}"; do
  IFS='|' read -r n v d e <<<"$r"
  printf '%-20s %-5s %s\n' "$n" "$v" "$d"
  [[ -n $e ]] && printf '%-26s %s\n' "" "$e"
done
printf '\n%d scenarios in %ds\n' "${#RESULTS[@]}" $((($(rel_now_ms) - T0) / 1000))
[[ $FAILED -eq 0 ]] || REL_FAILED=1
exit $FAILED
