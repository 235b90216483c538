#include "model/glob.h"

#include <cstdint>
#include <memory>
#include <string>
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

// A run of `*` matches what one `*` does; with runs collapsed, a star's
// "match nothing" move needs one step in the rows below.
std::string CollapseStars(std::string_view p) {
  std::string out;
  out.reserve(p.size());
  for (char c : p)
    if (c != '*' || out.empty() || out.back() != '*') out += c;
  return out;
}

// A set of positions 0..m of a pattern, one bit each.
class Row {
 public:
  explicit Row(size_t m) : bits_(m + 1), w_(m / 64 + 1, 0) {}
  void Set(size_t j) { w_[j / 64] |= uint64_t{1} << (j % 64); }
  bool Has(size_t j) const { return (w_[j / 64] >> (j % 64)) & 1; }
  bool Empty() const {
    for (uint64_t w : w_)
      if (w) return false;
    return true;
  }
  /// this |= (x & mask) << 1: the moves from j to j + 1 that `mask` allows.
  void OrShiftedAnd(const Row& x, const Row& mask) {
    uint64_t carry = 0;
    for (size_t k = 0; k < w_.size(); ++k) {
      uint64_t v = x.w_[k] & mask.w_[k];
      w_[k] |= (v << 1) | carry;
      carry = v >> 63;
    }
    Trim();
  }
  /// this = x & mask.
  void AssignAnd(const Row& x, const Row& mask) {
    for (size_t k = 0; k < w_.size(); ++k) w_[k] = x.w_[k] & mask.w_[k];
  }
  /// Every position from the first one set to m.
  void FillFromFirst() {
    size_t k = 0;
    while (k < w_.size() && w_[k] == 0) ++k;
    if (k == w_.size()) return;
    const uint64_t lowest = w_[k] & (~w_[k] + 1);
    w_[k] = ~(lowest - 1);  // the lowest set bit and every one above it
    for (++k; k < w_.size(); ++k) w_[k] = ~uint64_t{0};
    Trim();
  }

 private:
  void Trim() {
    const size_t used = bits_ % 64;
    if (used) w_.back() &= (uint64_t{1} << used) - 1;
  }
  size_t bits_;
  std::vector<uint64_t> w_;
};

// Reachability over positions (i, j) of patterns `a` and `b` (stars
// collapsed), one row of j per i, 64 positions per word: the moves are
// (i, j) -> (i, j + 1) through a star, (i + 1, j) when a star takes a[i],
// and (i + 1, j + 1) when a[i] and b[j] pair (`pairs(x, y)`, neither a
// star). `containment` (a = inner, b = outer): only b's stars move, so an
// inner star must be taken by an outer one; otherwise (intersection) a
// star of either may match nothing or take a symbol of the other.
template <class Pairs>
bool Reaches(std::string_view a, std::string_view b, Pairs pairs, bool containment) {
  const size_t n = a.size(), m = b.size();
  Row star(m);  // j < m with b[j] == '*'
  for (size_t j = 0; j < m; ++j)
    if (b[j] == '*') star.Set(j);
  // The positions of b a symbol x pairs with, made once per distinct x.
  std::vector<std::unique_ptr<Row>> pair_rows(256);
  auto pair_row = [&](char x) -> const Row& {
    std::unique_ptr<Row>& r = pair_rows[static_cast<unsigned char>(x)];
    if (!r) {
      r = std::make_unique<Row>(m);
      for (size_t j = 0; j < m; ++j)
        if (b[j] != '*' && pairs(x, b[j])) r->Set(j);
    }
    return *r;
  };
  Row row(m), next(m);
  row.Set(0);
  for (size_t i = 0;; ++i) {
    const bool a_star = i < n && a[i] == '*' && !containment;
    if (a_star) {
      row.FillFromFirst();
    } else {
      Row through(row);  // one step suffices: b has no two stars in a row
      row.OrShiftedAnd(through, star);
    }
    if (i == n) return row.Has(m);
    if (a_star) {
      next = row;  // a's star takes b[j] at every j it reached
    } else {
      next.AssignAnd(row, star);  // b's star takes a[i]
      if (a[i] != '*') next.OrShiftedAnd(row, pair_row(a[i]));
    }
    if (next.Empty()) return false;
    std::swap(row, next);
  }
}

}  // namespace

bool GlobsIntersect(std::string_view a, std::string_view b) {
  return Reaches(
      CollapseStars(a), CollapseStars(b),
      [](char x, char y) { return x == '?' || y == '?' || x == y; }, false);
}

bool GlobContains(std::string_view outer, std::string_view inner) {
  // An inner `?` is any character, so only an outer `?` (or `*`) covers it.
  return Reaches(
      CollapseStars(inner), CollapseStars(outer),
      [](char in, char out) { return out == '?' || (in != '?' && in == out); }, true);
}

size_t GlobLiteralCount(std::string_view p) {
  size_t n = 0;
  for (char c : p) n += c != '*' && c != '?';
  return n;
}

}  // namespace cartsync
