// Validated configuration as typed structs: what the checker produces, the
// planner puts into a plan and the runtime reads. Nothing here is a string map of raw TOML.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/defaults.h"
#include "model/field.h"
#include "model/schedule.h"
#include "model/secret_ref.h"
#include "model/service.h"
#include "model/ship_target.h"

namespace cartsync {

struct Date {
  int year = 0, month = 0, day = 0;
  std::string ToString() const;  ///< YYYY-MM-DD
  friend auto operator<=>(const Date&, const Date&) = default;
};

/// A validated field value of [api], [wms.NAME] or [wms_fields].
struct FieldValue {
  FieldType type = FieldType::String;
  std::string text;                 ///< String, Url, Enum
  int64_t integer = 0;              ///< Integer
  std::optional<SecretRef> secret;  ///< Secret: the reference, never a value
  std::vector<std::string> list;    ///< StringArray
};
using FieldValues = std::map<std::string, FieldValue>;

struct ServiceConfig {
  bool enabled = false;
  std::optional<Schedule> every;
};

/// How a [ship_methods] key matches a cart ship code. Order is priority.
enum class ShipMatch { Exact, Glob, Default };
std::string_view ShipMatchName(ShipMatch m);
struct ShipMapping {
  ShipMatch match = ShipMatch::Exact;
  std::string code;  ///< the key: exact code, glob, or "*"
  ShipTarget target;
};

enum class ItemFilter { Disabled, Whitelist, Blacklist };
enum class FilterLevel { Item, Order };
std::string_view ItemFilterName(ItemFilter f);
std::string_view FilterLevelName(FilterLevel l);
struct ItemRules {
  std::string translate_item_code = "master_sku";
  ItemFilter filter = ItemFilter::Disabled;
  FilterLevel level = FilterLevel::Item;
  std::vector<std::string> skus;
};

enum class FilterMatch { Exact, Prefix, Suffix };
enum class FilterMode { Required, Restricted };
std::string_view FilterMatchName(FilterMatch m);
std::string_view FilterModeName(FilterMode m);
struct OrderFilter {
  std::string field;
  FilterMatch match = FilterMatch::Exact;
  std::vector<std::string> values;
  FilterMode mode = FilterMode::Required;
};

struct CartConfig {
  std::string id, client, platform, name, wms;
  std::string source;                                        ///< project-relative path of the file
  FieldValues api;                                           ///< with descriptor defaults filled in
  std::array<ServiceConfig, 3> services;                     ///< indexed by Service
  std::map<std::string, std::vector<std::string>> statuses;  ///< every dimension, defaults filled
  bool reject_unmapped_ship_codes = false;
  std::optional<Date> earliest_order_date;
  std::string sync_inventory_with = "all";
  std::string sync_inventory_alias = "master_sku";
  int64_t minimum_inventory_level = 0;
  InventoryQuantity inventory_quantity = InventoryQuantity::Available;
  std::vector<ShipMapping> ship_methods;  ///< in match priority order
  ItemRules items;
  std::vector<OrderFilter> order_filters;
  std::map<std::string, std::string> carrier_codes;
  FieldValues wms_fields;

  const ServiceConfig& service(Service s) const { return services[static_cast<size_t>(s)]; }
};

struct WmsConfig {
  std::string name;
  std::string system;
  FieldValues fields;
  std::vector<std::string> warehouses, carriers, alias_types;
  std::vector<FieldSpec> cart_fields;
};

/// The events a [[notify]] webhook can be sent (cart-format.md "State,
/// retention and alerts"), in the order the docs list them.
inline const std::vector<std::string>& NotifyEvents() {
  static const std::vector<std::string> kEvents = {"held", "step_failed", "retry_exhausted",
                                                   "cancel_too_late"};
  return kEvents;
}

/// One [[notify]] table: an alert webhook.
struct NotifyConfig {
  SecretRef url;                    ///< the incoming-webhook URL: a secret, never a value
  std::string format = "slack";     ///< "slack" ({"text": …}) | "json" (the event document)
  std::vector<std::string> events;  ///< a subset of NotifyEvents(), in that order; default all
  /// How the state store names this target: the reference and the format
  /// (never the URL).
  std::string Target() const { return url.Text() + "|" + format; }
};

struct ProjectConfig {
  std::string carts_dir = "carts.d";
  std::string state_url = kDefaultStateUrl;
  std::optional<SecretRef> state_password;  ///< [state].password: the reference, never a value
  /// [state].retain_pii in seconds, when set; unset: kDefaultRetainPiiSeconds.
  std::optional<int64_t> retain_pii_s;
  std::map<std::string, WmsConfig> wms;
  std::vector<NotifyConfig> notify;  ///< [[notify]] webhooks, in file order
};

}  // namespace cartsync
