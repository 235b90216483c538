// "Did you mean" hints: the capped edit distance and the closest match.
#include "base/suggest.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cartsync {
namespace {

TEST(EditDistanceTest, ExactCountsWithinTheCap) {
  EXPECT_EQ(EditDistance("", "", 3), 0u);
  EXPECT_EQ(EditDistance("format", "format", 3), 0u);
  EXPECT_EQ(EditDistance("formt", "format", 3), 1u);    // insertion
  EXPECT_EQ(EditDistance("foramt", "format", 3), 1u);   // transposition
  EXPECT_EQ(EditDistance("fxrmat", "format", 3), 1u);   // substitution
  EXPECT_EQ(EditDistance("kitten", "sitting", 3), 3u);  // classic
  EXPECT_EQ(EditDistance("abc", "", 3), 3u);
  EXPECT_EQ(EditDistance("", "abcd", 3), 4u);           // beyond the cap: cap + 1
  EXPECT_EQ(EditDistance("kitten", "sitting", 2), 3u);  // cap + 1
  EXPECT_EQ(EditDistance("abcdef", "badcfe", 3), 3u);   // three transpositions
}

// Agrees with the plain full-matrix distance on every pair of short words
// over a small alphabet, for every cap: the band loses nothing.
size_t FullDistance(const std::string& a, const std::string& b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i)
    for (size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min(
          {d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

TEST(EditDistanceTest, TheBandAgreesWithTheFullMatrix) {
  std::vector<std::string> words;
  for (int n = 0; n <= 5; ++n)
    for (int code = 0; code < (1 << (2 * n)) && code < 200; code += 7) {
      std::string w;
      for (int k = 0, c = code; k < n; ++k, c /= 3) w += static_cast<char>('a' + c % 3);
      words.push_back(w);
    }
  for (const std::string& a : words)
    for (const std::string& b : words)
      for (size_t max : {0u, 1u, 2u, 3u, 5u}) {
        size_t full = FullDistance(a, b);
        EXPECT_EQ(EditDistance(a, b, max), std::min(full, max + 1)) << a << " " << b << " " << max;
      }
}

// A 50 KB word (a hostile key or value) costs a linear pass, not 50,000 x
// 50,000 cells: these return at once (no timing assertion; a quadratic
// version would take minutes here).
TEST(EditDistanceTest, FiftyKilobyteInputsStayCheap) {
  const std::string big(50 * 1024, 'x');
  std::string other = big;
  other[25000] = 'y';
  EXPECT_EQ(EditDistance(big, other, 5), 1u);
  std::string far = big;
  for (size_t i = 0; i < far.size(); i += 100) far[i] = 'z';
  EXPECT_EQ(EditDistance(big, far, 5), 6u);
  EXPECT_EQ(EditDistance(big, "format", 5), 6u);
  EXPECT_EQ(EditDistance(big, std::string(50 * 1024 + 3, 'x'), 5), 3u);
  // The closest match of a 50 KB word: nothing is close, even among long candidates.
  EXPECT_EQ(ClosestMatch(big, {"format", "schema", far, std::string(60 * 1024, 'x')}),
            std::nullopt);
  EXPECT_EQ(ClosestMatch(big, {"format", other}), other);
}

TEST(ClosestMatchTest, TyposAndCase) {
  const std::vector<std::string> flags = {"--format", "--schema", "--color", "--help"};
  EXPECT_EQ(ClosestMatch("--formt", flags), "--format");
  EXPECT_EQ(ClosestMatch("--FORMAT", flags), "--format");
  EXPECT_EQ(ClosestMatch("--colour", flags), "--color");
  EXPECT_EQ(ClosestMatch("--verbose", flags), std::nullopt);
  EXPECT_EQ(DidYouMean("payed", {"paid", "pending"}), "; did you mean \"paid\"?");
  EXPECT_EQ(DidYouMean("zzz", {"paid"}), "");
}

}  // namespace
}  // namespace cartsync
