#include "tests/support/cart_builder.h"

#include <gtest/gtest.h>

#include <cstdio>

namespace cartsync {

std::string TomlString(std::string_view text) {
  std::string s = "\"";
  for (char c : text) {
    switch (c) {
      case '"':
        s += "\\\"";
        break;
      case '\\':
        s += "\\\\";
        break;
      case '\n':
        s += "\\n";
        break;
      case '\t':
        s += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04X", static_cast<unsigned char>(c));
          s += escaped;
        } else {
          s += c;
        }
    }
  }
  return s + "\"";
}

std::string TomlStrings(const std::vector<std::string>& items) {
  std::string s = "[";
  for (size_t i = 0; i < items.size(); ++i) s += (i ? ", " : "") + TomlString(items[i]);
  return s + "]";
}

void TomlTable::Set(const std::string& key, std::string value) {
  for (auto& [k, v] : entries_) {
    if (k == key) {
      v = std::move(value);
      return;
    }
  }
  entries_.emplace_back(key, std::move(value));
}

std::string TomlTable::Body() const {
  std::string s;
  for (const auto& [k, v] : entries_) s += k + " = " + v + "\n";
  return s;
}

namespace {

// "[header]\nbody\n" when the table has entries; tables are set apart by a
// blank line.
void AppendTable(std::string& out, std::string_view header, const TomlTable& table) {
  if (table.empty()) return;
  if (!out.empty()) out += "\n";
  out += header;
  out += "\n";
  out += table.Body();
}

}  // namespace

// ---------------------------------------------------------------------------
// CartToml

CartToml& CartToml::Id(std::string_view id) {
  cart_.Set("id", TomlString(id));
  return *this;
}
CartToml& CartToml::Client(std::string_view client) {
  cart_.Set("client", TomlString(client));
  return *this;
}
CartToml& CartToml::Platform(std::string_view platform) {
  cart_.Set("platform", TomlString(platform));
  return *this;
}
CartToml& CartToml::Name(std::string_view name) {
  cart_.Set("name", TomlString(name));
  return *this;
}
CartToml& CartToml::Wms(std::string_view wms) {
  cart_.Set("wms", TomlString(wms));
  return *this;
}

CartToml& CartToml::Api(std::string_view key, std::string_view text) {
  api_.Set(std::string(key), TomlString(text));
  return *this;
}
CartToml& CartToml::ApiSecret(std::string_view key, std::string_view reference) {
  api_.Set(std::string(key), "{ secret = " + TomlString(reference) + " }");
  return *this;
}

CartToml& CartToml::Every(Service service, std::string_view every) {
  TomlTable& t = services_[static_cast<size_t>(service)];
  t.Set("enabled", "true");
  t.Set("every", TomlString(every));
  return *this;
}
CartToml& CartToml::Disabled(Service service, std::string_view every) {
  TomlTable& t = services_[static_cast<size_t>(service)];
  t.Set("enabled", "false");
  t.Set("every", TomlString(every));
  return *this;
}

CartToml& CartToml::Statuses(std::string_view dimension, const std::vector<std::string>& values) {
  statuses_.Set(std::string(dimension), TomlStrings(values));
  return *this;
}

CartToml& CartToml::EarliestOrderDate(std::string_view date) {
  order_load_.Set("earliest_order_date", std::string(date));
  return *this;
}
CartToml& CartToml::RejectUnmappedShipCodes(bool reject) {
  order_load_.Set("reject_unmapped_ship_codes", reject ? "true" : "false");
  return *this;
}
CartToml& CartToml::MinimumInventoryLevel(int64_t level) {
  order_load_.Set("minimum_inventory_level", std::to_string(level));
  return *this;
}
CartToml& CartToml::SyncInventoryWith(std::string_view warehouse) {
  order_load_.Set("sync_inventory_with", TomlString(warehouse));
  return *this;
}
CartToml& CartToml::SyncInventoryAlias(std::string_view alias) {
  order_load_.Set("sync_inventory_alias", TomlString(alias));
  return *this;
}

CartToml& CartToml::ShipMethod(std::string_view code, std::string_view target) {
  ship_methods_.Set(TomlString(code), TomlString(target));
  return *this;
}

CartToml& CartToml::Items(std::string_view filter, const std::vector<std::string>& skus) {
  items_.Set("filter", TomlString(filter));
  items_.Set("skus", TomlStrings(skus));
  return *this;
}
CartToml& CartToml::TranslateItemCode(std::string_view alias) {
  items_.Set("translate_item_code", TomlString(alias));
  return *this;
}

