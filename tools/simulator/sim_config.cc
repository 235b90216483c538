// JSON in and out of the simulator: fault options, --config files, store
// seeds, and the records report.
#include <map>
#include <set>

#include "tools/simulator/sim_internal.h"

namespace cartsync::sim {
namespace {

using detail::Done;
using detail::KBool;
using detail::KInt;
using detail::KStr;
using detail::Str;
using detail::Writer;

/// Reads typed members of one JSON object, collecting the first error and
/// rejecting unknown keys.
class ObjectReader {
 public:
  ObjectReader(const rapidjson::Value& v, std::string where) : v_(v), where_(std::move(where)) {
    if (!v_.IsObject()) Fail("must be an object");
  }

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

  const rapidjson::Value* Get(const char* key) {
    seen_.insert(key);
    if (!ok() || !v_.IsObject()) return nullptr;
    auto it = v_.FindMember(key);
    return it == v_.MemberEnd() ? nullptr : &it->value;
  }
  void Int(const char* key, int* out, int64_t lo, int64_t hi) {
    if (const rapidjson::Value* v = Get(key)) {
      if (!v->IsInt64() || v->GetInt64() < lo || v->GetInt64() > hi)
        return Fail(std::string(key) + " must be an integer in " + std::to_string(lo) + ".." +
                    std::to_string(hi));
      *out = static_cast<int>(v->GetInt64());
    }
  }
  void Int64(const char* key, int64_t* out, int64_t lo) {
    if (const rapidjson::Value* v = Get(key)) {
      if (!v->IsInt64() || v->GetInt64() < lo)
        return Fail(std::string(key) + " must be an integer >= " + std::to_string(lo));
      *out = v->GetInt64();
    }
  }
  void Uint64(const char* key, uint64_t* out) {
    if (const rapidjson::Value* v = Get(key)) {
      if (!v->IsUint64()) return Fail(std::string(key) + " must be a non-negative integer");
      *out = v->GetUint64();
    }
  }
  void Rate(const char* key, double* out) {
    if (const rapidjson::Value* v = Get(key)) {
      if (!v->IsNumber() || v->GetDouble() < 0 || v->GetDouble() > 1)
        return Fail(std::string(key) + " must be a number in [0, 1]");
      *out = v->GetDouble();
    }
  }
  void Number(const char* key, double* out, double lo) {
    if (const rapidjson::Value* v = Get(key)) {
      if (!v->IsNumber() || v->GetDouble() < lo)
        return Fail(std::string(key) + " must be a number >= " + std::to_string(lo));
      *out = v->GetDouble();
    }
  }
  void Bool(const char* key, bool* out) {
    if (const rapidjson::Value* v = Get(key)) {
      if (!v->IsBool()) return Fail(std::string(key) + " must be true or false");
      *out = v->GetBool();
    }
  }
  void String(const char* key, std::string* out) {
    if (const rapidjson::Value* v = Get(key)) {
      if (!v->IsString()) return Fail(std::string(key) + " must be a string");
      *out = v->GetString();
    }
  }
  void OptString(const char* key, std::optional<std::string>* out) {
    if (Get(key) != nullptr) {
      std::string s;
      String(key, &s);
      *out = s;
    }
  }
  void Strings(const char* key, std::vector<std::string>* out) {
    if (const rapidjson::Value* v = Get(key)) {
      if (!v->IsArray()) return Fail(std::string(key) + " must be an array of strings");
      out->clear();
      for (const rapidjson::Value& s : v->GetArray()) {
        if (!s.IsString()) return Fail(std::string(key) + " must be an array of strings");
        out->emplace_back(s.GetString());
      }
    }
  }
  /// Call after reading every known key.
  void Finish() {
    if (!ok() || !v_.IsObject()) return;
    for (auto it = v_.MemberBegin(); it != v_.MemberEnd(); ++it)
      if (!seen_.count(it->name.GetString()))
        return Fail(std::string("unknown key \"") + it->name.GetString() + "\"");
  }
  void Fail(std::string message) {
    if (error_.empty()) error_ = where_ + (where_.empty() ? "" : ": ") + message;
  }

