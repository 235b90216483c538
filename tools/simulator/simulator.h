// A local simulator of three cart platforms (Shopify, WooCommerce,
// BigCommerce) and the WMS `http` transport, for end-to-end tests and the
// demo. One loopback HTTP server (127.0.0.1) hosts several independent
// stores, each addressed by a path prefix:
//
//   {base}/shopify/{store}      [api].base_url of a Shopify cart
//                               -> {base_url}/admin/api/{version}/orders.json
//   {base}/woo/{store}          [api].base_url of a WooCommerce cart
//                               -> {base_url}/wp-json/wc/v3/orders
//   {base}/bigcommerce/{store}  [api].base_url of a BigCommerce cart
//                               -> {base_url}/v2/orders, {base_url}/v3/…
//   {base}/wms                  [wms.NAME].url of a system = "http" WMS
//                               -> {url}/orders, /shipments, /inventory, /aliases
//   {base}/_sim/…               control and inspection (no auth, never faulted)
//
// Wire facts: the platforms' API docs and docs/wms-contract.md. Orders, products
// and WMS stock are generated deterministically from a StoreSeed. Every write
// a connector or the runtime makes is recorded, in-process (Records()) and over
// HTTP (GET /_sim/records), so tests can check exactly-once delivery.
//
// Thread-safe: every public method may be called while the server runs.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cartsync::sim {

/// Injected failures. Rates are probabilities in [0, 1] drawn from a
/// deterministic PRNG (SimOptions::seed), one draw per fault kind per
/// store/WMS request, in arrival order. Adjustable at runtime
/// (Simulator::SetFaults, POST /_sim/faults with any subset of the JSON keys
/// named in the comments).
struct FaultOptions {
  /// "error_rate": answer 500/502/503 BEFORE handling (no side effect).
  double error_rate = 0;
  /// "html_rate": answer 200 text/html (a proxy's maintenance page) BEFORE
  /// handling (no side effect).
  double html_rate = 0;
  /// "timeout_rate"/"timeout_ms": handle the request (side effects happen),
  /// then sleep timeout_ms before answering — longer than the client waits.
  double timeout_rate = 0;
  int timeout_ms = 35'000;
  /// "truncate_rate": handle the request (side effects happen), then send a
  /// Content-Length for the whole body but only its first half and close.
  double truncate_rate = 0;
  /// "latency_ms": fixed delay before every store/WMS request is handled.
  int latency_ms = 0;

  /// "shopify_bucket": enforce Shopify's leaky bucket (429 + Retry-After when
  /// full). The X-Shopify-Shop-Api-Call-Limit header is always sent.
  bool shopify_bucket = false;
  int shopify_bucket_size = 40;          ///< "shopify_bucket_size"
  double shopify_leak_per_second = 2.0;  ///< "shopify_leak_per_second"
  /// "shopify_cost_throttle": enforce the GraphQL cost bucket (THROTTLED when
  /// a query's requested cost exceeds what is available). extensions.cost
  /// is always sent; a query over 1,000 points is always refused.
  bool shopify_cost_throttle = false;
  double shopify_cost_maximum = 2000;      ///< "shopify_cost_maximum" (points)
  double shopify_cost_restore_rate = 100;  ///< "shopify_cost_restore_rate" (points/s)
  /// "bigcommerce_window": enforce BigCommerce's per-window quota (429 when
  /// exhausted). The X-Rate-Limit-* headers are always sent.
  bool bigcommerce_window = false;
  int bigcommerce_quota = 150;         ///< "bigcommerce_quota"
  int bigcommerce_window_ms = 30'000;  ///< "bigcommerce_window_ms"
  /// "amazon_rate_limit": enforce each SP-API operation's usage plan (rate
  /// and burst from the models; 429 QuotaExceeded when a bucket is empty).
  /// x-amzn-RateLimit-Limit is always sent.
  bool amazon_rate_limit = false;
  /// "amazon_rate": > 0 replaces every operation's rate (requests/s) in the
  /// header and the enforcement (tests and demos that must not wait minutes
  /// between searchOrders pages); 0 = the models' rates.
  double amazon_rate = 0;

