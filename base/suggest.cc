#include "base/suggest.h"

#include <algorithm>

#include "base/strings.h"

namespace cartsync {

namespace {
constexpr size_t kMaxTypos = 5;
}  // namespace

size_t EditDistance(std::string_view a, std::string_view b, size_t max) {
  size_t la = a.size(), lb = b.size();
  if ((la > lb ? la - lb : lb - la) > max) return max + 1;
  // Only the band |i - j| <= max can hold a distance <= max, so each row
  // computes at most 2 * max + 1 cells: O(min(la, lb) * max), never
  // O(la * lb), whatever the lengths (a 50,000-character value included).
  // Cells beside the band hold `cap`. Three rolling rows are enough for the
  // transposition case.
  const size_t cap = max + 1;
  std::vector<size_t> prev2(lb + 1, cap), prev(lb + 1, cap), cur(lb + 1, cap);
  for (size_t j = 0; j <= std::min(lb, max); ++j) prev[j] = j;
  for (size_t i = 1; i <= la; ++i) {
    const size_t lo = i > max ? i - max : 1, hi = std::min(lb, i + max);
    cur[lo - 1] = lo == 1 ? std::min(i, cap) : cap;
    if (hi < lb) cur[hi + 1] = cap;
    size_t row_min = cur[lo - 1];
    for (size_t j = lo; j <= hi; ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost, cap});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        cur[j] = std::min(cur[j], prev2[j - 2] + 1);
      row_min = std::min(row_min, cur[j]);
    }
    if (row_min > max) return cap;
    std::swap(prev2, prev);
    std::swap(prev, cur);
  }
  return std::min(prev[lb], cap);
}

std::optional<std::string> ClosestMatch(std::string_view word,
                                        const std::vector<std::string>& candidates) {
  std::string lw = ToLower(word);
  for (const std::string& c : candidates)
    if (ToLower(c) == lw) return c;
  // Allow roughly one typo per three characters ("payed" -> "paid"), at least
  // one and at most kMaxTypos: a longer word is no typo of a known name, and
  // the bound keeps each comparison linear in the word's length.
  size_t max = std::clamp<size_t>((word.size() + 1) / 3, 1, kMaxTypos);
  std::optional<std::string> best;
  size_t best_distance = max + 1;
  for (const std::string& c : candidates) {
    size_t d = EditDistance(lw, ToLower(c), max);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  return best;
}

std::string DidYouMean(std::string_view word, const std::vector<std::string>& candidates) {
  auto match = ClosestMatch(word, candidates);
  return match ? "; did you mean \"" + *match + "\"?" : std::string();
}

}  // namespace cartsync
