// tools/cartsync/options.h: each command's words into its typed options,
// with the defaults and every usage error's exact text; and how the CLI
// prints those errors (RunCli, in-process).
#include "tools/cartsync/options.h"

#include <gtest/gtest.h>

#include <sstream>

#include "tools/cartsync/cli.h"
#include "tools/cartsync/commands.h"

namespace cartsync {
namespace {

using Words = std::vector<std::string>;

template <typename Flags>
std::string ErrorOf(const Parsed<Flags>& p) {
  EXPECT_FALSE(p.ok());
  return p.error.message;
}

// --- the shared parser, through one command -------------------------------------

TEST(OptionsTest, ValuesInlineOrNextLastOneWinsDashDashEndsOptions) {
  auto p = ParseCheckFlags({"--format=json", "a", "--format", "sarif", "--", "--format", "-x"});
  ASSERT_TRUE(p.ok()) << p.error.message;
  EXPECT_EQ(p.flags->format, DiagFormat::Sarif);
  EXPECT_EQ(p.flags->paths, (Words{"a", "--format", "-x"}));
  // A lone "-" is a path.
  EXPECT_EQ(ParseCheckFlags({"-"}).flags->paths, Words{"-"});
}

TEST(OptionsTest, UnknownOptionsAndMissingValues) {
  EXPECT_EQ(ErrorOf(ParseCheckFlags({"--frmat", "json"})),
            "unknown option --frmat; did you mean --format?");
  EXPECT_EQ(ErrorOf(ParseCheckFlags({"--format"})), "option --format needs a value");
  // A boolean flag takes no value.
  EXPECT_EQ(ErrorOf(ParsePlanFlags({"--detailed-exitcode=yes"})),
            "option --detailed-exitcode takes no value");
  EXPECT_EQ(ErrorOf(ParseRunFlags({"--dry-run=1"})), "option --dry-run takes no value");
}

// --- check ---------------------------------------------------------------------------

TEST(CheckFlagsTest, Defaults) {
  auto p = ParseCheckFlags({});
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p.flags->paths.empty());
  EXPECT_FALSE(p.flags->schema_dir);
  EXPECT_EQ(p.flags->color, ColorMode::Auto);
  EXPECT_EQ(p.flags->format, DiagFormat::Text);
}

TEST(CheckFlagsTest, EveryFlag) {
  auto p = ParseCheckFlags(
      {"carts.d", "--schema", "my-schema", "--color", "never", "x.toml", "--format", "github"});
  ASSERT_TRUE(p.ok()) << p.error.message;
  EXPECT_EQ(p.flags->paths, (Words{"carts.d", "x.toml"}));
  EXPECT_EQ(p.flags->schema_dir, "my-schema");
  EXPECT_EQ(p.flags->color, ColorMode::Never);
  EXPECT_EQ(p.flags->format, DiagFormat::Github);
  EXPECT_EQ(ParseCheckFlags({"--color=always"}).flags->color, ColorMode::Always);
  EXPECT_EQ(ParseCheckFlags({"--format=json"}).flags->format, DiagFormat::Json);
  EXPECT_EQ(ParseCheckFlags({"--format=text"}).flags->format, DiagFormat::Text);
}

TEST(CheckFlagsTest, UsageErrorsInOrder) {
  auto color = ParseCheckFlags({"--color", "sometimes", "--format", "yaml"});
  EXPECT_EQ(ErrorOf(color), "--color must be auto, always or never");
  EXPECT_TRUE(color.error.with_usage);
  EXPECT_EQ(ErrorOf(ParseCheckFlags({"--format", "yaml"})),
            "--format must be text, json, sarif, github or gitlab");
  EXPECT_EQ(ErrorOf(ParseCheckFlags({"--format", "JSON"})),
            "--format must be text, json, sarif, github or gitlab");
}

// --- plan ----------------------------------------------------------------------------

TEST(PlanFlagsTest, Defaults) {
  auto p = ParsePlanFlags({});
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p.flags->paths.empty());
  EXPECT_FALSE(p.flags->schema_dir);
  EXPECT_EQ(p.flags->color, ColorMode::Auto);
  EXPECT_EQ(p.flags->format, PlanFormat::Text);
  EXPECT_FALSE(p.flags->output);
  EXPECT_FALSE(p.flags->diff);
  EXPECT_FALSE(p.flags->detailed_exitcode);
}

