#!/usr/bin/env bash
# docs/cart-format.md's generated sections match schema/ (and the check can
# fail). Usage: tests/docs/gen_docs_check.sh   (exit 0 = all good)
#
#   1. `gen_docs.py --check` on the real tree exits 0;
#   2. on a copy of schema/ with one help text changed (holding a `|`),
#      `--check --schema COPY` exits 1 and says the document is out of date;
#   3. regenerating a copy of the document from that schema puts the new text
#      in (the `|` escaped for the table), and `--check` then exits 0;
#   4. a malformed descriptor and a document without markers exit 2;
#   5. running the generator twice gives the same bytes.
# Nothing in the repository is modified: every write goes to a temp dir.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
gen=(python3 "$root/tools/docs/gen_docs.py")
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
fail() { echo "gen_docs_check: FAIL: $*" >&2; exit 1; }

# expect CODE OUT_FILE COMMAND...: run, capture stdout+stderr, compare the exit code.
expect() {
  local want="$1" out="$2" rc=0
  shift 2
  "$@" >"$out" 2>&1 || rc=$?
  [[ $rc -eq $want ]] || { cat "$out" >&2; fail "expected exit $want, got $rc: $*"; }
}

# 1. The real tree is up to date.
expect 0 "$tmp/real.out" "${gen[@]}" --check

# 2. A changed help text makes the check fail.
cp -r "$root/schema" "$tmp/schema"
python3 - "$tmp/schema/platforms/bigcommerce.toml" <<'PY'
import re, sys
path = sys.argv[1]
text = open(path, encoding="utf-8").read()
new, n = re.subn(r'^help = "', 'help = "GEN-DOCS-CHECK a|b ', text, count=1, flags=re.M)
assert n == 1, "no help line to change in " + path
open(path, "w", encoding="utf-8").write(new)
PY
expect 1 "$tmp/stale.out" "${gen[@]}" --check --schema "$tmp/schema"
grep -q "docs/cart-format.md is out of date with .*: run python3 tools/docs/gen_docs.py" "$tmp/stale.out" ||
  { cat "$tmp/stale.out" >&2; fail "--check did not say the document is out of date"; }

# 3. Regenerating a copy brings it up to date, with the pipe escaped.
cp "$root/docs/cart-format.md" "$tmp/cart-format.md"
expect 0 "$tmp/regen.out" "${gen[@]}" --schema "$tmp/schema" --doc "$tmp/cart-format.md"
grep -qF 'GEN-DOCS-CHECK a\|b ' "$tmp/cart-format.md" || fail "the changed help text (pipe escaped) is not in the regenerated document"
expect 0 "$tmp/fresh.out" "${gen[@]}" --check --schema "$tmp/schema" --doc "$tmp/cart-format.md"
# Only the generated sections changed.
if diff "$root/docs/cart-format.md" "$tmp/cart-format.md" | grep '^[<>]' | grep -v 'GEN-DOCS-CHECK' >/dev/null; then
  diff "$root/docs/cart-format.md" "$tmp/cart-format.md" >&2 || true
  fail "regenerating changed more than the one help text"
fi

# 4. Malformed input is exit 2, not a traceback and not a silent pass.
cp -r "$root/schema" "$tmp/bad-schema"
printf 'id = "broken"\nname = "Broken"\ninventory_quantity = "available"\n[api.x]\ntype = "strng"\n' \
  >"$tmp/bad-schema/platforms/broken.toml"
expect 2 "$tmp/bad.out" "${gen[@]}" --check --schema "$tmp/bad-schema"
grep -q 'unknown field type "strng"' "$tmp/bad.out" || { cat "$tmp/bad.out" >&2; fail "no clear message for a bad descriptor"; }
printf '# no markers\n' >"$tmp/nomarkers.md"
expect 2 "$tmp/nomarkers.out" "${gen[@]}" --check --doc "$tmp/nomarkers.md"

# 5. Deterministic.
cp "$root/docs/cart-format.md" "$tmp/again.md"
expect 0 "$tmp/again1.out" "${gen[@]}" --schema "$tmp/schema" --doc "$tmp/again.md"
cmp -s "$tmp/again.md" "$tmp/cart-format.md" || fail "two runs on the same input gave different output"

echo "gen_docs_check: ok"
