// The order document's money (wms-contract.md, "Money"), one way for every
// connector: amounts the platform gives as exact decimal text become minor
// units of the order's currency (base/money.h), never through a double.
// Each connector decides only which of its platform's fields is which.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "runtime/documents.h"

namespace cartsync::order_money {

/// Reads one order's amounts in `currency` (an ISO 4217 code; one the table
/// does not know leaves every amount "": the WMS cannot interpret it).
class Money {
 public:
  explicit Money(std::string_view currency);

  const std::string& currency() const { return currency_; }
  bool known() const { return exponent_.has_value(); }

  /// A decimal text in minor units; nullopt when empty, unreadable or the
  /// currency is unknown.
  std::optional<int64_t> Minor(std::string_view decimal) const;
  /// The same as the document writes it ("" for nullopt).
  std::string Text(std::string_view decimal) const;

  /// A line from its unit list price, the line's total discount and tax
  /// (each a decimal text or "") for `ordered` units.
  void SetLine(OrderLine& line, std::string_view unit_list_price, std::string_view discount,
               std::string_view tax, int64_t ordered) const;
  /// `total` / `ordered` in minor units, rounded; nullopt when unreadable.
  std::optional<int64_t> UnitFromTotal(std::string_view total, int64_t ordered) const;
  /// Like SetLine, with the line's list total (before discounts) instead of
  /// the unit price: the unit price is list total / ordered, rounded.
  void SetLineFromTotal(OrderLine& line, std::string_view list_total, std::string_view discount,
                        std::string_view tax, int64_t ordered) const;
  /// Like SetLine with amounts already in minor units.
  void SetLineMinor(OrderLine& line, std::optional<int64_t> unit_list_price,
                    std::optional<int64_t> discount, std::optional<int64_t> tax,
                    int64_t ordered) const;

 private:
  std::string currency_;
  std::optional<int> exponent_;
};

/// "" or the minor units as text.
std::string MinorOrEmpty(std::optional<int64_t> v);

/// Adds `v` to `sum` (nullopt poisons: a missing part makes the sum unknown).
void Accumulate(std::optional<int64_t>& sum, std::optional<int64_t> v);

}  // namespace cartsync::order_money
