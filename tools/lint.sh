#!/usr/bin/env bash
# The habits CI enforces, first and fast (before any build):
#   1. the library layering (tools/check_layers.sh);
#   2. clang-format: every tracked C++ file is formatted (.clang-format);
#   3. clang-tidy (.clang-tidy) on the C++ files changed since LINT_BASE
#      (default: the parent commit; `LINT_BASE=origin/main` in a PR job).
#      It needs compile_commands.json: BUILD_DIR (default build/) is
#      configured when it has none.
#
# `tools/lint.sh --fix` rewrites the files with clang-format instead of
# checking them. Exit 1 on any finding, naming the file.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/scripts/common.sh"
cd "$CARTSYNC_ROOT"

fix=0
[[ ${1:-} == --fix ]] && fix=1

bash tools/check_layers.sh

mapfile -t files < <(git ls-files '*.cc' '*.h' | grep -v '^tests/fuzz/corpus/')
if [[ $fix -eq 1 ]]; then
  clang-format -i "${files[@]}"
  log "formatted ${#files[@]} files"
  exit 0
fi
if ! clang-format --dry-run --Werror "${files[@]}" 2>/tmp/cartsync-format.$$; then
  grep -E '^[^ ].*: error' /tmp/cartsync-format.$$ | cut -d: -f1 | sort -u | sed 's/^/not formatted: /' >&2
  rm -f /tmp/cartsync-format.$$
  echo "lint: run tools/lint.sh --fix (clang-format) and commit" >&2
  exit 1
fi
rm -f /tmp/cartsync-format.$$
log "clang-format: ${#files[@]} files formatted"

base="${LINT_BASE:-HEAD~1}"
if ! git rev-parse -q --verify "$base^{commit}" >/dev/null; then
  log "clang-tidy: no commit $base to compare with; skipped"
  exit 0
fi
mapfile -t changed < <(git diff --name-only --diff-filter=d "$base" -- '*.cc' | grep -v '^tests/fuzz/' || true)
if [[ ${#changed[@]} -eq 0 ]]; then
  log "clang-tidy: no C++ source changed since $base"
  exit 0
fi
if [[ ! -f $BUILD_DIR/compile_commands.json ]]; then
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCARTSYNC_BUILD_TESTS=ON >/dev/null
fi
# Only files the build knows (a deleted or renamed file is not in the database).
tidy=()
for f in "${changed[@]}"; do
  grep -q "\"file\": \"$CARTSYNC_ROOT/$f\"" "$BUILD_DIR/compile_commands.json" && tidy+=("$f")
done
log "clang-tidy on ${#tidy[@]} changed file(s) since $base"
[[ ${#tidy[@]} -eq 0 ]] || clang-tidy -p "$BUILD_DIR" --quiet "${tidy[@]}"
