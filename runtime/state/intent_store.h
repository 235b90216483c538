// The intent role of the state store: side effects that were started and
// not recorded as finished — what reconciliation settles at the start of a
// cart's run, after a crash or a kill.
//
// Who owns intents: each kind is begun and finished by the role whose side
// effect it brackets — a push to the WMS by OrderStore (BeginSends,
// FinishSends), a tracking upload by ShipmentStore (BeginUpload,
// CompleteUpload, FailUpload) — because finishing one changes that role's
// records in the same transaction. This role holds only what works across
// both kinds: listing them, and dropping one whose side effect turned out
// not to have happened. Its one caller, reconciliation (runtime/reconcile.h),
// then finishes the others through OrderStore::CompleteSend and
// ShipmentStore::CompleteUpload. Neither download step needs it.
//
// Intent ids are shared by both kinds and never reused, so a stale id cannot
// finish another side effect. Part of StateStore (state_store.h); each
// method is one transaction.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"

namespace cartsync {

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

class IntentStore {
 public:
  virtual ~IntentStore() = default;

  /// The unfinished intents of `cart_id`, of all carts when it is empty;
  /// oldest first.
  virtual Result<std::vector<Intent>> PendingIntents(const std::string& cart_id) = 0;
  /// Drops an intent after reconciliation found the side effect did not
  /// happen; its order or shipment is left as it is. NotFound when there is
  /// no such intent.
  virtual Status DropIntent(int64_t intent_id) = 0;
};

}  // namespace cartsync
