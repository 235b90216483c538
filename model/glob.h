// Glob patterns of [ship_methods] and [items].skus: `*` (any run) and `?`
// (one character), matched case-sensitively against whole strings.
#pragma once

#include <string_view>

namespace cartsync {

bool IsGlob(std::string_view pattern);  ///< has `*` or `?`
bool GlobMatch(std::string_view pattern, std::string_view text);
/// Some string matches both patterns.
bool GlobsIntersect(std::string_view a, std::string_view b);
/// Every string `inner` matches is matched by `outer` (sound, may miss
/// exotic cases: it never claims containment that does not hold).
bool GlobContains(std::string_view outer, std::string_view inner);
/// Non-wildcard characters: more means more specific, which wins.
size_t GlobLiteralCount(std::string_view pattern);

}  // namespace cartsync
