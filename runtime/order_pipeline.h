// What happens to one downloaded order, as a pure function of the order,
// the cart's configuration and the WMS's aliases: send (with the WMS
// document), hold (a person must act) or skip (it is not ours to send).
// Rules apply in the order of the runtime issue: earliest date, order
// filters, item filters, item-code translation, ship-method map.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "model/config.h"
#include "runtime/documents.h"

namespace cartsync {

/// WMS aliases indexed both ways.
struct AliasIndex {
  std::map<std::string, std::map<std::string, std::string>> sku_by_alias;  ///< type -> value -> sku
  std::map<std::string, std::map<std::string, std::string>> alias_by_sku;  ///< sku -> type -> value
  static AliasIndex Build(const std::vector<AliasRecord>& aliases);
};

enum class Verdict { Send, Held, Skipped };

struct OrderDecision {
  Verdict verdict = Verdict::Send;
  std::string reason;  ///< why held or skipped
  WmsOrder order;      ///< the document to send (complete only when Send)
};

/// Held for this reason only a person can release (state resend).
inline constexpr const char* kRetryWindowExhausted = "retry window exhausted";

/// earliest_order_date as an instant: 00:00 of the date in the store's time
/// zone (CartConnector::StoreTimeZone).
struct EarliestOrderTime {
  int64_t unix = 0;
  std::string zone;  ///< for the skip reason, e.g. "America/Los_Angeles"
};

/// `earliest` null: earliest_order_date is taken as 00:00 UTC.
OrderDecision DecideOrder(const CartOrder& order, const CartConfig& cart, const AliasIndex& aliases,
                          const EarliestOrderTime* earliest = nullptr);

/// The [ship_methods] entry mapping `ship_code` (they are in priority order:
/// exact, glob, "*"); nullptr when none does. DecideOrder and the doctor use it.
const ShipMapping* FindShipMapping(const std::vector<ShipMapping>& ship_methods,
                                   std::string_view ship_code);

/// The value of an order document field named by [[order_filters]].field.
std::string OrderFieldValue(const CartOrder& order, const CartConfig& cart,
                            const std::string& field);

/// Whether a cart SKU passes [items] (also used for inventory).
bool ItemPassesFilter(const ItemRules& items, const std::string& sku);

}  // namespace cartsync
