// The simulator's HTTP server (cpp-httplib, the only file that includes it):
// routing by path prefix, authentication, rate limits, fault injection,
// request counters, the /_sim control API and the Simulator methods.
#include "tools/simulator/simulator.h"

#include <httplib.h>
#include <strings.h>

#include <chrono>
#include <cmath>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <mutex>
#include <thread>

#include "tools/simulator/sim_internal.h"

namespace cartsync::sim {

using namespace detail;

namespace {

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int64_t SystemMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string SimpleJson(const char* key, std::string_view value) {
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.StartObject();
  KStr(w, key, value);
  w.EndObject();
  return Done(sb);
}

/// The path below a store, for counters: numeric segments as {id}, the API
/// version as {version}, a WMS order_key as {order_key}.
std::string Pattern(bool wms, const std::string& rest) {
  std::vector<std::string> seg = SplitPath(rest);
  std::string out;
  for (size_t i = 0; i < seg.size(); ++i) {
    std::string s = seg[i];
    if (IsDigits(s)) {
      s = "{id}";
    } else if (s.size() > 5 && s.substr(s.size() - 5) == ".json" &&
               IsDigits(s.substr(0, s.size() - 5))) {
      s = "{id}.json";
    } else if (i == 2 && seg[0] == "admin" && seg[1] == "api") {
      s = "{version}";
    } else if (wms && i == 1 && seg[0] == "orders") {
      s = "{order_key}";
    } else if (i == 4 && seg[0] == "sell" && seg[3] == "order") {
      s = "{orderId}";  // eBay: "12-34567-00101"
    }
    out += "/" + s;
  }
  return out.empty() ? "/" : out;
}

const char kHtmlPage[] =
    "<!DOCTYPE html>\n<html><head><title>Down for maintenance</title></head>\n"
    "<body><h1>We&rsquo;ll be right back</h1><p>The store is being updated.</p></body></html>\n";

bool AuthorizeShopify(const Store& st, const Req& req, Resp& res) {
  if (req.Header("X-Shopify-Access-Token") == st.seed.token) return true;
  // The client credentials grant authenticates in its body; tokens it issued
  // are checked for expiry by the handler (sim_shopify.cc).
  if (IsShopifyTokenRequest(req) || st.issued_tokens.count(req.Header("X-Shopify-Access-Token")))
    return true;
  res.Json(
      401,
      SimpleJson("errors",
                 "[API] Invalid API key or access token (unrecognized login or wrong password)"));
  return false;
}

bool AuthorizeWooStore(const Store& st, const Req& req, Resp& res) {
  std::string key, secret;
  std::string auth = st.seed.strip_authorization ? "" : req.Header("Authorization");
  if (auth.size() > 6 && strncasecmp(auth.data(), "Basic ", 6) == 0) {
    auto decoded = Base64Decode(auth.substr(6));
    if (decoded) {
      size_t colon = decoded->find(':');
      key = decoded->substr(0, colon);
      secret = colon == std::string::npos ? "" : decoded->substr(colon + 1);
    }
  } else {
    key = req.ParamOr("consumer_key");
    secret = req.ParamOr("consumer_secret");
  }
  if (!key.empty() && key == st.seed.consumer_key && secret == st.seed.consumer_secret) return true;
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.StartObject();
  if (key.empty() && st.seed.strip_authorization) {  // what such a server answers
    KStr(w, "code", "woocommerce_rest_authentication_error");
    KStr(w, "message", "Consumer key is missing.");
  } else if (key.empty()) {
    KStr(w, "code", "woocommerce_rest_cannot_view");
    KStr(w, "message", "Sorry, you cannot list resources.");
  } else {
    KStr(w, "code", "woocommerce_rest_authentication_error");
    KStr(w, "message",
         key == st.seed.consumer_key ? "Invalid signature - provided signature does not match."
                                     : "Consumer key is invalid.");
  }
  w.Key("data");
  w.StartObject();
  KInt(w, "status", 401);
  w.EndObject();
  w.EndObject();
  res.Json(401, Done(sb));
  return false;
}

bool AuthorizeBigCommerce(const Store& st, const Req& req, Resp& res) {
  if (req.Header("X-Auth-Token") == st.seed.token) return true;
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.StartObject();
  KInt(w, "status", 401);
  KStr(w, "title", "No valid credentials were found in this request");
  KStr(w, "type", "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes");
  w.EndObject();
  res.Json(401, Done(sb));
  return false;
}

}  // namespace

namespace detail {
bool AuthorizeStore(const Store& st, const Req& req, Resp& res) {
  switch (st.platform) {
    case Platform::kShopify:
      return AuthorizeShopify(st, req, res);
    case Platform::kWoo:
      return AuthorizeWooStore(st, req, res);
    case Platform::kBigCommerce:
      return AuthorizeBigCommerce(st, req, res);
    case Platform::kAmazon:
      return AuthorizeAmazon(st, req, res);
    case Platform::kWalmart:
      return AuthorizeWalmart(st, req, res);
    case Platform::kMagento:
      return AuthorizeMagento(st, req, res);
    case Platform::kEbay:
      return AuthorizeEbay(st, req, res);
  }
  return false;
}
}  // namespace detail

struct Simulator::Impl {
  explicit Impl(SimOptions o) : options(std::move(o)) {
    if (!options.now_ms) options.now_ms = SystemMs;
    faults = options.faults;
    ResetWorldLocked();
  }

