// base/money.h: ISO 4217 exponents, exact decimal parsing, minor units.
#include "base/money.h"

#include <gtest/gtest.h>

namespace cartsync {
namespace {

TEST(CurrencyExponentTest, KnowsTheCommonAndTheOddOnes) {
  EXPECT_EQ(CurrencyExponent("USD"), 2);
  EXPECT_EQ(CurrencyExponent("eur"), 2);
  EXPECT_EQ(CurrencyExponent("JPY"), 0);
  EXPECT_EQ(CurrencyExponent("KRW"), 0);
  EXPECT_EQ(CurrencyExponent("KWD"), 3);
  EXPECT_EQ(CurrencyExponent("BHD"), 3);
  EXPECT_EQ(CurrencyExponent("TND"), 3);
  EXPECT_EQ(CurrencyExponent("CLF"), 4);
  EXPECT_EQ(CurrencyExponent("ISK"), 0);
  // Not currencies with minor units, and not codes at all.
  EXPECT_EQ(CurrencyExponent("XAU"), std::nullopt);
  EXPECT_EQ(CurrencyExponent("ABC"), std::nullopt);
  EXPECT_EQ(CurrencyExponent(""), std::nullopt);
  EXPECT_EQ(CurrencyExponent("US"), std::nullopt);
  EXPECT_EQ(CurrencyExponent("U$D"), std::nullopt);
}

TEST(ParseDecimalTest, ReadsExactly) {
  Decimal d;
  ASSERT_TRUE(ParseDecimal("19.99", d));
  EXPECT_EQ(d.units, 1999);
  EXPECT_EQ(d.scale, 2);
  ASSERT_TRUE(ParseDecimal("65.2300", d));
  EXPECT_EQ(d.units, 652300);
  EXPECT_EQ(d.scale, 4);
  ASSERT_TRUE(ParseDecimal("-0.5", d));
  EXPECT_EQ(d.units, -5);
  ASSERT_TRUE(ParseDecimal(" 1500 ", d));
  EXPECT_EQ(d.units, 1500);
  EXPECT_EQ(d.scale, 0);
  ASSERT_TRUE(ParseDecimal("0.1000000000000000000", d) == false);  // 19 decimals
  // The shortest text of a JSON number may have an exponent: exact too.
  ASSERT_TRUE(ParseDecimal("1e+01", d));
  EXPECT_EQ(d.units, 10);
  EXPECT_EQ(d.scale, 0);
  ASSERT_TRUE(ParseDecimal("1.5E-3", d));
  EXPECT_EQ(d.units, 15);
  EXPECT_EQ(d.scale, 4);
  for (const char* bad : {"", "-", ".", "1e", "e5", "1e+100", "NaN", "1,5", "1.2.3", "0x10", "12a"})
    EXPECT_FALSE(ParseDecimal(bad, d)) << bad;
  // 0.1 + 0.2 through a double is 0.30000000000000004; exactly it is 0.3.
  Decimal a, b;
  ASSERT_TRUE(ParseDecimal("0.1", a) && ParseDecimal("0.2", b));
  EXPECT_EQ(a.units + b.units, 3);
}

TEST(MinorUnitsTest, RoundsHalfAwayFromZeroAtTheCurrencysExponent) {
  EXPECT_EQ(MinorUnits("19.99", 2), 1999);
  EXPECT_EQ(MinorUnits("65.2300", 2), 6523);
  EXPECT_EQ(MinorUnits("16.363636", 2), 1636);
  EXPECT_EQ(MinorUnits("0.125", 2), 13);
  EXPECT_EQ(MinorUnits("-0.125", 2), -13);
  EXPECT_EQ(MinorUnits("1500", 0), 1500);
  EXPECT_EQ(MinorUnits("1500.00", 0), 1500);
  EXPECT_EQ(MinorUnits("1499.5", 0), 1500);
  EXPECT_EQ(MinorUnits("12.345", 3), 12345);
  EXPECT_EQ(MinorUnits("12.3456", 3), 12346);
  EXPECT_EQ(MinorUnits("7", 3), 7000);
  EXPECT_EQ(MinorUnits("abc", 2), std::nullopt);
  EXPECT_EQ(MinorUnits("999999999999999999", 2), std::nullopt);  // overflows int64 cents
}

TEST(DivideToMinorTest, UnitPricesFromLineTotals) {
  Decimal d;
  int64_t out = 0;
  ASSERT_TRUE(ParseDecimal("49.99", d));
  ASSERT_TRUE(DivideToMinor(d, 3, 2, out));
  EXPECT_EQ(out, 1666);
  ASSERT_TRUE(ParseDecimal("10.005", d));  // KWD
  ASSERT_TRUE(DivideToMinor(d, 2, 3, out));
  EXPECT_EQ(out, 5003);                  // 5.0025 -> 5.003
  ASSERT_TRUE(ParseDecimal("3000", d));  // JPY
  ASSERT_TRUE(DivideToMinor(d, 2, 0, out));
  EXPECT_EQ(out, 1500);
  EXPECT_FALSE(DivideToMinor(d, 0, 2, out));
}

TEST(MoneyTextTest, MinorAndMajorForms) {
  EXPECT_EQ(MinorText(1999), "1999");
  EXPECT_EQ(MinorText(-50), "-50");
  EXPECT_EQ(MajorText(1999, 2), "19.99");
  EXPECT_EQ(MajorText(5, 2), "0.05");
  EXPECT_EQ(MajorText(1500, 0), "1500");
  EXPECT_EQ(MajorText(-5, 3), "-0.005");
  EXPECT_EQ(MajorText(12345, 3), "12.345");
  EXPECT_EQ(MajorText(0, 2), "0.00");
}

}  // namespace
}  // namespace cartsync
