#include "base/suggest.h"

#include <algorithm>

#include "base/strings.h"

namespace cartsync {

size_t EditDistance(std::string_view a, std::string_view b, size_t max) {
  size_t la = a.size(), lb = b.size();
  if ((la > lb ? la - lb : lb - la) > max) return max + 1;
  // Three rolling rows are enough for the transposition case.
  std::vector<size_t> prev2(lb + 1), prev(lb + 1), cur(lb + 1);
  for (size_t j = 0; j <= lb; ++j) prev[j] = j;
  for (size_t i = 1; i <= la; ++i) {
    cur[0] = i;
    size_t row_min = cur[0];
    for (size_t j = 1; j <= lb; ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        cur[j] = std::min(cur[j], prev2[j - 2] + 1);
      row_min = std::min(row_min, cur[j]);
    }
    if (row_min > max) return max + 1;
    std::swap(prev2, prev);
    std::swap(prev, cur);
  }
  return std::min(prev[lb], max + 1);
}

std::optional<std::string> ClosestMatch(std::string_view word,
                                        const std::vector<std::string>& candidates) {
  std::string lw = ToLower(word);
  for (const std::string& c : candidates)
    if (ToLower(c) == lw) return c;
  // Allow roughly one typo per three characters ("payed" -> "paid"), at least one.
  size_t max = std::max<size_t>(1, (word.size() + 1) / 3);
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
