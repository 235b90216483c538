#!/usr/bin/env bash
# `cartsync plan --diff-git REF`, end to end, in a temporary git repository
# made of this checkout's cartsync.toml and carts.d/: a base commit on main and
# a pull-request branch that changes a schedule, rewrites two schedules with
# the same meaning (hourly -> 1h, cron */20 -> 20m), disables a service, adds
# a cart and removes one. Checks the markdown (title, summary line, <details>,
# parts under --max-bytes, files plan.md, plan.2.md, …), json and text forms,
# --detailed-exitcode, and the errors: not a git repository, unknown REF, git
# not installed, the project absent at REF (everything added). Also: the work
# tree and the index are left as they were and no temporary directory is left.
#
# Usage: plan_diff_git_test.sh PATH/TO/cartsync
set -euo pipefail
cartsync="$(realpath "$1")"
root="$(cd "$(dirname "$0")/../.." && pwd)"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/cartsync-diff-git.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
# ok, bad, expect, refuse, check_summary; `failures` counts.
source "$(dirname "${BASH_SOURCE[0]}")/check_lib.sh"
# cs [ENV=V…] -- ARGS…: runs cartsync in $work with a private TMPDIR; exit code in $rc.
cs() {
  local envs=()
  while [[ $1 != -- ]]; do envs+=("$1"); shift; done
  shift
  rc=0
  (cd "$work" && env TMPDIR="$tmp/private-tmp" "${envs[@]}" "$cartsync" "$@") \
    > "$tmp/out" 2> "$tmp/err" || rc=$?
}
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com GIT_COMMITTER_NAME=t \
  GIT_COMMITTER_EMAIL=t@example.com NO_COLOR=1
mkdir -p "$tmp/private-tmp"

work="$tmp/work"
mkdir -p "$work"
cp -r "$root/cartsync.toml" "$root/carts.d" "$work/"
git -C "$work" init -q -b main
git -C "$work" add -A
git -C "$work" commit -qm base
git -C "$work" checkout -q -b pr
python3 - "$work/carts.d" <<'PY'
import pathlib, sys
d = pathlib.Path(sys.argv[1])
def edit(name, old, new):
    p = d / name
    text = p.read_text()
    assert old in text, (name, old)
    p.write_text(text.replace(old, new, 1))
edit("acme-apparel-shopify.toml", 'every = "15m"', 'every = "30m"')            # changed
edit("acme-apparel-shopify.toml", 'every = "hourly"', 'every = "1h"')          # same meaning
edit("northwind-outdoor-shopify.toml", 'every = "cron: */20 * * * *"', 'every = "20m"')  # same
edit("cedar-home-bigcommerce.toml", "[services.inventory_upload]\nenabled = true",
     "[services.inventory_upload]\nenabled = false")                           # disabled
new = (d / "cedar-home-bigcommerce.toml").read_text().replace(
    'id = "cedar-home-bigcommerce"', 'id = "cedar-home-outlet"', 1)
(d / "cedar-home-outlet.toml").write_text(new)                                 # added
(d / "summit-supply-walmart.toml").unlink()                                    # removed
PY
git -C "$work" add -A
git -C "$work" commit -qm pr
echo "# uncommitted" >> "$work/carts.d/harbor-goods-ebay.toml"
status_before="$(git -C "$work" status --porcelain=v1; git -C "$work" diff --cached --stat)"

# --- markdown
cs -- plan --diff-git main --format markdown
expect "markdown: exit 0" test "$rc" = 0
expect "markdown: title and summary line first" python3 - "$tmp/out" <<'PY'
import sys
md = open(sys.argv[1]).read()
lines = md.split("\n")
assert lines[0] == "## cartsync plan: changes since main", lines[0]
assert lines[2] == "**Carts:** 1 added, 2 changed, 1 removed · **services:** 0 enabled, 1 disabled · 4 changes", lines[2]
PY
expect "markdown: one <details> per changed cart, summaries say what changed" python3 - "$tmp/out" <<'PY'
import sys
md = open(sys.argv[1]).read()
assert md.count("<details>") == 4 and md.count("</details>") == 4, md
for want in ["<summary><code>acme-apparel-shopify</code>: 1 change: order_download every 15m -&gt; 30m</summary>",
             "<summary><code>cedar-home-bigcommerce</code>: 1 change: inventory_upload disabled</summary>",
             "<summary><code>cedar-home-outlet</code>: added: bigcommerce;",
             "<summary><code>summit-supply-walmart</code>: removed: walmart;",
             "| disabled | `inventory_upload` | every 2h |  |"]:
    assert want in md, want
# Same meaning is no change; the uncommitted edit is in the current plan only if it changes it.
assert "hourly" not in md and "northwind" not in md, md
assert "| removed | `inventory_upload`" not in md
PY

# --- json and text, --detailed-exitcode
cs -- plan --diff-git main --format json --detailed-exitcode
expect "json: exit 2 (changes) with --detailed-exitcode" test "$rc" = 2
expect "json: the four changes by kind" python3 - "$tmp/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
kinds = sorted((c["kind"], c["cart"], c["subject"]) for c in d["changes"])
assert kinds == sorted([("schedule_changed", "acme-apparel-shopify", "order_download"),
                        ("service_disabled", "cedar-home-bigcommerce", "inventory_upload"),
                        ("cart_added", "cedar-home-outlet", ""),
                        ("cart_removed", "summit-supply-walmart", "")]), kinds
