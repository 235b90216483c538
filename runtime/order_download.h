// The order_download step: fetches the cart's orders changed since the
// cursor (re-reading an overlap) into the state store, then decides every
// New and Held order of the cart (DecideOrder, order_pipeline.h) and sends
// those to send to the WMS in batches: the intents of a batch in one
// transaction, the pushes, the results in one transaction. A crash in
// between leaves intents that reconcile.h settles.
#pragma once

#include <string>
#include <vector>

#include "runtime/cart_context.h"

namespace cartsync {

/// Runs the step. An order the WMS refuses is held; one it could not take
/// stays New, is counted as send_failed and fails the step (retried next
/// run, within the retry window). In a dry run nothing is recorded or sent:
/// the fetched orders are decided and `preview` says what would happen.
Status DownloadOrders(CartContext& cart, StepCounts& counts, std::vector<std::string>& preview);

}  // namespace cartsync
