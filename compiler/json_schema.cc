#include "compiler/json_schema.h"

#include <rapidjson/document.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <vector>

#include "model/config.h"
#include "model/grammar.h"

namespace cartsync {
namespace {

using rapidjson::Value;
using Writer = rapidjson::PrettyWriter<rapidjson::StringBuffer>;

/// obj's end of members as a const iterator: RapidJSON compares member iterators through a
/// const one, so two non-const ones compare ambiguously in C++20 (reversed operator==).
Value::ConstMemberIterator MembersEnd(const Value& obj) { return obj.MemberEnd(); }

// --- Patterns ----------------------------------------------------------------
// Every pattern below is written in the common subset of ECMAScript (ajv, with the
// "u" flag), Rust's regex crate (taplo) and RE2 (the compiler; pattern.h checks the
// subset, and descriptor patterns must pass it to load), and is anchored: JSON Schema
// patterns search, the compiler matches whole strings.

constexpr std::string_view kCartIdPattern = "^[a-z0-9][a-z0-9-]{0,62}$";

// grammar.cc ParseShipTarget: CARRIER/SERVICE, each [A-Za-z0-9][A-Za-z0-9_.-]*.
constexpr std::string_view kShipTargetPattern =
    "^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*$";

// grammar.cc ParseSecretRef: env:NAME or file:PATH (non-empty, no control characters).
constexpr std::string_view kSecretRefPattern =
    "^(?:env:[A-Za-z_][A-Za-z0-9_]*|file:[^\\x00-\\x1F\\x7F]+)$";

// checker.cc CheckUrl: scheme://host[:port][/path] without spaces; https:// to any host,
// http:// only to a loopback host (127.0.0.1, localhost, [::1]). Schemes are case-insensitive.
constexpr std::string_view kUrlPattern =
    "^(?:[Hh][Tt][Tt][Pp][Ss]://(?:\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9._~%-]+)"
    "|[Hh][Tt][Tt][Pp]://(?:127\\.0\\.0\\.1|localhost|\\[::1\\]))"
    "(?::[0-9]{1,5})?(?:/\\S*)?$";

// One cron field (grammar.cc ParseCronField): comma-separated terms, each `*`, `N` or `N-M`,
// `*` and ranges optionally followed by `/STEP`. `number` and `step` accept the field's range
// (leading zeros allowed, as the parser reads digits numerically) and 1..(hi - lo).
std::string CronField(std::string_view number, std::string_view step) {
  std::string n = "0*" + std::string(number);
  std::string term = "(?:(?:\\*|" + n + "-" + n + ")(?:/0*" + std::string(step) + ")?|" + n + ")";
  return term + "(?:," + term + ")*";
}

// A whole number in [lo, hi] (hi < 0: no upper bound) without leading zeros, as a
// regular expression: an alternation of digit-wise ranges (e.g. 15..1440 ->
// 1[5-9]|[2-9][0-9]|[1-9][0-9]{2}|1[0-3][0-9]{2}|14[0-3][0-9]|1440).
std::string DigitRange(std::string_view lo, std::string_view hi) {  // same length
  if (lo == hi) return std::string(lo);
  size_t k = lo.size() - 1;
  std::string any = k == 0 ? "" : k == 1 ? "[0-9]" : "[0-9]{" + std::to_string(k) + "}";
  if (lo[0] == hi[0]) return lo[0] + DigitRange(lo.substr(1), hi.substr(1));
  std::vector<std::string> parts;
  std::string zeros(k, '0'), nines(k, '9');
  char first = lo[0], last = hi[0];
  if (lo.substr(1) != zeros) parts.push_back(lo[0] + DigitRange(lo.substr(1), nines)), ++first;
  bool hi_full = hi.substr(1) == nines;
  if (!hi_full) --last;
  if (first < last) parts.push_back("[" + std::string(1, first) + "-" + last + "]" + any);
  if (first == last) parts.push_back(first + any);
  if (!hi_full) parts.push_back(hi[0] + DigitRange(zeros, hi.substr(1)));
  std::string out;
  for (const std::string& part : parts) out += (out.empty() ? "" : "|") + part;
  return parts.size() == 1 ? out : "(?:" + out + ")";
}

/// [lo, hi] (hi < 0: unbounded), lo >= 1, written without leading zeros.
std::string NumberRange(int64_t lo, int64_t hi) {
  std::string out, a = std::to_string(lo);
  for (;;) {
    std::string top(a.size(), '9');
    if (hi >= 0 && hi <= std::stoll(top)) {
      out += (out.empty() ? "" : "|") + DigitRange(a, std::to_string(hi));
      break;
    }
    out += (out.empty() ? "" : "|") + DigitRange(a, top);
    if (hi < 0) {
      out += "|[1-9][0-9]{" + std::to_string(a.size()) + ",}";
      break;
    }
    a = "1" + std::string(a.size(), '0');
  }
  return "(?:" + out + ")";
}

// The frequency bounds of each service (checker.cc CheckScheduleBounds; cart-format.md:
// order_download every 5 minutes to once a day, shipment_upload at most every 15 minutes,
// inventory_upload at most hourly). max_seconds 0: unbounded.
struct ScheduleBounds {
  int64_t min_seconds, max_seconds;
};
constexpr ScheduleBounds kScheduleBounds[] = {{300, 86400}, {900, 0}, {3600, 0}};

// An interval of the schedule grammar (a positive whole number and one unit s/m/h/d, leading
// zeros allowed) inside `bounds`, unanchored: "0*(?:5|[6-9]|…)m|0*(?:…)h".
std::string IntervalPattern(const ScheduleBounds& bounds) {
  const std::pair<char, int64_t> units[] = {{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}};
  std::string out;
  for (auto [unit, seconds] : units) {
    int64_t lo = std::max<int64_t>(1, (bounds.min_seconds + seconds - 1) / seconds);
    int64_t hi = bounds.max_seconds ? bounds.max_seconds / seconds : -1;
    if (hi >= 0 && hi < lo) continue;
    out += (out.empty() ? "0*" : "|0*") + NumberRange(lo, hi) + unit;
  }
  return out;
}

// grammar.cc ParseSchedule: an interval (a positive whole number and one unit s/m/h/d),
// `hourly`, `daily at HH:MM[ ZONE]` or `cron: MIN HOUR DAY MONTH WEEKDAY`, and only the
// intervals inside a service's `bounds` (hourly and daily are inside every service's). A
// cron expression's gaps are not checked here (`cartsync check` does).
std::string SchedulePattern(const ScheduleBounds& bounds) {
  struct {
    std::string_view number, step;
  } const fields[] = {
      {"[1-5]?[0-9]", "(?:[1-9]|[1-5][0-9])"},                  // minute 0-59
      {"(?:1?[0-9]|2[0-3])", "(?:[1-9]|1[0-9]|2[0-3])"},        // hour 0-23
      {"(?:[1-9]|[12][0-9]|3[01])", "(?:[1-9]|[12][0-9]|30)"},  // day 1-31
      {"(?:[1-9]|1[0-2])", "(?:[1-9]|1[01])"},                  // month 1-12
      {"[0-7]", "[1-7]"},                                       // weekday 0-7
  };
  std::string cron = "cron:";
  for (const auto& f : fields) cron += " +" + CronField(f.number, f.step);
  std::string out = "^(?:" + IntervalPattern(bounds);
  // hourly and daily are inside every service's bounds (3600 and 86400 seconds).
  out +=
      "|hourly"
      "|daily at (?:[01][0-9]|2[0-3]):[0-5][0-9](?: [-+A-Za-z0-9_]+(?:/[-+A-Za-z0-9_]+)*)?"
      "|" +
      cron + ")$";
  return out;
}

/// A descriptor pattern is matched against the whole value (RE2::FullMatch); in JSON
/// Schema it must be anchored explicitly. Patterns already written as ^…$ without an
/// alternation are kept as they are, for readability.
std::string WholeMatch(const std::string& pattern) {
  bool anchored = pattern.size() >= 2 && pattern.front() == '^' && pattern.back() == '$' &&
                  pattern[pattern.size() - 2] != '\\' && pattern.find('|') == std::string::npos;
  return anchored ? pattern : "^(?:" + pattern + ")$";
}

// --- Building ----------------------------------------------------------------

class Builder {
 public:
  explicit Builder(rapidjson::Document::AllocatorType& alloc) : alloc_(alloc) {}

