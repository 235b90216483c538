#!/usr/bin/env bash
# `cartsync fmt` and `check --stdin-filename` from the outside (cli.md "fmt"):
#
# 1. Exit codes: --check 0 on formatted files, 1 when one would change (the
#    file untouched, its name printed); a file that does not parse is
#    reported as file:line:col and left byte for byte; usage errors exit 2.
# 2. --diff: the exact unified diff; a credential on a changed line masked.
# 3. Writing: atomically, the file's mode kept; a second run changes nothing.
# 4. Standard input: `fmt --stdin-filename` prints the formatted text;
#    `check --stdin-filename PATH` reports as PATH and uses the cartsync.toml
#    above PATH.
# 5. Meaning preserved, over every sample project (carts.d/ with the root
#    cartsync.toml, examples/*/), every test cart under tests/ (extracted by
#    extract_test_carts.py) and every fuzz-corpus .toml: in a temporary
#    project, `plan --format json` before and after fmt is byte-identical but
#    for sources[].sha256 (or, when the plan fails, `check --format json`
#    gives the same codes and messages); Python's tomllib reads the same
#    values from every file; fmt twice == fmt once; a file that does not
#    parse is left as it was.
#
# Usage: fmt_check.sh PATH/TO/cartsync
set -euo pipefail
cartsync="$(realpath "$1")"
root="$(cd "$(dirname "$0")/../.." && pwd)"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/cartsync-fmt.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
# ok, bad, expect, refuse, check_summary; `failures` counts.
source "$(dirname "${BASH_SOURCE[0]}")/check_lib.sh"
run() {  # run COMMAND…: sets rc, out, err
  rc=0
  "$@" > "$tmp/out" 2> "$tmp/err" || rc=$?
  out="$(cat "$tmp/out")"
  err="$(cat "$tmp/err")"
}

# --- 0. the repository's own samples are canonical ------------------------------------
run "$cartsync" fmt --check "$root/carts.d" "$root/cartsync.toml" "$root/examples/demo"
[[ $rc -eq 0 ]] && ok "samples are fmt-canonical" || bad "samples are not fmt-canonical: $out $err"

# --- 1. exit codes ---------------------------------------------------------------------
proj="$tmp/p"
mkdir -p "$proj/carts.d"
cp "$root/cartsync.toml" "$proj/"
cat > "$proj/carts.d/a.toml" <<'EOF'
# Cart a.

[api]
store_url='https://a.myshopify.com'   # the shop
access_token = { secret = "env:A_TOKEN" }

[cart]
platform = "shopify"
id = "a"
client = "a"
EOF
cp "$proj/carts.d/a.toml" "$tmp/a.orig"
cat > "$tmp/a.formatted" <<'EOF'
# Cart a.

[cart]
id = "a"
client = "a"
platform = "shopify"

[api]
store_url = "https://a.myshopify.com"   # the shop
access_token = { secret = "env:A_TOKEN" }
EOF

run "$cartsync" fmt --check "$proj/carts.d/a.toml"
expect "fmt --check: exit 1 on an unformatted file, its name printed, nothing written" \
  bash -c 'test "$1" = 1 && test "$2" = "$3" && cmp -s "$4" "$5"' _ "$rc" "$out" \
  "$proj/carts.d/a.toml" "$proj/carts.d/a.toml" "$tmp/a.orig"

run "$cartsync" fmt --check --diff "$proj/carts.d/a.toml"
cat > "$tmp/want.diff" <<EOF
--- a/$proj/carts.d/a.toml
+++ b/$proj/carts.d/a.toml
@@ -1,10 +1,10 @@
 # Cart a.
 
-[api]
-store_url='https://a.myshopify.com'   # the shop
-access_token = { secret = "env:A_TOKEN" }
-
 [cart]
-platform = "shopify"
 id = "a"
 client = "a"
+platform = "shopify"
+
+[api]
+store_url = "https://a.myshopify.com"   # the shop
+access_token = { secret = "env:A_TOKEN" }
EOF
expect "fmt --check --diff: exit 1 and the unified diff" \
  bash -c 'test "$1" = 1 && diff -u "$2" "$3"' _ "$rc" "$tmp/want.diff" "$tmp/out"
expect "fmt --diff: the diff applies with patch(1) and gives the formatted text" \
  bash -c 'cp "$1" "$4/x.toml" && sed "s#^\(---\|+++\) [ab]/.*#\1 x.toml#" "$2" > "$4/x.diff" &&
           (cd "$4" && patch -s x.toml < x.diff) && cmp -s "$4/x.toml" "$3"' _ \
  "$tmp/a.orig" "$tmp/out" "$tmp/a.formatted" "$tmp"

