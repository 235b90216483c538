#include "model/glob.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <utility>
#include <vector>

namespace cartsync {
namespace {

// The product walk GlobContains and GlobsIntersect used before they became
// bit-parallel (one (i, j) state at a time, stars not collapsed): the
// reference the fast rows must agree with on every pair.
template <class SymbolOk>
bool ReferenceWalk(std::string_view a, std::string_view b, SymbolOk symbol_ok, bool containment) {
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

bool ReferenceContains(std::string_view outer, std::string_view inner) {
  return ReferenceWalk(
      inner, outer, [](char in, char out) { return out == '?' || (in != '?' && in == out); }, true);
}

bool ReferenceIntersect(std::string_view a, std::string_view b) {
  return ReferenceWalk(
      a, b, [](char x, char y) { return x == '?' || y == '?' || x == y; }, false);
}

// Every pattern over {a, b, ?, *} of up to `len` characters.
std::vector<std::string> AllPatterns(size_t len) {
  std::vector<std::string> out{""};
  for (size_t begin = 0, l = 0; l < len; ++l) {
    size_t end = out.size();
    for (size_t k = begin; k < end; ++k)
      for (char c : {'a', 'b', '?', '*'}) out.push_back(out[k] + c);
    begin = end;
  }
  return out;
}

TEST(Glob, ContainsAndIntersectAgreeWithTheReferenceOnEveryShortPair) {
  const std::vector<std::string> all = AllPatterns(4);  // 341 patterns, 116,281 pairs
  size_t contained = 0, intersecting = 0;
  for (const std::string& x : all) {
    for (const std::string& y : all) {
      const bool c = ReferenceContains(x, y), i = ReferenceIntersect(x, y);
      ASSERT_EQ(GlobContains(x, y), c) << "outer " << x << " inner " << y;
      ASSERT_EQ(GlobsIntersect(x, y), i) << x << " and " << y;
      contained += c;
      intersecting += i;
    }
  }
  // Both answers occur often: the loop compares, it does not only agree on "no".
  EXPECT_GT(contained, 5000u);
  EXPECT_GT(intersecting, 50000u);
  EXPECT_LT(intersecting, all.size() * all.size());
}

// Longer than a 64-position word, so rows carry between words.
TEST(Glob, PatternsLongerThanAWordCarryAcrossWords) {
  const std::string letters(150, 'a');
  EXPECT_TRUE(GlobContains("a*", letters));
  EXPECT_TRUE(GlobContains("*" + letters.substr(0, 100) + "*", "a*" + letters + "*"));
  EXPECT_FALSE(GlobContains(letters + "b", letters + "?"));
  EXPECT_TRUE(GlobContains(letters + "?", letters + "b"));
  EXPECT_TRUE(GlobsIntersect(letters + "*", "*b" + letters.substr(0, 70) + "b"));
  EXPECT_FALSE(GlobsIntersect(letters + "b", letters + "c"));
  EXPECT_TRUE(GlobsIntersect(std::string(130, '?'), letters.substr(0, 65) + "*" + "b*"));
  for (size_t len : {63u, 64u, 65u, 127u, 128u, 129u}) {
    const std::string p(len, 'x');
    EXPECT_EQ(GlobContains(p + "*", p), true) << len;
    EXPECT_EQ(GlobContains(p, p + "*"), false) << len;
    EXPECT_TRUE(GlobContains("*" + p, "y" + p)) << len;
  }
  // Random long pairs (a fixed seed), mostly letters so that many pairs match.
  std::mt19937 rng(20261207);
  auto pattern = [&] {
    std::string p(std::uniform_int_distribution<size_t>(50, 200)(rng), 'a');
    for (char& c : p) c = "aaaaaaab?*"[std::uniform_int_distribution<int>(0, 9)(rng)];
    return p;
  };
  size_t yes = 0;
  for (int k = 0; k < 2000; ++k) {
    const std::string x = pattern(), y = pattern();
    ASSERT_EQ(GlobContains(x, y), ReferenceContains(x, y)) << x << "\n" << y;
    ASSERT_EQ(GlobsIntersect(x, y), ReferenceIntersect(x, y)) << x << "\n" << y;
    yes += ReferenceIntersect(x, y);
  }
  EXPECT_GT(yes, 100u);
}

TEST(Glob, RunsOfStarsMeanOneStar) {
  EXPECT_TRUE(GlobContains("a***b", "a*b"));
  EXPECT_TRUE(GlobContains("a*b", "a****b"));
  EXPECT_TRUE(GlobsIntersect("**x**", "y*"));
  EXPECT_FALSE(GlobContains("a**", "**a"));
}

TEST(Glob, MatchIsWholeStringAndCaseSensitive) {
  EXPECT_TRUE(GlobMatch("UPS-*", "UPS-GROUND"));
  EXPECT_FALSE(GlobMatch("UPS-*", "ups-ground"));
  EXPECT_TRUE(GlobMatch("A?C", "ABC"));
  EXPECT_FALSE(GlobMatch("A?C", "ABCD"));
  EXPECT_TRUE(GlobMatch("*", ""));
  EXPECT_EQ(GlobLiteralCount("A*?B"), 2u);
}

}  // namespace
}  // namespace cartsync
