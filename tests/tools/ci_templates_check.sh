#!/usr/bin/env bash
# The CI templates (examples/ci/github/cartsync.yml, examples/ci/gitlab/
# .gitlab-ci.yml, .pre-commit-hooks.yaml), checked two ways:
#
# 1. Each YAML file against its published JSON Schema, where npm has one:
#    the GitHub workflow with @action-validator/cli (SchemaStore's
#    github-workflow schema, compiled in), the GitLab file with ajv against
#    GitLab's own CI schema as bundled by gitlab-ci-local
#    (tests/tools/validate_ci_yaml.js). npm has no JSON Schema for
#    .pre-commit-hooks.yaml (@schemastore/pre-commit-hooks is TypeScript types
#    only): its structure is checked here, in python3, against pre-commit's
#    manifest rules. A broken copy of each file must be refused too.
# 2. Each template's commands, run the way the template runs them (its own
#    run:/script: text, extracted from the YAML), against a git repository of
#    this checkout's cartsync.toml and carts.d/ with a pull-request branch: a
#    clean change, then a change with an error. Exit codes and outputs are
#    checked. The steps that install cartsync are skipped (the binary under
#    test is on PATH); the GitHub Actions `uses:` steps are not run, but the
#    github-script code is, against a stand-in `github` client, and the GitLab
#    note is posted through a stand-in `curl`.
#
# Usage: ci_templates_check.sh PATH/TO/cartsync
set -euo pipefail
cartsync="$(realpath "$1")"
root="$(cd "$(dirname "$0")/../.." && pwd)"
prefix="${AJV_PREFIX:-$root/build/node}"
gh_yml="$root/examples/ci/github/cartsync.yml"
gl_yml="$root/examples/ci/gitlab/.gitlab-ci.yml"
hooks_yml="$root/.pre-commit-hooks.yaml"

