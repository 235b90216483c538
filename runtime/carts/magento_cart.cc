// Magento over HttpClient (which owns retries and 429). This file speaks the
// REST wire formats of admin-schema-2.4.9.yaml and turns answers into
// orders, shipments and per-SKU errors. Credentials are resolved for each
// request, live only in that request's Authorization header, and are
// scrubbed from any answer text before it can reach a message.
#include "runtime/carts/magento_cart.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <utility>
#include <vector>

#include "runtime/carts/connector_util.h"
#include "runtime/carts/order_money.h"
#include "runtime/clock.h"

namespace cartsync {
namespace magento {

using connector_util::Member;
using connector_util::Text;
using connector_util::UrlEncode;
using rapidjson::Value;

std::string FormatDate(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  if (gmtime_r(&t, &tm) == nullptr) return "";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::string ToIsoUtc(std::string_view text) {
  text = Trim(text);
  // "YYYY-MM-DD HH:MM:SS": the database's UTC time, no zone.
  if (text.size() == 19 && text[4] == '-' && text[7] == '-' && text[10] == ' ' && text[13] == ':' &&
      text[16] == ':') {
    std::string iso(text);
    iso[10] = 'T';
    iso += 'Z';
    int64_t seconds = 0;
    if (!ParseTimestamp(iso, seconds)) return "";
    return FormatIsoUtc(seconds);
  }
  return connector_util::ToIsoUtc(text);
}

namespace {

/// A parameter of an error answer as text.
std::string ParamText(const Value& v) {
  if (v.IsString()) return std::string(v.GetString(), v.GetStringLength());
  if (v.IsNumber()) return connector_util::NumberText(v);
  if (v.IsBool()) return v.GetBool() ? "true" : "false";
  return "";
}

/// "message" with %1.. (parameters as a list) or %name (an object) filled in.
std::string Fill(const Value& e) {
  std::string message = Text(&e, "message");
  const Value* params = Member(&e, "parameters");
  if (params == nullptr) return message;
  if (params->IsArray()) {
    // Highest index first, so %1 does not eat the start of %10.
    for (size_t i = params->Size(); i > 0; --i) {
      connector_util::ReplaceAll(message, "%" + std::to_string(i), ParamText((*params)[i - 1]));
    }
  } else if (params->IsObject()) {
    for (auto it = params->MemberBegin(); it != params->MemberEnd(); ++it) {
      const std::string name(it->name.GetString(), it->name.GetStringLength());
      if (!name.empty()) connector_util::ReplaceAll(message, "%" + name, ParamText(it->value));
    }
  }
  return message;
}

}  // namespace

std::string ErrorText(std::string_view body) {
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  if (doc.HasParseError() || !doc.IsObject()) return "";
  std::string out = Fill(doc);
  if (const Value* errors = Member(&doc, "errors"); errors != nullptr && errors->IsArray()) {
    std::string more;
    for (const Value& e : errors->GetArray()) {
      const std::string part = Fill(e);
      if (part.empty()) continue;
      more += (more.empty() ? "" : "; ") + part;
    }
    if (!more.empty()) out += (out.empty() ? "" : ": ") + more;
  }
  return out;
}

std::string CarrierCode(std::string_view carrier) {
  const std::string lower = ToLower(Trim(carrier));
  for (const char* code : {"ups", "usps", "fedex", "dhl"}) {
    if (lower == code) return code;
  }
  return "custom";
}

namespace {

/// RFC 5849 3.4.1.2: scheme and host lower-case, default port dropped, no query.
std::string BaseUri(std::string_view url) {
  if (size_t q = url.find_first_of("?#"); q != std::string_view::npos) url = url.substr(0, q);
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string(url);
  const std::string scheme = ToLower(url.substr(0, scheme_end));
  std::string_view rest = url.substr(scheme_end + 3);
  const size_t slash = rest.find('/');
  std::string authority = ToLower(rest.substr(0, slash));
  const std::string path = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  const std::string default_port = scheme == "https" ? ":443" : scheme == "http" ? ":80" : "";
  if (!default_port.empty() && authority.size() > default_port.size() &&
      authority.compare(authority.size() - default_port.size(), default_port.size(),
                        default_port) == 0) {
    authority.resize(authority.size() - default_port.size());
  }
  return scheme + "://" + authority + path;
}

std::string Base64(const unsigned char* data, size_t size) {
  std::string out(4 * ((size + 2) / 3) + 1, '\0');
  const int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(size));
  out.resize(n > 0 ? static_cast<size_t>(n) : 0);
  return out;
}

}  // namespace

std::string SignatureBaseString(
    std::string_view method, std::string_view url,
    const std::vector<std::pair<std::string, std::string>>& oauth_params) {
  // Every parameter encoded, then sorted by name and value (3.4.1.3.2).
  std::vector<std::pair<std::string, std::string>> params;
  for (const auto& [k, v] : oauth_params) params.emplace_back(UrlEncode(k), UrlEncode(v));
  if (size_t q = url.find('?'); q != std::string_view::npos) {
    std::string_view query = url.substr(q + 1);
    if (size_t h = query.find('#'); h != std::string_view::npos) query = query.substr(0, h);
    while (!query.empty()) {
      const size_t amp = query.find('&');
      std::string_view pair = query.substr(0, amp);
      query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
      if (pair.empty()) continue;
      const size_t eq = pair.find('=');
      const std::string name = connector_util::PercentDecode(pair.substr(0, eq));
      const std::string value =
          eq == std::string_view::npos ? "" : connector_util::PercentDecode(pair.substr(eq + 1));
      params.emplace_back(UrlEncode(name), UrlEncode(value));
    }
  }
  std::sort(params.begin(), params.end());
  std::string normalized;
  for (const auto& [k, v] : params) normalized += (normalized.empty() ? "" : "&") + k + "=" + v;
  return std::string(method) + "&" + UrlEncode(BaseUri(url)) + "&" + UrlEncode(normalized);
}

std::string OAuth1Header(std::string_view method, std::string_view url,
                         const OAuth1Credentials& credentials, int64_t timestamp,
                         std::string_view nonce) {
  std::vector<std::pair<std::string, std::string>> oauth = {
      {"oauth_consumer_key", credentials.consumer_key},
      {"oauth_nonce", std::string(nonce)},
      {"oauth_signature_method", "HMAC-SHA256"},
      {"oauth_timestamp", std::to_string(timestamp)},
      {"oauth_token", credentials.token},
      {"oauth_version", "1.0"},
  };
  const std::string base = SignatureBaseString(method, url, oauth);
  const std::string key =
      UrlEncode(credentials.consumer_secret) + "&" + UrlEncode(credentials.token_secret);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(base.data()), base.size(), digest,
           &size) == nullptr) {
    size = 0;
  }
  oauth.emplace_back("oauth_signature", Base64(digest, size));
  std::sort(oauth.begin(), oauth.end());
  std::string header = "OAuth ";
  for (size_t i = 0; i < oauth.size(); ++i) {
    header += (i > 0 ? ", " : "") + oauth[i].first + "=\"" + UrlEncode(oauth[i].second) + "\"";
  }
  return header;
}

}  // namespace magento