chmod 640 "$proj/carts.d/a.toml"
run "$cartsync" fmt "$proj/carts.d/a.toml"
expect "fmt: exit 0, the file rewritten in the canonical layout, its name printed" \
  bash -c 'test "$1" = 0 && cmp -s "$2" "$3" && test "$4" = "$2"' _ "$rc" "$proj/carts.d/a.toml" \
  "$tmp/a.formatted" "$out"
expect "fmt: the file's mode kept (640)" test "$(stat -c %a "$proj/carts.d/a.toml")" = 640
expect "fmt: no temporary file left beside it" \
  test "$(find "$proj/carts.d" -name '.*' -type f | wc -l)" = 0
run "$cartsync" fmt --check "$proj/carts.d/a.toml"
expect "fmt --check: exit 0 on a formatted file, nothing printed" \
  bash -c 'test "$1" = 0 && test -z "$2"' _ "$rc" "$out"

# The project directory: the carts and the project file named by it.
cp "$root/cartsync.toml" "$proj/cartsync.toml"
run "$cartsync" fmt --check "$proj"
cp "$proj/cartsync.toml" "$tmp/project.orig"
expect "fmt --check PROJECT: exit 0 or 1, never an error, the files untouched" \
  bash -c 'test "$1" -le 1 && cmp -s "$2" "$3"' _ "$rc" "$proj/cartsync.toml" "$root/cartsync.toml"
(cd "$proj" && "$cartsync" fmt > /dev/null)
run bash -c "cd '$proj' && '$cartsync' fmt --check"
expect "fmt (no PATH: the current directory) then fmt --check: exit 0" test "$rc" = 0

# Named files only: pre-commit passes exactly the changed files.
printf "[cart]\nid='c'\n" > "$proj/carts.d/c.toml"
sed -i "s/^carts = \"carts.d\"$/carts='carts.d'/" "$proj/cartsync.toml"
cp "$proj/carts.d/c.toml" "$tmp/c.orig" && cp "$proj/cartsync.toml" "$tmp/project.unformatted"
run "$cartsync" fmt "$proj/carts.d/a.toml"
expect "fmt CART: the other carts and cartsync.toml untouched" \
  bash -c 'test "$1" = 0 && cmp -s "$2" "$3" && cmp -s "$4" "$5"' _ "$rc" "$proj/carts.d/c.toml" \
  "$tmp/c.orig" "$proj/cartsync.toml" "$tmp/project.unformatted"
run "$cartsync" fmt "$proj/cartsync.toml"
expect "fmt cartsync.toml: the project file formatted, the carts untouched" \
  bash -c 'test "$1" = 0 && grep -qx "carts = \"carts.d\"" "$2" && cmp -s "$3" "$4"' _ "$rc" \
  "$proj/cartsync.toml" "$proj/carts.d/c.toml" "$tmp/c.orig"
run "$cartsync" fmt "$proj/carts.d"
expect "fmt CARTS_DIR: its carts formatted" \
  bash -c 'test "$1" = 0 && grep -qx "id = \"c\"" "$2"' _ "$rc" "$proj/carts.d/c.toml"
rm "$proj/carts.d/c.toml"

# A file that does not parse: reported file:line:col, left byte for byte.
printf '[cart]\nid = "b"\nclient = = "b"\n' > "$proj/carts.d/b.toml"
cp "$proj/carts.d/b.toml" "$tmp/b.orig"
run "$cartsync" fmt "$proj/carts.d/b.toml"
expect "fmt: a file that does not parse: exit 1, file:line:col diagnostic, file untouched" \
  bash -c 'test "$1" = 1 && grep -q "carts.d/b.toml:3:[0-9]*: error\[E0105\]" <<< "$2" && cmp -s "$3" "$4"' \
  _ "$rc" "$err" "$proj/carts.d/b.toml" "$tmp/b.orig"
rm "$proj/carts.d/b.toml"

# Usage and IO errors: 2.
for args in "--bogus" "--stdin-filename x.toml a.toml" "--check=yes"; do
  # shellcheck disable=SC2086
  run "$cartsync" fmt $args
  expect "fmt $args: usage error, exit 2" bash -c 'test "$1" = 2 && test -n "$2"' _ "$rc" "$err"
done
run "$cartsync" fmt "$tmp/no-such-dir"
expect "fmt on a missing path: exit 2, E0108" \
  bash -c 'test "$1" = 2 && grep -q E0108 <<< "$2"' _ "$rc" "$err"
run "$cartsync" fmt --help
expect "fmt --help: exit 0, lists --check, --diff, --stdin-filename" \
  bash -c 'test "$1" = 0 && grep -q -- --check <<< "$2" && grep -q -- --diff <<< "$2" && grep -q -- --stdin-filename <<< "$2"' \
  _ "$rc" "$out"