  SimOptions options;
  mutable std::mutex mu;
  std::condition_variable cv;
  World world;
  FaultOptions faults;
  Rng fault_rng;
  std::vector<StoreSeed> seeds;  // as given, in order (Reset replays them)
  uint64_t total = 0, blocked = 0, rate_limited_total = 0, generation = 0;
  std::map<std::string, uint64_t> requests, rate_limited, fault_counts;
  bool stopping = false;

  httplib::Server server;
  std::thread thread;
  int port = 0;

  // ---- state (callers hold mu) -------------------------------------------------

  void ResetWorldLocked() {
    world = World();
    world.wms = options.wms;
    world.seed = options.seed;
    world.wms_rng = Rng(HashString("wms", options.seed));
    world.now_ms = options.now_ms;
    world.faults = &faults;
    fault_rng = Rng(HashString("faults", options.seed));
    total = rate_limited_total = 0;
    requests.clear();
    rate_limited.clear();
    fault_counts.clear();
    ++generation;
    for (const StoreSeed& s : seeds) SeedLocked(s, nullptr);
  }

  bool SeedLocked(const StoreSeed& seed, std::string* error) {
    StoreSeed normalized;
    Platform platform;
    if (!NormalizeSeed(seed, &normalized, &platform, error)) return false;
    Store st = GenerateStore(normalized, platform, world);
    std::string key = st.Key();
    world.stores[key] = std::move(st);
    return true;
  }

  Store* FindStoreLocked(const std::string& platform, const std::string& name) {
    auto p = ParsePlatform(platform);
    if (!p) return nullptr;
    auto it = world.stores.find(std::string(PlatformPrefix(*p)) + "/" + name);
    return it == world.stores.end() ? nullptr : &it->second;
  }

  int ShipLocked(int limit) {
    int shipped = 0;
    for (size_t i = 0; i < world.wms_orders.size() && (limit < 0 || shipped < limit); ++i)
      if (!ShipWmsOrder(world, i).empty()) ++shipped;
    return shipped;
  }

  SimRecords RecordsLocked() const {
    SimRecords r;
    r.total_requests = total;
    r.blocked = blocked;
    r.requests = requests;
    r.rate_limited = rate_limited;
    r.rate_limited_total = rate_limited_total;
    r.throttled = world.throttled;
    r.cost_spent = world.cost_spent;
    r.faults = fault_counts;
    for (const WmsOrderState& o : world.wms_orders) r.wms_orders.push_back(o.record);
    r.tracking = world.tracking;
    for (const auto& [key, inv] : world.inventory) r.inventory.push_back(inv);
    r.inventory_history = world.inventory_history;
    r.status_changes = world.status_changes;
    for (const ShipmentState& s : world.shipments) r.shipments.push_back(s.issued);
    return r;
  }

