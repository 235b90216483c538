// The WMS `http` transport (wms-contract.md): idempotent order intake keyed by
// Idempotency-Key, lookup by order_key, a cursor-paged shipment feed, the
// inventory snapshot and aliases.
#include <strings.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <utility>

#include "tools/simulator/sim_internal.h"

namespace cartsync::sim::detail {
namespace {

std::string Error(std::string_view message) {
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.StartObject();
  KStr(w, "error", message);
  w.EndObject();
  return Done(sb);
}

std::string IdBody(const WmsOrderState& o, const char* status) {
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.StartObject();
  KStr(w, "wms_order_id", o.record.wms_order_id);
  KStr(w, "order_key", o.record.order_key);
  KStr(w, "status", status);
  w.EndObject();
  return Done(sb);
}

std::string Upper(std::string_view s) {
  std::string out;
  for (char c : s) out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  return out;
}

std::string TrackingNumber(Rng& rng, const std::string& carrier) {
  auto digits = [&](int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out.push_back(static_cast<char>('0' + rng.Range(0, 9)));
    return out;
  };
  std::string c = Upper(carrier);
  if (c == "UPS") {
    static const char kAlnum[] = "0123456789ABCDEFGHJKLMNPRSTUVWXY";
    std::string out = "1Z";
    for (int i = 0; i < 6; ++i) out.push_back(kAlnum[rng.Range(0, 31)]);
    return out + "03" + digits(8);
  }
  if (c == "FEDEX") return digits(12);
  if (c == "USPS") return "9400" + digits(18);
  if (c == "DHL") return digits(10);
  std::string prefix;
  for (char ch : c)
    if (std::isalpha(static_cast<unsigned char>(ch)) && prefix.size() < 3) prefix.push_back(ch);
  return (prefix.empty() ? "TRK" : prefix) + digits(10);
}

/// The catalog entry for an order line's SKU: the WMS SKU or any alias value.
WmsSku* FindSku(World& world, const std::string& sku) {
  auto it = world.wms_skus.find(sku);
  if (it != world.wms_skus.end()) return &it->second;
  for (auto& [master, entry] : world.wms_skus)
    for (const auto& [type, value] : entry.aliases)
      if (value == sku) return &entry;
  return nullptr;
}

void Receive(World& world, const Req& req, Resp& res) {
  rapidjson::Document doc;
  doc.Parse(req.body.c_str(), req.body.size());
  if (doc.HasParseError() || !doc.IsObject())
    return res.Json(400, Error("body must be a JSON object"));
  std::string header_key = req.Header("Idempotency-Key");
  std::string body_key = JsonString(doc, "order_key").value_or("");
  if (header_key.empty() && body_key.empty())
    return res.Json(400, Error("Idempotency-Key header (or order_key) is required"));
  if (!header_key.empty() && !body_key.empty() && header_key != body_key)
    return res.Json(422, Error("Idempotency-Key \"" + header_key +
                               "\" does not match order_key \"" + body_key + "\""));
  const std::string key = header_key.empty() ? body_key : header_key;
  if (auto it = world.wms_by_key.find(key); it != world.wms_by_key.end()) {
    WmsOrderState& o = world.wms_orders[it->second];
    ++o.record.deliveries;
    if (req.body != o.record.first_body) ++o.record.differing_bodies;
    return res.Json(409, IdBody(o, "already_received"));
  }
  WmsOrderState o;
  auto lines = std::as_const(doc).FindMember("lines");
  if (lines == std::as_const(doc).MemberEnd() || !lines->value.IsArray() || lines->value.Empty())
    return res.Json(422, Error("lines must be a non-empty array"));
  for (rapidjson::SizeType i = 0; i < lines->value.Size(); ++i) {
    const rapidjson::Value& l = lines->value[i];
    const std::string where = "lines[" + std::to_string(i) + "]";
    auto sku = JsonString(l, "sku");
    int64_t qty = 0;
    if (l.IsObject() && l.HasMember("quantity") && l["quantity"].IsInt64())
      qty = l["quantity"].GetInt64();
    if (!sku || sku->empty())
      return res.Json(422, Error(where + ".sku must be a non-empty string"));
    if (qty < 1) return res.Json(422, Error(where + ".quantity must be a positive integer"));
    o.lines.push_back({JsonString(l, "line_key").value_or(""), *sku, "", qty});
  }
  auto method = std::as_const(doc).FindMember("ship_method");
  if (method != std::as_const(doc).MemberEnd() && method->value.IsObject()) {
    o.carrier = JsonString(method->value, "carrier").value_or("");
    o.service = JsonString(method->value, "service").value_or("");
  }
  char id[16];
  std::snprintf(id, sizeof id, "W%06lld", static_cast<long long>(world.next_wms_id++));
  o.record.order_key = key;
  o.record.wms_order_id = id;
  o.record.deliveries = 1;
  o.record.first_body = req.body;
  o.received_ms = world.now_ms();
  o.record.received_at = IsoUtc(o.received_ms / 1000);
  if (world.wms.allocate_on_receive) {
    for (WmsLine& line : o.lines) {
      WmsSku* entry = FindSku(world, line.sku);
      if (entry == nullptr || entry->stock.empty()) continue;
      std::string best;
      int64_t most = -1;
      for (const std::string& wh : world.wms.warehouses) {
        auto s = entry->stock.find(wh);
        if (s != entry->stock.end() && s->second.first > most) {
          most = s->second.first;
          best = wh;
        }
      }
      if (best.empty()) continue;
      auto& [available, on_hand] = entry->stock[best];
      available = std::max<int64_t>(0, available - line.quantity);
      line.warehouse = best;
    }
  }
  world.wms_by_key[key] = world.wms_orders.size();
  world.wms_orders.push_back(std::move(o));
  res.Header("Location", "/wms/orders/" + UrlEncode(key));
  res.Json(201, IdBody(world.wms_orders.back(), "received"));
}

void WriteShipment(Writer& w, const ShipmentState& s) {
  w.StartObject();
  KStr(w, "order_key", s.issued.order_key);
  KStr(w, "wms_order_id", s.issued.wms_order_id);
  KStr(w, "carrier", s.issued.carrier);
  KStr(w, "service", s.issued.service);
  KStr(w, "tracking_number", s.issued.tracking_number);
  KStr(w, "shipped_at", s.issued.shipped_at);
  w.Key("lines");
  w.StartArray();
  for (const WmsLine& l : s.lines) {
    w.StartObject();
    KStr(w, "line_key", l.line_key);
    KStr(w, "sku", l.sku);
    KInt(w, "quantity", l.quantity);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

void Shipments(World& world, const Req& req, Resp& res) {
  int64_t since = 0;
  const std::string since_text = req.ParamOr("since");
  if (!since_text.empty()) {
    auto n = ToInt(since_text);
    if (!n || *n < 0)
      return res.Json(400, Error("since must be a cursor returned by GET /shipments"));
    since = *n;
  }
  int64_t limit = std::max(1, world.wms.shipments_page);
  if (const std::string* l = req.Param("limit")) {
    auto n = ToInt(*l);
    if (!n || *n < 1) return res.Json(400, Error("limit must be a positive integer"));
    limit = std::min(limit, *n);
  }
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.StartObject();
  w.Key("shipments");
  w.StartArray();
  int64_t next = since;
  for (const ShipmentState& s : world.shipments) {
    if (s.issued.cursor <= since) continue;
    if (next - since >= limit) break;
    WriteShipment(w, s);
    next = s.issued.cursor;
  }
  w.EndArray();
  KStr(w, "next", std::to_string(next));
  w.EndObject();
  res.Json(200, Done(sb));
}

}  // namespace

bool AuthorizeWms(const World& world, const Req& req, Resp& res) {
  if (world.wms.token.empty()) return true;
  std::string auth = req.Header("Authorization");
  if (auth.size() > 7 && strncasecmp(auth.data(), "Bearer ", 7) == 0 &&
      auth.substr(7) == world.wms.token)
    return true;
  res.Header("WWW-Authenticate", "Bearer realm=\"wms\"");
  res.Json(401, Error(auth.empty() ? "missing bearer token" : "invalid bearer token"));
  return false;
}

std::string ShipWmsOrder(World& world, size_t index) {
  WmsOrderState& o = world.wms_orders[index];
  if (o.record.shipped || o.record.canceled) return "";
  ShipmentState s;
  s.issued.cursor = static_cast<int64_t>(world.shipments.size()) + 1;
  s.issued.order_key = o.record.order_key;
  s.issued.wms_order_id = o.record.wms_order_id;
  s.issued.carrier = o.carrier.empty() ? "UPS" : o.carrier;
  s.issued.service = o.carrier.empty() ? "GROUND" : o.service;
  std::string tracking;
  for (int attempt = 0; attempt < 100; ++attempt) {
    tracking = TrackingNumber(world.wms_rng, s.issued.carrier);
    bool taken =
        std::any_of(world.shipments.begin(), world.shipments.end(),
                    [&](const ShipmentState& x) { return x.issued.tracking_number == tracking; });
    if (!taken) break;
  }
  s.issued.tracking_number = tracking;
  s.issued.shipped_at = IsoUtc(world.NowSeconds());
  s.lines = o.lines;
  for (const WmsLine& l : o.lines) {
    if (l.warehouse.empty()) continue;
    WmsSku* entry = FindSku(world, l.sku);
    if (entry == nullptr) continue;
    auto& stock = entry->stock[l.warehouse];
    stock.second = std::max<int64_t>(0, stock.second - l.quantity);
  }
  o.record.shipped = true;
  o.record.tracking_number = tracking;
  world.shipments.push_back(std::move(s));
  return tracking;
}

void HandleWms(World& world, const Req& req, Resp& res) {
  std::vector<std::string> seg = SplitPath(req.path);
  const bool get = req.method == "GET";
  if (seg.size() == 1 && seg[0] == "orders" && req.method == "POST")
    return Receive(world, req, res);
  if (seg.size() == 2 && seg[0] == "orders" && get) {
    auto it = world.wms_by_key.find(seg[1]);
    if (it == world.wms_by_key.end()) return res.Json(404, Error("no order with this order_key"));
    const WmsOrderState& o = world.wms_orders[it->second];
    return res.Json(200, IdBody(o, o.record.canceled  ? "canceled"
                                   : o.record.shipped ? "shipped"
                                                      : "received"));
  }
  // Cancel (wms-contract.md, second wave): 200 canceled (again for a
  // canceled order), 409 {"status": "shipped"} too late, 404 unknown.
  if (seg.size() == 3 && seg[0] == "orders" && seg[2] == "cancel" && req.method == "POST") {
    auto it = world.wms_by_key.find(seg[1]);
    if (it == world.wms_by_key.end()) return res.Json(404, Error("no order with this order_key"));
    WmsOrderState& o = world.wms_orders[it->second];
    ++o.record.cancel_requests;
    if (o.record.shipped && !o.record.canceled) return res.Json(409, IdBody(o, "shipped"));
    o.record.canceled = true;
    return res.Json(200, IdBody(o, "canceled"));
  }
  if (seg.size() == 1 && seg[0] == "shipments" && get) return Shipments(world, req, res);
  rapidjson::StringBuffer sb;
  Writer w(sb);
  // ?client=C: that client's records (and those of no client); every record
  // when absent or when the WMS is set to ignore the parameter.
  const std::string* client = world.wms.ignore_client ? nullptr : req.Param("client");
  auto wanted = [&](const WmsSku& entry) {
    return client == nullptr || entry.client.empty() || entry.client == *client;
  };
  if (seg.size() == 1 && seg[0] == "inventory" && get) {
    w.StartObject();
    w.Key("inventory");
    w.StartArray();
    for (const auto& [sku, entry] : world.wms_skus) {
      if (!wanted(entry)) continue;
      for (const auto& [warehouse, stock] : entry.stock) {
        w.StartObject();
        KStr(w, "sku", sku);
        KStr(w, "warehouse", warehouse);
        KInt(w, "available", stock.first);
        KInt(w, "on_hand", stock.second);
        if (!entry.client.empty()) KStr(w, "client", entry.client);
        w.EndObject();
      }
    }
    w.EndArray();
    if (world.wms.as_of.empty())
      KStr(w, "as_of", IsoUtc(world.NowSeconds()));
    else if (world.wms.as_of != "none")
      KStr(w, "as_of", world.wms.as_of);
    w.EndObject();
    return res.Json(200, Done(sb));
  }
  if (seg.size() == 1 && seg[0] == "aliases" && get) {
    w.StartObject();
    w.Key("aliases");
    w.StartArray();
    for (const auto& [sku, entry] : world.wms_skus) {
      if (entry.aliases.empty() || !wanted(entry)) continue;
      w.StartObject();
      KStr(w, "sku", sku);
      if (!entry.client.empty()) KStr(w, "client", entry.client);
      w.Key("aliases");
      w.StartObject();
      for (const auto& [type, value] : entry.aliases) KStr(w, type.c_str(), value);
      w.EndObject();
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return res.Json(200, Done(sb));
  }
  res.Json(404, Error("not found"));
}

}  // namespace cartsync::sim::detail
