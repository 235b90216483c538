#!/usr/bin/env bash
# Secret hygiene end to end: every credential (Shopify token, Shopify app
# client secret and the tokens its grant issues, WooCommerce
# consumer key and secret, BigCommerce token, Amazon LWA and eBay secrets and
# refresh tokens, the Walmart client secret and the tokens its grant issues,
# the Magento integration token, WMS bearer token — env: and
# file: references) is set to a known marker value, the simulator is
# configured to accept exactly those, and every command runs — check (all
# formats), plan (all formats, -o, --diff), run (text and JSON logs, --report,
# --metrics, --dry-run, --due, from a plan file), state (orders, show, resend,
# runs, unlock; text and JSON) — on the happy path and on failing ones:
#
#   wrong-credentials  other marker values: 401/403 from every store and the WMS
#   refused            every URL on a port nothing listens on (curl errors)
#   tls                https:// to the simulator's plain-HTTP port (TLS errors)
#   woo-curl-error     a WooCommerce base_url with a query string on a dead port
#   missing-secret     an env: variable unset, a file: secret missing
#   inline-secret      a secret pasted into a cart file (E0301: masked in output)
#
# Then no marker — nor its first 12 characters, nor WooCommerce's Basic
# credentials in base64 — may appear in any stdout/stderr, JSON log, report,
# metrics file, plan, diff or state database (the SQLite files' raw bytes,
# -wal and -shm included).
#
#   tests/reliability/secrets_test.sh
#
# Environment: lib.sh's (CARTSYNC_BIN, CARTSYNC_SIM, BUILD_DIR, REL_KEEP).
# Exit 0 clean, 1 a marker leaked or a command misbehaved.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

rel_init secrets
OUT="$REL_WORK/out"  # everything cartsync writes (scanned at the end)
mkdir -p "$OUT"
PROBLEMS=()
problem() { PROBLEMS+=("$*"); rel_log "PROBLEM: $*"; }

# Markers: letters, digits and _ only, so URL encoding cannot disguise them.
M_SHOP="shpat_MARKshopify7Q2x9Lk4"
M_WOO_KEY="ck_MARKwookey3Vd8Hs1p"
M_WOO_SECRET="cs_MARKwoosecret6Tb2Nq5z"
M_BC="MARKbigcommerce8Wm4Jc7r"
M_WMS="MARKwmstoken2Rf9Gy6u"
M_SHOP_SECRET="shpss_MARKclientsecret4Hq8Zt2"
M_AMZ_SECRET="amzn1_MARKlwasecret5Pd3Qe7"
M_AMZ_REFRESH="Atzr_MARKlwarefresh9Cv2Lx4"
M_EBAY_SECRET="PRD_MARKebaysecret3Wd8Kp1"
M_EBAY_REFRESH="v1_MARKebayrefresh6Hn2Tz9"
M_WALMART_SECRET="MARKwalmartsecret7Bn4Yq2"
M_MAGENTO="MARKmagentotoken5Gx8Rb3"
WRONG=(xx_WRONGshopify5Kp1 ck_WRONGkey4Hd7 cs_WRONGsecret8Lq2 WRONGbigcommerce3Zs6 WRONGwms9Tn4 shpss_WRONGsecret7Mx3
       amzn1_WRONGlwa6Rt2 Atzr_WRONGrefresh3Gh8 PRD_WRONGebay4Qs1 v1_WRONGebayrefresh8Jm5
       WRONGwalmart2Ck7 WRONGmagento6Pv3)
M_INLINE="cs_MARKinlinepasted1Yc5Ve8"
# simtok_: every access token the simulator's client credentials grant issues
# (Walmart's token grant issues wm-STORE-token-N-T).
MARKERS=("$M_SHOP" "$M_SHOP_SECRET" "$M_WOO_KEY" "$M_WOO_SECRET" "$M_BC" "$M_WMS" "${WRONG[@]}" "$M_INLINE" simtok_ "$M_AMZ_SECRET" "$M_AMZ_REFRESH" "Atza|sim-"
         "$M_EBAY_SECRET" "$M_EBAY_REFRESH" simebaytok_ "$M_WALMART_SECRET" "$M_MAGENTO" "wm-summit-token-")

