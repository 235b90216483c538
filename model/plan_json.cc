#include "model/plan_json.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <algorithm>
#include <cstdio>

#include "model/grammar.h"

namespace cartsync {

namespace {

using Writer = rapidjson::PrettyWriter<rapidjson::StringBuffer>;

void Str(Writer& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}
void Key(Writer& w, std::string_view s) {
  w.Key(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

void Strings(Writer& w, const std::vector<std::string>& v) {
  w.StartArray();
  for (const std::string& s : v) Str(w, s);
  w.EndArray();
}

void Field(Writer& w, const FieldValue& v) {
  switch (v.type) {
    case FieldType::Secret:
      // The reference only: the value is read by the runtime at run time.
      w.StartObject();
      Key(w, "secret");
      Str(w, v.secret ? v.secret->Text() : "");
      w.EndObject();
      return;
    case FieldType::Integer:
      w.Int64(v.integer);
      return;
    case FieldType::StringArray:
      Strings(w, v.list);
      return;
    default:
      Str(w, v.text);
      return;
  }
}

void Fields(Writer& w, const FieldValues& fields) {
  w.StartObject();
  for (const auto& [k, v] : fields) {  // std::map: sorted keys
    Key(w, k);
    Field(w, v);
  }
  w.EndObject();
}

void Items(Writer& w, const ItemRules& items) {
  w.StartObject();
  Key(w, "translate_item_code");
  Str(w, items.translate_item_code);
  Key(w, "filter");
  Str(w, ItemFilterName(items.filter));
  Key(w, "filter_level");
  Str(w, FilterLevelName(items.level));
  Key(w, "skus");
  Strings(w, items.skus);
  w.EndObject();
}

void Step(Writer& w, const PlanStep& step, const CartConfig& c) {
  w.StartObject();
  Key(w, "id");
  Str(w, step.id);
  Key(w, "service");
  Str(w, ServiceName(step.service));
  Key(w, "every");
  w.StartObject();
  Key(w, "text");
  Str(w, step.every.Canonical());
  Key(w, "seconds");
  w.Int64(step.every.MinPeriodSeconds());
  w.EndObject();
  switch (step.service) {
    case Service::OrderDownload:
      Key(w, "statuses");
      w.StartObject();
      for (const auto& [dim, values] : c.statuses) {
        Key(w, dim);
        Strings(w, values);
      }
      w.EndObject();
      Key(w, "earliest_order_date");
      Str(w, c.earliest_order_date ? c.earliest_order_date->ToString() : "");
      Key(w, "reject_unmapped_ship_codes");
      w.Bool(c.reject_unmapped_ship_codes);
      Key(w, "ship_methods");
      w.StartArray();
      for (const ShipMapping& m : c.ship_methods) {
        w.StartObject();
        Key(w, "match");
        Str(w, ShipMatchName(m.match));
        Key(w, "code");
        Str(w, m.code);
        Key(w, "carrier");
        Str(w, m.target.carrier);
        Key(w, "service");
        Str(w, m.target.service);
        w.EndObject();
      }
      w.EndArray();
      Key(w, "items");
      Items(w, c.items);
      Key(w, "order_filters");
      w.StartArray();
      for (const OrderFilter& f : c.order_filters) {
        w.StartObject();
        Key(w, "field");
        Str(w, f.field);
        Key(w, "match");
        Str(w, FilterMatchName(f.match));
        Key(w, "values");
        Strings(w, f.values);
        Key(w, "mode");
        Str(w, FilterModeName(f.mode));
        w.EndObject();
      }
      w.EndArray();
      Key(w, "wms_fields");
      Fields(w, c.wms_fields);
      break;
    case Service::ShipmentUpload:
      Key(w, "carrier_codes");
      w.StartObject();
      for (const auto& [k, v] : c.carrier_codes) {
        Key(w, k);
        Str(w, v);
      }
      w.EndObject();
      break;
    case Service::InventoryUpload:
      Key(w, "sync_inventory_with");
      Str(w, c.sync_inventory_with);
      Key(w, "sync_inventory_alias");
      Str(w, c.sync_inventory_alias);
      Key(w, "minimum_inventory_level");
      w.Int64(c.minimum_inventory_level);
      Key(w, "quantity");
      Str(w, InventoryQuantityName(c.inventory_quantity));
      Key(w, "items");
      Items(w, c.items);
      break;
  }
  w.EndObject();
}

}  // namespace

std::string PlanToJson(const Plan& plan) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.SetIndent(' ', 2);
  w.StartObject();
  Key(w, "format_version");
  w.Int(plan.format_version);
  Key(w, "sources");
  w.StartArray();
  for (const SourceInfo& s : plan.sources) {
    w.StartObject();
    Key(w, "path");
    Str(w, s.path);
    Key(w, "sha256");
    Str(w, s.sha256);
    w.EndObject();
  }
  w.EndArray();
  Key(w, "carts");
  w.StartArray();
  for (const PlanCart& pc : plan.carts) {
    const CartConfig& c = pc.config;
    w.StartObject();
    Key(w, "id");
    Str(w, c.id);
    Key(w, "client");
    Str(w, c.client);
    Key(w, "platform");
    Str(w, c.platform);
    Key(w, "name");
    Str(w, c.name);
    Key(w, "wms");
    Str(w, c.wms);
    Key(w, "source");
    Str(w, c.source);
    Key(w, "api");
    Fields(w, c.api);
    Key(w, "steps");
    w.StartArray();
    for (const PlanStep& s : pc.steps) Step(w, s, c);
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  Key(w, "wms");
  w.StartObject();
  for (const auto& [name, wms] : plan.wms) {
    Key(w, name);
    w.StartObject();
    Key(w, "system");
    Str(w, wms.system);
    for (const auto& [k, v] : wms.fields) {
      Key(w, k);
      Field(w, v);
    }
    Key(w, "warehouses");
    Strings(w, wms.warehouses);
    Key(w, "carriers");
    Strings(w, wms.carriers);
    Key(w, "alias_types");
    Strings(w, wms.alias_types);
    w.EndObject();
  }
  w.EndObject();
  Key(w, "state");
  w.StartObject();
  Key(w, "url");
  Str(w, plan.state_url);
  if (plan.state_password) {  // only when set: plans without one stay byte-identical
    Key(w, "password");
    w.StartObject();
    Key(w, "secret");
    Str(w, plan.state_password->Text());
    w.EndObject();
  }
  if (plan.retain_pii_s) {  // only when set, as the password
    Key(w, "retain_pii_seconds");
    w.Int64(*plan.retain_pii_s);
  }
  w.EndObject();
  if (!plan.notify.empty()) {  // only when declared, as the password
    Key(w, "notify");
    w.StartArray();
    for (const NotifyConfig& n : plan.notify) {
      w.StartObject();
      Key(w, "url");
      w.StartObject();
      Key(w, "secret");
      Str(w, n.url.Text());
      w.EndObject();
      Key(w, "format");
      Str(w, n.format);
      Key(w, "events");
      Strings(w, n.events);
      w.EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
  std::string out(buf.GetString(), buf.GetSize());
  out += '\n';
  return out;
}

namespace {

// Reading back: each accessor names the JSON path when something is off,
// so a hand-edited or truncated plan gets a precise error.
class JsonReader {
 public:
  std::string error;

  const rapidjson::Value* Member(const rapidjson::Value& obj, const char* key,
                                 const std::string& path) {
    if (!obj.IsObject()) return Fail(path + " must be an object");
    auto it = obj.FindMember(key);
    if (it == obj.MemberEnd()) return Fail(path + "." + key + " is missing");
    return &it->value;
  }
  const rapidjson::Value* Fail(const std::string& message) {
    if (error.empty()) error = message;
    return nullptr;
  }
  std::string String(const rapidjson::Value& obj, const char* key, const std::string& path) {
    const rapidjson::Value* v = Member(obj, key, path);
    if (!v) return {};
    if (!v->IsString()) {
      Fail(path + "." + key + " must be a string");
      return {};
    }
    return {v->GetString(), v->GetStringLength()};
  }
  int64_t Int(const rapidjson::Value& obj, const char* key, const std::string& path) {
    const rapidjson::Value* v = Member(obj, key, path);
    if (!v) return 0;
    if (!v->IsInt64()) {
      Fail(path + "." + key + " must be an integer");
      return 0;
    }
    return v->GetInt64();
  }
  bool Bool(const rapidjson::Value& obj, const char* key, const std::string& path) {
    const rapidjson::Value* v = Member(obj, key, path);
    if (!v) return false;
    if (!v->IsBool()) {
      Fail(path + "." + key + " must be true or false");
      return false;
    }
    return v->GetBool();
  }
  std::vector<std::string> Strings(const rapidjson::Value& obj, const char* key,
                                   const std::string& path) {
    std::vector<std::string> out;
    const rapidjson::Value* v = Member(obj, key, path);
    if (!v) return out;
    if (!v->IsArray()) {
      Fail(path + "." + key + " must be an array");
      return out;
    }
    for (const auto& e : v->GetArray()) {
      if (!e.IsString()) {
        Fail(path + "." + key + " must hold strings");
        return out;
      }
      out.emplace_back(e.GetString(), e.GetStringLength());
    }
    return out;
  }
  const rapidjson::Value* Array(const rapidjson::Value& obj, const char* key,
                                const std::string& path) {
    const rapidjson::Value* v = Member(obj, key, path);
    if (v && !v->IsArray()) return Fail(path + "." + key + " must be an array");
    return v;
  }
  const rapidjson::Value* Object(const rapidjson::Value& obj, const char* key,
                                 const std::string& path) {
    const rapidjson::Value* v = Member(obj, key, path);
    if (v && !v->IsObject()) return Fail(path + "." + key + " must be an object");
    return v;
  }

  bool FieldOf(const rapidjson::Value& v, const std::string& path, FieldValue& out) {
    if (v.IsObject()) {
      std::string ref = String(v, "secret", path);
      auto parsed = ParseSecretRef(ref);
      if (!parsed) return Fail(path + ".secret: " + parsed.error.message), false;
      out.type = FieldType::Secret;
      out.secret = *parsed.value;
    } else if (v.IsInt64()) {
      out.type = FieldType::Integer;
      out.integer = v.GetInt64();
    } else if (v.IsArray()) {
      out.type = FieldType::StringArray;
      for (const auto& e : v.GetArray())
        if (e.IsString()) out.list.emplace_back(e.GetString(), e.GetStringLength());
    } else if (v.IsString()) {
      out.type = FieldType::String;
      out.text.assign(v.GetString(), v.GetStringLength());
    } else {
      return Fail(path + " has an unsupported type"), false;
    }
    return true;
  }

  void FieldsOf(const rapidjson::Value& obj, const std::string& path, FieldValues& out,
                std::initializer_list<std::string_view> skip = {}) {
    for (const auto& m : obj.GetObject()) {
      std::string key(m.name.GetString(), m.name.GetStringLength());
      if (std::find(skip.begin(), skip.end(), key) != skip.end()) continue;
      FieldValue v;
      if (FieldOf(m.value, path + "." + key, v)) out[key] = std::move(v);
    }
  }

  void ItemsOf(const rapidjson::Value& step, const std::string& path, ItemRules& items) {
    const rapidjson::Value* v = Object(step, "items", path);
    if (!v) return;
    std::string p = path + ".items";
    items.translate_item_code = String(*v, "translate_item_code", p);
    std::string f = String(*v, "filter", p);
    items.filter = f == "whitelist"   ? ItemFilter::Whitelist
                   : f == "blacklist" ? ItemFilter::Blacklist
                                      : ItemFilter::Disabled;
    items.level = String(*v, "filter_level", p) == "order" ? FilterLevel::Order : FilterLevel::Item;
    items.skus = Strings(*v, "skus", p);
  }

  void StepOf(const rapidjson::Value& s, const std::string& path, PlanCart& pc) {
    CartConfig& c = pc.config;
    PlanStep step;
    step.id = String(s, "id", path);
    std::string service = String(s, "service", path);
    auto svc = ParseService(service);
    if (!svc) {
      Fail(path + ".service: unknown service \"" + service + "\"");
      return;
    }
    step.service = *svc;
    if (const rapidjson::Value* every = Object(s, "every", path)) {
      auto parsed = ParseSchedule(String(*every, "text", path + ".every"));
      if (!parsed)
        Fail(path + ".every.text: " + parsed.error.message);
      else
        step.every = *parsed.value;
    }
    c.services[static_cast<size_t>(step.service)] = {true, step.every};
    switch (step.service) {
      case Service::OrderDownload: {
        if (const rapidjson::Value* st = Object(s, "statuses", path))
          for (const auto& m : st->GetObject()) {
            std::string dim(m.name.GetString(), m.name.GetStringLength());
            c.statuses[dim] = Strings(*st, dim.c_str(), path + ".statuses");
          }
        std::string date = String(s, "earliest_order_date", path);
        Date d;
        if (std::sscanf(date.c_str(), "%4d-%2d-%2d", &d.year, &d.month, &d.day) == 3)
          c.earliest_order_date = d;
        c.reject_unmapped_ship_codes = Bool(s, "reject_unmapped_ship_codes", path);
        if (const rapidjson::Value* maps = Array(s, "ship_methods", path))
          for (const auto& m : maps->GetArray()) {
            std::string p = path + ".ship_methods[]";
            ShipMapping sm;
            std::string match = String(m, "match", p);
            sm.match = match == "glob"      ? ShipMatch::Glob
                       : match == "default" ? ShipMatch::Default
                                            : ShipMatch::Exact;
            sm.code = String(m, "code", p);
            sm.target = {String(m, "carrier", p), String(m, "service", p)};
            c.ship_methods.push_back(std::move(sm));
          }
        ItemsOf(s, path, c.items);
        if (const rapidjson::Value* filters = Array(s, "order_filters", path))
          for (const auto& f : filters->GetArray()) {
            std::string p = path + ".order_filters[]";
            OrderFilter of;
            of.field = String(f, "field", p);
            std::string match = String(f, "match", p);
            of.match = match == "prefix"   ? FilterMatch::Prefix
                       : match == "suffix" ? FilterMatch::Suffix
                                           : FilterMatch::Exact;
            of.values = Strings(f, "values", p);
            of.mode = String(f, "mode", p) == "restricted" ? FilterMode::Restricted
                                                           : FilterMode::Required;
            c.order_filters.push_back(std::move(of));
          }
        if (const rapidjson::Value* wf = Object(s, "wms_fields", path))
          FieldsOf(*wf, path + ".wms_fields", c.wms_fields);
        break;
      }
      case Service::ShipmentUpload:
        if (const rapidjson::Value* cc = Object(s, "carrier_codes", path))
          for (const auto& m : cc->GetObject())
            if (m.value.IsString())
              c.carrier_codes[std::string(m.name.GetString(), m.name.GetStringLength())] =
                  std::string(m.value.GetString(), m.value.GetStringLength());
        break;
      case Service::InventoryUpload:
        c.sync_inventory_with = String(s, "sync_inventory_with", path);
        c.sync_inventory_alias = String(s, "sync_inventory_alias", path);
        c.minimum_inventory_level = Int(s, "minimum_inventory_level", path);
        c.inventory_quantity = String(s, "quantity", path) == "on_hand"
                                   ? InventoryQuantity::OnHand
                                   : InventoryQuantity::Available;
        ItemsOf(s, path, c.items);
        break;
    }
    pc.steps.push_back(std::move(step));
  }
};

}  // namespace

bool PlanFromJson(std::string_view json, Plan& out, std::string& error) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError()) {
    error = std::string("not valid JSON at byte ") + std::to_string(doc.GetErrorOffset()) + ": " +
            rapidjson::GetParseError_En(doc.GetParseError());
    return false;
  }
  if (!doc.IsObject()) {  // nothing below may look for members of a non-object
    error = "a plan is a JSON object ($ is not)";
    return false;
  }
  JsonReader r;
  out = Plan{};
  out.format_version = static_cast<int>(r.Int(doc, "format_version", "$"));
  if (r.error.empty() && out.format_version != kPlanFormatVersion) {
    error = "plan format_version " + std::to_string(out.format_version) +
            " is not supported (expected " + std::to_string(kPlanFormatVersion) + ")";
    return false;
  }
  if (const rapidjson::Value* sources = r.Array(doc, "sources", "$"))
    for (const auto& s : sources->GetArray())
      out.sources.push_back(
          {r.String(s, "path", "$.sources[]"), r.String(s, "sha256", "$.sources[]")});
  if (const rapidjson::Value* carts = r.Array(doc, "carts", "$")) {
    for (const auto& c : carts->GetArray()) {
      PlanCart pc;
      std::string path = "$.carts[" + std::to_string(out.carts.size()) + "]";
      pc.config.id = r.String(c, "id", path);
      pc.config.client = r.String(c, "client", path);
      pc.config.platform = r.String(c, "platform", path);
      pc.config.name = r.String(c, "name", path);
      pc.config.wms = r.String(c, "wms", path);
      pc.config.source = r.String(c, "source", path);
      if (const rapidjson::Value* api = r.Object(c, "api", path))
        r.FieldsOf(*api, path + ".api", pc.config.api);
      if (const rapidjson::Value* steps = r.Array(c, "steps", path))
        for (const auto& s : steps->GetArray())
          r.StepOf(s, path + ".steps[" + std::to_string(pc.steps.size()) + "]", pc);
      out.carts.push_back(std::move(pc));
    }
  }
  if (const rapidjson::Value* wms = r.Object(doc, "wms", "$")) {
    for (const auto& m : wms->GetObject()) {
      WmsConfig w;
      w.name.assign(m.name.GetString(), m.name.GetStringLength());
      std::string path = "$.wms." + w.name;
      w.system = r.String(m.value, "system", path);
      w.warehouses = r.Strings(m.value, "warehouses", path);
      w.carriers = r.Strings(m.value, "carriers", path);
      w.alias_types = r.Strings(m.value, "alias_types", path);
      if (m.value.IsObject())
        r.FieldsOf(m.value, path, w.fields, {"system", "warehouses", "carriers", "alias_types"});
      out.wms.emplace(w.name, std::move(w));
    }
  }
  if (const rapidjson::Value* state = r.Object(doc, "state", "$")) {
    out.state_url = r.String(*state, "url", "$.state");
    if (state->HasMember("password")) {
      if (const rapidjson::Value* pw = r.Object(*state, "password", "$.state")) {
        auto parsed = ParseSecretRef(r.String(*pw, "secret", "$.state.password"));
        if (parsed)
          out.state_password = *parsed.value;
        else
          r.Fail("$.state.password.secret: " + parsed.error.message);
      }
    }
    if (const auto* retain = state->FindMember("retain_pii_seconds") != state->MemberEnd()
                                 ? &(*state)["retain_pii_seconds"]
                                 : nullptr) {
      if (retain->IsInt64() && retain->GetInt64() > 0)
        out.retain_pii_s = retain->GetInt64();
      else
        r.Fail("$.state.retain_pii_seconds: expected a positive integer");
    }
  }
  const rapidjson::Value& root = doc;  // const: C++20 finds non-const member iterators ambiguous
  if (auto it = root.FindMember("notify"); it != root.MemberEnd()) {
    if (!it->value.IsArray()) r.Fail("$.notify must be an array");
    for (rapidjson::SizeType i = 0; it->value.IsArray() && i < it->value.Size(); ++i) {
      const std::string path = "$.notify[" + std::to_string(i) + "]";
      NotifyConfig n;
      if (const rapidjson::Value* url = r.Object(it->value[i], "url", path)) {
        auto parsed = ParseSecretRef(r.String(*url, "secret", path + ".url"));
        if (parsed)
          n.url = *parsed.value;
        else
          r.Fail(path + ".url.secret: " + parsed.error.message);
      }
      n.format = r.String(it->value[i], "format", path);
      n.events = r.Strings(it->value[i], "events", path);
      out.notify.push_back(std::move(n));
    }
  }
  error = r.error;
  return error.empty();
}

}  // namespace cartsync
