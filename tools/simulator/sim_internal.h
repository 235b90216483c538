// Private to the simulator: the data model of the stores and the WMS, the
// generated-data helpers, and the transport-neutral request/response the
// platform handlers work on (only simulator.cc includes httplib.h).
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tools/simulator/simulator.h"

namespace cartsync::sim::detail {

// ---- deterministic randomness -------------------------------------------------

/// SplitMix64.
class Rng {
 public:
  explicit Rng(uint64_t seed = 1) : s_(seed) {}
  uint64_t Next();
  /// Uniform in [lo, hi] (inclusive).
  int64_t Range(int64_t lo, int64_t hi);
  double Real();  ///< [0, 1)
  bool Chance(double p) { return p > 0 && Real() < p; }
  /// Index by weights (all >= 0, sum > 0).
  size_t Weighted(const std::vector<int>& weights);

 private:
  uint64_t s_;
};

uint64_t HashString(std::string_view text, uint64_t seed = 0xcbf29ce484222325ull);

// ---- time ---------------------------------------------------------------------

/// ISO 8601: "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS[.fff]]" with "Z", "±HH:MM",
/// "±HHMM" or no zone (then `default_offset_minutes`). A space may replace T.
bool ParseIso(std::string_view text, int64_t* epoch_seconds, int default_offset_minutes = 0);
/// RFC 2822: "[Wed, ]10 Jan 2018 21:05:30 +0000" (also "GMT"/"UTC").
bool ParseRfc2822(std::string_view text, int64_t* epoch_seconds);
/// Either of the above.
bool ParseAnyDate(std::string_view text, int64_t* epoch_seconds, int default_offset_minutes = 0);
std::string IsoUtc(int64_t epoch_seconds);                         ///< 2026-11-01T10:00:00Z
std::string IsoOffset(int64_t epoch_seconds, int offset_minutes);  ///< …T05:00:00-05:00
std::string IsoLocal(int64_t epoch_seconds, int offset_minutes);   ///< …T05:00:00 (no zone)
std::string Rfc2822(int64_t epoch_seconds);  ///< Sun, 01 Nov 2026 10:00:00 +0000
/// Cents as a decimal string with 2 (or 4, BigCommerce) decimals.
std::string Money(int64_t cents, int decimals = 2);
/// ISO 4217 decimals of `code` (JPY 0, KWD 3, most 2): what a store's
/// price_cents (minor units) are hundredths, units or thousandths of.
int CurrencyDecimals(std::string_view code);
/// `minor` units of a currency with `exponent` decimals written with
/// `decimals` decimals (padded, or rounded half up as WooCommerce's `dp`).
std::string Amount(int64_t minor, int exponent, int decimals);

// ---- JSON ----------------------------------------------------------------------

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

inline void Str(Writer& w, std::string_view v) {
  w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
}
inline void KStr(Writer& w, const char* key, std::string_view v) {
  w.Key(key);
  Str(w, v);
}
inline void KInt(Writer& w, const char* key, int64_t v) {
  w.Key(key);
  w.Int64(v);
}
inline void KBool(Writer& w, const char* key, bool v) {
  w.Key(key);
  w.Bool(v);
}
inline void KNull(Writer& w, const char* key) {
  w.Key(key);
  w.Null();
}
/// A string, or null when empty.
inline void KStrOrNull(Writer& w, const char* key, std::string_view v) {
  w.Key(key);
  if (v.empty())
    w.Null();
  else
    Str(w, v);
}
inline std::string Done(const rapidjson::StringBuffer& sb) {
  return std::string(sb.GetString(), sb.GetSize());
}

/// Member as string (or integer written in decimal); nullopt when missing/other.
std::optional<std::string> JsonString(const rapidjson::Value& obj, const char* key);
/// Member as integer (also a numeric string); nullopt when missing/other.
std::optional<int64_t> JsonInt(const rapidjson::Value& obj, const char* key);

// ---- request / response ---------------------------------------------------------

struct Req {
  std::string method;
  std::string path;  ///< below the store prefix, e.g. "/admin/api/2024-10/orders.json"
  std::vector<std::pair<std::string, std::string>> query;  ///< decoded, in order
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string store_base;  ///< "http://127.0.0.1:PORT/shopify/acme", for links
  /// multipart/form-data parts by name (the server parses them; body is then empty).
  std::map<std::string, std::string> form_parts;

  const std::string* Param(std::string_view name) const;
  std::string ParamOr(std::string_view name, std::string fallback = "") const;
  std::string Header(std::string_view name) const;  ///< case-insensitive, "" if absent
};

struct Resp {
  int status = 200;
  std::string body;
  std::string content_type = "application/json; charset=utf-8";
  std::vector<std::pair<std::string, std::string>> headers;

