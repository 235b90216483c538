#include "runtime/shipment_upload.h"

namespace cartsync {

namespace {

constexpr const char* kShipmentsStream = "shipments";
constexpr int kMaxShipmentPages = 10'000;  // a bound, so a looping cursor cannot spin forever

Status UploadPendingShipments(CartContext& c, StepCounts& counts) {
  auto pending = c.store.PendingShipments(c.cart.id);
  if (!pending.ok()) return pending.status();
  Status first_error;
  for (const ShipmentRecord& rec : pending.value()) {
    auto order = c.store.GetOrder(rec.order_key);
    if (!order.ok()) return order.status();
    if (!order.value()) continue;  // not an order this cartsync sent
    TrackingUpload up;
    std::string error;
    if (!FromJson(rec.shipment_json, up.shipment, error))
      return Status::Permanent("stored shipment unreadable: " + error);
    up.order_id = order.value()->order_id;
    up.carrier_code = CarrierCode(c.cart, up.shipment.carrier);
    auto intent = c.store.BeginUpload(rec.order_key, rec.tracking_number, c.clock.NowMs());
    if (!intent.ok()) return intent.status();
    Status st = c.connector.UploadTracking(up);
    Status recorded = st.ok()
                          ? c.store.CompleteUpload(intent.value(), rec.order_key,
                                                   rec.tracking_number, c.clock.NowMs())
                          : c.store.FailUpload(intent.value(), rec.order_key, rec.tracking_number,
                                               st.message(), c.clock.NowMs());
    if (!recorded.ok()) return recorded;
    if (st.ok()) {
      ++counts.tracking_uploaded;
    } else {
      ++counts.tracking_failed;
      if (first_error.ok())
        first_error = Status(st.code(), "tracking " + rec.tracking_number + " for " +
                                            rec.order_key + ": " + st.message());
    }
  }
  if (!first_error.ok())
    return Status(first_error.code(), std::to_string(counts.tracking_failed) +
                                          " tracking uploads failed (retried next run); first: " +
                                          first_error.message());
  return Status::Ok();
}

}  // namespace

std::string CarrierCode(const CartConfig& cart, const std::string& wms_carrier) {
  auto it = cart.carrier_codes.find(wms_carrier);
  return it == cart.carrier_codes.end() ? wms_carrier : it->second;
}

Status UploadShipments(CartContext& c, StepCounts& counts, std::vector<std::string>& preview) {
  auto cursor = c.store.GetCursor(c.cart.id, kShipmentsStream);
  if (!cursor.ok()) return cursor.status();
  std::string since = cursor.value().value_or("");
  std::string prefix = c.cart.id + ":";
  std::vector<ShipmentRecord> pulled_dry;  // the dry run records nothing: what it pulled
  for (int page = 0; page < kMaxShipmentPages; ++page) {
    auto pulled = c.wms.PullShipments(since);
    if (!pulled.ok())
      return Status(pulled.status().code(), "pulling shipments: " + pulled.status().message());
    std::vector<ShipmentRecord> mine;
    for (const Shipment& s : pulled->shipments) {
      if (s.order_key.rfind(prefix, 0) != 0) continue;  // another cart's
      ShipmentRecord rec;
      rec.order_key = s.order_key;
      rec.tracking_number = s.tracking_number;
      rec.cart_id = c.cart.id;
      rec.shipment_json = ToJson(s);
      rec.received_ms = rec.updated_ms = c.clock.NowMs();
      mine.push_back(std::move(rec));
    }
    std::string next = pulled->next.empty() ? since : pulled->next;
    if (c.dry_run) {
      for (ShipmentRecord& rec : mine) pulled_dry.push_back(std::move(rec));
    } else {
      auto inserted =
          c.store.RecordShipments(c.cart.id, mine, kShipmentsStream, next != since ? next : "");
      if (!inserted.ok()) return inserted.status();
      counts.shipments += inserted.value();
    }
    if (pulled->shipments.empty() || next == since) break;
    since = next;
  }
  if (c.dry_run) {
    for (const ShipmentRecord& rec : pulled_dry) {
      auto order = c.store.GetOrder(rec.order_key);
      if (order.ok() && order.value() && order.value()->status == OrderStatus::Confirmed) continue;
      Shipment s;
      std::string error;
      FromJson(rec.shipment_json, s, error);
      ++counts.tracking_uploaded;
      preview.push_back("would upload tracking " + s.tracking_number + " (" +
                        CarrierCode(c.cart, s.carrier) + ") to order " + rec.order_key);
    }
    return Status::Ok();
  }
  return UploadPendingShipments(c, counts);
}

}  // namespace cartsync
