// Semantic checks of parsed TOML against the schema: every rule of
// cart-format.md, each reported with a catalogue code and a source region.
// Output is typed configuration (config.h); nothing downstream sees TOML.
#pragma once

#include <toml++/toml.h>

#include <string_view>

#include "compiler/diagnostic.h"
#include "compiler/schema.h"
#include "model/config.h"

namespace cartsync {

/// Checks a parsed cartsync.toml. `file` is its display path.
/// Fills `out` with what is valid; returns false when errors were reported.
bool CheckProject(const toml::table& doc, std::string_view file, const Schema& schema,
                  ProjectConfig& out, DiagnosticEngine& diags);

/// Moves every key of `defaults` that `cart` lacks into `cart`, recursing
/// into tables. Moved nodes keep their source (the project file), so
/// diagnostics about them point there.
void MergeDefaults(toml::table& cart, toml::table&& defaults);

struct CartCheckContext {
  const Schema& schema;
  const ProjectConfig& project;
  Date today;  ///< injected so date rules are testable
  /// False when the project declares no WMS connection (no cartsync.toml, or
  /// one that does not parse): [cart].wms and every rule against a WMS are
  /// skipped here; the compiler says so once per project (W0704).
  bool wms_checks = true;
  std::string_view project_file = "cartsync.toml";  ///< named in messages
};

/// Checks one parsed cart file. Returns false when errors were reported.
bool CheckCart(const toml::table& doc, std::string_view file, const CartCheckContext& ctx,
               CartConfig& out, DiagnosticEngine& diags);

/// "15m", "25h", "2d": one number and the largest unit that divides it, as
/// the schedule grammar accepts it — for messages and previews.
std::string FormatDuration(int64_t seconds);

}  // namespace cartsync