  static Value Object() { return Value(rapidjson::kObjectType); }
  Value Str(std::string_view s) {
    return Value(s.data(), static_cast<rapidjson::SizeType>(s.size()), alloc_);
  }
  Value Strings(const std::vector<std::string>& v) {
    Value a(rapidjson::kArrayType);
    for (const std::string& s : v) a.PushBack(Str(s), alloc_);
    return a;
  }
  Value Array(std::vector<Value> items) {
    Value a(rapidjson::kArrayType);
    for (Value& v : items) a.PushBack(v, alloc_);
    return a;
  }

  /// Adds or replaces obj[key].
  void Set(Value& obj, std::string_view key, Value v) {
    auto it = obj.FindMember(Str(key));
    if (it != MembersEnd(obj))
      it->value = v;
    else
      obj.AddMember(Str(key), v, alloc_);
  }
  void Set(Value& obj, std::string_view key, std::string_view s) { Set(obj, key, Str(s)); }
  // Without this a string literal would pick the bool overload (a standard conversion).
  void Set(Value& obj, std::string_view key, const char* s) { Set(obj, key, Str(s)); }
  void Set(Value& obj, std::string_view key, const std::string& s) { Set(obj, key, Str(s)); }
  void Set(Value& obj, std::string_view key, bool b) { Set(obj, key, Value(b)); }
  void Set(Value& obj, std::string_view key, int64_t i) { Set(obj, key, Value(i)); }
  void Set(Value& obj, std::string_view key, int i) { Set(obj, key, Value(i)); }

  /// obj[key], created as an empty object when absent.
  Value& Child(Value& obj, std::string_view key) {
    auto it = obj.FindMember(Str(key));
    if (it != MembersEnd(obj)) return it->value;
    obj.AddMember(Str(key), Object(), alloc_);
    return (obj.MemberEnd() - 1)->value;
  }

  /// {"type": "object", "additionalProperties": false, "description": …}
  Value Table(std::string_view description) {
    Value t = Object();
    Set(t, "type", "object");
    Set(t, "additionalProperties", false);
    if (!description.empty()) Set(t, "description", description);
    return t;
  }

  Value Typed(std::string_view type, std::string_view description) {
    Value v = Object();
    Set(v, "type", type);
    if (!description.empty()) Set(v, "description", description);
    return v;
  }

  Value StringEnum(const std::vector<std::string>& values, std::string_view description) {
    Value v = Typed("string", description);
    Set(v, "enum", Strings(values));
    return v;
  }