TEST(PlanFlagsTest, EveryFlag) {
  auto p = ParsePlanFlags({"proj", "--schema", "s", "--color", "always", "--format", "markdown",
                           "-o", "plan.md", "--diff", "old.json", "--detailed-exitcode"});
  ASSERT_TRUE(p.ok()) << p.error.message;
  EXPECT_EQ(p.flags->paths, Words{"proj"});
  EXPECT_EQ(p.flags->schema_dir, "s");
  EXPECT_EQ(p.flags->color, ColorMode::Always);
  EXPECT_EQ(p.flags->format, PlanFormat::Markdown);
  EXPECT_EQ(p.flags->output, "plan.md");
  EXPECT_EQ(p.flags->diff, "old.json");
  EXPECT_TRUE(p.flags->detailed_exitcode);
  EXPECT_EQ(ParsePlanFlags({"--output", "p.json"}).flags->output, "p.json");
  // -o wins over --output, whatever the order.
  EXPECT_EQ(ParsePlanFlags({"-o", "a", "--output", "b"}).flags->output, "a");
  EXPECT_EQ(ParsePlanFlags({"--output", "b", "-o", "a"}).flags->output, "a");
}

TEST(PlanFlagsTest, FormatDefaultsToJsonOnlyForAPlanFile) {
  EXPECT_EQ(ParsePlanFlags({"-o", "plan.json"}).flags->format, PlanFormat::Json);
  EXPECT_EQ(ParsePlanFlags({"--output=plan.json"}).flags->format, PlanFormat::Json);
  EXPECT_EQ(ParsePlanFlags({"-o", "plan.json", "--diff", "old.json"}).flags->format,
            PlanFormat::Text);
  EXPECT_EQ(ParsePlanFlags({"--diff", "old.json"}).flags->format, PlanFormat::Text);
  EXPECT_EQ(ParsePlanFlags({"-o", "plan.txt", "--format", "text"}).flags->format, PlanFormat::Text);
  EXPECT_EQ(ParsePlanFlags({"--format", "json"}).flags->format, PlanFormat::Json);
}

TEST(PlanFlagsTest, UsageErrorsInOrder) {
  EXPECT_EQ(ErrorOf(ParsePlanFlags({"--color", "no", "--format", "sarif"})),
            "--color must be auto, always or never");
  EXPECT_EQ(ErrorOf(ParsePlanFlags({"--format", "sarif", "--detailed-exitcode"})),
            "--format must be text, json, markdown, html or dot");
  EXPECT_EQ(ErrorOf(ParsePlanFlags({"--diff", "old.json", "--format", "html"})),
            "--format html and dot draw a plan, not a --diff");
  EXPECT_EQ(ParsePlanFlags({"--format", "dot"}).flags->format, PlanFormat::Dot);
  EXPECT_EQ(ParsePlanFlags({"-o", "plan.html", "--format", "html"}).flags->format,
            PlanFormat::Html);
  auto detailed = ParsePlanFlags({"--detailed-exitcode"});
  EXPECT_EQ(ErrorOf(detailed), "--detailed-exitcode needs --diff OLD_PLAN.json or --diff-git REF");
  EXPECT_TRUE(detailed.error.with_usage);
}

// --- schema --------------------------------------------------------------------------

