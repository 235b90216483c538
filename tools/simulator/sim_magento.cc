// Magento 2 / Adobe Commerce REST subset (admin-schema-2.4.9.yaml), under
// /magento/{store}/rest/{store_code}/V1 (also /rest/V1): orders with
// searchCriteria (filter groups AND-ed, filters in a group OR-ed; eq, neq,
// in, nin, gt, gteq, lt, lteq; sortOrders; pageSize/currentPage, a page past
// the end answering the last page again as Magento does), one order,
// shipments by order_id, POST /order/{id}/ship, POST /shipment/track,
// products by SKU, MSI source items and the legacy stock items. Dates are
// the database's UTC "YYYY-MM-DD HH:MM:SS"; errors are {"message",
// "parameters"} with placeholders. Authentication (Bearer) is checked by
// the dispatcher (AuthorizeMagento).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "tools/simulator/sim_internal.h"

namespace cartsync::sim::detail {
namespace {

std::string Date(int64_t epoch) {
  std::string iso = IsoUtc(epoch);  // 2026-11-01T10:00:00Z
  if (iso.size() == 20) {
    iso[10] = ' ';
    iso.pop_back();
  }
  return iso;
}

std::string IncrementId(int64_t id) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%09lld", static_cast<long long>(id));
  return buf;
}

/// {"message": ..., "parameters": {...}} as Magento's error-response.
void Error(Resp& res, int status, std::string_view message,
           const std::vector<std::pair<std::string, std::string>>& params = {}) {
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.StartObject();
  KStr(w, "message", message);
  if (!params.empty()) {
    w.Key("parameters");
    w.StartObject();
    for (const auto& [k, v] : params) KStr(w, k.c_str(), v);
    w.EndObject();
  }
  w.EndObject();
  res.Json(status, Done(sb));
}

void NotFound(Resp& res) {
  Error(res, 404, "The entity that was requested doesn't exist. Verify the entity and try again.");
}

void Required(Resp& res, const std::string& field) {
  Error(res, 400, "\"%fieldName\" is required. Enter and try again.", {{"fieldName", field}});
}

std::string SourceCode(const Store& st, size_t location_index) {
  return location_index == 0 ? "default" : Slug(st.locations[location_index].name);
}

// ---- searchCriteria ---------------------------------------------------------------

struct Filter {
  std::string field, value, condition = "eq";
};

struct Criteria {
  std::map<int, std::map<int, Filter>> groups;     ///< group -> index -> filter
  std::vector<std::pair<std::string, bool>> sort;  ///< field, ascending
  int64_t page_size = 0;                           ///< 0: all
  int64_t current_page = 1;
};

/// Reads searchCriteria[...] parameters; false: res set (400).
bool ReadCriteria(const Req& req, Criteria* c, Resp& res) {
  std::map<int, std::pair<std::string, bool>> sort;
  for (const auto& [name, value] : req.query) {
    if (name.rfind("searchCriteria", 0) != 0) continue;
    // searchCriteria[a][b]... -> {a, b, ...}
    std::vector<std::string> keys;
    size_t p = std::string("searchCriteria").size();
    while (p < name.size() && name[p] == '[') {
      size_t close = name.find(']', p);
      if (close == std::string::npos) break;
      keys.push_back(name.substr(p + 1, close - p - 1));
      p = close + 1;
    }
    auto number = [&](const std::string& s, int* out) {
      auto n = ToInt(s);
      if (!n || *n < 0 || *n > 1000) return false;
      *out = static_cast<int>(*n);
      return true;
    };
    if (keys.size() == 5 && keys[0] == "filterGroups" && keys[2] == "filters") {
      int g = 0, i = 0;
      if (!number(keys[1], &g) || !number(keys[3], &i)) {
        Error(res, 400, "Invalid search criteria");
        return false;
      }
      Filter& f = c->groups[g][i];
      if (keys[4] == "field")
        f.field = value;
      else if (keys[4] == "value")
        f.value = value;
      else if (keys[4] == "conditionType")
        f.condition = value;
    } else if (keys.size() == 3 && keys[0] == "sortOrders") {
      int i = 0;
      if (!number(keys[1], &i)) {
        Error(res, 400, "Invalid search criteria");
        return false;
      }
      if (keys[2] == "field") sort[i].first = value;
      if (keys[2] == "direction") sort[i].second = value == "DESC" || value == "desc";
    } else if (keys.size() == 1 && (keys[0] == "pageSize" || keys[0] == "currentPage")) {
      auto n = ToInt(value);
      if (!n || *n < 0) {
        Error(res, 400, "\"%fieldName\" has invalid value", {{"fieldName", keys[0]}});
        return false;
      }
      (keys[0] == "pageSize" ? c->page_size : c->current_page) = *n;
    }
  }
  for (auto& [i, s] : sort) c->sort.emplace_back(s.first, !s.second);
  for (auto& [g, filters] : c->groups) {
    for (auto& [i, f] : filters) {
      static const std::set<std::string> kConditions = {"eq", "neq",  "in", "nin",
                                                        "gt", "gteq", "lt", "lteq"};
      if (f.field.empty() || !kConditions.count(f.condition)) {
        Error(res, 400, "Invalid filter: field \"%1\", condition \"%2\"",
              {{"1", f.field}, {"2", f.condition}});
        return false;
      }
    }
  }
  if (c->current_page < 1) c->current_page = 1;
  return true;
}

/// Compares as numbers when both are integers, else as text (dates in
/// "YYYY-MM-DD HH:MM:SS" compare correctly as text).
int Compare(const std::string& a, const std::string& b) {
  auto x = ToInt(a), y = ToInt(b);
  if (x && y) return *x < *y ? -1 : *x > *y ? 1 : 0;
  return a < b ? -1 : a > b ? 1 : 0;
}

bool Matches(const Filter& f, const std::string& actual) {
  if (f.condition == "in" || f.condition == "nin") {
    bool found = false;
    for (const std::string& v : SplitComma(f.value))
      if (Compare(actual, v) == 0) found = true;
    return f.condition == "in" ? found : !found;
  }
  const int c = Compare(actual, f.value);
  if (f.condition == "eq") return c == 0;
  if (f.condition == "neq") return c != 0;
  if (f.condition == "gt") return c > 0;
  if (f.condition == "gteq") return c >= 0;
  if (f.condition == "lt") return c < 0;
  return c <= 0;  // lteq
}

/// Keeps the rows every group matches (a filter of the group, OR-ed);
/// false when a filter names a field `value` does not know (res: 400).
template <typename Row>
bool Select(const Criteria& c, std::vector<Row>& rows,
            const std::function<std::optional<std::string>(const Row&, const std::string&)>& value,
            Resp& res) {
  for (const auto& [g, filters] : c.groups) {
    for (const auto& [i, f] : filters) {
      if (rows.empty()) break;
      if (!value(rows.front(), f.field)) {
        Error(res, 400, "Invalid filter: field \"%1\"", {{"1", f.field}});
        return false;
      }
    }
    std::vector<Row> kept;
    for (const Row& r : rows) {
      bool any = false;
      for (const auto& [i, f] : filters) any = any || Matches(f, *value(r, f.field));
      if (any) kept.push_back(r);
    }
    rows = std::move(kept);
  }
  for (auto it = c.sort.rbegin(); it != c.sort.rend(); ++it) {
    // Not a structured binding: clang 14 cannot capture one in the lambda below.
    const std::string& field = it->first;
    const bool ascending = it->second;
    if (!rows.empty() && !value(rows.front(), field)) {
      Error(res, 400, "Invalid sort field \"%1\"", {{"1", field}});
      return false;
    }
    std::stable_sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) {
      const int cmp = Compare(*value(a, field), *value(b, field));
      return ascending ? cmp < 0 : cmp > 0;
    });
  }
  return true;
}

