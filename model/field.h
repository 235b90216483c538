// One configurable field of a descriptor ([api] of a platform, [wms.NAME]
// of a transport, a WMS's cart-level [wms_fields]) and its type.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cartsync {

enum class FieldType { String, Url, Secret, Integer, Enum, StringArray };
std::string_view FieldTypeName(FieldType t);
std::optional<FieldType> ParseFieldType(std::string_view name);

/// One configurable field ([api] of a platform, [wms.NAME] of a transport,
/// or a WMS's cart-level [wms_fields]).
struct FieldSpec {
  std::string name;
  FieldType type = FieldType::String;
  bool required = false;
  std::string pattern;  ///< regex the whole value must match (in the subset RE2, ECMAScript and
                        ///< Rust regex share: compiler/pattern.h); may be empty
  std::vector<std::string> values;  ///< allowed values when type == Enum
  std::optional<std::string> default_string;
  std::optional<int64_t> default_integer;
  std::string help;
  /// A public identifier that goes with a secret (an app's client ID): its
  /// value may look like a token, so it is not warned about as one (W0303).
  bool identifier = false;
  /// Its line in the descriptor (0 for an implicit field such as base_url):
  /// `cartsync fmt` writes a table's keys in this order.
  uint32_t declared = 0;
};

}  // namespace cartsync
