// The inventory_upload step: pulls the WMS's stock, adjusts it for orders
// the WMS had not counted yet and pushes the quantities that changed to the
// cart (the decisions are ComputeInventory's, inventory.h). The pushed
// SKUs are recorded as unknown before the push and with their quantity
// after it, so an interrupted or failed push is always repeated.
#pragma once

#include <string>
#include <vector>

#include "runtime/cart_context.h"

namespace cartsync {

/// Runs the step. SKUs the cart rejects are counted and fail the step. In
/// a dry run nothing is recorded or pushed: `preview` gets one "would set
/// SKU to N" line per change.
Status UploadInventory(CartContext& cart, StepCounts& counts, std::vector<std::string>& preview);

}  // namespace cartsync
