// The order role of the state store: orders downloaded from a cart, their
// lifecycle (cart-format.md), and the pushes to the WMS that move them —
// each bracketed by an intent recorded before the push and finished after
// it (BeginSends / FinishSends). Part of StateStore (state_store.h); each
// method is one transaction.
//
// A push intent is begun and finished here; listing the intents a crash
// left behind, and dropping one whose push did not happen, is the
// reconciliation's IntentStore (intent_store.h). RecordDownloaded moves the
// "orders" cursor that CursorStore reads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace cartsync {

/// The order lifecycle of cart-format.md.
enum class OrderStatus { New, Held, Sent, Shipped, Confirmed, Skipped, Canceled };
/// "new", "held", "sent", "shipped", "confirmed", "skipped", "canceled".
std::string_view OrderStatusName(OrderStatus s);
/// The status OrderStatusName gives `name` (exactly, lower case); nullopt otherwise.
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
  /// The cart must still be told the WMS accepted the order
  /// (CartConnector::AcknowledgeOrder; Walmart). Set with the send, cleared
  /// by FinishAck.
  bool ack_pending = false;
  /// When PII retention erased its personal data (ErasePii); 0: not erased.
  int64_t pii_erased_ms = 0;
};

/// One order about to be pushed to the WMS (OrderStore::BeginSends).
struct SendStart {
  std::string order_key;
  std::string wms_order_json;
};

/// How one push ended (OrderStore::FinishSends).
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
  /// With Sent: the cart's acknowledgement becomes pending in the same
  /// transaction (the platform wants one: CartConnector::AcknowledgesOrders).
  bool cart_ack = false;
};

struct OrderQuery {
  std::optional<std::string> cart_id;
  std::optional<OrderStatus> status;
  int limit = 1000;  ///< <= 0: no limit
  /// Keyset paging: only orders listed after this (first_seen_ms, order_key),
  /// the listing order; unset = from the first.
  std::optional<std::pair<int64_t, std::string>> after;
};

class OrderStore {
 public:
  virtual ~OrderStore() = default;