CartToml& CartToml::OrderFilter(std::string_view field, const std::vector<std::string>& values) {
  TomlTable& f = order_filters_.emplace_back();
  f.Set("field", TomlString(field));
  f.Set("values", TomlStrings(values));
  return *this;
}

CartToml& CartToml::CarrierCode(std::string_view wms_carrier, std::string_view cart_code) {
  carrier_codes_.Set(TomlString(wms_carrier), TomlString(cart_code));
  return *this;
}

CartToml& CartToml::Raw(std::string_view toml) {
  raw_ += toml;
  return *this;
}

std::string CartToml::Text() const {
  std::string s;
  AppendTable(s, "[cart]", cart_);
  AppendTable(s, "[api]", api_);
  for (Service service : kAllServices)
    AppendTable(s, "[services." + std::string(ServiceName(service)) + "]",
                services_[static_cast<size_t>(service)]);
  AppendTable(s, "[statuses]", statuses_);
  AppendTable(s, "[order_load]", order_load_);
  AppendTable(s, "[ship_methods]", ship_methods_);
  AppendTable(s, "[items]", items_);
  for (const TomlTable& filter : order_filters_) AppendTable(s, "[[order_filters]]", filter);
  AppendTable(s, "[carrier_codes]", carrier_codes_);
  if (!raw_.empty()) s += (s.empty() ? "" : "\n") + raw_;
  return s;
}

// ---------------------------------------------------------------------------
// ProjectToml

ProjectToml& ProjectToml::StateUrl(std::string_view url) {
  state_url_ = url;
  return *this;
}
ProjectToml& ProjectToml::WmsSystem(std::string_view system) {
  system_ = system;
  return *this;
}
ProjectToml& ProjectToml::WmsUrl(std::string_view url) {
  url_ = url;
  return *this;
}
ProjectToml& ProjectToml::WmsToken(std::string_view reference) {
  token_ = reference;
  return *this;
}
ProjectToml& ProjectToml::Warehouses(const std::vector<std::string>& warehouses) {
  warehouses_ = warehouses;
  return *this;
}
ProjectToml& ProjectToml::Carriers(const std::vector<std::string>& carriers) {
  carriers_ = carriers;
  return *this;
}
ProjectToml& ProjectToml::AliasTypes(const std::vector<std::string>& alias_types) {
  alias_types_ = alias_types;
  return *this;
}
ProjectToml& ProjectToml::Default(std::string_view dotted_key, std::string_view value) {
  defaults_.Set(std::string(dotted_key), std::string(value));
  return *this;
}

std::string ProjectToml::Text() const {
  TomlTable state, wms;
  if (!state_url_.empty()) state.Set("url", TomlString(state_url_));
  wms.Set("system", TomlString(system_));
  wms.Set("url", TomlString(url_));
  if (!token_.empty()) wms.Set("token", "{ secret = " + TomlString(token_) + " }");
  wms.Set("warehouses", TomlStrings(warehouses_));
  wms.Set("carriers", TomlStrings(carriers_));
  if (!alias_types_.empty()) wms.Set("alias_types", TomlStrings(alias_types_));
  std::string s;
  AppendTable(s, "[state]", state);
  AppendTable(s, "[wms.main]", wms);
  AppendTable(s, "[defaults]", defaults_);
  return s;
}

// ---------------------------------------------------------------------------
// Named edits

std::string Replaced(std::string text, std::string_view from, std::string_view to) {
  size_t at = text.find(from);
  if (at == std::string::npos) {
    ADD_FAILURE() << "Replaced: \"" << from << "\" is not in:\n" << text;
    return text;
  }
  return text.replace(at, from.size(), to);
}

std::string WithValue(std::string text, std::string_view key, std::string_view value) {
  for (size_t line = 0; line < text.size();) {
    size_t eol = text.find('\n', line);
    if (eol == std::string::npos) eol = text.size();
    std::string_view l(text.data() + line, eol - line);
    if (l.substr(0, key.size()) == key) {
      size_t rest = l.find_first_not_of(" \t", key.size());
      if (rest != std::string_view::npos && l[rest] == '=')
        return text.replace(line, eol - line, std::string(key) + " = " + std::string(value));
    }
    line = eol + 1;
  }
  ADD_FAILURE() << "WithValue: no line \"" << key << " = …\" in:\n" << text;
  return text;
}

}  // namespace cartsync
