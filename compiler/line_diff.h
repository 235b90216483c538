// A unified diff of two texts, line by line (`cartsync fmt --diff`): no
// external `diff` program. Bounded work on any input: beyond
// kMaxLineDiffCells compared line pairs the changed middle is shown as one
// hunk that removes and adds it whole, still a correct diff.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace cartsync {

inline constexpr size_t kMaxLineDiffCells = size_t{1} << 22;

/// How a line is shown (masking, escaping); the identity by default.
using LineShower = std::function<std::string(std::string_view)>;

/// The unified diff (`--- a/PATH`, `+++ b/PATH`, `@@ -l,n +l,n @@` hunks with
/// `context` lines around each change) turning `before` into `after`; "" when
/// they are equal. A text not ending in a newline gets `\ No newline at end of file`.
std::string UnifiedDiff(std::string_view before, std::string_view after, std::string_view path,
                        const LineShower& show = {}, size_t context = 3);

}  // namespace cartsync
