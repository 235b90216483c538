// The cursor role of the state store: where each of a cart's download
// streams stands ("orders", "shipments"), so the next run asks the cart only
// for what changed since.
//
// Why a role of its own, and read-only: a cursor belongs to the data it
// covers and moves only together with it, in the same transaction —
// OrderStore::RecordDownloaded moves the "orders" stream, and
// ShipmentStore::RecordShipments the "shipments" stream — so a crash can
// never leave a cursor past records that were not stored. What is left to
// share is this one read, which both download steps make; keeping it out of
// OrderStore and ShipmentStore avoids giving both the same method (and a
// diamond in StateStore). A step that downloads takes its own role and this
// one. Part of StateStore (state_store.h); each method is one transaction.
#pragma once

#include <optional>
#include <string>

#include "base/status.h"

namespace cartsync {

class CursorStore {
 public:
  virtual ~CursorStore() = default;

  /// The last cursor recorded for `cart_id`'s `stream` (a Record* call with
  /// an empty cursor leaves it alone); nullopt when none was.
  virtual Result<std::optional<std::string>> GetCursor(const std::string& cart_id,
                                                       const std::string& stream) = 0;
};

}  // namespace cartsync
