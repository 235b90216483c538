// The shipment_upload step: pulls the WMS's new shipments of the cart into
// the state store, then uploads every pending tracking number to the cart,
// each bracketed by an intent (BeginUpload before the post, CompleteUpload
// or FailUpload after), so a crash in between is settled by reconcile.h.
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

/// The cart's code for a WMS carrier ([carrier_codes]; unmapped carriers
/// pass through as they are).
std::string CarrierCode(const CartConfig& cart, const std::string& wms_carrier);

}  // namespace cartsync
