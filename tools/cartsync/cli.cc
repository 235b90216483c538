#include "tools/cartsync/cli.h"

#include <algorithm>
#include <map>
#include <optional>
#include <ostream>
#include <sstream>

#include "compiler/atomic_file.h"
#include "compiler/compiler.h"
#include "compiler/diagnostic_render.h"
#include "compiler/json_schema.h"
#include "compiler/plan.h"
#include "compiler/plan_json.h"
#include "compiler/plan_render.h"

namespace cartsync {

namespace {

constexpr const char* kVersion = "0.1.0";

constexpr const char* kUsage = R"(usage: cartsync <command> [options]

commands:
  check [PATH...]   check cart definitions      --format text|json|sarif|github
  plan [PATH...]    compile an execution plan   -o FILE  --format text|json|markdown
                                                --diff OLD_PLAN.json  --detailed-exitcode
  schema            describe platforms and WMS systems   --json-schema
  help | version

common options:
  --schema DIR      read platform/WMS descriptors from DIR instead of the built-in ones
  --color auto|always|never

PATH is a project directory (with cartsync.toml), a carts directory, or cart
files; the default is the current directory.
)";

// Exit codes per cli.md.
enum Exit { kOk = 0, kErrors = 1, kUsage = 2, kChanges = 2 };

struct Options {
  std::vector<std::string> paths;
  std::optional<std::string> format;
  std::optional<std::string> output;
  std::optional<std::string> diff;
  std::optional<std::string> schema_dir;
  std::string color = "auto";
  bool detailed_exitcode = false;
  bool json_schema = false;
};

// Flags that take a value, and boolean flags, per command.
struct FlagSet {
  std::vector<std::string> valued;
  std::vector<std::string> boolean;
};

bool ParseArgs(const std::vector<std::string>& args, size_t start, const FlagSet& flags,
               Options& o, std::string& error) {
  auto has = [](const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
  };
  for (size_t i = start; i < args.size(); ++i) {
    std::string a = args[i];
    std::optional<std::string> inline_value;
    if (a.rfind("--", 0) == 0 && a.find('=') != std::string::npos) {
      inline_value = a.substr(a.find('=') + 1);
      a = a.substr(0, a.find('='));
    }
    if (a == "--") {
      o.paths.insert(o.paths.end(), args.begin() + static_cast<long>(i) + 1, args.end());
      return true;
    }
    if (a.size() > 1 && a[0] == '-') {
      if (has(flags.boolean, a) && !inline_value) {
        if (a == "--detailed-exitcode") o.detailed_exitcode = true;
        if (a == "--json-schema") o.json_schema = true;
        continue;
      }
      if (!has(flags.valued, a)) {
        error = "unknown option " + a;
        return false;
      }
      std::string value;
      if (inline_value) {
        value = *inline_value;
      } else if (i + 1 < args.size()) {
        value = args[++i];
      } else {
        error = "option " + a + " needs a value";
        return false;
      }
      if (a == "--format") o.format = value;
      else if (a == "-o" || a == "--output") o.output = value;
      else if (a == "--diff") o.diff = value;
      else if (a == "--schema") o.schema_dir = value;
      else if (a == "--color") o.color = value;
      continue;
    }
    o.paths.push_back(a);
  }
  if (o.color != "auto" && o.color != "always" && o.color != "never") {
    error = "--color must be auto, always or never";
    return false;
  }
  return true;
}

class Cli {
 public:
  Cli(std::ostream& out, std::ostream& err, const CliEnv& env) : out_(out), err_(err), env_(env) {}

  int Run(const std::vector<std::string>& args) {
    if (args.empty()) return Usage("");
    const std::string& cmd = args[0];
    if (cmd == "help" || cmd == "--help" || cmd == "-h") {
      out_ << kUsage;
      return kOk;
    }
    if (cmd == "version" || cmd == "--version") {
      out_ << "cartsync " << kVersion << "\n";
      return kOk;
    }
    FlagSet common{{"--schema", "--color"}, {}};
    Options o;
    std::string error;
    if (cmd == "check") {
      common.valued.push_back("--format");
      if (!ParseArgs(args, 1, common, o, error)) return Usage(error);
      return Check(o);
    }
    if (cmd == "plan") {
      common.valued.insert(common.valued.end(), {"--format", "-o", "--output", "--diff"});
      common.boolean.push_back("--detailed-exitcode");
      if (!ParseArgs(args, 1, common, o, error)) return Usage(error, kErrors);
      return PlanCommand(o);
    }
    if (cmd == "schema") {
      common.boolean.push_back("--json-schema");
      if (!ParseArgs(args, 1, common, o, error)) return Usage(error, kErrors);
      return SchemaCommand(o);
    }
    if (cmd == "run" || cmd == "state" || cmd == "fmt") {
      err_ << "cartsync: '" << cmd << "' is not available in this build yet\n";
      return kUsage;
    }
    return Usage("unknown command '" + cmd + "'");
  }

 private:
  int Usage(const std::string& error, int code = kUsage) {
    if (!error.empty()) err_ << "cartsync: " << error << "\n\n";
    err_ << kUsage;
    return code;
  }