  /// Inserts orders not seen before as New and moves the cursor of `stream`
  /// to `cursor` (an empty one leaves it alone), atomically. Known orders are
  /// left alone, however they differ (download windows overlap). Of each
  /// record only the key, ids, number, documents, placed_at, first_seen_ms
  /// and updated_ms (0: first_seen_ms) are taken; status, reason and counts
  /// start afresh. Returns the number inserted. Permanent, recording
  /// nothing, when `cart_id` is empty, an order names another cart or has no
  /// key.
  virtual Result<int> RecordDownloaded(const std::string& cart_id,
                                       const std::vector<OrderRecord>& orders,
                                       const std::string& stream, const std::string& cursor) = 0;
  /// nullopt when the order is unknown.
  virtual Result<std::optional<OrderRecord>> GetOrder(const std::string& order_key) = 0;
  /// Ordered by first_seen_ms, then order_key.
  virtual Result<std::vector<OrderRecord>> ListOrders(const OrderQuery& query) = 0;
  /// Sets status and reason (Held, Skipped, Canceled, or back to New; a
  /// Sent/Shipped/Confirmed order may keep its status with a new reason:
  /// the cancel notes of order_cancel.h; wms_ref and sent_ms stay), and
  /// wms_order_json unless it is empty (an empty one keeps the stored
  /// document). `count_attempt` adds one failed attempt. NotFound if unknown.
  virtual Status UpdateOrder(const std::string& order_key, OrderStatus status,
                             const std::string& reason, const std::string& wms_order_json,
                             bool count_attempt, int64_t now_ms) = 0;
  /// `cartsync state resend`: back to New with reason cleared, attempts 0 and
  /// first_seen_ms = now_ms (a fresh 15-day retry window), from any status
  /// (the command decides which it resends: held, skipped, canceled, sent).
  /// Keeps wms_ref and sent_ms of an earlier send (history); the order
  /// leaves SentSince because its status is New. NotFound if unknown.
  virtual Status ResetForResend(const std::string& order_key, int64_t now_ms) = 0;
  /// PII retention (`[state] retain_pii`, `cartsync state purge`): erases
  /// names, addresses, phones and e-mails (pii.h) from the documents and
  /// the reason of at most `limit` (> 0) orders that were not erased yet,
  /// are past sending — sent, shipped, confirmed, skipped or canceled, with
  /// no unfinished push — and last changed (updated_ms) before `before_ms`;
  /// sets their pii_erased_ms to `now_ms` (updated_ms stays). New and held
  /// orders keep their documents: the WMS still needs the address. Keys,
  /// ids, numbers, statuses, references, lines and totals stay. One
  /// transaction; the number erased (fewer than `limit`: none are left).
  virtual Result<int> ErasePii(int64_t before_ms, int limit, int64_t now_ms) = 0;
  /// Records the intents to push orders (with their documents) before doing
  /// it, all in one transaction: all recorded or none. The intent ids, in
  /// the order of `sends`; ids are never reused. The order takes the
  /// document when the send finishes (FinishSends), whatever the outcome.
  /// NotFound when an order is unknown; Permanent when an order already has
  /// an unfinished push intent (reconcile it first: a second push could
  /// duplicate the order) or is named twice.
  Result<std::vector<int64_t>> BeginSends(const std::vector<SendStart>& sends, int64_t now_ms) {
    return FinishAndBeginSends({}, sends, now_ms);
  }
  /// Records how pushes ended and drops their intents, in one transaction:
  /// all or none. Each order takes the document its intent carries; with
  /// `intent_id` 0 or an intent already dropped (a late reconciliation) the
  /// result is still recorded and the stored document stays. A Sent result
  /// never moves a Shipped or Confirmed order back (status and sent_ms
  /// stay). Permanent when an intent is not this order's push; NotFound
  /// when an order is unknown.
  Status FinishSends(const std::vector<SendFinish>& finishes, int64_t now_ms) {
    return FinishAndBeginSends(finishes, {}, now_ms).status();
  }
  /// FinishSends(finishes) then BeginSends(starts) in one transaction (one
  /// commit for a batch's results and the next batch's intents): all or
  /// none, with the errors of both. Either may be empty.
  virtual Result<std::vector<int64_t>> FinishAndBeginSends(const std::vector<SendFinish>& finishes,
                                                           const std::vector<SendStart>& starts,
                                                           int64_t now_ms) = 0;

  /// Orders of `cart_id` whose acknowledgement to the cart is pending, in
  /// listing order (first_seen_ms, order_key), at most `limit` (> 0).
  virtual Result<std::vector<OrderRecord>> PendingAcks(const std::string& cart_id, int limit) = 0;
  /// The cart has the acknowledgement: clears ack_pending. NotFound if the
  /// order is unknown; a no-op when nothing is pending.
  virtual Status FinishAck(const std::string& order_key, int64_t now_ms) = 0;

  // One-order forms of BeginSends / FinishSends.
  Result<int64_t> BeginSend(const std::string& order_key, const std::string& wms_order_json,
                            int64_t now_ms) {
    auto ids = BeginSends({SendStart{order_key, wms_order_json}}, now_ms);
    if (!ids.ok()) return ids.status();
    return ids.value().front();
  }
  /// The WMS accepted the order: Sent with its reference; the intent is done.
  /// With `cart_ack`, the cart's acknowledgement becomes pending.
  Status CompleteSend(int64_t intent_id, const std::string& order_key, const std::string& wms_ref,
                      int64_t now_ms, bool cart_ack = false) {
    return FinishSends(
        {SendFinish{intent_id, order_key, SendFinish::Kind::Sent, wms_ref, cart_ack}}, now_ms);
  }
  /// The push failed: the order stays New with `error`, one attempt counted.
  Status FailSend(int64_t intent_id, const std::string& order_key, const std::string& error,
                  int64_t now_ms) {
    return FinishSends({SendFinish{intent_id, order_key, SendFinish::Kind::Failed, error}}, now_ms);
  }

 protected:
  /// FinishAndBeginSends' name in messages: the one call it stands for,
  /// when it stands for one.
  static std::string_view SendsOp(const std::vector<SendFinish>& finishes,
                                  const std::vector<SendStart>& starts) {
    return finishes.empty() ? "BeginSend" : starts.empty() ? "FinishSends" : "FinishAndBeginSends";
  }
};

}  // namespace cartsync
