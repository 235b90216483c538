// In-memory fakes of the runtime's side effects: a cart and a WMS that
// record every call, with injectable failures. End-to-end tests use the
// HTTP simulator instead; these keep the runner's unit tests fast.
#pragma once

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "runtime/carts/cart_connector.h"
#include "runtime/runner.h"
#include "runtime/wms/wms_client.h"

namespace cartsync {

struct FakeCartState {
  std::mutex mu;
  std::vector<CartOrder> orders;
  std::vector<OrderWindow> windows;                       ///< every FetchOrders call
  std::map<std::string, std::vector<std::string>> tracking;  ///< order id -> numbers (with carrier)
  std::vector<TrackingUpload> uploads;                    ///< every UploadTracking call
  std::map<std::string, int64_t> stock;                   ///< sku -> last pushed quantity
  std::vector<InventoryPush> pushes;                      ///< every pushed item
  Status fail_fetch, fail_upload, fail_push;              ///< returned when not ok
  std::set<std::string> reject_skus;                      ///< per-item push errors
  int page_size = 2;
};

class FakeCart : public CartConnector {
 public:
  explicit FakeCart(FakeCartState& s) : s_(s) {}
  Status FetchOrders(const OrderWindow& w, const std::function<Status(std::vector<CartOrder>&&)>& sink) override {
    std::vector<CartOrder> match;
    {
      std::lock_guard<std::mutex> l(s_.mu);
      s_.windows.push_back(w);
      if (!s_.fail_fetch.ok()) return s_.fail_fetch;
      for (const CartOrder& o : s_.orders) {
        int64_t placed = 0, updated = 0;
        ParseTimestamp(o.placed_at, placed);
        ParseTimestamp(o.updated_at, updated);
        if (w.created_after && placed < *w.created_after) continue;
        if (w.updated_after && updated < *w.updated_after) continue;
        match.push_back(o);
      }
    }
    for (size_t i = 0; i < match.size(); i += s_.page_size) {
      std::vector<CartOrder> page(match.begin() + i, match.begin() + std::min(match.size(), i + s_.page_size));
      Status st = sink(std::move(page));
      if (!st.ok()) return st;
    }
    return Status::Ok();
  }
  Result<bool> HasTracking(const std::string& order_id, const std::string& number) override {
    std::lock_guard<std::mutex> l(s_.mu);
    auto& v = s_.tracking[order_id];
    return std::find(v.begin(), v.end(), number) != v.end();
  }
  Status UploadTracking(const TrackingUpload& up) override {
    std::lock_guard<std::mutex> l(s_.mu);
    if (!s_.fail_upload.ok()) return s_.fail_upload;
    s_.uploads.push_back(up);
    s_.tracking[up.order_id].push_back(up.shipment.tracking_number);
    return Status::Ok();
  }
  Result<std::vector<PushError>> PushInventory(const std::vector<InventoryPush>& items) override {
    std::lock_guard<std::mutex> l(s_.mu);
    if (!s_.fail_push.ok()) return s_.fail_push;
    std::vector<PushError> errors;
    for (const InventoryPush& p : items) {
      if (s_.reject_skus.count(p.sku)) {
        errors.push_back({p.sku, "unknown SKU"});
        continue;
      }
      s_.stock[p.sku] = p.quantity;
      s_.pushes.push_back(p);
    }
    return errors;
  }