need=()
[[ -d $prefix/node_modules/ajv ]] || need+=(ajv@8)
[[ -d $prefix/node_modules/ajv-formats ]] || need+=(ajv-formats@3)
[[ -f $prefix/node_modules/@action-validator/cli/cli.mjs ]] || need+=(@action-validator/cli@0.6.0)
[[ -f $prefix/node_modules/gitlab-ci-local/dist/index.js ]] || need+=(gitlab-ci-local@4.75.1)
if [[ ${#need[@]} -gt 0 ]]; then
  npm install --silent --no-audit --no-fund --prefix "$prefix" "${need[@]}" >/dev/null
fi
export AJV_PREFIX="$prefix"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/cartsync-ci.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
# ok, bad, expect, refuse, check_summary; `failures` counts.
source "$(dirname "${BASH_SOURCE[0]}")/check_lib.sh"

# yaml_get FILE EXPRESSION: a python expression over `doc` (the parsed YAML), printed.
yaml_get() {
  python3 - "$1" "$2" <<'PY'
import sys, json, yaml
doc = yaml.safe_load(open(sys.argv[1]))
def step(name):
    found = [s for s in doc["jobs"]["cartsync"]["steps"] if s.get("name") == name]
    assert len(found) == 1, f"no single step named {name!r}"
    return found[0]
value = eval(sys.argv[2])
print(value if isinstance(value, str) else json.dumps(value))
PY
}

# --- 1. Schemas ------------------------------------------------------------------------

validator="$prefix/node_modules/@action-validator/cli/cli.mjs"
expect "GitHub workflow valid against SchemaStore's github-workflow schema" \
  node "$validator" "$gh_yml"
sed 's/^      - name: Fail on errors$/      - nmae: Fail on errors/' "$gh_yml" > "$tmp/broken-workflow.yml"
refuse "a broken GitHub workflow is refused" node "$validator" "$tmp/broken-workflow.yml"

yaml_to_json() { python3 -c 'import sys, json, yaml; json.dump(yaml.safe_load(open(sys.argv[1])), open(sys.argv[2], "w"))' "$1" "$2"; }
yaml_to_json "$gl_yml" "$tmp/gitlab-ci.json"
expect "GitLab CI file valid against GitLab's CI schema" \
  node "$root/tests/tools/validate_ci_yaml.js" gitlab-ci "$tmp/gitlab-ci.json"
sed 's/^  script:$/  scripts:/' "$gl_yml" > "$tmp/broken-gitlab.yml"
yaml_to_json "$tmp/broken-gitlab.yml" "$tmp/broken-gitlab.json"
refuse "a broken GitLab CI file is refused" \
  node "$root/tests/tools/validate_ci_yaml.js" gitlab-ci "$tmp/broken-gitlab.json"

# pre-commit's manifest (pre_commit/clientlib.py MANIFEST_HOOK_DICT): a list of
# hooks, each with id, name, entry and a known language; known keys only; the
# regexes compile; the hook ids are the ones cartsync has commands for.
check_hooks() {
  python3 - "$1" "$2" <<'PY'
import re, sys, yaml
hooks = yaml.safe_load(open(sys.argv[1]))
fmt_exists = sys.argv[2] == "yes"
languages = {"conda", "coursier", "dart", "docker", "docker_image", "dotnet", "fail", "golang",
             "haskell", "julia", "lua", "node", "perl", "pygrep", "python", "r", "ruby", "rust",
             "swift", "script", "system", "unsupported", "unsupported_script"}
keys = {"id", "name", "entry", "language", "alias", "files", "exclude", "types", "types_or",
        "exclude_types", "additional_dependencies", "args", "always_run", "fail_fast",
        "pass_filenames", "description", "language_version", "log_file", "require_serial",
        "stages", "verbose", "minimum_pre_commit_version"}
assert isinstance(hooks, list) and hooks, "a non-empty list of hooks"
for h in hooks:
    assert isinstance(h, dict), h
    for k in ("id", "name", "entry", "language"):
        assert isinstance(h.get(k), str) and h[k], f"{h.get('id')}: {k} missing"
    assert set(h) <= keys, f"{h['id']}: unknown keys {set(h) - keys}"
    assert h["language"] in languages, h["language"]
    for k in ("files", "exclude"):
        if k in h: re.compile(h[k])
    for k in ("pass_filenames", "always_run", "require_serial", "verbose", "fail_fast"):
        assert isinstance(h.get(k, False), bool), k
    assert h["entry"].split()[0] == "cartsync", h["entry"]
ids = [h["id"] for h in hooks]
assert len(set(ids)) == len(ids), "duplicate ids"
want = ["cartsync-check"] + (["cartsync-fmt"] if fmt_exists else [])
assert ids == want, f"hooks {ids}, expected {want}"
PY
}
# `cartsync fmt` not in this build answers "not available" (exit 2): no cartsync-fmt hook then.
fmt_exists=yes
[[ $("$cartsync" fmt --help 2>&1 || true) == *"not available"* ]] && fmt_exists=no
expect ".pre-commit-hooks.yaml follows pre-commit's manifest (cartsync fmt exists: $fmt_exists)" \
  check_hooks "$hooks_yml" "$fmt_exists"
sed 's/^  language: system$/  language: sytem/' "$hooks_yml" > "$tmp/broken-hooks.yaml"
refuse "a broken .pre-commit-hooks.yaml is refused" check_hooks "$tmp/broken-hooks.yaml" "$fmt_exists"

# --- 2. The templates' commands ------------------------------------------------------

# A repository like a team's: main (the base) and a pull-request branch, with an origin.
bin="$tmp/bin"
mkdir -p "$bin" "$tmp/seed"
ln -s "$cartsync" "$bin/cartsync"
export PATH="$bin:$PATH" GIT_AUTHOR_NAME=ci GIT_AUTHOR_EMAIL=ci@example.com \
  GIT_COMMITTER_NAME=ci GIT_COMMITTER_EMAIL=ci@example.com NO_COLOR=1
cp -r "$root/cartsync.toml" "$root/carts.d" "$tmp/seed/"
git -C "$tmp/seed" init -q -b main
git -C "$tmp/seed" add -A
git -C "$tmp/seed" commit -qm base
git clone -q --bare "$tmp/seed" "$tmp/origin.git"
work="$tmp/work"
git clone -q "$tmp/origin.git" "$work"
cart=carts.d/acme-apparel-shopify.toml
# pr_branch NAME SED: a branch off main with one edit of $cart, checked out in $work.
pr_branch() {
  git -C "$work" checkout -q -B "$1" origin/main
  sed -i "$2" "$work/$cart"
  git -C "$work" commit -qam "$1"
  rm -f "$work"/{cartsync.sarif,plan.md,gl-code-quality-report.json}
}

# --- GitHub Actions: each step's run: text, as Actions runs it (shell: bash).
[[ $(yaml_get "$gh_yml" 'doc["defaults"]["run"]["shell"]') == bash ]] || bad "the workflow runs steps with bash"
# gh_step NAME [VAR=VALUE…]: runs the step named NAME in $work; its exit code in $rc, output in $tmp/out.
gh_step() {
  local name="$1"
  shift
  yaml_get "$gh_yml" "step('$name')['run']" > "$tmp/step.sh"
  mkdir -p "$tmp/runner"
  rc=0
  (cd "$work" && env RUNNER_TEMP="$tmp/runner" GITHUB_STEP_SUMMARY="$tmp/summary.md" "$@" \
    bash --noprofile --norc -eo pipefail "$tmp/step.sh") > "$tmp/out" 2> "$tmp/err" || rc=$?
}
# The wiring between the steps: ids, the files they hand over, the failing step.
wiring() {
  python3 - "$gh_yml" <<'PY'
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
job = doc["jobs"]["cartsync"]
steps = {s.get("name"): s for s in job["steps"]}
assert job["permissions"]["security-events"] == "write" and job["permissions"]["pull-requests"] == "write"
assert steps["Check (annotations)"]["id"] == "check" and steps["Check (annotations)"]["continue-on-error"]
assert "> cartsync.sarif" in steps["Check (SARIF for code scanning)"]["run"]
up = steps["Upload to code scanning"]
assert up["uses"].startswith("github/codeql-action/upload-sarif@") and up["with"]["sarif_file"] == "cartsync.sarif"
plan = steps["Plan diff against the base branch"]
assert plan["id"] == "plan" and plan["continue-on-error"] and plan["env"]["BASE"] == "${{ github.base_ref }}"
assert '--diff-git "origin/$BASE" --format markdown -o plan.md' in plan["run"]
post = steps["Post the plan as one pull-request comment, updated in place"]
assert post["uses"].startswith("actions/github-script@") and "plan.md" in post["with"]["script"]
fail = steps["Fail on errors"]
assert "steps.check.outcome == 'failure'" in fail["if"] and "steps.plan.outcome == 'failure'" in fail["if"]
assert "exit 1" in fail["run"]
PY
}
expect "GitHub: the steps hand over cartsync.sarif and plan.md; the last step fails on errors" wiring

# The github-script code, run by node against a stand-in client: creates the
# comment once, then updates the one with the marker.
cat > "$tmp/github_script.js" <<'JS'
const fs = require('fs');
const [scriptFile, existing] = process.argv.slice(2);
const calls = [];
const comments = JSON.parse(existing);
const github = {
  paginate: async (fn, args) => { calls.push(['list', args.issue_number]); return comments; },
  rest: { issues: {
    listComments: () => {},
    updateComment: async (a) => calls.push(['update', a.comment_id, a.body]),
    createComment: async (a) => calls.push(['create', a.issue_number, a.body]),
    deleteComment: async (a) => calls.push(['delete', a.comment_id]),
  } },
};
const context = { repo: { owner: 'acme', repo: 'carts' }, payload: { pull_request: { number: 42 } },
                  serverUrl: 'https://github.com', runId: 1 };
const body = fs.readFileSync(scriptFile, 'utf8');
new Function('require', 'github', 'context', `return (async () => {\n${body}\n})();`)(require, github, context)
  .then(() => console.log(JSON.stringify(calls)))
  .catch((e) => { console.error(e); process.exit(1); });
JS
yaml_get "$gh_yml" "step('Post the plan as one pull-request comment, updated in place')['with']['script']" \
  > "$tmp/post.js"

# A clean pull request: a schedule changed.
pr_branch slower 's/^every = "15m"$/every = "30m"/'
gh_step "Check (annotations)"
expect "GitHub check step: exit 0, no annotation" test "$rc" = 0 -a ! -s "$tmp/out"
gh_step "Check (SARIF for code scanning)"
expect "GitHub SARIF step: exit 0, a SARIF file without results" \
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["version"]=="2.1.0" and d["runs"][0]["results"]==[]' \
  "$work/cartsync.sarif"
gh_step "Plan diff against the base branch" BASE=main
expect "GitHub plan step: exit 0" test "$rc" = 0
expect "GitHub plan step: plan.md (--diff-git origin/main) has the title and the schedule change" \
  bash -c 'head -1 "$1" | grep -qx "## cartsync plan: changes since origin/main" &&
           grep -q "order_download every 15m -&gt; 30m" "$1" && ! grep -q "plan failed" "$1"' _ "$work/plan.md"
expect "GitHub plan step: the plan also in the job summary" grep -q "30m" "$tmp/summary.md"
expect "GitHub plan step: no worktree, no checkout: the work tree is clean" \
  bash -c 'test "$(git -C "$1" worktree list | wc -l)" = 1 && test -z "$(git -C "$1" status --porcelain -- carts.d cartsync.toml)"' \
  _ "$work"
(cd "$work" && node "$tmp/github_script.js" "$tmp/post.js" '[{"id":5,"user":{"type":"User"},"body":"lgtm"}]') > "$tmp/calls"
expect "GitHub comment: created when there is none" \
  python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); assert c[1][:2]==["create",42] and c[1][2].startswith("<!-- cartsync-plan -->"), c' "$tmp/calls"
(cd "$work" && node "$tmp/github_script.js" "$tmp/post.js" \
  '[{"id":5,"user":{"type":"User"},"body":"lgtm"},{"id":9,"user":{"type":"Bot"},"body":"<!-- cartsync-plan -->\nold"}]') > "$tmp/calls"
expect "GitHub comment: the marked one updated in place" \
  python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); assert len(c)==2 and c[1][:2]==["update",9], c' "$tmp/calls"

# A plan longer than a comment: cartsync writes numbered parts (plan.md,
# plan.2.md, …; here the whole preview with --max-bytes small), each posted as
# its own comment with its marker; then a short one again: the first part
# updated, the others deleted.
mkdir -p "$tmp/long"
(cd "$work" && cartsync plan . --format markdown --max-bytes 2048 -o "$tmp/long/plan.md" 2>/dev/null)
(cd "$tmp/long" && node "$tmp/github_script.js" "$tmp/post.js" '[]') > "$tmp/calls"
expect "GitHub comment: a long plan posted as one comment per part, each marked and valid" \
  python3 - "$tmp/calls" "$tmp/long" <<'PY'
import json, pathlib, sys
calls = json.load(open(sys.argv[1]))
creates = [c for c in calls if c[0] == "create"]
files = list(pathlib.Path(sys.argv[2]).glob("plan*.md"))
assert len(creates) >= 3 and len(creates) == len(files) == len(calls) - 1, (calls, files)
for i, (_, _, body) in enumerate(creates):
    head = "<!-- cartsync-plan -->" if i == 0 else f"<!-- cartsync-plan part {i + 1} -->"
    assert body.startswith(head + "\n"), body[:80]
    assert f"(part {i + 1} of {len(creates)})" in body.split("\n")[1], body[:120]
    assert len(body.encode()) <= 2048 + len(head) + 1, len(body.encode())
    assert len(body) <= 65536, len(body)
    assert body.count("<details") == body.count("</details>"), f"part {i + 1} details"
    assert sum(1 for l in body.split("\n") if l.startswith("```")) % 2 == 0, f"part {i + 1} fences"
PY
(cd "$work" && node "$tmp/github_script.js" "$tmp/post.js" \
  '[{"id":21,"user":{"type":"Bot"},"body":"<!-- cartsync-plan -->\nx"},{"id":22,"user":{"type":"Bot"},"body":"<!-- cartsync-plan part 2 -->\ny"},{"id":23,"user":{"type":"Bot"},"body":"<!-- cartsync-plan part 3 -->\nz"}]') \
  > "$tmp/calls"
expect "GitHub comment: short again: part 1 updated, parts 2 and 3 deleted" \
  python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); assert [x[:2] for x in c[1:]]==[["update",21],["delete",22],["delete",23]], c' "$tmp/calls"

