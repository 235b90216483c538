#include "runtime/shipment_upload.h"

#include <algorithm>
#include <map>

#include "runtime/order_cancel.h"
#include "runtime/shipment_feed.h"

namespace cartsync {

namespace {

constexpr const char* kShipmentsStream = "shipments";
constexpr int kMaxShipmentPages = 10'000;  // a bound, so a looping cursor cannot spin forever
constexpr size_t kRecordBatch = 500;       // shipments recorded per transaction

// Each upload is bracketed by an intent; the outcome of one is recorded in
// the transaction that begins the next (FinishAndBeginUpload), so the step
// commits once per shipment. A crash in between leaves the intent, which
// the next run's reconciliation settles by asking the cart.
class UploadRecorder {
 public:
  explicit UploadRecorder(CartContext& c) : c_(c) {}
  /// Records the last outcome (if any) and begins the upload of `rec`.
  Result<int64_t> Begin(const ShipmentRecord& rec) {
    auto id =
        c_.store.FinishAndBeginUpload(last_, rec.order_key, rec.tracking_number, c_.clock.NowMs());
    if (!id.ok()) {
      // The begin refused: the last outcome is still recorded, alone.
      Status kept = Flush();
      if (!kept.ok()) return kept;
    }
    last_ = {};
    return id;
  }
  void Done(int64_t intent_id, const ShipmentRecord& rec, const Status& st) {
    last_ = {intent_id, rec.order_key, rec.tracking_number, st.ok(), st.ok() ? "" : st.message()};
  }
  Status Flush() {
    if (last_.order_key.empty()) return Status::Ok();
    auto done = c_.store.FinishAndBeginUpload(last_, "", "", c_.clock.NowMs());
    last_ = {};
    return done.status();
  }

