// Validates Kubernetes manifests (YAML, several documents per file) against
// the Kubernetes API's JSON schemas, as the npm package kubernetes-models
// ships them (generated from the Kubernetes OpenAPI document, compiled with
// ajv): types, required fields, enums and formats of every object, the pod
// template included. Strict like `kubeconform -strict`: a key the API does
// not define (a typo such as `concurencyPolicy`) is an error too; the list of
// keys per object type is read from the package's type declarations (.d.ts),
// which are generated from the same OpenAPI document.
//
// Usage: node validate_k8s.mjs FILE.yaml…   (AJV_PREFIX/node_modules holds
// kubernetes-models and yaml; tests/tools/deploy_check.sh installs them)
// Exit 0 all valid, 1 an invalid document (the errors on stderr), 2 a usage
// or setup error.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const prefix = process.env.AJV_PREFIX || path.join(path.dirname(new URL(import.meta.url).pathname), '../../build/node');
const modules = path.join(prefix, 'node_modules');
const require = createRequire(path.join(modules, 'noop.js'));

function setupError(message) {
  console.error(`validate_k8s: ${message}`);
  process.exit(2);
}
if (process.argv.length < 3) setupError('usage: node validate_k8s.mjs FILE.yaml…');
let YAML;
try {
  YAML = require('yaml');
} catch (e) {
  setupError(`no yaml package under ${modules} (${e.message})`);
}
const models = path.join(modules, 'kubernetes-models');
if (!fs.existsSync(path.join(models, 'package.json'))) setupError(`no kubernetes-models under ${modules}`);

// --- strictness: the keys each object type defines -------------------------------

const interfaces = new Map(); // .d.ts file -> {props: Map(name -> type), imports: Map(id -> file)}

function resolveImport(fromFile, spec) {
  let target;
  if (spec.startsWith('.')) target = path.resolve(path.dirname(fromFile), spec);
  else target = path.join(modules, spec);
  return target.replace(/\.js$/, '') + '.d.ts';
}

function readInterface(file) {
  if (interfaces.has(file)) return interfaces.get(file);
  const text = fs.readFileSync(file, 'utf8');
  const imports = new Map();
  for (const m of text.matchAll(/^import \{ (\w+) \} from "([^"]+)";$/gm)) {
    imports.set(m[1], resolveImport(file, m[2]));
  }
  const body = text.match(/^export interface I\w+(?: extends \w+)? \{\n([\s\S]*?)^\}/m);
  if (!body) throw new Error(`no interface in ${file}`);
  const props = new Map();
  // One property a line at 4 spaces; a type may go on (a map: `{` … `};`).
  for (const m of body[1].matchAll(/^    "([^"]+)"\??: (.*?);?$/gm)) props.set(m[1], m[2]);
  const info = { props, imports };
  interfaces.set(file, info);
  return info;
}

// Unknown keys of `value` (an object of the type declared in `file`), recursively.
function strictErrors(value, file, where, out) {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
  const { props, imports } = readInterface(file);
  for (const [key, child] of Object.entries(value)) {
    if (!props.has(key)) {
      out.push(`${where}: unknown field "${key}" (known: ${[...props.keys()].join(', ')})`);
      continue;
    }
    const type = props.get(key);
    let m;
    if ((m = type.match(/^(I\w+)$/)) && imports.has(m[1])) {
      strictErrors(child, imports.get(m[1]), `${where}.${key}`, out);
    } else if ((m = type.match(/^Array<(I\w+)>$/)) && imports.has(m[1]) && Array.isArray(child)) {
      child.forEach((e, i) => strictErrors(e, imports.get(m[1]), `${where}.${key}[${i}]`, out));
    }
    // Anything else (scalars, maps such as labels, quantities, int-or-string)
    // has no fixed keys: the schema validation covers it.
  }
}

// --- one document ---------------------------------------------------------------------

async function validateDocument(doc, where) {
  const errors = [];
  if (doc === null || typeof doc !== 'object') return [`${where}: not an object`];
  const { apiVersion, kind } = doc;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
    return [`${where}: apiVersion and kind are required`];
  }
  const base = path.join(models, apiVersion, kind)  // v1/ConfigMap, batch/v1/CronJob;
  if (!/^[\w./-]+$/.test(apiVersion) || !/^\w+$/.test(kind) || !fs.existsSync(base + '.js')) {
    return [`${where}: unknown apiVersion/kind ${apiVersion} ${kind}`];
  }
  const mod = await import(pathToFileURL(base + '.js').href);
  const Model = mod[kind];
  try {
    new Model(doc).validate();
  } catch (e) {
    const details = Array.isArray(e.errors)
      ? e.errors.map((x) => `${x.instancePath || '/'} ${x.message || x.keyword} ${JSON.stringify(x.params)}`)
      : [e.message];
    for (const d of details) errors.push(`${where} (${kind}): ${d}`);
  }
  strictErrors(doc, base + '.d.ts', `${where} (${kind})`, errors);
  return errors;
}

let failed = false;
for (const file of process.argv.slice(2)) {
  let docs;
  try {
    docs = YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    console.error(`${file}: ${e.message}`);
    failed = true;
    continue;
  }
  let n = 0;
  for (const d of docs) {
    n++;
    if (d.errors.length) {
      for (const e of d.errors) console.error(`${file}#${n}: YAML: ${e.message}`);
      failed = true;
      continue;
    }
    const value = d.toJS();
    if (value === null) continue; // an empty document (a trailing ---)
    const errors = await validateDocument(value, `${file}#${n}`);
    for (const e of errors) console.error(e);
    if (errors.length) failed = true;
  }
}
process.exit(failed ? 1 : 0);
