// The shipment_upload step: pulls the WMS's new shipments of the cart into
// the state store, then uploads every pending tracking number to the cart,
// each bracketed by an intent (begun before the post, finished after it —
// in the transaction that begins the next: FinishAndBeginUpload), so a
// crash in between is settled by reconcile.h.
#pragma once

#include <string>
#include <vector>

#include "runtime/cart_context.h"

namespace cartsync {

/// Runs the step. A failed upload is counted and retried next run; the step
/// then fails with the first such error. In a dry run nothing is recorded
/// or posted: `preview` gets one "would upload tracking …" line per
/// shipment pulled whose order is not confirmed yet.
Status UploadShipments(CartContext& cart, StepCounts& counts, std::vector<std::string>& preview);

/// Whether `shipments` together ship every line of `sent` (the lines the WMS
/// was sent), matched by line_key (by SKU for a line without one). A
/// shipment without lines ships the whole order; no lines sent: true.
bool ShipsOrderInFull(const std::vector<OrderLine>& sent, const std::vector<Shipment>& shipments);

/// ShipsOrderInFull for `order` (its stored WMS document) with every shipment
/// the state store has of it plus `current` (not recorded yet, or not yet
/// read back); true when the document is unreadable (as before partial
/// shipments were told apart).
Result<bool> OrderShippedInFull(ShipmentStore& store, const OrderRecord& order,
                                const Shipment& current);

/// The cart's code for a WMS carrier ([carrier_codes]; unmapped carriers
/// pass through as they are).
std::string CarrierCode(const CartConfig& cart, const std::string& wms_carrier);

}  // namespace cartsync
