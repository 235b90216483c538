// Canceling an order at a cart, as a merchant would in the admin: the
// platform's own canceled mark (Shopify cancelledAt, WooCommerce
// "cancelled", BigCommerce status_id 5, Magento "canceled", Amazon
// CANCELLED, eBay cancelStatus.cancelState CANCELED, Walmart every line
// Cancelled), with the order's modification time moved to now, so a
// connector's "modified since" pull sees it. POST /_sim/cancel and
// Simulator::CancelCartOrder.
#include <algorithm>

#include "tools/simulator/sim_internal.h"

namespace cartsync::sim::detail {

bool CancelStoreOrder(World& world, Store& store, const std::string& order_id, std::string* error) {
  Order* order = nullptr;
  for (Order& o : store.orders)
    if (OrderIdText(store, o) == order_id || std::to_string(o.id) == order_id) order = &o;
  if (order == nullptr) {
    if (error) *error = "no order " + order_id + " in this store";
    return false;
  }
  Order& o = *order;
  // Later than anything the store has said so far: the next "modified
  // since" pull returns it.
  int64_t now = world.NowSeconds();
  for (const Order& other : store.orders) now = std::max(now, other.updated);
  now += 1;
  const std::string before = o.status;
  switch (store.platform) {
    case Platform::kShopify:
      o.status = "cancelled";
      o.cancelled_at = now;
      if (o.closed_at == 0) o.closed_at = now;
      break;
    case Platform::kWoo:
      o.status = "cancelled";
      break;
    case Platform::kBigCommerce:
      o.status = "Cancelled";
      o.bc_status_id = 5;
      break;
    case Platform::kMagento:
      o.status = "canceled";
      break;
    case Platform::kAmazon:
      o.status = "CANCELLED";
      break;
    case Platform::kEbay:
      o.cancelled_at = now;  // cancelStatus.cancelState = CANCELED (sim_ebay.cc)
      break;
    case Platform::kWalmart:
      o.status = "Cancelled";
      break;
  }
  o.updated = now;
  if (before != o.status) world.RecordStatus(store, o, before, o.status);
  return true;
}

}  // namespace cartsync::sim::detail