  std::vector<OrderSummary> OrdersLocked(const Store& st) const {
    std::vector<OrderSummary> out;
    for (const Order& o : st.orders) {
      OrderSummary s;
      s.id = OrderIdText(st, o);
      s.number = st.platform == Platform::kShopify ? "#" + std::to_string(o.number)
                                                   : std::to_string(o.number);
      s.status = StatusLabel(st, o);
      s.ship_code = o.has_shipping ? o.ship_code : "";
      s.created_at = IsoUtc(o.created);
      s.updated_at = IsoUtc(o.updated);
      s.country = o.ship.country_code;
      for (const Line& l : o.lines) s.lines.emplace_back(l.sku, l.quantity);
      out.push_back(std::move(s));
    }
    return out;
  }

  // ---- rate limits (callers hold mu) -----------------------------------------------

  /// Shopify's leaky bucket; false when the request is refused (429 in res).
  bool ShopifyBucket(Store& st, Resp& res) {
    const int64_t now = SteadyMs();
    const double size = faults.shopify_bucket_size;
    const double leak = faults.shopify_leak_per_second;
    if (st.bucket_ms != 0)
      st.bucket_used = std::max(0.0, st.bucket_used - (now - st.bucket_ms) * leak / 1000.0);
    st.bucket_ms = now;
    auto header = [&](double used) {
      int shown = static_cast<int>(std::ceil(std::min(used, size) - 1e-9));
      res.Header("X-Shopify-Shop-Api-Call-Limit", std::to_string(std::max(shown, 0)) + "/" +
                                                      std::to_string(faults.shopify_bucket_size));
    };
    if (faults.shopify_bucket && st.bucket_used + 1 > size + 1e-9) {
      double wait = leak > 0 ? (st.bucket_used + 1 - size) / leak : 60.0;
      char retry[32];
      std::snprintf(retry, sizeof retry, "%.1f", std::max(1.0, std::ceil(wait * 10) / 10));
      res.Json(429, SimpleJson("errors",
                               "Exceeded 2 calls per second for api client. Reduce request "
                               "rates to resume uninterrupted service."));
      res.Header("Retry-After", retry);
      header(st.bucket_used);
      return false;
    }
    st.bucket_used += 1;
    if (!faults.shopify_bucket) st.bucket_used = std::min(st.bucket_used, size);
    header(st.bucket_used);
    return true;
  }

  /// BigCommerce's per-window quota; false when refused (429 in res).
  bool BigCommerceWindow(Store& st, Resp& res) {
    const int64_t now = SteadyMs();
    const int64_t window = faults.bigcommerce_window_ms, quota = faults.bigcommerce_quota;
    if (st.window_start_ms < 0 || now - st.window_start_ms >= window) {
      st.window_start_ms = now;
      st.window_used = 0;
    }
    const int64_t reset_ms = std::max<int64_t>(1, window - (now - st.window_start_ms));
    bool refuse = faults.bigcommerce_window && st.window_used >= quota;
    if (!refuse) ++st.window_used;
    res.Header("X-Rate-Limit-Requests-Left",
               std::to_string(std::max<int64_t>(0, quota - st.window_used)));
    res.Header("X-Rate-Limit-Requests-Quota", std::to_string(quota));
    res.Header("X-Rate-Limit-Time-Reset-Ms", std::to_string(reset_ms));
    res.Header("X-Rate-Limit-Time-Window-Ms", std::to_string(window));
    if (refuse) {
      rapidjson::StringBuffer sb;
      Writer w(sb);
      w.StartObject();
      KInt(w, "status", 429);
      KStr(w, "title", "Too many requests");
      KStr(w, "type",
           "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes");
      w.EndObject();
      res.Json(429, Done(sb));
    }
    return !refuse;
  }

