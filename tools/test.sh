#!/usr/bin/env bash
# Builds everything and runs every test: the GoogleTest suite, a validation
# of the exported JSON Schema with a real validator (ajv), and a short
# libFuzzer run of the loader+checker. Installs missing Debian packages.
source "$(dirname "${BASH_SOURCE[0]}")/scripts/common.sh"
install_packages
configure_and_build "$BUILD_DIR" -DCARTSYNC_BUILD_TESTS=ON
cd "$CARTSYNC_ROOT"

log "unit and integration tests"
ctest --test-dir "$BUILD_DIR" --output-on-failure

log "JSON Schema export accepted by ajv, sample carts valid against it"
bash tests/compiler/json_schema_check.sh "$BUILD_DIR/tools/cartsync"

log "BigCommerce connector against Prism serving BigCommerce's OpenAPI files"
bash tests/conformance/prism_check.sh "$BUILD_DIR/tests/cartsync_tests"

log "fuzzing the loader+checker briefly (clang, libFuzzer + ASan/UBSan)"
FUZZ_DIR="${FUZZ_DIR:-$CARTSYNC_ROOT/build-fuzz}"
CC=clang CXX=clang++ configure_and_build "$FUZZ_DIR" -DCMAKE_CXX_COMPILER=clang++ \
  -DCARTSYNC_FUZZ=ON -DCARTSYNC_BUILD_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo
mkdir -p "$FUZZ_DIR/corpus"
"$FUZZ_DIR/tests/fuzz/compile_fuzzer" -max_total_time="${FUZZ_SECONDS:-30}" -rss_limit_mb=2048 \
  -max_len=65536 "$FUZZ_DIR/corpus" tests/fuzz/corpus carts.d examples/bad-config/carts.d \
  -artifact_prefix="$FUZZ_DIR/" -print_final_stats=1 2>&1 | tail -n 12

log "all tests passed"
