#!/usr/bin/env bash
# The pictures people look at, loaded in a real browser (headless Debian
# chromium) and checked for what it shows, not for what the file says:
#
#   1. `plan --format html` of the sample project (cartsync.toml, carts.d/) plus
#      one cart whose name holds a <script> element, quotes and an ampersand:
#      the DOM chromium builds shows every cart id, each service with its
#      schedule (or "disabled", as the plan JSON says), the WMS and its system,
#      in the SVG diagram and in the table; the hostile name is text, there is
#      no script element and the page title is untouched; a screenshot is not
#      blank;
#   2. `plan --format dot` is accepted by Graphviz (`dot -Tsvg`), hostile name
#      included, and the SVG chromium renders from it names every cart;
#   3. `run --report FILE --report-html FILE` of a real run against
#      cartsync-sim (the reliability harness's seven demo stores, 6 orders
#      each): for every step of the JSON report the page shows the same state
#      and counts, the totals are the sums, errors appear as text, and no
#      secret of the run is anywhere in the page.
#
# Usage: tests/tools/browser_check.sh BUILD_DIR   (exit 0 = all good). Skips,
# saying so, only when chromium is missing and cannot be installed.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${1:?usage: browser_check.sh BUILD_DIR}"
build="$(cd "$build" && pwd)"
export CARTSYNC_BIN="$build/tools/cartsync" CARTSYNC_SIM="$build/tools/simulator/cartsync-sim"
# shellcheck source=tests/reliability/lib.sh
source "$root/tests/reliability/lib.sh"

fail() { rel_die "browser_check: $*"; }
# The DOM parser the page checks below share (Page, walk).
export PYTHONPATH="$root/tests/tools${PYTHONPATH:+:$PYTHONPATH}"

browser=""
for b in chromium chromium-browser; do
  command -v "$b" >/dev/null && { browser=$(command -v "$b"); break; }
done
if [[ -z $browser && $(id -u) -eq 0 ]]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium >/dev/null 2>&1 &&
    browser=$(command -v chromium || true)
fi
if [[ -z $browser ]]; then
  echo "browser_check: SKIP: chromium is not installed and could not be installed" \
    "(apt-get install chromium)" >&2
  exit 0
fi

rel_init browser
W="$REL_WORK"
profile="$W/chromium-profile"
# chromium FLAGS… URL: headless, no sandbox (containers run as root), its own
# throw-away profile, no network beyond loopback files, bounded in time.
chrome() {
  timeout 90 "$browser" --headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage \
    --no-first-run --no-default-browser-check --disable-extensions --user-data-dir="$profile" \
    --virtual-time-budget=2000 "$@" 2>>"$W/chromium.log"
}
dump_dom() {  # FILE OUT
  chrome --dump-dom "file://$1" >"$2" || fail "chromium could not load $1 (see $W/chromium.log)"
  [[ -s $2 ]] || fail "chromium dumped an empty DOM for $1"
}