  // ---- waiting ---------------------------------------------------------------------

  /// Sleeps up to `ms`, waking early on Stop().
  void SleepFor(int64_t ms) {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait_for(lock, std::chrono::milliseconds(ms), [&] { return stopping; });
  }

  /// Holds request `n` while the block applies to it in this phase.
  void WaitIfBlocked(uint64_t n, bool after_handling, uint64_t gen) {
    std::unique_lock<std::mutex> lock(mu);
    auto applies = [&] {
      return !stopping && gen == generation && faults.block_after_requests > 0 &&
             n > static_cast<uint64_t>(faults.block_after_requests) &&
             faults.block_after_handling == after_handling;
    };
    if (!applies()) return;
    ++blocked;
    cv.wait(lock, [&] { return !applies(); });
    --blocked;
  }

  // ---- dispatch --------------------------------------------------------------------

  void Dispatch(const httplib::Request& hreq, httplib::Response& hres) {
    Req req;
    req.method = hreq.method == "HEAD" ? "GET" : hreq.method;
    size_t q = hreq.target.find('?');
    if (q != std::string::npos) req.query = ParseQuery(std::string_view(hreq.target).substr(q + 1));
    for (const auto& [k, v] : hreq.headers) req.headers.emplace_back(k, v);
    req.body = hreq.body;
    for (const auto& [name, part] : hreq.files) req.form_parts[name] = part.content;
    const std::string& path = hreq.path;
    Resp res;

    if (path == "/_sim" || path.rfind("/_sim/", 0) == 0) {
      req.path = path.size() > 5 ? path.substr(5) : "/";
      HandleSim(req, res);
      return Write(hres, res, false);
    }

    std::vector<std::string> seg = SplitPath(path);
    std::string store_key, rest;
    bool wms = false;
    if (!seg.empty() && seg[0] == "wms") {
      wms = true;
      store_key = "wms";
      rest = path.substr(4);
    } else if (seg.size() >= 2 && (seg[0] == "shopify" || seg[0] == "woo" ||
                                   seg[0] == "bigcommerce" || seg[0] == "walmart" ||
                                   seg[0] == "ebay" || seg[0] == "amazon" || seg[0] == "magento")) {
      store_key = seg[0] + "/" + seg[1];
      rest = path.substr(seg[0].size() + seg[1].size() + 2);
    } else {
      res.Json(
          404,
          SimpleJson(
              "error",
              "unknown path: stores live under /shopify/{name}, /woo/{name}, "
              "/bigcommerce/{name}, /walmart/{name}; the WMS under /wms; control under /_sim"));
      return Write(hres, res, false);
    }
    if (rest.empty()) rest = "/";
    req.path = rest;
    req.store_base = BaseUrl() + "/" + store_key;

    uint64_t n = 0, gen = 0;
    FaultOptions f;
    bool do_error = false, do_html = false, do_timeout = false, do_truncate = false;
    int error_code = 503;
    {
      std::lock_guard<std::mutex> lock(mu);
      if (!wms && !world.stores.count(store_key)) {
        res.Json(404, SimpleJson("error", "no store " + store_key + " (seed it first)"));
        return Write(hres, res, false);
      }
      n = ++total;
      gen = generation;
      ++requests[store_key + " " + req.method + " " + Pattern(wms, rest)];
      f = faults;
      bool in_scope = f.paths.empty();
      for (const std::string& prefix : f.paths)
        if (path.rfind(prefix, 0) == 0) in_scope = true;
      if (in_scope) {
        do_error = fault_rng.Chance(f.error_rate);
        do_html = fault_rng.Chance(f.html_rate);
        do_timeout = fault_rng.Chance(f.timeout_rate);
        do_truncate = fault_rng.Chance(f.truncate_rate);
        if (do_error)
          error_code = static_cast<int>(std::vector<int>{500, 502, 503}[fault_rng.Range(0, 2)]);
      }
    }
    if (options.on_request) options.on_request(n);
    WaitIfBlocked(n, /*after_handling=*/false, gen);
    if (f.latency_ms > 0) SleepFor(f.latency_ms);
    {
      std::lock_guard<std::mutex> lock(mu);
      res.Header("X-Request-Id", "sim-" + std::to_string(n));
      auto it = world.stores.find(store_key);
      Store* st = wms || it == world.stores.end() ? nullptr : &it->second;
      if (!wms && st == nullptr) {
        res.Json(404, SimpleJson("error", "no store " + store_key));
      } else if (do_error) {
        ++fault_counts["error"];
        res.Json(error_code, SimpleJson("errors", "simulated server error"));
      } else if (do_html) {
        ++fault_counts["html"];
        res.status = 200;
        res.body = kHtmlPage;
        res.content_type = "text/html; charset=utf-8";
      } else if (wms ? !AuthorizeWms(world, req, res) : !AuthorizeStore(*st, req, res)) {
        ++fault_counts["unauthorized"];
      } else if (st != nullptr && st->platform == Platform::kShopify && !IsShopifyGraphql(req) &&
                 !IsShopifyTokenRequest(req) && !ShopifyBucket(*st, res)) {
        ++rate_limited[store_key];
        ++rate_limited_total;
      } else if (st != nullptr && st->platform == Platform::kBigCommerce &&
                 !BigCommerceWindow(*st, res)) {
        ++rate_limited[store_key];
        ++rate_limited_total;
      } else if (wms) {
        HandleWms(world, req, res);
      } else if (st->platform == Platform::kShopify) {
        HandleShopify(world, *st, req, res);
      } else if (st->platform == Platform::kWoo) {
        HandleWoo(world, *st, req, res);
      } else if (st->platform == Platform::kAmazon) {
        HandleAmazon(world, *st, req, res);
      } else if (st->platform == Platform::kWalmart) {
        HandleWalmart(world, *st, req, res);
      } else if (st->platform == Platform::kMagento) {
        HandleMagento(world, *st, req, res);
      } else if (st->platform == Platform::kEbay) {
        HandleEbay(world, *st, req, res);
      } else {
        HandleBigCommerce(world, *st, req, res);
      }
      if (do_timeout) ++fault_counts["timeout"];
      if (do_truncate) ++fault_counts["truncate"];
    }
    WaitIfBlocked(n, /*after_handling=*/true, gen);
    if (do_timeout) SleepFor(f.timeout_ms);
    Write(hres, res, do_truncate);
  }

