// JSON forms of the documents (wms-contract.md). Writers emit every key in a
// fixed order (so the same document always gives the same bytes); readers
// accept missing optional keys and null as "empty", ignore unknown keys (a WMS
// may send more than the contract), and name the failing field with its path:
// "lines[2].quantity must be an integer".
#include "runtime/documents.h"

#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cmath>
#include <limits>
#include <utility>

namespace cartsync {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void Key(Writer& w, const char* key) { w.Key(key); }

/// Length of the well-formed UTF-8 sequence at `s[i]` (no overlongs, no
/// surrogates, at most U+10FFFF), 0 when it is not one.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  if (c < 0x80) return 1;
  size_t n = c >= 0xC2 && c <= 0xDF   ? 2
             : c >= 0xE0 && c <= 0xEF ? 3
             : c >= 0xF0 && c <= 0xF4 ? 4
                                      : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k)
    if ((b(i + k) & 0xC0) != 0x80) return 0;
  if (c == 0xE0 && b(i + 1) < 0xA0) return 0;  // overlong
  if (c == 0xED && b(i + 1) > 0x9F) return 0;  // surrogate
  if (c == 0xF0 && b(i + 1) < 0x90) return 0;  // overlong
  if (c == 0xF4 && b(i + 1) > 0x8F) return 0;  // above U+10FFFF
  return n;
}

/// Carts and WMSes may send bytes that are not UTF-8 (an address pasted from
/// Latin-1). Written raw they would make a document the readers (and a strict
/// WMS) refuse, so an order would sit "unreadable" in the state store for
/// good: each invalid byte becomes U+FFFD instead.
void String(Writer& w, std::string_view value) {
  size_t i = 0;
  while (i < value.size()) {
    size_t n = Utf8SequenceLength(value, i);
    if (n == 0) break;
    i += n;
  }
  if (i == value.size()) {
    w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
    return;
  }
  std::string clean;
  clean.reserve(value.size() + 8);
  for (i = 0; i < value.size();) {
    size_t n = Utf8SequenceLength(value, i);
    if (n == 0) {
      clean += "\xEF\xBF\xBD";
      ++i;
    } else {
      clean.append(value, i, n);
      i += n;
    }
  }
  w.String(clean.data(), static_cast<rapidjson::SizeType>(clean.size()));
}

void Str(Writer& w, const char* key, const std::string& value) {
  w.Key(key);
  String(w, value);
}

void WriteAddress(Writer& w, const Address& a) {
  w.StartObject();
  Str(w, "name", a.name);
  Str(w, "company", a.company);
  Str(w, "address1", a.address1);
  Str(w, "address2", a.address2);
  Str(w, "city", a.city);
  Str(w, "region", a.region);
  Str(w, "postal_code", a.postal_code);
  Str(w, "country", a.country);
  Str(w, "phone", a.phone);
  Str(w, "email", a.email);
  w.EndObject();
}

void WriteOrderLines(Writer& w, const std::vector<OrderLine>& lines) {
  w.StartArray();
  for (const OrderLine& l : lines) {
    w.StartObject();
    Str(w, "line_key", l.line_key);
    Str(w, "sku", l.sku);
    Key(w, "quantity");
    w.Int64(l.quantity);
    Str(w, "unit_price", l.unit_price);
    Str(w, "unit_list_price", l.unit_list_price);
    Str(w, "unit_discount", l.unit_discount);
    Str(w, "discount", l.discount);
    Str(w, "tax", l.tax);
    w.EndObject();
  }
  w.EndArray();
}

/// "currency" and "taxes_included" (the totals go after the lines).
void WriteCurrency(Writer& w, const OrderMoney& m) {
  Str(w, "currency", m.currency);
  Key(w, "taxes_included");
  w.Bool(m.taxes_included);
}

void WriteTotals(Writer& w, const MoneyTotals& t) {
  Key(w, "totals");
  w.StartObject();
  Str(w, "subtotal", t.subtotal);
  Str(w, "shipping", t.shipping);
  Str(w, "discount", t.discount);
  Str(w, "tax", t.tax);
  Str(w, "total", t.total);
  w.EndObject();
}

