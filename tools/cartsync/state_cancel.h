// `cartsync state cancel ORDER_KEY` (the seed product's "cancel sending"):
// an order not sent yet is canceled and never sent; a sent one that has not
// shipped is canceled at the WMS through the project's WMS transport
// (runtime/order_cancel.h does both, as the runtime does for an order
// canceled at the cart); a shipped or confirmed one is refused.
#pragma once

#include <ostream>
#include <string>

#include "runtime/state/state_store.h"
#include "tools/cartsync/options.h"

namespace cartsync {

/// Exit 0 canceled (or canceled already), 1 refused, too late, or failed
/// (said on `err`; a failed WMS call leaves the cancel recorded for the
/// next run of the cart). The WMS is opened from the project at --project
/// only when the order may be at the WMS.
int StateCancel(StateStore& store, const StateFlags& flags, const std::string& order_key,
                std::ostream& out, std::ostream& err);

}  // namespace cartsync
