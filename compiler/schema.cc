#include "compiler/schema.h"

#include <toml++/toml.h>

#include <algorithm>
#include <filesystem>

#include "compiler/pattern.h"
#include "compiler/source_file.h"
#include "compiler/toml_util.h"

namespace cartsync {

template <class T>
static const T* FindByName(const std::vector<T>& v, std::string_view name) {
  for (const T& x : v)
    if (x.name == name) return &x;
  return nullptr;
}

const FieldSpec* PlatformDescriptor::FindField(std::string_view n) const {
  return FindByName(api, n);
}
const StatusDimension* PlatformDescriptor::FindStatus(std::string_view n) const {
  return FindByName(statuses, n);
}
bool PlatformDescriptor::Supports(Service s) const {
  return std::find(services.begin(), services.end(), s) != services.end();
}
const FieldSpec* WmsDescriptor::FindField(std::string_view n) const {
  return FindByName(fields, n);
}

const PlatformDescriptor* Schema::FindPlatform(std::string_view id) const {
  auto it = platforms.find(id);
  return it == platforms.end() ? nullptr : &it->second;
}
const WmsDescriptor* Schema::FindWms(std::string_view id) const {
  auto it = wms_systems.find(id);
  return it == wms_systems.end() ? nullptr : &it->second;
}

namespace {

// Descriptor errors are the schema author's, so one code (E0703) with a
// precise message and location is enough.
class DescriptorReader {
 public:
  DescriptorReader(const std::string& path, DiagnosticEngine& diags) : path_(path), diags_(diags) {}

  /// Descriptor typos must not pass silently: `requried = true` would
  /// quietly make a field optional.
  void UnknownKeys(const toml::table& t, std::initializer_list<std::string_view> known,
                   std::string_view where) {
    for (auto&& [k, v] : t) {
      if (std::find(known.begin(), known.end(), k.str()) != known.end()) continue;
      diags_.Report(DiagId::InvalidSchema, RegionOf(k, path_),
                    {"unknown key \"" + std::string(k.str()) + "\" in " + std::string(where)});
    }
  }

  void Error(const toml::node* at, const std::string& message) {
    SourceRegion r = at ? RegionOf(*at, path_) : SourceRegion{path_, {}, {}};
    diags_.Report(DiagId::InvalidSchema, r, {message});
  }

  std::string String(const toml::table& t, std::string_view key, bool required) {
    const toml::node* n = t.get(key);
    if (!n) {
      if (required) Error(&t, "missing \"" + std::string(key) + "\"");
      return {};
    }
    if (!n->is_string()) {
      Error(n, "\"" + std::string(key) + "\" must be a string");
      return {};
    }
    return n->as_string()->get();
  }

  std::vector<std::string> Strings(const toml::table& t, std::string_view key) {
    std::vector<std::string> out;
    const toml::node* n = t.get(key);
    if (!n) return out;
    const toml::array* a = n->as_array();
    if (!a) {
      Error(n, "\"" + std::string(key) + "\" must be an array of strings");
      return out;
    }
    for (const toml::node& e : *a) {
      if (!e.is_string())
        Error(&e, "\"" + std::string(key) + "\" must hold strings only");
      else
        out.push_back(e.as_string()->get());
    }
    return out;
  }