  static void Write(httplib::Response& hres, const Resp& res, bool truncate) {
    hres.status = res.status;
    for (const auto& [k, v] : res.headers) hres.set_header(k, v);
    if (res.status == 204 || res.status == 304) return;
    if (truncate && res.body.size() >= 2) {
      auto body = std::make_shared<std::string>(res.body);
      hres.set_content_provider(
          body->size(), res.content_type,
          [body](size_t offset, size_t /*length*/, httplib::DataSink& sink) {
            size_t half = body->size() / 2;
            if (offset < half) sink.write(body->data() + offset, half - offset);
            return false;  // abort: the client gets a short body and a closed connection
          });
      return;
    }
    hres.set_content(res.body, res.content_type.empty() ? "application/json" : res.content_type);
  }

  std::string BaseUrl() const { return "http://127.0.0.1:" + std::to_string(port); }

  // ---- /_sim -------------------------------------------------------------------------

  void HandleSim(const Req& req, Resp& res) {
    const std::string& p = req.path;
    const bool get = req.method == "GET", post = req.method == "POST";
    rapidjson::Document body;
    if (post && !req.body.empty()) {
      body.Parse(req.body.c_str(), req.body.size());
      if (body.HasParseError() || !body.IsObject())
        return res.Json(400, SimpleJson("error", "body must be a JSON object"));
    } else {
      body.SetObject();
    }
    std::unique_lock<std::mutex> lock(mu);
    rapidjson::StringBuffer sb;
    Writer w(sb);
    if (p == "/health" && get) {
      w.StartObject();
      KBool(w, "ok", true);
      KStr(w, "base_url", BaseUrl());
      KStr(w, "wms_url", BaseUrl() + "/wms");
      w.Key("stores");
      w.StartArray();
      for (const auto& [key, st] : world.stores) {
        w.StartObject();
        KStr(w, "platform", PlatformName(st.platform));
        KStr(w, "name", st.name);
        KStr(w, "url", BaseUrl() + "/" + key);
        KInt(w, "orders", static_cast<int64_t>(st.orders.size()));
        w.EndObject();
      }
      w.EndArray();
      w.Key("total_requests");
      w.Uint64(total);
      w.EndObject();
      return res.Json(200, Done(sb));
    }
    if (p == "/records" && get) return res.Json(200, RecordsToJson(RecordsLocked()));
    if (p == "/ship" && post) {
      std::string key = JsonString(body, "order_key").value_or(req.ParamOr("order_key"));
      w.StartObject();
      if (!key.empty()) {
        auto it = world.wms_by_key.find(key);
        std::string tracking = it == world.wms_by_key.end() ? "" : ShipWmsOrder(world, it->second);
        KInt(w, "shipped", tracking.empty() ? 0 : 1);
        KStr(w, "tracking_number", tracking);
      } else {
        auto count = JsonInt(body, "count");
        if (!count) count = ToInt(req.ParamOr("count"));
        KInt(w, "shipped", ShipLocked(count ? static_cast<int>(*count) : -1));
      }
      w.EndObject();
      return res.Json(200, Done(sb));
    }
    if (p == "/reset" && post) {
      faults = options.faults;
      ResetWorldLocked();
      lock.unlock();
      cv.notify_all();
      return res.Json(200, "{\"ok\":true}");
    }
    if (p == "/faults" && (get || post)) {
      if (post) {
        std::string error;
        FaultOptions updated = faults;
        if (!ParseFaults(req.body.empty() ? "{}" : req.body, &updated, &error))
          return res.Json(400, SimpleJson("error", error));
        faults = updated;
        lock.unlock();
        cv.notify_all();
        return res.Json(200, FaultsJson(updated));
      }
      return res.Json(200, FaultsJson(faults));
    }
    if (p == "/orders" && get) {
      Store* st = FindStoreLocked(req.ParamOr("platform"), req.ParamOr("store"));
      if (st == nullptr)
        return res.Json(404, SimpleJson("error", "no such store (platform=, store=)"));
      return res.Json(200, OrdersToJson(OrdersLocked(*st)));
    }
    if (p == "/orders" && post) {
      Store* st = FindStoreLocked(JsonString(body, "platform").value_or(""),
                                  JsonString(body, "store").value_or(""));
      auto count = JsonInt(body, "count");
      if (st == nullptr)
        return res.Json(404, SimpleJson("error", "no such store (platform, store)"));
      if (!count || *count < 1 || *count > 10'000)
        return res.Json(400, SimpleJson("error", "count must be 1..10000"));
      w.StartObject();
      w.Key("ids");
      w.StartArray();
      for (int64_t id : GenerateOrders(*st, static_cast<int>(*count), world.NowSeconds()))
        Str(w, OrderIdText(*st, *st->FindOrder(id)));
      w.EndArray();
      w.EndObject();
      return res.Json(200, Done(sb));
    }
    if (p == "/stock" && post) {
      auto sku = JsonString(body, "sku");
      auto warehouse = JsonString(body, "warehouse");
      auto available = JsonInt(body, "available");
      auto on_hand = JsonInt(body, "on_hand");
      if (!sku || !warehouse || !available)
        return res.Json(400, SimpleJson("error", "sku, warehouse and available are required"));
      WmsSku& entry = world.wms_skus[*sku];
      entry.sku = *sku;
      if (auto client = JsonString(body, "client")) entry.client = *client;
      entry.stock[*warehouse] = {*available, on_hand.value_or(*available)};
      return res.Json(200, "{\"ok\":true}");
    }
    if (p == "/cancel" && post) {  // an order canceled at its cart (sim_cancel.cc)
      Store* st = FindStoreLocked(JsonString(body, "platform").value_or(""),
                                  JsonString(body, "store").value_or(""));
      if (st == nullptr)
        return res.Json(404, SimpleJson("error", "no such store (platform, store)"));
      std::string error;
      if (!CancelStoreOrder(world, *st, JsonString(body, "id").value_or(""), &error))
        return res.Json(404, SimpleJson("error", error));
      return res.Json(200, "{\"ok\":true}");
    }
    if (p == "/seed" && post) {
      StoreSeed seed;
      std::string error;
      if (!StoreSeedFromJson(body, options.seed, &seed, &error) || !SeedLocked(seed, &error))
        return res.Json(400, SimpleJson("error", error));
      RememberSeed(seed);
      return res.Json(200, "{\"ok\":true}");
    }
    res.Json(404, SimpleJson("error",
                             "unknown /_sim endpoint: health, records, ship, reset, faults, "
                             "orders, stock, seed, cancel"));
  }

  void RememberSeed(const StoreSeed& seed) {
    auto p = ParsePlatform(seed.platform);
    for (StoreSeed& s : seeds)
      if (ParsePlatform(s.platform) == p && s.name == seed.name) {
        s = seed;
        return;
      }
    seeds.push_back(seed);
  }
};

// ---- Simulator ---------------------------------------------------------------------------

Simulator::Simulator(SimOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

Simulator::~Simulator() { Stop(); }

bool Simulator::Start(std::string* error) {
  Impl& s = *impl_;
  if (s.thread.joinable()) {
    if (error) *error = "already started";
    return false;
  }
  // Answers to clients that gave up (timeouts, truncation) must not kill the process.
  struct sigaction current {};
  if (sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL)
    std::signal(SIGPIPE, SIG_IGN);
  const int threads = std::max(1, s.options.threads);
  s.server.new_task_queue = [threads] {
    return new httplib::ThreadPool(static_cast<size_t>(threads));
  };
  s.server.set_keep_alive_timeout(s.options.keep_alive_s);
  s.server.set_keep_alive_max_count(1000);
  s.server.set_tcp_nodelay(true);
  s.server.set_read_timeout(10);
  s.server.set_payload_max_length(size_t{64} << 20);
  auto handler = [this](const httplib::Request& req, httplib::Response& res) {
    impl_->Dispatch(req, res);
  };
  s.server.Get(".*", handler);
  s.server.Post(".*", handler);
  s.server.Put(".*", handler);
  s.server.Patch(".*", handler);
  s.server.Delete(".*", handler);
  int port = 0;
  if (s.options.port == 0) {
    port = s.server.bind_to_any_port("127.0.0.1");
  } else if (s.server.bind_to_port("127.0.0.1", s.options.port)) {
    port = s.options.port;
  }
  if (port <= 0) {
    if (error) *error = "cannot bind 127.0.0.1:" + std::to_string(s.options.port);
    return false;
  }
  {
    std::lock_guard<std::mutex> lock(s.mu);
    s.port = port;
    s.stopping = false;
  }
  s.thread = std::thread([&s] { s.server.listen_after_bind(); });
  for (int i = 0; i < 2500 && !s.server.is_running(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  if (!s.server.is_running()) {
    if (error) *error = "the server did not start";
    s.server.stop();
    s.thread.join();
    return false;
  }
  return true;
}

void Simulator::Stop() {
  Impl& s = *impl_;
  {
    std::lock_guard<std::mutex> lock(s.mu);
    s.stopping = true;
  }
  s.cv.notify_all();
  if (s.thread.joinable()) {
    s.server.stop();
    s.thread.join();
  }
}

int Simulator::port() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->port;
}

std::string Simulator::base_url() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->BaseUrl();
}

std::string Simulator::store_url(const std::string& platform, const std::string& name) const {
  auto p = ParsePlatform(platform);
  return base_url() + "/" + (p ? PlatformPrefix(*p) : platform) + "/" + name;
}

std::string Simulator::wms_url() const { return base_url() + "/wms"; }

bool Simulator::SeedStore(const StoreSeed& seed, std::string* error) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (!impl_->SeedLocked(seed, error)) return false;
  impl_->RememberSeed(seed);
  return true;
}

void Simulator::SeedDemo(int orders, uint64_t seed) {
  for (const StoreSeed& s : DemoSeeds(orders, seed)) SeedStore(s, nullptr);
}

std::vector<std::string> Simulator::AddOrders(const std::string& platform, const std::string& store,
                                              int count) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::vector<std::string> ids;
  Store* st = impl_->FindStoreLocked(platform, store);
  if (st == nullptr || count <= 0) return ids;
  for (int64_t id : GenerateOrders(*st, count, impl_->world.NowSeconds()))
    ids.push_back(OrderIdText(*st, *st->FindOrder(id)));
  return ids;
}

bool Simulator::CancelCartOrder(const std::string& platform, const std::string& store,
                                const std::string& order_id, std::string* error) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  Store* st = impl_->FindStoreLocked(platform, store);
  if (st == nullptr) {
    if (error) *error = "no store " + platform + "/" + store;
    return false;
  }
  return CancelStoreOrder(impl_->world, *st, order_id, error);
}