# --- 2. --diff masks credentials ---------------------------------------------------------
token="shpat_0123456789abcdef0123456789abcdef"
printf "[cart]\nid = 'leak'\n[api]\naccess_token = '%s'\n" "$token" > "$tmp/leak.toml"
run "$cartsync" fmt --diff --check "$tmp/leak.toml"
expect "fmt --diff: a credential on a changed line is masked, the line still shown" \
  bash -c 'test "$1" = 1 && ! grep -q "$3" <<< "$2" && grep -q "^+access_token = \*\*\*" <<< "$2"' \
  _ "$rc" "$out" "$token"

# --- 4. standard input ---------------------------------------------------------------------
run bash -c "'$cartsync' fmt --stdin-filename carts.d/a.toml < '$tmp/a.orig'"
expect "fmt --stdin-filename: the formatted text on stdout, exit 0" \
  bash -c 'test "$1" = 0 && cmp -s "$2" "$3"' _ "$rc" "$tmp/out" "$tmp/a.formatted"
run bash -c "'$cartsync' fmt --check --stdin-filename carts.d/a.toml < '$tmp/a.orig'"
expect "fmt --check --stdin-filename: exit 1 when stdin is not formatted, nothing printed" \
  bash -c 'test "$1" = 1 && test -z "$2"' _ "$rc" "$out"
run bash -c "'$cartsync' fmt --stdin-filename carts.d/b.toml < '$tmp/b.orig'"
expect "fmt --stdin-filename: a syntax error reported as PATH:line:col, exit 1, no output" \
  bash -c 'test "$1" = 1 && test -z "$2" && grep -q "^carts.d/b.toml:3:" <<< "$3"' _ "$rc" "$out" "$err"

# check --stdin-filename: inside a project its WMS connection is used.
sample="$root/carts.d/acme-apparel-shopify.toml"
run bash -c "cd '$root' && '$cartsync' check --stdin-filename carts.d/acme.toml < '$sample'"
expect "check --stdin-filename inside the project: exit 0, checked as 1 file + the project" \
  bash -c 'test "$1" = 0 && grep -q "ok$" <<< "$2"' _ "$rc" "$out"
sed 's#^"Standard Shipping" = .*#"Standard Shipping" = "NOPE/GROUND"#' "$sample" > "$tmp/carrier.toml"
run bash -c "cd '$root' && '$cartsync' check --stdin-filename carts.d/acme.toml --format json < '$tmp/carrier.toml'"
expect "check --stdin-filename: the project's carriers apply, the diagnostic names PATH" \
  bash -c 'test "$1" = 1 && jq -e "[.diagnostics[] | select(.file == \"carts.d/acme.toml\" and .severity == \"error\")] | length >= 1" <<< "$2" > /dev/null' \
  _ "$rc" "$out"
mkdir -p "$tmp/lone/carts.d"
run bash -c "cd '$tmp/lone' && '$cartsync' check --stdin-filename carts.d/acme.toml --format json < '$tmp/carrier.toml'"
expect "check --stdin-filename outside a project: no carrier error (no WMS declared)" \
  bash -c '! jq -e "[.diagnostics[] | select(.severity == \"error\" and (.message | test(\"NOPE\")))] | length > 0" <<< "$1" > /dev/null' \
  _ "$out"
run bash -c "'$cartsync' check --stdin-filename x.toml a.toml < /dev/null"
expect "check --stdin-filename with a PATH: usage error, exit 2" test "$rc" = 2

# --- 5. meaning preserved -------------------------------------------------------------------
# plan_or_check DIR: the plan (sha256 removed), or the check diagnostics' codes and messages.
plan_or_check() {
  local json
  if json=$(cd "$1" && "$cartsync" plan --format json 2>/dev/null); then
    jq -S 'del(.sources[].sha256)' <<< "$json"
  else
    echo "plan failed"
    (cd "$1" && "$cartsync" check --format json 2>/dev/null || true) |
      jq -S '[.diagnostics[] | {code, severity, message}] | sort'
  fi
}
# toml_values DIR: every *.toml under DIR as Python's tomllib reads it (a
# second TOML parser, independent of the toml++ that fmt's own proof uses).
toml_values() {
  python3 - "$1" <<'PY'
import json, pathlib, sys, tomllib
def norm(v):
    if isinstance(v, dict): return {k: norm(x) for k, x in v.items()}
    if isinstance(v, list): return [norm(x) for x in v]
    if isinstance(v, float): return ["float", repr(v)]
    if isinstance(v, (bool, int, str)): return [type(v).__name__, v]
    return [type(v).__name__, v.isoformat()]
root = pathlib.Path(sys.argv[1])
out = {}
for p in sorted(root.rglob("*.toml")):
    try:
        out[str(p.relative_to(root))] = norm(tomllib.loads(p.read_bytes().decode("utf-8")))
    except Exception:
        out[str(p.relative_to(root))] = "does not load"
print(json.dumps(out, sort_keys=True))
PY
}