TEST(SchemaFlagsTest, DefaultsEveryFlagAndErrors) {
  auto d = ParseSchemaFlags({});
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d.flags->schema_dir);
  EXPECT_FALSE(d.flags->json_schema);
  auto p = ParseSchemaFlags({"--json-schema", "--schema", "dir"});
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p.flags->json_schema);
  EXPECT_EQ(p.flags->schema_dir, "dir");
  // --color is a common option: accepted, unchecked, unused.
  EXPECT_TRUE(ParseSchemaFlags({"--color", "whatever"}).ok());
  EXPECT_EQ(ErrorOf(ParseSchemaFlags({"--format", "json"})), "unknown option --format");
}

// --- run -----------------------------------------------------------------------------

TEST(RunFlagsTest, DefaultsAreTheRuntimes) {
  auto p = ParseRunFlags({});
  ASSERT_TRUE(p.ok());
  const RunFlags& f = *p.flags;
  EXPECT_EQ(f.input, ".");
  EXPECT_FALSE(f.dry_run);
  EXPECT_FALSE(f.due);
  EXPECT_TRUE(f.carts.empty());
  EXPECT_TRUE(f.services.empty());
  EXPECT_FALSE(f.state_url);
  EXPECT_FALSE(f.report);
  EXPECT_FALSE(f.metrics);
  EXPECT_EQ(f.log_format, LogFormat::Text);
  EXPECT_EQ(f.concurrency, RunOptions{}.concurrency);
  EXPECT_EQ(f.concurrency, 4);
  EXPECT_EQ(f.wms_connections, RunOptions{}.wms_connections);
  EXPECT_EQ(f.wms_connections, 4);
  EXPECT_EQ(f.http_timeout_s, 0);
  EXPECT_EQ(f.max_attempts, RetryPolicy{}.max_attempts);
  EXPECT_EQ(f.max_attempts, 5);
}

TEST(RunFlagsTest, EveryFlag) {
  auto p = ParseRunFlags({"plan.json",
                          "--dry-run",
                          "--due",
                          "--cart",
                          "acme",
                          "--cart=beta",
                          "--service",
                          "order_download",
                          "--service",
                          "inventory_upload",
                          "--state",
                          "sqlite::memory:",
                          "--report",
                          "r.json",
                          "--metrics",
                          "m.prom",
                          "--log-format",
                          "json",
                          "--concurrency",
                          "64",
                          "--wms-connections",
                          "32",
                          "--http-timeout",
                          "3600",
                          "--max-attempts",
                          "20"});
  ASSERT_TRUE(p.ok()) << p.error.message;
  const RunFlags& f = *p.flags;
  EXPECT_EQ(f.input, "plan.json");
  EXPECT_TRUE(f.dry_run);
  EXPECT_TRUE(f.due);
  EXPECT_EQ(f.carts, (Words{"acme", "beta"}));
  EXPECT_EQ(f.services, (std::vector<Service>{Service::OrderDownload, Service::InventoryUpload}));
  EXPECT_EQ(f.state_url, "sqlite::memory:");
  EXPECT_EQ(f.report, "r.json");
  EXPECT_EQ(f.metrics, "m.prom");
  EXPECT_EQ(f.log_format, LogFormat::Json);
  EXPECT_EQ(f.concurrency, 64);
  EXPECT_EQ(f.wms_connections, 32);
  EXPECT_EQ(f.http_timeout_s, 3600);
  EXPECT_EQ(f.max_attempts, 20);
  EXPECT_EQ(ParseRunFlags({"--service", "shipment_upload"}).flags->services,
            std::vector<Service>{Service::ShipmentUpload});
  EXPECT_EQ(ParseRunFlags({"--log-format", "text"}).flags->log_format, LogFormat::Text);
  // Leading zeros are digits too; the lower bounds are allowed.
  auto low = ParseRunFlags({"--concurrency", "001", "--wms-connections", "1", "--http-timeout", "1",
                            "--max-attempts", "1"});
  ASSERT_TRUE(low.ok()) << low.error.message;
  EXPECT_EQ(low.flags->concurrency, 1);
  EXPECT_EQ(low.flags->wms_connections, 1);
  EXPECT_EQ(low.flags->http_timeout_s, 1);
  EXPECT_EQ(low.flags->max_attempts, 1);
}

