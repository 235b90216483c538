#include <filesystem>
#include <ostream>
#include <sstream>

#include "base/atomic_file.h"
include "compiler/compiler.h"
#include "compiler/planner.h"
#include "compiler/diagnostic_render.h"
#include "model/plan.h"
#include "model/plan_json.h"
#include "runtime/environment.h"
#include "runtime/report.h"
#include "runtime/runner.h"
#include "runtime/state/state_store.h"
#include "tools/cartsync/args.h"
#include "tools/cartsync/commands.h"

namespace cartsync {

namespace {

namespace fs = std::filesystem;

constexpr int kOk = 0, kConfigError = 1, kStepFailed = 3;

// A plan file is read as is; anything else is compiled first. `base_dir`
// becomes where relative state paths, secret files and WMS dirs resolve:
// the project root, or the current directory for a plan file.
bool LoadPlan(const std::string& input, const CliEnv& env, std::ostream& err, Plan& plan,
              std::string& base_dir) {
  std::error_code ec;
  if (input.size() > 5 && input.ends_with(".json") && fs::is_regular_file(input, ec)) {
    std::string text, error;
    if (!ReadFileBytes(input, text, error) || !PlanFromJson(text, plan, error)) {
      err << "cartsync: cannot read plan " << input << ": " << error << "\n";
      return false;
    }
    base_dir = ".";
    return true;
  }
  CompileOptions options;
  options.paths = {input};
  options.today = env.today;
  Compilation c;
  Compile(options, c);
  if (!c.diags.diagnostics().empty())
    RenderDiagnostics(c.diags.Sorted(), c.diags.errors(), c.diags.warnings(), c.sources,
                      DiagFormat::Text, err);
  if (c.diags.has_errors() || c.io_error) {
    err << "cartsync: nothing run: fix the errors above\n";
    return false;
  }
  plan = BuildPlan(c);
  fs::path p(input);
  base_dir = fs::is_directory(p, ec) ? (fs::exists(p / "cartsync.toml", ec) ? p : p / "..").string()
                                     : (p.parent_path().empty() ? fs::path(".") : p.parent_path() / "..").string();
  return true;
}

}  // namespace

int RunCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
               const CliEnv& env) {
  ArgSpec spec{{"--cart", "--service", "--state", "--report", "--metrics", "--log-format", "--concurrency",
                "--http-timeout", "--max-attempts", "--wms-connections"},
               {"--dry-run", "--due"}};
  Args a;
  std::string error;
  if (!a.Parse(args, 1, spec, error) || a.positional().size() > 1) {
    err << "cartsync run: " << (error.empty() ? "give at most one PLAN.json or PATH" : error) << "\n";
    return kConfigError;
  }
  RunOptions options;
  options.dry_run = a.Has("--dry-run");
  options.due = a.Has("--due");
  options.carts = a.All("--cart");
  for (const std::string& s : a.All("--service")) {
    auto svc = ParseService(s);
    if (!svc) {
      err << "cartsync run: unknown service \"" << s << "\" (order_download, shipment_upload, inventory_upload)\n";
      return kConfigError;
    }
    options.services.push_back(*svc);
  }
  // Bounds on HTTP (carts and an http WMS), for cron jobs with a deadline and
  // for tests: seconds per attempt (connect included), attempts per request.
  RetryPolicy retry;
  auto bounded = [&](const char* flag, int64_t lo, int64_t hi, int64_t& out) {
    auto v = a.Get(flag);
    if (!v) return true;
    int64_t n = -1;
    if (v->empty() || v->size() > 6 || v->find_first_not_of("0123456789") != std::string::npos ||
        (n = std::stoll(*v)) < lo || n > hi) {
      err << "cartsync run: " << flag << " must be " << lo << ".." << hi << "\n";
      return false;
    }
    out = n;
    return true;
  };
  int64_t concurrency = options.concurrency, wms_connections = options.wms_connections;
  if (!bounded("--concurrency", 1, 64, concurrency) || !bounded("--wms-connections", 1, 32, wms_connections))
    return kConfigError;
  options.concurrency = static_cast<int>(concurrency);
  options.wms_connections = static_cast<int>(wms_connections);
  int64_t timeout_s = 0, attempts = retry.max_attempts;
  if (!bounded("--http-timeout", 1, 3600, timeout_s) || !bounded("--max-attempts", 1, 20, attempts))
    return kConfigError;
  retry.max_timeout_ms = timeout_s * 1000;
  retry.max_attempts = static_cast<int>(attempts);
  std::string log_format = a.Get("--log-format").value_or("text");
  if (log_format != "text" && log_format != "json") {
    err << "cartsync run: --log-format must be text or json\n";
    return kConfigError;
  }

  Plan plan;
  std::string base_dir;
  if (!LoadPlan(a.positional().empty() ? "." : a.positional()[0], env, err, plan, base_dir))
    return kConfigError;
  for (const std::string& id : options.carts) {
    bool known = std::any_of(plan.carts.begin(), plan.carts.end(),
                             [&](const PlanCart& c) { return c.config.id == id; });
    if (!known) {
      err << "cartsync run: no cart \"" << id << "\" in the plan\n";
      return kConfigError;
    }
  }
  std::string url = a.Get("--state").value_or(plan.state_url.empty() ? "sqlite:.cartsync/state.db" : plan.state_url);
  // A dry run must not create a state file; an existing one is only read.
  if (options.dry_run && url.rfind("sqlite:", 0) == 0) {
    fs::path db = fs::path(base_dir) / url.substr(7);
    std::error_code ec;
    if (!fs::exists(db, ec)) url = "sqlite::memory:";
  }
  auto store = OpenStateStore(url, base_dir);
  if (!store.ok()) {
    err << "cartsync run: " << store.status().message() << "\n";
    return kConfigError;
  }

  SystemClock clock;
  RunLog log(err, log_format == "json" ? LogFormat::Json : LogFormat::Text, clock);
  ProductionEnvironment environment(base_dir, clock, retry);
  Runner runner(plan, *store.value(), environment, clock, log, options);
  if (env.stderr_is_tty && log_format == "text") {
    // One line, rewritten in place; cleared before the summary.
    runner.OnProgress([&err](const std::string& cart, size_t done, size_t total) {
      err << "\r\033[K[" << done << "/" << total << " carts] " << cart << " done" << std::flush;
    });
  }
  RunReport report = runner.Run();
  if (env.stderr_is_tty && log_format == "text") err << "\r\033[K" << std::flush;

  if (options.dry_run) RenderPreview(report, out);
  RenderSummaryTable(report, out);
  if (auto path = a.Get("--report")) {
    if (!WriteFileAtomic(*path, ReportJson(report), error)) err << "cartsync run: " << error << "\n";
  }
  if (auto path = a.Get("--metrics"); path && !options.dry_run) {
    std::map<std::string, int64_t> last;
    for (const StepOutcome& s : report.steps) {
      auto ms = store.value()->LastSuccessMs(s.step_id);
      if (ms.ok() && ms.value()) last[s.step_id] = *ms.value();
    }
    if (!WriteFileAtomic(*path, MetricsText(report, last), error)) err << "cartsync run: " << error << "\n";
  }
  return report.ok() ? kOk : kStepFailed;
}

}  // namespace cartsync
