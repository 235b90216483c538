// MakeWmsClient picks the transport `[wms.NAME].system` names; the readers
// here are shared by all three, so every transport reports the same messages
// for the same malformed document.
#include "runtime/wms/wms_client.h"

#include <rapidjson/error/en.h>

#include <vector>

#include "runtime/carts/connector_util.h"
#include "runtime/wms/wms_transports.h"

namespace cartsync {

Result<std::unique_ptr<WmsClient>> MakeWmsClient(const WmsConfig& config, const WmsDeps& deps) {
  if (config.system == "http") return MakeHttpWms(config, deps);
  if (config.system == "command") return MakeCommandWms(config, deps);
  if (config.system == "directory") return MakeDirectoryWms(config, deps);
  return Status::Permanent(wms_detail::FieldName(config, "system") + ": unknown WMS system \"" +
                           config.system + "\" (expected http, command or directory)");
}

namespace {

template <class T>
void KeepClientOf(const std::string& client, std::vector<T>& records) {
  if (client.empty()) return;
  std::erase_if(records, [&](const T& r) { return !r.client.empty() && r.client != client; });
}

}  // namespace

const char* WmsCancelOutcomeName(WmsCancel::Outcome outcome) {
  switch (outcome) {
    case WmsCancel::Outcome::Canceled:
      return "canceled";
    case WmsCancel::Outcome::TooLate:
      return "too late";
    case WmsCancel::Outcome::Unknown:
      return "unknown";
  }
  return "unknown";
}

void KeepClient(const std::string& client, std::vector<InventoryRecord>& records) {
  KeepClientOf(client, records);
}

void KeepClient(const std::string& client, std::vector<AliasRecord>& records) {
  KeepClientOf(client, records);
}

namespace wms_detail {

std::string FieldName(const WmsConfig& config, std::string_view field) {
  return "[wms." + config.name + "]." + std::string(field);
}

Result<int64_t> TimeoutSeconds(const WmsConfig& config, int64_t fallback) {
  auto it = config.fields.find("timeout_seconds");
  if (it == config.fields.end()) return fallback;
  if (it->second.integer < 1 || it->second.integer > 24 * 3600)
    return Status::Permanent(FieldName(config, "timeout_seconds") +
                             " must be between 1 and 86400 seconds");
  return it->second.integer;
}

std::string Excerpt(std::string_view text, size_t max) {
  return connector_util::Excerpt(text, max);
}

Result<std::shared_ptr<rapidjson::Document>> ParseObject(std::string_view text,
                                                         const std::string& context) {
  auto doc = std::make_shared<rapidjson::Document>();
  doc->Parse<rapidjson::kParseValidateEncodingFlag>(text.data(), text.size());
  if (doc->HasParseError()) {
    return Status::Permanent(
        context + ": invalid JSON at offset " + std::to_string(doc->GetErrorOffset()) + " (" +
        rapidjson::GetParseError_En(doc->GetParseError()) + "): " + Excerpt(text, 200));
  }
  if (!doc->IsObject())
    return Status::Permanent(context + ": expected a JSON object, got: " + Excerpt(text, 200));
  return doc;
}

Result<std::optional<std::string>> ReadOrderId(const rapidjson::Value& doc, bool allow_null,
                                               const std::string& context) {
  auto it = doc.FindMember("wms_order_id");
  if (it == doc.MemberEnd() || it->value.IsNull()) {
    if (allow_null) return std::optional<std::string>();
    return Status::Permanent(context + ": answer has no wms_order_id");
  }
  const rapidjson::Value& v = it->value;
  if (v.IsString() && v.GetStringLength() > 0)
    return std::optional<std::string>(std::string(v.GetString(), v.GetStringLength()));
  if (v.IsInt64()) return std::optional<std::string>(std::to_string(v.GetInt64()));
  if (v.IsUint64()) return std::optional<std::string>(std::to_string(v.GetUint64()));
  return Status::Permanent(context + ": wms_order_id must be a non-empty string");
}

Result<std::string> ReadCancelStatus(const rapidjson::Value& doc, const std::string& context) {
  auto it = doc.FindMember("status");
  if (it == doc.MemberEnd() || !it->value.IsString())
    return Status::Permanent(context + ": answer has no \"status\" string");
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

namespace {

template <class T>
bool ReadList(const rapidjson::Value& doc, const char* name,
              bool (*read)(const rapidjson::Value&, T&, std::string&), std::vector<T>& out,
              std::string& error) {
  auto it = doc.FindMember(name);
  if (it == doc.MemberEnd()) {
    error = std::string(name) + " is missing";
    return false;
  }
  if (!it->value.IsArray()) {
    error = std::string(name) + " must be an array";
    return false;
  }
  const rapidjson::Value& list = it->value;
  out.reserve(out.size() + list.Size());
  for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
    std::string at = std::string(name) + "[" + std::to_string(i) + "]";
    if (!list[i].IsObject()) {
      error = at + " must be an object";
      return false;
    }
    T item;
    std::string inner;
    if (!read(list[i], item, inner)) {
      error = at + "." + inner;
      return false;
    }
    out.push_back(std::move(item));
  }
  return true;
}

}  // namespace

bool AppendShipments(const rapidjson::Value& doc, std::vector<Shipment>& out, std::string& error) {
  return ReadList<Shipment>(doc, "shipments", &ReadShipment, out, error);
}

Result<ShipmentPage> ReadShipmentPage(const rapidjson::Value& doc, const std::string& context) {
  ShipmentPage page;
  std::string error;
  if (!AppendShipments(doc, page.shipments, error))
    return Status::Permanent(context + ": " + error);
  auto next = doc.FindMember("next");
  if (next != doc.MemberEnd() && !next->value.IsNull()) {
    if (next->value.IsString()) {
      page.next.assign(next->value.GetString(), next->value.GetStringLength());
    } else if (next->value.IsInt64()) {  // a numeric cursor is still a cursor
      page.next = std::to_string(next->value.GetInt64());
    } else {
      return Status::Permanent(context + ": next must be a string");
    }
  }
  return page;
}

Result<InventorySnapshot> ReadInventorySnapshot(const rapidjson::Value& doc,
                                                const std::string& context) {
  InventorySnapshot snapshot;
  std::string error;
  if (!ReadList<InventoryRecord>(doc, "inventory", &ReadInventory, snapshot.records, error))
    return Status::Permanent(context + ": " + error);
  auto as_of = doc.FindMember("as_of");
  if (as_of != doc.MemberEnd() && !as_of->value.IsNull()) {
    if (!as_of->value.IsString())
      return Status::Permanent(context + ": as_of must be a string (ISO 8601)");
    std::string text(as_of->value.GetString(), as_of->value.GetStringLength());
    int64_t seconds = 0;
    if (!ParseTimestamp(text, seconds))
      return Status::Permanent(context + ": as_of \"" + Excerpt(text, 60) +
                               "\" is not an ISO 8601 timestamp");
    snapshot.as_of_seconds = seconds;
  }
  return snapshot;
}

Result<std::vector<AliasRecord>> ReadAliasList(const rapidjson::Value& doc,
                                               const std::string& context) {
  std::vector<AliasRecord> aliases;
  std::string error;
  if (!ReadList<AliasRecord>(doc, "aliases", &ReadAlias, aliases, error))
    return Status::Permanent(context + ": " + error);
  return aliases;
}

}  // namespace wms_detail
}  // namespace cartsync
