// `cartsync fmt`: the files `check` reads, in the canonical layout
// (compiler/formatter.h). Exit 0 done; 1 a file does not parse, could not be
// formatted or written, or (--check) would change; 2 a missing path or a
// --schema DIR that does not load (usage errors are cli.cc's).
#include <sys/stat.h>

#include <filesystem>
#include <iostream>
#include <ostream>
#include <set>

#include "base/atomic_file.h"
#include "compiler/compiler.h"
#include "compiler/diagnostic_render.h"
#include "compiler/editor_input.h"
#include "compiler/formatter.h"
#include "compiler/line_diff.h"
#include "compiler/safe_text.h"
#include "tools/cartsync/commands.h"

namespace cartsync {

namespace {

namespace fs = std::filesystem;

enum Exit { kOk = 0, kFailed = 1, kIo = 2 };

// How --diff shows a line of a cart file: what a diagnostic snippet would
// mask (a secret-named key's value, credential-like strings) as '*', and
// terminal controls escaped.
std::string ShownLine(std::string_view line) {
  std::string masked;
  size_t i = 0;
  for (auto [begin, end] : FindSecretSpansInTomlLine(line)) {
    masked.append(line.substr(i, begin - i));
    for (size_t j = begin; j < end;) {
      size_t n = DecodeUtf8(line, j).length;
      j += n == 0 ? 1 : n;
      masked += '*';
    }
    i = end;
  }
  if (i < line.size()) masked.append(line.substr(i));
  return EscapeControls(masked, "\t");
}

// The path as Compile shows it (compiler.cc Display).
std::string Display(const fs::path& p) {
  std::string s = p.lexically_normal().generic_string();
  if (s.size() > 1 && s.back() == '/') s.pop_back();
  return s.empty() ? "." : s;
}

// Diagnostics about finding files (E0101, E0107, E0108 and what comes after
// the content checks): the content ones (E0102-E0106, E0109) are the
// formatter's to report, and semantic ones are `check`'s business.
bool AboutFinding(const Diagnostic& d) {
  if (d.code.rfind("E01", 0) != 0) return false;
  static const std::set<std::string> content = {"E0102", "E0103", "E0104",
                                                "E0105", "E0106", "E0109"};
  return content.count(d.code) == 0;
}

class Formatter {
 public:
  Formatter(const FmtFlags& f, std::ostream& out, std::ostream& err, const CliEnv& env)
      : f_(f), out_(out), err_(err), env_(env) {}

  int Run() {
    if (!LoadSchema()) return kIo;
    return f_.stdin_filename ? Stdin(*f_.stdin_filename) : Files();
  }

 private:
  bool LoadSchema() {
    schema_ = &BuiltinSchema();
    if (!f_.schema_dir) return true;
    DiagnosticEngine diags;
    if (!LoadSchemaDir(*f_.schema_dir, custom_, diags)) {
      SourceManager none;
      RenderDiagnostics(diags.Sorted(), diags.errors(), diags.warnings(), none, DiagFormat::Text,
                        err_);
      return false;
    }
    schema_ = &custom_;
    return true;
  }

  FormatResult Format(const SourceFile& file, DiagnosticEngine& diags) const {
    FormatOptions options;
    options.kind = FormatKindOf(file.path());
    options.schema = schema_;
    FormatResult r = FormatSource(file, options, diags);
    if (r.status == FormatStatus::Unproven)
      err_ << "cartsync fmt: internal error: " << EscapeControls(file.path()) << ": " << r.detail
           << "; the file is left as it is\n";
    return r;
  }

  void ShowDiagnostics(const DiagnosticEngine& diags, const SourceManager& sources) {
    if (diags.diagnostics().empty()) return;
    RenderDiagnostics(diags.Sorted(), diags.errors(), diags.warnings(), sources, DiagFormat::Text,
                      err_);
  }

