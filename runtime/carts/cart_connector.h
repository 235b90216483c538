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
  /// False while lines the WMS was sent stay unshipped after this shipment
  /// (a partial shipment, shipment_upload.h ShipsOrderInFull): a platform
  /// that closes the order with the tracking (WooCommerce "completed") must not.
  bool completes_order = true;
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

/// What CartConnector::CheckAccess learnt, without writing anything.
struct AccessCheck {
  bool checked = false;              ///< false: nothing beyond reading orders (note says)
  std::vector<std::string> granted;  ///< scopes, where the platform lists them
  /// Each a sentence: a permission the credentials lack and what needs it.
  std::vector<std::string> missing;
  std::string note;  ///< how it was checked, or why not
};

/// The inventory location of CartConnector::InventoryLocation.
struct LocationCheck {
  bool applies = false;  ///< false: the platform has none to check (note says)
  std::string id, name;  ///< the location stock goes to, as found
  std::string problem;   ///< "" = usable; else why not (missing, inactive)
  std::string note;
};

/// The catalog's SKUs of CartConnector::CartSkus.
struct CatalogSkus {
  bool listed = false;            ///< false: not listed (note says why)
  bool complete = true;           ///< false: stopped at the page bound
  std::vector<std::string> skus;  ///< distinct, non-empty
  std::string note;
};

/// The store's time zone (CartConnector::StoreTimeZone): a merchant's
/// `earliest_order_date = 2026-01-01` means midnight where the store is.
struct StoreZone {
  std::string iana = "UTC";  ///< IANA name; "" = a fixed offset only
  int64_t utc_offset_s = 0;  ///< east of UTC; used when `iana` is ""
  std::string source;        ///< where it came from, for the log
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
  /// Whether UploadTracking and FinishTracking read
  /// TrackingUpload::completes_order (WooCommerce); the runtime works it out
  /// (the order's sent lines against its shipments: a read and a parse per
  /// shipment) only for a connector that does.
  virtual bool UsesCompletesOrder() const { return false; }
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
  /// The store's time zone, asked of the platform at most once per
  /// connector (one per cart and run). Default: UTC (platforms without a
  /// store zone; wms-contract.md and platforms.md say which).
  virtual Result<StoreZone> StoreTimeZone() {
    StoreZone z;
    z.source = "the platform has no store time zone; UTC";
    return z;
  }
  /// Absolute quantities; per-SKU failures come back, the rest applied.
  virtual Result<std::vector<PushError>> PushInventory(const std::vector<InventoryPush>& items) = 0;

  // ---- read-only checks for `cartsync doctor` (runtime/doctor.h) -----------------
  // None of these writes to the cart. Each has a default for platforms that
  // cannot answer cheaply; the doctor reads orders with FetchOrders anyway,
  // which proves the credentials can read orders.

  /// Whether the credentials work and, where the platform says them, hold
  /// the scopes `services` need. An error Status is a credentials problem
  /// (401, 403), its message naming the credential, never its value.
  virtual Result<AccessCheck> CheckAccess(const std::vector<Service>& services) {
    (void)services;
    AccessCheck a;
    a.note = "no separate access check on this platform; reading orders proves read access";
    return a;
  }
  /// The inventory location stock goes to: that it exists and is active.
  virtual Result<LocationCheck> InventoryLocation() {
    LocationCheck l;
    l.note = "the platform has no inventory location to check";
    return l;
  }
  /// The catalog's SKUs, at most `max_pages` pages of the platform's largest
  /// page size; `listed` false when the platform cannot list them cheaply.
  virtual Result<CatalogSkus> CartSkus(int max_pages) {
    (void)max_pages;
    CatalogSkus c;
    c.note = "listing the catalog is not supported for this platform";
    return c;
  }
};

struct ConnectorDeps {
  HttpClient* http = nullptr;
  SecretResolver* secrets = nullptr;
};

/// The connector for `cart.platform`; Permanent when none exists yet.
Result<std::unique_ptr<CartConnector>> MakeCartConnector(const CartConfig& cart,
                                                         const ConnectorDeps& deps);

}  // namespace cartsync