namespace {

using connector_util::Field;
using connector_util::JoinName;
using connector_util::JsonWriter;
using connector_util::Member;
using connector_util::NumberText;
using connector_util::Text;
using connector_util::UrlEncode;
using connector_util::WriteString;
using rapidjson::Value;

constexpr int kPageSize = 100;          // orders, products per request
constexpr int kMaxOrderPages = 10'000;  // 1,000,000 orders per fetch
constexpr int kShipmentPageSize = 50;
constexpr int kMaxSubPages = 20;      // shipments of one order
constexpr size_t kSourceChunk = 100;  // source items per POST
constexpr size_t kExcerptChars = 300;

std::string Excerpt(std::string_view body) {
  return connector_util::OneLineExcerpt(body, kExcerptChars);
}

/// What an error answer says: Magento's message with its parameters, else an excerpt.
std::string ErrorDetail(const std::string& body) {
  const std::string text = magento::ErrorText(body);
  return Excerpt(text.empty() ? body : text);
}

/// An integer's text: optional blanks, at most 18 digits.
bool ParseInt(std::string_view s, int64_t& out) {
  s = Trim(s, " \t");
  int64_t n = 0;
  if (s.empty() || s.size() > 18 || !connector_util::DigitsValue(s, n)) return false;
  out = n;
  return true;
}

bool Int(const Value* obj, const char* key, int64_t& out) {
  return connector_util::Int(obj, key, out, ParseInt);
}

/// A quantity: Magento answers decimals ("qty_ordered": 2.0000 or "2.0000");
/// absent is 0; false when present but not a whole number.
bool Quantity(const Value* obj, const char* key, int64_t& out) {
  out = 0;
  const Value* v = Member(obj, key);
  if (v == nullptr || v->IsNull()) return true;
  double d = 0;
  if (v->IsNumber()) {
    d = v->GetDouble();
  } else if (v->IsString()) {
    const std::string s(v->GetString(), v->GetStringLength());
    char* end = nullptr;
    d = std::strtod(s.c_str(), &end);
    if (s.empty() || end == nullptr || *end != '\0') return false;
  } else {
    return false;
  }
  if (!std::isfinite(d) || d < 0 || d > 1e12 || std::floor(d) != d) return false;
  out = static_cast<int64_t>(d);
  return true;
}

bool Truthy(const Value* obj, const char* key) {
  const Value* v = Member(obj, key);
  if (v == nullptr) return false;
  if (v->IsBool()) return v->GetBool();
  if (v->IsNumber()) return v->GetDouble() != 0;
  if (v->IsString()) {
    const std::string s(v->GetString(), v->GetStringLength());
    return !s.empty() && s != "0" && s != "false";
  }
  return false;
}

/// A query string builder; names and values are encoded (brackets too).
class Query {
 public:
  Query& Add(const std::string& name, const std::string& value) {
    text_ += (text_.empty() ? "" : "&") + UrlEncode(name) + "=" + UrlEncode(value);
    return *this;
  }
  Query& Filter(int group, const std::string& field, const std::string& value,
                const std::string& condition) {
    const std::string prefix =
        "searchCriteria[filterGroups][" + std::to_string(group) + "][filters][0]";
    return Add(prefix + "[field]", field)
        .Add(prefix + "[value]", value)
        .Add(prefix + "[conditionType]", condition);
  }
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

struct Item {
  int64_t id = 0, remaining = 0, ordered = 0;
  std::string sku;
  // Money in the base (store) currency: base_price (one unit, without tax),
  // base_discount_amount and base_tax_amount (the line).
  std::string base_price, base_discount, base_tax;
};

/// The order items that ship: parents only (a configurable's child is
/// shipped through its parent), no virtual items; remaining as Magento's
/// qty to ship: ordered - shipped - refunded - canceled.
Status ReadItems(const Value& order, const std::string& order_id, std::vector<Item>& out) {
  const Value* items = Member(&order, "items");
  if (items == nullptr || !items->IsArray()) {
    return Status::Permanent("Magento order " + order_id + " has no items list");
  }
  for (const Value& i : items->GetArray()) {
    Item item;
    if (!i.IsObject() || !Int(&i, "item_id", item.id)) {
      return Status::Permanent("Magento order " + order_id + ": an item has no item_id");
    }
    int64_t parent = 0;
    if (Int(&i, "parent_item_id", parent) && parent != 0) continue;
    if (Truthy(&i, "is_virtual")) continue;
    int64_t ordered = 0, shipped = 0, refunded = 0, canceled = 0;
    if (Member(&i, "qty_ordered") == nullptr || !Quantity(&i, "qty_ordered", ordered) ||
        !Quantity(&i, "qty_shipped", shipped) || !Quantity(&i, "qty_refunded", refunded) ||
        !Quantity(&i, "qty_canceled", canceled)) {
      return Status::Permanent("Magento order " + order_id + ": item " + std::to_string(item.id) +
                               " has no whole-number quantity");
    }
    item.remaining = std::max<int64_t>(0, ordered - shipped - refunded - canceled);
    item.sku = Text(&i, "sku");
    item.ordered = ordered;
    item.base_price = Text(&i, "base_price");
    item.base_discount = Text(&i, "base_discount_amount");
    item.base_tax = Text(&i, "base_tax_amount");
    out.push_back(std::move(item));
  }
  return Status::Ok();
}

Address ReadAddress(const Value* a) {
  Address out;
  out.name = JoinName(Text(a, "firstname"), Text(a, "lastname"));
  out.company = Text(a, "company");
  if (const Value* street = Member(a, "street"); street != nullptr && street->IsArray()) {
    for (rapidjson::SizeType i = 0; i < street->Size(); ++i) {
      const std::string part = (*street)[i].IsString() ? (*street)[i].GetString() : "";
      if (part.empty()) continue;
      std::string& into = i == 0 ? out.address1 : out.address2;
      into += (into.empty() ? "" : ", ") + part;
    }
  }
  out.city = Text(a, "city");
  out.region = Text(a, "region_code");
  if (out.region.empty()) out.region = Text(a, "region");
  out.postal_code = Text(a, "postcode");
  out.country = Text(a, "country_id");
  out.phone = Text(a, "telephone");
  out.email = Text(a, "email");
  return out;
}

struct ShipmentInfo {
  int64_t id = 0;
  std::vector<std::string> tracks;
};

// ---------------------------------------------------------------------------
// The connector

struct Credentials {
  std::optional<SecretRef> bearer;
  std::optional<SecretRef> consumer_key, consumer_secret, token, token_secret;
};

class MagentoCart final : public CartConnector {
 public:
  MagentoCart(std::string api, Credentials credentials, bool msi, std::string source_code,
              HttpClient& http, SecretResolver& secrets)
      : api_(std::move(api)),
        credentials_(std::move(credentials)),
        msi_(msi),
        source_code_(std::move(source_code)),
        http_(http),
        secrets_(secrets) {}