swept=0 planned=0 unparsed=0
# sweep NAME DIR: DIR is a project (copied); fmt must keep its meaning.
sweep() {
  local name="$1" dir="$2" before after frc=0 file values
  before=$(plan_or_check "$dir")
  values=$(toml_values "$dir")
  rm -rf "$tmp/orig" && cp -r "$dir" "$tmp/orig"
  (cd "$dir" && "$cartsync" fmt > /dev/null 2> "$tmp/fmt.err") || frc=$?
  after=$(plan_or_check "$dir")
  swept=$((swept + 1))
  [[ $before == "plan failed"* ]] || planned=$((planned + 1))
  if grep -q "internal error" "$tmp/fmt.err"; then
    bad "$name: fmt could not prove its rewrite: $(head -1 "$tmp/fmt.err")"
    return
  fi
  if [[ $frc -ne 0 ]]; then
    # Only a file that does not load may stop fmt; it must be left byte for byte.
    if ! grep -q "error\[E010[2-59]\]" "$tmp/fmt.err"; then
      bad "$name: fmt exited $frc: $(head -3 "$tmp/fmt.err")"
      return
    fi
    unparsed=$((unparsed + 1))
    for file in $(grep -o '^[^: ]*\.toml:[0-9]*:[0-9]*: error\[E010' "$tmp/fmt.err" | cut -d: -f1 | sort -u); do
      cmp -s "$dir/$file" "$tmp/orig/$file" || bad "$name: $file does not parse and was changed"
    done
  fi
  if [[ $values != "$(toml_values "$dir")" ]]; then
    bad "$name: tomllib reads other values after fmt"
    return
  fi
  if [[ $before != "$after" ]]; then
    bad "$name: the meaning changed"
    diff <(echo "$before") <(echo "$after") | head -20 >&2
    return
  fi
  if [[ $frc -eq 0 ]] && ! (cd "$dir" && "$cartsync" fmt --check > /dev/null 2>&1); then
    bad "$name: fmt is not idempotent"
  fi
}

fuzz_project='[wms.main]
system = "http"
url = "https://wms.example.com/api"
token = { secret = "env:WMS_TOKEN" }
warehouses = ["east", "west"]
carriers = ["UPS", "FEDEX", "USPS"]
[defaults]
order_load.reject_unmapped_ship_codes = true'

# The samples: the checkout's own project and each example project.
mkdir -p "$tmp/s/root" && cp -r "$root/cartsync.toml" "$root/carts.d" "$tmp/s/root/"
sweep "carts.d (sample project)" "$tmp/s/root"
for ex in "$root"/examples/*/; do
  [[ -f $ex/cartsync.toml ]] || continue
  n=$(basename "$ex")
  mkdir -p "$tmp/s/$n" && cp -r "$ex/cartsync.toml" "$ex/carts.d" "$tmp/s/$n/"
  sweep "examples/$n" "$tmp/s/$n"
done
# Every other *.toml under examples/: one cart each, beside the root project.
while IFS= read -r -d '' f; do
  case "$f" in */cartsync.toml | "$root"/examples/*/carts.d/*) continue ;; esac
  d="$tmp/s/x$swept" && mkdir -p "$d/carts.d" && cp "$root/cartsync.toml" "$d/"
  cp "$f" "$d/carts.d/cart.toml"
  sweep "${f#"$root"/}" "$d"
done < <(find "$root/examples" -name '*.toml' -print0 | sort -z)
# The tests' carts and the fuzz corpus: one cart each, with the fuzzer's project.
python3 "$root/tests/tools/extract_test_carts.py" "$root/tests" "$tmp/testcarts" 600 > /dev/null
for f in "$tmp"/testcarts/*.toml "$root"/tests/fuzz/corpus/*/*.toml; do
  [[ -f $f ]] || continue
  d="$tmp/t$swept" && mkdir -p "$d/carts.d"
  printf '%s\n' "$fuzz_project" > "$d/cartsync.toml"
  cp "$f" "$d/carts.d/cart.toml"
  sweep "${f#"$tmp"/}" "$d"
  rm -rf "$d"
done
expect "meaning preserved: $swept projects swept ($planned planned, $unparsed with a file that does not parse)" \
  test "$swept" -ge 20

check_summary fmt_check
