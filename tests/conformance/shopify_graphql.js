#!/usr/bin/env node
// Shopify GraphQL conformance, judged by the reference implementation
// (graphql-js) and a schema-driven mock (@graphql-tools/mock) against
// Shopify's own introspection result (../shared/openapi/shopify/
// admin_2026-10.json.gz). Three commands (tests/conformance/
// shopify_graphql_check.sh runs them all):
//
//   documents DIR          every DIR/NAME.graphql (the connector's documents,
//                          dumped by cartsync_tests) must validate; its
//                          requested cost by Shopify's rules must equal
//                          DIR/NAME.cost and stay <= 1000; an
//                          inventorySetQuantities must carry @idempotent(key:).
//                          Prints NAME and cost, one a line.
//   mock PORT_FILE         serves POST /admin/oauth/access_token and
//                          POST /admin/api/2026-10/graphql.json on a free
//                          loopback port (written to PORT_FILE): requests are
//                          validated (refused like Shopify refuses them), answers
//                          come from @graphql-tools/mock over the schema, with
//                          extensions.cost. Every refusal is logged "VIOLATION".
//   simulator URL DIR      runs every document against cartsync-sim's Shopify
//                          store at URL (chaining ids from earlier answers) and
//                          checks each answer is valid for the schema: the
//                          document executed over the answer gives the answer
//                          back, with no error.
//
// Cost rules (shopify.dev "GraphQL Admin API rate limits", as
// runtime/carts/shopify_graphql.h applies them): scalar/enum 0, object 1 plus
// its fields, a *Connection 2 + first x (1 + node fields) plus other fields
// (pageInfo 1), a list sized by `first` that many x (1 + fields), an unsized
// list once, a mutation field 10 plus its fields.
// Packages are looked up normally, then in $GRAPHQL_PREFIX/node_modules.
"use strict";

const fs = require("fs");
const path = require("path");
const zlib = require("zlib");
const http = require("http");

function load(name) {
  const prefix = process.env.GRAPHQL_PREFIX || path.join(__dirname, "../../build/node");
  const paths = [__dirname, process.cwd(), path.join(prefix, "node_modules")];
  try {
    return require(require.resolve(name, { paths }));
  } catch (e) {
    console.error(`cannot load ${name}: ${e.message}\ninstall with: npm i --prefix ${prefix} graphql@16 @graphql-tools/mock@9 @graphql-tools/schema@10`);
    process.exit(2);
  }
}

const g = load("graphql");
const SCHEMA_FILE =
  process.env.SHOPIFY_SCHEMA || path.join(__dirname, "../../../shared/openapi/shopify/admin_2026-10.json.gz");

function loadSchema() {
  const json = JSON.parse(zlib.gunzipSync(fs.readFileSync(SCHEMA_FILE)));
  return g.buildClientSchema(json.data);
}

// ---- cost ---------------------------------------------------------------------------

function argInt(node, name, variables) {
  const a = (node.arguments || []).find((x) => x.name.value === name);
  if (!a) return undefined;
  if (a.value.kind === "IntValue") return parseInt(a.value.value, 10);
  if (a.value.kind === "Variable") return variables ? variables[a.value.name.value] : undefined;
  return undefined;
}

function selectionCost(type, selectionSet, variables, mutationRoot) {
  let total = 0;
  for (const sel of selectionSet.selections) {
    if (sel.kind !== "Field") throw new Error(`unsupported selection ${sel.kind}`);
    if (sel.name.value.startsWith("__")) continue;
    const def = type.getFields()[sel.name.value];
    total += fieldCost(def, sel, variables, mutationRoot);
  }
  return total;
}

function fieldCost(def, node, variables, mutationRoot) {
  const named = g.getNamedType(def.type);
  if (g.isLeafType(named)) return 0;
  if (g.isAbstractType(named)) throw new Error(`${def.name}: interfaces and unions are not priced here`);
  let isList = false;
  for (let t = def.type; t.ofType; t = t.ofType) if (g.isListType(t)) isList = true;
  const first = argInt(node, "first", variables);
  if (mutationRoot) return 10 + selectionCost(named, node.selectionSet, variables, false);
  if (!isList && named.name.endsWith("Connection")) {
    if (first === undefined) throw new Error(`${def.name}: a connection needs a literal first`);
    const nodeType = g.getNamedType(named.getFields().nodes.type);
    let total = 2;
    for (const sub of node.selectionSet.selections) {
      const n = sub.name.value;
      if (n === "nodes") total += first * (1 + selectionCost(nodeType, sub.selectionSet, variables, false));
      else if (n === "edges") {
        for (const e of sub.selectionSet.selections)
          if (e.name.value === "node") total += first * (1 + selectionCost(nodeType, e.selectionSet, variables, false));
      } else if (!n.startsWith("__")) total += fieldCost(named.getFields()[n], sub, variables, false);
    }
    return total;
  }
  const inner = 1 + selectionCost(named, node.selectionSet, variables, false);
  return isList ? (first === undefined ? 1 : first) * inner : inner;
}

