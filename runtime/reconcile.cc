#include "runtime/reconcile.h"

#include "runtime/shipment_upload.h"

namespace cartsync {

namespace {

// What UploadTracking does after its post (CartConnector::FinishTracking),
// for an upload whose post happened. The shipment comes from the state
// store when it is still pending there.
Status FinishTracking(CartContext& c, const Intent& in, const std::string& order_id) {
  TrackingUpload up;
  up.order_id = order_id;
  up.shipment.order_key = in.order_key;
  up.shipment.tracking_number = in.tracking_number;
  auto pending = c.store.PendingShipments(c.cart.id);
  if (!pending.ok()) return pending.status();
  for (const ShipmentRecord& rec : pending.value()) {
    if (rec.order_key != in.order_key || rec.tracking_number != in.tracking_number) continue;
    std::string error;
    if (!FromJson(rec.shipment_json, up.shipment, error))
      return Status::Permanent("stored shipment unreadable: " + error);
    break;
  }
  up.carrier_code = CarrierCode(c.cart, up.shipment.carrier);
  if (!c.connector.UsesCompletesOrder()) return c.connector.FinishTracking(up);
  if (auto order = c.store.GetOrder(in.order_key); order.ok() && order.value()) {
    auto in_full = OrderShippedInFull(c.store, *order.value(), up.shipment);
    if (!in_full.ok()) return in_full.status();
    up.completes_order = in_full.value();
  }
  return c.connector.FinishTracking(up);
}

}  // namespace

Result<int> ReconcileIntents(CartContext& c) {
  auto intents = c.store.PendingIntents(c.cart.id);
  if (!intents.ok()) return intents.status();
  int reconciled = 0;
  for (const Intent& in : intents.value()) {
    if (in.kind == IntentKind::PushOrder) {
      auto found = c.wms.FindOrder(in.order_key);
      if (!found.ok())
        return Status::Transient("reconciling order " + in.order_key + ": " +
                                 found.status().message());
      Status st = found.value()
                      ? c.store.CompleteSend(in.id, in.order_key, *found.value(), c.clock.NowMs(),
                                             c.connector.AcknowledgesOrders())
                      : c.store.DropIntent(in.id);
      if (!st.ok()) return st;
    } else {
      auto order = c.store.GetOrder(in.order_key);
      if (!order.ok()) return order.status();
      if (!order.value()) {
        c.store.DropIntent(in.id);
        continue;
      }
      auto has = c.connector.HasTracking(order.value()->order_id, in.tracking_number);
      if (!has.ok())
        return Status::Transient("reconciling tracking " + in.tracking_number + ": " +
                                 has.status().message());
      if (has.value()) {
        // The post happened; what follows it may not have (WooCommerce
        // completes the order with a second request): finish that first.
        Status finished = FinishTracking(c, in, order.value()->order_id);
        if (!finished.ok())
          return Status(finished.code(),
                        "reconciling tracking " + in.tracking_number + ": " + finished.message());
      }
      Status st = has.value() ? c.store.CompleteUpload(in.id, in.order_key, in.tracking_number,
                                                       c.clock.NowMs())
                              : c.store.DropIntent(in.id);
      if (!st.ok()) return st;
    }
    ++reconciled;
  }
  if (reconciled)
    c.log.Info(c.cart.id, "",
               "reconciled " + std::to_string(reconciled) + " unfinished side effects");
  return reconciled;
}

}  // namespace cartsync