  void Json(int code, std::string json) {
    status = code;
    body = std::move(json);
    content_type = "application/json; charset=utf-8";
  }
  void Header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
  }
};

/// Path segments of "/a/b/c" -> {"a", "b", "c"}.
std::vector<std::string> SplitPath(std::string_view path);
bool IsDigits(std::string_view s);
std::optional<int64_t> ToInt(std::string_view s);
std::vector<std::string> SplitComma(std::string_view s);
std::string UrlEncode(std::string_view s);
std::string UrlDecode(std::string_view s, bool plus_as_space);
/// "a=1&b=x%20y" -> {{"a","1"},{"b","x y"}}.
std::vector<std::pair<std::string, std::string>> ParseQuery(std::string_view query);
std::string Base64Encode(std::string_view s, bool url_safe);
std::optional<std::string> Base64Decode(std::string_view s);

// ---- the model -------------------------------------------------------------------

enum class Platform { kShopify, kWoo, kBigCommerce, kWalmart, kEbay, kAmazon, kMagento };
/// "shopify" | "woocommerce"/"woo" | "bigcommerce"/"bc".
std::optional<Platform> ParsePlatform(std::string_view name);
const char* PlatformName(Platform p);    ///< "shopify" | "woocommerce" | "bigcommerce"
const char* PlatformPrefix(Platform p);  ///< path segment: "shopify" | "woo" | "bigcommerce"

struct Product {
  int64_t product_id = 0, variant_id = 0, inventory_item_id = 0;
  std::string sku;         ///< as the store sells it
  std::string master_sku;  ///< the WMS's SKU
  std::string title, variant_title;
  int64_t price_cents = 0;
  bool extra = false;  ///< not stocked by the WMS
  /// BigCommerce: inventory tracked by product (set by product_id only).
  bool tracked_by_product = false;
  std::map<int64_t, int64_t> levels;  ///< location id -> available (shopify, bigcommerce)
  int64_t stock = 0;                  ///< woocommerce stock_quantity
};

struct Location {
  int64_t id = 0;
  std::string name, address1, city, region, postal, country;
};

struct Addr {
  std::string first, last, company, address1, address2, city, region_code, region_name, postal,
      country_code, country_name, phone;
  std::string FullName() const { return first + " " + last; }
};

struct Line {
  int64_t id = 0;          ///< shopify line_item id / woo line item id / bc order_product id
  int64_t fo_line_id = 0;  ///< shopify fulfillment order line item id
  size_t product = 0;      ///< index into Store::products
  std::string sku, title;
  int64_t quantity = 0, price_cents = 0;
  int64_t shipped = 0;
};

struct ShopifyFulfillment {
  int64_t id = 0;
  int64_t created = 0;
  std::string name, status = "success", company, number, url;
  std::vector<std::pair<size_t, int64_t>> lines;  ///< line index, quantity
};

struct WooTracking {
  std::string tracking_id, provider, custom_provider, link, number, date_shipped;
};

struct WooNote {
  int64_t id = 0, created = 0;
  std::string note;
  bool customer_note = false;
};

/// Also eBay shipping fulfillments (sim_ebay.cc).
struct BcShipment {
  int64_t id = 0, created = 0, address_id = 0;
  std::string tracking_number, provider, carrier, method, link, comments;
  std::vector<std::pair<size_t, int64_t>> items;  ///< line index, quantity
};

struct Order {
  int64_t id = 0;
  int64_t number = 0;  ///< shopify order_number (1001…); woo/bc = id
  int64_t created = 0, updated = 0;
  /// shopify: "open" | "closed" | "cancelled"; woocommerce: the slug;
  /// bigcommerce: the status name.
  std::string status;
  int bc_status_id = 0;
  std::string financial_status, fulfillment_status;  ///< shopify ("" = null)
  int64_t closed_at = 0, cancelled_at = 0;           ///< shopify (0 = null)
  int64_t customer_id = 0;
  std::string email;
  Addr ship;
  bool has_shipping = true;
  std::string ship_code, ship_code_id;
  int64_t shipping_cents = 0;
  std::vector<Line> lines;
  int64_t fulfillment_order_id = 0;  ///< shopify
  int64_t bc_address_id = 0;         ///< bigcommerce
  std::string woo_order_key;
  std::vector<ShopifyFulfillment> fulfillments;
  std::vector<WooTracking> trackings;
  std::vector<WooNote> notes;
  std::vector<BcShipment> shipments;

  int64_t SubtotalCents() const;
  int64_t Shipped() const;
  int64_t Ordered() const;
};

/// A Walmart bulk inventory feed (sim_walmart.cc): per item, its SKU and ""
/// (set) or "CODE: description"; how often its status was read.
struct WalmartFeed {
  std::vector<std::pair<std::string, std::string>> items;
  int polls = 0;
};