  bool Color() const {
    return env_.stdout_is_tty && !env_.no_color;
  }

  // Loads --schema DIR when given; reports its problems like any diagnostics.
  bool LoadSchemaOption(const Options& o, Schema& custom, const Schema*& schema) {
    schema = &BuiltinSchema();
    if (!o.schema_dir) return true;
    DiagnosticEngine diags;
    if (!LoadSchemaDir(*o.schema_dir, custom, diags)) {
      SourceManager none;
      RenderDiagnostics(diags.Sorted(), diags.errors(), diags.warnings(), none, DiagFormat::Text, err_);
      return false;
    }
    schema = &custom;
    return true;
  }

  void CompileWith(const Options& o, const Schema* schema, Compilation& c) {
    CompileOptions options;
    options.paths = o.paths;
    options.schema = schema;
    options.today = env_.today;
    Compile(options, c);
  }

  int Check(const Options& o) {
    DiagFormat format = DiagFormat::Text;
    if (o.format) {
      auto f = ParseDiagFormat(*o.format);
      if (!f) return Usage("--format must be text, json, sarif or github");
      format = *f;
    }
    Schema custom;
    const Schema* schema;
    if (!LoadSchemaOption(o, custom, schema)) return kUsage;
    Compilation c;
    CompileWith(o, schema, c);
    RenderOptions ro;
    ro.color = o.color == "always" || (o.color == "auto" && Color());
    ro.tool_version = kVersion;
    RenderDiagnostics(c.diags.Sorted(), c.diags.errors(), c.diags.warnings(), c.sources, format,
                      out_, ro);
    if (format == DiagFormat::Text && !c.diags.has_errors())
      out_ << "checked " << c.files_checked << (c.files_checked == 1 ? " file" : " files") << ", "
           << c.carts.size() << (c.carts.size() == 1 ? " cart" : " carts") << ": ok\n";
    if (c.io_error) return kUsage;
    return c.diags.has_errors() ? kErrors : kOk;
  }

  int PlanCommand(const Options& o) {
    std::string format = o.format.value_or(o.output && !o.diff ? "json" : "text");
    if (format != "text" && format != "json" && format != "markdown")
      return Usage("--format must be text, json or markdown", kErrors);
    if (o.detailed_exitcode && !o.diff)
      return Usage("--detailed-exitcode needs --diff OLD_PLAN.json", kErrors);
    Schema custom;
    const Schema* schema;
    if (!LoadSchemaOption(o, custom, schema)) return kErrors;
    Compilation c;
    CompileWith(o, schema, c);
    // Diagnostics go to stderr so stdout stays the plan.
    if (!c.diags.diagnostics().empty()) {
      RenderOptions ro;
      ro.color = o.color == "always";
      RenderDiagnostics(c.diags.Sorted(), c.diags.errors(), c.diags.warnings(), c.sources,
                        DiagFormat::Text, err_, ro);
    }
    if (c.diags.has_errors() || c.io_error) {
      err_ << "cartsync: no plan written: fix the errors above\n";
      return kErrors;
    }
    Plan plan = BuildPlan(c);
    std::string json = PlanToJson(plan);

    std::ostringstream rendered;
    std::vector<PlanChange> changes;
    if (o.diff) {
      Plan old;
      std::string text, error;
      if (!ReadFileBytes(*o.diff, text, error)) {
        err_ << "cartsync: cannot read " << *o.diff << ": " << error << "\n";
        return kErrors;
      }
      if (!PlanFromJson(text, old, error)) {
        err_ << "cartsync: " << *o.diff << " is not a cartsync plan: " << error << "\n";
        return kErrors;
      }
      changes = DiffPlans(old, plan);
      if (format == "json") RenderDiffJson(changes, rendered);
      else if (format == "markdown") RenderDiffMarkdown(changes, rendered);
      else RenderDiffText(changes, rendered);
      if (o.output && !Write(*o.output, json)) return kErrors;
      out_ << rendered.str();
      return o.detailed_exitcode && !changes.empty() ? kChanges : kOk;
    }
    if (format == "json") rendered << json;
    else if (format == "markdown") RenderPlanMarkdown(plan, rendered);
    else RenderPlanText(plan, rendered);
    if (o.output) {
      if (!Write(*o.output, rendered.str())) return kErrors;
      err_ << "plan written to " << *o.output << " (" << plan.carts.size() << " carts)\n";
    } else {
      out_ << rendered.str();
    }
    return kOk;
  }

  bool Write(const std::string& path, const std::string& content) {
    std::string error;
    if (WriteFileAtomic(path, content, error)) return true;
    err_ << "cartsync: " << error << "\n";
    return false;
  }

  int SchemaCommand(const Options& o) {
    Schema custom;
    const Schema* schema;
    if (!LoadSchemaOption(o, custom, schema)) return kErrors;
    if (o.json_schema) out_ << CartJsonSchema(*schema);
    else DescribeSchema(*schema, out_);
    return kOk;
  }

  std::ostream& out_;
  std::ostream& err_;
  const CliEnv& env_;
};

}  // namespace

int RunCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
           const CliEnv& env) {
  return Cli(out, err, env).Run(args);
}

}  // namespace cartsync
