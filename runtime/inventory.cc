#include "runtime/inventory.h"

#include <algorithm>

namespace cartsync {

InventoryComputation ComputeInventory(const CartConfig& cart,
                                      const std::vector<InventoryRecord>& records,
                                      const AliasIndex& aliases,
                                      const std::vector<WmsOrder>& sent_after_snapshot,
                                      const std::map<std::string, int64_t>& last_pushed) {
  std::map<std::string, int64_t> stock;  // WMS SKU -> quantity
  bool all = cart.sync_inventory_with == "all";
  for (const InventoryRecord& r : records) {
    if (!all && r.warehouse != cart.sync_inventory_with) {
      stock.try_emplace(r.sku, 0);  // known SKU, none in this warehouse
      continue;
    }
    stock[r.sku] += cart.inventory_quantity == InventoryQuantity::OnHand ? r.on_hand : r.available;
  }
  for (const WmsOrder& o : sent_after_snapshot)
    for (const OrderLine& line : o.lines) {
      auto it = stock.find(line.sku);
      if (it != stock.end()) it->second -= line.quantity;
    }

  InventoryComputation out;
  const std::string& alias = cart.sync_inventory_alias;
  for (auto& [sku, raw] : stock) {
    int64_t qty = std::max<int64_t>(0, raw);
    if (qty < cart.minimum_inventory_level) qty = 0;
    std::string cart_sku = sku;
    if (alias != "master_sku") {
      auto a = aliases.alias_by_sku.find(sku);
      if (a == aliases.alias_by_sku.end() || !a->second.count(alias)) {
        ++out.unaliased;
        continue;
      }
      cart_sku = a->second.at(alias);
    }
    if (!ItemPassesFilter(cart.items, cart_sku)) {
      ++out.filtered;
      continue;
    }
    out.quantities[cart_sku] = qty;
  }
  for (const auto& [sku, qty] : out.quantities) {
    auto last = last_pushed.find(sku);
    if (last != last_pushed.end() && last->second == qty) {
      ++out.unchanged;
      continue;
    }
    out.pushes.push_back({sku, qty});
  }
  return out;
}

}  // namespace cartsync