  /// An array of unique strings (duplicates are an error in the compiler).
  Value StringList(std::string_view description, int min_items = 0) {
    Value v = Typed("array", description);
    Value items = Object();
    Set(items, "type", "string");
    Set(v, "items", std::move(items));
    Set(v, "uniqueItems", true);
    if (min_items > 0) Set(v, "minItems", min_items);
    return v;
  }

  Value SecretRef(std::string_view description) {
    std::string sep = description.empty() ? "" : description.back() == '.' ? " " : ". ";
    Value v =
        Table(std::string(description) + sep +
              "A secret: a reference { secret = \"env:NAME\" } or { secret = \"file:PATH\" }, "
              "never the value itself");
    Value secret = Typed("string",
                         "env:NAME (an environment variable) or file:PATH (a file "
                         "holding the value)");
    Set(secret, "pattern", kSecretRefPattern);
    Set(Child(v, "properties"), "secret", std::move(secret));
    Set(v, "required", Strings({"secret"}));
    return v;
  }

  /// One descriptor field ([api] of a platform, [wms_fields]).
  Value Field(const FieldSpec& f) {
    Value v = Object();
    switch (f.type) {
      case FieldType::Secret:
        return SecretRef(f.help);
      case FieldType::Integer:
        v = Typed("integer", f.help);
        break;
      case FieldType::Enum:
        v = StringEnum(f.values, f.help);
        break;
      case FieldType::StringArray:
        v = StringList(f.help);
        break;
      case FieldType::Url:
        v = Typed("string", f.help);
        Set(v, "pattern", kUrlPattern);
        if (!f.pattern.empty()) {
          // Both must hold; one object cannot carry two "pattern"s.
          Value extra = Object();
          Set(extra, "pattern", WholeMatch(f.pattern));
          std::vector<Value> all;
          all.push_back(std::move(extra));
          Set(v, "allOf", Array(std::move(all)));
        }
        break;
      case FieldType::String:
        v = Typed("string", f.help);
        break;
    }
    if (f.type != FieldType::Url && !f.pattern.empty()) Set(v, "pattern", WholeMatch(f.pattern));
    if (f.default_string)
      Set(v, "default", *f.default_string);
    else if (f.default_integer)
      Set(v, "default", *f.default_integer);
    return v;
  }

  rapidjson::Document::AllocatorType& alloc() { return alloc_; }