cat >"$REL_WORK/sim.json" <<EOF
{"port": 0, "seed": 3, "demo": false,
 "wms": {"token": "$M_WMS"},
 "faults": {${REL_FAST_LIMITS:-"bigcommerce_quota": 100000}},
 "stores": [
  {"platform": "shopify", "name": "acme", "orders": 12, "token": "$M_SHOP"},
  {"platform": "shopify", "name": "acmeapp", "orders": 12, "client_id": "acmeapp-client",
   "client_secret": "$M_SHOP_SECRET"},
  {"platform": "woocommerce", "name": "bluebird", "orders": 12,
   "consumer_key": "$M_WOO_KEY", "consumer_secret": "$M_WOO_SECRET"},
  {"platform": "bigcommerce", "name": "cedar", "orders": 12, "token": "$M_BC"},
  {"platform": "amazon", "name": "harbor", "orders": 12, "token": "$M_AMZ_REFRESH",
   "client_id": "amzn1.application-oa2-client.harbor", "client_secret": "$M_AMZ_SECRET"},
  {"platform": "ebay", "name": "harbor", "orders": 12, "token": "$M_EBAY_REFRESH",
   "client_id": "demo-ebay-client", "client_secret": "$M_EBAY_SECRET"},
  {"platform": "walmart", "name": "summit", "orders": 12, "client_id": "demo-walmart-client",
   "client_secret": "$M_WALMART_SECRET", "sku_prefixes": ["SS"]},
  {"platform": "magento", "name": "greenleaf", "orders": 12, "token": "$M_MAGENTO"}]}
EOF
sim_start "$REL_WORK/sim.json"
SIM_PORT="${SIM_URL##*:}"

P="$REL_WORK/project"
project_write "$P"
# The WMS token from a file: secret, the rest from the environment.
mkdir -p "$P/secrets"
printf '%s\n' "$M_WMS" >"$P/secrets/wms.token"
sed -i 's#token = { secret = "env:REL_WMS_TOKEN" }#token = { secret = "file:secrets/wms.token" }#' "$P/cartsync.toml"
grep -q 'file:secrets/wms.token' "$P/cartsync.toml" || rel_die "could not switch the WMS token to a file: secret"
# A second Shopify cart with the client credentials form (a Dev Dashboard app).
sed -e 's#rel-acme-shopify#rel-acmeapp-shopify#' -e "s#/shopify/acme\"#/shopify/acmeapp\"#" \
  -e 's#^access_token = .*#client_id = "acmeapp-client"\nclient_secret = { secret = "env:REL_SHOPIFY_SECRET" }#' \
  "$P/carts.d/rel-acme-shopify.toml" >"$P/carts.d/rel-acmeapp-shopify.toml"
grep -q 'env:REL_SHOPIFY_SECRET' "$P/carts.d/rel-acmeapp-shopify.toml" || rel_die "could not write the client credentials cart"
# A [[notify]] webhook whose URL path is a marker, on a port nothing listens on: every run
# tries it (held orders, failed steps), fails, and must show the URL nowhere.
M_HOOK="MARKwebhookpath4Nq7Zc2"
MARKERS+=("$M_HOOK")
HOOK_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
export REL_NOTIFY_URL="http://127.0.0.1:$HOOK_PORT/services/T0/B0/$M_HOOK"
printf '\n[[notify]]\nurl = { secret = "env:REL_NOTIFY_URL" }\nformat = "slack"\n' >>"$P/cartsync.toml"

good_env() {
  export REL_SHOPIFY_TOKEN="$M_SHOP" REL_SHOPIFY_SECRET="$M_SHOP_SECRET" REL_WOO_KEY="$M_WOO_KEY" REL_WOO_SECRET="$M_WOO_SECRET" \
    REL_BC_TOKEN="$M_BC" REL_WMS_TOKEN="$M_WMS" REL_AMAZON_SECRET="$M_AMZ_SECRET" REL_AMAZON_REFRESH="$M_AMZ_REFRESH" \
    REL_EBAY_SECRET="$M_EBAY_SECRET" REL_EBAY_REFRESH="$M_EBAY_REFRESH" \
    REL_WALMART_SECRET="$M_WALMART_SECRET" REL_MAGENTO_TOKEN="$M_MAGENTO"
}
good_env

