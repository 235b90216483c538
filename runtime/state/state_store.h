// The state store: what the runtime knows between runs. Every method is one
// transaction, so "record intent, do the side effect, record the result"
// maps onto calls, and a crash between any two leaves a state that the next
// run reconciles. SQLite is the embedded engine (sqlite_state_store.h);
// another engine implements this same interface.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace cartsync {

/// The order lifecycle of cart-format.md.
enum class OrderStatus { New, Held, Sent, Shipped, Confirmed, Skipped, Canceled };
std::string_view OrderStatusName(OrderStatus s);
std::optional<OrderStatus> ParseOrderStatus(std::string_view name);

struct OrderRecord {
  std::string order_key;  ///< "<cart>:<order id>"
  std::string cart_id, order_id, order_number;
  OrderStatus status = OrderStatus::New;
  std::string reason;           ///< why held/skipped, or the last send error while New
  std::string wms_ref;          ///< the WMS's id once Sent
  std::string cart_order_json;  ///< CartOrder as downloaded (re-evaluated when config changes)
  std::string wms_order_json;   ///< the WmsOrder last sent or prepared
  std::string placed_at;
  int64_t first_seen_ms = 0, updated_ms = 0, sent_ms = 0;
  int attempts = 0;  ///< send attempts that failed
};

enum class ShipmentState { Pending, Uploaded };
struct ShipmentRecord {
  std::string order_key, tracking_number, cart_id;
  std::string shipment_json;  ///< the WMS Shipment document
  ShipmentState state = ShipmentState::Pending;
  std::string error;  ///< last upload error
  int attempts = 0;
  int64_t received_ms = 0, updated_ms = 0;
};

enum class IntentKind { PushOrder, UploadTracking };
/// A side effect that was started and not yet recorded as finished.
struct Intent {
  int64_t id = 0;
  IntentKind kind = IntentKind::PushOrder;
  std::string cart_id;
  std::string order_key;
  std::string tracking_number;  ///< UploadTracking only
  int64_t created_ms = 0;
  std::string doc;  ///< PushOrder: the WMS order document being sent
};

struct LeaseInfo {
  std::string cart_id, owner, host;
  int64_t pid = 0;
  int64_t expires_ms = 0;
  std::string process;  ///< the holder's ProcessTable::Self() on `host` ("" unknown)
};

struct RunRecord {
  int64_t id = 0;
  int64_t started_ms = 0, finished_ms = 0;
  std::string status;  ///< "running" | "ok" | "failed"
  std::string host;
  int64_t pid = 0;
  std::string summary_json;
};

struct StepRunRecord {
  int64_t run_id = 0;
  std::string step_id, cart_id, service;
  int64_t started_ms = 0, finished_ms = 0;
  bool ok = false;
  std::string error;
  std::string counts_json;
};

/// One order about to be pushed to the WMS (StateStore::BeginSends).
struct SendStart {
  std::string order_key;
  std::string wms_order_json;
};

/// How one push ended (StateStore::FinishSends).
struct SendFinish {
  enum class Kind {
    Sent,      ///< the WMS has it: the order is Sent, `detail` = the WMS's reference
    Failed,    ///< not delivered: stays New, one attempt counted, `detail` = the error
    Rejected,  ///< the WMS refused it: Held with `detail` as the reason, one attempt counted
  };
  int64_t intent_id = 0;
  std::string order_key;
  Kind kind = Kind::Sent;
  std::string detail;
};

struct OrderQuery {
  std::optional<std::string> cart_id;
  std::optional<OrderStatus> status;
  int limit = 1000;
  /// Keyset paging: only orders listed after this (first_seen_ms, order_key),
  /// the listing order; unset = from the first.
  std::optional<std::pair<int64_t, std::string>> after;
};

class StateStore {
 public:
  virtual ~StateStore() = default;

  // --- leases: one run per cart at a time ---
  /// Takes the cart's lease when free or expired; otherwise Locked with
  /// `holder` filled in. `take_over_from` (a run known to have died): also
  /// takes the lease while that owner still holds it — and only then, so of
  /// two runs taking over at once one wins.
  virtual Status AcquireLease(const LeaseInfo& me, int64_t now_ms, LeaseInfo* holder,
                              const std::string& take_over_from = "") = 0;
  /// Extends a lease this owner holds; Locked if it was lost.
  virtual Status RenewLease(const std::string& cart_id, const std::string& owner, int64_t expires_ms) = 0;
  virtual Status ReleaseLease(const std::string& cart_id, const std::string& owner) = 0;
  /// `cartsync state unlock`: drops the lease whoever holds it. NotFound when none.
  virtual Status ForceUnlock(const std::string& cart_id) = 0;
  virtual Result<std::vector<LeaseInfo>> Leases() = 0;

  // --- cursors ---
  virtual Result<std::optional<std::string>> GetCursor(const std::string& cart_id,
                                                       const std::string& stream) = 0;