 private:
  rapidjson::Document::AllocatorType& alloc_;
};

std::string JoinNames(const std::vector<std::string>& v, std::string_view sep = ", ") {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : std::string(sep)) + s;
  return out;
}

std::string PlatformList(const Schema& schema) {
  std::vector<std::string> parts;
  for (const auto& [id, p] : schema.platforms) parts.push_back(id + " (" + p.name + ")");
  return JoinNames(parts);
}

Value CartTable(Builder& b, const Schema& schema) {
  Value cart =
      b.Table("The cart (order source): its id, the merchant it belongs to and its platform");
  Value& props = b.Child(cart, "properties");
  Value id = b.Typed("string",
                     "Unique id of the cart across the repository: lower-case letters, digits and "
                     "'-', starting with a letter or digit, at most 63 characters");
  b.Set(id, "pattern", kCartIdPattern);
  b.Set(props, "id", std::move(id));
  Value client = b.Typed("string", "The merchant/customer this cart belongs to in the WMS");
  b.Set(client, "minLength", 1);
  b.Set(props, "client", std::move(client));
  std::vector<std::string> ids;
  for (const auto& [pid, p] : schema.platforms) ids.push_back(pid);
  b.Set(props, "platform",
        b.StringEnum(ids, "The cart platform, one of the descriptors: " + PlatformList(schema)));
  b.Set(props, "name", b.Typed("string", "Optional display name"));
  b.Set(props, "wms",
        b.Typed("string",
                "A [wms.NAME] connection of cartsync.toml; default: the only one "
                "declared there"));
  b.Set(cart, "required", b.Strings({"id", "client", "platform"}));
  return cart;
}

Value ServicesTable(Builder& b) {
  Value services = b.Table(
      "The three services of a cart; each is disabled unless enabled = true, and an enabled "
      "service needs an 'every' schedule");
  Value& props = b.Child(services, "properties");
  const char* help[] = {
      ("Download new orders from the cart and send them to the WMS (every 5 minutes to once a "
       "day)"),
      "Upload tracking numbers the WMS reported back to the cart (at most every 15 minutes)",
      "Push WMS stock levels to the cart (at most hourly)",
  };
  for (Service s : kAllServices) {
    Value svc = b.Table(help[static_cast<size_t>(s)]);
    Value& sp = b.Child(svc, "properties");
    Value enabled = b.Typed("boolean", "Whether the service runs");
    b.Set(enabled, "default", false);
    b.Set(sp, "enabled", std::move(enabled));
    const char* bounds[] = {"every 5 minutes (5m, 300s) to once a day (1d, 24h)",
                            "at most every 15 minutes (15m, 900s)", "at most hourly (1h, 60m)"};
    Value every =
        b.Typed("string",
                "Schedule: an interval such as \"15m\", \"90s\", \"2h\" or \"1d\", "
                "\"hourly\", \"daily at 02:30\" (UTC) or \"daily at 02:30 Europe/Berlin\", or a "
                "five-field cron expression \"cron: */15 * * * *\"; " +
                    std::string(ServiceName(s)) + " runs " + bounds[static_cast<size_t>(s)]);
    b.Set(every, "pattern", SchedulePattern(kScheduleBounds[static_cast<size_t>(s)]));
    b.Set(sp, "every", std::move(every));
    // enabled = true needs every.
    Value cond = b.Typed("object", "");
    Value enabled_true = Builder::Object();
    b.Set(enabled_true, "const", true);
    b.Set(b.Child(cond, "properties"), "enabled", std::move(enabled_true));
    b.Set(cond, "required", b.Strings({"enabled"}));
    b.Set(svc, "if", std::move(cond));
    Value then = Builder::Object();
    b.Set(b.Child(then, "properties"), "every",
          b.Typed("string", "Required: the service is enabled"));
    b.Set(then, "required", b.Strings({"every"}));
    b.Set(svc, "then", std::move(then));
    b.Set(props, ServiceName(s), std::move(svc));
  }
  return services;
}

Value OrderLoadTable(Builder& b) {
  Value t = b.Table("Which orders download and how inventory is synced");
  Value& props = b.Child(t, "properties");
  Value reject = b.Typed("boolean",
                         "Hold orders whose ship code no [ship_methods] entry maps instead of "
                         "sending them without a carrier");
  b.Set(reject, "default", false);
  b.Set(props, "reject_unmapped_ship_codes", std::move(reject));
  // taplo (and the conversion used in tests) presents a TOML local date as an ISO string.
  Value date = b.Typed("string",
                       "TOML local date (e.g. 2026-01-01): orders placed before it are never "
                       "downloaded; required when order_download is enabled; not in the future");
  b.Set(date, "format", "date");
  b.Set(props, "earliest_order_date", std::move(date));
  Value with = b.Typed("string",
                       "\"all\" (combine all warehouses) or a warehouse id the cart's WMS "
                       "connection declares");
  b.Set(with, "default", "all");
  b.Set(props, "sync_inventory_with", std::move(with));
  Value alias = b.Typed("string",
                        "Which item code inventory is matched by: \"master_sku\" or an alias type "
                        "of the WMS");
  b.Set(alias, "default", "master_sku");
  b.Set(props, "sync_inventory_alias", std::move(alias));
  Value level = b.Typed("integer",
                        "Stock at or below this level is sent to the cart as 0; only on platforms "
                        "that sync available quantity");
  b.Set(level, "minimum", 0);
  b.Set(level, "default", 0);
  b.Set(props, "minimum_inventory_level", std::move(level));
  return t;
}

Value ShipMethodsTable(Builder& b) {
  Value t = b.Typed("object",
                    "Cart ship code -> WMS \"CARRIER/SERVICE\". Keys are exact codes or globs "
                    "(* and ?); exact codes win over globs, \"*\" is the catch-all");
  Value target =
      b.Typed("string", "WMS carrier and service, \"CARRIER/SERVICE\" (e.g. \"UPS/GROUND\")");
  b.Set(target, "pattern", kShipTargetPattern);
  b.Set(t, "additionalProperties", std::move(target));
  return t;
}

Value ItemsTable(Builder& b) {
  Value t = b.Table("Item code translation and the item filter (which also limits inventory sync)");
  Value& props = b.Child(t, "properties");
  Value translate = b.Typed("string",
                            "Which alias goes to the WMS on orders (\"master_sku\" = the cart's "
                            "SKU as-is)");
  b.Set(translate, "default", "master_sku");
  b.Set(props, "translate_item_code", std::move(translate));
  Value filter = b.StringEnum({"disabled", "whitelist", "blacklist"},
                              "disabled, whitelist (only the listed skus) or blacklist (all but "
                              "the listed skus)");
  b.Set(filter, "default", "disabled");
  b.Set(props, "filter", std::move(filter));
  Value level =
      b.StringEnum({"item", "order"}, "item drops a filtered line, order refuses the whole order");
  b.Set(level, "default", "item");
  b.Set(props, "filter_level", std::move(level));
  b.Set(props, "skus", b.StringList("SKUs or globs the filter lists"));
  return t;
}

Value OrderFiltersArray(Builder& b, const Schema& schema) {
  Value a = b.Typed("array",
                    "Order filters ([[order_filters]]); all must pass, a failing order is "
                    "recorded as skipped with the reason");
  b.Set(a, "minItems", 1);
  Value f = b.Table(
      "One filter: an order passes when `field` matches one of `values` "
      "(mode required) or none of them (mode restricted)");
  Value& props = b.Child(f, "properties");
  b.Set(props, "field",
        b.StringEnum(schema.order_fields, "A field of the normalized order document"));
  Value match =
      b.StringEnum({"exact", "prefix", "suffix"}, "How values are compared with the field");
  b.Set(match, "default", "exact");
  b.Set(props, "match", std::move(match));
  b.Set(props, "values", b.StringList("Values to compare with", 1));
  Value mode = b.StringEnum({"required", "restricted"},
                            "required: the field must match one value; restricted: it must match "
                            "none");
  b.Set(mode, "default", "required");
  b.Set(props, "mode", std::move(mode));
  b.Set(f, "required", b.Strings({"field", "values"}));
  b.Set(a, "items", std::move(f));
  return a;
}

Value CarrierCodesTable(Builder& b) {
  Value t = b.Typed("object",
                    "Return direction: WMS carrier code -> the carrier code the cart knows "
                    "(unlisted codes pass through unchanged)");
  b.Set(t, "additionalProperties", b.Typed("string", "The cart's carrier code"));
  return t;
}

Value WmsFieldsTable(Builder& b) {
  // The fields are declared per connection in cartsync.toml ([wms.NAME.cart_fields],
  // types string, integer or enum), which a schema of the cart file alone cannot see.
  Value t = b.Typed("object",
                    "Cart-level fields the cart's WMS connection requires, as declared in "
                    "cartsync.toml [wms.NAME.cart_fields]");
  Value value = Builder::Object();
  std::vector<Value> types;
  types.push_back(b.Typed("string", ""));
  types.push_back(b.Typed("integer", ""));
  b.Set(value, "anyOf", b.Array(std::move(types)));
  b.Set(t, "additionalProperties", std::move(value));
  return t;
}

/// {"if": cart.platform == id, "then": [api], [statuses] and restrictions of the platform}.
Value PlatformBranch(Builder& b, const PlatformDescriptor& p) {
  Value cond = b.Typed("object", "");
  Value cart = b.Typed("object", "");
  Value platform = Builder::Object();
  b.Set(platform, "const", p.id);
  b.Set(b.Child(cart, "properties"), "platform", std::move(platform));
  b.Set(cart, "required", b.Strings({"platform"}));
  b.Set(b.Child(cond, "properties"), "cart", std::move(cart));
  b.Set(cond, "required", b.Strings({"cart"}));

  Value then = Builder::Object();
  Value& props = b.Child(then, "properties");

  Value api = b.Table("[api] of " + p.name + ": the platform's connection and credential fields");
  std::vector<std::string> required;
  for (const FieldSpec& f : p.api) {  // sorted by name, base_url included
    b.Set(b.Child(api, "properties"), f.name, b.Field(f));
    if (f.required) required.push_back(f.name);
  }
  if (!required.empty()) b.Set(api, "required", b.Strings(required));
  b.Set(props, "api", std::move(api));
  if (!required.empty()) b.Set(then, "required", b.Strings({"api"}));

  Value statuses = b.Table("[statuses] of " + p.name +
                           ": which orders download; each dimension omitted = its default");
  Value& sprops = b.Child(statuses, "properties");
  for (const StatusDimension& d : p.statuses) {
    Value dim = b.StringList(d.help, 1);
    Value& items = b.Child(dim, "items");
    b.Set(items, "enum", b.Strings(d.allowed));
    b.Set(dim, "default", b.Strings(d.defaults));
    if (std::find(d.allowed.begin(), d.allowed.end(), "any") != d.allowed.end()) {
      // "any" is only allowed alone in its dimension.
      Value has_any = Builder::Object();
      Value any = Builder::Object();
      b.Set(any, "const", "any");
      b.Set(has_any, "contains", std::move(any));
      b.Set(dim, "if", std::move(has_any));
      Value alone = Builder::Object();
      b.Set(alone, "maxItems", 1);
      b.Set(dim, "then", std::move(alone));
    }
    b.Set(sprops, d.name, std::move(dim));
  }
  b.Set(props, "statuses", std::move(statuses));

  if (p.inventory_quantity != InventoryQuantity::Available) {
    Value order_load = b.Typed("object", "");
    Value level = b.Typed("integer", p.name +
                                         " syncs on-hand quantity, not available quantity: a "
                                         "minimum inventory level cannot take effect");
    b.Set(level, "maximum", 0);
    b.Set(b.Child(order_load, "properties"), "minimum_inventory_level", std::move(level));
    b.Set(props, "order_load", std::move(order_load));
  }

  bool all_services = true;
  for (Service s : kAllServices) all_services = all_services && p.Supports(s);
  if (!all_services) {
    Value services = b.Typed("object", "");
    for (Service s : kAllServices) {
      if (p.Supports(s)) continue;
      Value svc = b.Typed("object", "");
      Value enabled =
          b.Typed("boolean", p.name + " does not support " + std::string(ServiceName(s)));
      b.Set(enabled, "const", false);
      b.Set(b.Child(svc, "properties"), "enabled", std::move(enabled));
      b.Set(b.Child(services, "properties"), ServiceName(s), std::move(svc));
    }
    b.Set(props, "services", std::move(services));
  }

  Value branch = Builder::Object();
  b.Set(branch, "if", std::move(cond));
  b.Set(branch, "then", std::move(then));
  return branch;
}

/// order_download enabled => [order_load].earliest_order_date.
Value EarliestDateRule(Builder& b) {
  Value cond = b.Typed("object", "");
  Value services = b.Typed("object", "");
  Value download = b.Typed("object", "");
  Value enabled = Builder::Object();
  b.Set(enabled, "const", true);
  b.Set(b.Child(download, "properties"), "enabled", std::move(enabled));
  b.Set(download, "required", b.Strings({"enabled"}));
  b.Set(b.Child(services, "properties"), "order_download", std::move(download));
  b.Set(services, "required", b.Strings({"order_download"}));
  b.Set(b.Child(cond, "properties"), "services", std::move(services));
  b.Set(cond, "required", b.Strings({"services"}));

  Value then = Builder::Object();
  Value order_load = b.Typed("object", "");
  b.Set(b.Child(order_load, "properties"), "earliest_order_date",
        b.Typed("string", "Required: order_download is enabled"));
  b.Set(order_load, "required", b.Strings({"earliest_order_date"}));
  b.Set(b.Child(then, "properties"), "order_load", std::move(order_load));
  b.Set(then, "required", b.Strings({"order_load"}));

  Value rule = Builder::Object();
  b.Set(rule, "if", std::move(cond));
  b.Set(rule, "then", std::move(then));
  return rule;
}

// --- Writing: keys sorted at every level, so output never depends on build order.

void WriteSorted(Writer& w, const Value& v) {
  if (v.IsObject()) {
    std::vector<const Value::Member*> members;
    for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) members.push_back(&*it);
    std::sort(members.begin(), members.end(), [](const auto* a, const auto* b) {
      return std::string_view(a->name.GetString(), a->name.GetStringLength()) <
             std::string_view(b->name.GetString(), b->name.GetStringLength());
    });
    w.StartObject();
    for (const auto* m : members) {
      w.Key(m->name.GetString(), m->name.GetStringLength());
      WriteSorted(w, m->value);
    }
    w.EndObject();
  } else if (v.IsArray()) {
    w.StartArray();
    for (const Value& e : v.GetArray()) WriteSorted(w, e);
    w.EndArray();
  } else {
    v.Accept(w);
  }
}

