#include "tools/cartsync/options.h"

#include <algorithm>
#include <cstdlib>

#include "base/suggest.h"
#include "model/grammar.h"
#include "tools/cartsync/args.h"

namespace cartsync {

namespace {

OptionSpec Choice(std::string flag, std::string value, std::vector<std::string> choices,
                  std::string help) {
  return {std::move(flag), std::move(value), ValueKind::Choice, std::move(choices),
          std::move(help)};
}
OptionSpec Valued(std::string flag, std::string value, ValueKind kind, std::string help,
                  bool repeatable = false) {
  return {std::move(flag), std::move(value), kind, {}, std::move(help), repeatable};
}
OptionSpec Boolean(std::string flag, std::string help) {
  return {std::move(flag), "", ValueKind::None, {}, std::move(help)};
}

// The flags every compiler command reads.
OptionSpec SchemaOption() {
  return Valued("--schema", "DIR", ValueKind::Dir,
                "read the platform and WMS descriptors from DIR instead of the built-in ones");
}
OptionSpec ColorOption(std::string help) {
  return Choice("--color", "WHEN", {"auto", "always", "never"}, std::move(help));
}

std::vector<CommandSpec> BuildTable() {
  const std::string path_text =
      "PATH is a project directory (with cartsync.toml), a carts directory, or cart files; "
      "the default is the current directory.";
  std::vector<CommandSpec> t;
  t.push_back(
      {"check",
       "[PATH...]",
       "check cart definitions",
       "Parses every file and checks it against the platform and WMS descriptors and the "
       "rules of the cart format. Writes nothing. Diagnostics go to standard output; with "
       "--format text and no error, a last line \"checked N files, M carts: ok\". " +
           path_text,
       "0 no error (warnings allowed), 1 errors, 2 a usage error, a missing or unreadable path, "
       "or a --schema DIR that does not load.",
       PositionalKind::Paths,
       {},
       {Choice("--format", "FORMAT", {"text", "json", "sarif", "github", "gitlab"},
               "how to print the diagnostics: text (default), json, sarif (code scanning), "
               "github (workflow annotations) or gitlab (Code Quality report)"),
        SchemaOption(),
        ColorOption("colors in text diagnostics: auto (default: when standard output is a "
                    "terminal and NO_COLOR is not set), always or never"),
        Valued("--stdin-filename", "PATH", ValueKind::File,
               "check one cart read from standard input, reported as PATH (editors, "
               "pre-commit); the cartsync.toml nearest above PATH is its project")}});
  t.push_back(
      {"plan",
       "[PATH...]",
       "compile an execution plan",
       "Compiles the project into an execution plan: a human preview by default, the JSON plan "
       "with -o FILE, or what changed since an older plan with --diff. Diagnostics go to "
       "standard error; with an error no plan is written. " +
           path_text,
       "0 plan written or shown (with --detailed-exitcode: no change), 1 errors, 2 a usage "
       "error or, with --detailed-exitcode, changes.",
       PositionalKind::Paths,
       {},
       {Valued("-o", "FILE", ValueKind::File,
               "write the plan (JSON, or --format's form) to FILE atomically; - is standard "
               "output"),
        Valued("--output", "FILE", ValueKind::File, "the long form of -o"),
        Choice("--format", "FORMAT", {"text", "json", "markdown", "html", "dot"},
               "text (the default), json (the default with -o), markdown, html (a page with a "
               "diagram of carts, services and WMS) or dot (the diagram for Graphviz)"),
        Valued("--diff", "OLD_PLAN.json", ValueKind::File,
               "show what changed since OLD_PLAN.json instead of the plan"),
        Valued("--diff-git", "REF", ValueKind::Text,
               "show what changed since the project's files at git revision REF (read "
               "through git, no checkout)"),
        Valued("--max-bytes", "N", ValueKind::Text,
               "markdown: split into parts of at most N bytes (default 65000; 0 = one part); "
               "-o plan.md writes plan.md, plan.2.md, ..."),
        Boolean("--detailed-exitcode", "with --diff or --diff-git: exit 2 when something changed"),
        SchemaOption(),
        ColorOption("colors in the diagnostics on standard error: only with always")}});
  t.push_back(
      {"run",
       "[PLAN.json|PATH]",
       "carry out the plan",
       "Carries out a plan (or compiles a path first): per cart, order download, shipment "
       "upload and inventory upload, idempotently, recording each step in the state store.",
       "0 every step ok, 1 a configuration, plan or state-store error, 2 a usage error (an "
       "unknown option, a bad option value), 3 a step failed (the others still ran).",
       PositionalKind::Paths,
       {},
       {Boolean("--dry-run", "prepare every document but send nothing and record nothing"),
        Boolean("--due", "run only the steps whose schedule says they are due"),
        Valued("--cart", "ID", ValueKind::Text, "only this cart (repeatable)", true),
        {"--service",
         "NAME",
         ValueKind::Choice,
         {"order_download", "shipment_upload", "inventory_upload"},
         "only this service (repeatable)",
         true},
        Valued("--state", "URL", ValueKind::Text, "the state store instead of the plan's"),
        Valued("--report", "FILE", ValueKind::File, "write a JSON report of the run to FILE"),
        Valued("--report-html", "FILE", ValueKind::File,
               "write the run's report as an HTML page to FILE (with or without --report)"),
        Valued("--metrics", "FILE", ValueKind::File,
               "write the run's metrics to FILE (Prometheus text format)"),
        Choice("--log-format", "FORMAT", {"text", "json"}, "the log on standard error"),
        Valued("--concurrency", "N", ValueKind::Text, "threads running carts, 1..64 (default 4)"),
        Valued("--max-carts-in-flight", "N", ValueKind::Text,
               "carts under way at once on those threads, 1..100000 (default 1024)"),
        Valued("--http-timeout", "SECONDS", ValueKind::Text,
               "cap per HTTP attempt, connect included, 1..3600"),
        Valued("--max-attempts", "N", ValueKind::Text,
               "attempts per HTTP request, 1..20 (default 5)"),
        Valued("--wms-connections", "N", ValueKind::Text,
               "orders pushed at once per cart to an http WMS, 1..32 (default 4)")}});
  t.push_back(
      {"state",
       "SUBCOMMAND [ARG]",
       "inspect the state store",
       "Inspects and acts on the state store: orders [--status S] [--cart ID] [--limit N], "
       "show ORDER_KEY, resend ORDER_KEY [--tracking], cancel ORDER_KEY, purge [--older-than D], "
       "runs [--limit N], "
       "unlock CART. The store is --state "
       "URL, else the [state].url of DIR/cartsync.toml (--project DIR), else "
       "sqlite:.cartsync/state.db.",
       "0 done, 1 an error, 2 a usage error.",
       PositionalKind::Subcommands,
       {"orders", "show", "resend", "cancel", "purge", "runs", "unlock"},
       {Valued("--project", "DIR", ValueKind::Dir,
               "the project whose cartsync.toml names the store (default .)"),
        Valued("--state", "URL", ValueKind::Text, "the state store instead of the project's"),
        Choice("--format", "FORMAT", {"text", "json"}, "text (default) or json"),
        Choice("--status", "STATUS",
               {"new", "held", "sent", "shipped", "confirmed", "skipped", "canceled"},
               "orders: only orders in this status"),
        Valued("--cart", "ID", ValueKind::Text, "orders: only this cart's"),
        Valued("--limit", "N", ValueKind::Text,
               "orders: at most N (default 1000); runs: the last N (default 20)"),
        Boolean("--tracking", "resend: upload the order's tracking to the cart again"),
        Valued("--older-than", "DURATION", ValueKind::Text,
               "purge: erase personal data of orders unchanged for this long, e.g. 60d "
               "(default: the project's [state].retain_pii, else 60d)")}});
  t.push_back({"schema",
               "",
               "describe platforms and WMS systems",
               "Describes the platforms and WMS systems of the descriptors, or exports the JSON "
               "Schema of a cart file (for editors), with --project the one of cartsync.toml.",
               "0 done, 1 a --schema DIR that does not load, 2 a usage error.",
               PositionalKind::None,
               {},
               {Boolean("--json-schema", "print the JSON Schema of a cart file"),
                Boolean("--project", "with --json-schema: the JSON Schema of cartsync.toml"),
                SchemaOption(), ColorOption("accepted, for symmetry; nothing here is colored")}});
  t.push_back(
      {"fmt",
       "[PATH...]",
       "format cart files canonically",
       "Rewrites cart files and cartsync.toml in the canonical layout: tables in the order of "
       "the cart format, keys in descriptor order, one space around =, double-quoted strings, "
       "one blank line between tables; comments stay with the key or table they precede. A "
       "file is written only when the formatted text is proven to parse to the same values; a "
       "file that does not parse is reported and left as it is. " +
           path_text,
       "0 done (with --check: nothing to change), 1 with --check a file would change, or a file "
       "does not parse, 2 a usage error or a missing or unreadable path.",
       PositionalKind::Paths,
       {},
       {Boolean("--check", "write nothing; exit 1 when a file is not formatted"),
        Boolean("--diff", "print a unified diff of each change (secrets masked)"),
        Valued("--stdin-filename", "PATH", ValueKind::File,
               "format standard input as the file PATH and print it on standard output"),
        SchemaOption()}});
  t.push_back(
      {"doctor",
       "[PATH]",
       "check carts and the WMS online, read-only",
       "Connects to every cart of the project (or each --cart) and its WMS, reading only, "
       "before a service is enabled: the credentials and, where the platform lists them, their "
       "scopes; the inventory location; the ship codes of orders changed since --since that "
       "[ship_methods] does not map; the SKUs of those orders, and of the catalog where the "
       "platform lists it, that the WMS does not know for the cart's client. One line per "
       "finding with its fix. Writes nothing anywhere: no state store, no download cursor, "
       "nothing to a cart or the WMS. Secrets are never printed. PATH is a project directory "
       "(with cartsync.toml) or what `run` reads; the default is the current directory.",
       "0 no finding that would hold or fail orders (warnings allowed), 1 a configuration "
       "error, 2 a usage error, 3 a finding that would hold or fail orders or steps.",
       PositionalKind::Paths,
       {},
       {Valued("--cart", "ID", ValueKind::Text, "check only this cart (repeatable)",
               /*repeatable=*/true),
        Valued("--since", "DURATION", ValueKind::Text,
               "read orders changed this long ago or later, e.g. 30d (default), 12h"),
        Choice("--format", "FORMAT", {"text", "json", "markdown"},
               "text (default), json, or markdown (a pull-request comment)")}});
  t.push_back({"completion",
               "SHELL",
               "print a shell completion script",
               "Prints the completion script for bash, zsh or fish, generated from the same "
               "option tables as --help. Installed by cmake --install; by hand: "
               "source <(cartsync completion bash).",
               "0 done, 2 a usage error.",
               PositionalKind::Shells,
               {},
               {}});
  t.push_back({"man",
               "[COMMAND]",
               "print a manual page",
               "Prints the manual page (roff) of cartsync, or of one command, generated from the "
               "same option tables as --help: man <(cartsync man check). Installed by cmake "
               "--install.",
               "0 done, 2 a usage error, 1 a page that cannot be written.",
               PositionalKind::Commands,
               {},
               {Valued("--directory", "DIR", ValueKind::Dir,
                       "write every page (cartsync.1, cartsync-COMMAND.1) into DIR")}});
  t.push_back({"help", "", "print the usage", "", "0.", PositionalKind::None, {}, {}});
  t.push_back({"version", "", "print the version", "", "0.", PositionalKind::None, {}, {}});
  return t;
}

// Tokenizes `args` against the flags of `command` in the table; "" when they
// are all known. An unknown flag gets the closest of the command's own flags
// ("unknown option --formt; did you mean --format?").
std::string TokenizeFor(std::string_view command, const std::vector<std::string>& args, Args& out) {
  ArgSpec spec;
  std::vector<std::string> known = {"--help"};
  for (const OptionSpec& o : FindCommand(command)->options) {
    (o.value.empty() ? spec.boolean : spec.valued).push_back(o.flag);
    known.push_back(o.flag);
  }
  std::string error;
  if (!out.Parse(args, 0, spec, error) && !out.bad_flag().empty()) {
    if (auto closest = ClosestMatch(out.bad_flag(), known))
      error += "; did you mean " + *closest + "?";
  }
  return error;
}

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

const std::vector<CommandSpec>& CommandTable() {
  static const std::vector<CommandSpec> table = BuildTable();
  return table;
}

const CommandSpec* FindCommand(std::string_view name) {
  for (const CommandSpec& c : CommandTable())
    if (c.name == name) return &c;
  return nullptr;
}

Parsed<CompletionFlags> ParseCompletionFlags(const std::vector<std::string>& args) {
  Args a;
  if (std::string error = TokenizeFor("completion", args, a); !error.empty())
    return Fail<CompletionFlags>(error, true);
  const auto& shells = a.positional();
  if (shells.size() != 1 || (shells[0] != "bash" && shells[0] != "zsh" && shells[0] != "fish"))
    return Fail<CompletionFlags>("give one shell: bash, zsh or fish", true);
  return Ok(CompletionFlags{shells[0]});
}

Parsed<ManFlags> ParseManFlags(const std::vector<std::string>& args) {
  Args a;
  if (std::string error = TokenizeFor("man", args, a); !error.empty())
    return Fail<ManFlags>(error, true);
  if (a.positional().size() > 1) return Fail<ManFlags>("give at most one COMMAND", true);
  ManFlags f;
  f.directory = a.Get("--directory");
  if (!a.positional().empty()) {
    f.command = a.positional()[0];
    const CommandSpec* c = FindCommand(f.command);
    if (c == nullptr || (c->options.empty() && c->description.empty()))
      return Fail<ManFlags>("no manual page for \"" + f.command + "\"", true);
  }
  return Ok(std::move(f));
}

Parsed<CheckFlags> ParseCheckFlags(const std::vector<std::string>& args) {
  Args a;
  if (std::string error = TokenizeFor("check", args, a); !error.empty())
    return Fail<CheckFlags>(error, true);
  CheckFlags f;
  f.paths = a.positional();
  f.schema_dir = a.Get("--schema");
  auto color = ParseColor(a.Get("--color").value_or("auto"));
  if (!color) return Fail<CheckFlags>(kColorError, true);
  f.color = *color;
  if (auto name = a.Get("--format")) {
    auto format = ParseDiagFormat(*name);
    if (!format)
      return Fail<CheckFlags>("--format must be text, json, sarif, github or gitlab", true);
    f.format = *format;
  }
  f.stdin_filename = a.Get("--stdin-filename");
  if (f.stdin_filename && !f.paths.empty())
    return Fail<CheckFlags>("give no PATH with --stdin-filename", true);
  return Ok(std::move(f));
}

Parsed<PlanFlags> ParsePlanFlags(const std::vector<std::string>& args) {
  Args a;
  if (std::string error = TokenizeFor("plan", args, a); !error.empty())
    return Fail<PlanFlags>(error, true);
  PlanFlags f;
  f.paths = a.positional();
  f.schema_dir = a.Get("--schema");
  auto color = ParseColor(a.Get("--color").value_or("auto"));
  if (!color) return Fail<PlanFlags>(kColorError, true);
  f.color = *color;
  f.output = a.Get("-o") ? a.Get("-o") : a.Get("--output");
  f.diff = a.Get("--diff");
  f.diff_git = a.Get("--diff-git");
  if (f.diff && f.diff_git) return Fail<PlanFlags>("give --diff or --diff-git, not both", true);
  if (auto n = a.Get("--max-bytes")) {
    // 0, or 1024..100000000 written as digits only.
    if (n->empty() || n->size() > 9 || n->find_first_not_of("0123456789") != std::string::npos ||
        (std::stoull(*n) != 0 && (std::stoull(*n) < 1024 || std::stoull(*n) > 100000000)))
      return Fail<PlanFlags>("--max-bytes must be 0 or 1024..100000000", true);
    f.max_bytes = static_cast<size_t>(std::stoull(*n));
  }
  f.detailed_exitcode = a.Has("--detailed-exitcode");
  const std::string format =
      a.Get("--format").value_or(f.output && !f.diff && !f.diff_git ? "json" : "text");
  if (format == "text") {
    f.format = PlanFormat::Text;
  } else if (format == "json") {
    f.format = PlanFormat::Json;
  } else if (format == "markdown") {
    f.format = PlanFormat::Markdown;
  } else if (format == "html") {
    f.format = PlanFormat::Html;
  } else if (format == "dot") {
    f.format = PlanFormat::Dot;
  } else {
    return Fail<PlanFlags>("--format must be text, json, markdown, html or dot", true);
  }
  if (f.detailed_exitcode && !f.diff && !f.diff_git)
    return Fail<PlanFlags>("--detailed-exitcode needs --diff OLD_PLAN.json or --diff-git REF",
                           true);
  if ((f.diff || f.diff_git) && (f.format == PlanFormat::Html || f.format == PlanFormat::Dot))
    return Fail<PlanFlags>("--format html and dot draw a plan, not a --diff", true);
  return Ok(std::move(f));
}

Parsed<SchemaFlags> ParseSchemaFlags(const std::vector<std::string>& args) {
  Args a;
  if (std::string error = TokenizeFor("schema", args, a); !error.empty())
    return Fail<SchemaFlags>(error, true);
  SchemaFlags f;
  f.schema_dir = a.Get("--schema");
  f.json_schema = a.Has("--json-schema");
  f.project = a.Has("--project");
  if (f.project && !f.json_schema) return Fail<SchemaFlags>("--project needs --json-schema", true);
  return Ok(std::move(f));
}

Parsed<RunFlags> ParseRunFlags(const std::vector<std::string>& args) {
  Args a;
  if (std::string error = TokenizeFor("run", args, a); !error.empty())
    return Fail<RunFlags>(error, false);
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
  f.report_html = a.Get("--report-html");
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
                      {"--max-attempts", 1, 20, f.max_attempts},
                      {"--max-carts-in-flight", 1, 100000, f.max_carts_in_flight}};
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
  f.max_carts_in_flight = static_cast<int>(numbers[4].value);
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
  std::string error = TokenizeFor("state", args, a);
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
  f.tracking = a.Has("--tracking");
  f.older_than = a.Get("--older-than");
  return Ok(std::move(f));
}

Parsed<FmtFlags> ParseFmtFlags(const std::vector<std::string>& args) {
  Args a;
  if (std::string error = TokenizeFor("fmt", args, a); !error.empty())
    return Fail<FmtFlags>(error, true);
  FmtFlags f;
  f.paths = a.positional();
  f.check = a.Has("--check");
  f.diff = a.Has("--diff");
  f.stdin_filename = a.Get("--stdin-filename");
  f.schema_dir = a.Get("--schema");
  if (f.stdin_filename && !f.paths.empty())
    return Fail<FmtFlags>("give no PATH with --stdin-filename", true);
  return Ok(std::move(f));
}

Parsed<DoctorFlags> ParseDoctorFlags(const std::vector<std::string>& args) {
  Args a;
  if (std::string error = TokenizeFor("doctor", args, a); !error.empty())
    return Fail<DoctorFlags>(error, true);
  if (a.positional().size() > 1) return Fail<DoctorFlags>("give at most one PATH", true);
  DoctorFlags f;
  if (!a.positional().empty()) f.path = a.positional()[0];
  f.carts = a.All("--cart");
  if (auto since = a.Get("--since")) {
    auto parsed = ParseSchedule(*since);
    if (!parsed || parsed.value->kind != Schedule::Kind::Interval ||
        parsed.value->interval_seconds <= 0)
      return Fail<DoctorFlags>("--since must be a duration such as 30d or 12h (units s, m, h, d)",
                               true);
    f.since_seconds = parsed.value->interval_seconds;
  }
  const std::string format = a.Get("--format").value_or("text");
  if (format == "text") {
    f.format = DoctorFormat::Text;
  } else if (format == "json") {
    f.format = DoctorFormat::Json;
  } else if (format == "markdown") {
    f.format = DoctorFormat::Markdown;
  } else {
    return Fail<DoctorFlags>("--format must be text, json or markdown", true);
  }
  return Ok(std::move(f));
}

}  // namespace cartsync
