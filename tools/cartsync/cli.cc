#include "tools/cartsync/cli.h"

#include <iostream>
#include <optional>
#include <ostream>
#include <sstream>

#include "base/atomic_file.h"
#include "base/build_info.h"
#include "base/suggest.h"
#include "base/version.h"
#include "compiler/compiler.h"
#include "compiler/diagnostic_render.h"
#include "compiler/editor_input.h"
#include "compiler/json_schema.h"
#include "compiler/plan_graph.h"
#include "compiler/plan_render.h"
#include "compiler/planner.h"
#include "model/plan.h"
#include "model/plan_json.h"
#include "tools/cartsync/commands.h"
#include "tools/cartsync/help_render.h"
#include "tools/cartsync/options.h"
#include "tools/cartsync/plan_git.h"

namespace cartsync {

namespace {

// Exit codes per cli.md.
enum Exit { kOk = 0, kErrors = 1, kUsage = 2, kChanges = 2 };

class Cli {
 public:
  Cli(std::ostream& out, std::ostream& err, const CliEnv& env) : out_(out), err_(err), env_(env) {}

  int Run(const std::vector<std::string>& args) {
    if (args.empty()) return Usage("");
    const std::string& cmd = args[0];
    if (cmd == "help" || cmd == "--help" || cmd == "-h") {
      // `help COMMAND` is `COMMAND --help`.
      const CommandSpec* c = args.size() > 1 ? FindCommand(args[1]) : nullptr;
      if (args.size() > 1 && c == nullptr) return UnknownCommand(args[1]);
      out_ << (c != nullptr ? CommandHelp(*c) : GlobalUsage());
      return kOk;
    }
    if (cmd == "version" || cmd == "--version") {
      if (args.size() > 1) {
        command_ = "version";
        return Usage(AsksForHelp({args.begin() + 1, args.end()})
                         ? "takes no options (it prints the version)"
                         : "unexpected argument " + args[1]);
      }
      out_ << "cartsync " << kCartsyncVersion << " (commit " << kCartsyncCommit << ")\n";
      return kOk;
    }
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    if (FindCommand(cmd) != nullptr) command_ = cmd;
    if (const CommandSpec* c = FindCommand(cmd); c != nullptr && AsksForHelp(rest)) {
      out_ << CommandHelp(*c);
      return kOk;
    }
    if (cmd == "completion") {
      auto flags = ParseCompletionFlags(rest);
      if (!flags.ok()) return Usage(flags.error.message);
      out_ << CompletionScript(flags.flags->shell);
      return kOk;
    }
    if (cmd == "man") {
      auto flags = ParseManFlags(rest);
      return flags.ok() ? ManCommand(*flags.flags) : Usage(flags.error.message);
    }
    if (cmd == "check") {
      auto flags = ParseCheckFlags(rest);
      return flags.ok() ? Check(*flags.flags) : Usage(flags.error.message);
    }
    if (cmd == "plan") {
      auto flags = ParsePlanFlags(rest);
      return flags.ok() ? PlanCommand(*flags.flags) : Usage(flags.error.message);
    }
    if (cmd == "schema") {
      auto flags = ParseSchemaFlags(rest);
      return flags.ok() ? SchemaCommand(*flags.flags) : Usage(flags.error.message);
    }
    if (cmd == "run") {
      auto flags = ParseRunFlags(rest);
      if (!flags.ok()) return Usage(flags.error.message);
      return RunCommand(*flags.flags, out_, err_, env_);
    }
    if (cmd == "state") {
      auto flags = ParseStateFlags(rest);
      if (!flags.ok() && flags.error.message.empty()) {
        std::string names;
        for (const std::string& s : FindCommand("state")->subcommands)
          names += (names.empty() ? "" : ", ") + s;
        return Usage("give a subcommand: " + names);
      }
      if (!flags.ok()) return Usage(flags.error.message);
      return StateCommand(*flags.flags, out_, err_);
    }
    if (cmd == "doctor") {
      auto flags = ParseDoctorFlags(rest);
      return flags.ok() ? DoctorCommand(*flags.flags, out_, err_, env_)
                        : Usage(flags.error.message);
    }
    if (cmd == "fmt") {
      auto flags = ParseFmtFlags(rest);
      return flags.ok() ? FmtCommand(*flags.flags, out_, err_, env_) : Usage(flags.error.message);
    }
    return UnknownCommand(cmd);
  }

 private:
  /// A usage error (exit 2): the message, naming the bad argument, then a
  /// pointer to the command's --help rather than the whole usage text. With
  /// no message and no command (`cartsync` alone), the usage text.
  int Usage(const std::string& error, int code = kUsage) {
    if (error.empty() && command_.empty()) {
      err_ << GlobalUsage();
      return code;
    }
    const std::string who = command_.empty() ? "cartsync" : "cartsync " + command_;
    err_ << who << ": " << error << "\nsee '" << who << " --help'\n";
    return code;
  }

