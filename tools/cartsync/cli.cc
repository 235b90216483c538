#include "tools/cartsync/cli.h"

#include <algorithm>
#include <map>
#include <optional>
#include <ostream>
#include <sstream>

#include "base/atomic_file.h"
#include "tools/cartsync/args.h"
#include "tools/cartsync/commands.h"
include "compiler/compiler.h"
#include "compiler/planner.h"
#include "compiler/diagnostic_render.h"
#include "compiler/json_schema.h"
#include "model/plan.h"
#include "model/plan_json.h"
#include "compiler/plan_render.h"

namespace cartsync {

namespace {

constexpr const char* kVersion = "0.1.0";

constexpr const char* kUsageText = R"(usage: cartsync <command> [options]

commands:
  check [PATH...]   check cart definitions      --format text|json|sarif|github
  plan [PATH...]    compile an execution plan   -o FILE  --format text|json|markdown
                                                --diff OLD_PLAN.json  --detailed-exitcode
  run [PLAN.json|PATH]  carry out the plan      --dry-run --due --cart ID --service NAME
                                                --state URL --report FILE --metrics FILE
                                                --log-format text|json --concurrency N
                                                --http-timeout SECONDS (cap per HTTP attempt)
                                                --max-attempts N (per HTTP request, default 5)
                                                --wms-connections N (orders pushed at once per
                                                cart to an http WMS, default 4)
  state SUBCOMMAND  inspect the state store     orders [--status S] [--cart ID], show KEY,
                                                resend KEY, runs, unlock CART; --format json
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

class Cli {
 public:
  Cli(std::ostream& out, std::ostream& err, const CliEnv& env) : out_(out), err_(err), env_(env) {}

  int Run(const std::vector<std::string>& args) {
    if (args.empty()) return Usage("");
    const std::string& cmd = args[0];
    if (cmd == "help" || cmd == "--help" || cmd == "-h") {
      out_ << kUsageText;
      return kOk;
    }
    if (cmd == "version" || cmd == "--version") {
      out_ << "cartsync " << kVersion << "\n";
      return kOk;
    }
    ArgSpec common{{"--schema", "--color"}, {}};
    Args o;
    std::string error;
    if (cmd == "check") {
      common.valued.push_back("--format");
      if (!o.Parse(args, 1, common, error) || !ValidColor(o, error)) return Usage(error);
      return Check(o);
    }
    if (cmd == "plan") {
      common.valued.insert(common.valued.end(), {"--format", "-o", "--output", "--diff"});
      common.boolean.push_back("--detailed-exitcode");
      if (!o.Parse(args, 1, common, error) || !ValidColor(o, error)) return Usage(error, kErrors);
      return PlanCommand(o);
    }
    if (cmd == "schema") {
      common.boolean.push_back("--json-schema");
      if (!o.Parse(args, 1, common, error)) return Usage(error, kErrors);
      return SchemaCommand(o);
    }
    if (cmd == "run") return RunCommand(args, out_, err_, env_);
    if (cmd == "state") return StateCommand(args, out_, err_, env_);
    if (cmd == "fmt") {
      err_ << "cartsync: 'fmt' is not available in this build yet\n";
      return kUsage;
    }
    return Usage("unknown command '" + cmd + "'");
  }

 private:
  int Usage(const std::string& error, int code = kUsage) {
    if (!error.empty()) err_ << "cartsync: " << error << "\n\n";
    err_ << kUsageText;
    return code;
  }

  static bool ValidColor(const Args& o, std::string& error) {
    std::string c = o.Get("--color").value_or("auto");
    if (c == "auto" || c == "always" || c == "never") return true;
    error = "--color must be auto, always or never";
    return false;
  }

  bool Color(const Args& o) const {
    std::string c = o.Get("--color").value_or("auto");
    return c == "always" || (c == "auto" && env_.stdout_is_tty && !env_.no_color);
  }

