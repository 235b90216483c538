// The `cartsync` command lines as typed options. Each command's words (after
// the command name) are parsed once into its own struct, with enums for the
// formats and the numbers checked, and the command bodies take that struct,
// never the words. A parse fails with a UsageError holding the exact message;
// how it is printed and the exit code are the command's (cli.cc).
//
// Every command reads `--flag value` and `--flag=value`, repeats a flag (the
// last value counts unless the flag collects them), ends options at `--`, and
// refuses an unknown flag ("unknown option --x") or a flag without its value
// ("option --x needs a value"): see args.h.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/diagnostic_render.h"
#include "model/service.h"
#include "runtime/net/http_client.h"
#include "runtime/run_log.h"
#include "runtime/runner.h"

namespace cartsync {

/// Why a command line cannot run.
struct UsageError {
  std::string message;      ///< without the "cartsync: " prefix; "" = nothing to say
  bool with_usage = false;  ///< follow the message with the command's usage text
};

/// A command's options, or the usage error that stopped their parsing.
template <typename Flags>
struct Parsed {
  std::optional<Flags> flags;  ///< set when the command line is good
  UsageError error;            ///< otherwise, why not
  bool ok() const { return flags.has_value(); }
};

/// `--color auto|always|never`.
enum class ColorMode { Auto, Always, Never };

// --- the option tables -----------------------------------------------------------
//
// Every command's flags, once: the parsers below take their flag lists from
// here, and `--help`, `cartsync completion` and `cartsync man` are generated
// from it (help_render.h), so none of them can drift from what is accepted.

/// What a flag's value is, for completion.
enum class ValueKind {
  None,    ///< a boolean flag
  Choice,  ///< one of `choices`
  File,    ///< a file path
  Dir,     ///< a directory path
  Text,    ///< anything else (an id, a URL, a number)
};

/// One flag of a command.
struct OptionSpec {
  std::string flag;                  ///< "--format", "-o"
  std::string value;                 ///< "FORMAT", "FILE"; "" for a boolean flag
  ValueKind kind = ValueKind::None;  ///< how to complete the value
  std::vector<std::string> choices;  ///< kind Choice: the accepted values
  std::string help;                  ///< one line
  bool repeatable = false;           ///< given once per value, all kept
};

/// What a command's positional arguments are, for completion.
enum class PositionalKind { None, Paths, Subcommands, Shells, Commands };

/// One command: its synopsis, summary, description and flags.
struct CommandSpec {
  std::string name;         ///< "check"
  std::string arguments;    ///< "[PATH...]", "" for none
  std::string summary;      ///< a few words, lower case
  std::string description;  ///< a paragraph (man page, --help)
  std::string exit_status;  ///< a sentence or two
  PositionalKind positional = PositionalKind::None;
  std::vector<std::string> subcommands;  ///< PositionalKind::Subcommands
  std::vector<OptionSpec> options;       ///< in --help order
};

/// Every command, in the order of the usage text. `help` and `version` have no flags.
const std::vector<CommandSpec>& CommandTable();

/// The command named `name`; nullptr when there is none.
const CommandSpec* FindCommand(std::string_view name);

/// `cartsync completion bash|zsh|fish`.
struct CompletionFlags {
  std::string shell;  ///< "bash", "zsh" or "fish"
};

/// Errors (with the usage text): the parser's, "give one shell: bash, zsh or fish".
Parsed<CompletionFlags> ParseCompletionFlags(const std::vector<std::string>& args);

/// `cartsync man [COMMAND] [--directory DIR]`.
struct ManFlags {
  std::string command;                   ///< "" = cartsync(1)
  std::optional<std::string> directory;  ///< --directory DIR: write every page there
};

/// Errors (with the usage text): the parser's, "no manual page for X", "give at
/// most one COMMAND".
Parsed<ManFlags> ParseManFlags(const std::vector<std::string>& args);

// --- check --------------------------------------------------------------------

/// `cartsync check [PATH...] [--format F] [--schema DIR] [--color C]`.
struct CheckFlags {
  std::vector<std::string> paths;         ///< project dirs, carts dirs or files; none = "."
  std::optional<std::string> schema_dir;  ///< --schema DIR instead of the built-in descriptors
  ColorMode color = ColorMode::Auto;      ///< --color
  DiagFormat format = DiagFormat::Text;   ///< --format text|json|sarif|github|gitlab
  /// --stdin-filename PATH: check one cart read from standard input, shown as
  /// PATH; the project is the cartsync.toml nearest above PATH. No PATH operands.
  std::optional<std::string> stdin_filename;
};

/// Errors (all with the usage text): the parser's, then "--color must be auto,
/// always or never", then "--format must be text, json, sarif, github or gitlab".
Parsed<CheckFlags> ParseCheckFlags(const std::vector<std::string>& args);

// --- plan ---------------------------------------------------------------------

/// `cartsync plan --format`.
enum class PlanFormat { Text, Json, Markdown, Html, Dot };

/// `cartsync plan [PATH...] [-o FILE] [--format F] [--diff OLD] [--detailed-exitcode]`.
struct PlanFlags {
  std::vector<std::string> paths;
  std::optional<std::string> schema_dir;  ///< --schema DIR
  ColorMode color = ColorMode::Auto;      ///< --color (diagnostics go to stderr)
  /// --format; by default json when writing a plan file (-o without --diff), else text.
  PlanFormat format = PlanFormat::Text;
  std::optional<std::string> output;  ///< -o FILE or --output FILE (-o wins when both are given)
  std::optional<std::string> diff;    ///< --diff OLD_PLAN.json
  /// --diff-git REF: the old plan compiled from the files at git REF (plan_git.h).
  std::optional<std::string> diff_git;
  /// --max-bytes N: markdown parts of at most N bytes; 0 = one part.
  size_t max_bytes = 65000;
  bool detailed_exitcode = false;  ///< --detailed-exitcode: 2 when the diff has changes
};

/// Errors (all with the usage text): the parser's, "--color must be auto,
/// always or never", "--format must be text, json, markdown, html or dot",
/// "give --diff or --diff-git, not both", "--max-bytes must be 0 or
/// 1024..100000000", "--detailed-exitcode needs --diff OLD_PLAN.json or
/// --diff-git REF", "--format html and dot draw a plan, not a --diff".
Parsed<PlanFlags> ParsePlanFlags(const std::vector<std::string>& args);

// --- schema -------------------------------------------------------------------

/// `cartsync schema [--json-schema] [--schema DIR]`. `--color` is accepted, as
/// a common option, and ignored (not checked: nothing here is colored).
struct SchemaFlags {
  std::optional<std::string> schema_dir;  ///< --schema DIR
  bool json_schema = false;               ///< --json-schema: the JSON Schema of a cart file
  bool project = false;  ///< --project (with --json-schema): the JSON Schema of cartsync.toml
};

/// Errors (with the usage text): the parser's only.
Parsed<SchemaFlags> ParseSchemaFlags(const std::vector<std::string>& args);

// --- fmt ----------------------------------------------------------------------

/// `cartsync fmt [PATH...] [--check] [--diff] [--stdin-filename PATH] [--schema DIR]`.
struct FmtFlags {
  std::vector<std::string> paths;  ///< as `check` reads them; none = "."
  bool check = false;              ///< --check: write nothing, exit 1 when a file would change
  bool diff = false;               ///< --diff: print a unified diff of each change
  std::optional<std::string>
      stdin_filename;                     ///< --stdin-filename PATH: stdin -> stdout, shown as PATH
  std::optional<std::string> schema_dir;  ///< --schema DIR (the descriptors give [api] key order)
};

/// Errors (with the usage text): the parser's, "give no PATH with --stdin-filename".
Parsed<FmtFlags> ParseFmtFlags(const std::vector<std::string>& args);

// --- doctor -------------------------------------------------------------------

/// `cartsync doctor --format`.
enum class DoctorFormat { Text, Json, Markdown };

/// `cartsync doctor [PATH] [--cart ID]... [--since DURATION] [--format F]`.
struct DoctorFlags {
  std::string path = ".";                  ///< a project, as `run` reads it
  std::vector<std::string> carts;          ///< --cart ID, repeatable; none = all
  int64_t since_seconds = 30 * 24 * 3600;  ///< --since DURATION (default 30d)
  DoctorFormat format = DoctorFormat::Text;
};

/// Errors (with the usage text): the parser's, "give at most one PATH",
/// "--since must be a duration such as 30d or 12h (units s, m, h, d)",
/// "--format must be text, json or markdown".
Parsed<DoctorFlags> ParseDoctorFlags(const std::vector<std::string>& args);

// --- run ----------------------------------------------------------------------

/// `cartsync run [PLAN.json|PATH] …`. The bounds of the numbers are those of
/// the usage text; the defaults are the runtime's own (RunOptions, RetryPolicy).
struct RunFlags {
  std::string input = ".";                     ///< a plan file (*.json) or what `plan` reads
  bool dry_run = false;                        ///< --dry-run
  bool due = false;                            ///< --due
  std::vector<std::string> carts;              ///< --cart ID, repeatable; none = all
  std::vector<Service> services;               ///< --service NAME, repeatable; none = all
  std::optional<std::string> state_url;        ///< --state URL instead of the plan's
  std::optional<std::string> report;           ///< --report FILE (JSON)
  std::optional<std::string> report_html;      ///< --report-html FILE (runtime/report_html.h)
  std::optional<std::string> metrics;          ///< --metrics FILE (Prometheus text)
  LogFormat log_format = LogFormat::Text;      ///< --log-format text|json
  int concurrency = RunOptions{}.concurrency;  ///< --concurrency 1..64
  int wms_connections = RunOptions{}.wms_connections;  ///< --wms-connections 1..32
  int64_t http_timeout_s = 0;                          ///< --http-timeout 1..3600; 0 = no cap
  int max_attempts = RetryPolicy{}.max_attempts;       ///< --max-attempts 1..20
  int max_carts_in_flight = RunOptions{}.max_carts_in_flight;  ///< --max-carts-in-flight
};

/// Errors (no usage text), in this order: the parser's, "give at most one
/// PLAN.json or PATH", `unknown service "X" (order_download, shipment_upload,
/// inventory_upload)`, then "--concurrency must be 1..64", "--wms-connections
/// must be 1..32", "--http-timeout must be 1..3600", "--max-attempts must be
/// 1..20", "--max-carts-in-flight must be 1..100000" (a value of digits only, at most six),
/// "--log-format must be text or json".
Parsed<RunFlags> ParseRunFlags(const std::vector<std::string>& args);

// --- state --------------------------------------------------------------------

/// `cartsync state --format`.
enum class StateFormat { Text, Json };

/// `cartsync state SUBCOMMAND [ARG] …`. Which subcommands exist and what
/// arguments they take is the dispatch table's business (state_command.cc).
struct StateFlags {
  std::string subcommand;                  ///< the first word
  std::vector<std::string> arguments;      ///< the words after it
  std::string project = ".";               ///< --project DIR: whose cartsync.toml and state
  std::optional<std::string> state_url;    ///< --state URL instead of the project's
  StateFormat format = StateFormat::Text;  ///< --format text|json
  /// --status S as given: `orders` reads it once the store is open (so an
  /// unknown status is reported there, and other subcommands ignore it).
  std::optional<std::string> status;
  std::optional<std::string> cart;  ///< --cart ID (orders)
  std::optional<int> limit;         ///< --limit N, read as atoi and at least 1 (orders, runs)
  bool tracking = false;            ///< --tracking (resend: the order's tracking upload)
  /// --older-than DURATION as given (purge; checked by the subcommand).
  std::optional<std::string> older_than;
};

/// Errors: the parser's (with the usage text), none when no subcommand is
/// given (just the usage text), "--format must be text or json" (without).
Parsed<StateFlags> ParseStateFlags(const std::vector<std::string>& args);

}  // namespace cartsync
