#include "runtime/doctor.h"

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <algorithm>
#include <cctype>
#include <ostream>
#include <sstream>

#include "base/strings.h"
#include "runtime/wms/wms_client.h"

namespace cartsync {

namespace {

// Stops FetchOrders once enough orders were seen (not a failure).
constexpr const char* kEnoughOrders = "cartsync doctor: enough orders read";

// `s` as a TOML basic string (quotes, backslashes and controls escaped), so a
// fix can be pasted into the cart file and no control character reaches a
// terminal.
std::string TomlQuoted(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      static const char* hex = "0123456789ABCDEF";
      out += "\\u00";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

// Text from a cart or a server, safe on a terminal: controls escaped.
std::string Shown(std::string_view s) {
  std::string q = QuoteEscaped(s);
  return q.substr(1, q.size() - 2);
}

std::string Plural(int n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

bool Declared(const CartConfig& cart, Service s) {
  const ServiceConfig& c = cart.service(s);
  return c.enabled || c.every.has_value();
}

// A carrier of the WMS whose name the ship code contains ("UPS Ground" ->
// "UPS"), for a fix that is closer to right; "CARRIER" when none.
std::string GuessCarrier(std::string_view code, const std::vector<std::string>& carriers) {
  const std::string upper = [&] {
    std::string u(code);
    for (char& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return u;
  }();
  for (const std::string& carrier : carriers) {
    std::string c = carrier;
    for (char& ch : c) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    if (!c.empty() && upper.find(c) != std::string::npos) return carrier;
  }
  return "CARRIER";
}

void AddNote(DoctorCart& cart, std::string check, std::string message) {
  DoctorFinding f;
  f.check = std::move(check);
  f.severity = FindingSeverity::Note;
  f.message = std::move(message);
  cart.findings.push_back(std::move(f));
}

DoctorFinding Problem(std::string check, FindingSeverity severity, std::string message,
                      std::string fix = "") {
  DoctorFinding f;
  f.check = std::move(check);
  f.severity = severity;
  f.message = std::move(message);
  f.fix = std::move(fix);
  return f;
}

struct WmsRead {
  bool ok = false;
  WmsCatalog catalog;
};

}  // namespace

std::string_view SeverityName(FindingSeverity s) {
  switch (s) {
    case FindingSeverity::Error:
      return "error";
    case FindingSeverity::Warning:
      return "warning";
    case FindingSeverity::Note:
      return "note";
  }
  return "error";
}

WmsCatalog WmsCatalog::Build(const std::vector<InventoryRecord>& inventory,
                             const std::vector<AliasRecord>& aliases) {
  WmsCatalog c;
  for (const InventoryRecord& r : inventory) c.skus.insert(r.sku);
  for (const AliasRecord& a : aliases) c.skus.insert(a.sku);
  c.aliases = AliasIndex::Build(aliases);
  return c;
}

int DoctorReport::Count(FindingSeverity s) const {
  int n = 0;
  for (const DoctorCart& c : carts)
    n += static_cast<int>(std::count_if(c.findings.begin(), c.findings.end(),
                                        [&](const DoctorFinding& f) { return f.severity == s; }));
  for (const DoctorWms& w : wms)
    n += static_cast<int>(std::count_if(w.findings.begin(), w.findings.end(),
                                        [&](const DoctorFinding& f) { return f.severity == s; }));
  return n;
}

// ---- the comparisons -------------------------------------------------------------

std::vector<DoctorFinding> ShipCodeFindings(const CartConfig& cart,
                                            const std::map<std::string, SeenOn>& codes,
                                            const std::vector<std::string>& wms_carriers) {
  std::vector<DoctorFinding> out;
  for (const auto& [code, seen] : codes) {
    if (FindShipMapping(cart.ship_methods, code) != nullptr) continue;
    DoctorFinding f;
    f.check = "ship_codes";
    f.subject = code;
    f.orders = seen.orders;
    f.example = seen.example;
    const std::string on = " on " + Plural(seen.orders, "order", "orders") +
                           (seen.example.empty() ? "" : " (e.g. " + Shown(seen.example) + ")");
    const std::string what =
        code.empty() ? "orders without a ship code" : "ship code " + TomlQuoted(code);
    if (cart.reject_unmapped_ship_codes) {
      f.severity = FindingSeverity::Error;
      f.message = what + on + " is not mapped in [ship_methods]; such orders would be held";
    } else {
      f.severity = FindingSeverity::Warning;
      f.message = what + on +
                  " is not mapped in [ship_methods]; such orders would be sent with an empty "
                  "carrier and service";
    }
    const std::string key = code.empty() ? std::string("\"*\"") : TomlQuoted(code);
    f.fix = "add `" + key + " = \"" + GuessCarrier(code, wms_carriers) +
            "/SERVICE\"` to [ship_methods] in " + cart.source;
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<DoctorFinding> OrderedSkuFindings(const CartConfig& cart,
                                              const std::map<std::string, SeenOn>& skus,
                                              const WmsCatalog& wms) {
  std::vector<DoctorFinding> out;
  const std::string& alias = cart.items.translate_item_code;
  for (const auto& [sku, seen] : skus) {
    if (!ItemPassesFilter(cart.items, sku)) continue;
    bool known;
    if (alias == "master_sku") {
      known = wms.skus.count(sku) > 0;
    } else {
      // DecideOrder: an alias of that type, else a WMS SKU with aliases.
      auto by_type = wms.aliases.sku_by_alias.find(alias);
      known = (by_type != wms.aliases.sku_by_alias.end() && by_type->second.count(sku)) ||
              wms.aliases.alias_by_sku.count(sku) > 0;
    }
    if (known) continue;
    DoctorFinding f;
    f.check = "order_skus";
    f.severity = FindingSeverity::Error;
    f.subject = sku;
    f.orders = seen.orders;
    f.example = seen.example;
    f.message =
        "SKU " + TomlQuoted(sku) + " on " + Plural(seen.orders, "order", "orders") +
        (seen.example.empty() ? "" : " (e.g. " + Shown(seen.example) + ")") +
        (alias == "master_sku"
             ? " is unknown to the WMS for client " + TomlQuoted(cart.client)
             : " has no WMS SKU with alias " + alias + " for client " + TomlQuoted(cart.client)) +
        "; such orders would be held or refused";
    f.fix = "add the SKU to the WMS for client " + TomlQuoted(cart.client) +
            ", or leave it out with [items] in " + cart.source;
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<DoctorFinding> CatalogSkuFindings(const CartConfig& cart,
                                              const std::vector<std::string>& catalog,
                                              const WmsCatalog& wms, size_t max_listed) {
  std::vector<DoctorFinding> out;
  const std::string& alias = cart.sync_inventory_alias;
  std::set<std::string> aliased;  // cart SKUs the WMS names through the alias
  if (alias != "master_sku") {
    auto by_type = wms.aliases.sku_by_alias.find(alias);
    if (by_type != wms.aliases.sku_by_alias.end())
      for (const auto& [value, sku] : by_type->second) aliased.insert(value);
  }
  std::vector<std::string> unknown;
  for (const std::string& sku : std::set<std::string>(catalog.begin(), catalog.end())) {
    if (sku.empty() || !ItemPassesFilter(cart.items, sku)) continue;
    bool known = alias == "master_sku" ? wms.skus.count(sku) > 0 : aliased.count(sku) > 0;
    if (!known) unknown.push_back(sku);
  }
  for (size_t i = 0; i < unknown.size() && i < max_listed; ++i) {
    DoctorFinding f;
    f.check = "catalog_skus";
    f.severity = FindingSeverity::Warning;
    f.subject = unknown[i];
    f.message = "catalog SKU " + TomlQuoted(unknown[i]) +
                (alias == "master_sku" ? " is unknown to the WMS"
                                       : " is no WMS SKU's " + alias + " alias") +
                " for client " + TomlQuoted(cart.client) + "; its stock would never be set";
    out.push_back(std::move(f));
  }
  if (unknown.size() > max_listed) {
    DoctorFinding f;
    f.check = "catalog_skus";
    f.severity = FindingSeverity::Warning;
    f.message = "and " + std::to_string(unknown.size() - max_listed) +
                " more catalog SKUs unknown to the WMS";
    out.push_back(std::move(f));
  }
  return out;
}

// ---- the checks -------------------------------------------------------------------

namespace {

class Doctor {
 public:
  Doctor(const Plan& plan, RunEnvironment& env, Clock& clock, const DoctorOptions& options)
      : plan_(plan), env_(env), clock_(clock), options_(options) {}

  DoctorReport Run() {
    report_.since = clock_.NowSeconds() - options_.since_seconds;
    for (const PlanCart& pc : plan_.carts) {
      const CartConfig& cart = pc.config;
      if (!options_.carts.empty() &&
          std::find(options_.carts.begin(), options_.carts.end(), cart.id) == options_.carts.end())
        continue;
      report_.carts.push_back(CheckCart(cart));
    }
    for (auto& [name, w] : wms_) report_.wms.push_back(std::move(w));
    return std::move(report_);
  }

 private:
  DoctorCart CheckCart(const CartConfig& cart) {
    DoctorCart d;
    d.id = cart.id;
    d.platform = cart.platform;
    d.source = cart.source;
    d.client = cart.client;
    d.wms = cart.wms;
    // The WMS of the cart's client first: checked whatever the cart answers.
    const WmsConfig* wms_config = nullptr;
    if (auto it = plan_.wms.find(cart.wms); it != plan_.wms.end()) wms_config = &it->second;
    const WmsRead* wms = wms_config ? &ReadWms(*wms_config, cart) : nullptr;

    auto made = env_.Connector(cart);
    if (!made.ok()) {
      d.findings.push_back(Problem("connector", FindingSeverity::Error,
                                   Shown(made.status().message()),
                                   "check [api] in " + cart.source));
      return d;
    }
    CartConnector& connector = *made.value();

    // 1. Credentials and scopes, for the services the cart declares.
    std::vector<Service> services;
    for (Service s : kAllServices)
      if (Declared(cart, s)) services.push_back(s);
    auto access = connector.CheckAccess(services);
    if (!access.ok()) {
      d.findings.push_back(Problem("credentials", FindingSeverity::Error,
                                   Shown(access.status().message()),
                                   "check the credentials of [api] in " + cart.source));
      AddNote(d, "credentials", "the other checks of this cart were skipped");
      return d;
    }
    for (const std::string& missing : access->missing) {
      DoctorFinding f = Problem("scopes", FindingSeverity::Error, Shown(missing));
      f.fix = "grant it to the credentials of [api] in " + cart.source;
      d.findings.push_back(std::move(f));
    }
    if (!access->checked) AddNote(d, "credentials", access->note);

    // 2. The inventory location.
    auto location = connector.InventoryLocation();
    const bool pushes = Declared(cart, Service::InventoryUpload);
    if (!location.ok()) {
      d.findings.push_back(Problem("location",
                                   pushes ? FindingSeverity::Error : FindingSeverity::Warning,
                                   Shown(location.status().message()),
                                   "check [api].inventory_location_id in " + cart.source));
    } else if (location->applies && !location->problem.empty()) {
      d.findings.push_back(
          Problem("location", pushes ? FindingSeverity::Error : FindingSeverity::Warning,
                  Shown(location->problem),
                  "set [api].inventory_location_id in " + cart.source + " to an active location"));
    }

    // 3. Orders changed since --since: ship codes and SKUs.
    std::map<std::string, SeenOn> codes, skus;
    OrderWindow window;
    window.statuses = cart.statuses;
    window.updated_after = report_.since;
    Status fetched = connector.FetchOrders(window, [&](std::vector<CartOrder>&& page) {
      for (const CartOrder& o : page) {
        if (o.canceled) continue;  // never sent
        if (d.orders_seen >= options_.max_orders) {
          d.orders_capped = true;
          return Status::Permanent(kEnoughOrders);
        }
        ++d.orders_seen;
        const std::string number = o.order_number.empty() ? o.id : o.order_number;
        SeenOn& c = codes[o.ship_code];
        if (c.orders++ == 0) c.example = number;
        std::set<std::string> once;
        for (const OrderLine& l : o.lines) {
          if (!once.insert(l.sku).second) continue;
          SeenOn& s = skus[l.sku];
          if (s.orders++ == 0) s.example = number;
        }
      }
      return Status::Ok();
    });
    if (!fetched.ok() && fetched.message() != kEnoughOrders) {
      d.findings.push_back(Problem("orders", FindingSeverity::Error, Shown(fetched.message()),
                                   "check [api] and [statuses] in " + cart.source));
    } else {
      d.orders_read = true;
      if (d.orders_capped)
        AddNote(d, "orders",
                "stopped after " + std::to_string(options_.max_orders) +
                    " orders; ship codes and SKUs of later ones were not checked");
    }
    for (DoctorFinding& f : ShipCodeFindings(
             cart, codes, wms_config ? wms_config->carriers : std::vector<std::string>{}))
      d.findings.push_back(std::move(f));

    // 4. SKUs against the WMS of the cart's client.
    if (wms == nullptr || !wms->ok) {
      AddNote(d, "order_skus", "SKUs were not compared: the WMS could not be read");
      return d;
    }
    for (DoctorFinding& f : OrderedSkuFindings(cart, skus, wms->catalog))
      d.findings.push_back(std::move(f));
    auto catalog = connector.CartSkus(options_.max_catalog_pages);
    if (!catalog.ok()) {
      d.findings.push_back(
          Problem("catalog_skus", FindingSeverity::Warning,
                  "the catalog could not be listed: " + Shown(catalog.status().message())));
    } else if (!catalog->listed) {
      AddNote(d, "catalog_skus", "catalog SKUs not checked: " + catalog->note);
    } else {
      d.catalog_skus = static_cast<int>(catalog->skus.size());
      for (DoctorFinding& f : CatalogSkuFindings(cart, catalog->skus, wms->catalog))
        d.findings.push_back(std::move(f));
      if (!catalog->complete)
        AddNote(d, "catalog_skus",
                "the catalog has more than " + std::to_string(catalog->skus.size()) +
                    " SKUs; the rest were not checked");
    }
    return d;
  }

  /// The WMS's records for the cart's client, read once per WMS and client.
  const WmsRead& ReadWms(const WmsConfig& config, const CartConfig& cart) {
    const std::string key = config.name + "\n" + cart.client;
    if (auto it = read_.find(key); it != read_.end()) return it->second;
    WmsRead& r = read_[key];
    DoctorWms& w = wms_[config.name];
    w.name = config.name;
    w.system = config.system;
    w.clients.push_back(cart.client);
    auto client = env_.Wms(config, cart.id);
    if (!client.ok()) {
      w.findings.push_back(Problem("wms", FindingSeverity::Error, Shown(client.status().message()),
                                   "check [wms." + config.name + "] in cartsync.toml"));
      return r;
    }
    auto inventory = client.value()->PullInventory(cart.client);
    if (!inventory.ok()) {
      w.findings.push_back(Problem("wms", FindingSeverity::Error,
                                   "inventory of client " + TomlQuoted(cart.client) + ": " +
                                       Shown(inventory.status().message()),
                                   "check [wms." + config.name + "] in cartsync.toml"));
      return r;
    }
    auto aliases = client.value()->PullAliases(cart.client);
    if (!aliases.ok()) {
      w.findings.push_back(Problem(
          "wms", FindingSeverity::Error,
          "aliases of client " + TomlQuoted(cart.client) + ": " + Shown(aliases.status().message()),
          "check [wms." + config.name + "] in cartsync.toml"));
      return r;
    }
    std::vector<InventoryRecord> records = inventory->records;
    std::vector<AliasRecord> alias_records = aliases.value();
    KeepClient(cart.client, records);
    KeepClient(cart.client, alias_records);
    r.catalog = WmsCatalog::Build(records, alias_records);
    r.ok = true;
    return r;
  }

  const Plan& plan_;
  RunEnvironment& env_;
  Clock& clock_;
  const DoctorOptions& options_;
  DoctorReport report_;
  std::map<std::string, WmsRead> read_;   ///< wms name + client -> records
  std::map<std::string, DoctorWms> wms_;  ///< by name
};

}  // namespace

DoctorReport RunDoctor(const Plan& plan, RunEnvironment& env, Clock& clock,
                       const DoctorOptions& options) {
  return Doctor(plan, env, clock, options).Run();
}

// ---- rendering -------------------------------------------------------------------

namespace {

std::string Summary(const DoctorReport& r) {
  const int errors = r.Count(FindingSeverity::Error), warnings = r.Count(FindingSeverity::Warning);
  return Plural(static_cast<int>(r.carts.size()), "cart", "carts") +
         " checked: " + Plural(errors, "error", "errors") + ", " +
         Plural(warnings, "warning", "warnings") +
         (errors > 0 ? " (orders would be held or steps fail)" : "");
}

std::string CartHeading(const DoctorCart& c, int64_t since) {
  std::string s = "cart " + c.id + " (" + c.platform + ", " + c.source + ")";
  if (c.orders_read)
    s += ": " + Plural(c.orders_seen, "order", "orders") + (c.orders_capped ? " or more" : "") +
         " changed since " + FormatIsoUtc(since).substr(0, 10);
  if (c.catalog_skus >= 0) s += ", " + Plural(c.catalog_skus, "catalog SKU", "catalog SKUs");
  return s;
}

void TextFinding(const DoctorFinding& f, std::ostream& out) {
  out << "  " << SeverityName(f.severity) << "[" << f.check << "]: " << f.message;
  if (!f.fix.empty()) out << "; fix: " << f.fix;
  out << "\n";
}

void Finding(rapidjson::PrettyWriter<rapidjson::StringBuffer>& w, const DoctorFinding& f) {
  w.StartObject();
  w.Key("check");
  w.String(f.check.c_str());
  w.Key("severity");
  w.String(std::string(SeverityName(f.severity)).c_str());
  if (!f.subject.empty() || f.check == "ship_codes") {
    w.Key("subject");
    w.String(f.subject.c_str(), static_cast<rapidjson::SizeType>(f.subject.size()));
  }
  w.Key("message");
  w.String(f.message.c_str(), static_cast<rapidjson::SizeType>(f.message.size()));
  if (!f.fix.empty()) {
    w.Key("fix");
    w.String(f.fix.c_str(), static_cast<rapidjson::SizeType>(f.fix.size()));
  }
  if (f.orders > 0) {
    w.Key("orders");
    w.Int(f.orders);
    w.Key("example");
    w.String(f.example.c_str(), static_cast<rapidjson::SizeType>(f.example.size()));
  }
  w.EndObject();
}

// Markdown text: what could start markup is backslash-escaped; line breaks
// become spaces.
std::string Md(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\n' || c == '\r') {
      out += ' ';
      continue;
    }
    if (std::string_view("\\`*_[]<>|~#&!").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

const char* MdIcon(FindingSeverity s) {
  switch (s) {
    case FindingSeverity::Error:
      return "❌";
    case FindingSeverity::Warning:
      return "⚠️";
    case FindingSeverity::Note:
      return "ℹ️";
  }
  return "";
}

}  // namespace

void RenderDoctorText(const DoctorReport& report, std::ostream& out) {
  for (const DoctorCart& c : report.carts) {
    out << CartHeading(c, report.since) << "\n";
    if (c.findings.empty()) out << "  ok\n";
    for (const DoctorFinding& f : c.findings) TextFinding(f, out);
  }
  for (const DoctorWms& w : report.wms) {
    out << "wms " << w.name << " (" << w.system << ")\n";
    if (w.findings.empty()) out << "  ok\n";
    for (const DoctorFinding& f : w.findings) TextFinding(f, out);
  }
  out << "doctor: " << Summary(report) << "\n";
}

std::string DoctorJson(const DoctorReport& report) {
  rapidjson::StringBuffer sb;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w(sb);
  w.SetIndent(' ', 2);
  w.StartObject();
  w.Key("since");
  w.String(FormatIsoUtc(report.since).c_str());
  w.Key("errors");
  w.Int(report.Count(FindingSeverity::Error));
  w.Key("warnings");
  w.Int(report.Count(FindingSeverity::Warning));
  w.Key("carts");
  w.StartArray();
  for (const DoctorCart& c : report.carts) {
    w.StartObject();
    w.Key("id");
    w.String(c.id.c_str());
    w.Key("platform");
    w.String(c.platform.c_str());
    w.Key("source");
    w.String(c.source.c_str());
    w.Key("client");
    w.String(c.client.c_str());
    w.Key("wms");
    w.String(c.wms.c_str());
    w.Key("orders_read");
    w.Bool(c.orders_read);
    w.Key("orders_seen");
    w.Int(c.orders_seen);
    w.Key("orders_capped");
    w.Bool(c.orders_capped);
    w.Key("catalog_skus");
    if (c.catalog_skus >= 0)
      w.Int(c.catalog_skus);
    else
      w.Null();
    w.Key("findings");
    w.StartArray();
    for (const DoctorFinding& f : c.findings) Finding(w, f);
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.Key("wms");
  w.StartArray();
  for (const DoctorWms& x : report.wms) {
    w.StartObject();
    w.Key("name");
    w.String(x.name.c_str());
    w.Key("system");
    w.String(x.system.c_str());
    w.Key("clients");
    w.StartArray();
    for (const std::string& c : x.clients) w.String(c.c_str());
    w.EndArray();
    w.Key("findings");
    w.StartArray();
    for (const DoctorFinding& f : x.findings) Finding(w, f);
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(sb.GetString(), sb.GetSize()) + "\n";
}

void RenderDoctorMarkdown(const DoctorReport& report, std::ostream& out) {
  out << "## cartsync doctor\n\n"
      << (report.HasErrors() ? "❌ " : "✅ ") << Md(Summary(report)) << "; orders changed since "
      << FormatIsoUtc(report.since).substr(0, 10) << ".\n";
  auto findings = [&](const std::vector<DoctorFinding>& list) {
    if (list.empty()) {
      out << "- ✅ ok\n";
      return;
    }
    for (const DoctorFinding& f : list) {
      out << "- " << MdIcon(f.severity) << " **" << SeverityName(f.severity) << "** ("
          << Md(f.check) << "): " << Md(f.message);
      if (!f.fix.empty()) out << "<br>fix: " << Md(f.fix);
      out << "\n";
    }
  };
  for (const DoctorCart& c : report.carts) {
    out << "\n### " << Md(CartHeading(c, report.since)) << "\n\n";
    findings(c.findings);
  }
  for (const DoctorWms& w : report.wms) {
    out << "\n### WMS " << Md(w.name) << " (" << Md(w.system) << ")\n\n";
    findings(w.findings);
  }
}

}  // namespace cartsync
