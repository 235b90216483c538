#include "base/money.h"

#include <algorithm>
#include <cctype>
#include <limits>
#include <utility>

namespace cartsync {
namespace {

// ISO 4217 (list one, current codes and the funds codes) with their minor
// units. Codes with 2 decimals are listed too, so an unknown code is told
// apart from a 2-decimal one.
struct CurrencyUnit {
  const char code[4];
  int exponent;
};

constexpr CurrencyUnit kCurrencies[] = {
    {"AED", 2},  {"AFN", 2},  {"ALL", 2},  {"AMD", 2},  {"ANG", 2},  {"AOA", 2},  {"ARS", 2},
    {"AUD", 2},  {"AWG", 2},  {"AZN", 2},  {"BAM", 2},  {"BBD", 2},  {"BDT", 2},  {"BGN", 2},
    {"BHD", 3},  {"BIF", 0},  {"BMD", 2},  {"BND", 2},  {"BOB", 2},  {"BOV", 2},  {"BRL", 2},
    {"BSD", 2},  {"BTN", 2},  {"BWP", 2},  {"BYN", 2},  {"BZD", 2},  {"CAD", 2},  {"CDF", 2},
    {"CHE", 2},  {"CHF", 2},  {"CHW", 2},  {"CLF", 4},  {"CLP", 0},  {"CNY", 2},  {"COP", 2},
    {"COU", 2},  {"CRC", 2},  {"CUC", 2},  {"CUP", 2},  {"CVE", 2},  {"CZK", 2},  {"DJF", 0},
    {"DKK", 2},  {"DOP", 2},  {"DZD", 2},  {"EGP", 2},  {"ERN", 2},  {"ETB", 2},  {"EUR", 2},
    {"FJD", 2},  {"FKP", 2},  {"GBP", 2},  {"GEL", 2},  {"GHS", 2},  {"GIP", 2},  {"GMD", 2},
    {"GNF", 0},  {"GTQ", 2},  {"GYD", 2},  {"HKD", 2},  {"HNL", 2},  {"HRK", 2},  {"HTG", 2},
    {"HUF", 2},  {"IDR", 2},  {"ILS", 2},  {"INR", 2},  {"IQD", 3},  {"IRR", 2},  {"ISK", 0},
    {"JMD", 2},  {"JOD", 3},  {"JPY", 0},  {"KES", 2},  {"KGS", 2},  {"KHR", 2},  {"KMF", 0},
    {"KPW", 2},  {"KRW", 0},  {"KWD", 3},  {"KYD", 2},  {"KZT", 2},  {"LAK", 2},  {"LBP", 2},
    {"LKR", 2},  {"LRD", 2},  {"LSL", 2},  {"LYD", 3},  {"MAD", 2},  {"MDL", 2},  {"MGA", 2},
    {"MKD", 2},  {"MMK", 2},  {"MNT", 2},  {"MOP", 2},  {"MRU", 2},  {"MUR", 2},  {"MVR", 2},
    {"MWK", 2},  {"MXN", 2},  {"MXV", 2},  {"MYR", 2},  {"MZN", 2},  {"NAD", 2},  {"NGN", 2},
    {"NIO", 2},  {"NOK", 2},  {"NPR", 2},  {"NZD", 2},  {"OMR", 3},  {"PAB", 2},  {"PEN", 2},
    {"PGK", 2},  {"PHP", 2},  {"PKR", 2},  {"PLN", 2},  {"PYG", 0},  {"QAR", 2},  {"RON", 2},
    {"RSD", 2},  {"RUB", 2},  {"RWF", 0},  {"SAR", 2},  {"SBD", 2},  {"SCR", 2},  {"SDG", 2},
    {"SEK", 2},  {"SGD", 2},  {"SHP", 2},  {"SLE", 2},  {"SLL", 2},  {"SOS", 2},  {"SRD", 2},
    {"SSP", 2},  {"STN", 2},  {"SVC", 2},  {"SYP", 2},  {"SZL", 2},  {"THB", 2},  {"TJS", 2},
    {"TMT", 2},  {"TND", 3},  {"TOP", 2},  {"TRY", 2},  {"TTD", 2},  {"TWD", 2},  {"TZS", 2},
    {"UAH", 2},  {"UGX", 0},  {"USD", 2},  {"USN", 2},  {"UYI", 0},  {"UYU", 2},  {"UYW", 4},
    {"UZS", 2},  {"VED", 2},  {"VES", 2},  {"VND", 0},  {"VUV", 0},  {"WST", 2},  {"XAF", 0},
    {"XCD", 2},  {"XCG", 2},  {"XOF", 0},  {"XPF", 0},  {"YER", 2},  {"ZAR", 2},  {"ZMW", 2},
    {"ZWG", 2},  {"ZWL", 2},  {"XDR", -1}, {"XAU", -1}, {"XAG", -1}, {"XPT", -1}, {"XPD", -1},
    {"XSU", -1}, {"XUA", -1}, {"XBA", -1}, {"XBB", -1}, {"XBC", -1}, {"XBD", -1}, {"XTS", -1},
    {"XXX", -1},
};

constexpr int64_t kPow10[] = {1,
                              10,
                              100,
                              1000,
                              10000,
                              100000,
                              1000000,
                              10000000,
                              100000000,
                              1000000000,
                              10000000000,
                              100000000000,
                              1000000000000,
                              10000000000000,
                              100000000000000,
                              1000000000000000,
                              10000000000000000,
                              100000000000000000,
                              1000000000000000000};

/// n / d rounded half away from zero (d > 0).
__int128 RoundDiv(__int128 n, __int128 d) {
  const bool negative = n < 0;
  const __int128 a = negative ? -n : n;
  const __int128 q = (a + d / 2) / d;
  return negative ? -q : q;
}

bool Fits(__int128 v, int64_t& out) {
  if (v > std::numeric_limits<int64_t>::max() || v < -std::numeric_limits<int64_t>::max())
    return false;
  out = static_cast<int64_t>(v);
  return true;
}

}  // namespace

std::optional<int> CurrencyExponent(std::string_view code) {
  if (code.size() != 3) return std::nullopt;
  char upper[3];
  for (size_t i = 0; i < 3; ++i) {
    const unsigned char c = static_cast<unsigned char>(code[i]);
    if (!std::isalpha(c)) return std::nullopt;
    upper[i] = static_cast<char>(std::toupper(c));
  }
  for (const CurrencyUnit& u : kCurrencies)
    if (std::equal(upper, upper + 3, u.code))
      return u.exponent < 0 ? std::nullopt : std::optional<int>(u.exponent);
  return std::nullopt;
}

bool ParseDecimal(std::string_view text, Decimal& out) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  bool negative = false;
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  // An exponent ("1e+01", "1.5E-3"): the form a JSON number's shortest
  // text takes (connector_util::NumberText), exact all the same.
  int exponent = 0;
  if (const size_t e = text.find_first_of("eE"); e != std::string_view::npos) {
    std::string_view exp = text.substr(e + 1);
    text = text.substr(0, e);
    bool exp_negative = false;
    if (!exp.empty() && (exp.front() == '-' || exp.front() == '+')) {
      exp_negative = exp.front() == '-';
      exp.remove_prefix(1);
    }
    if (exp.empty() || exp.size() > 2) return false;
    for (char c : exp) {
      if (c < '0' || c > '9') return false;
      exponent = exponent * 10 + (c - '0');
    }
    if (exp_negative) exponent = -exponent;
  }
  __int128 units = 0;
  int scale = 0, digits = 0, significant = 0;
  bool point = false;
  for (char c : text) {
    if (c == '.' && !point) {
      point = true;
      continue;
    }
    if (c < '0' || c > '9') return false;
    ++digits;
    if (point) ++scale;
    if (significant > 0 || c != '0') ++significant;
    if (significant > 18 || scale > 18) return false;
    units = units * 10 + (c - '0');
  }
  if (digits == 0) return false;
  scale -= exponent;
  for (; scale < 0; ++scale) {
    units *= 10;
    if (units > std::numeric_limits<int64_t>::max()) return false;
  }
  if (scale > 18) return false;
  out.units = static_cast<int64_t>(negative ? -units : units);
  out.scale = scale;
  return true;
}

