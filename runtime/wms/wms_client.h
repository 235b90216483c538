// The WMS side (wms-contract.md) behind one interface, with three
// transports: http (libcurl), command (an external program speaking JSON
// lines, via Boost.Process) and directory (files with atomic renames).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "model/config.h"
#include "runtime/clock.h"
#include "runtime/documents.h"
#include "runtime/net/http_client.h"
#include "runtime/secrets.h"

namespace cartsync {

struct ShipmentPage {
  std::vector<Shipment> shipments;
  std::string next;  ///< cursor for the next pull ("" = unchanged)
  /// Shipments the WMS listed on the page, when `shipments` holds only some
  /// (the run's shared feed hands a cart its own: shipment_feed.h); 0 = all.
  size_t listed = 0;
};

struct InventorySnapshot {
  std::vector<InventoryRecord> records;
  std::optional<int64_t> as_of_seconds;  ///< when the WMS took the snapshot
};

/// How the WMS answered a cancel (wms-contract.md, "Additions (second wave)").
struct WmsCancel {
  enum class Outcome {
    Canceled,  ///< 200 {"status": "canceled"} (also: it was canceled already)
    TooLate,   ///< 409 {"status": "in_progress"|"shipped"}: recorded, never retried
    Unknown,   ///< 404: the WMS does not have the order
  };
  Outcome outcome = Outcome::Canceled;
  std::string status;  ///< the WMS's status word ("canceled", "shipped", …; "" when none)
};

class WmsClient {
 public:
  virtual ~WmsClient() = default;
  /// Delivers an order; the WMS treats a repeated order_key as the same
  /// order. Returns the WMS's order id.
  virtual Result<std::string> PushOrder(const WmsOrder& order) = 0;
  /// PushOrder with the order's document already made (`doc` ==
  /// ToJson(order)), so a batch serializes each order once for its intent
  /// and its push. The http transport sends `doc` as is; by default the
  /// order is pushed as PushOrder does.
  virtual Result<std::string> PushOrderDocument(const WmsOrder& order, const std::string& doc) {
    (void)doc;
    return PushOrder(order);
  }
  /// Reconciliation after a crash: the WMS id of `order_key`, or nullopt
  /// when the WMS does not have it.
  virtual Result<std::optional<std::string>> FindOrder(const std::string& order_key) = 0;
  virtual Result<ShipmentPage> PullShipments(const std::string& since) = 0;
  /// The stock of `client` (`[cart].client`): asked for by client
  /// (`?client=`, the command's "client", the directory's records), then
  /// filtered again here (KeepClient), so a WMS that ignores the parameter
  /// never hands one merchant another's SKUs. "" = every record.
  virtual Result<InventorySnapshot> PullInventory(const std::string& client) = 0;
  /// The aliases of `client`, asked for and filtered the same way.
  virtual Result<std::vector<AliasRecord>> PullAliases(const std::string& client) = 0;
  /// Cancels an order the WMS received (`POST {url}/orders/{key}/cancel`,
  /// `{"op": "cancel_order"}`, `outbox/cancel/{key}.json`). Idempotent: a
  /// second cancel of a canceled order answers Canceled. A transport error
  /// is an error (Transient: try again later). The default is for WMS
  /// clients that cannot cancel (Permanent).
  virtual Result<WmsCancel> CancelOrder(const std::string& order_key) {
    return Status::Permanent("this WMS connection cannot cancel orders (" + order_key + ")");
  }
};

/// "canceled", "too late", "unknown" (for messages).
const char* WmsCancelOutcomeName(WmsCancel::Outcome outcome);

/// Drops the records of other clients. A record that names no client is
/// kept: a WMS that knows nothing of clients serves one per connection.
/// An empty `client` keeps everything.
void KeepClient(const std::string& client, std::vector<InventoryRecord>& records);
void KeepClient(const std::string& client, std::vector<AliasRecord>& records);

struct WmsDeps {
  HttpClient* http = nullptr;  ///< for system = "http"
  SecretResolver* secrets = nullptr;
  Clock* clock = nullptr;
  std::string base_dir = ".";  ///< relative paths (directory transport, commands) resolve here
  /// The cart this client serves ("" = none in particular): the directory
  /// transport leaves other carts' shipment files for them.
  std::string cart_id;
};

/// Builds the transport a `[wms.NAME]` declares.
Result<std::unique_ptr<WmsClient>> MakeWmsClient(const WmsConfig& config, const WmsDeps& deps);

}  // namespace cartsync
