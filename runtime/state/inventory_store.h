// The inventory role of the state store: what inventory upload needs — the
// quantity last pushed per SKU (only changes are pushed again), and the
// orders sent to the WMS after its stock snapshot was taken (their
// quantities are subtracted: the snapshot does not know them yet).
//
// SentSince reads orders, but it lives here rather than in OrderStore
// because inventory upload is its only caller: with it, that step needs this
// role alone. Part of StateStore (state_store.h); each method is one
// transaction.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"

namespace cartsync {

class InventoryStore {
 public:
  virtual ~InventoryStore() = default;

  /// SKU -> the quantity last pushed to the cart; empty for a cart never pushed.
  virtual Result<std::map<std::string, int64_t>> PushedInventory(const std::string& cart_id) = 0;
  /// Sets the pushed quantity of each (SKU, quantity) of `pushed`; other
  /// SKUs of the cart keep theirs.
  virtual Status RecordPushedInventory(const std::string& cart_id,
                                       const std::vector<std::pair<std::string, int64_t>>& pushed,
                                       int64_t now_ms) = 0;
  /// The WMS documents (OrderRecord::wms_order_json) of the orders of
  /// `cart_ids` sent at or after `since_ms` and still Sent, Shipped or
  /// Confirmed (a canceled or resent order no longer counts); cart by cart
  /// in the order given, each by sent_ms then order_key. One consistent
  /// snapshot across the carts.
  virtual Result<std::vector<std::string>> SentSince(const std::vector<std::string>& cart_ids,
                                                     int64_t since_ms) = 0;
};

}  // namespace cartsync
