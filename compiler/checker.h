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
};

/// Checks one parsed cart file. Returns false when errors were reported.
bool CheckCart(const toml::table& doc, std::string_view file, const CartCheckContext& ctx,
               CartConfig& out, DiagnosticEngine& diags);

/// "15m", "1h30m", "2d" — for messages and previews.
std::string FormatDuration(int64_t seconds);

}  // namespace cartsync
