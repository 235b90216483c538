// Defaults more than one layer needs to agree on.
#pragma once

namespace cartsync {

/// Where a project keeps its state when cartsync.toml has no [state].url:
/// a SQLite file under the project root. ProjectConfig, `cartsync run` and
/// `cartsync state` all fall back to it.
inline constexpr char kDefaultStateUrl[] = "sqlite:.cartsync/state.db";

}  // namespace cartsync