  // Loads --schema DIR when given; reports its problems like any diagnostics.
  bool LoadSchemaOption(const Args& o, Schema& custom, const Schema*& schema) {
    schema = &BuiltinSchema();
    auto dir = o.Get("--schema");
    if (!dir) return true;
    DiagnosticEngine diags;
    if (!LoadSchemaDir(*dir, custom, diags)) {
      SourceManager none;
      RenderDiagnostics(diags.Sorted(), diags.errors(), diags.warnings(), none, DiagFormat::Text, err_);
      return false;
    }
    schema = &custom;
    return true;
  }

  void CompileWith(const Args& o, const Schema* schema, Compilation& c) {
    CompileOptions options;
    options.paths = o.positional();
    options.schema = schema;
    options.today = env_.today;
    Compile(options, c);
  }

  int Check(const Args& o) {
    DiagFormat format = DiagFormat::Text;
    if (auto name = o.Get("--format")) {
      auto f = ParseDiagFormat(*name);
      if (!f) return Usage("--format must be text, json, sarif or github");
      format = *f;
    }
    Schema custom;
    const Schema* schema;
    if (!LoadSchemaOption(o, custom, schema)) return kUsage;
    Compilation c;
    CompileWith(o, schema, c);
    RenderOptions ro;
    ro.color = Color(o);
    ro.tool_version = kVersion;
    RenderDiagnostics(c.diags.Sorted(), c.diags.errors(), c.diags.warnings(), c.sources, format,
                      out_, ro);
    if (format == DiagFormat::Text && !c.diags.has_errors())
      out_ << "checked " << c.files_checked << (c.files_checked == 1 ? " file" : " files") << ", "
           << c.carts.size() << (c.carts.size() == 1 ? " cart" : " carts") << ": ok\n";
    if (c.io_error) return kUsage;
    return c.diags.has_errors() ? kErrors : kOk;
  }

  int PlanCommand(const Args& o) {
    std::optional<std::string> output = o.Get("-o") ? o.Get("-o") : o.Get("--output");
    std::optional<std::string> diff = o.Get("--diff");
    bool detailed_exitcode = o.Has("--detailed-exitcode");
    std::string format = o.Get("--format").value_or(output && !diff ? "json" : "text");
    if (format != "text" && format != "json" && format != "markdown")
      return Usage("--format must be text, json or markdown", kErrors);
    if (detailed_exitcode && !diff)
      return Usage("--detailed-exitcode needs --diff OLD_PLAN.json", kErrors);
    Schema custom;
    const Schema* schema;
    if (!LoadSchemaOption(o, custom, schema)) return kErrors;
    Compilation c;
    CompileWith(o, schema, c);
    // Diagnostics go to stderr so stdout stays the plan.
    if (!c.diags.diagnostics().empty()) {
      RenderOptions ro;
      ro.color = o.Get("--color") == "always";
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
    if (diff) {
      Plan old;
      std::string text, error;
      if (!ReadFileBytes(*diff, text, error)) {
        err_ << "cartsync: cannot read " << *diff << ": " << error << "\n";
        return kErrors;
      }
      if (!PlanFromJson(text, old, error)) {
        err_ << "cartsync: " << *diff << " is not a cartsync plan: " << error << "\n";
        return kErrors;
      }
      changes = DiffPlans(old, plan);
      if (format == "json") RenderDiffJson(changes, rendered);
      else if (format == "markdown") RenderDiffMarkdown(changes, rendered);
      else RenderDiffText(changes, rendered);
      if (output && !Write(*output, json)) return kErrors;
      out_ << rendered.str();
      return detailed_exitcode && !changes.empty() ? kChanges : kOk;
    }
    if (format == "json") rendered << json;
    else if (format == "markdown") RenderPlanMarkdown(plan, rendered);
    else RenderPlanText(plan, rendered);
    if (output) {
      if (!Write(*output, rendered.str())) return kErrors;
      err_ << "plan written to " << *output << " (" << plan.carts.size() << " carts)\n";
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

  int SchemaCommand(const Args& o) {
    Schema custom;
    const Schema* schema;
    if (!LoadSchemaOption(o, custom, schema)) return kErrors;
    if (o.Has("--json-schema")) out_ << CartJsonSchema(*schema);
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