  Status FetchOrders(const OrderWindow& window,
                     const std::function<Status(std::vector<CartOrder>&&)>& sink) override;
  Result<bool> HasTracking(const std::string& order_id,
                           const std::string& tracking_number) override;
  Status UploadTracking(const TrackingUpload& upload) override;
  Result<std::vector<PushError>> PushInventory(const std::vector<InventoryPush>& items) override;
  Result<StoreZone> StoreTimeZone() override;

 private:
  using Doc = std::shared_ptr<rapidjson::Document>;

  Result<HttpResponse> Send(const char* method, const std::string& path, std::string body,
                            bool idempotent);
  Result<HttpResponse> SendOnce(const char* method, const std::string& path,
                                const std::string& body, bool idempotent,
                                std::vector<std::string>& secrets);
  Status Failure(const HttpResponse& r, const std::string& what) const;
  /// A GET answered 200 with a JSON object.
  Result<Doc> GetObject(const std::string& path, const std::string& what);
  Status ReadOrder(const Value& o, CartOrder& out);
  Result<std::vector<ShipmentInfo>> Shipments(const std::string& order_id);
  Status Done(const HttpResponse& r, const std::string& what) const;
  Result<std::vector<PushError>> PushSourceItems(const std::vector<InventoryPush>& items);
  Result<std::vector<PushError>> PushStockItems(const std::vector<InventoryPush>& items);
  /// Sends one source-items POST; an error Status only for what is not per SKU.
  Result<std::optional<std::string>> PostSourceItems(const std::vector<InventoryPush>& items);