bool ToMinor(const Decimal& d, int exponent, int64_t& out) {
  return DivideToMinor(d, 1, exponent, out);
}

bool DivideToMinor(const Decimal& d, int64_t divisor, int exponent, int64_t& out) {
  if (divisor <= 0 || exponent < 0 || exponent > 18 || d.scale < 0 || d.scale > 18) return false;
  // value = units / 10^scale / divisor; in minor units: * 10^exponent.
  __int128 n = d.units;
  __int128 den = static_cast<__int128>(divisor);
  if (exponent >= d.scale)
    n *= kPow10[exponent - d.scale];
  else
    den *= kPow10[d.scale - exponent];
  return Fits(RoundDiv(n, den), out);
}

std::optional<int64_t> MinorUnits(std::string_view text, int exponent) {
  Decimal d;
  int64_t minor = 0;
  if (!ParseDecimal(text, d) || !ToMinor(d, exponent, minor)) return std::nullopt;
  return minor;
}

std::string MinorText(int64_t minor) { return std::to_string(minor); }

std::string MajorText(int64_t minor, int exponent) {
  const bool negative = minor < 0;
  const uint64_t magnitude =
      negative ? uint64_t{0} - static_cast<uint64_t>(minor) : static_cast<uint64_t>(minor);
  std::string digits = std::to_string(magnitude);
  if (exponent > 0) {
    const size_t e = static_cast<size_t>(exponent);
    if (digits.size() <= e) digits = std::string(e + 1 - digits.size(), '0') + digits;
    // Built by appending: GCC 12's -Wrestrict misfires on insert() at -O2.
    const size_t point = digits.size() - e;
    std::string text = digits.substr(0, point);
    text += '.';
    text.append(digits, point, e);
    digits = std::move(text);
  }
  return negative ? "-" + digits : digits;
}

}  // namespace cartsync
