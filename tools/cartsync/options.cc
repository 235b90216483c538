#include "tools/cartsync/options.h"

#include <algorithm>
#include <cstdlib>

#include "tools/cartsync/args.h"

namespace cartsync {

namespace {

// The flags every compiler command reads.
const std::vector<std::string> kCommonValued = {"--schema", "--color"};

template <typename Flags>
Parsed<Flags> Fail(std::string message, bool with_usage) {
  Parsed<Flags> p;
  p.error = {std::move(message), with_usage};
  return p;
}

template <typename Flags>
Parsed<Flags> Ok(Flags flags) {
  Parsed<Flags> p;
  p.flags = std::move(flags);
  return p;
}

// Tokenizes `args` against the declared flags; "" when they are all known.
std::string Tokenize(const std::vector<std::string>& args, std::vector<std::string> valued,
                     std::vector<std::string> boolean, Args& out) {
  std::string error;
  out.Parse(args, 0, ArgSpec{std::move(valued), std::move(boolean)}, error);
  return error;
}

std::optional<ColorMode> ParseColor(const std::string& name) {
  if (name == "auto") return ColorMode::Auto;
  if (name == "always") return ColorMode::Always;
  if (name == "never") return ColorMode::Never;
  return std::nullopt;
}

constexpr const char* kColorError = "--color must be auto, always or never";

// A whole number lo..hi written as at most six digits; false when `text` is not one.
bool Bounded(const std::string& text, int64_t lo, int64_t hi, int64_t& out) {
  if (text.empty() || text.size() > 6 || text.find_first_not_of("0123456789") != std::string::npos)
    return false;
  const int64_t n = std::stoll(text);
  if (n < lo || n > hi) return false;
  out = n;
  return true;
}

}  // namespace

Parsed<CheckFlags> ParseCheckFlags(const std::vector<std::string>& args) {
  std::vector<std::string> valued = kCommonValued;
  valued.push_back("--format");
  Args a;
  if (std::string error = Tokenize(args, valued, {}, a); !error.empty())
    return Fail<CheckFlags>(error, true);
  CheckFlags f;
  f.paths = a.positional();
  f.schema_dir = a.Get("--schema");
  auto color = ParseColor(a.Get("--color").value_or("auto"));
  if (!color) return Fail<CheckFlags>(kColorError, true);
  f.color = *color;
  if (auto name = a.Get("--format")) {
    auto format = ParseDiagFormat(*name);
    if (!format) return Fail<CheckFlags>("--format must be text, json, sarif, github or gitlab", true);
    f.format = *format;
  }
  return Ok(std::move(f));
}

Parsed<PlanFlags> ParsePlanFlags(const std::vector<std::string>& args) {
  std::vector<std::string> valued = kCommonValued;
  valued.insert(valued.end(), {"--format", "-o", "--output", "--diff"});
  Args a;
  if (std::string error = Tokenize(args, valued, {"--detailed-exitcode"}, a); !error.empty())
    return Fail<PlanFlags>(error, true);
  PlanFlags f;
  f.paths = a.positional();
  f.schema_dir = a.Get("--schema");
  auto color = ParseColor(a.Get("--color").value_or("auto"));
  if (!color) return Fail<PlanFlags>(kColorError, true);
  f.color = *color;
  f.output = a.Get("-o") ? a.Get("-o") : a.Get("--output");
  f.diff = a.Get("--diff");
  f.detailed_exitcode = a.Has("--detailed-exitcode");
  const std::string format = a.Get("--format").value_or(f.output && !f.diff ? "json" : "text");
  if (format == "text") {
    f.format = PlanFormat::Text;
  } else if (format == "json") {
    f.format = PlanFormat::Json;
  } else if (format == "markdown") {
    f.format = PlanFormat::Markdown;
  } else {
    return Fail<PlanFlags>("--format must be text, json or markdown", true);
  }
  if (f.detailed_exitcode && !f.diff)
    return Fail<PlanFlags>("--detailed-exitcode needs --diff OLD_PLAN.json", true);
  return Ok(std::move(f));
}

Parsed<SchemaFlags> ParseSchemaFlags(const std::vector<std::string>& args) {
  Args a;
  if (std::string error = Tokenize(args, kCommonValued, {"--json-schema"}, a); !error.empty())
    return Fail<SchemaFlags>(error, true);
  SchemaFlags f;
  f.schema_dir = a.Get("--schema");
  f.json_schema = a.Has("--json-schema");
  return Ok(std::move(f));
}

Parsed<RunFlags> ParseRunFlags(const std::vector<std::string>& args) {
  Args a;
  std::string error =
      Tokenize(args,
               {"--cart", "--service", "--state", "--report", "--metrics", "--log-format",
                "--concurrency", "--http-timeout", "--max-attempts", "--wms-connections"},
               {"--dry-run", "--due"}, a);
  if (!error.empty()) return Fail<RunFlags>(error, false);
  if (a.positional().size() > 1) return Fail<RunFlags>("give at most one PLAN.json or PATH", false);
  RunFlags f;
  if (!a.positional().empty()) f.input = a.positional()[0];
  f.dry_run = a.Has("--dry-run");
  f.due = a.Has("--due");
  f.carts = a.All("--cart");
  for (const std::string& name : a.All("--service")) {
    auto service = ParseService(name);
    if (!service) {
      return Fail<RunFlags>(
          "unknown service \"" + name + "\" (order_download, shipment_upload, inventory_upload)",
          false);
    }
    f.services.push_back(*service);
  }
  f.state_url = a.Get("--state");
  f.report = a.Get("--report");
  f.metrics = a.Get("--metrics");
  // Bounds on HTTP (carts and an http WMS), for cron jobs with a deadline and
  // for tests: seconds per attempt (connect included), attempts per request.
  struct Number {
    const char* flag;
    int64_t lo, hi;
    int64_t value;
  };
  Number numbers[] = {{"--concurrency", 1, 64, f.concurrency},
                      {"--wms-connections", 1, 32, f.wms_connections},
                      {"--http-timeout", 1, 3600, f.http_timeout_s},
                      {"--max-attempts", 1, 20, f.max_attempts}};
  for (Number& n : numbers) {
    auto text = a.Get(n.flag);
    if (text && !Bounded(*text, n.lo, n.hi, n.value)) {
      return Fail<RunFlags>(
          std::string(n.flag) + " must be " + std::to_string(n.lo) + ".." + std::to_string(n.hi),
          false);
    }
  }
  f.concurrency = static_cast<int>(numbers[0].value);
  f.wms_connections = static_cast<int>(numbers[1].value);
  f.http_timeout_s = numbers[2].value;
  f.max_attempts = static_cast<int>(numbers[3].value);
  const std::string log_format = a.Get("--log-format").value_or("text");
  if (log_format == "text") {
    f.log_format = LogFormat::Text;
  } else if (log_format == "json") {
    f.log_format = LogFormat::Json;
  } else {
    return Fail<RunFlags>("--log-format must be text or json", false);
  }
  return Ok(std::move(f));
}

Parsed<StateFlags> ParseStateFlags(const std::vector<std::string>& args) {
  Args a;
  std::string error =
      Tokenize(args, {"--project", "--state", "--format", "--status", "--cart", "--limit"}, {}, a);
  if (!error.empty() || a.positional().empty()) return Fail<StateFlags>(error, true);
  StateFlags f;
  f.subcommand = a.positional()[0];
  f.arguments.assign(a.positional().begin() + 1, a.positional().end());
  f.project = a.Get("--project").value_or(".");
  f.state_url = a.Get("--state");
  const std::string format = a.Get("--format").value_or("text");
  if (format == "text") {
    f.format = StateFormat::Text;
  } else if (format == "json") {
    f.format = StateFormat::Json;
  } else {
    return Fail<StateFlags>("--format must be text or json", false);
  }
  f.status = a.Get("--status");
  f.cart = a.Get("--cart");
  if (auto n = a.Get("--limit")) f.limit = std::max(1, std::atoi(n->c_str()));
  return Ok(std::move(f));
}

}  // namespace cartsync
