// Field patterns (`pattern = '…'` in platform/WMS descriptors and in a
// project's [wms.NAME.cart_fields]): matched against whole values with RE2,
// which runs in linear time whatever the pattern and the input, and exported
// to JSON Schema (json_schema.cc) for ajv and taplo. A pattern must therefore
// be in the common subset of RE2, ECMAScript (with the "u" flag) and Rust's
// regex crate: no inline flags, named groups, \A \z \Q \C, \p classes, POSIX
// [[:classes:]] or \x{…}; lookaround and back-references RE2 rejects anyway.
#pragma once

#include <string>
#include <string_view>

namespace cartsync {

/// Why `pattern` cannot be used ("missing ): (ab", "inline flags (?i) are not
/// portable to JSON Schema", …), or "" when it can.
std::string PatternError(std::string_view pattern);

/// Whether all of `text` matches `pattern`; false when the pattern is invalid.
bool PatternFullMatch(std::string_view pattern, std::string_view text);

}  // namespace cartsync