  int UnknownCommand(const std::string& word) {
    std::vector<std::string> names;
    for (const CommandSpec& c : CommandTable()) names.push_back(c.name);
    auto closest = ClosestMatch(word, names);
    command_.clear();
    return Usage("unknown command '" + word + "'" +
                 (closest ? "; did you mean '" + *closest + "'?" : std::string()));
  }

  /// --help or -h before any `--`.
  static bool AsksForHelp(const std::vector<std::string>& args) {
    for (const std::string& a : args) {
      if (a == "--") return false;
      if (a == "--help" || a == "-h") return true;
    }
    return false;
  }

  /// `cartsync man [COMMAND]`, or every page into --directory DIR.
  int ManCommand(const ManFlags& f) {
    if (!f.directory) {
      out_ << ManPage(f.command.empty() ? nullptr : FindCommand(f.command));
      return kOk;
    }
    for (const auto& [name, text] : AllManPages())
      if (!Write(*f.directory + "/" + name, text)) return kErrors;
    return kOk;
  }

  // Loads --schema DIR when given; reports its problems like any diagnostics.
  bool LoadSchemaOption(const std::optional<std::string>& dir, Schema& custom,
                        const Schema*& schema) {
    schema = &BuiltinSchema();
    if (!dir) return true;
    DiagnosticEngine diags;
    if (!LoadSchemaDir(*dir, custom, diags)) {
      SourceManager none;
      RenderDiagnostics(diags.Sorted(), diags.errors(), diags.warnings(), none, DiagFormat::Text,
                        err_);
      return false;
    }
    schema = &custom;
    return true;
  }

  void CompileWith(const std::vector<std::string>& paths, const Schema* schema, Compilation& c,
                   bool release_clean_sources = false) {
    CompileOptions options;
    options.paths = paths;
    options.schema = schema;
    options.today = env_.today;
    options.release_clean_sources = release_clean_sources;
    Compile(options, c);
  }

  int Check(const CheckFlags& f) {
    Schema custom;
    const Schema* schema;
    if (!LoadSchemaOption(f.schema_dir, custom, schema)) return kUsage;
    Compilation c;
    if (f.stdin_filename) {  // one cart from an editor or pre-commit (editor_input.h)
      CompileOptions options;
      options.schema = schema;
      options.today = env_.today;
      CompileBuffer(options, *f.stdin_filename, ReadInput(env_.in ? *env_.in : std::cin), c);
    } else {
      CompileWith(f.paths, schema, c, /*release_clean_sources=*/true);
    }
    RenderOptions ro;
    ro.color = f.color == ColorMode::Always ||
               (f.color == ColorMode::Auto && env_.stdout_is_tty && !env_.no_color);
    ro.tool_version = kCartsyncVersion;
    RenderDiagnostics(c.diags.Sorted(), c.diags.errors(), c.diags.warnings(), c.sources, f.format,
                      out_, ro);
    if (f.format == DiagFormat::Text && !c.diags.has_errors())
      out_ << "checked " << c.files_checked << (c.files_checked == 1 ? " file" : " files") << ", "
           << c.carts.size() << (c.carts.size() == 1 ? " cart" : " carts") << ": ok\n";
    if (c.io_error) return kUsage;
    return c.diags.has_errors() ? kErrors : kOk;
  }

