// Validates a CI template (already converted from YAML to JSON) against a
// published JSON Schema, with ajv. Usage (AJV_PREFIX/node_modules holds ajv
// and the packages named below):
//
//   node validate_ci_yaml.js gitlab-ci FILE.json
//     GitLab's own CI schema (gitlab.com/gitlab-org/gitlab
//     app/assets/javascripts/editor/schema/ci.json), as bundled by the npm
//     package gitlab-ci-local (dist/index.js holds it as an object literal
//     with $id "https://gitlab.com/.gitlab-ci.yml"; it is read from there,
//     not run: gitlab-ci-local itself needs a newer node).
//   node validate_ci_yaml.js dump-gitlab-schema OUT.json
//     writes that schema out (to look at it).
//
// Exit 0 valid, 1 invalid (ajv's errors on stderr), 2 a usage or setup error.
'use strict';
const fs = require('fs');
const path = require('path');
const vm = require('vm');

const prefix = process.env.AJV_PREFIX || path.join(__dirname, '../../build/node');
const modules = path.join(prefix, 'node_modules');

function fail(message) {
  console.error(`validate_ci_yaml: ${message}`);
  process.exit(2);
}

// The object literal that starts at `open` ('{') in `text`: its end, with
// string and template literals skipped.
function literalEnd(text, open) {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'" || c === '`') {
      for (i++; i < text.length && text[i] !== c; i++) if (text[i] === '\\') i++;
      continue;
    }
    if (c === '{' || c === '[') depth++;
    if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

function gitlabSchema() {
  const bundle = path.join(modules, 'gitlab-ci-local/dist/index.js');
  if (!fs.existsSync(bundle)) fail(`${bundle} not found (npm install gitlab-ci-local)`);
  const text = fs.readFileSync(bundle, 'utf8');
  const id = text.indexOf('$id:"https://gitlab.com/.gitlab-ci.yml"');
  if (id < 0) fail('no GitLab CI schema in gitlab-ci-local');
  const open = text.lastIndexOf('{$schema:', id);
  const end = literalEnd(text, open);
  if (open < 0 || end < 0) fail('cannot delimit the GitLab CI schema');
  // A plain data literal (keys, strings, numbers, booleans), evaluated with no globals.
  const schema = vm.runInNewContext(`(${text.slice(open, end)})`, Object.create(null), {timeout: 5000});
  if (!schema.definitions || !schema.properties) fail('the GitLab CI schema looks wrong');
  return schema;
}

const [mode, file] = process.argv.slice(2);
if (!mode || !file) fail('usage: validate_ci_yaml.js gitlab-ci|dump-gitlab-schema FILE');
if (mode === 'dump-gitlab-schema') {
  fs.writeFileSync(file, JSON.stringify(gitlabSchema(), null, 2));
  process.exit(0);
}
if (mode !== 'gitlab-ci') fail(`unknown mode ${mode}`);
const Ajv = require(path.join(modules, 'ajv')).default;
const addFormats = require(path.join(modules, 'ajv-formats'));
const ajv = new Ajv({strict: false, allErrors: true});
addFormats(ajv);
const validate = ajv.compile(gitlabSchema());
const data = JSON.parse(fs.readFileSync(file, 'utf8'));
if (validate(data)) {
  console.log(`${file}: valid against GitLab's CI schema`);
  process.exit(0);
}
console.error(`${file}: INVALID against GitLab's CI schema`);
for (const e of validate.errors.slice(0, 30)) console.error(`  ${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
process.exit(1);