 private:
  const rapidjson::Value& v_;
  std::string where_;
  std::string error_;
  std::set<std::string> seen_;
};

bool ReadFaults(const rapidjson::Value& v, FaultOptions* f, std::string* error) {
  ObjectReader r(v, "faults");
  r.Rate("error_rate", &f->error_rate);
  r.Rate("html_rate", &f->html_rate);
  r.Rate("timeout_rate", &f->timeout_rate);
  r.Int("timeout_ms", &f->timeout_ms, 0, 3'600'000);
  r.Rate("truncate_rate", &f->truncate_rate);
  r.Int("latency_ms", &f->latency_ms, 0, 600'000);
  r.Bool("shopify_bucket", &f->shopify_bucket);
  r.Int("shopify_bucket_size", &f->shopify_bucket_size, 1, 100'000);
  r.Number("shopify_leak_per_second", &f->shopify_leak_per_second, 0);
  r.Bool("shopify_cost_throttle", &f->shopify_cost_throttle);
  r.Number("shopify_cost_maximum", &f->shopify_cost_maximum, 1);
  r.Number("shopify_cost_restore_rate", &f->shopify_cost_restore_rate, 0);
  r.Bool("bigcommerce_window", &f->bigcommerce_window);
  r.Int("bigcommerce_quota", &f->bigcommerce_quota, 1, 10'000'000);
  r.Int("bigcommerce_window_ms", &f->bigcommerce_window_ms, 1, 3'600'000);
  r.Bool("amazon_rate_limit", &f->amazon_rate_limit);
  r.Number("amazon_rate", &f->amazon_rate, 0);
  r.Int64("block_after_requests", &f->block_after_requests, 0);
  r.Bool("block_after_handling", &f->block_after_handling);
  r.Strings("paths", &f->paths);
  r.Rate("shift_rate", &f->shift_rate);
  r.Int("shift_orders", &f->shift_orders, 1, 10'000);
  r.Finish();
  if (!r.ok()) *error = r.error();
  return r.ok();
}

bool ReadWms(const rapidjson::Value& v, WmsOptions* w, std::string* error) {
  ObjectReader r(v, "wms");
  r.String("token", &w->token);
  r.Strings("warehouses", &w->warehouses);
  r.String("as_of", &w->as_of);
  r.Bool("allocate_on_receive", &w->allocate_on_receive);
  r.Int("shipments_page", &w->shipments_page, 1, 10'000);
  r.Bool("ignore_client", &w->ignore_client);
  r.Finish();
  if (r.ok() && w->warehouses.empty()) r.Fail("warehouses must not be empty");
  if (!r.ok()) *error = r.error();
  return r.ok();
}

}  // namespace

bool ParseFaults(const std::string& json, FaultOptions* faults, std::string* error) {
  rapidjson::Document doc;
  doc.Parse(json.c_str(), json.size());
  if (doc.HasParseError()) {
    *error = "faults: not valid JSON";
    return false;
  }
  FaultOptions copy = *faults;
  if (!ReadFaults(doc, &copy, error)) return false;
  *faults = copy;
  return true;
}

std::string FaultsJson(const FaultOptions& f) {
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.StartObject();
  w.Key("error_rate");
  w.Double(f.error_rate);
  w.Key("html_rate");
  w.Double(f.html_rate);
  w.Key("timeout_rate");
  w.Double(f.timeout_rate);
  KInt(w, "timeout_ms", f.timeout_ms);
  w.Key("truncate_rate");
  w.Double(f.truncate_rate);
  KInt(w, "latency_ms", f.latency_ms);
  KBool(w, "shopify_bucket", f.shopify_bucket);
  KInt(w, "shopify_bucket_size", f.shopify_bucket_size);
  w.Key("shopify_leak_per_second");
  w.Double(f.shopify_leak_per_second);
  KBool(w, "shopify_cost_throttle", f.shopify_cost_throttle);
  w.Key("shopify_cost_maximum");
  w.Double(f.shopify_cost_maximum);
  w.Key("shopify_cost_restore_rate");
  w.Double(f.shopify_cost_restore_rate);
  KBool(w, "bigcommerce_window", f.bigcommerce_window);
  KInt(w, "bigcommerce_quota", f.bigcommerce_quota);
  KInt(w, "bigcommerce_window_ms", f.bigcommerce_window_ms);
  KBool(w, "amazon_rate_limit", f.amazon_rate_limit);
  w.Key("amazon_rate");
  w.Double(f.amazon_rate);
  KInt(w, "block_after_requests", f.block_after_requests);
  KBool(w, "block_after_handling", f.block_after_handling);
  w.Key("shift_rate");
  w.Double(f.shift_rate);
  KInt(w, "shift_orders", f.shift_orders);
  w.Key("paths");
  w.StartArray();
  for (const std::string& p : f.paths) Str(w, p);
  w.EndArray();
  w.EndObject();
  return Done(sb);
}

bool ParseSimConfig(const std::string& json, SimConfig* config, std::string* error) {
  rapidjson::Document doc;
  doc.Parse(json.c_str(), json.size());
  if (doc.HasParseError()) {
    *error = "config: not valid JSON (offset " + std::to_string(doc.GetErrorOffset()) + ")";
    return false;
  }
  SimConfig c = *config;
  ObjectReader r(doc, "config");
  r.Int("port", &c.options.port, 0, 65535);
  r.Uint64("seed", &c.options.seed);
  r.Int("orders", &c.demo_orders, 0, 100'000);
  r.Int("threads", &c.options.threads, 1, 8192);  // tools/bench/manycarts: 2 per cart
  r.Int("keep_alive_s", &c.options.keep_alive_s, 0, 60);
  bool demo_given = r.Get("demo") != nullptr;
  r.Bool("demo", &c.demo);
  if (const rapidjson::Value* v = r.Get("wms"); v && r.ok()) {
    if (!ReadWms(*v, &c.options.wms, error)) return false;
  }
  if (const rapidjson::Value* v = r.Get("faults"); v && r.ok()) {
    if (!ReadFaults(*v, &c.options.faults, error)) return false;
  }
  if (const rapidjson::Value* v = r.Get("stores"); v && r.ok()) {
    if (!v->IsArray()) {
      *error = "config: stores must be an array";
      return false;
    }
    for (rapidjson::SizeType i = 0; i < v->Size(); ++i) {
      StoreSeed s;
      if (!detail::StoreSeedFromJson((*v)[i], c.options.seed, &s, error)) {
        *error = "config: stores[" + std::to_string(i) + "]: " + *error;
        return false;
      }
      c.stores.push_back(std::move(s));
    }
    if (!demo_given) c.demo = false;
  }
  r.Finish();
  if (!r.ok()) {
    *error = r.error();
    return false;
  }
  *config = std::move(c);
  return true;
}

namespace detail {

bool StoreSeedFromJson(const rapidjson::Value& v, uint64_t default_seed, StoreSeed* out,
                       std::string* error) {
  StoreSeed s;
  s.seed = default_seed;
  ObjectReader r(v, "");
  r.String("platform", &s.platform);
  r.String("name", &s.name);
  r.Int("orders", &s.orders, 0, 100'000);
  r.Int("products", &s.products, 0, 10'000);
  r.Int("locations", &s.locations, 0, 50);
  r.String("start_date", &s.start_date);
  r.Int("span_hours", &s.span_hours, 1, 24 * 3650);
  r.Uint64("seed", &s.seed);
  r.Strings("ship_codes", &s.ship_codes);
  r.Int("no_shipping_percent", &s.no_shipping_percent, 0, 100);
  if (const rapidjson::Value* st = r.Get("statuses"); st && r.ok()) {
    if (!st->IsArray()) {
      r.Fail("statuses must be an array");
    } else {
      for (const rapidjson::Value& e : st->GetArray()) {
        if (e.IsString()) {
          s.statuses.push_back({e.GetString(), 1});
          continue;
        }
        ObjectReader er(e, "statuses[]");
        StatusWeight w;
        er.String("status", &w.status);
        er.Int("weight", &w.weight, 0, 1'000'000);
        er.Finish();
        if (!er.ok()) {
          r.Fail(er.error());
          break;
        }
        s.statuses.push_back(std::move(w));
      }
    }
  }
  r.String("token", &s.token);
  r.String("consumer_key", &s.consumer_key);
  r.String("consumer_secret", &s.consumer_secret);
  r.String("client_id", &s.client_id);
  r.String("client_secret", &s.client_secret);
  r.Int("token_ttl_seconds", &s.token_ttl_seconds, 0, 10 * 365 * 86400);
  if (r.Get("scopes") != nullptr) {
    std::vector<std::string> scopes;
    r.Strings("scopes", &scopes);
    s.scopes = scopes;
  }
  r.Strings("sku_prefixes", &s.sku_prefixes);
  if (r.Get("extra_skus") != nullptr) {
    std::vector<std::string> extra;
    r.Strings("extra_skus", &extra);
    s.extra_skus = extra;
  }
  r.OptString("wms_alias_type", &s.wms_alias_type);
  r.Bool("stock_in_wms", &s.stock_in_wms);
  r.String("wms_client", &s.wms_client);
  r.Int("product_tracking_percent", &s.product_tracking_percent, 0, 100);
  if (r.Get("utc_offset_minutes") != nullptr) {
    int offset = 0;
    r.Int("utc_offset_minutes", &offset, -14 * 60, 14 * 60);
    s.utc_offset_minutes = offset;
  }
  r.String("time_zone", &s.time_zone);
  r.String("currency", &s.currency);
  r.Bool("shipment_tracking", &s.shipment_tracking);
  r.Bool("strip_authorization", &s.strip_authorization);
  r.Int("po_box_percent", &s.po_box_percent, 0, 100);
  r.Finish();
  if (!r.ok()) {
    *error = r.error();
    return false;
  }
  *out = std::move(s);
  return true;
}

std::string RecordsToJson(const SimRecords& rec) {
  rapidjson::StringBuffer sb;
  Writer w(sb);
  auto counters = [&](const char* key, const std::map<std::string, uint64_t>& m) {
    w.Key(key);
    w.StartObject();
    for (const auto& [k, v] : m) {
      w.Key(k.c_str(), static_cast<rapidjson::SizeType>(k.size()));
      w.Uint64(v);
    }
    w.EndObject();
  };
  auto raw = [&](const char* key, const std::string& json) {
    w.Key(key);
    if (json.empty())
      w.Null();
    else
      w.RawValue(json.data(), json.size(), rapidjson::kObjectType);
  };
  w.StartObject();
  w.Key("total_requests");
  w.Uint64(rec.total_requests);
  w.Key("blocked");
  w.Uint64(rec.blocked);
  counters("requests", rec.requests);
  counters("throttled", rec.throttled);
  w.Key("cost_spent");
  w.StartObject();
  for (const auto& [k, v] : rec.cost_spent) {
    w.Key(k.c_str(), static_cast<rapidjson::SizeType>(k.size()));
    w.Int64(v);
  }
  w.EndObject();
  counters("rate_limited", rec.rate_limited);
  w.Key("rate_limited_total");
  w.Uint64(rec.rate_limited_total);
  counters("faults", rec.faults);

  // exactly-once at a glance
  int64_t deliveries = 0, duplicate_deliveries = 0;
  for (const WmsOrderRecord& o : rec.wms_orders) {
    deliveries += o.deliveries;
    duplicate_deliveries += o.deliveries - 1;
  }
  std::map<std::string, int> tracking_keys;
  int64_t duplicate_tracking = 0;
  for (const TrackingRecord& t : rec.tracking)
    if (++tracking_keys[t.platform + "|" + t.store + "|" + t.order_id + "|" + t.tracking_number] >
        1)
      ++duplicate_tracking;
  w.Key("summary");
  w.StartObject();
  KInt(w, "wms_orders", static_cast<int64_t>(rec.wms_orders.size()));
  KInt(w, "wms_deliveries", deliveries);
  KInt(w, "duplicate_wms_deliveries", duplicate_deliveries);
  KInt(w, "tracking_posts", static_cast<int64_t>(rec.tracking.size()));
  KInt(w, "duplicate_tracking_posts", duplicate_tracking);
  KInt(w, "inventory_sets", static_cast<int64_t>(rec.inventory_history));
  KInt(w, "shipments_issued", static_cast<int64_t>(rec.shipments.size()));
  w.EndObject();

  w.Key("wms_orders");
  w.StartArray();
  for (const WmsOrderRecord& o : rec.wms_orders) {
    w.StartObject();
    KStr(w, "order_key", o.order_key);
    KStr(w, "wms_order_id", o.wms_order_id);
    KInt(w, "deliveries", o.deliveries);
    KInt(w, "differing_bodies", o.differing_bodies);
    KStr(w, "received_at", o.received_at);
    KBool(w, "shipped", o.shipped);
    KStr(w, "tracking_number", o.tracking_number);
    KBool(w, "canceled", o.canceled);
    KInt(w, "cancel_requests", o.cancel_requests);
    raw("first_body", o.first_body);
    w.EndObject();
  }
  w.EndArray();
  w.Key("tracking");
  w.StartArray();
  for (const TrackingRecord& t : rec.tracking) {
    w.StartObject();
    KInt(w, "seq", t.seq);
    KStr(w, "platform", t.platform);
    KStr(w, "store", t.store);
    KStr(w, "order_id", t.order_id);
    KStr(w, "kind", t.kind);
    KStr(w, "tracking_number", t.tracking_number);
    KStr(w, "carrier", t.carrier);
    KStr(w, "at", t.at);
    raw("body", t.body);
    w.EndObject();
  }
  w.EndArray();
  w.Key("inventory");
  w.StartArray();
  for (const InventorySetRecord& i : rec.inventory) {
    w.StartObject();
    KStr(w, "platform", i.platform);
    KStr(w, "store", i.store);
    KStr(w, "location", i.location);
    KStr(w, "sku", i.sku);
    KStr(w, "item_id", i.item_id);
    KInt(w, "value", i.value);
    KInt(w, "sets", i.sets);
    KBool(w, "known", i.known);
    w.EndObject();
  }
  w.EndArray();
  w.Key("inventory_history");
  w.Uint64(rec.inventory_history);
  w.Key("status_changes");
  w.StartArray();
  for (const StatusChangeRecord& s : rec.status_changes) {
    w.StartObject();
    KStr(w, "platform", s.platform);
    KStr(w, "store", s.store);
    KStr(w, "order_id", s.order_id);
    KStr(w, "from", s.from);
    KStr(w, "to", s.to);
    w.EndObject();
  }
  w.EndArray();
  w.Key("shipments");
  w.StartArray();
  for (const IssuedShipment& s : rec.shipments) {
    w.StartObject();
    KInt(w, "cursor", s.cursor);
    KStr(w, "order_key", s.order_key);
    KStr(w, "wms_order_id", s.wms_order_id);
    KStr(w, "carrier", s.carrier);
    KStr(w, "service", s.service);
    KStr(w, "tracking_number", s.tracking_number);
    KStr(w, "shipped_at", s.shipped_at);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return Done(sb);
}

std::string OrdersToJson(const std::vector<OrderSummary>& orders) {
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.StartObject();
  w.Key("orders");
  w.StartArray();
  for (const OrderSummary& o : orders) {
    w.StartObject();
    KStr(w, "id", o.id);
    KStr(w, "number", o.number);
    KStr(w, "status", o.status);
    KStr(w, "ship_code", o.ship_code);
    KStr(w, "created_at", o.created_at);
    KStr(w, "updated_at", o.updated_at);
    KStr(w, "country", o.country);
    w.Key("lines");
    w.StartArray();
    for (const auto& [sku, qty] : o.lines) {
      w.StartObject();
      KStr(w, "sku", sku);
      KInt(w, "quantity", qty);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return Done(sb);
}

}  // namespace detail
}  // namespace cartsync::sim
