// The documents that cross the runtime's boundaries (wms-contract.md):
// orders as carts give them (normalized), orders as the WMS receives them,
// shipments, inventory and aliases — with their JSON forms.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cartsync {

struct Address {
  std::string name, company, address1, address2, city, region, postal_code, country, phone, email;
};

struct OrderLine {
  std::string line_key;  ///< the cart's line id
  std::string sku;
  int64_t quantity = 0;
  /// unit_list_price in major units with the currency's decimals ("19.99",
  /// JPY "1500"): the contract's original field, kept for WMSes reading it.
  std::string unit_price;
  // Money (wms-contract.md, "Money"): amounts in the order's currency, as
  // decimal strings of minor units ("1999" = 19.99 USD); "" = not given.
  std::string unit_list_price;  ///< one unit before any discount
  std::string unit_discount;    ///< `discount` / the quantity ordered, rounded
  std::string discount;         ///< all discounts on the line as ordered
  std::string tax;              ///< all tax on the line as ordered
};

/// Order totals, minor units as in OrderLine ("" = not given).
struct MoneyTotals {
  std::string subtotal;  ///< the items before discounts
  std::string shipping;  ///< shipping charged, before discounts
  std::string discount;  ///< all discounts (items, order, shipping)
  std::string tax;       ///< all tax
  std::string total;     ///< what the customer pays
};

/// The money of an order, as one connector maps it from its platform.
struct OrderMoney {
  std::string currency;         ///< ISO 4217 code; "" = the cart said none
  bool taxes_included = false;  ///< list prices, discounts, shipping include tax
  MoneyTotals totals;
};

/// An order as a connector normalizes it from any platform.
struct CartOrder {
  std::string id;            ///< the cart's order id
  std::string order_number;  ///< what people see, e.g. "#1001"
  std::string placed_at;     ///< UTC ISO 8601
  std::string updated_at;    ///< UTC ISO 8601 (drives the download cursor)
  std::string status;        ///< platform status, for reports
  std::string ship_code;     ///< what [ship_methods] maps ("" when none)
  Address ship_to;
  std::vector<OrderLine> lines;
  OrderMoney money;
  /// Canceled at the cart (each connector reads its platform's mark:
  /// Shopify cancelledAt, WooCommerce "cancelled", BigCommerce status_id 5,
  /// Magento "canceled", Amazon/eBay/Walmart their canceled states). The
  /// runtime never sends such an order and cancels a sent one at the WMS.
  bool canceled = false;
};

struct ShipMethod {
  std::string cart_code, carrier, service;  ///< carrier/service empty = passed through unmapped
};

/// The order document the WMS receives.
struct WmsOrder {
  std::string order_key;  ///< "<cart_id>:<order id>": the idempotency key
  std::string cart_id, client, order_number, placed_at;
  Address ship_to;
  ShipMethod ship_method;
  std::vector<OrderLine> lines;
  OrderMoney money;
  std::map<std::string, std::string> wms_fields;  ///< values as JSON text
};

struct ShipmentLine {
  std::string line_key, sku;
  int64_t quantity = 0;
};

struct Shipment {
  std::string order_key, carrier, service, tracking_number, shipped_at;
  std::vector<ShipmentLine> lines;
};

struct InventoryRecord {
  std::string sku, warehouse;
  int64_t available = 0, on_hand = 0;
  std::string client;  ///< the WMS client (merchant) it belongs to; "" = not said
};

struct AliasRecord {
  std::string sku;
  std::map<std::string, std::string> aliases;  ///< alias type -> value
  std::string client;  ///< the WMS client (merchant) it belongs to; "" = not said
};

std::string OrderKey(std::string_view cart_id, std::string_view order_id);

std::string ToJson(const CartOrder& o);
std::string ToJson(const WmsOrder& o);
std::string ToJson(const Shipment& s);
bool FromJson(std::string_view json, CartOrder& out, std::string& error);
bool FromJson(std::string_view json, WmsOrder& out, std::string& error);
bool FromJson(std::string_view json, Shipment& out, std::string& error);
bool FromJson(std::string_view json, InventoryRecord& out, std::string& error);
bool FromJson(std::string_view json, AliasRecord& out, std::string& error);

/// Value-level readers for transports that parse arrays of documents.
bool ReadShipment(const rapidjson::Value& v, Shipment& out, std::string& error);
bool ReadInventory(const rapidjson::Value& v, InventoryRecord& out, std::string& error);
bool ReadAlias(const rapidjson::Value& v, AliasRecord& out, std::string& error);

}  // namespace cartsync
