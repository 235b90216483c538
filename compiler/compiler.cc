#include "compiler/compiler.h"

#include <toml++/toml.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <map>
#include <optional>
#include <set>

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

// One project's compilation: its cartsync.toml (or none), where carts were
// first defined (for duplicate ids, unique per project) and the project's
// [defaults] text. Diagnostics, carts and inputs go into the shared output.
class Driver {
 public:
  Driver(const CompileOptions& options, Compilation& out)
      : options_(options), schema_(options.schema ? *options.schema : BuiltinSchema()), out_(out) {}

  void LoadProject(const std::string& display, const std::string& rel, std::string text) {
    const SourceFile& file = out_.sources.Add(display, std::move(text));
    Record(file, rel);
    out_.has_project = true;
    project_display_ = display;
    toml::table doc;
    if (!ValidateSourceText(file, out_.diags) || !ParseToml(file, doc, out_.diags)) {
      // One error for the file; its carts are still checked, without a WMS
      // to check against and without a warning of their own.
      project_broken_ = true;
      return;
    }
    CheckProject(doc, display, schema_, project_, out_.diags);
    if (doc["defaults"].is_table()) project_file_ = &file;
  }

  /// The carts directory the project file names ("carts.d" by default).
  const std::string& carts_dir() const { return project_.carts_dir; }

  void LoadCart(const std::string& display, const std::string& rel, std::string text) {
    const size_t reported = out_.diags.diagnostics().size();
    const SourceFile& file = out_.sources.Add(display, std::move(text));
    Record(file, rel);
    toml::table doc;
    if (!ValidateSourceText(file, out_.diags) || !ParseToml(file, doc, out_.diags)) return;
    ++carts_checked_;
    if (first_cart_.empty()) first_cart_ = display;
    if (!doc.empty() && project_file_) MergeDefaults(doc, FreshDefaults());
    CartCheckContext ctx{schema_, project_, options_.today};
    ctx.wms_checks = !project_.wms.empty();
    if (!project_display_.empty()) ctx.project_file = project_display_;
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
    if (options_.release_clean_sources && !Mentioned(display, reported))
      out_.sources.Release(display);
  }