  bool FieldSpecs(const toml::table& t, std::vector<FieldSpec>& out) {
    for (auto&& [key, node] : t) {
      const toml::table* ft = node.as_table();
      if (!ft) {
        Error(&node, "field \"" + std::string(key.str()) + "\" must be a table");
        continue;
      }
      UnknownKeys(*ft, {"type", "required", "pattern", "values", "default", "help", "identifier"},
                  "field \"" + std::string(key.str()) + "\"");
      FieldSpec f;
      f.name = std::string(key.str());
      f.declared = key.source().begin.line;
      std::string type = String(*ft, "type", true);
      if (auto parsed = ParseFieldType(type))
        f.type = *parsed;
      else if (!type.empty())
        Error(ft->get("type"), "unknown field type \"" + type + "\"");
      if (const toml::node* r = ft->get("required")) {
        if (r->is_boolean())
          f.required = r->as_boolean()->get();
        else
          Error(r, "\"required\" must be true or false");
      }
      f.pattern = String(*ft, "pattern", false);
      // Matched with RE2 and exported to JSON Schema (pattern.h).
      if (!f.pattern.empty()) {
        if (std::string error = PatternError(f.pattern); !error.empty()) {
          Error(ft->get("pattern"), "invalid pattern: " + error);
          f.pattern.clear();
        }
      }
      f.values = Strings(*ft, "values");
      if (f.type == FieldType::Enum && f.values.empty())
        Error(ft, "enum field \"" + f.name + "\" needs values");
      if (const toml::node* d = ft->get("default")) {
        if (auto s = d->value<std::string>())
          f.default_string = *s;
        else if (auto i = d->value<int64_t>())
          f.default_integer = *i;
        else
          Error(d, "default must be a string or an integer");
      }
      f.help = String(*ft, "help", false);
      if (const toml::node* id = ft->get("identifier")) {
        if (id->is_boolean())
          f.identifier = id->as_boolean()->get();
        else
          Error(id, "\"identifier\" must be true or false");
      }
      out.push_back(std::move(f));
    }
    std::sort(out.begin(), out.end(),
              [](const FieldSpec& a, const FieldSpec& b) { return a.name < b.name; });
    return true;
  }

  void Platform(const toml::table& t, Schema& schema) {
    UnknownKeys(t,
                {"id", "name", "inventory_quantity", "services", "base_url", "api", "statuses",
                 "credentials"},
                "a platform descriptor");
    for (const char* table : {"api", "statuses"})
      if (const toml::node* n = t.get(table); n && !n->is_table())
        Error(n, "\"" + std::string(table) + "\" must be a table");
    PlatformDescriptor p;
    p.id = String(t, "id", true);
    p.name = String(t, "name", true);
    std::string q = String(t, "inventory_quantity", true);
    if (q == "on_hand")
      p.inventory_quantity = InventoryQuantity::OnHand;
    else if (q != "available" && !q.empty())
      Error(t.get("inventory_quantity"), "inventory_quantity must be \"available\" or \"on_hand\"");
    for (const std::string& s : Strings(t, "services")) {
      if (auto svc = ParseService(s))
        p.services.push_back(*svc);
      else
        Error(t.get("services"), "unknown service \"" + s + "\"");
    }
    p.base_url_help = String(t, "base_url", false);
    if (const toml::table* api = t["api"].as_table()) FieldSpecs(*api, p.api);
    if (p.FindField("base_url")) Error(t["api"].node(), "base_url is implicit; do not declare it");
    FieldSpec base;
    base.name = "base_url";
    base.type = FieldType::Url;
    base.help = p.base_url_help.empty() ? "Overrides the platform's API host" : p.base_url_help;
    p.api.insert(
        std::upper_bound(p.api.begin(), p.api.end(), base,
                         [](const FieldSpec& a, const FieldSpec& b) { return a.name < b.name; }),
        base);
    if (const toml::table* st = t["statuses"].as_table()) {
      for (auto&& [key, node] : *st) {
        const toml::table* dt = node.as_table();
        if (!dt) {
          Error(&node, "status dimension must be a table");
          continue;
        }
        UnknownKeys(*dt, {"allowed", "default", "help"},
                    "status dimension \"" + std::string(key.str()) + "\"");
        StatusDimension d;
        d.name = std::string(key.str());
        d.declared = key.source().begin.line;
        d.allowed = Strings(*dt, "allowed");
        d.defaults = Strings(*dt, "default");
        d.help = String(*dt, "help", false);
        for (const std::string& v : d.defaults)
          if (std::find(d.allowed.begin(), d.allowed.end(), v) == d.allowed.end())
            Error(dt->get("default"), "default status \"" + v + "\" is not allowed");
        p.statuses.push_back(std::move(d));
      }
    }
    Credentials(t, p);
    if (p.id.empty()) return;
    if (schema.platforms.count(p.id)) Error(t.get("id"), "duplicate platform id \"" + p.id + "\"");
    schema.platforms.emplace(p.id, std::move(p));
  }

