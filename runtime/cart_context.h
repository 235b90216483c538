// What one cart's steps work with: the cart's configuration, its two
// connections (cart and WMS), the state store, the clock and the log, plus
// the few run options the steps read. The runner builds one per cart, under
// the cart's lease and after connecting; each service (order_download,
// shipment_upload, inventory_upload) and the reconciliation take it and
// fill a StepCounts. Nothing here reaches back into the runner.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "model/plan.h"
#include "runtime/carts/cart_connector.h"
#include "runtime/clock.h"
#include "runtime/order_pipeline.h"
#include "runtime/run_log.h"
#include "runtime/state/state_store.h"
#include "runtime/time_zone.h"
#include "runtime/wms/wms_client.h"

namespace cartsync {

class ShipmentFeed;  // shipment_feed.h

/// Something a person must hear about at once, for the run report (JSON
/// `steps[].events`) and the `[[notify]]` alerts, which read them there.
/// Kinds: "cancel_too_late" (an order canceled at the cart after the WMS
/// started or shipped it; `detail` says which status the WMS gave).
struct StepEvent {
  std::string kind, order_key, order_number, detail;
};

/// What a step did, for the summary, the report and the metrics.
struct StepCounts {
  int downloaded = 0;  ///< new orders recorded
  int sent = 0, held = 0, skipped = 0, released = 0, send_failed = 0;
  int acknowledged = 0, ack_failed = 0;  ///< cart acknowledgements (Walmart)
  int shipments = 0, tracking_uploaded = 0, tracking_failed = 0;
  int skus_pushed = 0, skus_unchanged = 0, skus_unaliased = 0, skus_filtered = 0, skus_failed = 0;
  /// WMS SKUs the cart does not sell: skipped and counted, not failures.
  int skus_not_in_cart = 0;
  int reconciled = 0;  ///< unfinished intents settled at start
  /// Orders canceled at the cart: not sent (or canceled at the WMS) this
  /// step; too late (the WMS had started or shipped them: recorded, never
  /// retried); cancels at the WMS that failed (retried next run).
  int canceled = 0, cancel_too_late = 0, cancel_failed = 0;
  std::vector<StepEvent> events;  ///< in the order they happened
};

/// The WMS's alias table, pulled at most once per cart: order download and
/// inventory upload may both need it.
class CartAliases {
 public:
  CartAliases() = default;
  /// The aliases of the WMS client `client` (`[cart].client`) only.
  explicit CartAliases(std::string client) : client_(std::move(client)) {}
  /// Pulls the aliases the first time `needed` is true; otherwise, or once
  /// loaded, does nothing. A failed pull leaves them unloaded.
  Status Load(WmsClient& wms, bool needed) {
    if (!needed || loaded_) return Status::Ok();
    auto aliases = wms.PullAliases(client_);
    if (!aliases.ok()) return aliases.status();
    KeepClient(client_, aliases.value());  // whatever the transport let through
    index_ = AliasIndex::Build(aliases.value());
    loaded_ = true;
    return Status::Ok();
  }
  /// Empty until loaded (a cart that translates nothing never loads them).
  const AliasIndex& index() const { return index_; }

 private:
  std::string client_;
  AliasIndex index_;
  bool loaded_ = false;
};

struct CartContext {
  const CartConfig& cart;
  /// The whole plan: inventory counts the orders of every cart sharing this
  /// cart's WMS and client.
  const Plan& plan;
  const WmsConfig& wms_config;  ///< the [wms.NAME] the cart names
  CartConnector& connector;
  WmsClient& wms;
  /// Opens another connection to the cart's WMS (parallel order pushes).
  std::function<Result<std::unique_ptr<WmsClient>>()> open_wms;
  StateStore& store;
  Clock& clock;
  RunLog& log;

  // The run options the steps read (RunOptions has the meanings).
  bool dry_run = false;
  int wms_connections = 1;
  int64_t retry_window_ms = 0;
  int64_t download_overlap_ms = 0;

  CartAliases aliases = {};
  /// The run's shared read of this cart's WMS shipments (shipment_feed.h);
  /// null: the cart pulls its own pages (a directory or command WMS, tests).
  ShipmentFeed* shipment_feed = nullptr;
  /// The tz database, for earliest_order_date in the store's time zone;
  /// null: that date is taken as 00:00 UTC.
  TimeZones* zones = nullptr;
};

}  // namespace cartsync
