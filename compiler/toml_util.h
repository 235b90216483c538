// Small bridges from toml++ nodes to diagnostics: regions and type names.
#pragma once

#include <toml++/toml.h>

#include <string>
#include <string_view>

#include "compiler/diagnostic.h"
#include "compiler/source_file.h"

namespace cartsync {

/// The region of a node (or key); `fallback_file` when toml++ has no path.
SourceRegion RegionOf(const toml::source_region& r, std::string_view fallback_file = {});
inline SourceRegion RegionOf(const toml::node& n, std::string_view fallback_file = {}) {
  return RegionOf(n.source(), fallback_file);
}
inline SourceRegion RegionOf(const toml::key& k, std::string_view fallback_file = {}) {
  return RegionOf(k.source(), fallback_file);
}

/// A region inside a basic or literal single-line string value: `offset` and
/// `length` are byte positions in the string's content. Falls back to the
/// whole value when the string has escapes or spans lines. A place at the
/// end of the content (something missing there) is the whole content.
SourceRegion RegionInString(const toml::node& string_node, size_t offset, size_t length,
                            std::string_view fallback_file = {});

/// "a string", "an integer", "a table", … for messages.
std::string_view TypeNameOf(const toml::node& n);

/// Rejects lines whose dotted keys would nest so deep that the parser's
/// recursion could overflow the stack (toml++ limits brackets, not dots).
bool CheckNestingDepth(const SourceFile& file, DiagnosticEngine& diags);
inline constexpr int kMaxKeyDepthPerLine = 64;

/// Parses a validated source file; reports a syntax error as E0105.
/// Returns false (and leaves `out` empty) on failure.
bool ParseToml(const SourceFile& file, toml::table& out, DiagnosticEngine& diags);

}  // namespace cartsync
