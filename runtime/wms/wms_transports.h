// Private to the WMS client: the three transports' constructors (called by
// MakeWmsClient) and the response readers they share.
#pragma once

#include <rapidjson/document.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/wms/wms_client.h"

namespace cartsync {

/// Each validates its fields and returns Permanent naming `[wms.NAME].field`
/// when one is missing or invalid.
Result<std::unique_ptr<WmsClient>> MakeHttpWms(const WmsConfig& config, const WmsDeps& deps);
Result<std::unique_ptr<WmsClient>> MakeCommandWms(const WmsConfig& config, const WmsDeps& deps);
Result<std::unique_ptr<WmsClient>> MakeDirectoryWms(const WmsConfig& config, const WmsDeps& deps);

namespace wms_detail {

/// `[wms.NAME].field`, for messages.
std::string FieldName(const WmsConfig& config, std::string_view field);

/// fields["timeout_seconds"] (or `fallback` when absent); Permanent when < 1.
Result<int64_t> TimeoutSeconds(const WmsConfig& config, int64_t fallback);

/// Parses a whole response as a JSON object; errors start with `context`
/// ("WMS GET /inventory") and are Permanent.
Result<std::shared_ptr<rapidjson::Document>> ParseObject(std::string_view text,
                                                         const std::string& context);

/// {"wms_order_id": "…"} (an integer id is accepted and written in decimal).
/// With `allow_null`, null or a missing key is nullopt; otherwise an error.
Result<std::optional<std::string>> ReadOrderId(const rapidjson::Value& doc, bool allow_null,
                                               const std::string& context);

/// {"status": "…"} of a cancel answer (or a find_order/directory record).
Result<std::string> ReadCancelStatus(const rapidjson::Value& doc, const std::string& context);

/// {"shipments": […], "next": CURSOR|null}; a missing/null next is "".
Result<ShipmentPage> ReadShipmentPage(const rapidjson::Value& doc, const std::string& context);
/// {"inventory": […], "as_of": ISO 8601|null}.
Result<InventorySnapshot> ReadInventorySnapshot(const rapidjson::Value& doc,
                                                const std::string& context);
/// {"aliases": […]}.
Result<std::vector<AliasRecord>> ReadAliasList(const rapidjson::Value& doc,
                                               const std::string& context);

/// At most `max` bytes of `text` for an error message: control characters as
/// spaces, cut at a UTF-8 boundary, "…" when cut.
std::string Excerpt(std::string_view text, size_t max);

/// Appends the shipments of `doc["shipments"]` (a required array) to `out`;
/// errors name the element: "shipments[3].tracking_number must be a string".
bool AppendShipments(const rapidjson::Value& doc, std::vector<Shipment>& out, std::string& error);

}  // namespace wms_detail
}  // namespace cartsync
