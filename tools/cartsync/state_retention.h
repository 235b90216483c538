// `cartsync state resend` and `cartsync state purge`: resending an order
// (held, skipped, canceled or sent) or its tracking, and PII retention by
// hand. state_command.cc dispatches to them; they act through the state
// store's interfaces (OrderStore::ResetForResend / ErasePii,
// ShipmentStore::RequeueUploads) and read the project only to check what
// its current configuration would do.
#pragma once

#include <ostream>
#include <string>

#include "runtime/state/state_store.h"
#include "tools/cartsync/options.h"

namespace cartsync {

/// `state resend ORDER_KEY [--tracking]`: exit 0 done, 1 refused or failed
/// (said on `err`). Without --tracking the order goes back to new for the
/// next run of its cart; with the project at --project it first decides the
/// stored order against the cart's current configuration (earliest date,
/// order filters, item filter) and refuses, saying why, when it would be
/// skipped again. With --tracking its shipments' tracking is uploaded to the
/// cart again on the next shipment upload.
int StateResend(StateStore& store, const StateFlags& flags, const std::string& order_key,
                std::ostream& out, std::ostream& err);

/// `state purge [--older-than D]`: erases the personal data of the orders
/// past sending that have not changed for D (default: [state].retain_pii of
/// the project, else 60 days). Exit 0 done, 1 a store error, 2 a bad D.
int StatePurge(StateStore& store, const StateFlags& flags, std::ostream& out, std::ostream& err);

}  // namespace cartsync
