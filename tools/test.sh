#!/usr/bin/env bash
# Builds everything and runs every test (what CI runs: .ci/run). Installs
# missing Debian packages. Steps, each timed (a table of times at the end):
#
#   0. lint (tools/lint.sh): the library layering, clang-format on every
#      C++ file, clang-tidy on the files changed since the parent commit;
#   1. build ($BUILD_DIR, default build/, warnings as errors), the
#      GoogleTest suite, the generated docs up to date, the JSON
#      Schema export against ajv, the BigCommerce connector against Prism;
#   2. the reliability harnesses (tests/reliability/, docs/reliability.md) on
#      that build's binaries: 30 crash kill points, the fault matrix, two
#      overlapping runs, secret hygiene;
#   3. one clang build with ASan+UBSan ($FUZZ_DIR, default build-fuzz/) of
#      the libFuzzer targets and the whole test suite: each fuzz target briefly
#      (loader+checker, X3 grammars, JSON parsers), then the suite under the
#      sanitizers, halting on the first report.
#
# Environment: BUILD_DIR, FUZZ_DIR, JOBS (default 2), FUZZ_SECONDS (the
# loader+checker, default 30), FUZZ_SHORT_SECONDS (the other two, default 20),
# CRASH_POINTS (default 30). Long fuzz runs: tools/bench/fuzz; long crash
# runs: tools/bench/crash.
source "$(dirname "${BASH_SOURCE[0]}")/scripts/common.sh"
cd "$CARTSYNC_ROOT"
FUZZ_DIR="${FUZZ_DIR:-$CARTSYNC_ROOT/build-fuzz}"
# npm tools (ajv, Prism) beside the build they test.
export AJV_PREFIX="${AJV_PREFIX:-$BUILD_DIR/node}" PRISM_PREFIX="${PRISM_PREFIX:-$BUILD_DIR/node}"

# step NAME COMMAND…: run and time one step; the times are printed at the end,
# also when a step fails.
STEP_TIMES=()
T_ALL=$SECONDS
step() {
  local name="$1" t=$SECONDS rc=0
  shift
  log "$name"
  # In a subshell with errexit on (a function step stops at its first failure).
  set +e
  (set -e; "$@")
  rc=$?
  set -e
  STEP_TIMES+=("$(printf '%6ds  %s%s' $((SECONDS - t)) "$name" "$([[ $rc -eq 0 ]] || echo "  (FAILED, exit $rc)")")")
  return $rc
}
print_times() {
  local rc=$? line
  printf '\nstep times:\n' >&2
  for line in "${STEP_TIMES[@]+"${STEP_TIMES[@]}"}"; do printf '%s\n' "$line" >&2; done
  printf '%6ds  total\n' $((SECONDS - T_ALL)) >&2
  return $rc
}
trap print_times EXIT

# The plan and report pages in a real browser (tests/tools/browser_check.sh).
CARTSYNC_PACKAGES+=(chromium graphviz)
step "installing missing packages" install_packages
step "lint: layering, clang-format, clang-tidy on changed files" bash tools/lint.sh
step "the layering check refuses a runtime -> compiler include" bash tests/tools/check_layers_test.sh
step "docs generated from the descriptors are up to date" bash tests/docs/gen_docs_check.sh
step "building $BUILD_DIR" configure_and_build "$BUILD_DIR" -DCARTSYNC_BUILD_TESTS=ON -DCARTSYNC_WERROR=ON

step "unit and integration tests" ctest --test-dir "$BUILD_DIR" --output-on-failure
# The PostgreSQL state store (contract + its own tests) against a real
# PostgreSQL 15 server started for this step, and stopped (its temp dir
# removed) however the tests end.
# (step runs it in a subshell: the EXIT trap fires when the step ends.)
pg_state_tests() {
  local url rc=0
  pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/cartsync-pg.XXXXXX")
  trap 'bash tests/state/postgres_server.sh stop "$pg_dir" || true' EXIT
  url=$(bash tests/state/postgres_server.sh start "$pg_dir")
  PGPASSFILE="$pg_dir/pgpass" CARTSYNC_TEST_PG_URL="$url" timeout 900 \
    "$BUILD_DIR/tests/cartsync_tests" --gtest_filter='Postgres*:*StateStoreContract*' || rc=$?
  return $rc
}
step "PostgreSQL state store against a PostgreSQL 15 server (tests/state/postgres_server.sh)" pg_state_tests
step "JSON Schema export accepted by ajv, sample carts valid against it" \
  bash tests/compiler/json_schema_check.sh "$BUILD_DIR/tools/cartsync"
step "CI templates (examples/ci, .pre-commit-hooks.yaml): published schemas, their commands on carts.d" \
  bash tests/tools/ci_templates_check.sh "$BUILD_DIR/tools/cartsync"
step "fmt: exit codes, --diff, stdin, meaning kept over samples, test carts and fuzz corpus" \
  bash tests/tools/fmt_check.sh "$BUILD_DIR/tools/cartsync"
step "plan --diff-git REF in a temporary git repository (markdown parts, errors)" \
  bash tests/tools/plan_diff_git_test.sh "$BUILD_DIR/tools/cartsync"
step "cmake --install lays out the binary, man pages and shell completions" \
  bash tests/tools/install_check.sh "$BUILD_DIR"
step "project layout: FIFOs and links out of the project refused, never opened (timeout 10)" \
  bash tests/tools/project_layout_check.sh "$BUILD_DIR/tools/cartsync"