 private:
  CartContext& c_;
  UploadResult last_;
};

Status UploadEach(CartContext& c, StepCounts& counts, UploadRecorder& recorder,
                  Status& first_error) {
  auto pending = c.store.PendingShipments(c.cart.id);
  if (!pending.ok()) return pending.status();
  for (const ShipmentRecord& rec : pending.value()) {
    auto order = c.store.GetOrder(rec.order_key);
    if (!order.ok()) return order.status();
    if (!order.value()) continue;  // not an order this cartsync sent
    // Canceled at the cart (order_cancel.h): the cart gets no tracking; the
    // shipment stays pending (a too-late cancel is the run's alert).
    if (CanceledOrder(*order.value())) continue;
    TrackingUpload up;
    std::string error;
    if (!FromJson(rec.shipment_json, up.shipment, error))
      return Status::Permanent("stored shipment unreadable: " + error);
    up.order_id = order.value()->order_id;
    up.carrier_code = CarrierCode(c.cart, up.shipment.carrier);
    if (c.connector.UsesCompletesOrder()) {
      auto in_full = OrderShippedInFull(c.store, *order.value(), up.shipment);
      if (!in_full.ok()) return in_full.status();
      up.completes_order = in_full.value();
    }
    auto intent = recorder.Begin(rec);
    if (!intent.ok()) return intent.status();
    Status st = c.connector.UploadTracking(up);
    recorder.Done(intent.value(), rec, st);
    // One shipment, then the other carts' turn: a cart that ran through its
    // whole rate-limit bucket at once would keep the others waiting with
    // full buckets, and a full bucket wastes its refill (many carts, few
    // threads: issue 15).
    c.clock.Yield();
    if (st.ok()) {
      ++counts.tracking_uploaded;
    } else {
      ++counts.tracking_failed;
      if (first_error.ok())
        first_error = Status(st.code(), "tracking " + rec.tracking_number + " for " +
                                            rec.order_key + ": " + st.message());
    }
  }
  return Status::Ok();
}

Status UploadPendingShipments(CartContext& c, StepCounts& counts) {
  UploadRecorder recorder(c);
  Status first_error;
  Status st = UploadEach(c, counts, recorder, first_error);
  Status recorded = recorder.Flush();
  if (!st.ok()) return st;
  if (!recorded.ok()) return recorded;
  if (!first_error.ok())
    return Status(first_error.code(), std::to_string(counts.tracking_failed) +
                                          " tracking uploads failed (retried next run); first: " +
                                          first_error.message());
  return Status::Ok();
}

}  // namespace

bool ShipsOrderInFull(const std::vector<OrderLine>& sent, const std::vector<Shipment>& shipments) {
  std::map<std::string, int64_t> shipped;  // by "k:" line_key or "s:" SKU
  for (const Shipment& s : shipments) {
    if (s.lines.empty()) return true;  // the whole order
    for (const ShipmentLine& l : s.lines)
      shipped[l.line_key.empty() ? "s:" + l.sku : "k:" + l.line_key] += l.quantity;
  }
  for (const OrderLine& l : sent) {
    if (l.quantity <= 0) continue;
    auto by_key = l.line_key.empty() ? shipped.end() : shipped.find("k:" + l.line_key);
    auto by_sku = shipped.find("s:" + l.sku);
    int64_t n = (by_key == shipped.end() ? 0 : by_key->second) +
                (by_sku == shipped.end() ? 0 : by_sku->second);
    if (n < l.quantity) return false;
  }
  return true;
}

Result<bool> OrderShippedInFull(ShipmentStore& store, const OrderRecord& order,
                                const Shipment& current) {
  WmsOrder sent;
  std::string error;
  if (order.wms_order_json.empty() || !FromJson(order.wms_order_json, sent, error)) return true;
  auto recorded = store.ShipmentsOf(order.order_key);
  if (!recorded.ok()) return recorded.status();
  std::vector<Shipment> shipments{current};
  for (const ShipmentRecord& rec : recorded.value()) {
    if (rec.tracking_number == current.tracking_number) continue;
    Shipment s;
    if (FromJson(rec.shipment_json, s, error)) shipments.push_back(std::move(s));
  }
  return ShipsOrderInFull(sent.lines, shipments);
}

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
  // The cart's shipments are recorded together with the cursor after them,
  // in batches: a page listing none of them (other carts' shipments, on a
  // WMS many carts share) only moves the cursor, which is written with the
  // next batch or once at the end — not one transaction per page per cart.
  std::string recorded = since;  // the cursor the store holds
  std::vector<ShipmentRecord> batch;
  auto flush = [&](const std::string& at) -> Status {
    if (c.dry_run) {
      for (ShipmentRecord& rec : batch) pulled_dry.push_back(std::move(rec));
      batch.clear();
      return Status::Ok();
    }
    if (batch.empty() && at == recorded) return Status::Ok();
    auto inserted =
        c.store.RecordShipments(c.cart.id, batch, kShipmentsStream, at != recorded ? at : "");
    if (!inserted.ok()) return inserted.status();
    counts.shipments += inserted.value();
    recorded = at;
    batch.clear();
    return Status::Ok();
  };
  for (int page = 0; page < kMaxShipmentPages; ++page) {
    auto pulled = c.shipment_feed != nullptr ? c.shipment_feed->Pull(c.wms, c.cart.id, since)
                                             : c.wms.PullShipments(since);
    if (!pulled.ok()) {
      Status kept = flush(since);  // what the pages before this one brought stays recorded
      if (!kept.ok()) return kept;
      return Status(pulled.status().code(), "pulling shipments: " + pulled.status().message());
    }
    for (const Shipment& s : pulled->shipments) {
      if (s.order_key.rfind(prefix, 0) != 0) continue;  // another cart's
      ShipmentRecord rec;
      rec.order_key = s.order_key;
      rec.tracking_number = s.tracking_number;
      rec.cart_id = c.cart.id;
      rec.shipment_json = ToJson(s);
      rec.received_ms = rec.updated_ms = c.clock.NowMs();
      batch.push_back(std::move(rec));
    }
    std::string next = pulled->next.empty() ? since : pulled->next;
    const size_t listed = std::max(pulled->listed, pulled->shipments.size());
    if (batch.size() >= kRecordBatch) {
      Status st = flush(next);
      if (!st.ok()) return st;
    }
    const bool last = listed == 0 || next == since;
    since = std::move(next);
    if (last) break;
  }
  if (Status st = flush(since); !st.ok()) return st;
  if (c.dry_run) {
    for (const ShipmentRecord& rec : pulled_dry) {
      auto order = c.store.GetOrder(rec.order_key);
      if (order.ok() && order.value() && order.value()->status == OrderStatus::Confirmed) continue;
      if (order.ok() && order.value() && CanceledOrder(*order.value())) continue;
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
