#include "model/field.h"

#include <utility>

namespace cartsync {

namespace {
constexpr std::pair<FieldType, std::string_view> kFieldTypes[] = {
    {FieldType::String, "string"}, {FieldType::Url, "url"},
    {FieldType::Secret, "secret"}, {FieldType::Integer, "integer"},
    {FieldType::Enum, "enum"},     {FieldType::StringArray, "string_array"},
};
}  // namespace

std::string_view FieldTypeName(FieldType t) {
  for (auto& [type, name] : kFieldTypes)
    if (type == t) return name;
  return "string";
}

std::optional<FieldType> ParseFieldType(std::string_view name) {
  for (auto& [type, n] : kFieldTypes)
    if (n == name) return type;
  return std::nullopt;
}

}  // namespace cartsync