/// A wms_fields value is JSON text; it is re-serialized compactly (so the
/// document stays one line, which the command transport relies on). Text that
/// is not JSON cannot be emitted raw without breaking the document, so it goes
/// out as a string.
void WriteJsonText(Writer& w, const std::string& text) {
  rapidjson::Document d;
  d.Parse<rapidjson::kParseValidateEncodingFlag>(text.data(), text.size());
  if (d.HasParseError()) {
    String(w, text);
  } else {
    d.Accept(w);
  }
}

std::string Finish(rapidjson::StringBuffer& buffer) {
  return std::string(buffer.GetString(), buffer.GetSize());
}

// ---------------------------------------------------------------------------
// Reading

std::string Path(const std::string& prefix, const char* name) {
  return prefix.empty() ? std::string(name) : prefix + "." + name;
}

std::string Index(const std::string& prefix, size_t i) {
  return prefix + "[" + std::to_string(i) + "]";
}

/// Reads `obj[name]` as a string into `out`. Missing or null is "" unless
/// `required`, in which case it (and "") is an error.
bool GetString(const rapidjson::Value& obj, const std::string& prefix, const char* name,
               bool required, std::string& out, std::string& error) {
  auto it = obj.FindMember(name);
  if (it == obj.MemberEnd() || it->value.IsNull()) {
    if (required) {
      error = Path(prefix, name) + " is missing";
      return false;
    }
    out.clear();
    return true;
  }
  if (!it->value.IsString()) {
    error = Path(prefix, name) + " must be a string";
    return false;
  }
  out.assign(it->value.GetString(), it->value.GetStringLength());
  if (required && out.empty()) {
    error = Path(prefix, name) + " must not be empty";
    return false;
  }
  return true;
}

/// An integer; a JSON number with a fractional part is an error, an integral
/// one written as 2.0 is accepted.
bool GetInteger(const rapidjson::Value& obj, const std::string& prefix, const char* name,
                bool required, int64_t& out, std::string& error) {
  auto it = obj.FindMember(name);
  if (it == obj.MemberEnd() || it->value.IsNull()) {
    if (required) {
      error = Path(prefix, name) + " is missing";
      return false;
    }
    out = 0;
    return true;
  }
  const rapidjson::Value& v = it->value;
  if (v.IsInt64()) {
    out = v.GetInt64();
    return true;
  }
  if (v.IsDouble()) {
    double d = v.GetDouble();
    if (std::isfinite(d) && std::floor(d) == d && d >= -9.2e18 && d <= 9.2e18) {
      out = static_cast<int64_t>(d);
      return true;
    }
  }
  error = Path(prefix, name) + " must be an integer";
  return false;
}

/// `obj[name]` as an array (missing or null = none).
bool GetArray(const rapidjson::Value& obj, const std::string& prefix, const char* name,
              const rapidjson::Value*& out, std::string& error) {
  out = nullptr;
  auto it = obj.FindMember(name);
  if (it == obj.MemberEnd() || it->value.IsNull()) return true;
  if (!it->value.IsArray()) {
    error = Path(prefix, name) + " must be an array";
    return false;
  }
  out = &it->value;
  return true;
}

bool GetObject(const rapidjson::Value& obj, const std::string& prefix, const char* name,
               const rapidjson::Value*& out, std::string& error) {
  out = nullptr;
  auto it = obj.FindMember(name);
  if (it == obj.MemberEnd() || it->value.IsNull()) return true;
  if (!it->value.IsObject()) {
    error = Path(prefix, name) + " must be an object";
    return false;
  }
  out = &it->value;
  return true;
}

bool ReadAddressAt(const rapidjson::Value& obj, const std::string& prefix, const char* name,
                   Address& a, std::string& error) {
  const rapidjson::Value* v = nullptr;
  if (!GetObject(obj, prefix, name, v, error)) return false;
  a = Address{};
  if (v == nullptr) return true;
  std::string p = Path(prefix, name);
  return GetString(*v, p, "name", false, a.name, error) &&
         GetString(*v, p, "company", false, a.company, error) &&
         GetString(*v, p, "address1", false, a.address1, error) &&
         GetString(*v, p, "address2", false, a.address2, error) &&
         GetString(*v, p, "city", false, a.city, error) &&
         GetString(*v, p, "region", false, a.region, error) &&
         GetString(*v, p, "postal_code", false, a.postal_code, error) &&
         GetString(*v, p, "country", false, a.country, error) &&
         GetString(*v, p, "phone", false, a.phone, error) &&
         GetString(*v, p, "email", false, a.email, error);
}

