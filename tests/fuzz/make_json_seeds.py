#!/usr/bin/env python3
"""Writes the seed corpus of json_fuzzer (tests/fuzz/corpus/json_fuzzer/) from
real traffic: starts cartsync-sim, puts a recording proxy in front of it, runs
`cartsync run` on a project of the demo stores through the proxy (twice, the
WMS shipping in between), and cuts each store's recorded responses into the
sequences the fuzzer's targets read (see json_fuzzer.cc for the format).
Also plans (`cartsync plan -o`), the state store's stored documents, and a few
hand-written inputs for the helpers.

    tests/fuzz/make_json_seeds.py BUILD_DIR [OUT_DIR]

BUILD_DIR holds tools/cartsync and tools/simulator/cartsync-sim. Seeds are
deterministic for a given simulator seed except for timestamps the simulator
takes from the clock (shipped_at, as_of).
"""
import http.client
import http.server
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KEEP_HEADERS = ("link", "x-shopify-shop-api-call-limit", "x-wp-total", "x-wp-totalpages",
                "x-rate-limit-requests-left", "x-rate-limit-requests-quota",
                "x-rate-limit-time-reset-ms", "x-rate-limit-time-window-ms", "retry-after",
                "content-type")
TARGETS = "abcdefghijklmnopq"  # json_fuzzer's Target enum, in order
MAX_RESPONSES = 12
MAX_BODY = 6000

LOG = []  # (store, method, path, status, headers, body)
LOG_MU = threading.Lock()


def proxy_for(upstream):
    host, port = upstream.split("//", 1)[1].split(":")

    class Proxy(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def handle_one(self):
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n) if n else b""
            conn = http.client.HTTPConnection(host, int(port), timeout=60)
            headers = {k: v for k, v in self.headers.items()
                       if k.lower() not in ("host", "connection", "accept-encoding")}
            conn.request(self.command, self.path, body=body if (n or self.command != "GET") else None,
                         headers=headers)
            r = conn.getresponse()
            data = r.read()
            parts = self.path.split("?")[0].strip("/").split("/")
            store = "wms" if parts[0] == "wms" else "/".join(parts[:2])
            kept = [(k, v) for k, v in r.getheaders() if k.lower() in KEEP_HEADERS]
            with LOG_MU:
                LOG.append((store, self.command, self.path, r.status, kept, data))
            self.send_response(r.status)
            for k, v in r.getheaders():
                if k.lower() not in ("transfer-encoding", "connection", "content-length", "keep-alive"):
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            conn.close()

        do_GET = do_POST = do_PUT = do_DELETE = handle_one

    return Proxy


def response(status, headers, body):
    head = "".join(f"{k}: {v}\n" for k, v in headers)
    if len(body) > MAX_BODY:
        body = body[:MAX_BODY]  # a truncated body is a fine seed too
    return f"{status:03d}\n{head}\n".encode() + body


def seed(out, name, target, responses, upper=False):
    sel = TARGETS[target].upper() if upper else TARGETS[target]
    data = sel.encode() + b"\n" + b"\x1e".join(responses[:MAX_RESPONSES])
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)


def order_id(path):
    m = re.search(r"/orders/(\d+)", path)
    return m.group(1) if m else None


def kind(store, method, path):
    p = path.split("?")[0]
    if store.startswith("shopify/"):
        if p.endswith("/orders.json"):
            return "fetch"
        if "fulfillment" in p:
            return "track"
        return "inventory"
    if store.startswith("woo/"):
        if p.endswith("/wc/v3/orders"):
            return "fetch"
        if "/products" in p:
            return "inventory"
        return "track"
    if store.startswith("bigcommerce/"):
        if "/inventory/" in p:
            return "inventory"
        if p.endswith("/shipments"):
            return "track"
        return "fetch"
    return "wms"