/// Every closed table ("additionalProperties": false beside "properties") gets
/// "additionalProperties": {"not": {"description": "unknown key; …"}} instead. Both reject the
/// same documents, but a validator reports `false` against the table (taplo then marks the
/// header and every key and value in it: one error per line of the table) and the `not`
/// schema against the unknown key's value alone: one mistake, one error, on its line.
void CloseTables(Builder& b, Value& v) {
  if (v.IsArray()) {
    for (Value& e : v.GetArray()) CloseTables(b, e);
    return;
  }
  if (!v.IsObject()) return;
  for (auto it = v.MemberBegin(); it != MembersEnd(v); ++it) CloseTables(b, it->value);
  auto ap = v.FindMember("additionalProperties");
  if (ap == MembersEnd(v) || !ap->value.IsBool() || ap->value.GetBool()) return;
  std::vector<std::string> keys;
  if (auto props = v.FindMember("properties"); props != MembersEnd(v) && props->value.IsObject())
    for (auto it = props->value.MemberBegin(); it != MembersEnd(props->value); ++it)
      keys.emplace_back(it->name.GetString(), it->name.GetStringLength());
  std::sort(keys.begin(), keys.end());
  Value reason = Builder::Object();
  b.Set(reason, "description",
        keys.empty() ? std::string("unknown key: this table takes none")
                     : "unknown key; the keys here: " + JoinNames(keys));
  Value no = Builder::Object();
  b.Set(no, "not", std::move(reason));
  ap->value = no;
}