# A pull request with an error: an unknown status.
pr_branch typo 's/^financial_status = \["paid", "partially_refunded"\]$/financial_status = ["payed"]/'
gh_step "Check (annotations)"
expect "GitHub check step: exit 1 with an ::error annotation on the cart" \
  bash -c 'test "$1" = 1 && grep -q "^::error file=carts.d/acme-apparel-shopify.toml,line=33,.*title=E0203::" "$2"' \
  _ "$rc" "$tmp/out"
gh_step "Check (SARIF for code scanning)"
expect "GitHub SARIF step: exit 0 (errors found is not a failure here), the error in the file" \
  python3 -c 'import json,sys; d=json.load(open(sys.argv[2])); assert sys.argv[1]=="0" and d["runs"][0]["results"][0]["ruleId"]=="E0203"' \
  "$rc" "$work/cartsync.sarif"
gh_step "Plan diff against the base branch" BASE=main
expect "GitHub plan step: exit 1, plan.md says why" \
  bash -c 'test "$1" = 1 && grep -q "cartsync plan failed" "$2" && grep -q "E0203" "$2"' _ "$rc" "$work/plan.md"

# --- GitLab CI: a job's script: lines, as one bash script (the runner's `set -eo pipefail`).
# A stand-in curl: logs its arguments; a GET of page 1 answers $FAKE_NOTES, later pages [].
cat > "$bin/curl" <<'SH'
#!/usr/bin/env bash
printf '%s\n' "$*" >> "$FAKE_CURL_LOG"
if [[ " $* " != *" --request "* ]]; then
  if [[ "$*" == *"&page=1"* ]]; then printf '%s' "${FAKE_NOTES:-[]}"; else printf '[]'; fi