  /// "block_after_requests": a crash-harness hook. When N > 0, store/WMS
  /// request number N+1 and later wait (unanswered) until the block is
  /// lifted (N set to 0 or raised), Reset() or Stop(). With
  /// "block_after_handling" false they wait before being handled (no side
  /// effect); true: handled first, then held — the WMS has the order but the
  /// client never hears back. /_sim/records shows "blocked" (waiting now).
  int64_t block_after_requests = 0;
  bool block_after_handling = false;

  /// "shift_rate"/"shift_orders": the merchant at work during a fetch. On a
  /// WooCommerce or BigCommerce order-list request (GET orders), before it
  /// is answered, with this probability the store changes shift_orders
  /// random open orders (Woo pending/processing/on-hold, BigCommerce
  /// Pending/Awaiting …/Partially Shipped): each is either completed (Woo
  /// "completed", BigCommerce "Completed") or only modified (updated now),
  /// half and half. Offset pages then shift. Drawn from the store's own
  /// generator; not listed in status_changes (not a connector's write).
  double shift_rate = 0;
  int shift_orders = 2;

  /// "paths": faults (not rate limits, not the block) apply only to request
  /// paths starting with one of these prefixes, e.g. {"/wms", "/shopify/acme"};
  /// empty = every store/WMS request.
  std::vector<std::string> paths;
};

struct WmsOptions {
  std::string token = "demo-wms-token";  ///< Bearer token; "" = no auth
  std::vector<std::string> warehouses = {"east", "west"};
  /// as_of of GET /inventory: "" = the time of the request (the stock
  /// reflects every order received so far), "none" = left out, anything else
  /// is sent verbatim.
  std::string as_of;
  /// A received order decrements `available` (in the warehouse with the most
  /// of the SKU); shipping it decrements `on_hand`.
  bool allocate_on_receive = true;
  int shipments_page = 100;  ///< max shipments per GET /shipments page
  /// "ignore_client": GET /inventory and /aliases answer every client's
  /// records whatever ?client= asks (a WMS that ignores the parameter).
  bool ignore_client = false;
};

struct SimOptions {
  int port = 0;       ///< 0 = any free port
  uint64_t seed = 1;  ///< fault PRNG and WMS tracking numbers
  FaultOptions faults;
  WmsOptions wms;
  /// Server worker threads. A keep-alive connection holds one, and so does a
  /// request held by `block_after_requests`: with seven stores' carts and
  /// parallel WMS lanes blocked at once, 16 left no thread for the /_sim
  /// call that unblocks them (the crash test timed out).
  int threads = 64;
  /// Seconds an idle keep-alive connection is kept open. cpp-httplib polls
  /// each idle connection every 10 ms until then (~90 wake-ups a second),
  /// so with a thousand rate-limited carts idle connections, not requests,
  /// cost the simulator most of its CPU; 0 closes a connection ~10 ms after
  /// its last answer (clients reconnect: tools/bench/manycarts).
  int keep_alive_s = 1;
  /// Called (outside any lock) with the running total of store/WMS requests,
  /// before the request is handled.
  std::function<void(uint64_t total_requests)> on_request;
  /// Wall clock for timestamps the simulator writes (shipped_at, note dates,
  /// updated_at of changed orders); default: system clock. Rate limits always
  /// use the steady clock.
  std::function<int64_t()> now_ms;
};

/// Relative weight of a status in a generated store. Spelling per platform:
/// shopify "STATE/FINANCIAL/FULFILLMENT" (e.g. "open/paid/unfulfilled",
/// "closed/paid/fulfilled", "cancelled/refunded/unfulfilled"; fulfillment one
/// of unfulfilled|partial|fulfilled); woocommerce a status slug
/// ("processing"); bigcommerce a status name ("Awaiting Fulfillment") or id.
struct StatusWeight {
  std::string status;
  int weight = 1;
};