/// A copy of `v` without "required", "if" and "then" anywhere: [defaults] holds any cart key,
/// and what is required is decided on the cart the defaults are merged into.
Value Loosened(Builder& b, const Value& v) {
  if (v.IsArray()) {
    Value a(rapidjson::kArrayType);
    for (const Value& e : v.GetArray()) a.PushBack(Loosened(b, e), b.alloc());
    return a;
  }
  if (!v.IsObject()) return Value(v, b.alloc());
  Value o = Builder::Object();
  for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
    std::string_view key(it->name.GetString(), it->name.GetStringLength());
    if (key == "required" || key == "if" || key == "then") continue;
    b.Set(o, key, Loosened(b, it->value));
  }
  return o;
}

std::string Finish(Builder& b, rapidjson::Document& doc) {
  CloseTables(b, doc);
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.SetIndent(' ', 2);
  WriteSorted(w, doc);
  return std::string(buf.GetString(), buf.GetSize()) + "\n";
}

/// The cart file's top-level tables (its "properties").
Value CartProperties(Builder& b, const Schema& schema) {
  Value props = Builder::Object();
  b.Set(props, "cart", CartTable(b, schema));
  b.Set(props, "api",
        b.Typed("object",
                "The platform's connection and credential fields; which ones depends "
                "on cart.platform"));
  b.Set(props, "services", ServicesTable(b));
  b.Set(props, "statuses",
        b.Typed("object",
                "Which orders download: the platform's status dimensions, each a list "
                "of the platform's own status names"));
  b.Set(props, "order_load", OrderLoadTable(b));
  b.Set(props, "ship_methods", ShipMethodsTable(b));
  b.Set(props, "items", ItemsTable(b));
  b.Set(props, "order_filters", OrderFiltersArray(b, schema));
  b.Set(props, "carrier_codes", CarrierCodesTable(b));
  b.Set(props, "wms_fields", WmsFieldsTable(b));
  return props;
}

// --- cartsync.toml ---------------------------------------------------------------

Value StateTable(Builder& b) {
  Value t = b.Table("The state store: what was downloaded, sent and uploaded, per cart");
  Value& props = b.Child(t, "properties");
  Value url = b.Typed("string",
                      "sqlite:PATH (relative to cartsync.toml) or postgres://[USER@]HOST[:PORT]/DB"
                      "[?PARAMS]; never a password in the URL (use password)");
  b.Set(url, "pattern", "^(?:sqlite:.+|postgres(?:ql)?://[^\\s]*)$");
  b.Set(props, "url", std::move(url));
  b.Set(props, "password", b.SecretRef("The PostgreSQL role's password (a postgres:// url only)"));
  Value retain =
      b.Typed("string",
              "Erase names, addresses, phones and e-mails of orders older than this "
              "(\"60d\", \"1440h\"; at least a day); keys, statuses and references stay");
  b.Set(retain, "pattern", "^(?:" + IntervalPattern({86400, 0}) + ")$");
  b.Set(props, "retain_pii", std::move(retain));
  return t;
}