 private:
  FakeCartState& s_;
};

struct FakeWmsState {
  std::mutex mu;
  std::map<std::string, WmsOrder> orders;  ///< by order_key
  int pushes = 0;                          ///< PushOrder calls that reached the WMS
  std::vector<Shipment> shipments;         ///< cursor = index of the next one
  std::vector<InventoryRecord> inventory;
  std::optional<int64_t> as_of;
  std::vector<AliasRecord> aliases;
  Status fail_push;                        ///< returned (without storing) when not ok
  int fail_push_times = -1;                ///< how many pushes fail; -1 = all while set
  int push_delay_ms = 0;                   ///< each push takes this long (outside the lock)
  int in_flight = 0, max_in_flight = 0;    ///< pushes under way at once
};

class FakeWms : public WmsClient {
 public:
  explicit FakeWms(FakeWmsState& s) : s_(s) {}
  Result<std::string> PushOrder(const WmsOrder& o) override {
    if (s_.push_delay_ms > 0) {
      {
        std::lock_guard<std::mutex> l(s_.mu);
        s_.max_in_flight = std::max(s_.max_in_flight, ++s_.in_flight);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(s_.push_delay_ms));
      std::lock_guard<std::mutex> l(s_.mu);
      --s_.in_flight;
    }
    std::lock_guard<std::mutex> l(s_.mu);
    if (!s_.fail_push.ok() && s_.fail_push_times != 0) {
      if (s_.fail_push_times > 0) --s_.fail_push_times;
      return s_.fail_push;
    }
    ++s_.pushes;
    s_.orders[o.order_key] = o;
    return "WMS-" + o.order_key;
  }
  Result<std::optional<std::string>> FindOrder(const std::string& key) override {
    std::lock_guard<std::mutex> l(s_.mu);
    if (!s_.orders.count(key)) return std::optional<std::string>();
    return std::optional<std::string>("WMS-" + key);
  }
  Result<ShipmentPage> PullShipments(const std::string& since) override {
    std::lock_guard<std::mutex> l(s_.mu);
    size_t from = since.empty() ? 0 : std::stoul(since);
    ShipmentPage page;
    for (size_t i = from; i < s_.shipments.size() && i < from + 2; ++i) page.shipments.push_back(s_.shipments[i]);
    page.next = std::to_string(from + page.shipments.size());
    return page;
  }
  Result<InventorySnapshot> PullInventory() override {
    std::lock_guard<std::mutex> l(s_.mu);
    return InventorySnapshot{s_.inventory, s_.as_of};
  }
  Result<std::vector<AliasRecord>> PullAliases() override {
    std::lock_guard<std::mutex> l(s_.mu);
    return s_.aliases;
  }

 private:
  FakeWmsState& s_;
};

/// Processes by identity: this one is "self"; the ones in `gone` have ended.
class FakeProcessTable : public ProcessTable {
 public:
  std::string self = "4026531836:1000:5000";
  std::set<std::string> gone;
  std::string Self() override { return self; }
  bool Gone(const std::string& identity) override { return gone.count(identity) > 0; }
};

/// Zones at fixed offsets from UTC (no daylight saving): "Test/Plus2" is
/// UTC+2; any other name is unknown.
class FakeTimeZones : public TimeZones {
 public:
  std::map<std::string, int64_t> offsets{{"Test/Plus2", 2 * 3600}};
  Result<int64_t> NextDaily(const std::string& zone, int hour, int minute, int64_t t) override {
    auto it = offsets.find(zone);
    if (it == offsets.end()) return Status::Permanent("unknown time zone \"" + zone + "\"");
    const int64_t local = t + it->second, at = hour * 3600 + minute * 60;
    int64_t day = local - ((local % 86400) + 86400) % 86400;
    if (day + at <= local) day += 86400;
    return day + at - it->second;
  }
};

/// Hands out fakes; one FakeCartState per cart id, one WMS for all.
class FakeEnvironment : public RunEnvironment {
 public:
  FakeProcessTable processes;
  ProcessTable& Processes() override { return processes; }
  FakeTimeZones zones;
  TimeZones& Zones() override { return zones; }
  std::map<std::string, FakeCartState> carts;
  FakeWmsState wms;
  std::set<std::string> broken_carts;  ///< Connector() fails for these

  Result<std::unique_ptr<CartConnector>> Connector(const CartConfig& cart) override {
    if (broken_carts.count(cart.id)) return Status::Permanent("no connector for " + cart.id);
    return std::unique_ptr<CartConnector>(new FakeCart(carts[cart.id]));
  }
  Result<std::unique_ptr<WmsClient>> Wms(const WmsConfig&, const std::string&) override {
    return std::unique_ptr<WmsClient>(new FakeWms(wms));
  }
};

}  // namespace cartsync