  // --- orders ---
  /// Inserts orders not seen before as New and moves the cursor, atomically.
  /// Known orders are left alone (download windows overlap). Returns the
  /// number inserted.
  virtual Result<int> RecordDownloaded(const std::string& cart_id,
                                       const std::vector<OrderRecord>& orders,
                                       const std::string& stream, const std::string& cursor) = 0;
  virtual Result<std::optional<OrderRecord>> GetOrder(const std::string& order_key) = 0;
  virtual Result<std::vector<OrderRecord>> ListOrders(const OrderQuery& query) = 0;
  /// Sets status and reason (Held, Skipped, Canceled, or back to New), and
  /// wms_order_json unless it is empty (an empty one keeps the stored
  /// document). `count_attempt` adds one failed attempt.
  virtual Status UpdateOrder(const std::string& order_key, OrderStatus status,
                             const std::string& reason, const std::string& wms_order_json,
                             bool count_attempt, int64_t now_ms) = 0;
  /// `cartsync state resend`: back to New with reason cleared, attempts 0 and
  /// first_seen_ms = now_ms (a fresh 15-day retry window). NotFound if unknown.
  virtual Status ResetForResend(const std::string& order_key, int64_t now_ms) = 0;
  /// Records the intents to push orders (with their documents) before doing
  /// it, all in one transaction: all recorded or none. The intent ids, in
  /// the order of `sends`. The order takes the document when the send
  /// finishes (FinishSends), whatever the outcome.
  virtual Result<std::vector<int64_t>> BeginSends(const std::vector<SendStart>& sends,
                                                  int64_t now_ms) = 0;
  /// Records how pushes ended and drops their intents, in one transaction.
  virtual Status FinishSends(const std::vector<SendFinish>& finishes, int64_t now_ms) = 0;

  // One-order forms of BeginSends / FinishSends.
  Result<int64_t> BeginSend(const std::string& order_key, const std::string& wms_order_json,
                            int64_t now_ms);
  /// The WMS accepted the order: Sent with its reference; the intent is done.
  Status CompleteSend(int64_t intent_id, const std::string& order_key, const std::string& wms_ref,
                      int64_t now_ms);
  /// The push failed: the order stays New with `error`, one attempt counted.
  Status FailSend(int64_t intent_id, const std::string& order_key, const std::string& error,
                  int64_t now_ms);
  /// WMS documents of orders sent at or after `since_ms` (inventory adjustment).
  virtual Result<std::vector<std::string>> SentSince(const std::vector<std::string>& cart_ids,
                                                     int64_t since_ms) = 0;

  // --- intents ---
  virtual Result<std::vector<Intent>> PendingIntents(const std::string& cart_id) = 0;
  /// Drops an intent after reconciliation found the side effect did not happen.
  virtual Status DropIntent(int64_t intent_id) = 0;

  // --- shipments ---
  /// Inserts new shipments as Pending (orders become Shipped) and moves the
  /// cursor, atomically. Returns the number inserted.
  virtual Result<int> RecordShipments(const std::string& cart_id,
                                      const std::vector<ShipmentRecord>& shipments,
                                      const std::string& stream, const std::string& cursor) = 0;
  virtual Result<std::vector<ShipmentRecord>> PendingShipments(const std::string& cart_id) = 0;
  virtual Result<int64_t> BeginUpload(const std::string& order_key,
                                      const std::string& tracking_number, int64_t now_ms) = 0;
  /// The cart has the tracking: shipment Uploaded, order Confirmed.
  virtual Status CompleteUpload(int64_t intent_id, const std::string& order_key,
                                const std::string& tracking_number, int64_t now_ms) = 0;
  virtual Status FailUpload(int64_t intent_id, const std::string& order_key,
                            const std::string& tracking_number, const std::string& error,
                            int64_t now_ms) = 0;

  // --- inventory ---
  /// SKU -> the quantity last pushed to the cart.
  virtual Result<std::map<std::string, int64_t>> PushedInventory(const std::string& cart_id) = 0;
  virtual Status RecordPushedInventory(const std::string& cart_id,
                                       const std::vector<std::pair<std::string, int64_t>>& pushed,
                                       int64_t now_ms) = 0;

  // --- runs ---
  virtual Result<int64_t> BeginRun(const RunRecord& run) = 0;
  virtual Status FinishRun(int64_t run_id, const std::string& status, int64_t finished_ms,
                           const std::string& summary_json) = 0;
  virtual Status RecordStepRun(const StepRunRecord& step) = 0;
  /// When `step_id` last finished successfully (for --due).
  virtual Result<std::optional<int64_t>> LastSuccessMs(const std::string& step_id) = 0;
  virtual Result<std::vector<RunRecord>> Runs(int limit) = 0;
  virtual Result<std::vector<StepRunRecord>> StepRuns(int64_t run_id) = 0;
};

/// Opens the store a `[state].url` names: "sqlite:PATH" (relative to
/// `base_dir`). Creates the file and its directory, migrates the schema;
/// with `create` false, a missing database is NotFound (inspecting state
/// never creates it).
Result<std::unique_ptr<StateStore>> OpenStateStore(const std::string& url,
                                                   const std::string& base_dir,
                                                   bool create = true);

}  // namespace cartsync