/// [[notify]]: alert webhooks (checker.cc CheckNotify).
Value NotifyArray(Builder& b) {
  Value a = b.Typed("array",
                    "Alert webhooks ([[notify]]): held orders, failed steps, exhausted retries "
                    "and cancellations too late, each alerted once; a failing webhook never "
                    "fails a run");
  b.Set(a, "minItems", 1);
  Value t = b.Table("One webhook");
  Value& props = b.Child(t, "properties");
  b.Set(props, "url",
        b.SecretRef("The incoming-webhook URL: a secret (whoever has it can post to the "
                    "channel), so never the URL itself"));
  Value format =
      b.StringEnum({"slack", "json"}, "slack: a {\"text\": …} message; json: the event document");
  b.Set(format, "default", "slack");
  b.Set(props, "format", std::move(format));
  Value events = b.StringList("The events to send; omitted: all", 1);
  b.Set(events, "items", b.StringEnum(NotifyEvents(), "An event"));
  b.Set(props, "events", std::move(events));
  b.Set(t, "required", b.Strings({"url"}));
  b.Set(a, "items", std::move(t));
  return a;
}

/// One [wms.NAME] connection: the common keys, and per system (an if/then on `system`) the
/// descriptor's fields, closed there.
Value WmsConnection(Builder& b, const Schema& schema) {
  Value t =
      b.Typed("object", "A WMS connection carts name in cart.wms; its fields depend on system");
  Value& props = b.Child(t, "properties");
  std::vector<std::string> systems;
  for (const auto& [id, w] : schema.wms_systems) systems.push_back(id);
  std::string help = "The transport:";
  for (const auto& [id, w] : schema.wms_systems) help += " " + id + " (" + w.name + ")";
  b.Set(props, "system", b.StringEnum(systems, help));
  b.Set(props, "warehouses",
        b.StringList("Warehouse ids carts may name in order_load.sync_inventory_with"));
  b.Set(props, "carriers",
        b.StringList("Carrier codes [ship_methods] targets must use (CARRIER/SERVICE); "
                     "omitted: any"));
  b.Set(props, "alias_types",
        b.StringList("Item alias types carts may name (translate_item_code, "
                     "sync_inventory_alias)"));
  Value spec = b.Table("A cart-level field carts of this connection set in [wms_fields]");
  Value& sp = b.Child(spec, "properties");
  b.Set(sp, "type", b.StringEnum({"string", "integer", "enum"}, "The value's type"));
  b.Set(sp, "required", b.Typed("boolean", "Whether every cart must set it"));
  b.Set(sp, "values", b.StringList("The allowed values of an enum field"));
  b.Set(sp, "pattern", b.Typed("string", "A regular expression a string value must match"));
  b.Set(sp, "help", b.Typed("string", "What the field means"));
  Value fields = b.Typed("object", "Cart-level fields carts set in [wms_fields], by name");
  b.Set(fields, "additionalProperties", std::move(spec));
  b.Set(props, "cart_fields", std::move(fields));
  b.Set(t, "required", b.Strings({"system"}));

  std::vector<Value> branches;
  for (const auto& [id, w] : schema.wms_systems) {
    Value cond = b.Typed("object", "");
    Value system = Builder::Object();
    b.Set(system, "const", id);
    b.Set(b.Child(cond, "properties"), "system", std::move(system));
    b.Set(cond, "required", b.Strings({"system"}));
    Value then = b.Table("");
    std::vector<std::string> required;
    for (const char* common : {"system", "warehouses", "carriers", "alias_types", "cart_fields"})
      b.Set(b.Child(then, "properties"), common, Builder::Object());
    for (const FieldSpec& f : w.fields) {
      b.Set(b.Child(then, "properties"), f.name, b.Field(f));
      if (f.required) required.push_back(f.name);
    }
    if (!required.empty()) b.Set(then, "required", b.Strings(required));
    Value branch = Builder::Object();
    b.Set(branch, "if", std::move(cond));
    b.Set(branch, "then", std::move(then));
    branches.push_back(std::move(branch));
  }
  b.Set(t, "allOf", b.Array(std::move(branches)));
  return t;
}

}  // namespace

std::string CartJsonSchema(const Schema& schema) {
  rapidjson::Document doc(rapidjson::kObjectType);
  Builder b(doc.GetAllocator());
  b.Set(doc, "$schema", "https://json-schema.org/draft/2020-12/schema");
  b.Set(doc, "title", "cartsync cart file");
  b.Set(doc, "description",
        "One cart (order source) of a cartsync project, carts.d/*.toml. Generated from the "
        "platform descriptors by `cartsync schema --json-schema`; `cartsync check` also applies "
        "the rules that need cartsync.toml or other files.");
  b.Set(doc, "type", "object");
  b.Set(doc, "additionalProperties", false);
  b.Set(doc, "required", b.Strings({"cart"}));

  b.Set(doc, "properties", CartProperties(b, schema));

  std::vector<Value> rules;
  rules.push_back(EarliestDateRule(b));
  for (const auto& [id, p] : schema.platforms) rules.push_back(PlatformBranch(b, p));  // sorted
  b.Set(doc, "allOf", b.Array(std::move(rules)));
  return Finish(b, doc);
}