  std::string api_;                      ///< ends with /rest/{store_code}/V1
  std::optional<StoreZone> store_zone_;  ///< StoreTimeZone's answer, once asked
  Credentials credentials_;
  bool msi_;
  std::string source_code_;
  HttpClient& http_;
  SecretResolver& secrets_;
};

Result<HttpResponse> MagentoCart::SendOnce(const char* method, const std::string& path,
                                           const std::string& body, bool idempotent,
                                           std::vector<std::string>& secrets) {
  HttpRequest request;
  request.method = method;
  request.url = api_ + path;
  request.idempotent = idempotent;
  if (credentials_.bearer) {
    auto token = secrets_.Resolve(*credentials_.bearer);
    if (!token.ok()) return Status::Permanent("Magento access_token: " + token.status().message());
    secrets.push_back(token.value());
    request.headers.emplace_back("Authorization", "Bearer " + token.value());
  } else {
    magento::OAuth1Credentials c;
    const std::pair<const std::optional<SecretRef>*, std::string*> parts[] = {
        {&credentials_.consumer_key, &c.consumer_key},
        {&credentials_.consumer_secret, &c.consumer_secret},
        {&credentials_.token, &c.token},
        {&credentials_.token_secret, &c.token_secret}};
    const char* names[] = {"consumer_key", "consumer_secret", "oauth_token", "oauth_token_secret"};
    for (size_t i = 0; i < std::size(parts); ++i) {
      auto value = secrets_.Resolve(**parts[i].first);
      if (!value.ok()) {
        return Status::Permanent(std::string("Magento ") + names[i] + ": " +
                                 value.status().message());
      }
      *parts[i].second = value.value();
      secrets.push_back(value.value());
    }
    // A fresh nonce per request: Magento refuses one it has seen.
    std::random_device rd;
    char nonce[33];
    for (int i = 0; i < 4; ++i) {
      std::snprintf(nonce + 8 * i, 9, "%08x", static_cast<unsigned>(rd()));
    }
    request.headers.emplace_back(
        "Authorization",
        magento::OAuth1Header(method, request.url, c, http_.clock().NowSeconds(), nonce));
  }
  request.headers.emplace_back("Accept", "application/json");
  request.headers.emplace_back("Content-Type", "application/json");
  request.body = body;
  return http_.Send(request);
}

Result<HttpResponse> MagentoCart::Send(const char* method, const std::string& path,
                                       std::string body, bool idempotent) {
  std::vector<std::string> secrets;
  Result<HttpResponse> result = SendOnce(method, path, body, idempotent, secrets);
  // A retried OAuth request repeats its nonce, which Magento refuses before
  // doing anything (401): signed afresh, once.
  if (!credentials_.bearer && result.ok() && result->status == 401 &&
      result->body.find("nonce") != std::string::npos) {
    result = SendOnce(method, path, body, idempotent, secrets);
  }
  auto scrub = [&](std::string& text) {
    for (const std::string& s : secrets) connector_util::ScrubSecrets(text, {s}, 3);
  };
  if (!result.ok()) {
    std::string message = result.status().message();
    scrub(message);
    return Status(result.status().code(), std::move(message));
  }
  scrub(result.value().body);
  return result;
}

Status MagentoCart::Failure(const HttpResponse& r, const std::string& what) const {
  const std::string detail = ErrorDetail(r.body);
  const std::string suffix = detail.empty() ? "" : ": " + detail;
  if (r.status == 401) {
    return Status::Permanent(
        "Magento rejected the credentials (HTTP 401) on " + what + suffix +
        (credentials_.bearer
             ? " (an integration token works alone only with Stores > Configuration > Services "
               "> OAuth > Allow OAuth Access Tokens to be used as standalone Bearer tokens = "
               "Yes; and the integration needs the Sales, Catalog and Inventory resources)"
             : " (check the integration's four OAuth values and its Sales, Catalog and "
               "Inventory resources)"));
  }
  const std::string message =
      "Magento answered HTTP " + std::to_string(r.status) + " to " + what + suffix;
  if (r.status == 404) return Status::NotFound(message);
  return Status::Permanent(message);
}

// GET /V1/store/storeConfigs: one config per store view, each with its
// `timezone` (General > Locale Options > Timezone, an IANA name). The
// default store view's ("default"), else the first.
Result<StoreZone> MagentoCart::StoreTimeZone() {
  if (store_zone_) return *store_zone_;
  const std::string what = "GET /V1/store/storeConfigs (the store's time zone)";
  auto r = Send("GET", "/store/storeConfigs", "", true);
  if (!r.ok()) return r.status();
  if (r->status != 200) return Failure(r.value(), what);
  rapidjson::Document doc;
  doc.Parse(r->body.data(), r->body.size());
  if (doc.HasParseError() || !doc.IsArray())
    return Status::Permanent("Magento answered " + what +
                             " with something other than a JSON array: " + Excerpt(r->body));
  std::string zone;
  for (const Value& c : doc.GetArray()) {
    const std::string tz = Text(&c, "timezone");
    if (zone.empty() || Text(&c, "code") == "default") zone = tz;
    if (Text(&c, "code") == "default") break;
  }
  if (zone.empty())
    return Status::Permanent("Magento " + what + ": no store config with a timezone");
  StoreZone z;
  z.iana = zone;
  z.source = "Magento store config timezone";
  store_zone_ = z;
  return z;
}

Result<MagentoCart::Doc> MagentoCart::GetObject(const std::string& path, const std::string& what) {
  auto r = Send("GET", path, "", true);
  if (!r.ok()) return r.status();
  if (r->status != 200) return Failure(r.value(), what);
  auto doc = std::make_shared<rapidjson::Document>();
  doc->Parse(r->body.data(), r->body.size());
  if (doc->HasParseError() || !doc->IsObject()) {
    return Status::Permanent("Magento answered " + what +
                             " with something other than a JSON object: " + Excerpt(r->body));
  }
  return doc;
}

Status MagentoCart::ReadOrder(const Value& o, CartOrder& out) {
  int64_t id = 0;
  if (!o.IsObject() || !Int(&o, "entity_id", id)) {
    return Status::Permanent("Magento GET /V1/orders: an order has no entity_id");
  }
  out.id = std::to_string(id);
  out.order_number = Text(&o, "increment_id");
  if (out.order_number.empty()) out.order_number = out.id;
  out.placed_at = magento::ToIsoUtc(Text(&o, "created_at"));
  out.updated_at = magento::ToIsoUtc(Text(&o, "updated_at"));
  if (out.updated_at.empty()) out.updated_at = out.placed_at;
  out.status = Text(&o, "status");
  out.canceled = out.status == "canceled" || Text(&o, "state") == "canceled";
  out.ship_code = Text(&o, "shipping_description");

  // The shipping address is in the first shipping assignment; an order
  // without one (virtual goods) has only its billing address.
  const Value* address = nullptr;
  if (const Value* assignments = Member(Member(&o, "extension_attributes"), "shipping_assignments");
      assignments != nullptr && assignments->IsArray() && !assignments->Empty()) {
    address = Member(Member(&(*assignments)[0], "shipping"), "address");
  }
  if (address == nullptr || !address->IsObject()) address = Member(&o, "billing_address");
  out.ship_to = ReadAddress(address);
  if (out.ship_to.email.empty()) out.ship_to.email = Text(&o, "customer_email");

  // Money in the store's base currency (base_*), as Shopify's shop money:
  // order_currency_code is what the shopper saw. Magento writes the order's
  // discount negative; the document's discounts are positive.
  const order_money::Money money(Text(&o, "base_currency_code"));
  out.money.currency = money.currency();
  out.money.taxes_included = false;
  out.money.totals.subtotal = money.Text(Text(&o, "base_subtotal"));
  out.money.totals.shipping = money.Text(Text(&o, "base_shipping_amount"));
  if (auto d = money.Minor(Text(&o, "base_discount_amount")))
    out.money.totals.discount = order_money::MinorOrEmpty(*d < 0 ? -*d : *d);
  out.money.totals.tax = money.Text(Text(&o, "base_tax_amount"));
  out.money.totals.total = money.Text(Text(&o, "base_grand_total"));

  std::vector<Item> items;
  Status st = ReadItems(o, out.id, items);
  if (!st.ok()) return st;
  for (const Item& item : items) {
    if (item.remaining <= 0) continue;
    OrderLine line;
    line.line_key = std::to_string(item.id);
    line.sku = item.sku;
    line.quantity = item.remaining;
    money.SetLine(line, item.base_price, item.base_discount, item.base_tax, item.ordered);
    out.lines.push_back(std::move(line));
  }
  return Status::Ok();
}

Status MagentoCart::FetchOrders(const OrderWindow& window,
                                const std::function<Status(std::vector<CartOrder>&&)>& sink) {
  std::string statuses;
  if (auto it = window.statuses.find("status"); it != window.statuses.end()) {
    for (const std::string& s : it->second) {
      if (s.empty() || s.find(',') != std::string::npos) {
        return Status::Permanent("Magento has no order status \"" + s + "\"");
      }
      statuses += (statuses.empty() ? "" : ",") + s;
    }
    // Cancellations: a later pull (updated_at) also reads the orders
    // canceled since, whatever the filter (CartOrder::canceled). Not on the
    // first pull.
    if (window.updated_after && !statuses.empty() &&
        std::find(it->second.begin(), it->second.end(), "canceled") == it->second.end())
      statuses += ",canceled";
  }
  std::string date_field, date;
  if (window.updated_after) {
    date_field = "updated_at";
    date = magento::FormatDate(*window.updated_after);
  } else if (window.created_after) {
    date_field = "created_at";
    date = magento::FormatDate(*window.created_after);
  }

  // Keyset paging: always the first page of "entity_id > the last id seen",
  // sorted by entity_id. An order that leaves the filter (shipped, status
  // changed) mid-fetch cannot move another across a page boundary, as it
  // would with currentPage.
  int64_t last_id = 0;
  std::set<std::string> seen;
  for (int page = 1;; ++page) {
    if (page > kMaxOrderPages) {
      return Status::Permanent("Magento GET /V1/orders: more than " +
                               std::to_string(kMaxOrderPages) + " pages; stopping");
    }
    Query q;
    int group = 0;
    if (!statuses.empty()) q.Filter(group++, "status", statuses, "in");
    if (!date_field.empty()) q.Filter(group++, date_field, date, "gteq");
    q.Filter(group++, "entity_id", std::to_string(last_id), "gt");
    q.Add("searchCriteria[sortOrders][0][field]", "entity_id")
        .Add("searchCriteria[sortOrders][0][direction]", "ASC")
        .Add("searchCriteria[pageSize]", std::to_string(kPageSize))
        .Add("searchCriteria[currentPage]", "1");
    const std::string what = "GET /V1/orders (entity_id > " + std::to_string(last_id) + ", page " +
                             std::to_string(page) + ")";
    auto doc = GetObject("/orders?" + q.text(), what);
    if (!doc.ok()) return doc.status();
    const Value* items = Member(doc.value().get(), "items");
    if (items == nullptr || items->IsNull()) break;  // nothing matches
    if (!items->IsArray()) {
      return Status::Permanent("Magento answered " + what + " without an items list");
    }
    int64_t total = -1;
    Int(doc.value().get(), "total_count", total);
    std::vector<CartOrder> batch;
    int64_t max_id = last_id;
    for (const Value& o : items->GetArray()) {
      CartOrder order;
      Status st = ReadOrder(o, order);
      if (!st.ok()) return st;
      int64_t id = 0;
      ParseInt(order.id, id);
      max_id = std::max(max_id, id);
      if (!seen.insert(order.id).second) continue;
      batch.push_back(std::move(order));
    }
    if (!batch.empty()) {
      Status st = sink(std::move(batch));
      if (!st.ok()) return st;
    }
    const size_t count = items->Size();
    // A short page, or total_count (what matched this request) used up, ends it.
    if (count < static_cast<size_t>(kPageSize)) break;
    if (total >= 0 && total <= static_cast<int64_t>(count)) break;
    if (max_id <= last_id) {
      return Status::Permanent("Magento " + what + ": the page did not advance past entity_id " +
                               std::to_string(last_id) + "; stopping");
    }
    last_id = max_id;
  }
  return Status::Ok();
}

Result<std::vector<ShipmentInfo>> MagentoCart::Shipments(const std::string& order_id) {
  std::vector<ShipmentInfo> out;
  int64_t seen = 0;
  for (int page = 1; page <= kMaxSubPages; ++page) {
    Query q;
    q.Filter(0, "order_id", order_id, "eq")
        .Add("searchCriteria[pageSize]", std::to_string(kShipmentPageSize))
        .Add("searchCriteria[currentPage]", std::to_string(page));
    const std::string what = "GET /V1/shipments (order " + order_id +
                             (page > 1 ? ", page " + std::to_string(page) : "") + ")";
    auto doc = GetObject("/shipments?" + q.text(), what);
    if (!doc.ok()) return doc.status();
    const Value* items = Member(doc.value().get(), "items");
    if (items == nullptr || items->IsNull()) return out;
    if (!items->IsArray()) {
      return Status::Permanent("Magento answered " + what + " without an items list");
    }
    for (const Value& s : items->GetArray()) {
      ShipmentInfo info;
      Int(&s, "entity_id", info.id);
      if (const Value* tracks = Member(&s, "tracks"); tracks != nullptr && tracks->IsArray()) {
        for (const Value& t : tracks->GetArray()) info.tracks.push_back(Text(&t, "track_number"));
      }
      out.push_back(std::move(info));
    }
    seen += items->Size();
    int64_t total = -1;
    Int(doc.value().get(), "total_count", total);
    // Magento answers a page past the end with the last page again: the
    // total, or a short page, ends the series.
    if (items->Size() < static_cast<size_t>(kShipmentPageSize) || (total >= 0 && seen >= total))
      return out;
  }
  return Status::Permanent("Magento GET /V1/shipments (order " + order_id + "): more than " +
                           std::to_string(kMaxSubPages) + " pages; stopping");
}

Result<bool> MagentoCart::HasTracking(const std::string& order_id,
                                      const std::string& tracking_number) {
  int64_t id = 0;
  if (order_id.empty() || tracking_number.empty()) {
    return Status::Permanent("Magento tracking check needs an order id and a tracking number");
  }
  if (!ParseInt(order_id, id)) {
    return Status::Permanent("Magento order id \"" + order_id + "\" is not a number");
  }
  auto shipments = Shipments(order_id);
  if (!shipments.ok()) return shipments.status();
  for (const ShipmentInfo& s : shipments.value()) {
    for (const std::string& t : s.tracks) {
      if (t == tracking_number) return true;
    }
  }
  return false;
}

Status MagentoCart::Done(const HttpResponse& r, const std::string& what) const {
  if (r.status == 200 || r.status == 201) {
    // A maintenance page served with 200 most likely never reached the store.
    if (connector_util::IsJsonAnswer(r.Header("Content-Type"), r.body)) return Status::Ok();
    return Status::Transient(
        "Magento answered " + what + " with HTTP " + std::to_string(r.status) +
        " but not JSON (not counted as done): " + connector_util::OneLineExcerpt(r.body, 120));
  }
  return Failure(r, what);
}

Status MagentoCart::UploadTracking(const TrackingUpload& upload) {
  const std::string& order_id = upload.order_id;
  const std::string& number = upload.shipment.tracking_number;
  int64_t numeric_id = 0;
  if (order_id.empty() || number.empty()) {
    return Status::Permanent("Magento tracking upload needs an order id and a tracking number");
  }
  if (!ParseInt(order_id, numeric_id)) {
    return Status::Permanent("Magento order id \"" + order_id + "\" is not a number");
  }
  // HasTracking's check, on the same read that gives the last shipment.
  auto shipments = Shipments(order_id);
  if (!shipments.ok()) return shipments.status();
  for (const ShipmentInfo& s : shipments.value()) {
    if (std::find(s.tracks.begin(), s.tracks.end(), number) != s.tracks.end()) return Status::Ok();
  }

  auto order = GetObject("/orders/" + order_id, "GET /V1/orders/" + order_id);
  if (!order.ok()) return order.status();
  std::vector<Item> open;
  Status st = ReadItems(*order.value(), order_id, open);
  if (!st.ok()) return st;

  // The shipment's lines matched to order items by line_key (item_id);
  // without a match, everything still to ship.
  std::vector<std::pair<int64_t, int64_t>> items;  // order_item_id, qty
  for (const ShipmentLine& line : upload.shipment.lines) {
    int64_t id = 0;
    if (!ParseInt(line.line_key, id) || line.quantity <= 0) continue;
    auto it = std::find_if(open.begin(), open.end(), [&](const Item& i) { return i.id == id; });
    if (it == open.end() || it->remaining <= 0) continue;
    auto same =
        std::find_if(items.begin(), items.end(), [&](const auto& e) { return e.first == id; });
    if (same != items.end()) {
      same->second = std::min(it->remaining, same->second + line.quantity);
    } else {
      items.emplace_back(id, std::min(it->remaining, line.quantity));
    }
  }
  if (items.empty()) {
    for (const Item& i : open) {
      if (i.remaining > 0) items.emplace_back(i.id, i.remaining);
    }
  }

  const std::string code = magento::CarrierCode(upload.carrier_code);
  const std::string title = upload.carrier_code.empty() ? "Tracking" : upload.carrier_code;
  auto track = [&](JsonWriter& w) {
    w.Key("track_number");
    WriteString(w, number);
    w.Key("title");
    WriteString(w, title);
    w.Key("carrier_code");
    WriteString(w, code);
  };

  if (items.empty()) {
    // Everything shipped already (under other numbers): the number goes on
    // the order's last shipment; Magento refuses a shipment of nothing.
    if (shipments.value().empty()) {
      return Status::Permanent("Magento order " + order_id + " has nothing left to ship");
    }
    const int64_t shipment_id = shipments.value().back().id;
    rapidjson::StringBuffer sb;
    JsonWriter w(sb);
    w.StartObject();
    w.Key("entity");
    w.StartObject();
    w.Key("order_id");
    w.Int64(numeric_id);
    w.Key("parent_id");
    w.Int64(shipment_id);
    w.Key("weight");
    w.Int(0);
    w.Key("qty");
    w.Int(0);
    w.Key("description");
    w.String("");
    track(w);
    w.EndObject();
    w.EndObject();
    const std::string what = "POST /V1/shipment/track (order " + order_id + ")";
    auto r = Send("POST", "/shipment/track", std::string(sb.GetString(), sb.GetSize()),
                  /*idempotent=*/false);
    if (!r.ok()) return r.status();
    return Done(r.value(), what);
  }

  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  w.StartObject();
  w.Key("items");
  w.StartArray();
  for (const auto& [id, qty] : items) {
    w.StartObject();
    w.Key("order_item_id");
    w.Int64(id);
    w.Key("qty");
    w.Int64(qty);
    w.EndObject();
  }
  w.EndArray();
  w.Key("tracks");
  w.StartArray();
  w.StartObject();
  track(w);
  w.EndObject();
  w.EndArray();
  w.EndObject();
  const std::string what = "POST /V1/order/" + order_id + "/ship";
  // Not idempotent: after a timeout the next attempt checks again first.
  auto r = Send("POST", "/order/" + order_id + "/ship", std::string(sb.GetString(), sb.GetSize()),
                /*idempotent=*/false);
  if (!r.ok()) return r.status();
  return Done(r.value(), what);
}

Result<std::vector<PushError>> MagentoCart::PushInventory(const std::vector<InventoryPush>& items) {
  return msi_ ? PushSourceItems(items) : PushStockItems(items);
}

Result<std::optional<std::string>> MagentoCart::PostSourceItems(
    const std::vector<InventoryPush>& items) {
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  w.StartObject();
  w.Key("sourceItems");
  w.StartArray();
  for (const InventoryPush& item : items) {
    w.StartObject();
    w.Key("sku");
    WriteString(w, item.sku);
    w.Key("source_code");
    WriteString(w, source_code_);
    w.Key("quantity");
    w.Int64(item.quantity);
    w.Key("status");
    w.Int(item.quantity > 0 ? 1 : 0);  // in stock / out of stock
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  const std::string what =
      "POST /V1/inventory/source-items (" + std::to_string(items.size()) + " items)";
  // Absolute quantities: safe to repeat.
  auto r = Send("POST", "/inventory/source-items", std::string(sb.GetString(), sb.GetSize()),
                /*idempotent=*/true);
  if (!r.ok()) return r.status();
  if (r->status >= 200 && r->status < 300) {
    if (!connector_util::IsJsonAnswer(r->Header("Content-Type"), r->body)) {
      return Status::Transient("Magento answered " + what + " with HTTP " +
                               std::to_string(r->status) +
                               " but not JSON (nothing counted as set): " +
                               connector_util::OneLineExcerpt(r->body, 120));
    }
    return std::optional<std::string>();
  }
  if (r->status == 401) return Failure(r.value(), what);
  return std::optional<std::string>(Failure(r.value(), what).message());
}

Result<std::vector<PushError>> MagentoCart::PushSourceItems(
    const std::vector<InventoryPush>& items) {
  std::vector<PushError> errors;
  for (size_t start = 0; start < items.size(); start += kSourceChunk) {
    const std::vector<InventoryPush> chunk(
        items.begin() + static_cast<std::ptrdiff_t>(start),
        items.begin() + static_cast<std::ptrdiff_t>(std::min(items.size(), start + kSourceChunk)));
    // MSI keeps source items for any SKU: which of these the catalog has,
    // so a SKU the store does not sell is that SKU's error.
    std::set<std::string> known;
    std::string skus;
    for (const InventoryPush& item : chunk) {
      if (item.sku.find(',') != std::string::npos) {
        known.insert(ToLower(item.sku));  // cannot go in an `in` list: let the store decide
        continue;
      }
      skus += (skus.empty() ? "" : ",") + item.sku;
    }
    if (!skus.empty()) {
      Query q;
      q.Filter(0, "sku", skus, "in")
          .Add("searchCriteria[pageSize]", std::to_string(kSourceChunk))
          .Add("searchCriteria[currentPage]", "1")
          .Add("fields", "items[sku],total_count");
      auto doc = GetObject("/products?" + q.text(), "GET /V1/products (SKU check)");
      if (!doc.ok()) return doc.status();
      if (const Value* list = Member(doc.value().get(), "items");
          list != nullptr && list->IsArray()) {
        for (const Value& p : list->GetArray()) known.insert(ToLower(Text(&p, "sku")));
      }
    }
    std::vector<InventoryPush> pending;
    for (const InventoryPush& item : chunk) {
      if (known.count(ToLower(item.sku)) == 0) {
        errors.push_back({item.sku, "Magento has no product with this SKU", /*not_in_cart=*/true});
      } else {
        pending.push_back(item);
      }
    }
    if (pending.empty()) continue;
    auto batch = PostSourceItems(pending);
    if (!batch.ok()) return batch.status();
    if (!batch.value()) continue;
    // Refused as a whole (Magento validates the list before saving any):
    // one by one, so each SKU gets its own answer.
    if (pending.size() == 1) {
      errors.push_back({pending[0].sku, *batch.value()});
      continue;
    }
    for (const InventoryPush& item : pending) {
      auto one = PostSourceItems({item});
      if (!one.ok()) return one.status();
      if (one.value()) errors.push_back({item.sku, *one.value()});
    }
  }
  return errors;
}

Result<std::vector<PushError>> MagentoCart::PushStockItems(
    const std::vector<InventoryPush>& items) {
  std::vector<PushError> errors;
  for (const InventoryPush& item : items) {
    const std::string sku = UrlEncode(item.sku);
    const std::string get_what = "GET /V1/stockItems/" + item.sku;
    auto got = Send("GET", "/stockItems/" + sku, "", true);
    if (!got.ok()) return got.status();
    if (got->status == 401) return Failure(got.value(), get_what);
    if (got->status != 200) {
      errors.push_back({item.sku,
                        got->status == 404 ? "Magento has no product with this SKU"
                                           : Failure(got.value(), get_what).message(),
                        got->status == 404});
      continue;
    }
    // The stock item as the store has it, with qty and is_in_stock changed:
    // the API wants the whole item, and the other settings stay as they are.
    rapidjson::Document doc;
    doc.Parse(got->body.data(), got->body.size());
    int64_t item_id = 0;
    if (doc.HasParseError() || !doc.IsObject() || !Int(&doc, "item_id", item_id)) {
      errors.push_back({item.sku, "Magento answered " + get_what +
                                      " without a stock item: " + Excerpt(got->body)});
      continue;
    }
    auto& alloc = doc.GetAllocator();
    doc.RemoveMember("qty");
    doc.AddMember("qty", Value(static_cast<double>(item.quantity)), alloc);
    int64_t backorders = 0;
    Int(&doc, "backorders", backorders);
    doc.RemoveMember("is_in_stock");
    doc.AddMember("is_in_stock", Value(item.quantity > 0 || backorders > 0), alloc);
    rapidjson::Document body;
    body.SetObject();
    body.AddMember("stockItem", Value(doc, body.GetAllocator()), body.GetAllocator());
    rapidjson::StringBuffer sb;
    JsonWriter w(sb);
    body.Accept(w);
    const std::string put_path = "/products/" + sku + "/stockItems/" + std::to_string(item_id);
    const std::string put_what =
        "PUT /V1/products/" + item.sku + "/stockItems/" + std::to_string(item_id);
    auto put = Send("PUT", put_path, std::string(sb.GetString(), sb.GetSize()), true);
    if (!put.ok()) return put.status();
    if (put->status == 401) return Failure(put.value(), put_what);
    Status done = Done(put.value(), put_what);
    if (done.transient()) return done;
    if (!done.ok()) errors.push_back({item.sku, done.message()});
  }
  return errors;
}

}  // namespace

Result<std::unique_ptr<CartConnector>> MakeMagentoCart(const CartConfig& cart,
                                                       const ConnectorDeps& deps) {
  const std::string where = "cart \"" + cart.id + "\" (Magento)";
  if (deps.http == nullptr || deps.secrets == nullptr) {
    return Status::Permanent(where + ": no HTTP client or secret resolver");
  }
  std::string base;
  const char* base_field = "base_url";
  const FieldValue* url = Field(cart, "base_url");
  if (url == nullptr || url->text.empty()) {
    url = Field(cart, "store_url");
    base_field = "store_url";
  }
  if (url == nullptr || url->text.empty()) {
    return Status::Permanent(where + ": [api].store_url is not set");
  }
  Status st =
      connector_util::CheckBaseUrl(url->text, std::string("Magento [api].") + base_field, "");
  if (!st.ok()) return Status::Permanent(where + ": " + st.message());
  base = url->text;
  while (!base.empty() && base.back() == '/') base.pop_back();

  std::string store = "default";
  if (const FieldValue* f = Field(cart, "store_code"); f != nullptr && !f->text.empty()) {
    store = f->text;
  }
  bool store_ok = (store[0] >= 'a' && store[0] <= 'z') || (store[0] >= 'A' && store[0] <= 'Z');
  for (char c : store) store_ok = store_ok && (connector_util::IsAlnum(c) || c == '_');
  if (!store_ok) {
    return Status::Permanent(where + ": [api].store_code must match ^[A-Za-z][A-Za-z0-9_]*$");
  }

  Credentials credentials;
  auto secret = [&](const char* name) -> std::optional<SecretRef> {
    const FieldValue* f = Field(cart, name);
    if (f == nullptr || !f->secret) return std::nullopt;
    return *f->secret;
  };
  credentials.bearer = secret("access_token");
  credentials.consumer_key = secret("consumer_key");
  credentials.consumer_secret = secret("consumer_secret");
  credentials.token = secret("oauth_token");
  credentials.token_secret = secret("oauth_token_secret");
  const bool any_oauth = credentials.consumer_key || credentials.consumer_secret ||
                         credentials.token || credentials.token_secret;
  const bool all_oauth = credentials.consumer_key && credentials.consumer_secret &&
                         credentials.token && credentials.token_secret;
  if (credentials.bearer && any_oauth) {
    return Status::Permanent(where +
                             ": set [api].access_token or the four OAuth 1.0a values, not both");
  }
  if (!credentials.bearer && !all_oauth) {
    return Status::Permanent(
        where +
        ": [api].access_token (or consumer_key, consumer_secret, oauth_token and "
        "oauth_token_secret) is not set");
  }

  bool msi = true;
  if (const FieldValue* f = Field(cart, "inventory_api"); f != nullptr && !f->text.empty()) {
    if (f->text != "msi" && f->text != "legacy") {
      return Status::Permanent(where + ": [api].inventory_api must be msi or legacy");
    }
    msi = f->text == "msi";
  }
  std::string source = "default";
  if (const FieldValue* f = Field(cart, "source_code"); f != nullptr && !f->text.empty()) {
    source = f->text;
  }
  return std::unique_ptr<CartConnector>(
      std::make_unique<MagentoCart>(base + "/rest/" + store + "/V1", std::move(credentials), msi,
                                    std::move(source), *deps.http, *deps.secrets));
}

}  // namespace cartsync