bool ReadOrderLines(const rapidjson::Value& obj, const std::string& prefix,
                    std::vector<OrderLine>& out, std::string& error) {
  const rapidjson::Value* lines = nullptr;
  if (!GetArray(obj, prefix, "lines", lines, error)) return false;
  out.clear();
  if (lines == nullptr) return true;
  std::string base = Path(prefix, "lines");
  for (rapidjson::SizeType i = 0; i < lines->Size(); ++i) {
    const rapidjson::Value& l = (*lines)[i];
    std::string p = Index(base, i);
    if (!l.IsObject()) {
      error = p + " must be an object";
      return false;
    }
    OrderLine line;
    if (!GetString(l, p, "line_key", false, line.line_key, error) ||
        !GetString(l, p, "sku", false, line.sku, error) ||
        !GetInteger(l, p, "quantity", true, line.quantity, error) ||
        !GetString(l, p, "unit_price", false, line.unit_price, error) ||
        !GetString(l, p, "unit_list_price", false, line.unit_list_price, error) ||
        !GetString(l, p, "unit_discount", false, line.unit_discount, error) ||
        !GetString(l, p, "discount", false, line.discount, error) ||
        !GetString(l, p, "tax", false, line.tax, error))
      return false;
    out.push_back(std::move(line));
  }
  return true;
}

/// currency, taxes_included and totals; all optional (documents written
/// before they existed have none).
bool ReadMoney(const rapidjson::Value& d, OrderMoney& m, std::string& error) {
  if (!GetString(d, "", "currency", false, m.currency, error)) return false;
  if (auto t = d.FindMember("taxes_included"); t != d.MemberEnd() && !t->value.IsNull()) {
    if (!t->value.IsBool()) {
      error = "taxes_included must be true or false";
      return false;
    }
    m.taxes_included = t->value.GetBool();
  }
  const rapidjson::Value* totals = nullptr;
  if (!GetObject(d, "", "totals", totals, error)) return false;
  if (totals == nullptr) return true;
  return GetString(*totals, "totals", "subtotal", false, m.totals.subtotal, error) &&
         GetString(*totals, "totals", "shipping", false, m.totals.shipping, error) &&
         GetString(*totals, "totals", "discount", false, m.totals.discount, error) &&
         GetString(*totals, "totals", "tax", false, m.totals.tax, error) &&
         GetString(*totals, "totals", "total", false, m.totals.total, error);
}

bool ReadShipmentAt(const rapidjson::Value& v, const std::string& prefix, Shipment& out,
                    std::string& error) {
  if (!v.IsObject()) {
    error = (prefix.empty() ? std::string("shipment") : prefix) + " must be an object";
    return false;
  }
  Shipment s;
  if (!GetString(v, prefix, "order_key", true, s.order_key, error) ||
      !GetString(v, prefix, "carrier", false, s.carrier, error) ||
      !GetString(v, prefix, "service", false, s.service, error) ||
      !GetString(v, prefix, "tracking_number", true, s.tracking_number, error) ||
      !GetString(v, prefix, "shipped_at", false, s.shipped_at, error))
    return false;
  const rapidjson::Value* lines = nullptr;
  if (!GetArray(v, prefix, "lines", lines, error)) return false;
  if (lines != nullptr) {
    std::string base = Path(prefix, "lines");
    for (rapidjson::SizeType i = 0; i < lines->Size(); ++i) {
      const rapidjson::Value& l = (*lines)[i];
      std::string p = Index(base, i);
      if (!l.IsObject()) {
        error = p + " must be an object";
        return false;
      }
      ShipmentLine line;
      if (!GetString(l, p, "line_key", false, line.line_key, error) ||
          !GetString(l, p, "sku", false, line.sku, error) ||
          !GetInteger(l, p, "quantity", true, line.quantity, error))
        return false;
      s.lines.push_back(std::move(line));
    }
  }
  out = std::move(s);
  return true;
}

bool ReadInventoryAt(const rapidjson::Value& v, const std::string& prefix, InventoryRecord& out,
                     std::string& error) {
  if (!v.IsObject()) {
    error = (prefix.empty() ? std::string("inventory record") : prefix) + " must be an object";
    return false;
  }
  InventoryRecord r;
  if (!GetString(v, prefix, "sku", true, r.sku, error) ||
      !GetString(v, prefix, "warehouse", false, r.warehouse, error) ||
      !GetInteger(v, prefix, "available", true, r.available, error) ||
      !GetInteger(v, prefix, "on_hand", true, r.on_hand, error) ||
      !GetString(v, prefix, "client", false, r.client, error))
    return false;
  out = std::move(r);
  return true;
}