struct Store {
  Platform platform = Platform::kShopify;
  std::string name;
  StoreSeed seed;  ///< with defaults filled in
  int offset_minutes = 0;
  std::vector<Product> products;
  std::vector<Location> locations;
  std::vector<Order> orders;  ///< ascending id
  Rng rng;                    ///< continues generation for AddOrders
  int64_t next_order_id = 0, next_order_number = 0, next_line_id = 0, next_misc_id = 0;
  int64_t last_created = 0;
  // rate limits (steady clock ms)
  double bucket_used = 0;
  int64_t bucket_ms = 0;
  int64_t window_start_ms = -1;
  int64_t window_used = 0;
  // Shopify GraphQL (sim_shopify.cc): issued client-credentials tokens ->
  // expiry (unix s), the cost bucket (points, steady ms; -1 = full), and
  // inventorySetQuantities idempotency keys -> what the first call did.
  std::map<std::string, int64_t> issued_tokens;
  double cost_available = -1;
  int64_t cost_ms = 0;
  std::map<std::string, std::string> idempotency;
  /// Amazon (sim_amazon.cc): feed documents (id -> contents, "" until
  /// uploaded), feeds (feedId -> processing report document id), and the
  /// per-operation rate buckets (tokens, ms) under "amazon_rate_limit".
  std::map<std::string, std::string> amazon_documents, amazon_feeds;
  std::map<std::string, std::pair<double, int64_t>> amazon_buckets;
  std::map<std::string, WalmartFeed> walmart_feeds;  ///< Walmart: feedId -> feed

  std::string Key() const { return std::string(PlatformPrefix(platform)) + "/" + name; }
  Order* FindOrder(int64_t id);
  Product* FindProduct(int64_t product_id);
  Product* FindVariant(int64_t variant_id);
  Product* FindInventoryItem(int64_t inventory_item_id);
  Product* FindSku(std::string_view sku);
};

struct WmsLine {
  std::string line_key, sku, warehouse;  ///< warehouse: where it was allocated ("" none)
  int64_t quantity = 0;
};

struct WmsOrderState {
  WmsOrderRecord record;
  int64_t received_ms = 0;
  std::string carrier, service;
  std::vector<WmsLine> lines;
};

struct WmsSku {
  std::string sku;
  std::string client;  ///< the WMS client (merchant) it belongs to; "" = none
  std::map<std::string, std::string> aliases;
  std::map<std::string, std::pair<int64_t, int64_t>> stock;  ///< warehouse -> available, on_hand
};

struct ShipmentState {
  IssuedShipment issued;
  std::vector<WmsLine> lines;
};

/// Everything the server serves, guarded by the Simulator's mutex.
struct World {
  WmsOptions wms;
  uint64_t seed = 1;
  std::map<std::string, Store> stores;  ///< Store::Key()
  std::map<std::string, WmsSku> wms_skus;
  std::vector<WmsOrderState> wms_orders;
  std::map<std::string, size_t> wms_by_key;
  std::vector<ShipmentState> shipments;
  int64_t next_wms_id = 1;
  Rng wms_rng{1};
  // records
  std::vector<TrackingRecord> tracking;
  std::map<std::string, InventorySetRecord> inventory;  ///< by platform|store|location|item
  uint64_t inventory_history = 0;
  std::vector<StatusChangeRecord> status_changes;
  std::function<int64_t()> now_ms;
  const FaultOptions* faults = nullptr;       ///< the simulator's current faults
  std::map<std::string, uint64_t> throttled;  ///< Shopify GraphQL THROTTLED answers per store key
  std::map<std::string, int64_t> cost_spent;  ///< Shopify GraphQL actual cost per store key

  int64_t NowSeconds() const { return now_ms() / 1000; }
  void RecordTracking(const Store& store, const Order& order, std::string kind,
                      std::string tracking_number, std::string carrier, std::string body);
  void RecordInventory(const Store& store, std::string location, std::string sku,
                       std::string item_id, int64_t value, bool known = true);
  void RecordStatus(const Store& store, const Order& order, std::string from, std::string to);
  /// A tracking number the WMS issued that occurs in `text`, or "".
  std::string FindIssuedTracking(std::string_view text) const;
};

// ---- generation (sim_seed.cc) ----------------------------------------------------

/// Fills platform defaults into a copy of `seed`; false on a bad seed.
bool NormalizeSeed(const StoreSeed& seed, StoreSeed* out, Platform* platform, std::string* error);
/// Builds the store from a normalized seed, and adds its SKUs to world.wms_skus.
Store GenerateStore(const StoreSeed& seed, Platform platform, World& world);
/// Appends `count` orders placed now (created = updated = after every
/// timestamp the store has and >= now_seconds); returns their ids.
std::vector<int64_t> GenerateOrders(Store& store, int count, int64_t now_seconds);
/// A product title/code slug: "Express (2 business days)" -> "express_2_business_days".
std::string Slug(std::string_view text);
/// The status spelled as StatusWeight.status.
std::string StatusLabel(const Store& store, const Order& order);
/// BigCommerce status id <-> name.
const char* BcStatusName(int id);
int BcStatusId(std::string_view name_or_id);  ///< -1 when unknown
bool IsWooStatus(std::string_view status);

