#include "runtime/carts/order_money.h"

#include <cctype>

#include "base/money.h"

namespace cartsync::order_money {

Money::Money(std::string_view currency) {
  for (char c : currency)
    currency_ += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  exponent_ = CurrencyExponent(currency_);
}

std::optional<int64_t> Money::Minor(std::string_view decimal) const {
  if (!exponent_ || decimal.empty()) return std::nullopt;
  return MinorUnits(decimal, *exponent_);
}

std::string Money::Text(std::string_view decimal) const { return MinorOrEmpty(Minor(decimal)); }

void Money::SetLineMinor(OrderLine& line, std::optional<int64_t> unit_list_price,
                         std::optional<int64_t> discount, std::optional<int64_t> tax,
                         int64_t ordered) const {
  line.unit_list_price = MinorOrEmpty(unit_list_price);
  line.unit_price = unit_list_price && exponent_ ? MajorText(*unit_list_price, *exponent_) : "";
  line.discount = MinorOrEmpty(discount);
  line.tax = MinorOrEmpty(tax);
  line.unit_discount.clear();
  if (discount && ordered > 0) {
    int64_t per_unit = 0;
    if (DivideToMinor(Decimal{*discount, 0}, ordered, 0, per_unit))
      line.unit_discount = MinorText(per_unit);
  }
}

void Money::SetLine(OrderLine& line, std::string_view unit_list_price, std::string_view discount,
                    std::string_view tax, int64_t ordered) const {
  SetLineMinor(line, Minor(unit_list_price), Minor(discount), Minor(tax), ordered);
}

std::optional<int64_t> Money::UnitFromTotal(std::string_view total, int64_t ordered) const {
  Decimal d;
  int64_t minor = 0;
  if (exponent_ && ordered > 0 && ParseDecimal(total, d) &&
      DivideToMinor(d, ordered, *exponent_, minor))
    return minor;
  return std::nullopt;
}

void Money::SetLineFromTotal(OrderLine& line, std::string_view list_total,
                             std::string_view discount, std::string_view tax,
                             int64_t ordered) const {
  SetLineMinor(line, UnitFromTotal(list_total, ordered), Minor(discount), Minor(tax), ordered);
}

std::string MinorOrEmpty(std::optional<int64_t> v) { return v ? MinorText(*v) : std::string(); }

void Accumulate(std::optional<int64_t>& sum, std::optional<int64_t> v) {
  if (!sum || !v) {
    sum = std::nullopt;
    return;
  }
  *sum += *v;
}

}  // namespace cartsync::order_money