# cx NAME WANT_EXIT ARGS…: cartsync ARGS… with stdout/stderr in $OUT/NAME.*;
# WANT_EXIT may list alternatives (0|2). CX_PRE: a command prefix (env -u …).
CX_PRE=(env)
cx() {
  local name="$1" want="$2"; shift 2
  "${CX_PRE[@]}" "$CARTSYNC_BIN" "$@" >"$OUT/$name.out" 2>"$OUT/$name.err"
  local rc=$?
  if [[ "|$want|" != *"|$rc|"* ]]; then
    problem "$name: cartsync $* exited $rc, want $want: $(tail -n 2 "$OUT/$name.err" | tr '\n' ' ' | cut -c1-200)"
  fi
  printf '%-26s exit %s\n' "$name" "$rc" >>"$OUT/exits.txt"
  return 0
}
# cx_expect NAME REGEX: the command's output says why (a clear error).
cx_expect() {
  grep -Eiq -- "$2" "$OUT/$1.out" "$OUT/$1.err" || problem "$1: no message matching /$2/"
}

# ---- the happy path: every command -----------------------------------------------
rel_log "happy path"
for f in text json sarif github; do cx "check-$f" 0 check "$P" --format "$f"; done
cx plan-text 0 plan "$P"
cx plan-json 0 plan "$P" --format json
cx plan-markdown 0 plan "$P" --format markdown
cx plan-o 0 plan "$P" -o "$OUT/plan.json"
cx plan-diff 0 plan "$P" --diff "$OUT/plan.json" --detailed-exitcode
cx plan-diff-md 0 plan "$P" --diff "$OUT/plan.json" --format markdown
cx schema 0 schema
cx run-dry-fresh 0 run "$P" --dry-run --report "$OUT/dry-fresh.json" --log-format json
cx run-1 0 run "$P" --report "$OUT/run-1.json" --metrics "$OUT/run-1.prom" --log-format json
sim_ship >/dev/null
sim_add_orders shopify acme 2
sim_add_orders woocommerce bluebird 2
cx run-dry 0 run "$P" --dry-run --report "$OUT/dry.json" --metrics "$OUT/dry.prom"
cx run-2 0 run "$P" --report "$OUT/run-2.json" --metrics "$OUT/run-2.prom"
cx run-due 0 run "$P" --due --report "$OUT/run-due.json" --log-format json
# From the plan file: relative secret files resolve from the current directory.
(cd "$P" && "$CARTSYNC_BIN" run "$OUT/plan.json" --report "$OUT/run-plan.json" --log-format json \
  >"$OUT/run-plan.out" 2>"$OUT/run-plan.err") || problem "run-plan: cartsync run plan.json failed: $(tail -n 2 "$OUT/run-plan.err")"
KEY="$(python3 - "$P/.cartsync/state.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
row = db.execute("SELECT order_key FROM orders WHERE status IN ('sent','confirmed') ORDER BY order_key LIMIT 1").fetchone()
print(row[0] if row else "")
PY
)"
HELD="$(python3 - "$P/.cartsync/state.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
row = db.execute("SELECT order_key FROM orders WHERE status = 'held' ORDER BY order_key LIMIT 1").fetchone()
print(row[0] if row else "")
PY
)"
[[ -n $KEY ]] || problem "no order was sent on the happy path"
for fmt in text json; do
  cx "state-orders-$fmt" 0 state orders --project "$P" --format "$fmt"
  cx "state-held-$fmt" 0 state orders --status held --project "$P" --format "$fmt"
  cx "state-show-$fmt" 0 state show "$KEY" --project "$P" --format "$fmt"
  cx "state-runs-$fmt" 0 state runs --project "$P" --format "$fmt"
done
[[ -n $HELD ]] && cx state-resend 0 state resend "$HELD" --project "$P"
cx state-unlock 0 state unlock rel-acme-shopify --project "$P"
cx run-after-resend 0 run "$P" --report "$OUT/run-3.json" --metrics "$OUT/run-3.prom" --log-format json

