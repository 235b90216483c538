# Shared by tools/demo.sh and tools/test.sh: install what is missing,
# configure and build. Sourced, not run.
set -euo pipefail

CARTSYNC_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$CARTSYNC_ROOT/build}"
JOBS="${JOBS:-2}"
# ccache (when installed) shares objects between checkouts and build dirs:
# paths are rewritten relative to the checkout, the build dir is not hashed.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$CARTSYNC_ROOT}" CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"

# Debian packages the build and the tests need.
CARTSYNC_PACKAGES=(cmake ninja-build g++ pkg-config ccache clang libclang-rt-14-dev
  libtomlplusplus-dev libboost-dev libboost-filesystem-dev libcpp-httplib-dev libcurl4-openssl-dev rapidjson-dev libgtest-dev
  libsqlite3-dev libssl-dev libre2-dev tzdata nodejs npm python3)
# tools/lint.sh
CARTSYNC_PACKAGES+=(clang-format clang-tidy git)
CARTSYNC_PACKAGES+=(libpq-dev postgresql)
# The runner's carts run as fibers (runtime/runner.cc): Boost.Fiber and Boost.Context.
CARTSYNC_PACKAGES+=(libboost-fiber1.74-dev libboost-context1.74-dev)
# The CI template checks (tests/tools/ci_templates_check.sh): YAML, the GitLab note's jq;
# the completion and man page tests (help_render_test.cc, install_check.sh): the shells, groff, man.
CARTSYNC_PACKAGES+=(python3-yaml jq zsh fish groff-base man-db)
# The Debian package (tests/tools/deb_check.sh): cpack's dpkg-shlibdeps and file, lintian.
CARTSYNC_PACKAGES+=(dpkg-dev file lintian)
# The deploy examples' check (tests/tools/deploy_check.sh): systemd-analyze verify; objdump.
CARTSYNC_PACKAGES+=(systemd binutils)

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

install_packages() {
  local missing=()
  for p in "${CARTSYNC_PACKAGES[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  # node/npm may come from elsewhere than Debian; only install when absent.
  if command -v node >/dev/null && command -v npm >/dev/null; then
    local kept=()
    for p in "${missing[@]}"; do [[ $p == nodejs || $p == npm ]] || kept+=("$p"); done
    missing=("${kept[@]+"${kept[@]}"}")
  fi
  [[ ${#missing[@]} -eq 0 ]] && return 0
  log "installing: ${missing[*]}"
  local sudo=()
  [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}" ||
    { "${sudo[@]}" apt-get update && "${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}"; }
}

# The clang build with ASan+UBSan (tools/test.sh, tools/bench/fuzz): the
# libFuzzer targets and the test suite in one directory. CARTSYNC_FUZZ compiles
# everything with the sanitizers and libFuzzer's coverage instrumentation;
# -O1 with line tables only keeps reports symbolized at a fraction of -g's
# build time. Use: CC=clang CXX=clang++ configure_and_build DIR "${SANITIZED_CMAKE_ARGS[@]}"
SANITIZED_CMAKE_ARGS=(-DCMAKE_CXX_COMPILER=clang++ -DCARTSYNC_FUZZ=ON -DCARTSYNC_BUILD_TESTS=ON
  -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only -DNDEBUG")

configure_and_build() {
  local dir="$1"; shift
  log "configuring $dir"
  cmake -S "$CARTSYNC_ROOT" -B "$dir" -G Ninja "$@" >/dev/null
  log "building $dir (-j$JOBS)"
  cmake --build "$dir" -j "$JOBS"
}