  /// Ends the project: one W0704 when its carts were checked without a WMS
  /// connection to check them against, at `where` (the project's file or
  /// directory). Then the output's carts and inputs are sorted again.
  void Finish(const std::string& where = "") {
    if (carts_checked_ > 0 && project_.wms.empty() && !project_broken_) {
      std::string why = project_display_.empty()
                            ? " (no cartsync.toml" + (where.empty() ? "" : " in " + where) + ")"
                            : " in " + project_display_;
      std::string at = !project_display_.empty() ? project_display_
                       : !where.empty()          ? where
                                                 : first_cart_;
      out_.diags.Report(DiagId::NoWmsConnection, {at, {}, {}}, {why});
    }
    if (out_.projects++ == 0) out_.project = std::move(project_);
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

  // Whether a diagnostic reported since index `from` shows `display` (its
  // region, or a place it masks).
  bool Mentioned(const std::string& display, size_t from) const {
    const std::vector<Diagnostic>& all = out_.diags.diagnostics();
    for (size_t i = from; i < all.size(); ++i) {
      if (all[i].region.file == display) return true;
      for (const SourceRegion& m : all[i].masks)
        if (m.file == display) return true;
    }
    return false;
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
  ProjectConfig project_;
  std::string project_display_;  ///< "" without a project file
  bool project_broken_ = false;
  int carts_checked_ = 0;  ///< parsed and checked (W0704 needs one)
  std::string first_cart_;
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

// Reads a file found to be regular; `follow` false refuses a symbolic link
// put there since (the walk resolved links already).
bool ReadInto(const fs::path& p, const std::string& display, std::string& text, Compilation& out,
              bool follow = true) {
  std::string error;
  if (ReadFileBytes(p.string(), text, error, follow)) return true;
  out.diags.Report(DiagId::IoError, {display, {}, {}}, {display, error});
  out.io_error = true;
  return false;
}

// Whether `path` (canonical) is `root` (canonical) or below it.
bool Inside(const fs::path& path, const fs::path& root) {
  fs::path rel = path.lexically_relative(root);
  return !rel.empty() && *rel.begin() != "..";
}

bool Hidden(const fs::path& p) {
  std::string name = p.filename().string();
  return !name.empty() && name[0] == '.';
}

std::string KindOf(const fs::file_status& st) {
  switch (st.type()) {
    case fs::file_type::fifo:
      return "a FIFO";
    case fs::file_type::socket:
      return "a socket";
    case fs::file_type::character:
      return "a character device";
    case fs::file_type::block:
      return "a block device";
    case fs::file_type::directory:
      return "a directory";
    default:
      return "not a regular file";
  }
}

// A cart file to read: where (a canonical target for a link) and its name in messages.
struct CartInput {
  fs::path read;
  std::string display;
  bool follow = false;
};

// The carts below `dir`, recursively, entries whose name starts with "." left
// out. Every entry is looked at with lstat: a symbolic link is followed only
// to a target inside `root` (the project), a *.toml that is not a regular
// file (FIFO, socket, device) is refused with a diagnostic. Nothing is opened.
class CartWalk {
 public:
  CartWalk(const fs::path& root, Compilation& out) : out_(out) {
    std::error_code ec;
    root_ = fs::weakly_canonical(root, ec);
  }

  void Walk(const fs::path& dir, const std::string& display, std::vector<CartInput>& found,
            int depth = 0) {
    std::error_code ec;
    if (depth > kMaxDepth || !visited_.insert(fs::weakly_canonical(dir, ec).string()).second)
      return;
    std::vector<fs::path> entries;
    for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator();
         it.increment(ec))
      if (!Hidden(it->path())) entries.push_back(it->path());
    std::sort(entries.begin(), entries.end());
    for (const fs::path& entry : entries) {
      const std::string shown = display + "/" + entry.filename().generic_string();
      const bool toml = entry.extension() == ".toml";
      fs::file_status st = fs::symlink_status(entry, ec);
      fs::path target = entry;
      if (fs::is_symlink(st)) {
        fs::path resolved = fs::canonical(entry, ec);
        if (ec) {
          if (toml) Refuse(DiagId::IoError, shown, "a broken symbolic link");
          continue;
        }
        st = fs::status(resolved, ec);  // stat, not open: says what the target is
        if (!fs::is_directory(st) && !toml) continue;
        if (!Inside(resolved, root_)) {
          Refuse(DiagId::SymlinkOutside, shown, fs::read_symlink(entry, ec).generic_string());
          continue;
        }
        target = resolved;
      }
      if (fs::is_directory(st)) {
        Walk(target, shown, found, depth + 1);
      } else if (toml && fs::is_regular_file(st)) {
        found.push_back({target, shown, false});
      } else if (toml) {
        Refuse(DiagId::NotRegularFile, shown, KindOf(st));
      }
    }
  }

  int refused() const { return refused_; }

 private:
  static constexpr int kMaxDepth = 16;

  void Refuse(DiagId id, const std::string& display, const std::string& what) {
    out_.diags.Report(id, {display, {}, {}}, {display, what});
    if (id == DiagId::IoError) out_.io_error = true;  // unreadable, as a missing path
    ++refused_;
  }

  Compilation& out_;
  fs::path root_;
  std::set<std::string> visited_;
  int refused_ = 0;
};

// The cartsync.toml a path belongs to: in its directory or the one above (a
// carts directory beside its project file), or higher up when the path lies
// below that project's carts.d (carts.d/acme/shopify.toml).
std::optional<fs::path> FindProjectFile(const fs::path& given) {
  std::error_code ec;
  fs::path p = given;
  if (p.filename() == "cartsync.toml" && !fs::is_directory(p, ec)) return p;
  fs::path dir = fs::is_directory(p, ec) ? p : (p.parent_path().empty() ? "." : p.parent_path());
  const fs::path canonical_dir = fs::weakly_canonical(dir, ec);
  fs::path up = dir;
  for (int level = 0; level < 8; ++level, up /= "..") {
    fs::path candidate = up / "cartsync.toml";
    if (level <= 1) {
      if (fs::is_regular_file(candidate, ec)) return candidate;
      continue;
    }
    fs::path rel = canonical_dir.lexically_relative(fs::weakly_canonical(up, ec));
    if (rel.empty() || *rel.begin() != "carts.d") break;
    if (fs::is_regular_file(candidate, ec)) return candidate;
  }
  return std::nullopt;
}

// The paths of one project, in command-line order.
struct ProjectPaths {
  std::optional<fs::path> file;  ///< its cartsync.toml, if any
  fs::path root;                 ///< plan paths are relative to it
  std::string label;             ///< without a file: the directory W0704 names
  std::vector<std::string> given;
};

}  // namespace

void Compile(const CompileOptions& options, Compilation& out) {
  std::vector<std::string> paths =
      options.paths.empty() ? std::vector<std::string>{"."} : options.paths;

  // Pass 1: which project each path belongs to. A project is its
  // cartsync.toml; paths without one group by the directory they are in.
  std::vector<ProjectPaths> projects;
  std::map<std::string, size_t> by_key;
  std::error_code ec;
  for (const std::string& given : paths) {
    fs::path p(given);
    if (!fs::exists(p, ec)) {
      out.diags.Report(DiagId::PathNotFound, {given, {}, {}}, {given});
      out.io_error = true;
      continue;
    }
    ProjectPaths project;
    std::string key;
    if ((project.file = FindProjectFile(p))) {
      project.root = project.file->parent_path().empty() ? "." : project.file->parent_path();
      key = "project:" + fs::weakly_canonical(*project.file, ec).string();
    } else {
      bool dir = fs::is_directory(p, ec);
      fs::path base = dir ? p : (p.parent_path().empty() ? "." : p.parent_path());
      project.root = dir && fs::is_directory(p / "carts.d", ec) ? p : base / "..";
      project.label = Display(base);
      key = "dir:" + fs::weakly_canonical(project.root, ec).string();
    }
    auto [it, inserted] = by_key.emplace(key, projects.size());
    if (inserted) projects.push_back(std::move(project));
    projects[it->second].given.push_back(given);
  }

  // Pass 2: each project on its own, its file first, then every cart file
  // its paths name, sorted by path.
  for (const ProjectPaths& project : projects) {
    Driver driver(options, out);
    if (project.file) {
      std::string text, display = Display(*project.file);
      if (ReadInto(*project.file, display, text, out))
        driver.LoadProject(display, RelativeTo(*project.file, project.root), std::move(text));
    }
    std::vector<CartInput> carts;
    for (const std::string& given : project.given) {
      fs::path p(given);
      if (p.filename() == "cartsync.toml" && !fs::is_directory(p, ec))
        p = p.parent_path().empty() ? "." : p.parent_path();
      fs::file_status st = fs::status(p, ec);
      if (!fs::is_directory(st)) {
        if (fs::is_regular_file(st)) {
          carts.push_back({p, Display(p), true});
        } else {  // a FIFO or device named on the command line: refused, not opened
          out.diags.Report(DiagId::NotRegularFile, {given, {}, {}}, {given, KindOf(st)});
          out.io_error = true;
        }
        continue;
      }
      fs::path dir = p, link_root = p;
      if (project.file && fs::equivalent(p / "cartsync.toml", *project.file, ec)) {
        dir = p / driver.carts_dir();
        link_root = p;
      } else if (!project.file && fs::is_directory(p / "carts.d", ec)) {
        dir = p / "carts.d";
      } else if (project.file) {
        link_root = project.root;
      }
      CartWalk walk(link_root, out);
      const size_t before = carts.size();
      walk.Walk(dir, Display(dir), carts);
      if (carts.size() == before && walk.refused() == 0)
        out.diags.Report(DiagId::NoCartFiles, {Display(dir), {}, {}}, {Display(dir)});
    }
    std::sort(carts.begin(), carts.end(),
              [](const CartInput& a, const CartInput& b) { return a.display < b.display; });
    auto same = [](const CartInput& a, const CartInput& b) { return a.display == b.display; };
    carts.erase(std::unique(carts.begin(), carts.end(), same), carts.end());
    for (const CartInput& cart : carts) {
      std::string text;
      if (ReadInto(cart.read, cart.display, text, out, cart.follow))
        driver.LoadCart(cart.display, RelativeTo(cart.read, project.root), std::move(text));
    }
    driver.Finish(project.label);
  }
}

void CompileTexts(const std::string& project_text,
                  const std::vector<std::pair<std::string, std::string>>& cart_files,
                  const CompileOptions& options, Compilation& out,
                  const std::string& project_display) {
  Driver driver(options, out);
  if (!project_text.empty()) driver.LoadProject(project_display, "cartsync.toml", project_text);
  for (const auto& [path, text] : cart_files) driver.LoadCart(path, path, text);
  driver.Finish();
}

}  // namespace cartsync