# ---- failing paths ----------------------------------------------------------------
# variant NAME: a copy of the project (without its state) in $V.
variant() {
  V="$REL_WORK/$1"
  rm -rf "$V"
  mkdir -p "$V"
  cp -r "$P/cartsync.toml" "$P/carts.d" "$P/secrets" "$V/"
}

rel_log "wrong credentials"
variant wrong
printf '%s\n' "${WRONG[4]}" >"$V/secrets/wms.token"
REL_SHOPIFY_TOKEN="${WRONG[0]}" REL_SHOPIFY_SECRET="${WRONG[5]}" REL_WOO_KEY="${WRONG[1]}" REL_WOO_SECRET="${WRONG[2]}" REL_BC_TOKEN="${WRONG[3]}" \
  REL_AMAZON_SECRET="${WRONG[6]}" REL_AMAZON_REFRESH="${WRONG[7]}" \
  REL_EBAY_SECRET="${WRONG[8]}" REL_EBAY_REFRESH="${WRONG[9]}" \
  REL_WALMART_SECRET="${WRONG[10]}" REL_MAGENTO_TOKEN="${WRONG[11]}" \
  cx run-wrong 3 run "$V" --report "$OUT/run-wrong.json" --metrics "$OUT/run-wrong.prom" --max-attempts 1
cx_expect run-wrong '401|403|unauthori[sz]ed|rejected'
REL_SHOPIFY_TOKEN="${WRONG[0]}" REL_SHOPIFY_SECRET="${WRONG[5]}" REL_WOO_KEY="${WRONG[1]}" REL_WOO_SECRET="${WRONG[2]}" REL_BC_TOKEN="${WRONG[3]}" \
  REL_AMAZON_SECRET="${WRONG[6]}" REL_AMAZON_REFRESH="${WRONG[7]}" \
  REL_EBAY_SECRET="${WRONG[8]}" REL_EBAY_REFRESH="${WRONG[9]}" \
  REL_WALMART_SECRET="${WRONG[10]}" REL_MAGENTO_TOKEN="${WRONG[11]}" \
  cx run-wrong-json 3 run "$V" --log-format json --max-attempts 1 --dry-run
cx state-wrong 0 state runs --project "$V" --format json