std::string ProjectJsonSchema(const Schema& schema) {
  rapidjson::Document doc(rapidjson::kObjectType);
  Builder b(doc.GetAllocator());
  b.Set(doc, "$schema", "https://json-schema.org/draft/2020-12/schema");
  b.Set(doc, "title", "cartsync project file");
  b.Set(doc, "description",
        "cartsync.toml: the WMS connections, the state store and the defaults of the carts in "
        "carts.d/. Generated from the WMS descriptors by `cartsync schema --json-schema "
        "--project`; `cartsync check` also applies the rules that need the carts.");
  b.Set(doc, "type", "object");
  b.Set(doc, "additionalProperties", false);
  Value& props = b.Child(doc, "properties");

  Value project = b.Table("Where the carts are");
  Value carts = b.Typed("string", "The carts directory, relative to cartsync.toml");
  b.Set(carts, "default", "carts.d");
  b.Set(b.Child(project, "properties"), "carts", std::move(carts));
  b.Set(props, "project", std::move(project));
  b.Set(props, "state", StateTable(b));

  Value wms = b.Typed("object",
                      "WMS connections by name ([wms.NAME]); a cart names one in cart.wms (not "
                      "needed when there is only one)");
  b.Set(wms, "additionalProperties", WmsConnection(b, schema));
  b.Set(props, "wms", std::move(wms));
  b.Set(props, "notify", NotifyArray(b));

  // Any cart key, applied where a cart omits it; what is required is checked per cart.
  Value defaults = b.Table(
      "Any cart key, used where a cart omits it (e.g. "
      "order_load.reject_unmapped_ship_codes = true)");
  Value cart_props = CartProperties(b, schema);
  b.Set(defaults, "properties", Loosened(b, cart_props));
  b.Set(props, "defaults", std::move(defaults));
  return Finish(b, doc);
}

// --- Human summary ------------------------------------------------------------

namespace {

std::string Quoted(const std::string& s) { return "\"" + s + "\""; }

std::string QuotedList(const std::vector<std::string>& v) {
  std::vector<std::string> q;
  for (const std::string& s : v) q.push_back(Quoted(s));
  return q.empty() ? "none" : JoinNames(q);
}

/// Prints `text` wrapped at ~90 columns, every line indented by `indent` spaces.
void Wrapped(std::ostream& out, const std::string& text, size_t indent) {
  if (text.empty()) return;
  constexpr size_t kWidth = 90;
  std::string pad(indent, ' '), line;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find(' ', pos);
    if (end == std::string::npos) end = text.size();
    std::string word = text.substr(pos, end - pos);
    if (!line.empty() && indent + line.size() + 1 + word.size() > kWidth) {
      out << pad << line << "\n";
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
    pos = end + 1;
  }
  if (!line.empty()) out << pad << line << "\n";
}

void DescribeFields(std::ostream& out, const std::vector<FieldSpec>& fields) {
  size_t width = 0;
  for (const FieldSpec& f : fields) width = std::max(width, f.name.size());
  for (const FieldSpec& f : fields) {
    std::string line = "    " + f.name + std::string(width - f.name.size() + 2, ' ');
    line += std::string(FieldTypeName(f.type));
    line += f.required ? ", required" : ", optional";
    if (f.default_string)
      line += ", default " + Quoted(*f.default_string);
    else if (f.default_integer)
      line += ", default " + std::to_string(*f.default_integer);
    if (f.type == FieldType::Enum) line += ", one of " + QuotedList(f.values);
    if (!f.pattern.empty()) line += ", pattern " + f.pattern;
    if (f.type == FieldType::Secret) line += " ({ secret = \"env:NAME\" | \"file:PATH\" })";
    out << line << "\n";
    Wrapped(out, f.help, 8);
  }
}

}  // namespace

void DescribeSchema(const Schema& schema, std::ostream& out) {
  out << "Platforms (" << schema.platforms.size() << ")\n";
  for (const auto& [id, p] : schema.platforms) {
    out << "\n" << id << ": " << p.name << "\n";
    out << "  inventory quantity: "
        << (p.inventory_quantity == InventoryQuantity::Available
                ? "available (minimum_inventory_level applies)"
                : "on hand (minimum_inventory_level must be 0)")
        << "\n";
    std::vector<std::string> services;
    for (Service s : p.services) services.emplace_back(ServiceName(s));
    out << "  services: " << (services.empty() ? "none" : JoinNames(services)) << "\n";
    out << "  [api]\n";
    DescribeFields(out, p.api);
    out << "  [statuses]\n";
    if (p.statuses.empty()) out << "    (none)\n";
    for (const StatusDimension& d : p.statuses) {
      out << "    " << d.name << "\n";
      Wrapped(out, "allowed: " + QuotedList(d.allowed), 8);
      Wrapped(out, "default: " + QuotedList(d.defaults), 8);
      Wrapped(out, d.help, 8);
    }
  }
  out << "\nWMS systems (" << schema.wms_systems.size() << ")\n";
  for (const auto& [id, w] : schema.wms_systems) {
    out << "\n" << id << ": " << w.name << "\n";
    Wrapped(out, w.help, 2);
    out << "  [wms.NAME] fields (besides system, warehouses, carriers, alias_types, cart_fields)\n";
    if (w.fields.empty()) out << "    (none)\n";
    DescribeFields(out, w.fields);
  }
  out << "\nOrder document fields (for [[order_filters]].field)\n";
  Wrapped(out, JoinNames(schema.order_fields), 2);
}

}  // namespace cartsync