TEST(RunFlagsTest, UsageErrors) {
  EXPECT_EQ(ErrorOf(ParseRunFlags({"--schema", "x"})), "unknown option --schema");
  auto two = ParseRunFlags({"a", "b"});
  EXPECT_EQ(ErrorOf(two), "give at most one PLAN.json or PATH");
  EXPECT_FALSE(two.error.with_usage);
  EXPECT_EQ(ErrorOf(ParseRunFlags({"--service", "orders"})),
            "unknown service \"orders\" (order_download, shipment_upload, inventory_upload)");
  EXPECT_EQ(ErrorOf(ParseRunFlags({"--concurrency", "0"})), "--concurrency must be 1..64");
  EXPECT_EQ(ErrorOf(ParseRunFlags({"--concurrency", "65"})), "--concurrency must be 1..64");
  EXPECT_EQ(ErrorOf(ParseRunFlags({"--concurrency", ""})), "--concurrency must be 1..64");
  EXPECT_EQ(ErrorOf(ParseRunFlags({"--concurrency", "-1"})), "--concurrency must be 1..64");
  EXPECT_EQ(ErrorOf(ParseRunFlags({"--concurrency", "4x"})), "--concurrency must be 1..64");
  EXPECT_EQ(ErrorOf(ParseRunFlags({"--concurrency", "0000004"})), "--concurrency must be 1..64");
  EXPECT_EQ(ErrorOf(ParseRunFlags({"--wms-connections", "33"})), "--wms-connections must be 1..32");
  EXPECT_EQ(ErrorOf(ParseRunFlags({"--http-timeout", "3601"})), "--http-timeout must be 1..3600");
  EXPECT_EQ(ErrorOf(ParseRunFlags({"--max-attempts", "21"})), "--max-attempts must be 1..20");
  EXPECT_EQ(ErrorOf(ParseRunFlags({"--log-format", "xml"})), "--log-format must be text or json");
}

TEST(RunFlagsTest, ErrorsComeInOrder) {
  EXPECT_EQ(ErrorOf(ParseRunFlags({"a", "b", "--service", "x"})),
            "give at most one PLAN.json or PATH");
  EXPECT_EQ(ErrorOf(ParseRunFlags({"--max-attempts", "0", "--service", "x"})),
            "unknown service \"x\" (order_download, shipment_upload, inventory_upload)");
  EXPECT_EQ(ErrorOf(ParseRunFlags({"--max-attempts", "0", "--http-timeout", "0",
                                   "--wms-connections", "0", "--concurrency", "0"})),
            "--concurrency must be 1..64");
  EXPECT_EQ(ErrorOf(ParseRunFlags(
                {"--max-attempts", "0", "--http-timeout", "0", "--wms-connections", "0"})),
            "--wms-connections must be 1..32");
  EXPECT_EQ(ErrorOf(ParseRunFlags({"--max-attempts", "0", "--http-timeout", "0"})),
            "--http-timeout must be 1..3600");
  EXPECT_EQ(ErrorOf(ParseRunFlags({"--log-format", "xml", "--max-attempts", "0"})),
            "--max-attempts must be 1..20");
}

// --- state ---------------------------------------------------------------------------

TEST(StateFlagsTest, Defaults) {
  auto p = ParseStateFlags({"runs"});
  ASSERT_TRUE(p.ok());
  const StateFlags& f = *p.flags;
  EXPECT_EQ(f.subcommand, "runs");
  EXPECT_TRUE(f.arguments.empty());
  EXPECT_EQ(f.project, ".");
  EXPECT_FALSE(f.state_url);
  EXPECT_EQ(f.format, StateFormat::Text);
  EXPECT_FALSE(f.status);
  EXPECT_FALSE(f.cart);
  EXPECT_FALSE(f.limit);
}