/// The page [begin, end) of `total` rows; a page past the end is the last
/// page again (Magento's collections do that).
void PageOf(const Criteria& c, size_t total, size_t* begin, size_t* end) {
  if (c.page_size <= 0) {
    *begin = 0;
    *end = total;
    return;
  }
  const size_t size = static_cast<size_t>(c.page_size);
  size_t pages = (total + size - 1) / size;
  size_t page = std::min<size_t>(static_cast<size_t>(c.current_page), std::max<size_t>(pages, 1));
  *begin = std::min(total, (page - 1) * size);
  *end = std::min(total, *begin + size);
}

void WriteCriteria(Writer& w, const Criteria& c) {
  w.Key("search_criteria");
  w.StartObject();
  w.Key("filter_groups");
  w.StartArray();
  for (const auto& [g, filters] : c.groups) {
    w.StartObject();
    w.Key("filters");
    w.StartArray();
    for (const auto& [i, f] : filters) {
      w.StartObject();
      KStr(w, "field", f.field);
      KStr(w, "value", f.value);
      KStr(w, "condition_type", f.condition);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  if (c.page_size > 0) KInt(w, "page_size", c.page_size);
  KInt(w, "current_page", c.current_page);
  w.EndObject();
}

// ---- orders -------------------------------------------------------------------------

std::string State(const std::string& status) {
  if (status == "pending") return "new";
  if (status == "holded") return "holded";
  return status;  // processing, complete, closed, canceled
}

void WriteAddress(Writer& w, const Order& o, const char* type) {
  const Addr& a = o.ship;
  w.StartObject();
  KStr(w, "address_type", type);
  KStr(w, "firstname", a.first);
  KStr(w, "lastname", a.last);
  if (!a.company.empty()) KStr(w, "company", a.company);
  w.Key("street");
  w.StartArray();
  Str(w, a.address1);
  if (!a.address2.empty()) Str(w, a.address2);
  w.EndArray();
  KStr(w, "city", a.city);
  KStr(w, "region", a.region_name);
  KStr(w, "region_code", a.region_code);
  KStr(w, "postcode", a.postal);
  KStr(w, "country_id", a.country_code);
  KStr(w, "telephone", a.phone.empty() ? "000-000-0000" : a.phone);
  KStr(w, "email", o.email);
  KInt(w, "parent_id", o.id);
  w.EndObject();
}

void WriteOrder(Writer& w, const Store& st, const Order& o) {
  const std::string money_total = Money(o.SubtotalCents() + o.shipping_cents);
  w.StartObject();
  KInt(w, "entity_id", o.id);
  KStr(w, "increment_id", IncrementId(o.number));
  KStr(w, "state", State(o.status));
  KStr(w, "status", o.status);
  KStr(w, "created_at", Date(o.created));
  KStr(w, "updated_at", Date(o.updated));
  KInt(w, "store_id", 1);
  KStr(w, "customer_email", o.email);
  KStr(w, "customer_firstname", o.ship.first);
  KStr(w, "customer_lastname", o.ship.last);
  KInt(w, "customer_is_guest", o.customer_id == 0 ? 1 : 0);
  KStr(w, "order_currency_code", "USD");
  w.Key("base_grand_total");
  w.RawNumber(money_total.c_str(), static_cast<rapidjson::SizeType>(money_total.size()));
  w.Key("grand_total");
  w.RawNumber(money_total.c_str(), static_cast<rapidjson::SizeType>(money_total.size()));
  const std::string shipping = Money(o.shipping_cents);
  w.Key("shipping_amount");
  w.RawNumber(shipping.c_str(), static_cast<rapidjson::SizeType>(shipping.size()));
  if (o.has_shipping) KStr(w, "shipping_description", o.ship_code);
  KInt(w, "total_qty_ordered", o.Ordered());
  w.Key("items");
  w.StartArray();
  for (const Line& l : o.lines) {
    const std::string price = Money(l.price_cents);
    w.StartObject();
    KInt(w, "item_id", l.id);
    KInt(w, "order_id", o.id);
    KInt(w, "product_id", st.products[l.product].product_id);
    KStr(w, "product_type", "simple");
    KStr(w, "sku", l.sku);
    KStr(w, "name", l.title);
    w.Key("price");
    w.RawNumber(price.c_str(), static_cast<rapidjson::SizeType>(price.size()));
    w.Key("base_price");
    w.RawNumber(price.c_str(), static_cast<rapidjson::SizeType>(price.size()));
    KInt(w, "qty_ordered", l.quantity);
    KInt(w, "qty_shipped", l.shipped);
    KInt(w, "qty_refunded", 0);
    KInt(w, "qty_canceled", o.status == "canceled" ? l.quantity - l.shipped : 0);
    KInt(w, "is_virtual", 0);
    w.EndObject();
  }
  w.EndArray();
  w.Key("billing_address");
  WriteAddress(w, o, "billing");
  w.Key("payment");
  w.StartObject();
  KStr(w, "method", "checkmo");
  KStr(w, "account_status", "");
  w.Key("additional_information");
  w.StartArray();
  w.EndArray();
  w.EndObject();
  w.Key("status_histories");
  w.StartArray();
  w.EndArray();
  w.Key("extension_attributes");
  w.StartObject();
  w.Key("shipping_assignments");
  w.StartArray();
  if (o.has_shipping) {
    w.StartObject();
    w.Key("shipping");
    w.StartObject();
    w.Key("address");
    WriteAddress(w, o, "shipping");
    KStr(w, "method", o.ship_code_id);
    w.EndObject();
    w.Key("items");
    w.StartArray();
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  w.EndObject();
}

std::optional<std::string> OrderField(const Order* const& o, const std::string& field) {
  if (field == "entity_id") return std::to_string(o->id);
  if (field == "increment_id") return IncrementId(o->number);
  if (field == "status") return o->status;
  if (field == "state") return State(o->status);
  if (field == "created_at") return Date(o->created);
  if (field == "updated_at") return Date(o->updated);
  if (field == "customer_email") return o->email;
  return std::nullopt;
}

/// The fault option shift_rate: open orders ship (complete) or change
/// between requests, so paging by offset would skip some.
void ShiftOrders(World& world, Store& st) {
  if (world.faults == nullptr || !st.rng.Chance(world.faults->shift_rate)) return;
  std::vector<Order*> open;
  for (Order& o : st.orders)
    if (o.status == "processing" || o.status == "pending") open.push_back(&o);
  for (int i = 0; i < world.faults->shift_orders && !open.empty(); ++i) {
    size_t pick = static_cast<size_t>(st.rng.Range(0, static_cast<int64_t>(open.size()) - 1));
    Order& o = *open[pick];
    open.erase(open.begin() + static_cast<std::ptrdiff_t>(pick));
    if (st.rng.Chance(0.5)) o.status = "complete";
    o.updated = std::max(o.updated + 1, world.NowSeconds());
  }
}

void ListOrders(World& world, Store& st, const Req& req, Resp& res) {
  Criteria c;
  if (!ReadCriteria(req, &c, res)) return;
  ShiftOrders(world, st);
  std::vector<const Order*> rows;
  for (const Order& o : st.orders) rows.push_back(&o);
  if (!Select<const Order*>(c, rows, OrderField, res)) return;
  size_t begin = 0, end = 0;
  PageOf(c, rows.size(), &begin, &end);
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.StartObject();
  w.Key("items");
  w.StartArray();
  for (size_t i = begin; i < end; ++i) WriteOrder(w, st, *rows[i]);
  w.EndArray();
  WriteCriteria(w, c);
  KInt(w, "total_count", static_cast<int64_t>(rows.size()));
  w.EndObject();
  res.Json(200, Done(sb));
}

// ---- shipments ------------------------------------------------------------------------

/// Order::shipments holds one entry per track; entries with the same id are
/// one Magento shipment (its first entry has the items).
struct ShipmentRow {
  const Order* order;
  int64_t id;
};

void WriteShipment(Writer& w, const Store& st, const Order& o, int64_t id) {
  const BcShipment* first = nullptr;
  for (const BcShipment& s : o.shipments)
    if (s.id == id && first == nullptr) first = &s;
  w.StartObject();
  KInt(w, "entity_id", id);
  KInt(w, "order_id", o.id);
  KStr(w, "increment_id", IncrementId(id));
  KInt(w, "store_id", 1);
  KStr(w, "created_at", Date(first->created));
  KStr(w, "updated_at", Date(first->created));
  KInt(w, "shipping_address_id", o.id);
  KInt(w, "billing_address_id", o.id);
  int64_t total = 0;
  for (const auto& [index, qty] : first->items) total += qty;
  KInt(w, "total_qty", total);
  w.Key("items");
  w.StartArray();
  for (const auto& [index, qty] : first->items) {
    const Line& l = o.lines[index];
    w.StartObject();
    KInt(w, "order_item_id", l.id);
    KInt(w, "parent_id", id);
    KInt(w, "product_id", st.products[l.product].product_id);
    KStr(w, "sku", l.sku);
    KStr(w, "name", l.title);
    KInt(w, "qty", qty);
    w.EndObject();
  }
  w.EndArray();
  w.Key("tracks");
  w.StartArray();
  int64_t n = 0;
  for (const BcShipment& s : o.shipments) {
    if (s.id != id || s.tracking_number.empty()) continue;
    w.StartObject();
    KInt(w, "entity_id", id * 100 + ++n);
    KInt(w, "parent_id", id);
    KInt(w, "order_id", o.id);
    KStr(w, "track_number", s.tracking_number);
    KStr(w, "title", s.carrier);
    KStr(w, "carrier_code", s.provider);
    KStr(w, "created_at", Date(s.created));
    w.EndObject();
  }
  w.EndArray();
  w.Key("comments");
  w.StartArray();
  w.EndArray();
  w.EndObject();
}

std::optional<std::string> ShipmentField(const ShipmentRow& r, const std::string& field) {
  if (field == "entity_id") return std::to_string(r.id);
  if (field == "order_id") return std::to_string(r.order->id);
  return std::nullopt;
}

void ListShipments(const Store& st, const Req& req, Resp& res) {
  Criteria c;
  if (!ReadCriteria(req, &c, res)) return;
  std::vector<ShipmentRow> rows;
  for (const Order& o : st.orders) {
    std::set<int64_t> seen;
    for (const BcShipment& s : o.shipments)
      if (seen.insert(s.id).second) rows.push_back({&o, s.id});
  }
  if (!Select<ShipmentRow>(c, rows, ShipmentField, res)) return;
  size_t begin = 0, end = 0;
  PageOf(c, rows.size(), &begin, &end);
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.StartObject();
  w.Key("items");
  w.StartArray();
  for (size_t i = begin; i < end; ++i) WriteShipment(w, st, *rows[i].order, rows[i].id);
  w.EndArray();
  WriteCriteria(w, c);
  KInt(w, "total_count", static_cast<int64_t>(rows.size()));
  w.EndObject();
  res.Json(200, Done(sb));
}

struct Track {
  std::string number, title, carrier;
};

/// A track object of a request; false: res set (400).
bool ReadTrack(const rapidjson::Value& t, Track* out, Resp& res) {
  if (!t.IsObject()) {
    Error(res, 400, "Invalid track");
    return false;
  }
  for (const char* key : {"track_number", "title", "carrier_code"}) {
    auto v = JsonString(t, key);
    if (!v || v->empty()) {
      Required(res, key);
      return false;
    }
  }
  out->number = *JsonString(t, "track_number");
  out->title = *JsonString(t, "title");
  out->carrier = *JsonString(t, "carrier_code");
  return true;
}

void ShipOrder(World& world, Store& st, Order& o, const Req& req, Resp& res) {
  rapidjson::Document doc;
  doc.Parse(req.body.c_str(), req.body.size());
  if (doc.HasParseError() || !doc.IsObject())
    return Error(res, 400, "Decoding error: the request body is not valid JSON");
  const std::string refused =
      "Shipment Document Validation Error(s):\nThe order does not allow a shipment to be created.";
  if (o.status == "canceled" || o.status == "closed" || o.status == "holded" ||
      o.status == "complete")
    return Error(res, 400, refused);
  std::map<size_t, int64_t> quantities;  // line index -> qty
  if (doc.HasMember("items")) {
    if (!doc["items"].IsArray()) return Error(res, 400, "\"items\" must be an array");
    for (const auto& item : doc["items"].GetArray()) {
      auto id = item.IsObject() ? JsonInt(item, "order_item_id") : std::nullopt;
      if (!id) return Required(res, "order_item_id");
      if (!item.HasMember("qty") || !item["qty"].IsNumber()) return Required(res, "qty");
      const double qty = item["qty"].GetDouble();
      size_t index = o.lines.size();
      for (size_t i = 0; i < o.lines.size(); ++i)
        if (o.lines[i].id == *id) index = i;
      if (index == o.lines.size() || qty <= 0 || std::floor(qty) != qty)
        return Error(res, 400, refused);
      quantities[index] += static_cast<int64_t>(qty);
    }
  }
  if (quantities.empty()) {  // no items: everything still to ship
    for (size_t i = 0; i < o.lines.size(); ++i)
      if (o.lines[i].quantity > o.lines[i].shipped)
        quantities[i] = o.lines[i].quantity - o.lines[i].shipped;
  }
  if (quantities.empty()) return Error(res, 400, refused);
  for (const auto& [index, qty] : quantities)
    if (o.lines[index].shipped + qty > o.lines[index].quantity) return Error(res, 400, refused);
  std::vector<Track> tracks;
  if (doc.HasMember("tracks")) {
    if (!doc["tracks"].IsArray()) return Error(res, 400, "\"tracks\" must be an array");
    for (const auto& t : doc["tracks"].GetArray()) {
      Track track;
      if (!ReadTrack(t, &track, res)) return;
      tracks.push_back(std::move(track));
    }
  }
  BcShipment s;
  s.id = st.next_misc_id++;
  s.created = world.NowSeconds();
  for (const auto& [index, qty] : quantities) {
    o.lines[index].shipped += qty;
    s.items.emplace_back(index, qty);
  }
  const std::string to = o.Shipped() >= o.Ordered() ? "complete" : "processing";
  if (to != o.status) {
    world.RecordStatus(st, o, o.status, to);
    o.status = to;
  }
  o.updated = std::max(o.updated, world.NowSeconds());
  if (tracks.empty()) {
    o.shipments.push_back(s);
  }
  for (size_t i = 0; i < tracks.size(); ++i) {
    BcShipment entry = i == 0 ? s : BcShipment{};
    entry.id = s.id;
    entry.created = s.created;
    entry.tracking_number = tracks[i].number;
    entry.carrier = tracks[i].title;
    entry.provider = tracks[i].carrier;
    o.shipments.push_back(entry);
    world.RecordTracking(st, o, "shipment", tracks[i].number, tracks[i].carrier, req.body);
  }
  res.Json(200, std::to_string(s.id));
}

void AddTrack(World& world, Store& st, const Req& req, Resp& res) {
  rapidjson::Document doc;
  doc.Parse(req.body.c_str(), req.body.size());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("entity") ||
      !doc["entity"].IsObject())
    return Required(res, "entity");
  const rapidjson::Value& e = doc["entity"];
  auto order_id = JsonInt(e, "order_id");
  auto parent_id = JsonInt(e, "parent_id");
  if (!order_id) return Required(res, "order_id");
  if (!parent_id) return Required(res, "parent_id");
  Track track;
  if (!ReadTrack(e, &track, res)) return;
  Order* o = st.FindOrder(*order_id);
  if (o == nullptr) return NotFound(res);
  bool found = false;
  for (const BcShipment& s : o->shipments) found = found || s.id == *parent_id;
  if (!found) return NotFound(res);
  BcShipment entry;
  entry.id = *parent_id;
  entry.created = world.NowSeconds();
  entry.tracking_number = track.number;
  entry.carrier = track.title;
  entry.provider = track.carrier;
  o->shipments.push_back(entry);
  o->updated = std::max(o->updated, world.NowSeconds());
  world.RecordTracking(st, *o, "track", track.number, track.carrier, req.body);
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.StartObject();
  KInt(w, "order_id", o->id);
  KInt(w, "parent_id", *parent_id);
  KStr(w, "track_number", track.number);
  KStr(w, "title", track.title);
  KStr(w, "carrier_code", track.carrier);
  KStr(w, "created_at", Date(entry.created));
  w.EndObject();
  res.Json(200, Done(sb));
}

// ---- catalog and stock --------------------------------------------------------------

std::optional<std::string> ProductField(const Product* const& p, const std::string& field) {
  if (field == "sku") return p->sku;
  if (field == "entity_id" || field == "id") return std::to_string(p->product_id);
  return std::nullopt;
}

void ListProducts(Store& st, const Req& req, Resp& res) {
  Criteria c;
  if (!ReadCriteria(req, &c, res)) return;
  std::vector<const Product*> rows;
  for (const Product& p : st.products) rows.push_back(&p);
  if (!Select<const Product*>(c, rows, ProductField, res)) return;
  size_t begin = 0, end = 0;
  PageOf(c, rows.size(), &begin, &end);
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.StartObject();
  w.Key("items");
  w.StartArray();
  for (size_t i = begin; i < end; ++i) {
    const Product& p = *rows[i];
    const std::string price = Money(p.price_cents);
    w.StartObject();
    KInt(w, "id", p.product_id);
    KStr(w, "sku", p.sku);
    KStr(w, "name", p.title);
    KInt(w, "attribute_set_id", 4);
    w.Key("price");
    w.RawNumber(price.c_str(), static_cast<rapidjson::SizeType>(price.size()));
    KInt(w, "status", 1);
    KInt(w, "visibility", 4);
    KStr(w, "type_id", "simple");
    w.EndObject();
  }
  w.EndArray();
  WriteCriteria(w, c);
  KInt(w, "total_count", static_cast<int64_t>(rows.size()));
  w.EndObject();
  res.Json(200, Done(sb));
}

void SaveSourceItems(World& world, Store& st, const Req& req, Resp& res) {
  rapidjson::Document doc;
  doc.Parse(req.body.c_str(), req.body.size());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("sourceItems") ||
      !doc["sourceItems"].IsArray())
    return Required(res, "sourceItems");
  struct Change {
    std::string sku;
    size_t location;
    int64_t quantity;
  };
  std::vector<Change> changes;
  std::vector<std::string> errors;
  for (const auto& item : doc["sourceItems"].GetArray()) {
    auto sku = item.IsObject() ? JsonString(item, "sku") : std::nullopt;
    auto source = item.IsObject() ? JsonString(item, "source_code") : std::nullopt;
    if (!sku || sku->empty()) {
      errors.push_back("\"sku\" can not be empty.");
      continue;
    }
    size_t location = st.locations.size();
    for (size_t i = 0; source && i < st.locations.size(); ++i)
      if (SourceCode(st, i) == *source) location = i;
    if (location == st.locations.size()) {
      errors.push_back("Source with code \"" + source.value_or("") + "\" does not exist.");
      continue;
    }
    if (!item.HasMember("quantity") || !item["quantity"].IsNumber() ||
        std::floor(item["quantity"].GetDouble()) != item["quantity"].GetDouble()) {
      errors.push_back("\"quantity\" should be numeric.");
      continue;
    }
    if (!item.HasMember("status") || !item["status"].IsInt() ||
        (item["status"].GetInt() != 0 && item["status"].GetInt() != 1)) {
      errors.push_back("\"status\" should be numeric.");
      continue;
    }
    changes.push_back({*sku, location, static_cast<int64_t>(item["quantity"].GetDouble())});
  }
  if (!errors.empty()) {
    rapidjson::StringBuffer sb;
    Writer w(sb);
    w.StartObject();
    KStr(w, "message", "Validation Failed");
    w.Key("errors");
    w.StartArray();
    for (const std::string& e : errors) {
      w.StartObject();
      KStr(w, "message", e);
      w.Key("parameters");
      w.StartArray();
      w.EndArray();
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return res.Json(400, Done(sb));
  }
  for (const Change& c : changes) {
    // MSI keeps source items for any SKU; the record says whether the
    // catalog has it.
    Product* p = st.FindSku(c.sku);
    if (p != nullptr) p->levels[st.locations[c.location].id] = c.quantity;
    world.RecordInventory(st, SourceCode(st, c.location), c.sku,
                          p ? std::to_string(p->product_id) : "", c.quantity, p != nullptr);
  }
  res.Json(200, "[]");
}

void WriteStockItem(Writer& w, const Store& st, const Product& p) {
  const int64_t qty = p.levels.count(st.locations[0].id) ? p.levels.at(st.locations[0].id) : 0;
  w.StartObject();
  KInt(w, "item_id", p.product_id);
  KInt(w, "product_id", p.product_id);
  KInt(w, "stock_id", 1);
  KInt(w, "qty", qty);
  KBool(w, "is_in_stock", qty > 0);
  KBool(w, "is_qty_decimal", false);
  KBool(w, "show_default_notification_message", false);
  KBool(w, "use_config_min_qty", true);
  KInt(w, "min_qty", 0);
  KInt(w, "use_config_min_sale_qty", 1);
  KInt(w, "min_sale_qty", 1);
  KBool(w, "use_config_max_sale_qty", true);
  KInt(w, "max_sale_qty", 10000);
  KBool(w, "use_config_backorders", true);
  KInt(w, "backorders", 0);
  KBool(w, "use_config_notify_stock_qty", true);
  KInt(w, "notify_stock_qty", 1);
  KBool(w, "use_config_qty_increments", true);
  KInt(w, "qty_increments", 0);
  KBool(w, "use_config_enable_qty_inc", true);
  KBool(w, "enable_qty_increments", false);
  KBool(w, "use_config_manage_stock", true);
  KBool(w, "manage_stock", true);
  KStr(w, "low_stock_date", "");
  KBool(w, "is_decimal_divided", false);
  KInt(w, "stock_status_changed_auto", 0);
  w.EndObject();
}

void SkuNotFound(Resp& res, const std::string& sku) {
  Error(res, 404, "The Product with the \"%1\" SKU doesn't exist.", {{"1", sku}});
}

void UpdateStockItem(World& world, Store& st, Product& p, const std::string& item_id,
                     const Req& req, Resp& res) {
  rapidjson::Document doc;
  doc.Parse(req.body.c_str(), req.body.size());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("stockItem") ||
      !doc["stockItem"].IsObject())
    return Required(res, "stockItem");
  const rapidjson::Value& item = doc["stockItem"];
  if (!item.HasMember("qty") || !item["qty"].IsNumber()) return Required(res, "qty");
  const double qty = item["qty"].GetDouble();
  if (std::floor(qty) != qty) return Error(res, 400, "\"qty\" should be a whole number.");
  if (item_id != std::to_string(p.product_id)) return NotFound(res);
  p.levels[st.locations[0].id] = static_cast<int64_t>(qty);
  world.RecordInventory(st, "default", p.sku, item_id, static_cast<int64_t>(qty), true);
  res.Json(200, item_id);
}

}  // namespace