assert d["count"] == len(d["changes"]) == 4, d["count"]
PY
cs -- plan --diff-git main
expect "text: the disabled service reads disabled" \
  grep -q "^- cedar-home-bigcommerce/inventory_upload disabled (was every 2h)$" "$tmp/out"
cs -- plan --diff-git HEAD --detailed-exitcode
expect "against HEAD: exit 0 with --detailed-exitcode (only an uncommitted comment differs)" \
  bash -c 'test "$1" = 0 && grep -qx "No changes." "$2"' _ "$rc" "$tmp/out"

# --- parts: -o plan.md --max-bytes
cs -- plan --diff-git main --format markdown --max-bytes 1024 -o plan.md
expect "-o plan.md --max-bytes 1024: exit 0, several files each under 1024 bytes, each valid" \
  python3 - "$work" "$rc" <<'PY'
import pathlib, sys
work, rc = pathlib.Path(sys.argv[1]), sys.argv[2]
assert rc == "0", rc
files = [work / "plan.md"] + sorted(work.glob("plan.[0-9]*.md"), key=lambda p: int(p.name.split(".")[1]))
assert len(files) >= 2, files
assert [f.name for f in files[1:]] == [f"plan.{k}.md" for k in range(2, len(files) + 1)], files
details = 0
for k, f in enumerate(files, 1):
    text = f.read_text()
    assert len(text.encode()) <= 1024, (f, len(text.encode()))
    assert text.startswith(f"## cartsync plan: changes since main (part {k} of {len(files)})\n"), text[:80]
    depth = 0
    for line in text.split("\n"):
        depth += line.startswith("<details") - line.startswith("</details>")
        assert depth >= 0, f
    assert depth == 0, f
    assert sum(l.startswith("```") for l in text.split("\n")) % 2 == 0
    details += text.count("<details>")
assert details == 4, details
PY
nparts=$(ls "$work"/plan*.md | wc -l)
cs -- plan --diff-git main --format markdown -o plan.md
expect "a shorter run removes the stale parts: only plan.md is left (was $nparts files)" \
  bash -c 'test "$1" = 0 && test "$(ls "$2"/plan*.md)" = "$2/plan.md"' _ "$rc" "$work"
rm -f "$work"/plan*.md
cs -- plan --diff-git main --format markdown --max-bytes 1024
expect "stdout: parts each after a <!-- cartsync plan part K of N --> line" \
  bash -c 'test "$1" = 0 && head -1 "$2" | grep -qx "<!-- cartsync plan part 1 of [0-9]* -->" &&
           test "$(grep -c "^<!-- cartsync plan part " "$2")" -ge 2' _ "$rc" "$tmp/out"

# --- errors
cs -- plan --diff-git origin/nope --format markdown
expect "unknown REF: exit 1, says so" \
  bash -c 'test "$1" = 1 && grep -q "^cartsync: --diff-git origin/nope: unknown git revision \"origin/nope\"" "$2"' \
  _ "$rc" "$tmp/err"
cs -- plan --diff-git main --diff old.json
expect "--diff with --diff-git: a usage error (exit 2)" \
  bash -c 'test "$1" = 2 && grep -q "give --diff or --diff-git, not both" "$2"' _ "$rc" "$tmp/err"
cs -- plan --diff-git main --max-bytes 100
expect "--max-bytes 100: a usage error (exit 2)" \
  bash -c 'test "$1" = 2 && grep -q "max-bytes must be 0 or 1024..100000000" "$2"' _ "$rc" "$tmp/err"
cs PATH=/nonexistent -- plan --diff-git main
expect "git not installed: exit 1, says so" \
  bash -c 'test "$1" = 1 && grep -q "git is not installed" "$2"' _ "$rc" "$tmp/err"
mkdir -p "$tmp/nogit"
cp -r "$root/cartsync.toml" "$root/carts.d" "$tmp/nogit/"
rc=0
(cd "$tmp/nogit" && GIT_CEILING_DIRECTORIES="$tmp" TMPDIR="$tmp/private-tmp" "$cartsync" plan --diff-git main) \
  > "$tmp/out" 2> "$tmp/err" || rc=$?
expect "not a git repository: exit 1, says so" \
  bash -c 'test "$1" = 1 && grep -q "is not in a git work tree" "$2"' _ "$rc" "$tmp/err"

# --- a project's first pull request: nothing at the base
first="$tmp/first"
mkdir -p "$first"
git -C "$first" init -q -b main
echo "hello" > "$first/README"
git -C "$first" add -A
git -C "$first" commit -qm first
cp -r "$root/cartsync.toml" "$root/carts.d" "$first/"
rc=0
(cd "$first" && TMPDIR="$tmp/private-tmp" "$cartsync" plan --diff-git main --format markdown) \
  > "$tmp/out" 2> "$tmp/err" || rc=$?
ncarts=$(ls "$root"/carts.d/*.toml | wc -l)
expect "project absent at REF: exit 0, every cart added, a note on stderr" \
  bash -c 'test "$1" = 0 && grep -q "^\*\*Carts:\*\* $2 added, 0 changed, 0 removed" "$3" &&
           grep -q "nothing of the project at main" "$4"' _ "$rc" "$ncarts" "$tmp/out" "$tmp/err"

# --- nothing touched, nothing left behind
status_after="$(git -C "$work" status --porcelain=v1; git -C "$work" diff --cached --stat)"
expect "the work tree and the index are as they were" test "$status_before" = "$status_after"
expect "no temporary directory left behind" test -z "$(ls -A "$tmp/private-tmp")"

check_summary plan_diff_git_test
