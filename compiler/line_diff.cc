#include "compiler/line_diff.h"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace cartsync {

namespace {

struct Line {
  std::string_view text;  ///< without its newline
  bool newline = true;    ///< false for a last line without one
  bool operator==(const Line& o) const { return text == o.text && newline == o.newline; }
};

std::vector<Line> SplitLines(std::string_view s) {
  std::vector<Line> lines;
  size_t begin = 0;
  while (begin < s.size()) {
    size_t end = s.find('\n', begin);
    if (end == std::string_view::npos) {
      lines.push_back({s.substr(begin), false});
      break;
    }
    lines.push_back({s.substr(begin, end - begin), true});
    begin = end + 1;
  }
  return lines;
}

struct Op {
  char kind;    ///< ' ', '-', '+'
  size_t a, b;  ///< line indexes in before/after (the one that applies)
};

// The edit script: common ends, then an LCS of the middle (or, beyond the
// bound, the whole middle replaced).
std::vector<Op> EditScript(const std::vector<Line>& a, const std::vector<Line>& b) {
  size_t p = 0;
  while (p < a.size() && p < b.size() && a[p] == b[p]) ++p;
  size_t s = 0;
  while (s < a.size() - p && s < b.size() - p && a[a.size() - 1 - s] == b[b.size() - 1 - s]) ++s;
  const size_t na = a.size() - p - s, nb = b.size() - p - s;
  std::vector<Op> ops;
  for (size_t i = 0; i < p; ++i) ops.push_back({' ', i, i});
  if (na > 0 && nb > 0 && (na + 1) * (nb + 1) <= kMaxLineDiffCells) {
    // lcs[i][j]: the LCS length of a[p+i..] and b[p+j..].
    std::vector<uint32_t> lcs((na + 1) * (nb + 1), 0);
    auto at = [&](size_t i, size_t j) -> uint32_t& { return lcs[i * (nb + 1) + j]; };
    for (size_t i = na; i-- > 0;)
      for (size_t j = nb; j-- > 0;)
        at(i, j) =
            a[p + i] == b[p + j] ? at(i + 1, j + 1) + 1 : std::max(at(i + 1, j), at(i, j + 1));
    size_t i = 0, j = 0;
    while (i < na || j < nb) {
      if (i < na && j < nb && a[p + i] == b[p + j]) {
        ops.push_back({' ', p + i++, p + j++});
      } else if (i < na && (j == nb || at(i + 1, j) >= at(i, j + 1))) {
        ops.push_back({'-', p + i++, p + j});  // removals first, as diff(1) shows them
      } else {
        ops.push_back({'+', p + i, p + j++});
      }
    }
  } else {
    for (size_t i = 0; i < na; ++i) ops.push_back({'-', p + i, p});
    for (size_t j = 0; j < nb; ++j) ops.push_back({'+', p + na, p + j});
  }
  for (size_t i = 0; i < s; ++i) ops.push_back({' ', p + na + i, p + nb + i});
  return ops;
}

std::string Range(size_t first, size_t count) {
  // A hunk that holds no line of a side starts at the line before it.
  return std::to_string(count == 0 ? first : first + 1) + "," + std::to_string(count);
}

}  // namespace

std::string UnifiedDiff(std::string_view before, std::string_view after, std::string_view path,
                        const LineShower& show, size_t context) {
  if (before == after) return "";
  const std::vector<Line> a = SplitLines(before), b = SplitLines(after);
  const std::vector<Op> ops = EditScript(a, b);
  std::string out = "--- a/" + std::string(path) + "\n+++ b/" + std::string(path) + "\n";
  size_t k = 0;
  while (k < ops.size()) {
    if (ops[k].kind == ' ') {
      ++k;
      continue;
    }
    // A hunk: from `context` lines before this change to `context` lines
    // after the last change closer than 2 * context to the previous one.
    size_t begin = k >= context ? k - context : 0;
    size_t end = k;
    while (true) {
      while (end < ops.size() && ops[end].kind != ' ') ++end;
      size_t next = end;
      while (next < ops.size() && ops[next].kind == ' ') ++next;
      if (next < ops.size() && next - end <= 2 * context) {
        end = next;
        continue;
      }
      end = std::min(ops.size(), end + context);
      break;
    }
    size_t na = 0, nb = 0;
    for (size_t i = begin; i < end; ++i) {
      if (ops[i].kind != '+') ++na;
      if (ops[i].kind != '-') ++nb;
    }
    out += "@@ -" + Range(ops[begin].a, na) + " +" + Range(ops[begin].b, nb) + " @@\n";
    for (size_t i = begin; i < end; ++i) {
      const Line& l = ops[i].kind == '+' ? b[ops[i].b] : a[ops[i].a];
      out += ops[i].kind;
      out += show ? show(l.text) : std::string(l.text);
      out += '\n';
      if (!l.newline) out += "\\ No newline at end of file\n";
    }
    k = end;
  }
  return out;
}

}  // namespace cartsync
