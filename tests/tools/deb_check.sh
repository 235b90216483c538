#!/usr/bin/env bash
# The Debian package (cmake/Packaging.cmake): `cpack -G DEB` on a built build
# directory writes cartsync_<version>_<arch>.deb, and the package is right:
#
#   1. the file name and Version: are the git version (v-tag, else the project
#      version + commit, + "+dirty" for uncommitted changes);
#   2. dpkg-deb -I: Package, Architecture, Maintainer, Section, Priority, a
#      synopsis and a long description, Depends from dpkg-shlibdeps (libc6,
#      libcurl4, libsqlite3-0, …) and tzdata;
#   3. dpkg-deb --contents: the binary, every manual page gzipped, the bash,
#      zsh (Debian's vendor-completions) and fish completions, the JSON
#      Schemas, copyright, changelog.gz, the lintian overrides — under /usr,
#      nothing else;
#   4. lintian --pedantic -I shows no tag (cmake/debian/lintian-overrides
#      explains each one it hides, and an override that no longer matches is
#      itself a tag);
#   5. unpacked (dpkg -x) into a temp root: cartsync --version names the
#      package's version and commit, the completions are the binary's own, the
#      manual pages render, changelog.gz and copyright read.
#
# Usage: tests/tools/deb_check.sh BUILD_DIR (configured and built).
# Needs dpkg-dev, file, lintian (installed with apt-get when missing).
set -euo pipefail
build="$(realpath "$1")"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/cartsync-deb.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
# ok, bad, expect, refuse, check_summary; `failures` counts.
source "$(dirname "${BASH_SOURCE[0]}")/check_lib.sh"

