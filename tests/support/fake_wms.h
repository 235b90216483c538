// An in-memory WMS that records every call, with injectable failures and
// delays: the runner's unit tests use it instead of a WMS transport.
#pragma once

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/status.h"
#include "runtime/wms/wms_client.h"

namespace cartsync {

/// The WMS's orders, shipments and stock, and what was done to it.
struct FakeWmsState {
  std::mutex mu;
  std::map<std::string, WmsOrder> orders;  ///< by order_key
  int pushes = 0;                          ///< PushOrder calls that reached the WMS
  std::vector<Shipment> shipments;         ///< cursor = index of the next one
  int shipment_pulls = 0;                  ///< PullShipments calls that reached the WMS
  std::vector<InventoryRecord> inventory;
  std::optional<int64_t> as_of;
  std::vector<AliasRecord> aliases;
  std::vector<std::string> inventory_clients, alias_clients;  ///< the client of each pull
  Status fail_push;                      ///< returned (without storing) when not ok
  int fail_push_times = -1;              ///< how many pushes fail; -1 = all while set
  int push_delay_ms = 0;                 ///< each push takes this long (outside the lock)
  int in_flight = 0, max_in_flight = 0;  ///< pushes under way at once
  /// Cancels: order_key -> the WMS's status ("shipped"/"in_progress" answer
  /// too late; "canceled" after a cancel). Orders not listed are "received".
  std::map<std::string, std::string> status;
  std::vector<std::string> cancels;  ///< the order_key of every CancelOrder that reached the WMS
  Status fail_cancel;                ///< returned by CancelOrder when not ok
  int fail_cancel_times = -1;        ///< how many cancels fail; -1 = all while set
};

/// Accepts orders as "WMS-<order_key>"; shipments page two at a time
/// (cursor = index of the next one).
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
    ++s_.shipment_pulls;
    size_t from = since.empty() ? 0 : std::stoul(since);
    ShipmentPage page;
    for (size_t i = from; i < s_.shipments.size() && i < from + 2; ++i)
      page.shipments.push_back(s_.shipments[i]);
    page.next = std::to_string(from + page.shipments.size());
    return page;
  }
  /// Like a WMS that ignores the client parameter: every record, whoever's.
  Result<InventorySnapshot> PullInventory(const std::string& client) override {
    std::lock_guard<std::mutex> l(s_.mu);
    s_.inventory_clients.push_back(client);
    return InventorySnapshot{s_.inventory, s_.as_of};
  }
  Result<std::vector<AliasRecord>> PullAliases(const std::string& client) override {
    std::lock_guard<std::mutex> l(s_.mu);
    s_.alias_clients.push_back(client);
    return s_.aliases;
  }
  Result<WmsCancel> CancelOrder(const std::string& key) override {
    std::lock_guard<std::mutex> l(s_.mu);
    if (!s_.fail_cancel.ok() && s_.fail_cancel_times != 0) {
      if (s_.fail_cancel_times > 0) --s_.fail_cancel_times;
      return s_.fail_cancel;
    }
    s_.cancels.push_back(key);
    WmsCancel out;
    if (!s_.orders.count(key)) {
      out.outcome = WmsCancel::Outcome::Unknown;
      return out;
    }
    std::string& status = s_.status[key];
    if (status == "shipped" || status == "in_progress") {
      out.outcome = WmsCancel::Outcome::TooLate;
      out.status = status;
      return out;
    }
    status = out.status = "canceled";
    return out;
  }

 private:
  FakeWmsState& s_;
};

}  // namespace cartsync
