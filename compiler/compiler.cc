#include "compiler/compiler.h"

#include <toml++/toml.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <map>

#include "base/sha256.h"
#include "compiler/checker.h"
#include "compiler/toml_util.h"

namespace cartsync {

namespace fs = std::filesystem;

Date TodayUtc() {
  std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  return {tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
}

namespace {

// Per-compilation state that the steps share: where carts were first
// defined (for duplicate ids) and the project's [defaults] text.
class Driver {
 public:
  Driver(const CompileOptions& options, Compilation& out)
      : options_(options), schema_(options.schema ? *options.schema : BuiltinSchema()), out_(out) {}

  void LoadProject(const std::string& display, const std::string& rel, std::string text) {
    const SourceFile& file = out_.sources.Add(display, std::move(text));
    Record(file, rel);
    out_.has_project = true;
    toml::table doc;
    if (!ValidateSourceText(file, out_.diags) || !ParseToml(file, doc, out_.diags)) return;
    CheckProject(doc, display, schema_, out_.project, out_.diags);
    if (doc["defaults"].is_table()) project_file_ = &file;
  }

  void LoadCart(const std::string& display, const std::string& rel, std::string text) {
    const SourceFile& file = out_.sources.Add(display, std::move(text));
    Record(file, rel);
    toml::table doc;
    if (!ValidateSourceText(file, out_.diags) || !ParseToml(file, doc, out_.diags)) return;
    if (!doc.empty() && project_file_) MergeDefaults(doc, FreshDefaults());
    CartCheckContext ctx{schema_, out_.project, options_.today};
    CartConfig cart;
    cart.source = rel;
    bool clean = CheckCart(doc, display, ctx, cart, out_.diags);
    if (!cart.id.empty()) {
      const toml::node* id_node = doc["cart"]["id"].node();
      SourceRegion at = RegionOf(*id_node, display);
      auto [it, inserted] = first_definition_.emplace(cart.id, at);
      if (!inserted) {
        std::string other = it->second.file + ":" + std::to_string(it->second.begin.line);
        out_.diags.Report(DiagId::DuplicateCartId, at, {cart.id, other});
        clean = false;
      }
    }
    if (clean) out_.carts.push_back(std::move(cart));
  }

  void Finish() {
    std::sort(out_.carts.begin(), out_.carts.end(),
              [](const CartConfig& a, const CartConfig& b) { return a.id < b.id; });
    std::sort(out_.inputs.begin(), out_.inputs.end(),
              [](const SourceInfo& a, const SourceInfo& b) { return a.path < b.path; });
  }

 private:
  void Record(const SourceFile& file, const std::string& rel) {
    ++out_.files_checked;
    out_.inputs.push_back({rel, Sha256Hex(file.content())});
  }

  // toml++ copies drop source positions, so each cart gets its own parse of
  // the project's [defaults]; moved nodes keep pointing at cartsync.toml.
  toml::table FreshDefaults() {
    toml::table doc;
    DiagnosticEngine ignored;  // the project file already parsed cleanly once
    ParseToml(*project_file_, doc, ignored);
    if (toml::table* d = doc["defaults"].as_table()) return std::move(*d);
    return {};
  }

  const CompileOptions& options_;
  const Schema& schema_;
  Compilation& out_;
  const SourceFile* project_file_ = nullptr;
  std::map<std::string, SourceRegion> first_definition_;
};

std::string Display(const fs::path& p) {
  std::string s = p.lexically_normal().generic_string();
  if (s.size() > 1 && s.back() == '/') s.pop_back();
  return s.empty() ? "." : s;
}

// Paths in the plan are relative to the project root, so a plan does not
// depend on the directory it was made from.
std::string RelativeTo(const fs::path& file, const fs::path& root) {
  std::error_code ec;
  fs::path a = fs::weakly_canonical(file, ec), b = fs::weakly_canonical(root, ec);
  std::string rel = a.lexically_relative(b).generic_string();
  return rel.empty() ? file.filename().generic_string() : rel;
}

bool ReadInto(const fs::path& p, const std::string& display, std::string& text, Compilation& out) {
  std::string error;
  if (ReadFileBytes(p.string(), text, error)) return true;
  out.diags.Report(DiagId::IoError, {display, {}, {}}, {display, error});
  out.io_error = true;
  return false;
}

std::vector<fs::path> TomlFilesIn(const fs::path& dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    if (it->path().extension() == ".toml" && !it->is_directory()) files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

void Compile(const CompileOptions& options, Compilation& out) {
  Driver driver(options, out);
  std::vector<std::string> paths =
      options.paths.empty() ? std::vector<std::string>{"."} : options.paths;

  // Pass 1: find the project file (the first one any path leads to).
  std::optional<fs::path> project_path;
  fs::path root;
  std::error_code ec;
  for (const std::string& given : paths) {
    fs::path p(given);
    std::vector<fs::path> candidates;
    if (fs::is_directory(p, ec)) {
      candidates = {p / "cartsync.toml", p / ".." / "cartsync.toml"};
    } else if (p.filename() == "cartsync.toml") {
      candidates = {p};
    } else {
      fs::path dir = p.parent_path().empty() ? fs::path(".") : p.parent_path();
      candidates = {dir / "cartsync.toml", dir / ".." / "cartsync.toml"};
    }
    for (const fs::path& c : candidates) {
      if (fs::is_regular_file(c, ec)) {
        project_path = c;
        break;
      }
    }
    if (project_path) break;
  }
  if (project_path) {
    root = project_path->parent_path().empty() ? fs::path(".") : project_path->parent_path();
    std::string text;
    std::string display = Display(*project_path);
    if (ReadInto(*project_path, display, text, out))
      driver.LoadProject(display, RelativeTo(*project_path, root), std::move(text));
  }

  // Pass 2: every cart file each path names.
  std::vector<std::pair<fs::path, std::string>> carts;  // (path, display)
  for (const std::string& given : paths) {
    fs::path p(given);
    if (!fs::exists(p, ec)) {
      out.diags.Report(DiagId::PathNotFound, {given, {}, {}}, {given});
      out.io_error = true;
      continue;
    }
    if (p.filename() == "cartsync.toml" && !fs::is_directory(p, ec))
      p = p.parent_path().empty() ? "." : p.parent_path();
    fs::path dir = p;
    if (fs::is_directory(p, ec)) {
      if (fs::is_regular_file(p / "cartsync.toml", ec)) dir = p / out.project.carts_dir;
      std::vector<fs::path> files = TomlFilesIn(dir);
      if (files.empty()) {
        out.diags.Report(DiagId::NoCartFiles, {Display(dir), {}, {}}, {Display(dir)});
        continue;
      }
      for (const fs::path& f : files) carts.emplace_back(f, Display(f));
    } else {
      carts.emplace_back(p, Display(p));
    }
  }
  std::sort(carts.begin(), carts.end(), [](auto& a, auto& b) { return a.second < b.second; });
  carts.erase(std::unique(carts.begin(), carts.end(),
                          [](auto& a, auto& b) { return a.second == b.second; }),
              carts.end());
  for (const auto& [path, display] : carts) {
    if (!project_path) {
      // Without a project, paths are relative to the carts directory's parent.
      fs::path dir = path.parent_path().empty() ? fs::path(".") : path.parent_path();
      root = dir / "..";
    }
    std::string text;
    if (ReadInto(path, display, text, out))
      driver.LoadCart(display, RelativeTo(path, root), std::move(text));
  }
  driver.Finish();
}

void CompileTexts(const std::string& project_text,
                  const std::vector<std::pair<std::string, std::string>>& cart_files,
                  const CompileOptions& options, Compilation& out) {
  Driver driver(options, out);
  if (!project_text.empty()) driver.LoadProject("cartsync.toml", "cartsync.toml", project_text);
  for (const auto& [path, text] : cart_files) driver.LoadCart(path, path, text);
  driver.Finish();
}

}  // namespace cartsync
