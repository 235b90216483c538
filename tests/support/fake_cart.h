// An in-memory cart that records every call, with injectable failures: the
// runner's unit tests use it instead of a platform connector (end-to-end
// tests use the HTTP simulator instead).
#pragma once

#include <algorithm>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "base/status.h"
#include "runtime/carts/cart_connector.h"
#include "runtime/clock.h"

namespace cartsync {

/// The cart's orders and what was done to it; tests set it up and read it
/// back. Lives apart from FakeCart so that it outlasts each connector.
struct FakeCartState {
  std::mutex mu;
  std::vector<CartOrder> orders;
  std::vector<OrderWindow> windows;                          ///< every FetchOrders call
  std::map<std::string, std::vector<std::string>> tracking;  ///< order id -> numbers (with carrier)
  std::vector<TrackingUpload> uploads;                       ///< every UploadTracking call
  std::map<std::string, int64_t> stock;                      ///< sku -> last pushed quantity
  std::vector<InventoryPush> pushes;                         ///< every pushed item
  Status fail_fetch, fail_upload, fail_push;                 ///< returned when not ok
  /// Acknowledgements (CartConnector::AcknowledgeOrder), off unless set.
  bool acknowledges = false;
  Status fail_ack;                       ///< returned when not ok
  std::map<std::string, int> ack_calls;  ///< order id -> AcknowledgeOrder calls
  std::set<std::string> acknowledged;    ///< order ids the cart has acknowledged
  std::set<std::string> reject_skus;     ///< per-item push errors
  /// Per-item "SKU not found in FakeCart": SKUs the cart does not sell.
  std::set<std::string> not_sold_skus;
  int page_size = 2;
  /// FetchOrders returns fail_fetch after this many pages (-1: before any).
  int fail_fetch_after_pages = -1;
};

/// Pages `page_size` orders at a time, filtered by the window's times (not
/// its statuses); tracking and stock land in the state.
class FakeCart : public CartConnector {
 public:
  explicit FakeCart(FakeCartState& s) : s_(s) {}
  Status FetchOrders(const OrderWindow& w,
                     const std::function<Status(std::vector<CartOrder>&&)>& sink) override {
    std::vector<CartOrder> match;
    {
      std::lock_guard<std::mutex> l(s_.mu);
      s_.windows.push_back(w);
      if (!s_.fail_fetch.ok() && s_.fail_fetch_after_pages < 0) return s_.fail_fetch;
      for (const CartOrder& o : s_.orders) {
        int64_t placed = 0, updated = 0;
        ParseTimestamp(o.placed_at, placed);
        ParseTimestamp(o.updated_at, updated);
        if (w.created_after && placed < *w.created_after) continue;
        if (w.updated_after && updated < *w.updated_after) continue;
        match.push_back(o);
      }
    }
    for (size_t i = 0, pages = 0; i < match.size(); i += s_.page_size, ++pages) {
      if (!s_.fail_fetch.ok() && static_cast<int>(pages) == s_.fail_fetch_after_pages)
        return s_.fail_fetch;
      std::vector<CartOrder> page(match.begin() + i,
                                  match.begin() + std::min(match.size(), i + s_.page_size));
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
  bool AcknowledgesOrders() const override { return s_.acknowledges; }
  /// Looks first, like a real connector: an acknowledged order is left alone.
  Status AcknowledgeOrder(const CartOrder& order) override {
    std::lock_guard<std::mutex> l(s_.mu);
    ++s_.ack_calls[order.id];
    if (!s_.fail_ack.ok()) return s_.fail_ack;
    s_.acknowledged.insert(order.id);
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
      if (s_.not_sold_skus.count(p.sku)) {
        errors.push_back({p.sku, "SKU not found in FakeCart", /*not_in_cart=*/true});
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

}  // namespace cartsync