fi
SH
chmod +x "$bin/curl"
gl_job() {  # gl_job JOB [VAR=VALUE…]
  local job="$1"
  shift
  { echo 'set -eo pipefail'; yaml_get "$gl_yml" "'\n'.join(doc['$job']['script'])"; } > "$tmp/job.sh"
  rc=0
  : > "$tmp/curl.log"
  (cd "$work" && env FAKE_CURL_LOG="$tmp/curl.log" CI_MERGE_REQUEST_TARGET_BRANCH_NAME=main \
    CI_API_V4_URL=https://gitlab.example.com/api/v4 CI_PROJECT_ID=7 CI_MERGE_REQUEST_IID=3 "$@" \
    bash --noprofile --norc "$tmp/job.sh") > "$tmp/out" 2> "$tmp/err" || rc=$?
}
[[ $(yaml_get "$gl_yml" 'doc["cartsync-check"]["artifacts"]["reports"]["codequality"]') == gl-code-quality-report.json ]] ||
  bad "the check job's Code Quality report is gl-code-quality-report.json"

pr_branch slower 's/^every = "15m"$/every = "30m"/'
gl_job cartsync-check
expect "GitLab check job: exit 0, an empty Code Quality report" \
  bash -c 'test "$1" = 0 && test "$(tr -d " \n" < "$2")" = "[]"' _ "$rc" "$work/gl-code-quality-report.json"
