#!/usr/bin/env node
// Validates cart files against the generated JSON Schema with an independent
// validator (Ajv, draft 2020-12, strict mode, formats on), to show that the
// schema editors use accepts what `cartsync check` accepts and rejects typos.
//
//   node tests/compiler/validate_json_schema.js [--expect-invalid] [--mutations] SCHEMA.json FILE.toml...
//
// TOML is converted to JSON by python3's tomllib (dates become ISO strings, as in
// taplo). Default: every file must validate. --expect-invalid: every file must
// fail. --mutations: additionally derive known-bad variants of every valid file
// (unknown key, bad status, plain secret, ...) and require each to fail.
// Exit 0 when everything is as expected, 1 otherwise, 2 on usage or setup errors.
// Ajv is looked up normally, then in $AJV_PREFIX/node_modules (default /tmp/ajv):
//   npm i --prefix /tmp/ajv ajv@8 ajv-formats
"use strict";

const fs = require("fs");
const path = require("path");
const { execFileSync } = require("child_process");

function load(name) {
  const prefix = process.env.AJV_PREFIX || "/tmp/ajv";
  const paths = [__dirname, process.cwd(), path.join(prefix, "node_modules")];
  try {
    const m = require(require.resolve(name, { paths }));
    return m.default || m;
  } catch (e) {
    console.error(`cannot load ${name}: ${e.message}\ninstall with: npm i --prefix ${prefix} ajv@8 ajv-formats`);
    process.exit(2);
  }
}

const TOML_TO_JSON = `
import datetime, json, math, sys, tomllib
def conv(o):
    if isinstance(o, dict): return {k: conv(v) for k, v in o.items()}
    if isinstance(o, list): return [conv(v) for v in o]
    if isinstance(o, (datetime.datetime, datetime.date, datetime.time)): return o.isoformat()
    if isinstance(o, float) and not math.isfinite(o): return repr(o)
    return o
out = []
for p in sys.argv[1:]:
    try:
        with open(p, "rb") as f:
            out.append({"path": p, "doc": conv(tomllib.load(f))})
    except Exception as e:
        out.append({"path": p, "error": f"{type(e).__name__}: {e}"})
json.dump(out, sys.stdout)
`;

function tomlToJson(files) {
  const text = execFileSync("python3", ["-c", TOML_TO_JSON, ...files], {
    encoding: "utf8",
    maxBuffer: 1 << 30,
  });
  return JSON.parse(text);
}

// The platform branch of the schema: {"if": cart.platform == id, "then": {...}}.
function platformBranch(schema, platform) {
  for (const rule of schema.allOf || []) {
    const c = rule.if && rule.if.properties && rule.if.properties.cart;
    if (c && c.properties && c.properties.platform && c.properties.platform.const === platform)
      return rule.then;
  }
  return null;
}

const clone = (o) => JSON.parse(JSON.stringify(o));