missing=()
for p in dpkg-dev file lintian; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [[ ${#missing[@]} -gt 0 ]]; then
  sudo=()
  [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null
fi

# Configure again (the version is read from git at configure time), bring the
# binary and the generated pages up to date, package into the temp dir.
cmake "$build" >/dev/null
cmake --build "$build" --target cartsync cartsync_man_and_completions cartsync_json_schemas >/dev/null
(cd "$tmp" && cpack -G DEB --config "$build/CPackConfig.cmake" -B "$tmp/out") > "$tmp/cpack.log" 2>&1 ||
  { cat "$tmp/cpack.log" >&2; exit 1; }

# 1. The version, as Packaging.cmake computes it, from git here.
project_version=$(sed -n 's/^project(cartsync VERSION \([0-9.]*\).*/\1/p' "$root/CMakeLists.txt")
if describe=$(git -C "$root" describe --tags --match 'v[0-9]*' --dirty=+dirty 2>/dev/null); then
  version=$(sed -E 's/^v([0-9]+\.[0-9]+\.[0-9]+)(-([0-9]+)-g([0-9a-f]+))?(\+dirty)?$/\1+\3.g\4\5/; s/\+\.g//' <<<"$describe")
else
  version="$project_version+git.$(git -C "$root" rev-parse --short=12 HEAD)"
  git -C "$root" diff --quiet HEAD -- || version+="+dirty"
fi
arch=$(dpkg --print-architecture)
deb="$tmp/out/cartsync_${version}_${arch}.deb"
expect "cpack -G DEB wrote cartsync_${version}_${arch}.deb" test -f "$deb"
if [[ ! -f $deb ]]; then
  ls "$tmp/out" >&2
  exit 1
fi

# 2. The control fields.
dpkg-deb -f "$deb" > "$tmp/control"
field() { sed -n "s/^$1: //p" "$tmp/control"; }
expect "Package: cartsync" test "$(field Package)" = cartsync
expect "Version: $version" test "$(field Version)" = "$version"
expect "Architecture: $arch" test "$(field Architecture)" = "$arch"
expect "Maintainer: a name and an address" grep -Eq '^Maintainer: .+ <[^ ]+@[^ ]+>$' "$tmp/control"
expect "Section: utils, Priority: optional" test "$(field Section)/$(field Priority)" = utils/optional
expect "a synopsis and a long description" \
  bash -c '[[ $(sed -n "s/^Description: //p" "$1") == *WMS* ]] && grep -q "^ cartsync connects" "$1"' _ "$tmp/control"
depends=$(field Depends)
for dep in libc6 libstdc++6 libcurl4 libsqlite3-0 libssl3 libtomlplusplus3 tzdata; do
  expect "Depends: $dep" bash -c '[[ ", $1," == *", $2 ("* || ", $1," == *", $2,"* ]]' _ "$depends" "$dep"
done

# 3. The files.
dpkg-deb --contents "$deb" | awk '{print $6}' | sed 's|^\./|/|' | grep -v '/$' | sort > "$tmp/files"
want=(/usr/bin/cartsync /usr/share/bash-completion/completions/cartsync
  /usr/share/zsh/vendor-completions/_cartsync /usr/share/fish/vendor_completions.d/cartsync.fish
  /usr/share/doc/cartsync/copyright /usr/share/doc/cartsync/changelog.gz
  /usr/share/lintian/overrides/cartsync
  /usr/share/cartsync/schema/cart.schema.json /usr/share/cartsync/schema/project.schema.json)
pages=$(d=$(mktemp -d) && "$build/tools/cartsync" man --directory "$d" && (cd "$d" && ls) && rm -rf "$d")
for page in $pages; do want+=("/usr/share/man/man1/$page.gz"); done
printf '%s\n' "${want[@]}" | sort > "$tmp/want"
if cmp -s "$tmp/files" "$tmp/want"; then
  ok "contents: the binary, $(wc -w <<<"$pages") gzipped manual pages, 3 completions, 2 JSON Schemas, copyright, changelog, overrides"
else
  diff "$tmp/want" "$tmp/files" >&2 || true
  bad "contents (< wanted, > packaged)"
fi
expect "files 0644/0755, owned by root" \
  bash -c '! dpkg-deb --contents "$1" | grep -Ev "^(-rw-r--r--|-rwxr-xr-x|drwxr-xr-x) root/root "' _ "$deb"

# 4. lintian: nothing but what the overrides explain.
lintian --pedantic -I --no-tag-display-limit "$deb" > "$tmp/lintian.out" 2>&1 || true
if grep -Eq '^[EWIPX]: ' "$tmp/lintian.out"; then
  cat "$tmp/lintian.out" >&2
  bad "lintian --pedantic -I reports tags"
else
  ok "lintian --pedantic -I: clean ($(grep -c '^cartsync:' "$root/cmake/debian/lintian-overrides") override(s), each explained)"
fi

# 5. Unpacked: it runs and its files are the binary's own.
dpkg -x "$deb" "$tmp/root"
bin="$tmp/root/usr/bin/cartsync"
commit=$(git -C "$root" rev-parse --short=12 HEAD)
expect "cartsync --version: ${version%%+*} (commit $commit…)" \
  bash -c '"$1" --version | grep -Eq "^cartsync $2 \(commit $3(-dirty)?\)$"' _ "$bin" "${version%%+*}" "$commit"
expect "the packaged binary is stripped" bash -c '! file "$1" | grep -q "not stripped"' _ "$bin"
expect "bash completion is cartsync completion bash" \
  cmp -s "$tmp/root/usr/share/bash-completion/completions/cartsync" <("$bin" completion bash)
expect "zsh completion is cartsync completion zsh" \
  cmp -s "$tmp/root/usr/share/zsh/vendor-completions/_cartsync" <("$bin" completion zsh)
expect "fish completion is cartsync completion fish" \
  cmp -s "$tmp/root/usr/share/fish/vendor_completions.d/cartsync.fish" <("$bin" completion fish)
expect "the installed JSON Schemas are the binary's" \
  bash -c 'cmp -s "$2/cart.schema.json" <("$1" schema --json-schema) &&
    cmp -s "$2/project.schema.json" <("$1" schema --json-schema --project)' _ "$bin" "$tmp/root/usr/share/cartsync/schema"
expect "cartsync.1.gz is cartsync man" cmp -s <(gzip -dc "$tmp/root/usr/share/man/man1/cartsync.1.gz") <("$bin" man)
if command -v man >/dev/null; then
  expect "man renders cartsync-check(1) from the package" \
    bash -c 'MANWIDTH=80 man -l "$1" 2>&1 | grep -q "^NAME"' _ "$tmp/root/usr/share/man/man1/cartsync-check.1.gz"
fi
expect "changelog.gz names the version" \
  bash -c 'gzip -dc "$1" | head -1 | grep -qF "cartsync ($2) "' _ "$tmp/root/usr/share/doc/cartsync/changelog.gz" "$version"
expect "copyright is machine-readable (DEP-5)" \
  grep -q '^Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/' \
  "$tmp/root/usr/share/doc/cartsync/copyright"

check_summary deb_check