int Simulator::ShipAll() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->ShipLocked(-1);
}

int Simulator::ShipOrders(int n) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->ShipLocked(std::max(0, n));
}

std::string Simulator::ShipOrder(const std::string& order_key) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto it = impl_->world.wms_by_key.find(order_key);
  return it == impl_->world.wms_by_key.end() ? "" : ShipWmsOrder(impl_->world, it->second);
}

void Simulator::SetWmsStock(const std::string& sku, const std::string& warehouse, int64_t available,
                            int64_t on_hand) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  WmsSku& entry = impl_->world.wms_skus[sku];
  entry.sku = sku;
  entry.stock[warehouse] = {available, on_hand};
}

void Simulator::SetFaults(const FaultOptions& faults) {
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->faults = faults;
  }
  impl_->cv.notify_all();
}

FaultOptions Simulator::faults() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->faults;
}

void Simulator::Reset() {
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->faults = impl_->options.faults;
    impl_->ResetWorldLocked();
  }
  impl_->cv.notify_all();
}

SimRecords Simulator::Records() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->RecordsLocked();
}

std::string Simulator::RecordsJson() const { return RecordsToJson(Records()); }

uint64_t Simulator::total_requests() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->total;
}

std::vector<WmsOrderRecord> Simulator::WmsOrders() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::vector<WmsOrderRecord> out;
  for (const WmsOrderState& o : impl_->world.wms_orders) out.push_back(o.record);
  return out;
}

std::vector<TrackingRecord> Simulator::TrackingPosts() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->world.tracking;
}

std::vector<TrackingRecord> Simulator::TrackingFor(const std::string& platform,
                                                   const std::string& store,
                                                   const std::string& order_id) const {
  auto p = ParsePlatform(platform);
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::vector<TrackingRecord> out;
  for (const TrackingRecord& t : impl_->world.tracking)
    if (p && t.platform == PlatformName(*p) && t.store == store && t.order_id == order_id)
      out.push_back(t);
  return out;
}

std::vector<InventorySetRecord> Simulator::InventorySets() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::vector<InventorySetRecord> out;
  for (const auto& [key, inv] : impl_->world.inventory) out.push_back(inv);
  return out;
}

std::vector<OrderSummary> Simulator::Orders(const std::string& platform,
                                            const std::string& store) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  Store* st = impl_->FindStoreLocked(platform, store);
  return st == nullptr ? std::vector<OrderSummary>{} : impl_->OrdersLocked(*st);
}

}  // namespace cartsync::sim