step "cpack -G DEB: the Debian package's version, fields, files, lintian, and it runs unpacked" \
  bash tests/tools/deb_check.sh "$BUILD_DIR"
step "editors: schema/json fresh, taplo with .taplo.toml: samples valid, one mistake -> one error" \
  bash tests/tools/editors_check.sh "$BUILD_DIR/tools/cartsync"
step "README examples are a golden test (tests/tools/readme_check.sh)" \
  bash tests/tools/readme_check.sh "$BUILD_DIR/tools/cartsync"
step "plan --format html/dot and run --report-html, loaded in headless chromium" \
  bash tests/tools/browser_check.sh "$BUILD_DIR"
step "deploy examples: Kubernetes manifests (schemas), systemd units (verify), Dockerfile steps" \
  bash tests/tools/deploy_check.sh "$BUILD_DIR"
step "BigCommerce connector against Prism serving BigCommerce's OpenAPI files" \
  bash tests/conformance/prism_check.sh "$BUILD_DIR/tests/cartsync_tests"
step "Magento connector against Prism serving Adobe's Commerce admin REST schema 2.4.9" \
  bash tests/conformance/magento_prism_check.sh "$BUILD_DIR/tests/cartsync_tests"
step "Walmart connector against Prism serving Walmart's auth, orders, inventory and feeds files" \
  bash tests/conformance/walmart_prism_check.sh "$BUILD_DIR/tests/cartsync_tests"
step "Amazon SP-API connector against Prism serving Amazon's Orders, Listings and Feeds models" \
  bash tests/conformance/amazon_prism_check.sh "$BUILD_DIR/tests/cartsync_tests"
step "eBay connector against Prism serving eBay's Sell Fulfillment and Inventory OpenAPI files" \
  bash tests/conformance/ebay_prism_check.sh "$BUILD_DIR/tests/cartsync_tests"
step "Shopify GraphQL documents, connector and simulator against Shopify's 2026-10 schema" bash tests/conformance/shopify_graphql_check.sh "$BUILD_DIR/tests/cartsync_tests" "$BUILD_DIR/tools/simulator/cartsync-sim"

# The reliability harnesses, on the binaries just built.
export CARTSYNC_BIN="$BUILD_DIR/tools/cartsync" CARTSYNC_SIM="$BUILD_DIR/tools/simulator/cartsync-sim"
export BUILD_DIR
step "reliability: crash injection, ${CRASH_POINTS:-30} kill points" \
  tests/reliability/crash_test.sh "${CRASH_POINTS:-30}"
step "reliability: fault matrix" tests/reliability/fault_matrix.sh
step "reliability: overlapping runs" tests/reliability/overlap_test.sh
step "reliability: 4 runners on one PostgreSQL, kill -9s" tests/reliability/multi_runner_test.sh 2
step "reliability: no secret in any output" tests/reliability/secrets_test.sh

# One clang build serves the fuzz targets and the sanitized suite
# (SANITIZED_CMAKE_ARGS in tools/scripts/common.sh).
build_sanitized() { CC=clang CXX=clang++ configure_and_build "$FUZZ_DIR" "${SANITIZED_CMAKE_ARGS[@]}"; }
step "building $FUZZ_DIR (clang, ASan+UBSan: libFuzzer targets and the test suite)" build_sanitized

# Every sanitizer report is fatal; RapidJSON 1.1.0's one known UBSan report in
# its own headers is suppressed (tests/fuzz/ubsan.supp).
export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$CARTSYNC_ROOT/tests/fuzz/ubsan.supp"
# fuzz TARGET SECONDS [OPTIONS…] [-- SEED_DIR…]: a short libFuzzer run. New
# inputs go to the first corpus directory, $FUZZ_DIR/corpus/TARGET (never a
# seed directory of the repository).
fuzz() {
  local target="$1" seconds="$2" corpus="$FUZZ_DIR/corpus/$1" options=() seeds=()
  shift 2
  while [[ $# -gt 0 && $1 != -- ]]; do options+=("$1"); shift; done
  [[ $# -gt 0 ]] && shift
  seeds=("$@")
  mkdir -p "$corpus"
  "$FUZZ_DIR/tests/fuzz/$target" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=25 "${options[@]}" \
    -artifact_prefix="$FUZZ_DIR/$target-" -print_final_stats=1 \
    "$corpus" "tests/fuzz/corpus/$target" "${seeds[@]+"${seeds[@]}"}" 2>&1 | tail -n 12
}
step "fuzzing the loader+checker (${FUZZ_SECONDS:-30} s)" \
  fuzz compile_fuzzer "${FUZZ_SECONDS:-30}" -max_len=65536 -- carts.d examples/bad-config/carts.d
step "fuzzing the X3 grammars (${FUZZ_SHORT_SECONDS:-20} s)" \
  fuzz grammar_fuzzer "${FUZZ_SHORT_SECONDS:-20}" -max_len=256
step "fuzzing the connectors' JSON parsers (${FUZZ_SHORT_SECONDS:-20} s)" \
  fuzz json_fuzzer "${FUZZ_SHORT_SECONDS:-20}" -max_len=65536 -dict=tests/fuzz/json_fuzzer.dict

step "the test suite under ASan+UBSan (halt on error)" \
  ctest --test-dir "$FUZZ_DIR" --output-on-failure

log "all tests passed"
