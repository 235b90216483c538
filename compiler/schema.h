// The schema: platform and WMS descriptors, loaded from data (schema/*.toml,
// embedded at build time or read from --schema DIR). Adding a platform is a
// new descriptor file, never a compiler change.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/diagnostic.h"
#include "model/field.h"
#include "model/service.h"

namespace cartsync {

/// A status dimension of a platform, e.g. Shopify's financial_status.
struct StatusDimension {
  std::string name;
  std::vector<std::string> allowed;
  std::vector<std::string> defaults;
  std::string help;
  uint32_t declared = 0;  ///< its line in the descriptor: `fmt` writes dimensions in this order
};

/// One way to authenticate (descriptor `[[credentials]]`): fields that go
/// together. When a platform declares forms, a cart sets exactly one of them
/// completely (compiler/credential_rules.h).
struct CredentialForm {
  std::string name;                 ///< e.g. "a legacy custom app's token"
  std::vector<std::string> fields;  ///< [api] field names, none required
};

struct PlatformDescriptor {
  std::string id;
  std::string name;
  InventoryQuantity inventory_quantity = InventoryQuantity::Available;
  std::vector<Service> services;
  std::string base_url_help;
  std::vector<FieldSpec> api;  ///< sorted by name; always includes "base_url"
  std::vector<StatusDimension> statuses;
  std::vector<CredentialForm> credentials;  ///< empty: no credential rule

  const FieldSpec* FindField(std::string_view name) const;
  const StatusDimension* FindStatus(std::string_view name) const;
  bool Supports(Service s) const;
};

struct WmsDescriptor {
  std::string id;  ///< value of [wms.NAME].system
  std::string name;
  std::string help;
  std::vector<FieldSpec> fields;  ///< transport-specific fields, sorted by name
  const FieldSpec* FindField(std::string_view name) const;
};

/// Every descriptor, keyed by id.
struct Schema {
  std::map<std::string, PlatformDescriptor, std::less<>> platforms;
  std::map<std::string, WmsDescriptor, std::less<>> wms_systems;
  std::vector<std::string> order_fields;  ///< fields of the normalized order document

  const PlatformDescriptor* FindPlatform(std::string_view id) const;
  const WmsDescriptor* FindWms(std::string_view id) const;
};

/// A file compiled into the binary by cmake/embed_schema.cmake.
struct EmbeddedFile {
  const char* path;  ///< relative to schema/, e.g. "platforms/shopify.toml"
  const char* content;
};
const std::vector<EmbeddedFile>& EmbeddedSchemaFiles();

/// Loads descriptors from (relative path, text) pairs: platforms/*.toml,
/// wms/*.toml and order_document.toml. Malformed descriptors are reported
/// as E0703 with their location, the file shown as `display_dir`/path.
bool LoadSchema(const std::vector<std::pair<std::string, std::string>>& files, Schema& out,
                DiagnosticEngine& diags, const std::string& display_dir = "");
/// The descriptors built into the binary.
const Schema& BuiltinSchema();
/// Reads every *.toml below `dir` and loads it.
bool LoadSchemaDir(const std::string& dir, Schema& out, DiagnosticEngine& diags);

}  // namespace cartsync
