// Cart files and project files for tests, written from named settings instead
// of copied fixture strings:
//
//   CartToml().Id("acme").Client("acme").Platform("shopify")
//       .Api("store_url", "https://acme.myshopify.com")
//       .ApiSecret("access_token", "env:ACME_TOKEN")
//       .Every(Service::OrderDownload, "15m")
//       .ShipMethod("Standard", "UPS/GROUND")
//       .Text();
//
// Only what is set is written, one table after another in the order of
// docs/cart-format.md; setting a key again replaces its value. The texts are
// for tests that need a valid file and vary one thing: golden tests that
// assert a line and column keep their fixture text literal.
//
// Named edits (Replaced, WithValue) change one thing in a text that is not
// built here (a sample project's file, a golden fixture).
#pragma once

#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/service.h"

namespace cartsync {

/// `text` as a TOML basic string, quotes included: "a \"b\"".
std::string TomlString(std::string_view text);
/// A TOML array of basic strings: ["a", "b"].
std::string TomlStrings(const std::vector<std::string>& items);

/// Keys and their values (TOML text) in the order first set.
class TomlTable {
 public:
  /// Sets `key` (TOML key text, quoted when it must be) to `value` (TOML
  /// value text); a key set before keeps its place.
  void Set(const std::string& key, std::string value);
  bool empty() const { return entries_.empty(); }
  /// "key = value\n" per entry.
  std::string Body() const;

 private:
  std::vector<std::pair<std::string, std::string>> entries_;
};

/// The text of one cart file (carts.d/NAME.toml).
class CartToml {
 public:
  // [cart]
  CartToml& Id(std::string_view id);
  CartToml& Client(std::string_view client);
  CartToml& Platform(std::string_view platform);
  CartToml& Name(std::string_view name);
  /// The WMS connection (`[cart] wms`); without it the project's only one.
  CartToml& Wms(std::string_view wms);

  // [api]
  /// A string field: Api("store_url", "https://acme.myshopify.com").
  CartToml& Api(std::string_view key, std::string_view text);
  /// A secret field: ApiSecret("access_token", "env:ACME_TOKEN").
  CartToml& ApiSecret(std::string_view key, std::string_view reference);

  // [services.NAME]
  /// Enables `service`, running on schedule `every` ("15m", "hourly",
  /// "daily at 02:30 Europe/Berlin").
  CartToml& Every(Service service, std::string_view every);
  /// Writes `service` with enabled = false, keeping a schedule.
  CartToml& Disabled(Service service, std::string_view every);

  // [statuses]
  /// The statuses of one dimension: Statuses("status", {"open"}).
  CartToml& Statuses(std::string_view dimension, const std::vector<std::string>& values);

  // [order_load]
  /// A TOML local date: EarliestOrderDate("2026-01-01").
  CartToml& EarliestOrderDate(std::string_view date);
  CartToml& RejectUnmappedShipCodes(bool reject = true);
  CartToml& MinimumInventoryLevel(int64_t level);
  CartToml& SyncInventoryWith(std::string_view warehouse);
  CartToml& SyncInventoryAlias(std::string_view alias);

  // [ship_methods]
  /// One mapping: ShipMethod("Express*", "FEDEX/FEDEX_2_DAY").
  CartToml& ShipMethod(std::string_view code, std::string_view target);

  // [items]
  /// filter = `filter` ("whitelist", "blacklist", "disabled") and its skus.
  CartToml& Items(std::string_view filter, const std::vector<std::string>& skus);
  CartToml& TranslateItemCode(std::string_view alias);

  // [[order_filters]]
  /// One more order filter: OrderFilter("ship_to.country", {"US", "CA"}).
  CartToml& OrderFilter(std::string_view field, const std::vector<std::string>& values);

  // [carrier_codes]
  /// The cart's code for a WMS carrier: CarrierCode("UPS", "ups").
  CartToml& CarrierCode(std::string_view wms_carrier, std::string_view cart_code);

  /// Lines written as they are after everything else (for what has no
  /// setter); `toml` ends in a newline.
  CartToml& Raw(std::string_view toml);

  std::string Text() const;

 private:
  TomlTable cart_, api_, services_[std::size(kAllServices)], statuses_, order_load_, ship_methods_,
      items_, carrier_codes_;
  std::vector<TomlTable> order_filters_;
  std::string raw_;
};

/// The text of a project file (cartsync.toml) with one WMS connection,
/// "main". Unless told otherwise: system "http", url
/// "https://wms.example.com/api", warehouses "east" and "west", carriers
/// "UPS", "FEDEX" and "USPS"; no [state], no token. Keys come out in the
/// order of docs/cart-format.md whatever order they are set in.
class ProjectToml {
 public:
  // [state]
  ProjectToml& StateUrl(std::string_view url);

  // [wms.main]
  ProjectToml& WmsSystem(std::string_view system);
  ProjectToml& WmsUrl(std::string_view url);
  /// token = { secret = `reference` }, e.g. "env:WMS_TOKEN".
  ProjectToml& WmsToken(std::string_view reference);
  ProjectToml& Warehouses(const std::vector<std::string>& warehouses);
  ProjectToml& Carriers(const std::vector<std::string>& carriers);
  ProjectToml& AliasTypes(const std::vector<std::string>& alias_types);

  // [defaults]
  /// A default for every cart: Default("order_load.reject_unmapped_ship_codes", "true")
  /// (`value` is TOML text).
  ProjectToml& Default(std::string_view dotted_key, std::string_view value);

  std::string Text() const;

 private:
  std::string state_url_;  ///< "": no [state]
  std::string system_ = "http", url_ = "https://wms.example.com/api", token_;
  std::vector<std::string> warehouses_{"east", "west"}, carriers_{"UPS", "FEDEX", "USPS"},
      alias_types_;
  TomlTable defaults_;
};

/// `text` with the first `from` replaced by `to`; a test failure (and `text`
/// unchanged) when `from` is not in it.
std::string Replaced(std::string text, std::string_view from, std::string_view to);

/// `text` with the value of the first `key = …` line (the key at the start
/// of the line) set to `value` (TOML text); a test failure when there is none.
std::string WithValue(std::string text, std::string_view key, std::string_view value);

}  // namespace cartsync
