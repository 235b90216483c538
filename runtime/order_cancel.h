// Cancellations (wms-contract.md, "Additions (second wave)"): an order
// canceled at the cart before it was sent is never sent (state `canceled`);
// one canceled after it was sent and before it shipped is canceled at the
// WMS; a 409 "too late" is recorded on the order, reported and alerted
// (StepEvent "cancel_too_late"), and never retried.
//
// The cancel intent is durable before the WMS is called, like a send's:
// the order stays `sent` with its reason set to kCancelRequested. Every
// order_download step (and `cartsync state cancel`) cancels at the WMS the
// orders carrying it, so a crash or a transient error between the two is
// settled on the next run. Cancels are idempotent at the WMS (a second
// cancel of a canceled order answers 200), so a repeat after a crash
// cancels nothing twice. Reasons, as the state store keeps them:
//
//   sent + "cancel requested: …"   the WMS still has to be told
//   sent|shipped + "cancel_too_late: …"  the WMS had started or shipped it
//   canceled + "canceled at the cart …" / "canceled by hand …"
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "runtime/cart_context.h"
#include "runtime/state/state_store.h"
#include "runtime/wms/wms_client.h"

namespace cartsync {

/// The reason prefix of a sent order whose cancel the WMS still has to hear.
inline constexpr std::string_view kCancelRequested = "cancel requested: ";
/// The reason prefix of an order canceled too late (the note of the contract).
inline constexpr std::string_view kCancelTooLate = "cancel_too_late: ";
/// The StepEvent kind of a cancel the WMS refused (the `[[notify]]` event name).
inline constexpr const char* kCancelTooLateEvent = "cancel_too_late";

/// Whether `rec` was canceled at the cart or by hand, in any way that means
/// no tracking is uploaded for it (canceled, cancel requested, too late).
bool CanceledOrder(const OrderRecord& rec);

/// What became of one cancel.
struct CancelResult {
  enum class Kind {
    NotSent,    ///< never sent: now canceled
    AtWms,      ///< the WMS canceled it (or did not have it): now canceled
    TooLate,    ///< the WMS had started or shipped it: noted, not retried
    Requested,  ///< the cancel intent is recorded; the WMS call failed (retried)
    Already,    ///< nothing to do (canceled, or too late, before)
    Refused,    ///< shipped or confirmed here: too late, nothing sent to the WMS
  };
  Kind kind = Kind::NotSent;
  std::string message;  ///< one sentence for people (log, CLI)
  Status error;         ///< with Requested: the WMS's error
};

/// Cancels `rec` for `why` ("canceled at the cart", "canceled by hand"):
/// new/held/skipped become canceled; a sent one gets the cancel intent and
/// is canceled at the WMS; shipped/confirmed ones are Refused (the caller
/// notes them too late when the cart canceled them). A New order that
/// failed to send earlier is first looked up at the WMS (the send's outcome
/// was unknown) and, when the WMS has it, recorded as sent and canceled
/// there. An error return means the state store failed, or the WMS could
/// not be asked whether it has a new order (nothing recorded: try again).
Result<CancelResult> CancelStoredOrder(StateStore& store, WmsClient& wms, const OrderRecord& rec,
                                       const std::string& why, int64_t now_ms);

/// Calls the WMS for a sent order carrying kCancelRequested and records the
/// answer (canceled, too late, or kept for the next run on an error).
Result<CancelResult> FinishCancelAtWms(StateStore& store, WmsClient& wms, const OrderRecord& rec,
                                       int64_t now_ms);

/// The order_download step's part: the cart reports `order_key` canceled.
/// Applies CancelStoredOrder (or notes a shipped/confirmed one too late, once),
/// counts it in `counts` and adds the cancel_too_late events. An error
/// return means the state store failed (or see CancelStoredOrder).
Status NoteCanceledAtCart(CartContext& c, const std::string& order_key, StepCounts& counts);

/// Cancels at the WMS every sent order of the cart still carrying the
/// cancel intent (this run's and those an earlier run left), and notes
/// shipped ones that carry it too late. A WMS failure is counted
/// (cancel_failed) and returned as Transient after trying the others.
Status CancelRequestedAtWms(CartContext& c, StepCounts& counts);

}  // namespace cartsync
