// Shopify Admin REST connector; see shopify_cart.h for the endpoints used.
#include "runtime/carts/shopify_cart.h"

#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <set>
#include <utility>

#include "runtime/carts/connector_util.h"

namespace cartsync {
namespace shopify_detail {
namespace {

using rapidjson::Value;

constexpr size_t kMaxErrorText = 500;
constexpr const char* kDefaultApiVersion = "2024-10";
constexpr const char* kPageLimit = "250";
// What FetchOrders reads (closed_at / cancelled_at for the status check).
constexpr const char* kOrderFields =
    "id,name,email,contact_email,phone,created_at,updated_at,closed_at,cancelled_at,"
    "financial_status,fulfillment_status,shipping_address,shipping_lines,line_items";

using connector_util::EqualsIgnoreCase;
using connector_util::Excerpt;
using connector_util::Member;
using connector_util::PercentDecode;
using connector_util::Trim;
using connector_util::UrlEncode;

bool IsDigits(std::string_view s) {
  if (s.empty() || s.size() > 20) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

/// A string or number as text (numbers parsed as strings arrive as strings);
/// nullopt for null, missing or anything else.
std::optional<std::string> Scalar(const Value* v) {
  if (v == nullptr) return std::nullopt;
  if (v->IsString()) return std::string(v->GetString(), v->GetStringLength());
  if (v->IsInt64()) return std::to_string(v->GetInt64());
  if (v->IsUint64()) return std::to_string(v->GetUint64());
  if (v->IsDouble()) {
    rapidjson::StringBuffer b;
    rapidjson::Writer<rapidjson::StringBuffer> w(b);
    w.Double(v->GetDouble());
    return std::string(b.GetString(), b.GetSize());
  }
  return std::nullopt;
}

std::string Text(const Value& object, const char* name) {
  return Scalar(Member(object, name)).value_or("");
}

bool IsNullOrMissing(const Value& object, const char* name) {
  const Value* v = Member(object, name);
  return v == nullptr || v->IsNull() || (v->IsString() && v->GetStringLength() == 0);
}

/// An integer from a JSON number or its text ("2", "2.0" are 2).
bool ReadInteger(const Value* v, int64_t& out) {
  if (v == nullptr) return false;
  if (v->IsInt64()) {
    out = v->GetInt64();
    return true;
  }
  if (!v->IsString() && !v->IsDouble()) return false;
  std::string text = Scalar(v).value_or("");
  std::string_view t = Trim(text);
  bool negative = !t.empty() && t.front() == '-';
  if (negative) t.remove_prefix(1);
  size_t dot = t.find('.');
  std::string_view whole = t.substr(0, dot);
  if (dot != std::string_view::npos) {
    std::string_view frac = t.substr(dot + 1);
    if (!std::all_of(frac.begin(), frac.end(), [](char c) { return c == '0'; })) return false;
  }
  if (!IsDigits(whole) || whole.size() > 18) return false;
  int64_t value = 0;
  for (char c : whole) value = value * 10 + (c - '0');
  out = negative ? -value : value;
  return true;
}

/// A Shopify id (positive integer, number or string) as decimal text.
std::optional<std::string> ReadId(const Value* v) {
  std::optional<std::string> text = Scalar(v);
  if (!text || !IsDigits(*text)) return std::nullopt;
  return text;
}

/// "2026-11-20T12:00:00+02:00" -> "2026-11-20T10:00:00Z".
bool ToUtc(const Value& object, const char* name, std::string& out) {
  std::optional<std::string> text = Scalar(Member(object, name));
  if (!text) return false;
  out = connector_util::ToIsoUtc(*text);
  return !out.empty();
}

void AppendErrors(const Value& v, const std::string& prefix, std::vector<std::string>& out) {
  if (out.size() > 50) return;
  if (v.IsString()) {
    std::string s(v.GetString(), v.GetStringLength());
    if (!Trim(s).empty()) out.push_back(prefix.empty() ? s : prefix + ": " + s);
  } else if (v.IsArray()) {
    for (const Value& e : v.GetArray()) AppendErrors(e, prefix, out);
  } else if (v.IsObject()) {
    for (const auto& m : v.GetObject()) {
      std::string key(m.name.GetString(), m.name.GetStringLength());
      std::string p = key == "base" ? prefix : (prefix.empty() ? key : prefix + "." + key);
      AppendErrors(m.value, p, out);
    }
  } else if (!v.IsNull()) {
    std::optional<std::string> s = Scalar(&v);
    if (s) out.push_back(prefix.empty() ? *s : prefix + ": " + *s);
  }
}

// The order's own fields for the client-side status check.
std::string FulfillmentOf(const Value& order) {
  std::string f = Text(order, "fulfillment_status");
  return f.empty() || f == "null" ? "unfulfilled" : f;
}

bool MatchesOne(const Value& order, const std::string& dimension, const std::string& value) {
  if (value == "any") return true;
  if (dimension == "financial_status") {
    std::string f = Text(order, "financial_status");
    if (value == "unpaid")
      return f == "pending" || f == "authorized" || f == "partially_paid" || f == "unpaid";
    return f == value;
  }
  if (dimension == "fulfillment_status") {
    std::string f = FulfillmentOf(order);  // null/"" -> "unfulfilled"
    if (value == "unfulfilled") return f == "unfulfilled" || f == "unshipped" || f == "partial";
    if (value == "unshipped") return f == "unfulfilled" || f == "unshipped";
    if (value == "partial") return f == "partial";
    if (value == "fulfilled" || value == "shipped") return f == "fulfilled" || f == "shipped";
    return true;  // unknown here: Shopify's answer stands
  }
  if (dimension == "status") {
    // Without the fields (a trimmed-down simulator) Shopify's answer stands.
    if (Member(order, "closed_at") == nullptr && Member(order, "cancelled_at") == nullptr)
      return true;
    if (value == "open") return IsNullOrMissing(order, "closed_at");
    if (value == "closed") return !IsNullOrMissing(order, "closed_at");
    if (value == "cancelled") return !IsNullOrMissing(order, "cancelled_at");
    return true;
  }
  return true;
}

}  // namespace

std::string NextPageInfo(std::string_view link) {
  size_t pos = 0;
  while (true) {
    size_t lt = link.find('<', pos);
    if (lt == std::string_view::npos) return "";
    size_t gt = link.find('>', lt);
    if (gt == std::string_view::npos) return "";
    std::string_view url = link.substr(lt + 1, gt - lt - 1);
    size_t next_lt = link.find('<', gt);
    std::string_view params = link.substr(
        gt + 1, next_lt == std::string_view::npos ? std::string_view::npos : next_lt - gt - 1);
    pos = gt + 1;
    // rel="next" / rel=next / rel="next previous", among other parameters.
    bool is_next = false;
    size_t p = 0;
    while (p < params.size()) {
      size_t semi = params.find(';', p);
      std::string_view param = Trim(
          params.substr(p, semi == std::string_view::npos ? std::string_view::npos : semi - p));
      p = semi == std::string_view::npos ? params.size() : semi + 1;
      while (!param.empty() && param.back() == ',') param = Trim(param.substr(0, param.size() - 1));
      size_t eq = param.find('=');
      if (eq == std::string_view::npos || !EqualsIgnoreCase(Trim(param.substr(0, eq)), "rel"))
        continue;
      std::string_view value = Trim(param.substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
        value = value.substr(1, value.size() - 2);
      size_t w = 0;
      while (w < value.size()) {
        size_t space = value.find(' ', w);
        std::string_view word =
            value.substr(w, space == std::string_view::npos ? std::string_view::npos : space - w);
        if (EqualsIgnoreCase(word, "next")) is_next = true;
        w = space == std::string_view::npos ? value.size() : space + 1;
      }
    }
    if (!is_next) continue;
    size_t q = url.find('?');
    if (q == std::string_view::npos) return "";
    std::string_view query = url.substr(q + 1);
    query = query.substr(0, query.find('#'));
    size_t start = 0;
    while (start <= query.size()) {
      size_t amp = query.find('&', start);
      std::string_view piece =
          query.substr(start, amp == std::string_view::npos ? std::string_view::npos : amp - start);
      size_t eq = piece.find('=');
      if (eq != std::string_view::npos && piece.substr(0, eq) == "page_info")
        return PercentDecode(piece.substr(eq + 1));
      if (amp == std::string_view::npos) break;
      start = amp + 1;
    }
    return "";
  }
}

std::string ErrorText(std::string_view body) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseNumbersAsStringsFlag | rapidjson::kParseIterativeFlag>(body.data(),
                                                                                    body.size());
  if (doc.HasParseError() || !doc.IsObject()) return "";
  std::vector<std::string> parts;
  if (const Value* errors = Member(doc, "errors")) AppendErrors(*errors, "", parts);
  std::string error = Text(doc, "error"), description = Text(doc, "error_description");
  if (!error.empty() && !description.empty()) {
    parts.push_back(error + ": " + description);
  } else if (!error.empty() || !description.empty()) {
    parts.push_back(error + description);
  }
  std::string joined;
  for (const std::string& p : parts) {
    if (!joined.empty()) joined += "; ";
    joined += p;
  }
  return Excerpt(joined, kMaxErrorText);
}

bool ReadOrder(const Value& order, CartOrder& out, std::string& error) {
  if (!order.IsObject()) {
    error = "an order is not a JSON object";
    return false;
  }
  CartOrder o;
  std::optional<std::string> id = ReadId(Member(order, "id"));
  if (!id) {
    error = "an order has no numeric id";
    return false;
  }
  o.id = *id;
  const std::string where = "order " + o.id + ": ";
  o.order_number = Text(order, "name");
  if (!ToUtc(order, "created_at", o.placed_at)) {
    error = where + "created_at \"" + Excerpt(Text(order, "created_at"), 40) + "\" is not ISO 8601";
    return false;
  }
  if (!ToUtc(order, "updated_at", o.updated_at)) {
    error = where + "updated_at \"" + Excerpt(Text(order, "updated_at"), 40) + "\" is not ISO 8601";
    return false;
  }
  std::string financial = Text(order, "financial_status");
  o.status = (financial.empty() ? "unknown" : financial) + "/" + FulfillmentOf(order);
  if (!IsNullOrMissing(order, "cancelled_at")) o.status = "cancelled " + o.status;

  if (const Value* lines = Member(order, "shipping_lines");
      lines && lines->IsArray() && !lines->Empty()) {
    o.ship_code = Text((*lines)[0], "title");
  }

  std::string email = Text(order, "email");
  if (email.empty()) email = Text(order, "contact_email");
  if (const Value* a = Member(order, "shipping_address"); a && a->IsObject()) {
    Address& s = o.ship_to;
    s.name = Text(*a, "name");
    if (s.name.empty()) {
      std::string first = Text(*a, "first_name"), last = Text(*a, "last_name");
      s.name = first.empty() || last.empty() ? first + last : first + " " + last;
    }
    s.company = Text(*a, "company");
    s.address1 = Text(*a, "address1");
    s.address2 = Text(*a, "address2");
    s.city = Text(*a, "city");
    s.region = Text(*a, "province_code");
    if (s.region.empty()) s.region = Text(*a, "province");
    s.postal_code = Text(*a, "zip");
    s.country = Text(*a, "country_code");
    s.phone = Text(*a, "phone");
  }
  if (o.ship_to.phone.empty()) o.ship_to.phone = Text(order, "phone");
  o.ship_to.email = email;

  if (const Value* items = Member(order, "line_items"); items && !items->IsNull()) {
    if (!items->IsArray()) {
      error = where + "line_items is not a list";
      return false;
    }
    for (const Value& item : items->GetArray()) {
      OrderLine line;
      std::optional<std::string> line_id = ReadId(Member(item, "id"));
      if (!line_id) {
        error = where + "a line item has no numeric id";
        return false;
      }
      line.line_key = *line_id;
      line.sku = Text(item, "sku");
      if (!ReadInteger(Member(item, "quantity"), line.quantity)) {
        error = where + "line item " + line.line_key + " has no integer quantity";
        return false;
      }
      // current_quantity (REST 2024-01+) is quantity minus what an order edit
      // removed: what is left to ship. A line removed entirely is left out.
      if (int64_t current = 0; ReadInteger(Member(item, "current_quantity"), current)) {
        line.quantity = current;
        if (current <= 0) continue;
      }
      // fulfillable_quantity: what is still to fulfil, without what was
      // fulfilled already (by the merchant, another app or an earlier
      // shipment) or refunded. A partially fulfilled order asks the WMS for
      // the rest only, never for the same goods a second time.
      if (int64_t fulfillable = 0; ReadInteger(Member(item, "fulfillable_quantity"), fulfillable)) {
        line.quantity = std::min(line.quantity, fulfillable);
        if (line.quantity <= 0) continue;
      }
      line.unit_price = Text(item, "price");
      o.lines.push_back(std::move(line));
    }
  }
  out = std::move(o);
  return true;
}

bool MatchesStatus(const Value& order, const std::string& dimension,
                   const std::vector<std::string>& values) {
  if (values.empty()) return true;
  for (const std::string& v : values) {
    if (MatchesOne(order, dimension, v)) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------
// The connector

namespace {

/// A 2xx answer (or a 4xx the caller asked to see).
struct Reply {
  int status = 0;
  std::string link;         ///< every Link header, joined by ", "
  std::string request_id;   ///< X-Request-Id, "" when absent
  std::string error_text;   ///< non-2xx: Shopify's error text, or "HTTP N"
  rapidjson::Document doc;  ///< 2xx: the body (an object); numbers as strings
};

/// Which non-2xx answers come back as a Reply rather than a Status.
enum class Pass { None, NotFound, ClientErrors };

std::string RequestIdNote(const std::string& id) {
  return id.empty() ? "" : " (X-Request-Id " + Excerpt(id, 80) + ")";
}

/// The URL's path relative to the API base, without the query: for messages.
std::string PathOnly(const std::string& path) { return path.substr(0, path.find('?')); }

class ShopifyCart final : public CartConnector {
 public:
  ShopifyCart(std::string base, SecretRef token, std::optional<std::string> location,
              HttpClient& http, SecretResolver& secrets)
      : base_(std::move(base)),
        token_ref_(std::move(token)),
        location_(std::move(location)),
        http_(http),
        secrets_(secrets) {}

  Status FetchOrders(const OrderWindow& window,
                     const std::function<Status(std::vector<CartOrder>&&)>& sink) override {
    const std::string page_query = std::string("limit=") + kPageLimit + "&fields=" + kOrderFields;
    std::string filters;
    std::map<std::string, std::vector<std::string>> local_checks;
    for (const char* dimension : {"status", "financial_status", "fulfillment_status"}) {
      auto it = window.statuses.find(dimension);
      if (it == window.statuses.end() || it->second.empty()) continue;
      const std::vector<std::string>& values = it->second;
      bool any = std::find(values.begin(), values.end(), "any") != values.end();
      std::string joined;
      for (const std::string& v : any ? std::vector<std::string>{"any"} : values) {
        // The cart format says "fulfilled"; the orders.json filter spells it "shipped".
        std::string wire =
            std::string(dimension) == "fulfillment_status" && v == "fulfilled" ? "shipped" : v;
        if (!joined.empty()) joined += ",";
        joined += UrlEncode(wire);
      }
      filters += "&" + std::string(dimension) + "=" + joined;
      if (!any && values.size() > 1) local_checks[dimension] = values;
    }
    if (window.created_after)
      filters += "&created_at_min=" + UrlEncode(FormatIsoUtc(*window.created_after), ":");
    if (window.updated_after)
      filters += "&updated_at_min=" + UrlEncode(FormatIsoUtc(*window.updated_after), ":");

    std::string path = "orders.json?" + page_query + filters;
    std::set<std::string> seen;
    for (int page = 1;; ++page) {
      if (page > kMaxPages)
        return Status::Transient("Shopify GET orders.json: more than " + std::to_string(kMaxPages) +
                                 " pages; stopped (a Link header that never ends?)");
      auto reply = Call("GET", path, "", true, Pass::None);
      if (!reply.ok()) return reply.status();
      const Value* orders = Member(reply->doc, "orders");
      if (orders == nullptr || !orders->IsArray())
        return Status::Permanent("Shopify GET orders.json: the answer has no \"orders\" list" +
                                 RequestIdNote(reply->request_id));
      std::vector<CartOrder> batch;
      batch.reserve(orders->Size());
      for (const Value& order : orders->GetArray()) {
        bool wanted = true;
        for (const auto& [dimension, values] : local_checks) {
          if (!MatchesStatus(order, dimension, values)) wanted = false;
        }
        if (!wanted) continue;
        CartOrder o;
        std::string error;
        if (!ReadOrder(order, o, error))
          return Status::Permanent("Shopify GET orders.json: " + error +
                                   RequestIdNote(reply->request_id));
        batch.push_back(std::move(o));
      }
      if (!batch.empty()) {
        Status st = sink(std::move(batch));
        if (!st.ok()) return st;
      }
      std::string next = NextPageInfo(reply->link);
      if (next.empty()) return Status::Ok();
      if (!seen.insert(next).second)
        return Status::Transient("Shopify GET orders.json: the Link header repeated a page (page " +
                                 std::to_string(page + 1) + "); stopped" +
                                 RequestIdNote(reply->request_id));
      // With page_info Shopify accepts only limit and fields: no filters.
      path = "orders.json?" + page_query + "&page_info=" + UrlEncode(next);
    }
  }

  Result<bool> HasTracking(const std::string& order_id,
                           const std::string& tracking_number) override {
    if (!IsDigits(order_id))
      return Status::Permanent("\"" + Excerpt(order_id, 40) + "\" is not a Shopify order id");
    auto reply = Call("GET", "orders/" + order_id + "/fulfillments.json?limit=250", "", true,
                      Pass::NotFound);
    if (!reply.ok()) return reply.status();
    if (reply->status == 404) return false;  // no such order: no tracking on it either
    const Value* fulfillments = Member(reply->doc, "fulfillments");
    if (fulfillments == nullptr || !fulfillments->IsArray())
      return Status::Permanent("Shopify GET orders/" + order_id +
                               "/fulfillments.json: the answer has no \"fulfillments\" list" +
                               RequestIdNote(reply->request_id));
    const std::string_view wanted = Trim(tracking_number);
    auto same = [&](const Value& v) {
      std::optional<std::string> s = Scalar(&v);
      return s && !wanted.empty() && EqualsIgnoreCase(Trim(*s), wanted);
    };
    for (const Value& f : fulfillments->GetArray()) {
      if (const Value* n = Member(f, "tracking_number"); n && same(*n)) return true;
      if (const Value* list = Member(f, "tracking_numbers"); list && list->IsArray()) {
        for (const Value& n : list->GetArray()) {
          if (same(n)) return true;
        }
      }
    }
    return false;
  }

  Status UploadTracking(const TrackingUpload& upload) override {
    const std::string& id = upload.order_id;
    const std::string& number = upload.shipment.tracking_number;
    if (!IsDigits(id))
      return Status::Permanent("\"" + Excerpt(id, 40) + "\" is not a Shopify order id");
    if (Trim(number).empty()) return Status::Permanent("the shipment has no tracking number");

    auto has = HasTracking(id, number);
    if (!has.ok()) return has.status();
    if (has.value()) return Status::Ok();  // already there: never a second fulfillment

    const std::string fo_path = "orders/" + id + "/fulfillment_orders.json";
    auto fos = Call("GET", fo_path, "", true, Pass::None);
    if (!fos.ok()) return fos.status();
    const Value* list = Member(fos->doc, "fulfillment_orders");
    if (list == nullptr || !list->IsArray())
      return Status::Permanent("Shopify GET " + fo_path +
                               ": the answer has no \"fulfillment_orders\" list" +
                               RequestIdNote(fos->request_id));

    // Quantities still to place per shipment line (line_key -> quantity);
    // a line without a quantity takes whatever is fulfillable.
    const bool by_line = !upload.shipment.lines.empty();
    std::map<std::string, int64_t> remaining;
    for (const ShipmentLine& l : upload.shipment.lines) {
      int64_t q = l.quantity > 0 ? l.quantity : INT64_MAX / 4;
      int64_t& r = remaining[l.line_key];
      r = std::min<int64_t>(INT64_MAX / 4, r + q);
    }

    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    w.StartObject();
    w.Key("fulfillment");
    w.StartObject();
    w.Key("line_items_by_fulfillment_order");
    w.StartArray();
    int items = 0;
    for (const Value& fo : list->GetArray()) {
      std::string status = Text(fo, "status");
      if (!status.empty() && status != "open" && status != "in_progress") continue;
      std::optional<std::string> fo_id = ReadId(Member(fo, "id"));
      const Value* lines = Member(fo, "line_items");
      if (!fo_id || lines == nullptr || !lines->IsArray()) continue;
      std::vector<std::pair<std::string, int64_t>> picked;
      for (const Value& li : lines->GetArray()) {
        std::optional<std::string> li_id = ReadId(Member(li, "id"));
        int64_t fulfillable = 0;
        if (!li_id || !ReadInteger(Member(li, "fulfillable_quantity"), fulfillable) ||
            fulfillable <= 0)
          continue;
        int64_t quantity = fulfillable;
        if (by_line) {
          auto it = remaining.find(Text(li, "line_item_id"));
          if (it == remaining.end() || it->second <= 0) continue;
          quantity = std::min(fulfillable, it->second);
          it->second -= quantity;
        }
        picked.emplace_back(*li_id, quantity);
      }
      if (picked.empty()) continue;
      w.StartObject();
      w.Key("fulfillment_order_id");
      w.RawValue(fo_id->data(), static_cast<rapidjson::SizeType>(fo_id->size()),
                 rapidjson::kNumberType);
      w.Key("fulfillment_order_line_items");
      w.StartArray();
      for (const auto& [li_id, quantity] : picked) {
        w.StartObject();
        w.Key("id");
        w.RawValue(li_id.data(), static_cast<rapidjson::SizeType>(li_id.size()),
                   rapidjson::kNumberType);
        w.Key("quantity");
        w.Int64(quantity);
        w.EndObject();
        ++items;
      }
      w.EndArray();
      w.EndObject();
    }
    w.EndArray();
    w.Key("tracking_info");
    w.StartObject();
    w.Key("company");
    w.String(upload.carrier_code.c_str(),
             static_cast<rapidjson::SizeType>(upload.carrier_code.size()));
    w.Key("number");
    w.String(number.c_str(), static_cast<rapidjson::SizeType>(number.size()));
    w.EndObject();
    w.Key("notify_customer");
    w.Bool(false);
    w.EndObject();
    w.EndObject();

    if (items == 0) {
      std::string keys;
      for (const auto& [key, q] : remaining) keys += (keys.empty() ? "" : ", ") + key;
      return Status::Permanent(
          "Shopify order " + id + " has nothing open to fulfil" +
          (by_line ? " for the shipment's lines (line items " + Excerpt(keys, 200) + ")" : "") +
          RequestIdNote(fos->request_id));
    }

    auto posted =
        Call("POST", "fulfillments.json", std::string(buffer.GetString(), buffer.GetSize()),
             /*idempotent=*/false, Pass::None);
    if (posted.ok()) return Status::Ok();
    if (!posted.status().transient()) return posted.status();
    // A timeout or 5xx may still have created the fulfillment: look before
    // reporting a failure that a retry would turn into a duplicate.
    auto recheck = HasTracking(id, number);
    if (recheck.ok() && recheck.value()) return Status::Ok();
    return Status::Transient(posted.status().message() +
                             (recheck.ok()
                                  ? "; the tracking number is not on the order (re-checked)"
                                  : "; re-check failed: " + recheck.status().message()));
  }

  Result<std::vector<PushError>> PushInventory(const std::vector<InventoryPush>& items) override {
    std::vector<PushError> errors;
    if (items.empty()) return errors;
    auto location = Location();
    if (!location.ok()) return location.status();
    Status mapped = LoadSkuMap();
    if (!mapped.ok()) return mapped;
    for (const InventoryPush& item : items) {
      auto it = sku_map_->find(item.sku);
      if (it == sku_map_->end()) {
        errors.push_back({item.sku, "SKU not found in Shopify"});
        continue;
      }
      if (it->second.size() > 1) {
        errors.push_back(
            {item.sku, "SKU is on " + std::to_string(it->second.size()) +
                           " Shopify variants with different inventory items; not set"});
        continue;
      }
      const std::string& item_id = it->second.front();
      rapidjson::StringBuffer buffer;
      rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
      w.StartObject();
      w.Key("location_id");
      w.RawValue(location->data(), static_cast<rapidjson::SizeType>(location->size()),
                 rapidjson::kNumberType);
      w.Key("inventory_item_id");
      w.RawValue(item_id.data(), static_cast<rapidjson::SizeType>(item_id.size()),
                 rapidjson::kNumberType);
      w.Key("available");
      w.Int64(item.quantity);
      w.EndObject();
      auto reply = Call("POST", "inventory_levels/set.json",
                        std::string(buffer.GetString(), buffer.GetSize()),
                        /*idempotent=*/true, Pass::ClientErrors);
      if (!reply.ok()) return reply.status();  // transient, token, malformed: stop here
      if (reply->status >= 300)
        errors.push_back(
            {item.sku, "Shopify: " + reply->error_text + RequestIdNote(reply->request_id)});
    }
    return errors;
  }

 private:
  Result<std::string> Location() {
    if (location_) return *location_;
    auto reply = Call("GET", "locations.json", "", true, Pass::None);
    if (!reply.ok()) return reply.status();
    const Value* list = Member(reply->doc, "locations");
    if (list == nullptr || !list->IsArray())
      return Status::Permanent("Shopify GET locations.json: the answer has no \"locations\" list" +
                               RequestIdNote(reply->request_id));
    for (const Value& loc : list->GetArray()) {
      const Value* active = Member(loc, "active");
      bool is_active =
          active != nullptr &&
          (active->IsBool() ? active->GetBool() : Scalar(active).value_or("") == "true");
      std::optional<std::string> id = ReadId(Member(loc, "id"));
      if (is_active && id) {
        location_ = *id;
        return *id;
      }
    }
    return Status::Permanent(
        "Shopify has no active location (GET locations.json); set [api].inventory_location_id");
  }

  /// SKU -> inventory item ids, from every product's variants (cached).
  Status LoadSkuMap() {
    if (sku_map_) return Status::Ok();
    std::map<std::string, std::vector<std::string>> map;
    const std::string page_query = std::string("limit=") + kPageLimit + "&fields=variants";
    std::string path = "products.json?" + page_query;
    std::set<std::string> seen;
    for (int page = 1;; ++page) {
      if (page > kMaxPages)
        return Status::Transient("Shopify GET products.json: more than " +
                                 std::to_string(kMaxPages) +
                                 " pages; stopped (a Link header that never ends?)");
      auto reply = Call("GET", path, "", true, Pass::None);
      if (!reply.ok()) return reply.status();
      const Value* products = Member(reply->doc, "products");
      if (products == nullptr || !products->IsArray())
        return Status::Permanent("Shopify GET products.json: the answer has no \"products\" list" +
                                 RequestIdNote(reply->request_id));
      for (const Value& product : products->GetArray()) {
        const Value* variants = Member(product, "variants");
        if (variants == nullptr || !variants->IsArray()) continue;
        for (const Value& v : variants->GetArray()) {
          std::string sku = Text(v, "sku");
          std::optional<std::string> item = ReadId(Member(v, "inventory_item_id"));
          if (sku.empty() || !item) continue;
          std::vector<std::string>& ids = map[sku];
          if (std::find(ids.begin(), ids.end(), *item) == ids.end()) ids.push_back(*item);
        }
      }
      std::string next = NextPageInfo(reply->link);
      if (next.empty()) break;
      if (!seen.insert(next).second)
        return Status::Transient(
            "Shopify GET products.json: the Link header repeated a page (page " +
            std::to_string(page + 1) + "); stopped" + RequestIdNote(reply->request_id));
      path = "products.json?" + page_query + "&page_info=" + UrlEncode(next);
    }
    sku_map_ = std::move(map);
    return Status::Ok();
  }

  /// One request to `base_ + path`. 401/403 and errors are Statuses (4xx
  /// Permanent; network, 5xx, 429 Transient from HttpClient; malformed or
  /// non-JSON 2xx Transient), unless `pass` asks to see them. Every message
  /// is scrubbed of the token.
  Result<Reply> Call(const std::string& method, const std::string& path, std::string body,
                     bool idempotent, Pass pass) {
    const std::string where = "Shopify " + method + " " + PathOnly(path);
    auto token = secrets_.Resolve(token_ref_);
    if (!token.ok())
      return Status(token.status().code(), where + ": access token: " + token.status().message());
    const std::string& secret = token.value();
    auto scrub = [&](std::string message) {
      connector_util::ScrubSecrets(message, {secret}, /*min_length=*/0);  // any length
      return message;
    };

    HttpRequest request;
    request.method = method;
    request.url = base_ + path;
    request.headers = {{"X-Shopify-Access-Token", secret},
                       {"Accept", "application/json"},
                       {"Content-Type", "application/json"}};
    request.body = std::move(body);
    request.idempotent = idempotent;
    auto sent = http_.Send(request);
    if (!sent.ok())
      return Status(sent.status().code(), scrub(where + ": " + sent.status().message()));
    const HttpResponse& r = sent.value();

    Reply reply;
    reply.status = r.status;
    reply.request_id = scrub(r.Header("X-Request-Id"));
    for (const auto& [name, value] : r.headers) {
      if (!EqualsIgnoreCase(name, "Link")) continue;
      if (!reply.link.empty()) reply.link += ", ";
      reply.link += value;
    }
    const std::string rid = RequestIdNote(reply.request_id);

    if (r.status == 401 || r.status == 403) {
      std::string text = ErrorText(r.body);
      return Status::Permanent(scrub("Shopify rejected the access token (HTTP " +
                                     std::to_string(r.status) + ") on " + method + " " +
                                     PathOnly(path) + (text.empty() ? "" : ": " + text) + rid));
    }
    if (r.status >= 200 && r.status < 300) {
      const std::string content_type = r.Header("Content-Type");
      if (!content_type.empty() && content_type.find("json") == std::string::npos &&
          content_type.find("JSON") == std::string::npos) {
        return Status::Transient(scrub("malformed JSON from Shopify on " + method + " " +
                                       PathOnly(path) + ": content type \"" +
                                       Excerpt(content_type, 60) + "\", HTTP " +
                                       std::to_string(r.status) + rid));
      }
      if (r.status == 204 && Trim(r.body).empty()) {
        reply.doc.SetObject();
        return reply;
      }
      reply.doc.Parse<rapidjson::kParseNumbersAsStringsFlag | rapidjson::kParseIterativeFlag>(
          r.body.data(), r.body.size());
      if (reply.doc.HasParseError() || !reply.doc.IsObject()) {
        std::string why =
            reply.doc.HasParseError()
                ? std::string(rapidjson::GetParseError_En(reply.doc.GetParseError())) +
                      " at offset " + std::to_string(reply.doc.GetErrorOffset())
                : "not a JSON object";
        return Status::Transient(scrub("malformed JSON from Shopify on " + method + " " +
                                       PathOnly(path) + " (HTTP " + std::to_string(r.status) +
                                       ", " + std::to_string(r.body.size()) + " bytes): " + why +
                                       rid));
      }
      return reply;
    }
    std::string text = ErrorText(r.body);
    reply.error_text = scrub(text.empty() ? "HTTP " + std::to_string(r.status)
                                          : text + " (HTTP " + std::to_string(r.status) + ")");
    if ((pass == Pass::NotFound && r.status == 404) ||
        (pass == Pass::ClientErrors && r.status >= 400 && r.status < 500)) {
      reply.doc.SetObject();
      return reply;
    }
    std::string message =
        where + ": HTTP " + std::to_string(r.status) + (text.empty() ? "" : ": " + text);
    if (r.status >= 300 && r.status < 400) {
      std::string location = r.Header("Location");
      message += " (redirect" +
                 (location.empty() ? std::string() : " to " + Excerpt(RedactUrl(location), 200)) +
                 "; store_url must be the shop's https://NAME.myshopify.com address)";
    }
    message += rid;
    if (r.status >= 300 && r.status < 500) return Status::Permanent(scrub(message));
    return Status::Transient(scrub(message));
  }

  std::string base_;  ///< ".../admin/api/{version}/"
  SecretRef token_ref_;
  std::optional<std::string> location_;  ///< configured, or found once
  HttpClient& http_;
  SecretResolver& secrets_;
  std::optional<std::map<std::string, std::vector<std::string>>> sku_map_;
};

/// https://, or http:// to a loopback host (a local simulator).
bool AllowedBase(std::string_view url) {
  if (url.rfind("https://", 0) == 0) return url.size() > 8;
  if (url.rfind("http://", 0) != 0) return false;
  std::string_view rest = url.substr(7);
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.find('@') != std::string_view::npos) return false;
  std::string_view host;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return false;
    host = authority.substr(0, close + 1);
  } else {
    host = authority.substr(0, authority.find(':'));
  }
  return connector_util::IsLoopbackHost(host);
}

}  // namespace
}  // namespace shopify_detail

Result<std::unique_ptr<CartConnector>> MakeShopifyCart(const CartConfig& cart,
                                                       const ConnectorDeps& deps) {
  using namespace shopify_detail;
  const std::string who = "cart " + cart.id + ": ";
  if (deps.http == nullptr || deps.secrets == nullptr)
    return Status::Permanent(who +
                             "the Shopify connector needs an HTTP client and a secret resolver");
  auto text = [&](const char* name) -> std::string {
    auto it = cart.api.find(name);
    return it == cart.api.end() ? "" : it->second.text;
  };
  std::string base = text("base_url");
  if (base.empty()) base = text("store_url");
  if (base.empty()) return Status::Permanent(who + "[api].store_url is missing");
  while (!base.empty() && base.back() == '/') base.pop_back();
  if (!AllowedBase(base))
    return Status::Permanent(who + "the Shopify address " + Excerpt(RedactUrl(base), 200) +
                             " must be https:// (http:// only to 127.0.0.1, localhost or ::1)");
  if (base.find_first_of("?#") != std::string::npos)
    return Status::Permanent(who + "the Shopify address must not carry a query or fragment");

  std::string version = text("api_version");
  if (version.empty()) version = kDefaultApiVersion;
  for (char c : version) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '-'))
      return Status::Permanent(who + "[api].api_version \"" + Excerpt(version, 40) +
                               "\" is not YYYY-MM");
  }

  auto token = cart.api.find("access_token");
  if (token == cart.api.end() || !token->second.secret)
    return Status::Permanent(who +
                             "[api].access_token is missing (a { secret = \"…\" } reference)");

  std::optional<std::string> location;
  if (auto it = cart.api.find("inventory_location_id"); it != cart.api.end()) {
    const FieldValue& f = it->second;
    std::string id = f.type == FieldType::Integer ? std::to_string(f.integer) : f.text;
    if (f.type == FieldType::Integer && f.integer <= 0) id.clear();
    if (!IsDigits(id) || id.find_first_not_of('0') == std::string::npos)
      return Status::Permanent(who + "[api].inventory_location_id must be a positive integer");
    location = id;
  }

  return std::unique_ptr<CartConnector>(new ShopifyCart(base + "/admin/api/" + version + "/",
                                                        *token->second.secret, std::move(location),
                                                        *deps.http, *deps.secrets));
}

}  // namespace cartsync
