// What to tell a cart about stock, as a pure function of the WMS snapshot,
// its aliases, orders sent since the snapshot and what was pushed last.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "model/config.h"
#include "runtime/carts/cart_connector.h"
#include "runtime/documents.h"
#include "runtime/order_pipeline.h"

namespace cartsync {

/// A SKU the cart does not sell (PushError::not_in_cart): counted as
/// `skus_not_in_cart` and skipped, never a failure of the step.
inline bool IsSkuNotInCart(const PushError& e) { return e.not_in_cart; }

struct InventoryComputation {
  std::vector<InventoryPush> pushes;          ///< only quantities that changed, sorted by SKU
  std::map<std::string, int64_t> quantities;  ///< every cart SKU considered -> quantity
  int unaliased = 0;                          ///< WMS SKUs without the cart's alias (ignored)
  int filtered = 0;                           ///< SKUs excluded by [items]
  int unchanged = 0;                          ///< same as last pushed
};

/// Per WMS SKU: the chosen warehouse (or the sum of all), of the quantity the
/// platform syncs, minus the lines of `sent_after_snapshot` (orders the WMS
/// had not seen when it counted), floored at 0, below the minimum -> 0; then
/// through the alias to the cart's SKU, the item filter, and the last push.
InventoryComputation ComputeInventory(const CartConfig& cart,
                                      const std::vector<InventoryRecord>& records,
                                      const AliasIndex& aliases,
                                      const std::vector<WmsOrder>& sent_after_snapshot,
                                      const std::map<std::string, int64_t>& last_pushed);

}  // namespace cartsync
