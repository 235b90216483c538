#!/usr/bin/env bash
# The README's examples are a golden test: every ```console block right after
# a `<!-- golden -->` line is run and its output compared, so a README that
# shows stale output fails CI.
#
# In such a block, a line starting with "$ " is a command (run by bash from the
# repository root, with the binary's directory first on PATH, stdout and
# stderr together, `$?` carried from one command to the next so `$ echo $?`
# shows an exit code); the lines after it, up to the next command, are its
# expected output. A line holding only "…" stands for any number of lines
# (abridged output). Also checked: the README links to files in the
# repository (no ../ out of it) that exist.
#
# Usage: tests/tools/readme_check.sh PATH/TO/cartsync [README.md]
# Exit 0 when every block matches, 1 with a diff per stale block. Checking the
# repository's README, it also proves it can fail: a copy with one output line
# changed and a link out of the repository must be refused, naming both.
set -euo pipefail
bin="$(realpath "$1")"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
readme="$(realpath "${2:-$root/README.md}")"
export PATH="$(dirname "$bin"):$PATH"
cd "$root"
# check README BASE_DIR: the golden blocks of README and its links (relative to BASE_DIR).
check() {
python3 - "$1" "$2" "$root" <<'PY'
import difflib, os, re, subprocess, sys

readme, base, root = sys.argv[1:4]
lines = open(readme, encoding="utf-8").read().split("\n")
failures = 0
blocks = 0

def run(commands):
    """Runs the commands in one bash; returns the transcript "$ cmd\\noutput..."."""
    script = ["__rc=0"]
    for c in commands:
        script.append("printf '%s\\n' " + shlex_quote("$ " + c))
        script.append("(exit $__rc); " + c + "\n__rc=$?")
    proc = subprocess.run(["bash", "-c", "\n".join(script) + "\nexit 0"], cwd=root,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120,
                          env=dict(os.environ, COLUMNS="100", NO_COLOR="1"))
    return proc.stdout.decode("utf-8", "replace")

def shlex_quote(s):
    return "'" + s.replace("'", "'\\''") + "'"

def matches(expected, actual):
    """expected: lines, "…" alone = any lines; actual: text."""
    parts = []
    for line in expected:
        parts.append("(?:.*\\n)*?" if line == "…" else re.escape(line) + "\\n")
    return re.fullmatch("".join(parts), actual) is not None

i = 0
while i < len(lines):
    if lines[i].strip() != "<!-- golden -->":
        i += 1
        continue
    start = i + 1
    j = i + 1
    while j < len(lines) and not lines[j].strip():
        j += 1
    if j >= len(lines) or lines[j].strip() != "```console":
        print(f"FAIL README.md:{i + 1}: <!-- golden --> is not followed by a ```console block")
        failures += 1
        i = j
        continue
    k = j + 1
    while k < len(lines) and lines[k].strip() != "```":
        k += 1
    body = lines[j + 1:k]
    i = k + 1
    blocks += 1
    commands = [l[2:] for l in body if l.startswith("$ ")]
    if not commands:
        print(f"FAIL README.md:{j + 1}: a golden block without a '$ ' command")
        failures += 1
        continue
    actual = run(commands)
    if matches(body, actual):
        print(f"ok   README.md:{j + 1}: {' ; '.join(commands)}")
        continue
    failures += 1
    print(f"FAIL README.md:{j + 1}: {' ; '.join(commands)}: the output differs (- README, + now)")
    for d in difflib.unified_diff(body, actual.rstrip("\n").split("\n"), "README.md", "now",
                                  lineterm="", n=2):
        print("  " + d)

# Links: relative targets stay inside the repository and exist.
text = "\n".join(lines)
for m in re.finditer(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
    target = m.group(1)
    if re.match(r"^[a-z]+:", target):
        continue
    line = text.count("\n", 0, m.start()) + 1
    path = os.path.normpath(os.path.join(base, target))
    if not path.startswith(root + os.sep):
        print(f"FAIL README.md:{line}: link {target} leaves the repository")
        failures += 1
    elif not os.path.exists(path):
        print(f"FAIL README.md:{line}: link {target}: no such file")
        failures += 1

if blocks == 0:
    print("FAIL no <!-- golden --> block in README.md")
    failures += 1
if failures:
    print(f"readme_check: {failures} failure(s); update the README (the output above is what the "
          f"commands print now)", file=sys.stderr)
    sys.exit(1)
print(f"readme_check: {blocks} golden block(s) match, links ok")
PY
}

check "$readme" "$(dirname "$readme")"
if [[ $# -lt 2 ]]; then
  tmp="$(mktemp -d "${TMPDIR:-/tmp}/cartsync-readme.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  sed -e '0,/^checked [0-9]* files, [0-9]* carts: ok$/s//checked 1 file, 0 carts: ok/' \
    -e '0,/^## A project$/s//## A project\n\nSee [the spec](..\/shared\/spec\/cli.md)./' "$readme" > "$tmp/README.md"
  if check "$tmp/README.md" "$root" > "$tmp/out" 2>&1; then
    cat "$tmp/out" >&2
    echo "readme_check: a stale copy of the README passed" >&2
    exit 1
  fi
  grep -q '^  -checked 1 file, 0 carts: ok$' "$tmp/out" && grep -q 'link ../shared/spec/cli.md leaves the repository' "$tmp/out" ||
    { cat "$tmp/out" >&2; echo "readme_check: the stale copy's failure does not name the stale line and the link" >&2; exit 1; }
  echo "readme_check: a stale copy is refused (the changed line and the outside link named)"
fi