bool AuthorizeMagento(const Store& st, const Req& req, Resp& res) {
  if (req.Header("Authorization") == "Bearer " + st.seed.token) return true;
  Error(res, 401, "The consumer isn't authorized to access %resources.",
        {{"resources", "Magento_Sales::actions_view"}});
  return false;
}

void HandleMagento(World& world, Store& st, const Req& req, Resp& res) {
  std::vector<std::string> seg = SplitPath(req.path);
  // rest / [store code] / V1 / ...
  if (seg.size() < 2 || seg[0] != "rest")
    return Error(res, 404, "Request does not match any route.");
  size_t v1 = seg[1] == "V1" ? 1 : 2;
  if (seg.size() <= v1 || seg[v1] != "V1")
    return Error(res, 404, "Request does not match any route.");
  if (v1 == 2) {
    const std::string& code = seg[1];
    bool ok = !code.empty() && std::isalpha(static_cast<unsigned char>(code[0]));
    for (char ch : code) ok = ok && (std::isalnum(static_cast<unsigned char>(ch)) || ch == '_');
    if (!ok || (code != "default" && code != "all" && code != st.seed.name))
      return Error(res, 400, "Requested store is not found");
  }
  seg.erase(seg.begin(), seg.begin() + static_cast<std::ptrdiff_t>(v1 + 1));
  const bool get = req.method == "GET";
  const bool post = req.method == "POST";
  if (seg.size() == 2 && seg[0] == "store" && seg[1] == "storeConfigs" && get) {
    // store-data-store-config-interface, one per store view.
    rapidjson::StringBuffer sb;
    Writer w(sb);
    w.StartArray();
    w.StartObject();
    KInt(w, "id", 1);
    KStr(w, "code", "default");
    KInt(w, "website_id", 1);
    KStr(w, "locale", "en_US");
    KStr(w, "base_currency_code", "USD");
    KStr(w, "default_display_currency_code", "USD");
    KStr(w, "timezone", st.seed.time_zone);
    KStr(w, "weight_unit", "lbs");
    KStr(w, "base_url", "https://" + st.name + ".example/");
    w.EndObject();
    w.EndArray();
    return res.Json(200, Done(sb));
  }
  if (seg.size() == 1 && seg[0] == "orders" && get) return ListOrders(world, st, req, res);
  if (seg.size() == 2 && seg[0] == "orders" && get) {
    Order* o = IsDigits(seg[1]) ? st.FindOrder(*ToInt(seg[1])) : nullptr;
    if (o == nullptr) return NotFound(res);
    rapidjson::StringBuffer sb;
    Writer w(sb);
    WriteOrder(w, st, *o);
    return res.Json(200, Done(sb));
  }
  if (seg.size() == 3 && seg[0] == "order" && seg[2] == "ship" && post) {
    Order* o = IsDigits(seg[1]) ? st.FindOrder(*ToInt(seg[1])) : nullptr;
    if (o == nullptr) return NotFound(res);
    return ShipOrder(world, st, *o, req, res);
  }
  if (seg.size() == 1 && seg[0] == "shipments" && get) return ListShipments(st, req, res);
  if (seg.size() == 2 && seg[0] == "shipment" && seg[1] == "track" && post)
    return AddTrack(world, st, req, res);
  if (seg.size() == 1 && seg[0] == "products" && get) return ListProducts(st, req, res);
  if (seg.size() == 2 && seg[0] == "inventory" && seg[1] == "source-items" && post)
    return SaveSourceItems(world, st, req, res);
  if (seg.size() == 2 && seg[0] == "stockItems" && get) {
    Product* p = st.FindSku(seg[1]);
    if (p == nullptr) return SkuNotFound(res, seg[1]);
    rapidjson::StringBuffer sb;
    Writer w(sb);
    WriteStockItem(w, st, *p);
    return res.Json(200, Done(sb));
  }
  if (seg.size() == 4 && seg[0] == "products" && seg[2] == "stockItems" && req.method == "PUT") {
    Product* p = st.FindSku(seg[1]);
    if (p == nullptr) return SkuNotFound(res, seg[1]);
    return UpdateStockItem(world, st, *p, seg[3], req, res);
  }
  Error(res, 404, "Request does not match any route.");
}

}  // namespace cartsync::sim::detail
