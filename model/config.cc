#include "model/config.h"

#include <cstdio>

namespace cartsync {

std::string Date::ToString() const {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year, month, day);
  return buf;
}

std::string_view ShipMatchName(ShipMatch m) {
  switch (m) {
    case ShipMatch::Exact:
      return "exact";
    case ShipMatch::Glob:
      return "glob";
    case ShipMatch::Default:
      return "default";
  }
  return "exact";
}
std::string_view ItemFilterName(ItemFilter f) {
  switch (f) {
    case ItemFilter::Disabled:
      return "disabled";
    case ItemFilter::Whitelist:
      return "whitelist";
    case ItemFilter::Blacklist:
      return "blacklist";
  }
  return "disabled";
}
std::string_view FilterLevelName(FilterLevel l) {
  return l == FilterLevel::Order ? "order" : "item";
}
std::string_view FilterMatchName(FilterMatch m) {
  switch (m) {
    case FilterMatch::Exact:
      return "exact";
    case FilterMatch::Prefix:
      return "prefix";
    case FilterMatch::Suffix:
      return "suffix";
  }
  return "exact";
}
std::string_view FilterModeName(FilterMode m) {
  return m == FilterMode::Restricted ? "restricted" : "required";
}
}  // namespace cartsync