rel_log "refused connections"
variant refused
DEAD="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
sed -i "s#$SIM_URL#http://127.0.0.1:$DEAD#g" "$V/cartsync.toml" "$V"/carts.d/*.toml
cx run-refused 3 run "$V" --report "$OUT/run-refused.json" --log-format json --http-timeout 2 --max-attempts 1
cx_expect run-refused "connect|refused"

rel_log "TLS to a plain-HTTP port"
variant tls
sed -i "s#http://127.0.0.1:$SIM_PORT#https://127.0.0.1:$SIM_PORT#g" "$V/cartsync.toml" "$V"/carts.d/*.toml
cx run-tls 3 run "$V" --report "$OUT/run-tls.json" --metrics "$OUT/run-tls.prom" --http-timeout 3 --max-attempts 1
cx_expect run-tls "SSL|TLS|wrong version|handshake"
cx run-tls-json 3 run "$V" --log-format json --http-timeout 3 --max-attempts 1

rel_log "WooCommerce curl error"
variant woo
# A base_url with a query string (parameters named like credentials) on a dead port.
sed -i "s#base_url = \"$SIM_URL/woo/bluebird\"#base_url = \"http://127.0.0.1:$DEAD/woo/bluebird?consumer_key=ck_placeholder\&page=1\"#" \
  "$V/carts.d/rel-bluebird-woo.toml"
cx check-woo '0|1' check "$V"
cx run-woo '1|3' run "$V" --cart rel-bluebird-woo --log-format json --report "$OUT/run-woo.json" \
  --http-timeout 2 --max-attempts 2

rel_log "missing secrets"
variant missing
rm "$V/secrets/wms.token"
CX_PRE=(env -u REL_SHOPIFY_TOKEN -u REL_SHOPIFY_SECRET -u REL_WOO_SECRET)
cx run-missing 3 run "$V" --report "$OUT/run-missing.json" --max-attempts 1
CX_PRE=(env)
cx_expect run-missing 'REL_SHOPIFY_TOKEN|REL_WOO_SECRET|wms.token'

rel_log "a secret pasted into a cart"
variant inline
sed -i "s#consumer_secret = { secret = \"env:REL_WOO_SECRET\" }#consumer_secret = \"$M_INLINE\"#" \
  "$V/carts.d/rel-bluebird-woo.toml"
grep -q "$M_INLINE" "$V/carts.d/rel-bluebird-woo.toml" || rel_die "could not paste the inline secret"
for f in text json sarif github; do cx "check-inline-$f" 1 check "$V" --format "$f"; done
cx_expect check-inline-text 'E0301'
cx plan-inline 1 plan "$V" -o "$OUT/plan-inline.json"
cx run-inline 1 run "$V" --report "$OUT/run-inline.json"
INLINE_TOML="$V/carts.d/rel-bluebird-woo.toml"

# ---- the scan ---------------------------------------------------------------------
rel_log "scanning what cartsync wrote"
WOO_BASIC="$(printf '%s:%s' "$M_WOO_KEY" "$M_WOO_SECRET" | base64 -w0)"
WRONG_BASIC="$(printf '%s:%s' "${WRONG[1]}" "${WRONG[2]}" | base64 -w0)"
cat >"$REL_WORK/scan.py" <<'PY'
import os, sys
out, work, inline_toml, needles = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
# Each marker, and its first 12 characters (a cut excerpt must not leak a prefix).
pats = set()
for n in needles:
    pats.add(n.encode())
    if len(n) > 14:
        pats.add(n[:12].encode())
files = []
for root, dirs, names in os.walk(work):
    for name in names:
        path = os.path.join(root, name)
        # What cartsync wrote: $OUT, and every project's .cartsync/ (state db, -wal, -shm).
        if path.startswith(out + os.sep) or os.sep + ".cartsync" + os.sep in path:
            files.append(path)
hits = 0
for path in sorted(files):
    data = open(path, "rb").read()
    for p in sorted(pats):
        if p in data:
            i = data.find(p)
            ctx = data[max(0, i - 60):i + len(p) + 20].decode("utf-8", "replace").replace("\n", " ")
            print(f"LEAK {os.path.relpath(path, work)}: {p.decode()!r} in …{ctx}…")
            hits += 1
print(f"scanned {len(files)} files ({sum(os.path.getsize(f) for f in files)} bytes) for {len(pats)} patterns: {hits} hits")
sys.exit(1 if hits else 0)
PY
# The scanner finds what it should: a planted prefix of a marker in a state
# directory of a scratch tree.
mkdir -p "$REL_WORK/selftest/out" "$REL_WORK/selftest/p/.cartsync"
printf 'x%sx' "${M_WMS:0:12}" >"$REL_WORK/selftest/p/.cartsync/state.db-wal"
python3 "$REL_WORK/scan.py" "$REL_WORK/selftest/out" "$REL_WORK/selftest" none "${MARKERS[@]}" >/dev/null &&
  rel_die "the scanner missed a planted marker"
rm -rf "$REL_WORK/selftest"
python3 "$REL_WORK/scan.py" "$OUT" "$REL_WORK" "$INLINE_TOML" "${MARKERS[@]}" "$WOO_BASIC" "$WRONG_BASIC" \
  >"$REL_WORK/scan.txt"
scan=$?
cat "$REL_WORK/scan.txt" >&2
[[ $scan -eq 0 ]] || problem "markers leaked (see above)"
# The scan must have seen the things it vouches for.
for f in "$OUT/run-1.json" "$OUT/run-1.prom" "$OUT/plan.json" "$P/.cartsync/state.db" "$OUT/run-1.err" \
  "$OUT/run-wrong.err" "$OUT/run-tls.err" "$OUT/run-woo.err"; do
  [[ -s $f ]] || problem "expected output missing or empty: ${f#$REL_WORK/}"
done

cat "$OUT/exits.txt" >&2
if ((${#PROBLEMS[@]})); then
  rel_log "${#PROBLEMS[@]} problems"
  REL_FAILED=1
  exit 1
fi
rel_log "no secret in any output ($(wc -l <"$OUT/exits.txt") commands)"