bool ReadAliasAt(const rapidjson::Value& v, const std::string& prefix, AliasRecord& out,
                 std::string& error) {
  if (!v.IsObject()) {
    error = (prefix.empty() ? std::string("alias record") : prefix) + " must be an object";
    return false;
  }
  AliasRecord r;
  if (!GetString(v, prefix, "sku", true, r.sku, error) ||
      !GetString(v, prefix, "client", false, r.client, error))
    return false;
  const rapidjson::Value* aliases = nullptr;
  if (!GetObject(v, prefix, "aliases", aliases, error)) return false;
  if (aliases != nullptr) {
    std::string base = Path(prefix, "aliases");
    for (auto it = aliases->MemberBegin(); it != aliases->MemberEnd(); ++it) {
      std::string type(it->name.GetString(), it->name.GetStringLength());
      if (it->value.IsNull()) continue;  // "no alias of this type"
      if (!it->value.IsString()) {
        error = base + "." + type + " must be a string";
        return false;
      }
      r.aliases[type] = std::string(it->value.GetString(), it->value.GetStringLength());
    }
  }
  out = std::move(r);
  return true;
}

bool ParseDocument(std::string_view json, const char* what, rapidjson::Document& d,
                   std::string& error) {
  d.Parse<rapidjson::kParseValidateEncodingFlag>(json.data(), json.size());
  if (d.HasParseError()) {
    error = std::string(what) + ": invalid JSON at offset " + std::to_string(d.GetErrorOffset()) +
            ": " + rapidjson::GetParseError_En(d.GetParseError());
    return false;
  }
  if (!d.IsObject()) {
    error = std::string(what) + " must be a JSON object";
    return false;
  }
  return true;
}

std::string ValueToJson(const rapidjson::Value& v) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  v.Accept(w);
  return Finish(buffer);
}

}  // namespace

std::string OrderKey(std::string_view cart_id, std::string_view order_id) {
  std::string key;
  key.reserve(cart_id.size() + 1 + order_id.size());
  key.append(cart_id);
  key.push_back(':');
  key.append(order_id);
  return key;
}

std::string ToJson(const CartOrder& o) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  Str(w, "id", o.id);
  Str(w, "order_number", o.order_number);
  Str(w, "placed_at", o.placed_at);
  Str(w, "updated_at", o.updated_at);
  Str(w, "status", o.status);
  Str(w, "ship_code", o.ship_code);
  WriteCurrency(w, o.money);
  Key(w, "ship_to");
  WriteAddress(w, o.ship_to);
  Key(w, "lines");
  WriteOrderLines(w, o.lines);
  WriteTotals(w, o.money.totals);
  if (o.canceled) {
    Key(w, "canceled");
    w.Bool(true);
  }
  w.EndObject();
  return Finish(buffer);
}

std::string ToJson(const WmsOrder& o) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  Str(w, "order_key", o.order_key);
  Str(w, "cart_id", o.cart_id);
  Str(w, "client", o.client);
  Str(w, "order_number", o.order_number);
  Str(w, "placed_at", o.placed_at);
  WriteCurrency(w, o.money);
  Key(w, "ship_to");
  WriteAddress(w, o.ship_to);
  Key(w, "ship_method");
  w.StartObject();
  Str(w, "cart_code", o.ship_method.cart_code);
  Str(w, "carrier", o.ship_method.carrier);
  Str(w, "service", o.ship_method.service);
  w.EndObject();
  Key(w, "lines");
  WriteOrderLines(w, o.lines);
  WriteTotals(w, o.money.totals);
  Key(w, "wms_fields");
  w.StartObject();
  for (const auto& [name, text] : o.wms_fields) {  // std::map: sorted, deterministic
    w.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
    WriteJsonText(w, text);
  }
  w.EndObject();
  w.EndObject();
  return Finish(buffer);
}

