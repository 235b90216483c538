// Crash recovery at cart start: settles the side effects a crashed (or
// killed) run started but did not record, before anything new is done.
// For each pending intent it asks the side that would have changed — the
// WMS for a pushed order, the cart for a tracking number — and records the
// push or upload when it happened, or drops the intent when it did not.
#pragma once

#include "runtime/cart_context.h"

namespace cartsync {

/// Settles every pending intent of the cart; the number settled (also
/// logged when not zero). Stops at the first error: a lookup that failed
/// (Transient, the intent stays for the next run) or the state store's.
Result<int> ReconcileIntents(CartContext& cart);

}  // namespace cartsync