TEST(StateFlagsTest, EveryFlag) {
  auto p = ParseStateFlags({"--project", "proj", "orders", "--state", "sqlite:x.db", "--format",
                            "json", "--status", "held", "--cart", "acme", "--limit", "7", "x"});
  ASSERT_TRUE(p.ok()) << p.error.message;
  const StateFlags& f = *p.flags;
  EXPECT_EQ(f.subcommand, "orders");
  EXPECT_EQ(f.arguments, Words{"x"});
  EXPECT_EQ(f.project, "proj");
  EXPECT_EQ(f.state_url, "sqlite:x.db");
  EXPECT_EQ(f.format, StateFormat::Json);
  EXPECT_EQ(f.status, "held");  // read by `orders` once the store is open
  EXPECT_EQ(f.cart, "acme");
  EXPECT_EQ(f.limit, 7);
  // --limit reads like atoi, and is at least 1.
  EXPECT_EQ(ParseStateFlags({"runs", "--limit", "0"}).flags->limit, 1);
  EXPECT_EQ(ParseStateFlags({"runs", "--limit", "-5"}).flags->limit, 1);
  EXPECT_EQ(ParseStateFlags({"runs", "--limit", "abc"}).flags->limit, 1);
  EXPECT_EQ(ParseStateFlags({"runs", "--limit", "12x"}).flags->limit, 12);
  EXPECT_EQ(ParseStateFlags({"runs", "--format=text"}).flags->format, StateFormat::Text);
}

TEST(StateFlagsTest, UsageErrors) {
  auto unknown = ParseStateFlags({"runs", "--verbose"});
  EXPECT_EQ(ErrorOf(unknown), "unknown option --verbose");
  EXPECT_TRUE(unknown.error.with_usage);
  auto none = ParseStateFlags({"--format", "yaml"});  // no subcommand: just the usage
  EXPECT_EQ(ErrorOf(none), "");
  EXPECT_TRUE(none.error.with_usage);
  auto format = ParseStateFlags({"runs", "--format", "yaml"});
  EXPECT_EQ(ErrorOf(format), "--format must be text or json");
  EXPECT_FALSE(format.error.with_usage);
}

// --- how the CLI prints them -----------------------------------------------------------

struct CliResult {
  int code;
  std::string out, err;
};

CliResult Cli(const Words& args) {
  std::ostringstream out, err;
  int code = RunCli(args, out, err, CliEnv{});
  return {code, out.str(), err.str()};
}

const std::string kStateUsage =
    "usage: cartsync state <subcommand> [--project DIR] [--state URL] [--format text|json]\n"
    "  orders [--status new|held|sent|shipped|confirmed|skipped|canceled] [--cart ID] [--limit N]\n"
    "  show ORDER_KEY        one order, with its reason and documents\n"
    "  resend ORDER_KEY      send a held, skipped, canceled or sent order again on the next run "
    "(--tracking: upload its tracking to the cart again)\n"
    "  cancel ORDER_KEY      never send an order not sent yet; cancel a sent, unshipped one at "
    "the WMS\n"
    "  purge [--older-than D]  erase personal data of orders past sending (default 60d)\n"
    "  runs [--limit N]      the last runs and their steps\n"
    "  unlock CART           drop a cart's lease (after a crashed run, before it expires)\n";

TEST(CliUsageTest, StateUsageComesFromTheTable) { EXPECT_EQ(StateUsage(), kStateUsage); }

