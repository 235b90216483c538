#include "model/service.h"

namespace cartsync {

std::string_view ServiceName(Service s) {
  switch (s) {
    case Service::OrderDownload:
      return "order_download";
    case Service::ShipmentUpload:
      return "shipment_upload";
    case Service::InventoryUpload:
      return "inventory_upload";
  }
  return "";
}

std::optional<Service> ParseService(std::string_view name) {
  for (Service s : kAllServices)
    if (ServiceName(s) == name) return s;
  return std::nullopt;
}

std::string_view InventoryQuantityName(InventoryQuantity q) {
  return q == InventoryQuantity::OnHand ? "on_hand" : "available";
}

}  // namespace cartsync