function requestedCost(schema, doc, variables) {
  const op = doc.definitions.find((d) => d.kind === "OperationDefinition");
  const root = op.operation === "mutation" ? schema.getMutationType() : schema.getQueryType();
  return selectionCost(root, op.selectionSet, variables, op.operation === "mutation");
}

// What graphql-js does not check: since 2026-04 inventorySetQuantities needs
// an @idempotent key, and every quantity an explicit changeFromQuantity.
function shopifyRules(doc, variables) {
  const problems = [];
  g.visit(doc, {
    Field(node) {
      if (node.name.value !== "inventorySetQuantities" && node.name.value !== "inventoryAdjustQuantities") return;
      const d = (node.directives || []).find((x) => x.name.value === "idempotent");
      const key = d && d.arguments.find((a) => a.name.value === "key");
      if (!key) problems.push(`${node.name.value} has no @idempotent(key:)`);
      else if (variables && key.value.kind === "Variable" && !variables[key.value.name.value])
        problems.push(`${node.name.value}: the @idempotent key variable $${key.value.name.value} is empty`);
      if (variables) {
        const input = (node.arguments.find((a) => a.name.value === "input") || {}).value;
        const value = input && input.kind === "Variable" ? variables[input.name.value] : null;
        const list = value && (value.quantities || value.changes);
        if (list) list.forEach((q, i) => {
          if (!Object.prototype.hasOwnProperty.call(q, "changeFromQuantity"))
            problems.push(`${node.name.value}: quantities[${i}] has no explicit changeFromQuantity`);
        });
      }
    },
  });
  return problems;
}

// ---- documents ------------------------------------------------------------------------

function documents(dir) {
  const schema = loadSchema();
  const names = fs.readdirSync(dir).filter((f) => f.endsWith(".graphql")).sort();
  if (!names.length) throw new Error(`no .graphql files in ${dir}`);
  let bad = 0;
  for (const file of names) {
    const name = file.replace(/\.graphql$/, "");
    const text = fs.readFileSync(path.join(dir, file), "utf8");
    const problems = [];
    let doc;
    try {
      doc = g.parse(text);
    } catch (e) {
      problems.push(`parse: ${e.message}`);
    }
    let cost = "?";
    if (doc) {
      for (const e of g.validate(schema, doc)) problems.push(e.message);
      const ops = doc.definitions.filter((d) => d.kind === "OperationDefinition");
      if (ops.length !== 1 || !ops[0].name || ops[0].name.value !== name)
        problems.push(`expected one operation named ${name}`);
      for (const d of doc.definitions)
        if (d.kind === "OperationDefinition")
          g.visit(d, { Field(f) {
            const args = f.arguments.map((a) => a.name.value);
            if (args.includes("last") || args.includes("before")) problems.push(`${f.name.value}: pages backwards`);
          } });
      problems.push(...shopifyRules(doc, null));
      if (!problems.length) {
        cost = requestedCost(schema, doc, null);
        const declared = parseInt(fs.readFileSync(path.join(dir, name + ".cost"), "utf8"), 10);
        if (cost !== declared) problems.push(`requested cost ${cost}, but the connector declares ${declared}`);
        if (cost > 1000) problems.push(`requested cost ${cost} exceeds Shopify's limit of 1000`);
      }
    }
    console.log(`${name.padEnd(36)} ${String(cost).padStart(4)}${problems.length ? "  INVALID" : ""}`);
    for (const p of problems) console.log(`    ${p}`);
    if (problems.length) bad++;
  }
  console.log(`${names.length} documents, ${bad} invalid (graphql ${g.version}, ${path.basename(SCHEMA_FILE)})`);
  return bad === 0;
}

// ---- mock -----------------------------------------------------------------------------

