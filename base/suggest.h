// "Did you mean" hints for unknown names, as ninja and clang give them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cartsync {

/// Edit distance (insert, delete, substitute, adjacent transpose), capped:
/// returns `max + 1` as soon as the distance is known to exceed `max`. Only the
/// band of width 2 * max + 1 is computed: O(min(|a|, |b|) * max) time, so a
/// small `max` keeps hostile inputs (a 50,000-character key) cheap.
size_t EditDistance(std::string_view a, std::string_view b, size_t max);

/// The closest candidate within a length-scaled distance of at most 5 edits
/// (case-insensitive exact matches first), or nullopt when nothing is close.
std::optional<std::string> ClosestMatch(std::string_view word,
                                        const std::vector<std::string>& candidates);

/// `; did you mean "x"?` for the closest candidate, or "" when none is close.
std::string DidYouMean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace cartsync
