#!/usr/bin/env bash
# The include graph between the libraries, enforced (CI runs this first):
#
#   base     <- model <- compiler
#                     <- runtime (never compiler/)
#   tools/cartsync links all; tools/simulator links none of ours.
#
# A header of a lower layer must not include a higher one. Prints each
# offending include as FILE:LINE and exits 1; exits 0 when the layers hold.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# layer DIR -> the directories (top-level include prefixes) it may include.
declare -A allowed=(
  [base]="base"
  [model]="base model"
  [compiler]="base model compiler"
  [runtime]="base model runtime"
  [tools/simulator]="tools/simulator"
)
bad=0
for layer in base model compiler runtime tools/simulator; do
  [[ -d $layer ]] || continue
  while IFS=: read -r file line text; do
    inc=$(sed -E 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"([^"]+)".*/\1/' <<<"$text")
    ok=0
    for prefix in ${allowed[$layer]}; do
      [[ $inc == "$prefix"/* ]] && ok=1
    done
    # Includes of a file beside the includer (no directory) are local.
    [[ $inc != */* ]] && ok=1
    if [[ $ok -eq 0 ]]; then
      echo "$file:$line: $layer must not include \"$inc\" (allowed: ${allowed[$layer]})" >&2
      bad=1
    fi
  done < <(grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$layer" --include='*.h' --include='*.cc' || true)
done
if [[ $bad -ne 0 ]]; then
  echo "check_layers: the library layering is broken (see tools/check_layers.sh)" >&2
  exit 1
fi
echo "check_layers: base <- model <- {compiler, runtime}: ok"
