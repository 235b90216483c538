#!/usr/bin/env python3
"""Writes the seed corpus of json_fuzzer (tests/fuzz/corpus/json_fuzzer/) from
real traffic: starts cartsync-sim, puts a recording proxy in front of it, runs
`cartsync run` on a project of the demo stores through the proxy (twice, the
WMS shipping in between), and cuts each store's recorded responses into the
sequences the fuzzer's targets read (see json_fuzzer.cc for the format).
Also plans (`cartsync plan -o`), the state store's stored documents, and a few
hand-written inputs for the helpers.

Shopify speaks GraphQL (one endpoint, graphql.json): its requests are told
apart by the operation in the request body (CartsyncOrders, …), not the path.

The Amazon, Walmart, eBay and Magento seeds (and their token exchanges) are
built from the platforms' own API files (OPENAPI_DIR, default
shared/openapi beside the checkout; see its README.md): the documented example answers
where the file has them (Amazon orders and listings, Walmart), else an answer
made from the documented response schema (eBay, Magento, Amazon feeds), in
the order each connector asks.

    tests/fuzz/make_json_seeds.py BUILD_DIR [OUT_DIR [OPENAPI_DIR]]

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
# json_fuzzer's Target enum, in order: a target is chosen by the first byte,
# ((byte | 0x20) - 'a') % len(TARGETS); bit 5 cleared (upper case) = variant.
TARGETS = ("shopify-fetch", "shopify-has-tracking", "shopify-upload", "shopify-inventory",
           "woo-fetch", "woo-has-tracking", "woo-upload", "woo-inventory",
           "bc-fetch", "bc-has-tracking", "bc-upload", "bc-inventory",
           "wms-http", "wms-readers", "documents", "plan", "helpers",
           "amazon-fetch", "amazon-has-tracking", "amazon-upload", "amazon-inventory",
           "walmart-fetch", "walmart-has-tracking", "walmart-upload", "walmart-inventory",
           "ebay-fetch", "ebay-has-tracking", "ebay-upload", "ebay-inventory",
           "magento-fetch", "magento-has-tracking", "magento-upload", "magento-inventory",
           "amazon-token", "walmart-token", "ebay-token")
MAX_RESPONSES = 12
MAX_BODY = 6000

LOG = []  # (store, method, path, status, headers, body, request body)
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
                LOG.append((store, self.command, self.path, r.status, kept, data, body))
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


def selector(target, upper=False):
    """The first byte that picks `target` (upper: its variant)."""
    for b in range(0x61, 0x100):
        if b & 0x20 and ((b | 0x20) - 0x61) % len(TARGETS) == target:
            return bytes([b & ~0x20 if upper else b])
    raise ValueError(target)


def letter(target):
    """The prefix of a seed's file name: the target's letter ("a"), or its number past "z"."""
    return chr(0x61 + target) if target < 26 else str(target)


def seed(out, name, target, responses, upper=False):
    data = selector(target, upper) + b"\n" + b"\x1e".join(responses[:MAX_RESPONSES])
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)


def graphql_operation(request_body):
    """The operation name of a GraphQL request body, "" when there is none."""
    try:
        doc = json.loads(request_body or b"{}")
    except ValueError:
        return ""
    name = doc.get("operationName") if isinstance(doc, dict) else None
    if not name and isinstance(doc, dict):
        m = re.search(r"\b(?:query|mutation)\s+(\w+)", doc.get("query") or "")
        name = m.group(1) if m else ""
    return name or ""


# The Shopify connector's GraphQL operations (runtime/carts/shopify_graphql.cc)
# by what the fuzzer's targets do. The scope check (a download reaching past
# 60 days) is left out: the fuzzer's windows never reach that far.
SHOPIFY_KINDS = {
    "CartsyncAccessScopes": "scopes", "CartsyncOrders": "fetch", "CartsyncOrderLineItems": "fetch",
    "CartsyncOrderTracking": "track", "CartsyncOrderTrackingMore": "track",
    "CartsyncFulfillmentOrders": "track", "CartsyncFulfillmentOrderLineItems": "track",
    "CartsyncFulfillmentCreate": "track",
    "CartsyncLocation": "inventory", "CartsyncVariantsBySku": "inventory",
    "CartsyncInventorySet": "inventory",
}


def order_id(entry):
    m = re.search(r"/orders/(\d+)", entry[2])
    if m:
        return m.group(1)
    # GraphQL: the order's gid in the variables.
    m = re.search(rb"gid://shopify/Order/(\d+)", entry[6] or b"")
    return m.group(1).decode() if m else None


def shopify_line_keys(responses):
    """The fuzzer's shipment ships line items 11 and 12: the first two line
    items of a recorded Shopify upload become those, so the seed gets as far
    as fulfillmentCreate."""
    ids = []
    for r in responses:
        for m in re.finditer(rb"gid://shopify/LineItem/(\d+)", r):
            if m.group(1) not in ids:
                ids.append(m.group(1))
    out = []
    for r in responses:
        for old, new in zip(ids[:2], (b"11", b"12")):
            r = r.replace(b"gid://shopify/LineItem/" + old + b'"', b"gid://shopify/LineItem/" + new + b'"')
        out.append(r)
    return out


def kind(store, method, path, request_body=b""):
    p = path.split("?")[0]
    if store.startswith("shopify/"):
        if p.endswith("/graphql.json"):
            return SHOPIFY_KINDS.get(graphql_operation(request_body), "other")
        return "other"
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
        k = kind(store, e[1], e[2], e[6])
        key = (k, order_id(e) if k == "track" else None)
        if k == "track" and key[1] is None and cur_key is not None and cur_key[0] == "track":
            key = cur_key  # a GraphQL fulfillment step names no order: the current one        if k == "track" and store.startswith("woo/") and e[1] == "PUT":
            key = (k, key[1])  # the completing PUT belongs to its order
        if key != cur_key and cur:
            out.append((cur_key[0], cur))
            cur = []
        cur_key = key
        cur.append(e)
    if cur:
        out.append((cur_key[0], cur))
    return out


# ---------------------------------------------------------------------------
# Amazon, Walmart, eBay, Magento: answers from the platforms' API files.

def load_spec(path):
    if path.endswith((".yaml", ".yml")):
        import yaml  # PyYAML; the C loader when there is one (the Magento file is large)
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        with open(path) as f:
            return yaml.load(f, Loader=loader)
    with open(path) as f:
        return json.load(f)


# Values for made-up answers, by field name (a schema's own example wins).
HINTS = (("sku", "TS-RED-M"), ("email", "buyer@example.com"), ("tracking", "1ZFUZZ0001"),
         ("carrier", "UPS"), ("currency", "USD"), ("country", "US"), ("status", "processing"),
         ("date", "2026-11-20T10:00:00.000Z"), ("time", "2026-11-20T10:00:00.000Z"),
         ("_at", "2026-11-20 10:00:00"), ("url", "https://example.com/doc/1"),
         ("href", "https://example.com/next"), ("name", "A Buyer"), ("id", "1001"))


def synthesize(spec, schema, name="", depth=0, seen=()):
    """An instance of `schema` (Swagger 2 or OpenAPI 3), one element per array."""
    if not isinstance(schema, dict) or depth > 9:
        return None
    ref = schema.get("$ref")
    if ref:
        if ref in seen:
            return None
        node = spec
        for part in ref.lstrip("#/").split("/"):
            node = node.get(part, {})
        return synthesize(spec, node, name, depth + 1, seen + (ref,))
    if "example" in schema:
        return schema["example"]
    for key in ("allOf", "oneOf", "anyOf"):
        if key in schema:
            merged = {}
            for sub in schema[key]:
                v = synthesize(spec, sub, name, depth + 1, seen)
                if isinstance(v, dict):
                    merged.update(v)
                elif v is not None and key != "allOf":
                    return v
            return merged
    if "enum" in schema and schema["enum"]:
        return schema["enum"][0]
    t = schema.get("type")
    if t == "object" or "properties" in schema:
        return {k: synthesize(spec, v, k, depth + 1, seen) for k, v in schema.get("properties", {}).items()}
    if t == "array":
        return [synthesize(spec, schema.get("items", {}), name, depth + 1, seen)]
    low = name.lower()
    if t in ("integer", "number"):
        return 2 if "qty" in low or "quantity" in low else (1001 if low.endswith("id") else 1)
    if t == "boolean":
        return False
    for hint, value in HINTS:
        if hint in low:
            return value
    return "string"


def answer(spec, path, method, code="200"):
    """The documented example answer of an operation, else one from its schema."""
    r = spec["paths"][path][method]["responses"][code]
    if "examples" in r and "application/json" in r["examples"]:  # Swagger 2
        return r["examples"]["application/json"]
    content = r.get("content", {}).get("application/json")  # OpenAPI 3
    if content is not None:
        if "example" in content:
            return content["example"]
        if content.get("examples"):
            first_example = next(iter(content["examples"].values()))
            return first_example.get("value", first_example)
        return synthesize(spec, content.get("schema", {}))
    return synthesize(spec, r.get("schema", {}))


def js(value, status=200, headers=()):
    """An answer in full (the documented examples run past MAX_BODY)."""
    head = "".join(f"{k}: {v}\n" for k, v in headers)
    return f"{status:03d}\n{head}\n".encode() + json.dumps(value).encode()


def openapi_seeds(out, spec_dir):
    if not os.path.isdir(spec_dir):
        print(f"no API files in {spec_dir}: Amazon, Walmart, eBay and Magento seeds not written",
              file=sys.stderr)
        return
    spec = lambda name: load_spec(os.path.join(spec_dir, name))
    empty = lambda status=200: response(status, [], b"")
    t = {name: i for i, name in enumerate(TARGETS)}

    # Amazon SP-API: the LWA exchange first (Login with Amazon's documented
    # answer, not in the API files), then searchOrders / getOrder (2026-01-01),
    # confirmShipment (v0, 204), patchListingsItem or the feed flow.
    lwa = js({"access_token": "Atza|IwEBIFUZZaccess", "refresh_token": "Atzr|IwEBIFUZZrefresh",
              "token_type": "bearer", "expires_in": 3600})
    orders = spec("amazon-sp-api/orders_2026-01-01.json")
    listings = spec("amazon-sp-api/listingsItems_2021-08-01.json")
    feeds = spec("amazon-sp-api/feeds_2021-06-30.json")
    search = answer(orders, "/orders/2026-01-01/orders", "get")
    one = answer(orders, "/orders/2026-01-01/orders/{orderId}", "get")
    patch = answer(listings, "/listings/2021-08-01/items/{sellerId}/{sku}", "patch")
    last = dict(search)  # the last page has no pagination
    last.pop("pagination", None)
    seed(out, "r-amazon-fetch", t["amazon-fetch"], [lwa, js(search), js(last)])
    seed(out, "r-amazon-fetch-later", t["amazon-fetch"], [lwa, js(search), js(last)], upper=True)
    seed(out, "s-amazon-has-tracking", t["amazon-has-tracking"], [lwa, js(one)])
    # The example order has shipped: one still to ship for the upload.
    open_order = json.loads(json.dumps(one))
    open_order["order"]["fulfillment"]["fulfillmentStatus"] = "UNSHIPPED"
    for item in open_order["order"].get("orderItems") or []:
        f = item.setdefault("fulfillment", {})
        f["quantityFulfilled"], f["quantityUnfulfilled"] = 0, item.get("quantityOrdered", 1)
    open_order["order"].pop("packages", None)
    seed(out, "t-amazon-upload", t["amazon-upload"], [lwa, js(open_order), empty(204)])
    seed(out, "u-amazon-inventory", t["amazon-inventory"], [lwa] + [js(patch)] * 3)
    report = {"header": {"sellerId": "A2FUZZSELLER7QX", "version": "2.0", "feedId": "23492394"},
              "issues": [{"messageId": 2, "code": "90220", "severity": "ERROR",
                          "message": "'fulfillment_availability' is required but not supplied."}],
              "summary": {"errors": 1, "warnings": 0, "messagesProcessed": 12,
                          "messagesAccepted": 11, "messagesInvalid": 1}}
    doc = answer(feeds, "/feeds/2021-06-30/documents", "post", "201")
    feed = answer(feeds, "/feeds/2021-06-30/feeds", "post", "202")
    got = answer(feeds, "/feeds/2021-06-30/feeds/{feedId}", "get")
    got.update({"processingStatus": "DONE", "resultFeedDocumentId": "amzn1.tortuga.3.report"})
    result = answer(feeds, "/feeds/2021-06-30/documents/{feedDocumentId}", "get")
    result.pop("compressionAlgorithm", None)
    seed(out, "u-amazon-inventory-feed", t["amazon-inventory"],
         [lwa, js(doc, 201), empty(), js(feed, 202), js(got), js(result), js(report)], upper=True)
    seed(out, "33-amazon-token", t["amazon-token"], [lwa, lwa, lwa, lwa])
    seed(out, "33-amazon-token-refused", t["amazon-token"],
         [js({"error_description": "The request has an invalid grant parameter : refresh_token",
              "error": "invalid_grant"}, 400)], upper=True)
    seed(out, "33-amazon-token-echo", t["amazon-token"],
         [js({"error_description": "Client authentication failed for "
                                   "amzn1.oa2-cs.v1.FUZZSECRETamazon0006 and Atzr|FUZZSECRETamazonrefresh0007",
              "error": "invalid_client"}, 401)])
    seed(out, "r-amazon-echo", t["amazon-fetch"],
         [lwa, js({"errors": [{"code": "Unauthorized", "message": "Access to requested resource is "
                               "denied for Atza|IwEBIFUZZaccess / Atzr|FUZZSECRETamazonrefresh0007",
                               "details": ""}]}, 403)])

    # Walmart: the token (auth.json), orders per status, one order, shipping,
    # inventory per SKU or the inventory feed.
    auth = spec("walmart/auth.json")
    worders = spec("walmart/orders.json")
    winv = spec("walmart/inventory.json")
    wfeeds = spec("walmart/feeds.json")
    token = js(answer(auth, "/v3/token", "post"))
    listing_doc = answer(worders, "/v3/orders", "get")
    listing = js(listing_doc)
    last_doc = json.loads(json.dumps(listing_doc))  # the last page has no nextCursor
    last_doc.get("list", {}).get("meta", {}).pop("nextCursor", None)
    last = js(last_doc)
    order_doc = answer(worders, "/v3/orders/{purchaseOrderId}", "get")
    order = js(order_doc)
    # The same order before shipping (the upload's case).
    ack = json.loads(json.dumps(order_doc))
    for line in (ack.get("order", ack).get("orderLines") or {}).get("orderLine") or []:
        for st in (line.get("orderLineStatuses") or {}).get("orderLineStatus") or []:
            st["status"] = "Acknowledged"
            st.pop("trackingInfo", None)
    # One listing per status (Created, Acknowledged).
    seed(out, "v-walmart-fetch", t["walmart-fetch"], [token, listing, last, last])
    seed(out, "v-walmart-fetch-later", t["walmart-fetch"], [token, last, listing, last], upper=True)
    seed(out, "w-walmart-has-tracking", t["walmart-has-tracking"], [token, order])
    seed(out, "x-walmart-upload", t["walmart-upload"],
         [token, js(ack), js(answer(worders, "/v3/orders/{purchaseOrderId}/shipping", "post"))])
    seed(out, "y-walmart-inventory", t["walmart-inventory"],
         [token] + [js(answer(winv, "/v3/inventory", "put"))] * 3)
    seed(out, "y-walmart-inventory-feed", t["walmart-inventory"],
         [token, js(answer(winv, "/v3/feeds", "post")),
          js(answer(wfeeds, "/v3/feeds/{feedId}", "get"))], upper=True)
    seed(out, "34-walmart-token", t["walmart-token"], [token] * 4)
    seed(out, "34-walmart-token-echo", t["walmart-token"],
         [js({"error": [{"code": "UNAUTHORIZED.GMP_GATEWAY_API", "field": "UNAUTHORIZED",
                         "description": "Unauthorized client_secret FUZZSECRETwalmart0008",
                         "info": "Unauthorized token or invalid client_secret", "severity": "ERROR",
                         "category": "DATA", "causes": [], "errorIdentifiers": {}}]}, 401)],
         upper=True)

    # eBay: the user token (eBay's documented refresh answer), getOrders,
    # getShippingFulfillments, getOrder, createShippingFulfillment (201 +
    # Location), bulkUpdatePriceQuantity.
    ful = spec("ebay/sell_fulfillment_v1_oas3.json")
    inv = spec("ebay/sell_inventory_v1_oas3.json")
    etoken = js({"access_token": "v^1.1#i^1#p^3#r^1#FUZZaccess", "expires_in": 7200,
                 "token_type": "User Access Token"})
    eorders = answer(ful, "/order", "get")
    eorder = answer(ful, "/order/{orderId}", "get")
    efuls = answer(ful, "/order/{orderId}/shipping_fulfillment", "get")
    for o in eorders.get("orders") or []:
        o["orderFulfillmentStatus"] = "NOT_STARTED"
    eorders.update({"next": None, "offset": 0, "total": len(eorders.get("orders") or [])})
    seed(out, "25-ebay-fetch", t["ebay-fetch"], [etoken, js(eorders)])
    seed(out, "25-ebay-fetch-later", t["ebay-fetch"], [etoken, js(eorders), js(eorders)], upper=True)
    seed(out, "26-ebay-has-tracking", t["ebay-has-tracking"], [etoken, js(efuls)])
    location = [("Location", "https://api.ebay.com/sell/fulfillment/v1/order/1001/shipping_fulfillment/"
                             "9405509699937003457459")]
    seed(out, "27-ebay-upload", t["ebay-upload"],
         [etoken, js({"fulfillments": [], "total": 0, "warnings": []}), response(201, location, b"")])
    seed(out, "27-ebay-upload-order", t["ebay-upload"],
         [etoken, js({"fulfillments": [], "total": 0, "warnings": []}), js(eorder),
          response(201, location, b"")], upper=True)
    seed(out, "28-ebay-inventory", t["ebay-inventory"],
         [etoken, js(answer(inv, "/bulk_update_price_quantity", "post"))])
    seed(out, "35-ebay-token", t["ebay-token"], [etoken] * 4)
    seed(out, "35-ebay-token-refused", t["ebay-token"],
         [js({"error": "invalid_grant", "error_description": "the provided authorization refresh "
              "token is invalid or was issued to another client"}, 400)], upper=True)
    seed(out, "35-ebay-token-echo", t["ebay-token"],
         [js({"error": "invalid_client", "error_description": "client authentication failed: "
              "PRD-FUZZSECRETebay0009 v^1.1#i^1#FUZZSECRETebayrefresh0010"}, 401)])

    # Magento (Adobe Commerce 2.4.9, no examples in the file: from the schemas).
    mag = spec("magento/admin-schema-2.4.9.yaml")
    morders = answer(mag, "/V1/orders", "get")
    morder = answer(mag, "/V1/orders/{id}", "get")
    for o in (morders.get("items") or []) + [morder]:
        o.update({"entity_id": 1001, "increment_id": "000001001", "status": "processing",
                  "state": "processing"})
        for line in o.get("items") or []:  # one simple product still to ship
            line.update({"qty_ordered": 2, "qty_shipped": 0, "qty_canceled": 0, "qty_refunded": 0,
                         "sku": "TS-RED-M", "item_id": 11, "product_type": "simple",
                         "parent_item_id": None, "is_virtual": 0})
    morders["total_count"] = 1
    mships = answer(mag, "/V1/shipments", "get")
    mships["total_count"] = len(mships.get("items") or [])
    seed(out, "29-magento-fetch", t["magento-fetch"], [js(morders)])
    seed(out, "29-magento-fetch-later", t["magento-fetch"], [js(morders), js(morders)], upper=True)
    seed(out, "30-magento-has-tracking", t["magento-has-tracking"], [js(mships)])
    seed(out, "31-magento-upload", t["magento-upload"],
         [js({"items": [], "search_criteria": mships.get("search_criteria"), "total_count": 0}),
          js(morder), js(12)])
    seed(out, "31-magento-upload-track", t["magento-upload"], [js(mships), js(morder),
                                                                 js(answer(mag, "/V1/shipment/track", "post"))])
    products = answer(mag, "/V1/products", "get")
    item = (products.get("items") or [{}])[0]
    products["items"] = [dict(item, sku=sku) for sku in ("TS-RED-M", "HD-BLU-L", "GIFT-CARD")]
    products["total_count"] = 3
    seed(out, "32-magento-inventory", t["magento-inventory"], [js(products), empty()])
    stock = js(answer(mag, "/V1/stockItems/{productSku}", "get"))
    seed(out, "32-magento-inventory-legacy", t["magento-inventory"], [stock, js(1), stock, js(1), stock, js(1)],
         upper=True)
    seed(out, "29-magento-echo", t["magento-fetch"],
         [js({"message": "The consumer isn't authorized to access %resources.",
              "parameters": {"resources": "Bearer FUZZSECRETmagento0011"}}, 401)])


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
        # The simulator's demo credentials (as tools/demo.sh sets them).
        env = dict(os.environ, DEMO_WMS_TOKEN="demo-wms-token", DEMO_SHOPIFY_TOKEN="demo-shopify-token",
                   DEMO_SHOPIFY_CLIENT_SECRET="demo-shopify-client-secret",
                   DEMO_WOO_CONSUMER_KEY="ck_demo", DEMO_WOO_CONSUMER_SECRET="cs_demo",
                   DEMO_BC_TOKEN="demo-bc-token", DEMO_WALMART_CLIENT_SECRET="demo-walmart-client-secret",
                   DEMO_MAGENTO_TOKEN="demo-magento-token", DEMO_EBAY_CLIENT_SECRET="demo-ebay-client-secret",
                   DEMO_EBAY_REFRESH_TOKEN="demo-ebay-refresh-token")
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
            seed(out, f"{letter(idx)}-fetch", idx, resp(fetch))
            seed(out, f"{letter(idx)}-fetch-later", idx, resp(first("fetch", store, skip=1)), upper=True)
            tracks = [s for k, s in segments(store) if k == "track"]
            for i, t in enumerate(tracks[:3]):
                seed(out, f"{letter(idx + 1)}-has-tracking-{i}", idx + 1, resp(t[:1]), upper=False)
                ups = resp(t)
                if idx == 0:
                    ups = shopify_line_keys(ups)
                seed(out, f"{letter(idx + 2)}-upload-{i}", idx + 2, ups, upper=False)
            inv = first("inventory", store)
            seed(out, f"{letter(idx + 3)}-inventory", idx + 3, resp(inv))
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
        shop_orders = [json.loads(e[5])["data"]["orders"]["nodes"] for e in first("fetch", "shopify/acme")
                       if graphql_operation(e[6]) == "CartsyncOrders"][0]
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
        # GraphQL answers the simulator does not give: a throttled query and a
        # top-level error (shopify.dev "API rate limits", "GraphQL errors").
        cost = {"requestedQueryCost": 903, "actualQueryCost": None,
                "throttleStatus": {"maximumAvailable": 2000.0, "currentlyAvailable": 43.0, "restoreRate": 100.0}}
        seed(out, "a-throttled", 0, [js({"errors": [{"message": "Throttled", "extensions": {
            "code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"}}],
            "extensions": {"cost": cost}})] * 3)
        seed(out, "a-graphql-error", 0, [js({"errors": [{"message": "Field 'orderz' doesn't exist on type "
                                                         "'QueryRoot'", "locations": [{"line": 2, "column": 3}],
                                                         "path": ["query CartsyncOrders", "orderz"],
                                                         "extensions": {"code": "undefinedField"}}]})])
        seed(out, "e-echo-key", 4, [response(401, [], b'{"code":"woocommerce_rest_authentication_error",'
                                             b'"message":"Consumer key ck_FUZZSECRETwookey0002 / '
                                             b'cs_FUZZSECRETwoosecret0003 is invalid."}')])
        seed(out, "i-echo-token", 8, [response(403, [], b'[{"status":403,"message":"token '
                                               b'FUZZSECRETbigcommerce0004 lacks scope"}]')])
        seed(out, "m-echo-token", 12, [response(400, [], b'{"error":"bad request from Bearer '
                                                b'FUZZSECRETwmstoken0005"}')])
        openapi_seeds(out, os.path.abspath(sys.argv[3]) if len(sys.argv) > 3 else
                      os.environ.get("OPENAPI_DIR",
                                     os.path.join(os.path.dirname(ROOT), "shared", "openapi")))
        print(f"{len(os.listdir(out))} seeds in {out}")
    finally:
        sim.terminate()
        sim.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