  // Standard input as the file `display`: the formatted text on standard
  // output (nothing with --check; the diff with --diff).
  int Stdin(const std::string& display) {
    SourceManager sources;
    const SourceFile& file = sources.Add(display, ReadInput(env_.in ? *env_.in : std::cin));
    DiagnosticEngine diags;
    FormatResult r = Format(file, diags);
    ShowDiagnostics(diags, sources);
    if (r.status != FormatStatus::Formatted) return kFailed;
    if (f_.diff) out_ << UnifiedDiff(file.content(), r.text, display, ShownLine);
    if (!f_.check && !f_.diff) out_ << r.text;
    return f_.check && r.changed ? kFailed : kOk;
  }

  // Whether the command line asks for the file `path` (as Compile shows it):
  // a file named on it, a cart below a directory named on it, or the
  // cartsync.toml of a project directory named on it. Not the project file a
  // cart file or carts directory leads to, nor the carts of a cartsync.toml
  // named alone (pre-commit passes exactly the changed files).
  static bool Requested(const std::string& path, const std::vector<std::string>& paths) {
    std::error_code ec;
    const bool project = FormatKindOf(path) == FormatKind::Project;
    for (const std::string& given : paths) {
      const fs::path p(given);
      const std::string shown = Display(p);
      if (!fs::is_directory(p, ec)) {
        if (shown == path) return true;
        continue;
      }
      if (project) {
        if (Display(p / "cartsync.toml") == path) return true;
        continue;
      }
      if (shown == "." ? path.rfind("../", 0) != 0 && path[0] != '/'
                       : path.rfind(shown + "/", 0) == 0)
        return true;
    }
    return false;
  }

  int Files() {
    const std::vector<std::string> paths =
        f_.paths.empty() ? std::vector<std::string>{"."} : f_.paths;
    // The files are those `check` reads: the compiler finds them.
    CompileOptions options;
    options.paths = paths;
    options.schema = schema_;
    options.today = env_.today;
    Compilation c;
    Compile(options, c);
    std::vector<Diagnostic> finding;
    for (const Diagnostic& d : c.diags.Sorted())
      if (AboutFinding(d)) finding.push_back(d);
    DiagnosticEngine diags;
    int code = kOk;
    for (const std::string& path : c.sources.Paths()) {
      if (!Requested(path, paths)) continue;
      const SourceFile& file = *c.sources.Find(path);
      FormatResult r = Format(file, diags);
      if (r.status != FormatStatus::Formatted) {
        code = kFailed;
        continue;
      }
      if (!r.changed) continue;
      if (f_.diff) out_ << UnifiedDiff(file.content(), r.text, path, ShownLine);
      if (f_.check) {
        if (!f_.diff) out_ << EscapeControls(path) << "\n";
        code = kFailed;
        continue;
      }
      std::string error;
      if (!Write(path, r.text, error)) {
        err_ << "cartsync fmt: " << EscapeControls(error) << "\n";
        code = kFailed;
        continue;
      }
      if (!f_.diff) out_ << EscapeControls(path) << "\n";
    }
    std::vector<Diagnostic> all = finding;
    for (const Diagnostic& d : diags.Sorted()) all.push_back(d);
    if (!all.empty()) {
      int errors = 0, warnings = 0;
      for (const Diagnostic& d : all) (d.severity == Severity::Error ? errors : warnings) += 1;
      RenderDiagnostics(all, errors, warnings, c.sources, DiagFormat::Text, err_);
    }
    return c.io_error ? kIo : code;
  }

  // Atomically, with the file's permission bits.
  // A symlinked file is written where it points, so the link stays a link.
  static bool Write(const std::string& path, const std::string& text, std::string& error) {
    std::error_code ec;
    std::string target = fs::is_symlink(path, ec) ? fs::canonical(path, ec).string() : path;
    if (ec) target = path;
    struct stat st {};
    if (::stat(target.c_str(), &st) != 0) return WriteFileAtomic(target, text, error);
    return WriteFileAtomic(target, text, error, static_cast<unsigned>(st.st_mode & 07777));
  }

  const FmtFlags& f_;
  std::ostream& out_;
  std::ostream& err_;
  const CliEnv& env_;
  Schema custom_;
  const Schema* schema_ = nullptr;
};

}  // namespace

int FmtCommand(const FmtFlags& flags, std::ostream& out, std::ostream& err, const CliEnv& env) {
  return Formatter(flags, out, err, env).Run();
}

}  // namespace cartsync