// Known-bad variants of a valid cart document: [label, mutated doc].
function mutations(schema, doc) {
  const out = [];
  const add = (label, fn) => {
    const d = clone(doc);
    if (fn(d) !== false) out.push([label, d]);
  };
  const branch = platformBranch(schema, doc.cart && doc.cart.platform);
  const api = branch ? branch.properties.api : { properties: {}, required: [] };
  const dims = branch ? Object.keys(branch.properties.statuses.properties) : [];
  const secrets = Object.keys(api.properties).filter((k) => api.properties[k].properties);

  add("unknown top-level table", (d) => { d.statuss = { status: ["open"] }; });
  add("unknown key in [cart]", (d) => { d.cart.platfrom = d.cart.platform; });
  add("unknown key in [api]", (d) => { d.api = d.api || {}; d.api.acess_token = "x"; });
  add("unknown key in [order_load]", (d) => { d.order_load = d.order_load || {}; d.order_load.earliest_date = "2026-01-01"; });
  add("unknown service", (d) => { d.services = d.services || {}; d.services.order_upload = { enabled: true }; });
  add("bad cart id", (d) => { d.cart.id = "Bad_Id"; });
  add("unknown platform", (d) => { d.cart.platform = "shopfiy"; });
  add("missing cart.client", (d) => { delete d.cart.client; });
  if (dims.length) {
    add("unknown status", (d) => { d.statuses = d.statuses || {}; d.statuses[dims[0]] = ["payed"]; });
    add("unknown status dimension", (d) => { d.statuses = d.statuses || {}; d.statuses.download = [branch.properties.statuses.properties[dims[0]].items.enum[0]]; });
    add("empty status list", (d) => { d.statuses = d.statuses || {}; d.statuses[dims[0]] = []; });
  }
  for (const dim of dims)
    if (branch.properties.statuses.properties[dim].items.enum.includes("any"))
      add(`"any" not alone in ${dim}`, (d) => {
        d.statuses = d.statuses || {};
        const other = branch.properties.statuses.properties[dim].items.enum.find((v) => v !== "any");
        d.statuses[dim] = ["any", other];
      });
  if (branch && branch.properties.order_load)  // a platform that syncs on-hand quantity
    add("minimum_inventory_level on an on-hand platform", (d) => { d.order_load = d.order_load || {}; d.order_load.minimum_inventory_level = 1; });
  if (secrets.length) {
    add("plain secret", (d) => { d.api[secrets[0]] = "shpat_0123456789abcdef0123456789abcdef"; });
    add("bad secret source", (d) => { d.api[secrets[0]] = { secret: "vault:x" }; });
  }
  for (const req of api.required || [])
    add(`missing api.${req}`, (d) => { if (!d.api) return false; delete d.api[req]; });
  add("insecure base_url", (d) => { d.api = d.api || {}; d.api.base_url = "http://example.com"; });
  add("enabled service without every", (d) => { d.services = d.services || {}; d.services.shipment_upload = { enabled: true }; });
  add("bad schedule", (d) => { d.services = d.services || {}; d.services.order_download = { enabled: true, every: "15 minutes" }; });
  add("bad cron", (d) => { d.services = d.services || {}; d.services.inventory_upload = { every: "cron: 61 * * * *" }; });
  add("download without earliest_order_date", (d) => {
    d.services = d.services || {};
    d.services.order_download = { enabled: true, every: "15m" };
    if (d.order_load) delete d.order_load.earliest_order_date;
  });
  add("earliest_order_date not a date", (d) => { d.order_load = d.order_load || {}; d.order_load.earliest_order_date = "2026-01-01T00:00:00"; });
  add("negative minimum_inventory_level", (d) => { d.order_load = d.order_load || {}; d.order_load.minimum_inventory_level = -1; });
  add("bad ship target", (d) => { d.ship_methods = d.ship_methods || {}; d.ship_methods.Standard = "UPS GROUND"; });
  add("bad item filter", (d) => { d.items = d.items || {}; d.items.filter = "greylist"; });
  add("unknown order field", (d) => { d.order_filters = [{ field: "ship_to.county", values: ["US"] }]; });
  add("order filter without values", (d) => { d.order_filters = [{ field: "ship_to.country" }]; });
  add("carrier code not a string", (d) => { d.carrier_codes = { UPS: 1 }; });
  return out;
}

function formatErrors(errors) {
  return (errors || [])
    .map((e) => `    ${e.instancePath || "/"}: ${e.message}` +
      (e.params && e.params.additionalProperty ? ` (${e.params.additionalProperty})` : "") +
      (e.params && e.params.allowedValues ? ` ${JSON.stringify(e.params.allowedValues)}` : ""))
    .join("\n");
}

function main(argv) {
  const flags = new Set(argv.filter((a) => a.startsWith("--")));
  const args = argv.filter((a) => !a.startsWith("--"));
  for (const f of flags)
    if (f !== "--expect-invalid" && f !== "--mutations") {
      console.error(`unknown option ${f}`);
      return 2;
    }
  if (args.length < 2) {
    console.error("usage: validate_json_schema.js [--expect-invalid] [--mutations] SCHEMA.json FILE.toml...");
    return 2;
  }
  const expectInvalid = flags.has("--expect-invalid");
  const Ajv2020 = load("ajv/dist/2020");
  const addFormats = load("ajv-formats");
  let schema, validate;
  try {
    schema = JSON.parse(fs.readFileSync(args[0], "utf8"));
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    addFormats(ajv);
    validate = ajv.compile(schema);
  } catch (e) {
    console.error(`${args[0]}: ${e.message}`);
    return 2;
  }

  let bad = 0, checked = 0, mutants = 0;
  for (const entry of tomlToJson(args.slice(1))) {
    if (entry.error) {
      console.log(`${expectInvalid ? "ok (not TOML)" : "FAIL"} ${entry.path}: ${entry.error}`);
      if (!expectInvalid) bad++;
      continue;
    }
    checked++;
    const ok = validate(entry.doc);
    if (ok === !expectInvalid) {
      console.log(`ok ${entry.path}${ok ? "" : " (rejected as expected)"}`);
      if (!ok) console.log(formatErrors(validate.errors));
    } else {
      bad++;
      console.log(`FAIL ${entry.path}: ${ok ? "accepted, expected a rejection" : "rejected"}`);
      if (!ok) console.log(formatErrors(validate.errors));
    }
    if (ok && flags.has("--mutations")) {
      for (const [label, doc] of mutations(schema, entry.doc)) {
        mutants++;
        if (validate(doc)) {
          bad++;
          console.log(`FAIL ${entry.path} [${label}]: accepted, expected a rejection`);
        }
      }
    }
  }
  console.log(`${checked} file(s) checked` + (mutants ? `, ${mutants} mutation(s) checked` : "") +
    `: ${bad ? bad + " unexpected result(s)" : "all as expected"}`);
  return bad ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
