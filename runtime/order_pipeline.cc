#include "runtime/order_pipeline.h"

#include <algorithm>

#include "base/strings.h"
#include "model/glob.h"
#include "model/plan_json.h"
#include "runtime/clock.h"

namespace cartsync {

AliasIndex AliasIndex::Build(const std::vector<AliasRecord>& aliases) {
  AliasIndex index;
  for (const AliasRecord& a : aliases) {
    index.alias_by_sku[a.sku] = a.aliases;
    for (const auto& [type, value] : a.aliases) index.sku_by_alias[type][value] = a.sku;
  }
  return index;
}

std::string OrderFieldValue(const CartOrder& o, const CartConfig& cart, const std::string& field) {
  const Address& a = o.ship_to;
  if (field == "order_key") return OrderKey(cart.id, o.id);
  if (field == "cart_id") return cart.id;
  if (field == "client") return cart.client;
  if (field == "order_number") return o.order_number;
  if (field == "placed_at") return o.placed_at;
  if (field == "ship_method.cart_code") return o.ship_code;
  const std::pair<const char*, const std::string*> address[] = {
      {"ship_to.name", &a.name},
      {"ship_to.company", &a.company},
      {"ship_to.address1", &a.address1},
      {"ship_to.address2", &a.address2},
      {"ship_to.city", &a.city},
      {"ship_to.region", &a.region},
      {"ship_to.postal_code", &a.postal_code},
      {"ship_to.country", &a.country},
      {"ship_to.phone", &a.phone},
      {"ship_to.email", &a.email}};
  for (const auto& [name, value] : address)
    if (field == name) return *value;
  return {};
}

bool ItemPassesFilter(const ItemRules& items, const std::string& sku) {
  if (items.filter == ItemFilter::Disabled) return true;
  bool listed = std::any_of(items.skus.begin(), items.skus.end(),
                            [&](const std::string& p) { return GlobMatch(p, sku); });
  return items.filter == ItemFilter::Whitelist ? listed : !listed;
}

namespace {

bool Matches(FilterMatch m, const std::string& value, const std::string& pattern) {
  switch (m) {
    case FilterMatch::Exact:
      return value == pattern;
    case FilterMatch::Prefix:
      return value.rfind(pattern, 0) == 0;
    case FilterMatch::Suffix:
      return value.size() >= pattern.size() &&
             value.compare(value.size() - pattern.size(), pattern.size(), pattern) == 0;
  }
  return false;
}

// Returns the reason the order fails `f`, or "" when it passes.
std::string FilterFailure(const OrderFilter& f, const std::string& value) {
  auto hit = std::find_if(f.values.begin(), f.values.end(),
                          [&](const std::string& v) { return Matches(f.match, value, v); });
  std::string how = f.match == FilterMatch::Exact
                        ? ""
                        : std::string(" (") + std::string(FilterMatchName(f.match)) + ")";
  if (f.mode == FilterMode::Required && hit == f.values.end())
    return f.field + " " + Quote(value) + " matches none of " + JoinQuoted(f.values) + how;
  if (f.mode == FilterMode::Restricted && hit != f.values.end())
    return f.field + " " + Quote(value) + " matches restricted " + Quote(*hit) + how;
  return {};
}

std::string FieldJson(const FieldValue& v) {
  switch (v.type) {
    case FieldType::Integer:
      return std::to_string(v.integer);
    default: {
      std::string out = "\"";
      for (char c : v.text) {
        if (c == '"' || c == '\\') out += '\\';
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
          continue;
        }
        out += c;
      }
      return out + "\"";
    }
  }
}

}  // namespace

const ShipMapping* FindShipMapping(const std::vector<ShipMapping>& ship_methods,
                                   std::string_view ship_code) {
  auto mapping = std::find_if(ship_methods.begin(), ship_methods.end(), [&](const ShipMapping& m) {
    switch (m.match) {
      case ShipMatch::Exact:
        return m.code == ship_code;
      case ShipMatch::Glob:
        return GlobMatch(m.code, ship_code);
      case ShipMatch::Default:
        return true;
    }
    return false;
  });
  return mapping == ship_methods.end() ? nullptr : &*mapping;
}

