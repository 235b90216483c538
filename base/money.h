// Money without floating point: exact decimal text as the platforms send it
// ("19.99", "65.2300", "0.3333333"), ISO 4217 minor-unit exponents (USD 2,
// JPY 0, KWD 3), and amounts in minor units (cents, fils) as the order
// document carries them (wms-contract.md, "Money"). Never through a double.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cartsync {

/// The ISO 4217 minor-unit exponent of `code` (three letters, any case):
/// 2 for USD and EUR, 0 for JPY and KRW, 3 for KWD and BHD, 4 for CLF.
/// nullopt for a code the table does not know.
std::optional<int> CurrencyExponent(std::string_view code);

/// An exact decimal number: `units` / 10^`scale`.
struct Decimal {
  int64_t units = 0;
  int scale = 0;  ///< digits after the point, 0..18
};

/// Reads `[+-]digits[.digits][e[+-]digits]` (surrounding blanks allowed;
/// ".5", "5." and "1e+01" too) exactly. False for anything else ("NaN", "",
/// "0x10") and for more than 18 significant digits or decimals.
bool ParseDecimal(std::string_view text, Decimal& out);

/// `d` in minor units of a currency with `exponent` decimals, rounded half
/// away from zero when `d` has more digits ("16.3636" USD -> 1636,
/// "0.125" USD -> 13, "1500" JPY -> 1500). False on overflow.
bool ToMinor(const Decimal& d, int exponent, int64_t& out);

/// `d` / `divisor` (> 0) in minor units, rounded half away from zero: a unit
/// price from a line total ("49.99" / 3 USD -> 1666).
bool DivideToMinor(const Decimal& d, int64_t divisor, int exponent, int64_t& out);

/// `text` (ParseDecimal) straight to minor units; nullopt when unreadable.
std::optional<int64_t> MinorUnits(std::string_view text, int exponent);

/// Minor units as the order document writes them: decimal digits with a
/// leading "-" when negative ("1999", "0", "-50").
std::string MinorText(int64_t minor);

/// Minor units as a decimal in major units with exactly `exponent` digits
/// after the point: (1999, 2) -> "19.99", (1500, 0) -> "1500",
/// (-5, 3) -> "-0.005".
std::string MajorText(int64_t minor, int exponent);

}  // namespace cartsync
