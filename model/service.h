// The services a cart runs and what inventory quantity a platform syncs:
// vocabulary shared by descriptors, plans and the runtime.
#pragma once

#include <optional>
#include <string_view>

namespace cartsync {

/// The three services every cart may run, in execution order.
enum class Service { OrderDownload, ShipmentUpload, InventoryUpload };
inline constexpr Service kAllServices[] = {Service::OrderDownload, Service::ShipmentUpload,
                                           Service::InventoryUpload};
std::string_view ServiceName(Service s);  ///< "order_download", …
std::optional<Service> ParseService(std::string_view name);

/// Which WMS quantity a platform's stock level means (descriptor `inventory_quantity`).
enum class InventoryQuantity { Available, OnHand };
std::string_view InventoryQuantityName(InventoryQuantity q);  ///< "available" | "on_hand"

}  // namespace cartsync
