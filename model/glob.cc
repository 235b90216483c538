#include "model/glob.h"

#include <array>
#include <cstdint>
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
// "match nothing" move needs one step in the rows below. `buffer` holds
// the collapsed copy when there is a run to collapse.
std::string_view CollapseStars(std::string_view p, std::string& buffer) {
  if (p.find("**") == std::string_view::npos) return p;
  buffer.clear();
  for (char c : p)
    if (c != '*' || buffer.empty() || buffer.back() != '*') buffer += c;
  return buffer;
}

// Rows of positions 0..m of a pattern, one bit each, `words` words a row,
// side by side in one allocation: a comparison allocates once.
class Rows {
 public:
  Rows(size_t m, size_t count)
      : words_(m / 64 + 1),
        tail_((m + 1) % 64 ? (uint64_t{1} << ((m + 1) % 64)) - 1 : ~uint64_t{0}),
        mem_(words_ * count, 0) {}
  uint64_t* operator[](size_t r) { return mem_.data() + r * words_; }

  static void Set(uint64_t* row, size_t j) { row[j / 64] |= uint64_t{1} << (j % 64); }
  static bool Has(const uint64_t* row, size_t j) { return (row[j / 64] >> (j % 64)) & 1; }
  bool Empty(const uint64_t* row) const {
    for (size_t k = 0; k < words_; ++k)
      if (row[k]) return false;
    return true;
  }
  /// dst |= (x & mask) << 1: the moves from j to j + 1 that `mask` allows.
  /// `dst` may be `x`: each word is read before it is written.
  void OrShiftedAnd(uint64_t* dst, const uint64_t* x, const uint64_t* mask) const {
    uint64_t carry = 0;
    for (size_t k = 0; k < words_; ++k) {
      const uint64_t v = x[k] & mask[k];
      dst[k] |= (v << 1) | carry;
      carry = v >> 63;
    }
    dst[words_ - 1] &= tail_;
  }
  /// dst = x & mask.
  void AssignAnd(uint64_t* dst, const uint64_t* x, const uint64_t* mask) const {
    for (size_t k = 0; k < words_; ++k) dst[k] = x[k] & mask[k];
  }
  void Copy(uint64_t* dst, const uint64_t* x) const {
    for (size_t k = 0; k < words_; ++k) dst[k] = x[k];
  }
  /// Every position from the first one set to m.
  void FillFromFirst(uint64_t* row) const {
    size_t k = 0;
    while (k < words_ && row[k] == 0) ++k;
    if (k == words_) return;
    const uint64_t lowest = row[k] & (~row[k] + 1);
    row[k] = ~(lowest - 1);  // the lowest set bit and every one above it
    for (++k; k < words_; ++k) row[k] = ~uint64_t{0};
    row[words_ - 1] &= tail_;
  }

 private:
  size_t words_;
  uint64_t tail_;  // the bits of the last word that are positions
  std::vector<uint64_t> mem_;
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
  // Rows 0-2: b's stars, this row, the next; then, per distinct symbol x
  // of a, the positions of b that x pairs with.
  std::array<int16_t, 256> slot;
  slot.fill(-1);
  size_t count = 3;
  for (char c : a)
    if (c != '*' && slot[static_cast<unsigned char>(c)] < 0)
      slot[static_cast<unsigned char>(c)] = static_cast<int16_t>(count++);
  Rows rows(m, count);
  uint64_t* star = rows[0];
  uint64_t* row = rows[1];
  uint64_t* next = rows[2];
  for (size_t j = 0; j < m; ++j)
    if (b[j] == '*') Rows::Set(star, j);
  for (size_t c = 0; c < slot.size(); ++c) {
    if (slot[c] < 0) continue;
    uint64_t* pair = rows[static_cast<size_t>(slot[c])];
    for (size_t j = 0; j < m; ++j)
      if (b[j] != '*' && pairs(static_cast<char>(c), b[j])) Rows::Set(pair, j);
  }
  Rows::Set(row, 0);
  for (size_t i = 0;; ++i) {
    const bool a_star = i < n && a[i] == '*' && !containment;
    if (a_star)
      rows.FillFromFirst(row);
    else
      rows.OrShiftedAnd(row, row, star);  // one step: b has no two stars in a row
    if (i == n) return Rows::Has(row, m);
    if (a_star) {
      rows.Copy(next, row);  // a's star takes b[j] at every j it reached
    } else {
      rows.AssignAnd(next, row, star);  // b's star takes a[i]
      if (a[i] != '*')
        rows.OrShiftedAnd(next, row,
                          rows[static_cast<size_t>(slot[static_cast<unsigned char>(a[i])])]);
    }
    if (rows.Empty(next)) return false;
    std::swap(row, next);
  }
}

}  // namespace

bool GlobsIntersect(std::string_view a, std::string_view b) {
  std::string a_buf, b_buf;
  return Reaches(
      CollapseStars(a, a_buf), CollapseStars(b, b_buf),
      [](char x, char y) { return x == '?' || y == '?' || x == y; }, false);
}

bool GlobContains(std::string_view outer, std::string_view inner) {
  // An inner `?` is any character, so only an outer `?` (or `*`) covers it.
  std::string inner_buf, outer_buf;
  return Reaches(
      CollapseStars(inner, inner_buf), CollapseStars(outer, outer_buf),
      [](char in, char out) { return out == '?' || (in != '?' && in == out); }, true);
}

size_t GlobLiteralCount(std::string_view p) {
  size_t n = 0;
  for (char c : p) n += c != '*' && c != '?';
  return n;
}

}  // namespace cartsync