/// A generated store. Empty/zero fields take the platform defaults listed.
struct StoreSeed {
  std::string platform;  ///< "shopify" | "woocommerce" ("woo") | "bigcommerce" ("bc")
  std::string name;      ///< the path segment: /shopify/{name}
  int orders = 50;
  /// Sellable SKUs generated as {prefix}-{WORD}-{SIZE}; Shopify groups the
  /// sizes of one prefix+word into one product with variants. Default 24
  /// (shopify), 16 (woocommerce), 20 (bigcommerce).
  int products = 0;
  int locations = 0;  ///< default 1 (shopify, woocommerce), 2 (bigcommerce)
  /// Orders are created spread over [start_date, start_date + span_hours].
  std::string start_date = "2026-11-01T00:00:00Z";
  int span_hours = 14 * 24;
  uint64_t seed = 1;
  /// Cart ship codes (Shopify shipping_lines[0].title, Woo method_title, BC
  /// shipping_method); earlier entries are more frequent. Default: the demo
  /// carts' codes (see DemoSeeds). no_shipping_percent of orders have none.
  std::vector<std::string> ship_codes;
  int no_shipping_percent = 5;
  std::vector<StatusWeight> statuses;  ///< default: a platform mix, mostly downloadable
  /// Credentials: Shopify X-Shopify-Access-Token / BigCommerce X-Auth-Token
  /// (default "{name}-token"); WooCommerce consumer key/secret (default
  /// "ck_{name}"/"cs_{name}").
  std::string token, consumer_key, consumer_secret;
  /// Shopify client credentials grant (POST {store}/admin/oauth/access_token):
  /// default "{name}-client-id" / "{name}-client-secret"; the tokens it issues
  /// live token_ttl_seconds (default 86399).
  std::string client_id, client_secret;
  int token_ttl_seconds = 0;
  /// Shopify access scopes of the app (both credential forms); default: all
  /// the connector needs, read_all_orders included. Without read_all_orders
  /// orders created more than 60 days ago are invisible, as on Shopify.
  std::optional<std::vector<std::string>> scopes;
  std::vector<std::string> sku_prefixes;  ///< default TS,HD / BB / CH
  /// Sold but unknown to the WMS (filtered items): default GIFT-CARD,
  /// SAMPLE-STICKER / MTO-CUSTOM-CANDLE, GIFT-WRAP / CUSTOM-TABLE-OAK.
  std::optional<std::vector<std::string>> extra_skus;
  /// Non-empty: the store's SKUs are WMS aliases of this type ("RED-TS-M" in
  /// the store = alias of WMS SKU "TS-RED-M"); empty: the store sells WMS SKUs.
  std::optional<std::string> wms_alias_type;  ///< default "shopify_sku" for shopify, else none
  bool stock_in_wms = true;                   ///< add the SKUs (with stock and aliases) to the WMS
  /// BigCommerce: percent of products whose inventory is tracked by product
  /// (picked by a hash of the SKU): an absolute adjustment by sku or
  /// variant_id answers 422 "tracked by product"; only product_id sets it.
  int product_tracking_percent = 0;
  /// The WMS client (merchant) the store's SKUs belong to: their inventory
  /// and alias records carry it, and ?client= selects them. "" = none.
  std::string wms_client;
  /// Offset of the store's own timestamps (Shopify created_at "…-05:00", Woo
  /// date_created): default -300 (shopify), 0 (others).
  std::optional<int> utc_offset_minutes;
  /// The store's time zone as the platform reports it (Shopify
  /// shop.ianaTimezone, WordPress GET /wp-json/ timezone_string, BigCommerce
  /// GET /v2/store timezone.name, Magento storeConfigs timezone): an IANA
  /// name; "UTC" (default) is a WordPress site on UTC (timezone_string "").
  std::string time_zone = "UTC";
  /// The store's currency (ISO 4217): its prices are generated in minor
  /// units of it and written with its decimals (JPY none, KWD three).
  std::string currency = "USD";
  bool shipment_tracking = true;  ///< woocommerce: the Shipment Tracking extension is installed
  /// woocommerce: a server that strips the Authorization header (some
  /// Apache/CGI setups): only consumer_key/consumer_secret query parameters
  /// authenticate; without them 401 "Consumer key is missing.".
  bool strip_authorization = false;
  int po_box_percent = 4;  ///< ship-to address1 "PO Box …"
};