// A usage error: one line naming it, then where to read more (exit 2).
TEST(CliUsageTest, CheckPlanAndSchemaPointAtTheirHelp) {
  CliResult check = Cli({"check", "--format", "yaml"});
  EXPECT_EQ(check.code, 2);
  EXPECT_EQ(check.out, "");
  EXPECT_EQ(check.err.rfind("cartsync check: --format must be text, json, sarif, github", 0), 0u)
      << check.err;
  EXPECT_NE(check.err.find("\nsee 'cartsync check --help'\n"), std::string::npos) << check.err;
  CliResult plan = Cli({"plan", "--detailed-exitcode"});
  EXPECT_EQ(plan.code, 2);
  EXPECT_EQ(plan.err.rfind("cartsync plan: --detailed-exitcode needs --diff", 0), 0u) << plan.err;
  CliResult schema = Cli({"schema", "--bogus"});
  EXPECT_EQ(schema.code, 2);
  EXPECT_EQ(schema.err, "cartsync schema: unknown option --bogus\nsee 'cartsync schema --help'\n");
  CliResult none = Cli({});
  EXPECT_EQ(none.code, 2);
  EXPECT_EQ(none.err.rfind("usage: cartsync <command> [options]\n", 0), 0u) << none.err;
}

TEST(CliUsageTest, RunPrintsOneLine) {
  const std::string see = "see 'cartsync run --help'\n";
  CliResult r = Cli({"run", "--concurrency", "99"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "cartsync run: --concurrency must be 1..64\n" + see);
  EXPECT_EQ(Cli({"run", "a", "b"}).err, "cartsync run: give at most one PLAN.json or PATH\n" + see);
  EXPECT_EQ(Cli({"run", "--nope"}).err, "cartsync run: unknown option --nope\n" + see);
}

// The subcommand checks come before the store is opened, so a missing
// database does not matter to them.
TEST(CliUsageTest, StateErrors) {
  const Words store = {"--state", "sqlite:/nonexistent/cartsync-options-test/state.db"};
  auto state = [&](Words args) {
    args.insert(args.begin(), "state");
    args.insert(args.end(), store.begin(), store.end());
    return Cli(args);
  };
  const std::string see = "see 'cartsync state --help'\n";
  CliResult empty = Cli({"state"});
  EXPECT_EQ(empty.code, 2);
  EXPECT_EQ(empty.err.rfind("cartsync state: give a subcommand: orders, show", 0), 0u) << empty.err;
  EXPECT_NE(empty.err.find(see), std::string::npos) << empty.err;
  CliResult unknown_option = state({"runs", "--bogus"});
  EXPECT_EQ(unknown_option.code, 2);
  EXPECT_EQ(unknown_option.err, "cartsync state: unknown option --bogus\n" + see);
  CliResult format = state({"runs", "--format", "yaml"});
  EXPECT_EQ(format.code, 2);
  EXPECT_EQ(format.err, "cartsync state: --format must be text or json\n" + see);
  CliResult unknown = state({"frobnicate"});
  EXPECT_EQ(unknown.code, 2);
  EXPECT_EQ(unknown.err, "cartsync state: unknown subcommand \"frobnicate\"\n" + see);
  for (const char* sub : {"show", "resend", "unlock"}) {
    CliResult missing = state({sub});
    EXPECT_EQ(missing.code, 2);
    EXPECT_EQ(missing.err, std::string("cartsync state: ") + sub + " needs an argument\n" + see);
    EXPECT_EQ(state({sub, ""}).err, missing.err);  // an empty argument is none
  }
  const std::string stray = "\" (a project directory goes in --project DIR)\n" + see;
  EXPECT_EQ(state({"runs", "proj"}).err, "cartsync state: unexpected argument \"proj" + stray);
  EXPECT_EQ(state({"orders", "a", "b"}).err, "cartsync state: unexpected argument \"b" + stray);
  EXPECT_EQ(state({"show", "acme:1", "extra"}).err,
            "cartsync state: unexpected argument \"extra" + stray);
  // Past those checks, the store is opened first: here, it is not there.
  CliResult status = state({"orders", "--status", "lost"});
  EXPECT_EQ(status.code, 1);
  EXPECT_NE(status.err.find("no state database at"), std::string::npos) << status.err;
}

}  // namespace
}  // namespace cartsync
