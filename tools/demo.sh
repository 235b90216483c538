#!/usr/bin/env bash
# The main job: build cartsync, check and plan the sample carts in carts.d,
# and show the plan preview. Installs missing Debian packages itself.
source "$(dirname "${BASH_SOURCE[0]}")/scripts/common.sh"
install_packages
configure_and_build "$BUILD_DIR" -DCARTSYNC_BUILD_TESTS=OFF
cartsync="$BUILD_DIR/tools/cartsync"
cd "$CARTSYNC_ROOT"

log "cartsync check (carts.d, project cartsync.toml)"
"$cartsync" check

log "cartsync plan -o $BUILD_DIR/plan.json"
"$cartsync" plan -o "$BUILD_DIR/plan.json"

log "plan preview"
"$cartsync" plan --format text

log "a config with mistakes: cartsync check examples/bad-config (exit 1 expected)"
"$cartsync" check examples/bad-config || echo "(exit code $?: errors found, as expected)"