/// acme (shopify, token demo-shopify-token), bluebird (woocommerce,
/// ck_demo/cs_demo, ship codes Flat rate/Free shipping/UPS Ground/Local
/// pickup), cedar (bigcommerce, demo-bc-token, 2 locations) — the demo stores.
std::vector<StoreSeed> DemoSeeds(int orders = 50, uint64_t seed = 1);

// ---- Records ---------------------------------------------------------------

struct WmsOrderRecord {
  std::string order_key, wms_order_id;
  int deliveries = 0;        ///< POSTs with this key (1 = exactly once)
  int differing_bodies = 0;  ///< later deliveries whose body differed from the first
  std::string first_body;    ///< the first POST's body, verbatim
  std::string received_at;   ///< ISO UTC of the first delivery
  bool shipped = false;
  std::string tracking_number;
  bool canceled = false;    ///< POST /wms/orders/{key}/cancel canceled it
  int cancel_requests = 0;  ///< cancel POSTs for this key (200, 409 and repeats)
};

/// One tracking write to a cart. kind: "fulfillment" (Shopify POST
/// fulfillments.json), "shipment_tracking" (Woo extension POST),
/// "order_note" (Woo POST orders/{id}/notes; tracking_number = a WMS-issued
/// number found in the note, else ""), "shipment" (BigCommerce POST
/// /v2/orders/{id}/shipments). Duplicates stay visible as separate records.
struct TrackingRecord {
  int64_t seq = 0;
  std::string platform, store, order_id, kind, tracking_number, carrier, body, at;
};

/// Latest absolute inventory value per platform/store/location/item, and how
/// many times it was set. Shopify: location = location_id, item_id =
/// inventory_item_id; Woo: location "", item_id = product id; BigCommerce:
/// location = location_id, item_id = variant id ("" for an unknown SKU).
struct InventorySetRecord {
  std::string platform, store, location, sku, item_id;
  int64_t value = 0;
  int sets = 0;
  bool known = true;  ///< false: a BigCommerce SKU the store does not sell
};

struct StatusChangeRecord {
  std::string platform, store, order_id, from, to;
};

struct IssuedShipment {
  int64_t cursor = 0;  ///< position in the /shipments feed (1-based)
  std::string order_key, wms_order_id, carrier, service, tracking_number, shipped_at;
};

struct SimRecords {
  uint64_t total_requests = 0;  ///< store/WMS requests (not /_sim)
  uint64_t blocked = 0;         ///< requests waiting on block_after_requests now
  /// "shopify/acme GET /admin/api/{version}/orders.json" -> count (numeric
  /// path segments as {id}); WMS: "wms POST /orders".
  std::map<std::string, uint64_t> requests;
  std::map<std::string, uint64_t> rate_limited;  ///< store key -> 429s served
  std::map<std::string, uint64_t> throttled;     ///< store key -> GraphQL THROTTLED answers
  std::map<std::string, int64_t> cost_spent;  ///< store key -> GraphQL points charged (actual cost)
  uint64_t rate_limited_total = 0;
  std::map<std::string, uint64_t>
      faults;  ///< "error", "html", "timeout", "truncate", "unauthorized"
  std::vector<WmsOrderRecord> wms_orders;  ///< in order of first delivery
  std::vector<TrackingRecord> tracking;
  std::vector<InventorySetRecord> inventory;
  uint64_t inventory_history = 0;  ///< every individual set, all stores
  std::vector<StatusChangeRecord> status_changes;
  std::vector<IssuedShipment> shipments;
};

/// A generated order as the store holds it now (for expectations in tests).
struct OrderSummary {
  std::string id, number;
  std::string status;                  ///< as in StatusWeight
  std::string ship_code;               ///< "" = no shipping line
  std::string created_at, updated_at;  ///< ISO UTC
  std::string country;
  std::vector<std::pair<std::string, int64_t>> lines;  ///< store SKU, quantity
};