  int PlanCommand(const PlanFlags& f) {
    Schema custom;
    const Schema* schema;
    if (!LoadSchemaOption(f.schema_dir, custom, schema)) return kErrors;
    Compilation c;
    CompileWith(f.paths, schema, c);
    // Diagnostics go to stderr so stdout stays the plan.
    if (!c.diags.diagnostics().empty()) {
      RenderOptions ro;
      ro.color = f.color == ColorMode::Always;
      RenderDiagnostics(c.diags.Sorted(), c.diags.errors(), c.diags.warnings(), c.sources,
                        DiagFormat::Text, err_, ro);
    }
    if (c.diags.has_errors() || c.io_error) {
      err_ << "cartsync: no plan written: fix the errors above\n";
      return kErrors;
    }
    // A plan is one project's, and its carts send orders to a WMS.
    if (c.projects > 1) {
      err_ << "cartsync: no plan written: the paths belong to " << c.projects
           << " projects; plan one project at a time\n";
      return kErrors;
    }
    if (c.project.wms.empty()) {
      err_ << "cartsync: no plan written: a plan needs a WMS connection; declare one as "
              "[wms.NAME] in cartsync.toml\n";
      return kErrors;
    }
    Plan plan = BuildPlan(c);
    std::string json = PlanToJson(plan);

    std::ostringstream rendered;
    MarkdownOptions md;  // the markdown views' title and part size (--max-bytes)
    md.max_bytes = f.max_bytes;
    if (f.diff_git) {
      CompileOptions at_ref;
      at_ref.paths = f.paths;
      at_ref.schema = schema;
      at_ref.today = env_.today;
      Plan old;
      if (!PlanAtRef(*SystemGit(), *f.diff_git, at_ref, old, err_)) return kErrors;
      md.title = "cartsync plan: changes since " + *f.diff_git;
      std::vector<PlanChange> changes = DiffPlans(old, plan);
      if (f.format == PlanFormat::Markdown) {
        if (!Emit(f, DiffMarkdownParts(changes, md))) return kErrors;
      } else {
        (f.format == PlanFormat::Json ? RenderDiffJson : RenderDiffText)(changes, rendered);
        if (!Write(f.output.value_or("-"), rendered.str())) return kErrors;
      }
      return f.detailed_exitcode && !changes.empty() ? kChanges : kOk;
    }
    if (f.diff) {
      Plan old;
      std::string text, error;
      if (!ReadFileBytes(*f.diff, text, error)) {
        err_ << "cartsync: cannot read " << *f.diff << ": " << error << "\n";
        return kErrors;
      }
      if (!PlanFromJson(text, old, error)) {
        err_ << "cartsync: " << *f.diff << " is not a cartsync plan: " << error << "\n";
        return kErrors;
      }
      std::vector<PlanChange> changes = DiffPlans(old, plan);
      switch (f.format) {
        case PlanFormat::Json:
          RenderDiffJson(changes, rendered);
          break;
        case PlanFormat::Markdown:
          md.title = "cartsync plan: changes since " + *f.diff;
          WriteMarkdownParts(DiffMarkdownParts(changes, md), rendered);
          break;
        case PlanFormat::Text:
        case PlanFormat::Html:  // refused with --diff (ParsePlanFlags)
        case PlanFormat::Dot:
          RenderDiffText(changes, rendered);
          break;
      }
      if (f.output && !Write(*f.output, json)) return kErrors;
      out_ << rendered.str();
      return f.detailed_exitcode && !changes.empty() ? kChanges : kOk;
    }
    switch (f.format) {
      case PlanFormat::Json:
        rendered << json;
        break;
      case PlanFormat::Markdown:
        if (!Emit(f, PlanMarkdownParts(plan, md))) return kErrors;
        return kOk;
      case PlanFormat::Text:
        RenderPlanText(plan, rendered);
        break;
      case PlanFormat::Html:
        RenderPlanHtml(plan, rendered);
        break;
      case PlanFormat::Dot:
        RenderPlanDot(plan, rendered);
        break;
    }
    if (f.output && *f.output != "-") {
      if (!Write(*f.output, rendered.str())) return kErrors;
      err_ << "plan written to " << *f.output << " (" << plan.carts.size() << " carts)\n";
    } else {
      out_ << rendered.str();
    }
    return kOk;
  }

  /// Markdown parts: to -o FILE, FILE.2.md, … (plan_git.h), else to stdout, each part
  /// after a `<!-- cartsync plan part K of N -->` line when there are several.
  bool Emit(const PlanFlags& f, const std::vector<std::string>& parts) {
    if (!f.output || *f.output == "-") {
      WriteMarkdownParts(parts, out_);
      return true;
    }
    std::vector<std::string> written;
    std::string error;
    if (!WriteMarkdownPartFiles(parts, *f.output, written, error)) {
      err_ << "cartsync: " << error << "\n";
      return false;
    }
    err_ << "plan written to " << written.front();
    if (written.size() > 1) err_ << " … " << written.back() << " (" << written.size() << " parts)";
    err_ << "\n";
    return true;
  }

  /// Writes `content` to `path` atomically; "-" is standard output.
  bool Write(const std::string& path, const std::string& content) {
    if (path == "-") {
      out_ << content;
      return true;
    }
    std::string error;
    if (WriteFileAtomic(path, content, error)) return true;
    err_ << "cartsync: " << error << "\n";
    return false;
  }

  int SchemaCommand(const SchemaFlags& f) {
    Schema custom;
    const Schema* schema;
    if (!LoadSchemaOption(f.schema_dir, custom, schema)) return kErrors;
    if (f.json_schema)
      out_ << (f.project ? ProjectJsonSchema(*schema) : CartJsonSchema(*schema));
    else
      DescribeSchema(*schema, out_);
    return kOk;
  }

  std::ostream& out_;
  std::ostream& err_;
  const CliEnv& env_;
  std::string command_;  ///< the command being run, for usage errors; "" = none yet
};

}  // namespace

int RunCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
           const CliEnv& env) {
  return Cli(out, err, env).Run(args);
}

}  // namespace cartsync