std::string ToJson(const Shipment& s) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  Str(w, "order_key", s.order_key);
  Str(w, "carrier", s.carrier);
  Str(w, "service", s.service);
  Str(w, "tracking_number", s.tracking_number);
  Str(w, "shipped_at", s.shipped_at);
  Key(w, "lines");
  w.StartArray();
  for (const ShipmentLine& l : s.lines) {
    w.StartObject();
    Str(w, "line_key", l.line_key);
    Str(w, "sku", l.sku);
    Key(w, "quantity");
    w.Int64(l.quantity);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return Finish(buffer);
}

bool FromJson(std::string_view json, CartOrder& out, std::string& error) {
  rapidjson::Document d;
  if (!ParseDocument(json, "order", d, error)) return false;
  CartOrder o;
  const std::string p;
  if (!GetString(d, p, "id", true, o.id, error) ||
      !GetString(d, p, "order_number", false, o.order_number, error) ||
      !GetString(d, p, "placed_at", false, o.placed_at, error) ||
      !GetString(d, p, "updated_at", false, o.updated_at, error) ||
      !GetString(d, p, "status", false, o.status, error) ||
      !GetString(d, p, "ship_code", false, o.ship_code, error) ||
      !ReadAddressAt(d, p, "ship_to", o.ship_to, error) || !ReadOrderLines(d, p, o.lines, error) ||
      !ReadMoney(d, o.money, error))
    return false;
  const rapidjson::Value& root = d;  // const: C++20 finds non-const member iterators ambiguous
  if (auto c = root.FindMember("canceled"); c != root.MemberEnd()) {
    if (!c->value.IsBool()) {
      error = "canceled must be true or false";
      return false;
    }
    o.canceled = c->value.GetBool();
  }
  out = std::move(o);
  return true;
}

bool FromJson(std::string_view json, WmsOrder& out, std::string& error) {
  rapidjson::Document d;
  if (!ParseDocument(json, "order", d, error)) return false;
  WmsOrder o;
  const std::string p;
  if (!GetString(d, p, "order_key", true, o.order_key, error) ||
      !GetString(d, p, "cart_id", false, o.cart_id, error) ||
      !GetString(d, p, "client", false, o.client, error) ||
      !GetString(d, p, "order_number", false, o.order_number, error) ||
      !GetString(d, p, "placed_at", false, o.placed_at, error) ||
      !ReadAddressAt(d, p, "ship_to", o.ship_to, error))
    return false;
  const rapidjson::Value* method = nullptr;
  if (!GetObject(d, p, "ship_method", method, error)) return false;
  if (method != nullptr &&
      (!GetString(*method, "ship_method", "cart_code", false, o.ship_method.cart_code, error) ||
       !GetString(*method, "ship_method", "carrier", false, o.ship_method.carrier, error) ||
       !GetString(*method, "ship_method", "service", false, o.ship_method.service, error)))
    return false;
  if (!ReadOrderLines(d, p, o.lines, error) || !ReadMoney(d, o.money, error)) return false;
  const rapidjson::Value* fields = nullptr;
  if (!GetObject(d, p, "wms_fields", fields, error)) return false;
  if (fields != nullptr) {
    for (auto it = fields->MemberBegin(); it != fields->MemberEnd(); ++it)
      o.wms_fields[std::string(it->name.GetString(), it->name.GetStringLength())] =
          ValueToJson(it->value);
  }
  out = std::move(o);
  return true;
}

bool FromJson(std::string_view json, Shipment& out, std::string& error) {
  rapidjson::Document d;
  return ParseDocument(json, "shipment", d, error) && ReadShipmentAt(d, "", out, error);
}

bool FromJson(std::string_view json, InventoryRecord& out, std::string& error) {
  rapidjson::Document d;
  return ParseDocument(json, "inventory record", d, error) && ReadInventoryAt(d, "", out, error);
}

bool FromJson(std::string_view json, AliasRecord& out, std::string& error) {
  rapidjson::Document d;
  return ParseDocument(json, "alias record", d, error) && ReadAliasAt(d, "", out, error);
}

bool ReadShipment(const rapidjson::Value& v, Shipment& out, std::string& error) {
  return ReadShipmentAt(v, "", out, error);
}

bool ReadInventory(const rapidjson::Value& v, InventoryRecord& out, std::string& error) {
  return ReadInventoryAt(v, "", out, error);
}

bool ReadAlias(const rapidjson::Value& v, AliasRecord& out, std::string& error) {
  return ReadAliasAt(v, "", out, error);
}

}  // namespace cartsync