class Simulator {
 public:
  explicit Simulator(SimOptions options = {});
  ~Simulator();  ///< stops the server
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  /// Binds 127.0.0.1:port and serves on a background thread (call once).
  /// Ignores SIGPIPE process-wide if it was at its default.
  bool Start(std::string* error);
  void Stop();
  int port() const;
  std::string base_url() const;  ///< "http://127.0.0.1:PORT"
  /// base_url() + "/shopify/acme" etc.; platform as in StoreSeed.
  std::string store_url(const std::string& platform, const std::string& name) const;
  std::string wms_url() const;  ///< base_url() + "/wms"

  // ---- seeding / driving
  /// Generates a store (replacing one with the same platform and name) and
  /// adds its SKUs to the WMS. Returns false (with *error) on a bad seed.
  bool SeedStore(const StoreSeed& seed, std::string* error = nullptr);
  void SeedDemo(int orders = 50, uint64_t seed = 1);
  /// New orders placed "now" (created_at = updated_at = max(now, the store's
  /// latest timestamp) + 1 s each, same status mix); returns their ids.
  /// Reset() drops them.
  std::vector<std::string> AddOrders(const std::string& platform, const std::string& store,
                                     int count);
  /// The WMS ships every received, unshipped order (in order received) /
  /// the first `n` of them / one order. Returns how many / the tracking
  /// number ("" when unknown or already shipped).
  int ShipAll();
  int ShipOrders(int n);
  std::string ShipOrder(const std::string& order_key);
  void SetWmsStock(const std::string& sku, const std::string& warehouse, int64_t available,
                   int64_t on_hand);
  /// Cancels an order at the cart, as the merchant would (the platform's
  /// canceled mark, updated now); POST /_sim/cancel {"platform", "store",
  /// "id"} over HTTP. False (with *error) when there is no such order.
  bool CancelCartOrder(const std::string& platform, const std::string& store,
                       const std::string& order_id, std::string* error = nullptr);
  void SetFaults(const FaultOptions& faults);
  FaultOptions faults() const;
  /// Regenerates every seeded store and the WMS, clears all records and
  /// counters, restores SimOptions::faults and lifts any block.
  void Reset();

  // ---- inspection (thread-safe copies)
  SimRecords Records() const;
  std::string RecordsJson() const;  ///< the body of GET /_sim/records
  uint64_t total_requests() const;
  std::vector<WmsOrderRecord> WmsOrders() const;
  std::vector<TrackingRecord> TrackingPosts() const;
  /// Tracking writes for one order (platform as in StoreSeed).
  std::vector<TrackingRecord> TrackingFor(const std::string& platform, const std::string& store,
                                          const std::string& order_id) const;
  std::vector<InventorySetRecord> InventorySets() const;
  std::vector<OrderSummary> Orders(const std::string& platform, const std::string& store) const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

/// Parses the JSON of POST /_sim/faults (any subset of the keys) over `base`.
bool ParseFaults(const std::string& json, FaultOptions* faults, std::string* error);
std::string FaultsJson(const FaultOptions& faults);

/// What a --config file sets (see ParseSimConfig).
struct SimConfig {
  SimOptions options;
  bool demo = true;  ///< seed DemoSeeds(demo_orders, options.seed) too
  int demo_orders = 50;
  std::vector<StoreSeed> stores;  ///< extra stores (seed defaults to options.seed)
};

/// A --config file: {"port", "seed", "orders" (demo stores' order count),
/// "demo": bool (default true unless "stores" is given), "wms": {"token",
/// "warehouses", "as_of", "allocate_on_receive", "shipments_page", "ignore_client"}, "faults":
/// {…as POST /_sim/faults}, "stores": [{"platform", "name", "orders",
/// "products", "locations", "start_date", "span_hours", "seed", "ship_codes",
/// "no_shipping_percent", "statuses": [{"status", "weight"}], "token",
/// "consumer_key", "consumer_secret", "sku_prefixes", "extra_skus",
/// "wms_alias_type", "stock_in_wms", "utc_offset_minutes",
/// "shipment_tracking", "strip_authorization", "po_box_percent", "wms_client",
/// "product_tracking_percent"}]}. Keys present override *config.
bool ParseSimConfig(const std::string& json, SimConfig* config, std::string* error);

}  // namespace cartsync::sim