function mock(portFile) {
  const { addMocksToSchema } = load("@graphql-tools/mock");
  const schema = loadSchema();
  let n = 0;
  const mocked = addMocksToSchema({
    schema,
    mocks: {
      ID: () => `gid://shopify/Mock/${++n}`,
      UnsignedInt64: () => String(1000 + ++n),
      DateTime: () => "2026-11-20T10:00:00Z",
      Decimal: () => "19.99",
      Money: () => "19.99",
      URL: () => "https://example.com/track",
      Int: () => 1 + (++n % 3),
      // What drives the happy path: one page, open fulfillment orders, a
      // known SKU, mutations without user errors, the scopes granted.
      PageInfo: () => ({ hasNextPage: false, endCursor: null }),
      FulfillmentOrder: () => ({ status: "OPEN" }),
      ProductVariant: () => ({ sku: "TS-RED-M" }),
      InventoryItem: () => ({ id: "gid://shopify/InventoryItem/777" }),
      Location: () => ({ isActive: true }),
      AccessScope: () => ({ handle: "read_all_orders" }),
      FulfillmentCreatePayload: () => ({ userErrors: [] }),
      InventorySetQuantitiesPayload: () => ({ userErrors: [] }),
    },
  });
  const tokens = new Set(["mock-legacy-token"]);
  const violation = (res, status, body, what) => {
    console.log(`VIOLATION ${what}`);
    res.writeHead(status, { "Content-Type": "application/json" });
    res.end(JSON.stringify(body));
  };
  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", async () => {
      try {
        const url = req.url.split("?")[0];
        if (req.method === "POST" && url.endsWith("/admin/oauth/access_token")) {
          const p = new URLSearchParams(raw);
          if (p.get("grant_type") !== "client_credentials" || p.get("client_id") !== "mock-client-id" ||
              p.get("client_secret") !== "mock-client-secret")
            return violation(res, 400, { error: "invalid_client" }, `token request ${raw.replace(/secret=[^&]*/, "secret=…")}`);
          const token = `mock-token-${++n}`;
          tokens.add(token);
          res.writeHead(200, { "Content-Type": "application/json" });
          return res.end(JSON.stringify({ access_token: token, scope: "read_orders,read_all_orders", expires_in: 86399 }));
        }
        if (req.method !== "POST" || !/\/admin\/api\/2026-10\/graphql\.json$/.test(url))
          return violation(res, 404, { errors: "Not Found" }, `${req.method} ${url}`);
        if (!tokens.has(req.headers["x-shopify-access-token"]))
          return violation(res, 401, { errors: "[API] Invalid API key or access token" }, "no valid X-Shopify-Access-Token");
        const body = JSON.parse(raw);
        const doc = g.parse(body.query);
        const errors = g.validate(schema, doc).map((e) => e.message);
        errors.push(...shopifyRules(doc, body.variables || {}));
        const cost = requestedCost(schema, doc, body.variables || {});
        if (cost > 1000) errors.push(`requested cost ${cost} exceeds 1000`);
        const extensions = { cost: { requestedQueryCost: cost, actualQueryCost: cost,
          throttleStatus: { maximumAvailable: 2000.0, currentlyAvailable: 2000.0 - cost, restoreRate: 100.0 } } };
        if (errors.length)
          return violation(res, 200, { errors: errors.map((message) => ({ message })), extensions },
                           `${body.operationName}: ${errors.join("; ")}`);
        const result = await g.execute({ schema: mocked, document: doc, variableValues: body.variables || {},
                                         operationName: body.operationName });
        if (result.errors) console.log(`VIOLATION ${body.operationName}: ${result.errors.map((e) => e.message).join("; ")}`);
        console.log(`ok ${body.operationName} cost ${cost}`);
        res.writeHead(200, { "Content-Type": "application/json" });
        res.end(JSON.stringify({ ...result, extensions }));
      } catch (e) {
        violation(res, 400, { errors: [{ message: String(e.message || e) }] }, `exception: ${e.stack || e}`);
      }
    });
  });
  server.listen(0, "127.0.0.1", () => fs.writeFileSync(portFile, String(server.address().port)));
}

// ---- simulator answers ------------------------------------------------------------------

// The answer must be exactly what executing the document over it gives:
// every field present with its schema type (enums valid, non-null non-null,
// Int an integer), nothing extra.
function checkAnswer(schema, doc, variables, data) {
  const result = g.executeSync({
    schema, document: doc, rootValue: data, variableValues: variables,
    fieldResolver: (source, args, ctx, info) => (source == null ? undefined : source[info.path.key]),
    typeResolver: (value) => value && value.__typename,
  });
  const problems = (result.errors || []).map((e) => `${e.message} at ${(e.path || []).join(".")}`);
  const canon = (v) => JSON.stringify(v, (k, x) => (x && typeof x === "object" && !Array.isArray(x)
    ? Object.keys(x).sort().reduce((o, key) => ((o[key] = x[key]), o), {}) : x));
  if (!problems.length && canon(result.data) !== canon(data)) problems.push("the answer differs from the schema's reading of it (a field not asked for, or a scalar of another type)");
  return problems;
}