  /// [[credentials]]: each form names optional [api] fields; a field
  /// belongs to one form at most.
  void Credentials(const toml::table& t, PlatformDescriptor& p) {
    const toml::node* n = t.get("credentials");
    if (!n) return;
    const toml::array* forms = n->as_array();
    if (!forms || !forms->is_array_of_tables()) {
      Error(n, "\"credentials\" must be an array of tables ([[credentials]])");
      return;
    }
    for (const toml::node& e : *forms) {
      const toml::table& ft = *e.as_table();
      UnknownKeys(ft, {"name", "fields"}, "[[credentials]]");
      CredentialForm form;
      form.name = String(ft, "name", false);
      form.fields = Strings(ft, "fields");
      if (form.fields.empty()) Error(&ft, "a credential form needs \"fields\"");
      for (const std::string& f : form.fields) {
        const FieldSpec* spec = p.FindField(f);
        if (!spec)
          Error(ft.get("fields"), "credential field \"" + f + "\" is not an [api] field");
        else if (spec->required)
          Error(ft.get("fields"), "credential field \"" + f + "\" must not be required");
        for (const CredentialForm& other : p.credentials)
          if (std::find(other.fields.begin(), other.fields.end(), f) != other.fields.end())
            Error(ft.get("fields"), "credential field \"" + f + "\" is in two forms");
      }
      p.credentials.push_back(std::move(form));
    }
    if (p.credentials.size() == 1)
      Error(n, "one credential form is no choice: mark its fields required instead");
  }

  void Wms(const toml::table& t, Schema& schema) {
    UnknownKeys(t, {"id", "name", "help", "fields"}, "a WMS descriptor");
    WmsDescriptor w;
    w.id = String(t, "id", true);
    w.name = String(t, "name", true);
    w.help = String(t, "help", false);
    if (const toml::table* f = t["fields"].as_table()) FieldSpecs(*f, w.fields);
    if (w.id.empty()) return;
    if (schema.wms_systems.count(w.id)) Error(t.get("id"), "duplicate WMS system \"" + w.id + "\"");
    schema.wms_systems.emplace(w.id, std::move(w));
  }

 private:
  std::string path_;
  DiagnosticEngine& diags_;
};

}  // namespace

bool LoadSchema(const std::vector<std::pair<std::string, std::string>>& files, Schema& out,
                DiagnosticEngine& diags, const std::string& display_dir) {
  int before = diags.errors();
  SourceManager sources;
  for (const auto& [path, text] : files) {
    std::string display =
        display_dir.empty()
            ? path
            : (std::filesystem::path(display_dir) / path).lexically_normal().generic_string();
    const SourceFile& file = sources.Add(display, text);
    toml::table t;
    if (!ValidateSourceText(file, diags) || !ParseToml(file, t, diags)) continue;
    DescriptorReader reader(display, diags);
    if (path.rfind("platforms/", 0) == 0 || path.find("/platforms/") != std::string::npos)
      reader.Platform(t, out);
    else if (path.rfind("wms/", 0) == 0 || path.find("/wms/") != std::string::npos)
      reader.Wms(t, out);
    else if (path.ends_with("order_document.toml"))
      out.order_fields = reader.Strings(t, "fields");
  }
  if (out.platforms.empty())
    diags.Report(DiagId::InvalidSchema, {}, {"no platform descriptors (platforms/*.toml)"});
  return diags.errors() == before;
}

const Schema& BuiltinSchema() {
  static const Schema schema = [] {
    std::vector<std::pair<std::string, std::string>> files;
    for (const EmbeddedFile& f : EmbeddedSchemaFiles()) files.emplace_back(f.path, f.content);
    Schema s;
    DiagnosticEngine diags;
    LoadSchema(files, s, diags);  // built-in descriptors are tested; errors surface in tests
    return s;
  }();
  return schema;
}

bool LoadSchemaDir(const std::string& dir, Schema& out, DiagnosticEngine& diags) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    diags.Report(DiagId::PathNotFound, {dir, {}, {}}, {dir});
    return false;
  }
  std::vector<std::pair<std::string, std::string>> files;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (!it->is_regular_file() || it->path().extension() != ".toml") continue;
    std::string text, error;
    std::string rel = fs::relative(it->path(), dir).generic_string();
    if (!ReadFileBytes(it->path().string(), text, error)) {
      diags.Report(DiagId::IoError, {it->path().string(), {}, {}}, {it->path().string(), error});
      continue;
    }
    files.emplace_back(rel, std::move(text));
  }
  std::sort(files.begin(), files.end());
  return LoadSchema(files, out, diags, dir);
}

}  // namespace cartsync
