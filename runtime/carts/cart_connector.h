// One interface for every cart platform: download orders, upload tracking,
// push stock. Implementations (shopify_cart, woocommerce_cart,
// bigcommerce_cart) speak the platforms' wire protocols over HttpClient.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "model/config.h"
#include "runtime/documents.h"
#include "runtime/net/http_client.h"
#include "runtime/secrets.h"

namespace cartsync {

/// Which orders to download: the cart's statuses, and a time window.
struct OrderWindow {
  std::map<std::string, std::vector<std::string>> statuses;  ///< dimension -> values
  std::optional<int64_t> created_after;  ///< unix seconds, inclusive (first pull)
  std::optional<int64_t> updated_after;  ///< unix seconds, inclusive (later pulls)
};

struct TrackingUpload {
  std::string order_id;      ///< the cart's order id
  std::string carrier_code;  ///< after [carrier_codes] mapping
  Shipment shipment;
};

struct InventoryPush {
  std::string sku;  ///< the cart's SKU
  int64_t quantity = 0;
};

struct PushError {
  std::string sku, message;
  /// The cart does not sell this SKU (no product, listing or offer with it):
  /// counted as `skus_not_in_cart` and skipped, never a failure of the step
  /// (a multi-client WMS lists SKUs of other catalogs).
  bool not_in_cart = false;
};

class CartConnector {
 public:
  virtual ~CartConnector() = default;
  /// Pages through matching orders, handing each page to `sink` (so memory
  /// stays bounded); stops at the first error from the cart or the sink.
  virtual Status FetchOrders(const OrderWindow& window,
                             const std::function<Status(std::vector<CartOrder>&&)>& sink) = 0;
  /// Whether the cart already has this tracking number on the order (the
  /// check before a non-idempotent post, and crash reconciliation).
  virtual Result<bool> HasTracking(const std::string& order_id,
                                   const std::string& tracking_number) = 0;
  virtual Status UploadTracking(const TrackingUpload& upload) = 0;
  /// Crash reconciliation found the tracking number already on the order
  /// (HasTracking): does whatever UploadTracking does after the post, so an
  /// upload a crash cut in half is finished without posting again
  /// (WooCommerce: the order is set to completed). Idempotent. Default:
  /// nothing follows the post.
  virtual Status FinishTracking(const TrackingUpload& upload) {
    (void)upload;
    return Status::Ok();
  }
  /// Whether the platform must be told when the WMS has accepted an order
  /// (Walmart: acknowledge). When true, the runtime records the
  /// acknowledgement as pending with the send, calls AcknowledgeOrder after
  /// it, and on later runs while it stays pending (an error or a crash in
  /// between).
  virtual bool AcknowledgesOrders() const { return false; }
  /// Tells the cart the WMS accepted `order` (the order as downloaded).
  /// Look before acting (the order may be acknowledged already: a crash
  /// after the call and before the runtime recorded it), so the cart sees
  /// it once. Idempotent. Default: nothing.
  virtual Status AcknowledgeOrder(const CartOrder& order) {
    (void)order;
    return Status::Ok();
  }
  /// Absolute quantities; per-SKU failures come back, the rest applied.
  virtual Result<std::vector<PushError>> PushInventory(const std::vector<InventoryPush>& items) = 0;
};

struct ConnectorDeps {
  HttpClient* http = nullptr;
  SecretResolver* secrets = nullptr;
};

/// The connector for `cart.platform`; Permanent when none exists yet.
Result<std::unique_ptr<CartConnector>> MakeCartConnector(const CartConfig& cart,
                                                         const ConnectorDeps& deps);

}  // namespace cartsync
