// How often a piece of text occurs in test output (overlapping occurrences
// count: "aa" occurs twice in "aaa").
#pragma once

#include <cstddef>
#include <string_view>

namespace cartsync {

inline size_t Count(std::string_view text, std::string_view needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string_view::npos; at = text.find(needle, at + 1))
    ++n;
  return n;
}

}  // namespace cartsync