gl_job cartsync-plan CARTSYNC_GITLAB_TOKEN=test-token
expect "GitLab plan job: exit 0, the note posted (no note with the marker yet)" \
  bash -c 'test "$1" = 0 && grep -q "30m" "$2" && grep -q -- "--request POST .*body@.*/note.md https://gitlab.example.com/api/v4/projects/7/merge_requests/3/notes$" "$3"' \
  _ "$rc" "$work/plan.md" "$tmp/curl.log"
gl_job cartsync-plan CARTSYNC_GITLAB_TOKEN=test-token \
  FAKE_NOTES='[{"id":4,"body":"nice"},{"id":11,"body":"<!-- cartsync-plan -->\nold"},{"id":12,"body":"<!-- cartsync-plan part 2 -->\nold"}]'
expect "GitLab plan job: the marked note updated in place, a stale part's note deleted" \
  bash -c 'test "$1" = 0 && grep -q -- "--request PUT .*/merge_requests/3/notes/11$" "$2" && ! grep -q POST "$2" &&
           grep -q -- "--request DELETE .*/merge_requests/3/notes/12$" "$2" && ! grep -q "notes/4$" "$2"' \
  _ "$rc" "$tmp/curl.log"
gl_job cartsync-plan
expect "GitLab plan job without a token: exit 0, nothing posted, plan.md kept" \
  bash -c 'test "$1" = 0 && ! test -s "$2" && grep -q "30m" "$3"' _ "$rc" "$tmp/curl.log" "$work/plan.md"

pr_branch typo 's/^financial_status = \["paid", "partially_refunded"\]$/financial_status = ["payed"]/'
gl_job cartsync-check
expect "GitLab check job: exit 1, the error in the Code Quality report" \
  python3 -c 'import json,sys; r=json.load(open(sys.argv[2])); assert sys.argv[1]=="1" and r[0]["check_name"]=="E0203" and r[0]["severity"]=="major" and r[0]["location"]=={"path":"carts.d/acme-apparel-shopify.toml","lines":{"begin":33}}, r' \
  "$rc" "$work/gl-code-quality-report.json"