# --- 1. plan --format html ---------------------------------------------------------
proj="$W/plan-project"
mkdir -p "$proj/carts.d"
cp "$root/cartsync.toml" "$proj/"
cp "$root"/carts.d/*.toml "$proj/carts.d/"
evil_name="Evil <script>document.title='pwned'</script> \"quoted\" & co"
sed -e 's/^id = "acme-apparel-shopify"/id = "evil-shopify"/' \
  -e "s|^name = .*|name = \"Evil <script>document.title='pwned'</script> \\\\\"quoted\\\\\" \& co\"|" \
  -e '/^\[services.shipment_upload\]/,/^every/ s/^enabled = true/enabled = false/' \
  "$root/carts.d/acme-apparel-shopify.toml" >"$proj/carts.d/evil-shopify.toml"
grep -q '^id = "evil-shopify"' "$proj/carts.d/evil-shopify.toml" || fail "could not write the hostile cart"

"$CARTSYNC_BIN" plan "$proj" -o "$W/plan.json" 2>"$W/plan.err" || fail "plan -o: $(cat "$W/plan.err")"
"$CARTSYNC_BIN" plan "$proj" --format html -o "$W/plan.html" 2>"$W/plan-html.err" ||
  fail "plan --format html: $(cat "$W/plan-html.err")"
"$CARTSYNC_BIN" plan "$proj" --format dot -o "$W/plan.dot" 2>"$W/plan-dot.err" ||
  fail "plan --format dot: $(cat "$W/plan-dot.err")"
dump_dom "$W/plan.html" "$W/plan.dom"

python3 - "$W/plan.json" "$W/plan.dom" "$evil_name" <<'PY' || fail "plan page: see above"
import json, sys
from dom_page import Page, walk

plan = json.load(open(sys.argv[1]))
dom = open(sys.argv[2], encoding="utf-8").read()
evil = sys.argv[3]

p = Page()
p.feed(dom)
errors = []
def check(cond, msg):
    if not cond:
        errors.append(msg)

def find(tag, **attrs):
    out = []
    for e in p.elements:
        if e["tag"] != tag:
            continue
        if all((k == "class" and v in e["attrs"].get("class", "").split()) or
               (k != "class" and e["attrs"].get(k.replace("_", "-")) == v)
               for k, v in attrs.items()):
            out.append(e)
    return out

def lines(e):
    """What a diagram box shows: the texts of its <text> elements."""
    return [t["text"] for t in walk(e) if t["tag"] == "text"]

check("script" not in p.tags, "a <script> element is in the DOM")
check(find("title") and find("title")[0]["text"] == "cartsync plan",
      "the page title is %r" % (find("title")[0]["text"] if find("title") else None))
check(len(find("svg")) == 1, "one svg diagram")

services = ["order_download", "shipment_upload", "inventory_upload"]
wms_used = set()
for cart in plan["carts"]:
    cid = cart["id"]
    boxes = find("g", data_cart=cid, **{"class": "cart"})
    check(len(boxes) == 1, f"diagram: one box for cart {cid}")
    if boxes:
        shown = lines(boxes[0])
        check(shown and (shown[0] == cid or shown[0] == cid[:29] + "\u2026"),
              f"diagram: cart box of {cid} shows its id: {shown!r}")
        check(len(shown) == 2 and shown[1].startswith(cart["platform"]),
              f"diagram: cart {cid} shows its platform: {shown!r}")
    rows = find("tr", data_cart=cid)
    check(len(rows) == 1, f"table: one row for cart {cid}")
    steps = {s["service"]: s for s in cart["steps"]}
    for svc in services:
        g = find("g", data_cart=cid, data_service=svc)
        check(len(g) == 1, f"diagram: {cid}/{svc} drawn")
        cell = [e for e in walk(rows[0]) if e["tag"] == "td" and
                e["attrs"].get("data-service") == svc] if rows else []
        if svc in steps:
            check(g and "on" in g[0]["attrs"]["class"].split(), f"{cid}/{svc} drawn enabled")
            check(g and lines(g[0])[0] == svc and lines(g[0])[1] != "disabled",
                  f"diagram: {cid}/{svc} shows a schedule: {g and lines(g[0])!r}")
            check(cell and g and cell[0]["text"] == lines(g[0])[1],
                  f"table: {cid}/{svc} shows the diagram's schedule")
        else:
            check(g and "off" in g[0]["attrs"]["class"].split(), f"{cid}/{svc} drawn disabled")
            check(g and lines(g[0]) == [svc, "disabled"], f"diagram: {cid}/{svc} says disabled")
            check(cell and cell[0]["text"] == "disabled", f"table: {cid}/{svc} says disabled")
    if cart.get("wms"):
        wms_used.add(cart["wms"])

for name, wms in plan["wms"].items():
    g = find("g", data_wms=name)
    check(len(g) == 1, f"diagram: WMS {name} drawn")
    check(g and lines(g[0]) == [name, wms["system"]],
          f"diagram: WMS {name} shows its name and system: {g and lines(g[0])!r}")
    check(len(find("tr", data_wms=name)) == 1, f"table: a row for WMS {name}")

# Schedules as people write them, from the sample carts.
def svc_text(cid, svc):
    g = find("g", data_cart=cid, data_service=svc)
    return lines(g[0]) if g else []
check("every 15m" in svc_text("acme-apparel-shopify", "order_download"),
      "acme order_download every 15m: %r" % svc_text("acme-apparel-shopify", "order_download"))
check("hourly" in svc_text("acme-apparel-shopify", "inventory_upload"), "acme inventory hourly")
check("daily at 02:30" in svc_text("bluebird-candles-woocommerce", "inventory_upload"),
      "bluebird inventory daily at 02:30")
check("disabled" in svc_text("evil-shopify", "shipment_upload"), "evil shipment_upload disabled")

# The hostile name is shown as text, whole, in the table.
name_cells = [e for e in find("td") if e["text"] == evil]
check(len(name_cells) == 1, "the hostile cart name appears once as text in the table")
check("pwned" not in "".join(e["text"] for e in find("title")[:1]), "script did not run")

# Edges: one per service of each cart, one per enabled service to its WMS.
n_steps = sum(len(c["steps"]) for c in plan["carts"])
paths = find("path")
check(len(paths) == 3 * len(plan["carts"]) + n_steps,
      f"{len(paths)} edges, expected {3 * len(plan['carts']) + n_steps}")

if errors:
    print("\n".join("plan page: " + e for e in errors), file=sys.stderr)
    sys.exit(1)
print(f"plan page: {len(plan['carts'])} carts, {n_steps} steps, {len(plan['wms'])} WMS shown",
      file=sys.stderr)
PY

# A screenshot: the page renders, and not as a blank sheet.
chrome --screenshot="$W/plan.png" --window-size=1280,1800 "file://$W/plan.html" >/dev/null ||
  fail "chromium could not take a screenshot of the plan page"
python3 - "$W/plan.png" <<'PY' || fail "the plan page renders blank"
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, size = 8, b"", None
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        size = struct.unpack(">II", body[:8])
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
raw = zlib.decompress(idat)
distinct = len(set(raw))
print(f"plan screenshot: {size[0]}x{size[1]}, {distinct} distinct byte values", file=sys.stderr)
sys.exit(0 if size[0] >= 800 and distinct > 24 else 1)
PY

# --- 2. plan --format dot ----------------------------------------------------------
if command -v dot >/dev/null; then
  dot -Tsvg "$W/plan.dot" >"$W/plan.svg" 2>"$W/dot.err" || fail "dot -Tsvg refused plan.dot: $(cat "$W/dot.err")"
  [[ -s $W/dot.err ]] && fail "dot -Tsvg warned: $(cat "$W/dot.err")"
  dump_dom "$W/plan.svg" "$W/plan-svg.dom"
  python3 - "$W/plan.json" "$W/plan-svg.dom" "$evil_name" <<'PY' || fail "plan.dot: see above"
import html, json, re, sys
plan = json.load(open(sys.argv[1]))
dom = open(sys.argv[2], encoding="utf-8").read()
texts = [html.unescape(t) for t in re.findall(r"<text[^>]*>(.*?)</text>", dom, re.S)]
missing = [c["id"] for c in plan["carts"] if c["id"] not in texts]
missing += [w for w in plan["wms"] if w not in texts]
if "<script" in dom:
    missing.append("a script element in the SVG")
if sys.argv[3] not in [html.unescape(t) for t in re.findall(r"<a [^>]*title=\"([^\"]*)\"", dom)] \
        and sys.argv[3] not in html.unescape(dom):
    missing.append("the hostile name (tooltip)")
n_steps = sum(len(c["steps"]) for c in plan["carts"])
edges = dom.count('class="edge"')
if edges != 3 * len(plan["carts"]) + n_steps:
    missing.append(f"{edges} edges")
if missing:
    print("plan.dot rendered by Graphviz lacks: " + ", ".join(missing), file=sys.stderr)
    sys.exit(1)
print(f"plan.dot: Graphviz drew {len(plan['carts'])} carts and {edges} edges", file=sys.stderr)
PY
else
  echo "browser_check: note: graphviz (dot) is not installed: plan.dot not rendered" >&2
fi

# --- 3. run --report-html of a real run against the simulator ----------------------
sim_config "$W/sim.json" 6 3 "{\"latency_ms\": 1, $REL_FAST_LIMITS}"
sim_start "$W/sim.json"
project_write "$W/run-project"
cs_run "$W/run-project" "$W/run1" --report-html "$W/run1.html"
rc=$?
[[ $rc -eq 0 || $rc -eq 3 ]] || fail "cartsync run exited $rc: $(tail -n 20 "$W/run1.err")"
[[ -s $W/run1.html ]] || fail "run --report-html wrote nothing"
dump_dom "$W/run1.html" "$W/run1.dom"
python3 - "$W/run1.json" "$W/run1.dom" <<'PY' || fail "report page: see above"
import json, os, sys
from dom_page import Page, walk

report = json.load(open(sys.argv[1]))
dom = open(sys.argv[2], encoding="utf-8").read()

p = Page()
p.feed(dom)
errors = []
def check(cond, msg):
    if not cond:
        errors.append(msg)

check("script" not in p.tags, "a script element")
status = [e for e in p.elements if e["attrs"].get("id") == "run-status"]
want = "ok" if report["ok"] else "failed"
check(status and status[0]["text"] == want, f"run status shows {status and status[0]['text']!r}, JSON says {want}")
check(len(report["steps"]) > 0, "the run has steps")

ran = 0
for step in report["steps"]:
    rows = [e for e in p.elements if e["tag"] == "tr" and e["attrs"].get("data-step") == step["step"]]
    check(len(rows) == 1, f"one row for step {step['step']}")
    if not rows:
        continue
    row = rows[0]
    badges = [e for e in walk(row) if "badge" in e["attrs"].get("class", "").split()]
    check(badges and badges[0]["text"] == step["state"],
          f"{step['step']}: state {badges and badges[0]['text']!r}, JSON {step['state']!r}")
    shown = {}
    for e in walk(row):
        if e["tag"] == "li" and "data-count" in e["attrs"]:
            shown[e["attrs"]["data-count"]] = int(e["text"].split()[0])
    if step["state"] in ("ok", "failed"):
        ran += 1
        check(shown, f"{step['step']}: no counts shown")
        for key, value in shown.items():
            check(step["counts"].get(key) == value,
                  f"{step['step']}: {key} shows {value}, JSON {step['counts'].get(key)}")
        for key, value in step["counts"].items():
            if value and key not in shown:
                errors.append(f"{step['step']}: {key} = {value} not shown")
    if step.get("error"):
        check(step["error"] in row["text"], f"{step['step']}: error text not shown")
    cart = [e for e in p.elements if e["tag"] == "section" and e["attrs"].get("data-cart") == step["cart"]]
    check(len(cart) == 1 and row in list(walk(cart[0])), f"{step['step']} under its cart's section")

for e in p.elements:
    key = e["attrs"].get("data-total")
    if key:
        total = sum(s["counts"].get(key, 0) for s in report["steps"])
        cells = [c for c in e["children"] if c["tag"] == "td"]
        value = int(cells[0]["text"]) if cells else None
        check(value == total, f"total {key}: page {value}, sum {total}")
totals = [e for e in p.elements if e["attrs"].get("data-total")]
check(any(e["attrs"]["data-total"] == "sent" for e in totals), "a total of orders sent")

secrets = [v for k, v in os.environ.items() if k.startswith("REL_") and k.endswith(
    ("TOKEN", "SECRET", "KEY", "REFRESH")) and len(v) >= 5]
check(secrets, "the run's secrets are known to the check")
for s in secrets:
    check(s not in dom, "a secret of the run is in the page")

if errors:
    print("\n".join("report page: " + e for e in errors), file=sys.stderr)
    sys.exit(1)
print(f"report page: {len(report['steps'])} steps ({ran} ran) match the JSON report; "
      f"{len(totals)} totals", file=sys.stderr)
PY

echo "browser_check: ok (plan page, plan.dot, report page checked in $("$browser" --version 2>/dev/null | head -n 1))" >&2