// ---- handlers (sim_shopify.cc, sim_woo.cc, sim_bigcommerce.cc, sim_wms.cc) ----------

/// Authentication already passed; rate limits already applied.
void HandleShopify(World& world, Store& store, const Req& req, Resp& res);
/// POST /admin/oauth/access_token (the client credentials grant) and POST
/// /admin/api/{version}/graphql.json (paced by the cost bucket, not the REST
/// leaky bucket).
bool IsShopifyTokenRequest(const Req& req);
bool IsShopifyGraphql(const Req& req);
/// Serves those two (sim_shopify_graphql.cc); false for any other request.
bool HandleShopifyGraphql(World& world, Store& store, const Req& req, Resp& res);
void HandleWoo(World& world, Store& store, const Req& req, Resp& res);
void HandleBigCommerce(World& world, Store& store, const Req& req, Resp& res);
/// Amazon SP-API (sim_amazon.cc): LWA token exchange, searchOrders/getOrder,
/// confirmShipment, patchListingsItem, JSON_LISTINGS_FEED feeds.
void HandleAmazon(World& world, Store& store, const Req& req, Resp& res);
/// x-amz-access-token the store's LWA endpoint issued (expiry: HandleAmazon);
/// the token request and presigned document URLs need none. Else 403.
bool AuthorizeAmazon(const Store& store, const Req& req, Resp& res);
/// An order id as Amazon spells them: 4455000123456 -> "113-0445500-0123456".
std::string AmazonOrderId(int64_t id);
/// The store's merchant token (seller id): "SIM" + the name's letters and digits, upper case.
std::string AmazonSellerId(const Store& store);
bool IsAmazonStatus(std::string_view status);
/// The order's id as the platform's API and the records spell it.
std::string OrderIdText(const Store& store, const Order& order);
/// eBay (sim_ebay.cc): the token grant, Fulfillment orders and shipping
/// fulfillments, Inventory bulk_update_price_quantity.
void HandleEbay(World& world, Store& store, const Req& req, Resp& res);
/// POST /identity/v1/oauth2/token (authenticated by its Basic header).
bool IsEbayTokenRequest(const Req& req);
/// A Bearer token the store issued (expiry: HandleEbay); else 401 in res.
bool AuthorizeEbay(const Store& store, const Req& req, Resp& res);
void EbayUnauthorized(Resp& res);
/// An order id as eBay spells them: 12345670101 -> "01-23456-70101".
std::string EbayOrderId(int64_t id);
/// Walmart (sim_walmart.cc): POST /v3/token is the grant; AuthorizeWalmart
/// checks WM_SVC.NAME, WM_QOS.CORRELATION_ID and the token (or Basic on the
/// grant); HandleWalmart the expiry of issued tokens.
bool IsWalmartTokenRequest(const Req& req);
bool AuthorizeWalmart(const Store& store, const Req& req, Resp& res);
void HandleWalmart(World& world, Store& store, const Req& req, Resp& res);
/// Magento REST (sim_magento.cc): orders by searchCriteria, shipments,
/// order/{id}/ship, shipment/track, products, MSI source items, legacy stock
/// items, under /rest/{store_code}/V1. AuthorizeMagento: Bearer seed.token.
bool AuthorizeMagento(const Store& store, const Req& req, Resp& res);
void HandleMagento(World& world, Store& store, const Req& req, Resp& res);
void HandleWms(World& world, const Req& req, Resp& res);

/// Authentication per platform: true when allowed; otherwise fills `res`.
bool AuthorizeStore(const Store& store, const Req& req, Resp& res);
bool AuthorizeWms(const World& world, const Req& req, Resp& res);

/// WMS operations shared by the handlers and the Simulator API.
std::string ShipWmsOrder(World& world, size_t index);  ///< tracking number
/// Cancels an order at its cart (sim_cancel.cc); `order_id` as OrderIdText
/// spells it (or the numeric id). False with *error when there is none.
bool CancelStoreOrder(World& world, Store& store, const std::string& order_id, std::string* error);

/// JSON of GET /_sim/records.
std::string RecordsToJson(const SimRecords& records);
/// A StoreSeed from its JSON form (the "stores" entries of a --config file).
bool StoreSeedFromJson(const rapidjson::Value& v, uint64_t default_seed, StoreSeed* out,
                       std::string* error);
std::string OrdersToJson(const std::vector<OrderSummary>& orders);

}  // namespace cartsync::sim::detail