async function simulator(base, dir, token) {
  const schema = loadSchema();
  const docs = {};
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith(".graphql")))
    docs[f.replace(/\.graphql$/, "")] = fs.readFileSync(path.join(dir, f), "utf8");
  const seen = new Set();
  let bad = 0;
  const call = async (name, variables) => {
    const r = await fetch(`${base}/admin/api/2026-10/graphql.json`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": token },
      body: JSON.stringify({ query: docs[name], operationName: name, variables }),
    });
    const body = await r.json();
    const problems = [];
    if (r.status !== 200) problems.push(`HTTP ${r.status}`);
    if (body.errors) problems.push(...body.errors.map((e) => `error: ${e.message}`));
    const c = body.extensions && body.extensions.cost;
    if (!c || typeof c.requestedQueryCost !== "number" || !c.throttleStatus ||
        typeof c.throttleStatus.currentlyAvailable !== "number")
      problems.push("no extensions.cost");
    else {
      const expected = requestedCost(schema, g.parse(docs[name]), variables);
      if (c.requestedQueryCost !== expected) problems.push(`requestedQueryCost ${c.requestedQueryCost}, the schema's rules give ${expected}`);
    }
    if (body.data) problems.push(...checkAnswer(schema, g.parse(docs[name]), variables, body.data));
    console.log(`${name.padEnd(36)} ${problems.length ? "INVALID" : "ok"}`);
    for (const p of problems) console.log(`    ${p}`);
    if (problems.length) bad++;
    seen.add(name);
    return body.data || {};
  };
  const scopes = await call("CartsyncAccessScopes", {});
  void scopes;
  await call("CartsyncShopTimeZone", {});
  const orders = await call("CartsyncOrders", { query: "status:open (financial_status:paid OR financial_status:partially_refunded)", after: null });
  const list = orders.orders.nodes;
  if (!list.length) throw new Error("the simulator store has no open paid orders");
  const order = list.find((o) => o.displayFulfillmentStatus === "UNFULFILLED") || list[0];
  await call("CartsyncOrders", { query: "status:open", after: orders.orders.pageInfo.endCursor });
  await call("CartsyncOrderLineItems", { id: order.id, after: null });
  await call("CartsyncOrderTracking", { id: order.id });
  await call("CartsyncOrderTrackingMore", { id: order.id });
  await call("CartsyncOrderFulfilment", { id: order.id });
  const fos = await call("CartsyncFulfillmentOrders", { id: order.id, after: null });
  const fo = fos.order.fulfillmentOrders.nodes[0];
  await call("CartsyncFulfillmentOrderLineItems", { id: fo.id, after: null });
  const sku = order.lineItems.nodes[0].sku;
  const variants = await call("CartsyncVariantsBySku", { query: `sku:"${sku}" OR sku:"NO-SUCH-SKU"`, after: null });
  const location = await call("CartsyncLocation", { id: null });
  await call("CartsyncLocation", { id: location.location.id });
  await call("CartsyncFulfillmentCreate", { fulfillment: {
    lineItemsByFulfillmentOrder: [{ fulfillmentOrderId: fo.id,
      fulfillmentOrderLineItems: fo.lineItems.nodes.filter((l) => l.remainingQuantity > 0).slice(0, 1)
        .map((l) => ({ id: l.id, quantity: 1 })) }],
    trackingInfo: { company: "UPS", number: "1ZCONFORMANCE0001" }, notifyCustomer: false } });
  await call("CartsyncOrderTracking", { id: order.id });
  const item = variants.productVariants.nodes[0].inventoryItem.id;
  const input = { name: "available", reason: "correction",
    quantities: [{ inventoryItemId: item, locationId: location.location.id, quantity: 7, changeFromQuantity: null }] };
  await call("CartsyncInventorySet", { input, idempotencyKey: "0b6f5e9e-conformance" });
  await call("CartsyncInventorySet", { input, idempotencyKey: "0b6f5e9e-conformance" });  // replayed
  for (const name of Object.keys(docs)) if (!seen.has(name)) { console.log(`${name}: not exercised`); bad++; }
  console.log(`${seen.size} documents answered by the simulator, ${bad} problems`);
  return bad === 0;
}

// ---- main ----------------------------------------------------------------------------

(async () => {
  const [cmd, ...args] = process.argv.slice(2);
  try {
    if (cmd === "documents" && args.length === 1) process.exit(documents(args[0]) ? 0 : 1);
    if (cmd === "mock" && args.length === 1) return mock(args[0]);
    if (cmd === "simulator" && args.length >= 2)
      process.exit((await simulator(args[0], args[1], args[2] || "demo-shopify-token")) ? 0 : 1);
  } catch (e) {
    console.error(e.stack || String(e));
    process.exit(1);
  }
  console.error("usage: shopify_graphql.js documents DIR | mock PORT_FILE | simulator URL DIR [TOKEN]");
  process.exit(2);
})();
