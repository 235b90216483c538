#include <algorithm>
#include <filesystem>
#include <map>
#include <ostream>
#include <sstream>

#include "base/atomic_file.h"
#include "base/defaults.h"
#include "compiler/compiler.h"
#include "compiler/diagnostic_render.h"
#include "compiler/planner.h"
#include "model/plan.h"
#include "model/plan_json.h"
#include "runtime/environment.h"
#include "runtime/report.h"
#include "runtime/report_html.h"
#include "runtime/runner.h"
#include "runtime/secrets.h"
#include "runtime/state/state_store.h"
#include "tools/cartsync/commands.h"

namespace cartsync {

namespace {

namespace fs = std::filesystem;

constexpr int kOk = 0, kConfigError = 1, kStepFailed = 3;

}  // namespace

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
  base_dir = fs::is_directory(p, ec)
                 ? (fs::exists(p / "cartsync.toml", ec) ? p : p / "..").string()
                 : (p.parent_path().empty() ? fs::path(".") : p.parent_path() / "..").string();
  return true;
}

int RunCommand(const RunFlags& flags, std::ostream& out, std::ostream& err, const CliEnv& env) {
  RunOptions options;
  options.dry_run = flags.dry_run;
  options.due = flags.due;
  options.carts = flags.carts;
  options.services = flags.services;
  options.concurrency = flags.concurrency;
  options.wms_connections = flags.wms_connections;
  options.max_carts_in_flight = flags.max_carts_in_flight;
  RetryPolicy retry;
  retry.max_timeout_ms = flags.http_timeout_s * 1000;
  retry.max_attempts = flags.max_attempts;

  Plan plan;
  std::string base_dir;
  if (!LoadPlan(flags.input, env, err, plan, base_dir)) return kConfigError;
  for (const std::string& id : options.carts) {
    bool known = std::any_of(plan.carts.begin(), plan.carts.end(),
                             [&](const PlanCart& c) { return c.config.id == id; });
    if (!known) {
      err << "cartsync run: no cart \"" << id << "\" in the plan\n";
      return kConfigError;
    }
  }
  std::string url =
      flags.state_url.value_or(plan.state_url.empty() ? kDefaultStateUrl : plan.state_url);
  // A dry run must not create a state file; an existing one is only read.
  if (options.dry_run && url.rfind("sqlite:", 0) == 0) {
    fs::path db = fs::path(base_dir) / url.substr(7);
    std::error_code ec;
    if (!fs::exists(db, ec)) url = "sqlite::memory:";
  }
  // [state].password: resolved now, handed to libpq, kept nowhere else. Only
  // for the plan's own database: a --state URL naming another gets libpq's
  // environment (PGPASSWORD, ~/.pgpass), never this project's password.
  std::string password;
  if (plan.state_password && url == plan.state_url) {
    EnvFileSecretResolver secrets(base_dir);
    auto resolved = secrets.Resolve(*plan.state_password);
    if (!resolved.ok()) {
      err << "cartsync run: [state].password: " << resolved.status().message() << "\n";
      return kConfigError;
    }
    password = std::move(resolved.value());
  }
  auto store = OpenStateStore(url, base_dir, /*create=*/true, password);
  if (!store.ok()) {
    err << "cartsync run: " << store.status().message() << "\n";
    return kConfigError;
  }

  SystemClock clock;
  RunLog log(err, flags.log_format, clock);
  ProductionEnvironment environment(base_dir, clock, retry);
  Runner runner(plan, *store.value(), environment, clock, log, options);
  if (env.stderr_is_tty && flags.log_format == LogFormat::Text) {
    // One line, rewritten in place; cleared before the summary.
    runner.OnProgress([&err](const std::string& cart, size_t done, size_t total) {
      err << "\r\033[K[" << done << "/" << total << " carts] " << cart << " done" << std::flush;
    });
  }
  RunReport report = runner.Run();
  if (env.stderr_is_tty && flags.log_format == LogFormat::Text) err << "\r\033[K" << std::flush;

  if (options.dry_run) RenderPreview(report, out);
  RenderSummaryTable(report, out);
  std::string error;
  if (flags.report) {
    if (!WriteFileAtomic(*flags.report, ReportJson(report), error))
      err << "cartsync run: " << error << "\n";
  }
  if (flags.report_html) {
    if (!WriteFileAtomic(*flags.report_html, ReportHtml(report), error))
      err << "cartsync run: " << error << "\n";
  }
  if (flags.metrics && !options.dry_run) {
    std::map<std::string, int64_t> last;
    for (const StepOutcome& s : report.steps) {
      auto ms = store.value()->LastSuccessMs(s.step_id);
      if (ms.ok() && ms.value()) last[s.step_id] = *ms.value();
    }
    if (!WriteFileAtomic(*flags.metrics, MetricsText(report, last), error))
      err << "cartsync run: " << error << "\n";
  }
  return report.ok() ? kOk : kStepFailed;
}

}  // namespace cartsync
