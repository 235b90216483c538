// base/strings.h: quoting, joining, ASCII case and trimming.
#include "base/strings.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cartsync {
namespace {

using Strings = std::vector<std::string>;

TEST(QuoteTest, PlainQuotesLeaveTheTextAsIs) {
  EXPECT_EQ(Quote("payed"), "\"payed\"");
  EXPECT_EQ(Quote(""), "\"\"");
  EXPECT_EQ(Quote("say \"hi\"\\n"), "\"say \"hi\"\\n\"");
  EXPECT_EQ(Quote("a\nb"), "\"a\nb\"");
}

TEST(QuoteTest, EscapedQuotesEscapeQuotesBackslashesAndControls) {
  EXPECT_EQ(QuoteEscaped("SKU-1*"), "\"SKU-1*\"");
  EXPECT_EQ(QuoteEscaped(""), "\"\"");
  EXPECT_EQ(QuoteEscaped("say \"hi\""), "\"say \\\"hi\\\"\"");
  EXPECT_EQ(QuoteEscaped("C:\\dir"), "\"C:\\\\dir\"");
  EXPECT_EQ(QuoteEscaped("a\nb\tc"), "\"a\\u000ab\\u0009c\"");
  EXPECT_EQ(QuoteEscaped(std::string("\x1f\x7f", 2)), "\"\\u001f\x7f\"");
  // Bytes above 0x7F (UTF-8) pass through.
  EXPECT_EQ(QuoteEscaped("caf\xc3\xa9"), "\"caf\xc3\xa9\"");
}

TEST(JoinTest, SeparatorBetweenParts) {
  EXPECT_EQ(Join({}), "");
  EXPECT_EQ(Join({"a"}), "a");
  EXPECT_EQ(Join({"a", "b", "c"}), "a, b, c");
  EXPECT_EQ(Join({"a", "b"}, "; "), "a; b");
}

TEST(JoinTest, EmptyPartsAtTheStartLeaveNoSeparator) {
  EXPECT_EQ(Join({"", "a"}), "a");
  EXPECT_EQ(Join({"", "", "a", "b"}), "a, b");
  EXPECT_EQ(Join({"a", "", "b"}), "a, , b");
  EXPECT_EQ(Join({"a", ""}), "a, ");
  EXPECT_EQ(Join({"", ""}), "");
}

TEST(JoinQuotedTest, QuotesEachAndSaysWhatNoneIs) {
  EXPECT_EQ(JoinQuoted({"paid", "refunded"}), "\"paid\", \"refunded\"");
  EXPECT_EQ(JoinQuoted({""}), "\"\"");
  EXPECT_EQ(JoinQuoted({}), "");
  EXPECT_EQ(JoinQuoted({}, "none"), "none");
  EXPECT_EQ(JoinQuoted({"x"}, "none"), "\"x\"");
}

TEST(CaseTest, AsciiOnly) {
  EXPECT_EQ(ToLower("Content-Type: JSON"), "content-type: json");
  EXPECT_EQ(ToLower("\xc3\x89T\xc3\x89"), "\xc3\x89t\xc3\x89");  // É unchanged
  EXPECT_TRUE(EqualsIgnoreCase("Link", "LINK"));
  EXPECT_TRUE(EqualsIgnoreCase("", ""));
  EXPECT_FALSE(EqualsIgnoreCase("Link", "Links"));
  EXPECT_FALSE(EqualsIgnoreCase("a", "b"));
  EXPECT_FALSE(EqualsIgnoreCase("[", "{"));  // 0x5B and 0x7B differ by 0x20 but are not letters
}

TEST(TrimTest, BlanksByDefaultOrGiven) {
  EXPECT_EQ(Trim("  a b \t\r\n"), "a b");
  EXPECT_EQ(Trim(" \t\r\n"), "");
  EXPECT_EQ(Trim(""), "");
  EXPECT_EQ(Trim("\n12 \n", " \t"), "\n12 \n");
  EXPECT_EQ(Trim("  12\t", " \t"), "12");
  EXPECT_EQ(TrimLeft("  a  "), "a  ");
  EXPECT_EQ(TrimRight("  a  "), "  a");
  EXPECT_EQ(TrimRight(TrimLeft("\r\n x \r\n", " \t")), "\r\n x");
}

}  // namespace
}  // namespace cartsync