OrderDecision DecideOrder(const CartOrder& o, const CartConfig& cart, const AliasIndex& aliases,
                          const EarliestOrderTime* earliest_time) {
  OrderDecision d;
  auto reject = [&](Verdict v, std::string reason) {
    d.verdict = v;
    d.reason = std::move(reason);
    return d;
  };
  // 1. Earliest order date (ISO dates compare as strings).
  int64_t placed = 0;
  if (cart.earliest_order_date && earliest_time != nullptr && ParseTimestamp(o.placed_at, placed)) {
    // Midnight in the store's zone: what the merchant means by the date.
    if (placed < earliest_time->unix)
      return reject(Verdict::Skipped, "placed " + o.placed_at + ", before earliest_order_date " +
                                          cart.earliest_order_date->ToString() + " (00:00 " +
                                          earliest_time->zone + ")");
  } else if (cart.earliest_order_date) {
    std::string earliest = cart.earliest_order_date->ToString();
    if (o.placed_at.substr(0, 10) < earliest)
      return reject(Verdict::Skipped,
                    "placed " + o.placed_at + ", before earliest_order_date " + earliest);
  }
  // 2. Order filters: all must pass.
  for (const OrderFilter& f : cart.order_filters) {
    std::string why = FilterFailure(f, OrderFieldValue(o, cart, f.field));
    if (!why.empty()) return reject(Verdict::Skipped, "order filter: " + why);
  }
  // 3. Item filter, per line or for the whole order.
  std::vector<OrderLine> lines;
  for (const OrderLine& line : o.lines) {
    if (ItemPassesFilter(cart.items, line.sku)) {
      lines.push_back(line);
    } else if (cart.items.level == FilterLevel::Order) {
      return reject(Verdict::Held, "item " + Quote(line.sku) +
                                       " is excluded by [items] (filter_level = \"order\")");
    }
  }
  if (lines.empty())
    return reject(Verdict::Skipped,
                  o.lines.empty() ? "order has no items" : "every item is excluded by [items]");
  // 4. Item codes: the cart's SKU is an alias of the WMS SKU.
  const std::string& alias = cart.items.translate_item_code;
  if (alias != "master_sku") {
    auto by_type = aliases.sku_by_alias.find(alias);
    for (OrderLine& line : lines) {
      if (by_type != aliases.sku_by_alias.end()) {
        auto hit = by_type->second.find(line.sku);
        if (hit != by_type->second.end()) {
          line.sku = hit->second;
          continue;
        }
      }
      if (!aliases.alias_by_sku.count(line.sku))
        return reject(Verdict::Held,
                      "item " + Quote(line.sku) + " has no WMS SKU with alias " + alias);
    }
  }
  // 5. Ship method: the plan lists mappings in priority order.
  d.order.ship_method.cart_code = o.ship_code;
  const ShipMapping* mapping = FindShipMapping(cart.ship_methods, o.ship_code);
  if (mapping != nullptr) {
    d.order.ship_method.carrier = mapping->target.carrier;
    d.order.ship_method.service = mapping->target.service;
  } else if (cart.reject_unmapped_ship_codes) {
    // No ship code at all (a pickup, a digital order, a shipping line the
    // cart dropped) is said as such: `ship code ""` reads like a parse error.
    return reject(Verdict::Held,
                  o.ship_code.empty()
                      ? "the order has no ship code, and [ship_methods] has no \"*\" to map it"
                      : "ship code " + Quote(o.ship_code) + " is not mapped in [ship_methods]");
  }
  WmsOrder& w = d.order;
  w.order_key = OrderKey(cart.id, o.id);
  w.cart_id = cart.id;
  w.client = cart.client;
  w.order_number = o.order_number;
  w.placed_at = o.placed_at;
  w.ship_to = o.ship_to;
  w.lines = std::move(lines);
  w.money = o.money;  // the cart's order totals, also when [items] left lines out
  for (const auto& [name, value] : cart.wms_fields) w.wms_fields[name] = FieldJson(value);
  d.verdict = Verdict::Send;
  return d;
}

}  // namespace cartsync
