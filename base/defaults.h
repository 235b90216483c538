// Defaults more than one layer needs to agree on.
#pragma once

namespace cartsync {

/// Where a project keeps its state when cartsync.toml has no [state].url:
/// a SQLite file under the project root. ProjectConfig, `cartsync run` and
/// `cartsync state` all fall back to it.
inline constexpr char kDefaultStateUrl[] = "sqlite:.cartsync/state.db";

/// How long the state store keeps an order's personal data (names,
/// addresses, phones, e-mails) when cartsync.toml has no [state].retain_pii:
/// 60 days, as the seed product. The runner and `cartsync state purge` use it.
inline constexpr long long kDefaultRetainPiiSeconds = 60LL * 24 * 3600;

}  // namespace cartsync