def segments(store):
    """Consecutive requests of one kind (tracking: of one order) as lists."""
    out, cur, cur_key = [], [], None
    for e in LOG:
        if e[0] != store:
            continue
        k = kind(store, e[1], e[2])
        key = (k, order_id(e[2]) if k == "track" else None)
        if k == "track" and store.startswith("woo/") and e[1] == "PUT":
            key = (k, key[1])  # the completing PUT belongs to its order
        if key != cur_key and cur:
            out.append((cur_key[0], cur))
            cur = []
        cur_key = key
        cur.append(e)
    if cur:
        out.append((cur_key[0], cur))
    return out


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    build = os.path.abspath(sys.argv[1])
    out = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else os.path.join(
        ROOT, "tests", "fuzz", "corpus", "json_fuzzer")
    cartsync = os.path.join(build, "tools", "cartsync")
    if os.path.isdir(cartsync):
        cartsync = os.path.join(cartsync, "cartsync")
    sim_bin = os.path.join(build, "tools", "simulator", "cartsync-sim")
    os.makedirs(out, exist_ok=True)
    work = tempfile.mkdtemp(prefix="json-seeds.")
    sim = subprocess.Popen([sim_bin, "--port", "0", "--orders", "4", "--quiet"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        upstream = sim.stdout.readline().strip()
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), proxy_for(upstream))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_address[1]}"
        # The demo project, pointed at the proxy; a second WooCommerce cart
        # with tracking = "order_note" for the fuzzer's variant.
        proj = os.path.join(work, "project")
        shutil.copytree(os.path.join(ROOT, "examples", "demo"), proj,
                        ignore=shutil.ignore_patterns(".cartsync"))
        for root, _, files in os.walk(proj):
            for f in files:
                p = os.path.join(root, f)
                text = open(p).read().replace("http://127.0.0.1:18080", base)
                open(p, "w").write(text)
        woo = open(os.path.join(proj, "carts.d", "bluebird-candles-woocommerce.toml")).read()
        woo = woo.replace('id = "bluebird-candles-woocommerce"', 'id = "bluebird-notes"')
        woo = woo.replace('tracking = "shipment_tracking"', 'tracking = "order_note"')
        open(os.path.join(proj, "carts.d", "zz-bluebird-notes.toml"), "w").write(woo)
        env = dict(os.environ, DEMO_WMS_TOKEN="demo-wms-token", DEMO_SHOPIFY_TOKEN="demo-shopify-token",
                   DEMO_WOO_CONSUMER_KEY="ck_demo", DEMO_WOO_CONSUMER_SECRET="cs_demo",
                   DEMO_BC_TOKEN="demo-bc-token")
        run = [cartsync, "run", proj, "--concurrency", "1"]
        subprocess.run(run, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        urllib.request.urlopen(urllib.request.Request(upstream + "/_sim/ship", data=b"", method="POST"))
        subprocess.run(run, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)

        def first(kind_name, store, pred=lambda seg: True, skip=0):
            found = [s for k, s in segments(store) if k == kind_name and pred(s)]
            return found[min(skip, len(found) - 1)] if found else []

        def resp(seg):
            return [response(e[3], e[4], e[5]) for e in seg]

        n = 0
        for idx, store, note in ((0, "shopify/acme", False), (4, "woo/bluebird", False),
                                 (8, "bigcommerce/cedar", False)):
            fetch = first("fetch", store)
            seed(out, f"{TARGETS[idx]}-fetch", idx, resp(fetch))
            seed(out, f"{TARGETS[idx]}-fetch-later", idx, resp(first("fetch", store, skip=1)), upper=True)
            tracks = [s for k, s in segments(store) if k == "track"]
            for i, t in enumerate(tracks[:3]):
                seed(out, f"{TARGETS[idx + 1]}-has-tracking-{i}", idx + 1, resp(t[:1]), upper=False)
                seed(out, f"{TARGETS[idx + 2]}-upload-{i}", idx + 2, resp(t), upper=False)
            inv = first("inventory", store)
            seed(out, f"{TARGETS[idx + 3]}-inventory", idx + 3, resp(inv))
            n += 4
        # order_note tracking (the second Woo cart used the same store): the
        # note requests are the track segments after the extension ones.
        notes = [s for k, s in segments("woo/bluebird") if k == "track" and "/notes" in s[0][2]]
        for i, t in enumerate(notes[:2]):
            seed(out, f"f-has-tracking-notes-{i}", 5, resp(t[:1]), upper=True)
            seed(out, f"g-upload-notes-{i}", 6, resp(t), upper=True)

        # WMS http: PushOrder, FindOrder, PullShipments, PullInventory, PullAliases.
        wms = [e for e in LOG if e[0] == "wms"]
        def wms_first(method, prefix, pred=lambda e: True):
            for e in wms:
                if e[1] == method and e[2].startswith("/wms" + prefix) and pred(e):
                    return e
            return None
        push = wms_first("POST", "/orders")
        ships = wms_first("GET", "/shipments", lambda e: b'"tracking_number"' in e[5])
        inv = wms_first("GET", "/inventory")
        aliases = wms_first("GET", "/aliases")
        db = sqlite3.connect(os.path.join(proj, ".cartsync", "state.db"))
        key = db.execute("SELECT order_key FROM orders WHERE wms_ref != '' LIMIT 1").fetchone()[0]
        req = urllib.request.Request(upstream + "/wms/orders/" + urllib.parse.quote(key, safe=""),
                                     headers={"Authorization": "Bearer demo-wms-token"})
        try:
            with urllib.request.urlopen(req) as r:
                found = response(r.status, [], r.read())
        except urllib.error.HTTPError as e:
            found = response(e.code, [], e.read())
        parts = [response(push[3], push[4], push[5]), found, response(ships[3], ships[4], ships[5]),
                 response(inv[3], inv[4], inv[5]), response(aliases[3], aliases[4], aliases[5])]
        seed(out, "m-wms", 12, parts)
        seed(out, "m-wms-409", 12, [response(409, [], push[5])] + parts[1:], upper=True)
        # The readers alone: bodies as the command and directory transports see them.
        for name, e in (("shipments", ships), ("inventory", inv), ("aliases", aliases), ("order", push)):
            with open(os.path.join(out, f"n-{name}"), "wb") as f:
                f.write(b"n\n" + e[5][:MAX_BODY])

        # Documents as the state store keeps them.
        row = db.execute("SELECT cart_order_json, wms_order_json FROM orders WHERE wms_order_json != '' "
                         "LIMIT 1").fetchone()
        ship = db.execute("SELECT shipment_json FROM shipments LIMIT 1").fetchone()
        for name, text in (("cart-order", row[0]), ("wms-order", row[1]), ("shipment", ship[0]),
                           ("inventory", json.dumps(json.loads(inv[5])["inventory"][0])),
                           ("alias", json.dumps(json.loads(aliases[5])["aliases"][0]))):
            with open(os.path.join(out, f"o-{name}"), "wb") as f:
                f.write(b"o\n" + text.encode())

        # Plans: the demo project and the sample one.
        for name, path in (("demo", proj), ("sample", ROOT)):
            plan = os.path.join(work, f"{name}.json")
            subprocess.run([cartsync, "plan", path, "-o", plan], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, check=True)
            with open(os.path.join(out, f"p-plan-{name}"), "wb") as f:
                f.write(b"p\n" + open(plan, "rb").read())

        # Helpers: a Shopify order, Link headers, timestamps, URLs with credentials.
        shop_orders = json.loads(first("fetch", "shopify/acme")[0][5])["orders"]
        helpers = {
            "order": json.dumps(shop_orders[0]),
            "link": '<https://x.myshopify.com/admin/api/2025-10/orders.json?limit=250&page_info=abc%3D>; '
                    'rel="previous", <https://x.myshopify.com/admin/api/2025-10/orders.json?page_info=def>; rel="next"',
            "errors": '{"errors": {"line_items": ["is invalid"], "base": ["nope"]}, "error_description": "x"}',
            "rfc2822": "Wed, 10 Jan 2018 21:05:30 +0000",
            "iso": "2026-11-20T10:00:00-05:00",
            "gmt": "2026-11-20T10:00:00",
            "url": "https://user:pa%40ss@shop.example.com/wp-json/wc/v3/orders?consumer_key=ck_x&"
                   "consumer_secret=cs_y&page=2#access_token=z",
            "status": "Awaiting Fulfillment",
        }
        for name, text in helpers.items():
            with open(os.path.join(out, f"q-{name}"), "wb") as f:
                f.write(b"q\n" + text.encode())
        # Credentials echoed back by a server (the leak oracle's seeds).
        seed(out, "a-echo-token", 0, [response(401, [], b'{"errors":"[API] Invalid API key or access token '
                                                   b'(unrecognized login or wrong password): '
                                                   b'shpat_FUZZSECRETshopify0001"}')])
        seed(out, "e-echo-key", 4, [response(401, [], b'{"code":"woocommerce_rest_authentication_error",'
                                             b'"message":"Consumer key ck_FUZZSECRETwookey0002 / '
                                             b'cs_FUZZSECRETwoosecret0003 is invalid."}')])
        seed(out, "i-echo-token", 8, [response(403, [], b'[{"status":403,"message":"token '
                                               b'FUZZSECRETbigcommerce0004 lacks scope"}]')])
        seed(out, "m-echo-token", 12, [response(400, [], b'{"error":"bad request from Bearer '
                                                b'FUZZSECRETwmstoken0005"}')])
        print(f"{len(os.listdir(out))} seeds in {out}")
    finally:
        sim.terminate()
        sim.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
