#include "model/glob.h"

#include <vector>

namespace cartsync {

bool IsGlob(std::string_view p) { return p.find_first_of("*?") != std::string_view::npos; }

bool GlobMatch(std::string_view p, std::string_view t) {
  // Iterative matcher with single-star backtracking: linear in practice.
  size_t pi = 0, ti = 0, star = std::string_view::npos, mark = 0;
  while (ti < t.size()) {
    if (pi < p.size() && (p[pi] == '?' || p[pi] == t[ti])) {
      ++pi;
      ++ti;
    } else if (pi < p.size() && p[pi] == '*') {
      star = pi++;
      mark = ti;
    } else if (star != std::string_view::npos) {
      pi = star + 1;
      ti = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

namespace {

// Reachability over (i, j) positions of two patterns. `symbol_ok(x, y)`
// says whether a non-star symbol x of `a` can pair with a non-star y of `b`.
// `b_star_eats_a_star` distinguishes containment (inner's `*` must be
// absorbed by an outer `*`) from intersection (either star may be empty).
template <class SymbolOk>
bool Walk(std::string_view a, std::string_view b, SymbolOk symbol_ok, bool containment) {
  size_t n = a.size(), m = b.size();
  std::vector<char> seen((n + 1) * (m + 1), 0);
  std::vector<std::pair<size_t, size_t>> stack{{0, 0}};
  auto push = [&](size_t i, size_t j) {
    if (i <= n && j <= m && !seen[i * (m + 1) + j]) {
      seen[i * (m + 1) + j] = 1;
      stack.emplace_back(i, j);
    }
  };
  seen[0] = 1;
  while (!stack.empty()) {
    auto [i, j] = stack.back();
    stack.pop_back();
    if (i == n && j == m) return true;
    bool a_star = i < n && a[i] == '*';
    bool b_star = j < m && b[j] == '*';
    if (containment) {
      // a = inner, b = outer. Outer star may match nothing or absorb any inner symbol.
      if (b_star) {
        push(i, j + 1);
        push(i + 1, j);
      } else if (i < n && j < m && !a_star && symbol_ok(a[i], b[j])) {
        push(i + 1, j + 1);
      }
    } else {
      if (a_star) {
        push(i + 1, j);
        push(i, j + 1);
      }
      if (b_star) {
        push(i, j + 1);
        push(i + 1, j);
      }
      if (!a_star && !b_star && i < n && j < m && symbol_ok(a[i], b[j])) push(i + 1, j + 1);
    }
  }
  return false;
}

}  // namespace

bool GlobsIntersect(std::string_view a, std::string_view b) {
  return Walk(
      a, b, [](char x, char y) { return x == '?' || y == '?' || x == y; }, false);
}

bool GlobContains(std::string_view outer, std::string_view inner) {
  // An inner `?` is any character, so only an outer `?` (or `*`) covers it.
  return Walk(
      inner, outer, [](char in, char out) { return out == '?' || (in != '?' && in == out); }, true);
}

size_t GlobLiteralCount(std::string_view p) {
  size_t n = 0;
  for (char c : p) n += c != '*' && c != '?';
  return n;
}

}  // namespace cartsync
