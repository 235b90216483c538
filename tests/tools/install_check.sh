#!/usr/bin/env bash
# `cmake --install BUILD --prefix TMP` lays out the binary, the manual pages
# and the shell completions where man, bash-completion, zsh and fish look, and
# what it installs works: the binary runs, each page renders with man, the
# bash completion is sourced and completes, the zsh and fish files are the
# binary's own `cartsync completion` output.
#
# Usage: install_check.sh BUILD_DIR (built, with its cartsync target)
set -euo pipefail
build="$(realpath "$1")"
prefix="$(mktemp -d "${TMPDIR:-/tmp}/cartsync-install.XXXXXX")"
trap 'rm -rf "$prefix"' EXIT
# ok, bad, expect, refuse, check_summary; `failures` counts.
source "$(dirname "${BASH_SOURCE[0]}")/check_lib.sh"

cmake --install "$build" --prefix "$prefix" > "$prefix.log" 2>&1 || { cat "$prefix.log" >&2; rm -f "$prefix.log"; exit 1; }
rm -f "$prefix.log"
bin="$prefix/bin/cartsync"
expect "bin/cartsync installed and runs" "$bin" --version
# The man pages: cartsync(1) and one per command that has one (`cartsync man` knows which).
man1="$prefix/share/man/man1"
expect "share/man/man1/cartsync.1" test -f "$man1/cartsync.1"
want=$(cd "$man1" && ls)
got=$(d=$(mktemp -d) && "$bin" man --directory "$d" && (cd "$d" && ls) && rm -rf "$d")
expect "one page per command, as cartsync man --directory writes them" test "$want" = "$got"
for page in "$man1"/*.1; do
  name=$(basename "$page" .1)
  expect "$name(1) is the binary's own" \
    cmp -s "$page" <("$bin" man "${name#cartsync-}" 2>/dev/null || "$bin" man)
  if command -v man >/dev/null; then
    expect "man renders $name(1)" bash -c 'MANPATH="$1/share/man" MANWIDTH=80 man "$2" 2>&1 | grep -q "^NAME"' \
      _ "$prefix" "$name"
  fi
done
expect "cartsync(1) is cartsync man" cmp -s "$man1/cartsync.1" <("$bin" man)
# The completions, where each shell's vendor directory is.
bash_c="$prefix/share/bash-completion/completions/cartsync"
zsh_c="$prefix/share/zsh/site-functions/_cartsync"
fish_c="$prefix/share/fish/vendor_completions.d/cartsync.fish"
expect "bash completion installed" cmp -s "$bash_c" <("$bin" completion bash)
expect "zsh completion installed" cmp -s "$zsh_c" <("$bin" completion zsh)
expect "fish completion installed" cmp -s "$fish_c" <("$bin" completion fish)
expect "bash sources the installed completion and completes cartsync ch -> check" \
  bash --noprofile --norc -c 'source "$1" && COMP_WORDS=(cartsync ch) && COMP_CWORD=1 && _cartsync &&
    [[ "${COMPREPLY[*]}" == check ]]' _ "$bash_c"
expect "... and check --format gi -> github gitlab" \
  bash --noprofile --norc -c 'source "$1" && COMP_WORDS=(cartsync check --format gi) && COMP_CWORD=3 &&
    _cartsync && [[ "${COMPREPLY[*]}" == "github gitlab" ]]' _ "$bash_c"

expect "... and schema --pro -> --project (a flag of the schema command)" \
  bash --noprofile --norc -c 'source "$1" && COMP_WORDS=(cartsync schema --pro) && COMP_CWORD=2 &&
    _cartsync && [[ "${COMPREPLY[*]}" == --project ]]' _ "$bash_c"
# The JSON Schemas for editors (cmake/Packaging.cmake), as the binary prints them.
schemas="$prefix/share/cartsync/schema"
expect "share/cartsync/schema/cart.schema.json is cartsync schema --json-schema" \
  cmp -s "$schemas/cart.schema.json" <("$bin" schema --json-schema)
expect "share/cartsync/schema/project.schema.json is ... --json-schema --project" \
  cmp -s "$schemas/project.schema.json" <("$bin" schema --json-schema --project)

# --version names the commit the build was configured from; a tree git does
# not know (here: GIT_DIR pointing nowhere) says "unknown" (configure only).
commit=$(git -C "$(dirname "$0")/../.." rev-parse --short=12 HEAD)
expect "cartsync --version names the build's commit" \
  bash -c '"$1" --version | grep -Eq "^cartsync [0-9]+\.[0-9]+\.[0-9]+ \(commit $2(-dirty)?\)$"' _ "$bin" "$commit"
GIT_DIR=/nonexistent GIT_CEILING_DIRECTORIES=/ cmake -S "$(dirname "$0")/../.." -B "$prefix/configure-only" \
  -G Ninja > /dev/null 2>&1
expect "outside git the commit is \"unknown\"" \
  grep -q 'kCartsyncCommit\[\] = "unknown"' "$prefix/configure-only/generated/base/build_info.h"

check_summary install_check
