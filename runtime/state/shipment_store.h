// The shipment role of the state store: shipments the WMS reported, and the
// uploads of their tracking numbers to the cart — each bracketed by an
// intent recorded before the upload and finished after it. Shipments hang
// off orders: recording one moves its order to Shipped, uploading it to
// Confirmed. Part of StateStore (state_store.h); each method is one
// transaction.
//
// The upload step also reads the order (OrderStore::GetOrder: the cart's
// order id). Listing the intents a crash left, and dropping one whose upload
// did not happen, is the reconciliation's IntentStore (intent_store.h).
// RecordShipments moves the "shipments" cursor that CursorStore reads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace cartsync {

enum class ShipmentState { Pending, Uploaded };

struct ShipmentRecord {
  std::string order_key, tracking_number, cart_id;
  std::string shipment_json;  ///< the WMS Shipment document
  ShipmentState state = ShipmentState::Pending;
  std::string error;  ///< last upload error
  int attempts = 0;
  int64_t received_ms = 0, updated_ms = 0;
};

/// The outcome of one tracking upload (FinishAndBeginUpload).
struct UploadResult {
  int64_t intent_id = 0;
  std::string order_key, tracking_number;
  bool uploaded = false;  ///< CompleteUpload; else FailUpload with `error`
  std::string error;
};

class ShipmentStore {
 public:
  virtual ~ShipmentStore() = default;

  /// Inserts new shipments as Pending (their Sent orders become Shipped;
  /// Confirmed ones, with a second parcel, stay) and moves the cursor of
  /// `stream` to `cursor` (an empty one leaves it alone), atomically. A
  /// shipment is keyed by (order_key, tracking_number); known ones are left
  /// alone. Shipments whose order is not in this cart's orders are not
  /// inserted (there is nothing to upload them to) and not counted. Returns
  /// the number inserted. Permanent, recording nothing, when `cart_id` is
  /// empty, a shipment names another cart or has no tracking number.
  virtual Result<int> RecordShipments(const std::string& cart_id,
                                      const std::vector<ShipmentRecord>& shipments,
                                      const std::string& stream, const std::string& cursor) = 0;
  /// `cartsync state resend --tracking`: every shipment of `order_key`
  /// becomes Pending again (error cleared, attempts 0) and a Confirmed order
  /// goes back to Shipped, so the next shipment upload uploads its tracking
  /// again; one transaction. The tracking numbers requeued, sorted (none:
  /// the WMS reported no shipment of it). NotFound if the order is unknown.
  virtual Result<std::vector<std::string>> RequeueUploads(const std::string& order_key,
                                                          int64_t now_ms) = 0;
  /// The cart's Pending shipments, by received_ms, order_key, tracking_number.
  virtual Result<std::vector<ShipmentRecord>> PendingShipments(const std::string& cart_id) = 0;
  /// Every shipment of `order_key`, pending or uploaded, by received_ms and
  /// tracking_number (whether an order is shipped in full); none when unknown.
  virtual Result<std::vector<ShipmentRecord>> ShipmentsOf(const std::string& order_key) = 0;
  /// Records the intent to upload a tracking number before doing it; the
  /// intent id. NotFound when there is no such shipment; Permanent when it
  /// has an unfinished upload intent (reconcile it first).
  Result<int64_t> BeginUpload(const std::string& order_key, const std::string& tracking_number,
                              int64_t now_ms) {
    return FinishAndBeginUpload({}, order_key, tracking_number, now_ms);
  }
  /// The cart has the tracking: shipment Uploaded, order Confirmed (reason
  /// cleared), the intent dropped. `intent_id` 0 or an intent already
  /// dropped: still recorded (a late reconciliation). Permanent when the
  /// intent is not this shipment's upload; NotFound when there is no such
  /// shipment.
  Status CompleteUpload(int64_t intent_id, const std::string& order_key,
                        const std::string& tracking_number, int64_t now_ms) {
    return FinishAndBeginUpload({intent_id, order_key, tracking_number, true, ""}, "", "", now_ms)
        .status();
  }
  /// The upload failed: the shipment stays Pending with `error`, one attempt
  /// counted; the intent is dropped. Intent and NotFound rules as
  /// CompleteUpload.
  Status FailUpload(int64_t intent_id, const std::string& order_key,
                    const std::string& tracking_number, const std::string& error, int64_t now_ms) {
    return FinishAndBeginUpload({intent_id, order_key, tracking_number, false, error}, "", "",
                                now_ms)
        .status();
  }
  /// The upload step's one commit per shipment: records `done` (as
  /// CompleteUpload or FailUpload; skipped when `done.order_key` is empty)
  /// and then begins the upload of `next` (as BeginUpload; skipped when
  /// `next_order_key` is empty) in one transaction — nothing of either is
  /// recorded when one fails. Returns next's intent id (0 when skipped).
  virtual Result<int64_t> FinishAndBeginUpload(const UploadResult& done,
                                               const std::string& next_order_key,
                                               const std::string& next_tracking_number,
                                               int64_t now_ms) = 0;

 protected:
  /// FinishAndBeginUpload's name in messages: the one call it stands for,
  /// when it stands for one.
  static std::string_view UploadOp(const UploadResult& done, const std::string& next_order_key) {
    return done.order_key.empty()    ? "BeginUpload"
           : !next_order_key.empty() ? "FinishAndBeginUpload"
           : done.uploaded           ? "CompleteUpload"
                                     : "FailUpload";
  }
};

}  // namespace cartsync