gl_job cartsync-plan
expect "GitLab plan job: exit 1, plan.md says why" \
  bash -c 'test "$1" = 1 && grep -q "cartsync plan failed" "$2"' _ "$rc" "$work/plan.md"

# --- pre-commit: the hook's entry, as pre-commit runs it (pass_filenames: false).
pre_commit() {
  local entry
  entry=$(yaml_get "$hooks_yml" '[h for h in doc if h["id"] == "cartsync-check"][0]["entry"]')
  rc=0
  # shellcheck disable=SC2086 # pre-commit splits the entry with shlex
  (cd "$work" && $entry) > "$tmp/out" 2>&1 || rc=$?
}
pr_branch slower 's/^every = "15m"$/every = "30m"/'
pre_commit
expect "pre-commit cartsync-check: exit 0 on a clean project" test "$rc" = 0
pr_branch typo 's/^financial_status = \["paid", "partially_refunded"\]$/financial_status = ["payed"]/'
pre_commit
expect "pre-commit cartsync-check: exit 1 with the diagnostic" \
  bash -c 'test "$1" = 1 && grep -q "error\[E0203\]" "$2"' _ "$rc" "$tmp/out"

# --- pre-commit: cartsync-fmt's entry with the staged files that match its
# `files:` appended (pass_filenames defaults to true), on a copy of the
# project. pre-commit fails a hook that exits non-zero or modifies a file.
if [[ $fmt_exists == yes ]]; then
  fmt_dir="$tmp/fmt-hook"
  mkdir -p "$fmt_dir" && cp -r "$work/cartsync.toml" "$work/carts.d" "$fmt_dir/"
  fmt_cart="carts.d/$(basename "$cart")"
  # An unformatted cart: a literal string, no spaces around =, [cart] last.
  python3 - "$fmt_dir/$fmt_cart" <<'PY'
import re, sys
p = sys.argv[1]
text = open(p).read()
cart = re.search(r"^\[cart\]\n(?:[^\[\n].*\n)*", text, re.M)
rest = text[:cart.start()] + text[cart.end():]
open(p, "w").write(rest.rstrip("\n") + "\n\n" + cart.group(0).replace(" = \"", "='").replace("\"\n", "'\n"))
PY
  fmt_hook() {  # fmt_hook FILE…: the hook as pre-commit runs it; rc, and $changed: files modified
    local entry files=() sums
    entry=$(yaml_get "$hooks_yml" '[h for h in doc if h["id"] == "cartsync-fmt"][0]["entry"]')
    mapfile -t files < <(python3 -c 'import re, sys, yaml
h = [h for h in yaml.safe_load(open(sys.argv[1])) if h["id"] == "cartsync-fmt"][0]
print("\n".join(f for f in sys.argv[2:] if re.search(h.get("files", ""), f)))' "$hooks_yml" "$@")
    sums=$(cd "$fmt_dir" && find . -type f | sort | xargs sha256sum)
    rc=0
    # shellcheck disable=SC2086 # pre-commit splits the entry with shlex
    (cd "$fmt_dir" && $entry "${files[@]}") > "$tmp/out" 2>&1 || rc=$?
    changed=$(diff <(echo "$sums") <(cd "$fmt_dir" && find . -type f | sort | xargs sha256sum) | grep -c '^>' || true)
  }
  fmt_hook "$fmt_cart" cartsync.toml README.md
  expect "pre-commit cartsync-fmt: the unformatted cart rewritten (the hook fails: a file was modified)" \
    bash -c 'test "$1" = 0 && test "$2" = 1 && grep -q "^\[cart\]$" "$3" && ! grep -q "='"'"'" "$3"' \
    _ "$rc" "$changed" "$fmt_dir/$fmt_cart"
  fmt_hook "$fmt_cart" cartsync.toml
  expect "pre-commit cartsync-fmt: run again, exit 0 and nothing modified (the hook passes)" \
    bash -c 'test "$1" = 0 && test "$2" = 0' _ "$rc" "$changed"
  printf '[cart\n' > "$fmt_dir/carts.d/broken.toml"
  fmt_hook carts.d/broken.toml "$fmt_cart"
  expect "pre-commit cartsync-fmt: a cart that does not parse: exit 1 with file:line:col, nothing modified" \
    bash -c 'test "$1" = 1 && test "$2" = 0 && grep -q "^carts.d/broken.toml:[0-9]*:[0-9]*: error\[E0105\]" "$3"' \
    _ "$rc" "$changed" "$tmp/out"
fi

check_summary ci_templates_check
