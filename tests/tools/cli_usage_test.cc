// Usage errors of every command and subcommand: exit 2, the bad argument
// named, the closest flag of that command suggested, and a one-line pointer
// to the command's --help instead of the whole usage text. --help / -h of
// every command and state subcommand: exit 0.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "tools/cartsync/cli.h"
#include "tools/cartsync/help_render.h"
#include "tools/cartsync/options.h"

namespace cartsync {
namespace {

using Words = std::vector<std::string>;

struct CliResult {
  int code;
  std::string out, err;
};

CliResult Cli(const Words& args) {
  std::ostringstream out, err;
  int code = RunCli(args, out, err, CliEnv{});
  return {code, out.str(), err.str()};
}

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// What a state subcommand needs to get past its own checks.
Words Base(const CommandSpec& c) {
  if (c.name == "state") return {"runs"};
  if (c.name == "completion") return {"bash"};
  return {};
}

// Every long flag of every command, with one letter doubled ("--formatt"):
// exit 2, "unknown option --formatt; did you mean --format?", the hint, and
// not the global usage.
TEST(CliUsageErrorsTest, EveryCommandSuggestsItsOwnClosestFlag) {
  int checked = 0;
  for (const CommandSpec& c : CommandTable()) {
    for (const OptionSpec& o : c.options) {
      if (o.flag.size() < 5) continue;  // "-o": too short to be typed wrong usefully
      const std::string typo = o.flag + o.flag.back();
      Words args = {c.name};
      for (const std::string& w : Base(c)) args.push_back(w);
      args.push_back(typo);
      if (!o.value.empty()) args.push_back(o.kind == ValueKind::Choice ? o.choices[0] : "1");
      CliResult r = Cli(args);
      EXPECT_EQ(r.code, 2) << c.name << " " << typo << "\n" << r.err;
      EXPECT_EQ(r.out, "");
      EXPECT_EQ(r.err, "cartsync " + c.name + ": unknown option " + typo + "; did you mean " +
                           o.flag + "?\nsee 'cartsync " + c.name + " --help'\n");
      ++checked;
    }
  }
  EXPECT_GT(checked, 20);
}

TEST(CliUsageErrorsTest, TheIssuesExample) {
  CliResult r = Cli({"plan", "--formt", "json"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err,
            "cartsync plan: unknown option --formt; did you mean --format?\n"
            "see 'cartsync plan --help'\n");
  EXPECT_FALSE(Has(r.err, "usage: cartsync <command>")) << r.err;
}

TEST(CliUsageErrorsTest, EveryCommandExitsTwoOnAnyUsageError) {
  const std::vector<Words> cases = {
      {"check", "--not-a-flag"},
      {"check", "--format", "yaml"},
      {"check", "--color", "sometimes"},
      {"check", "--format"},  // no value
      {"plan", "--format", "yaml"},
      {"plan", "--detailed-exitcode"},  // needs --diff
      {"plan", "--detailed-exitcode=yes"},
      {"run", "--concurrency", "99"},
      {"run", "a", "b"},
      {"run", "--service", "teleport"},
      {"run", "--dry-run=1"},
      {"state"},
      {"state", "runs", "--format", "yaml"},
      {"state", "runs", "--bogus"},
      {"state", "frobnicate"},
      {"state", "show"},
      {"state", "runs", "stray"},
      {"schema", "--format", "json"},
      {"completion"},
      {"completion", "tcsh"},
      {"completion", "--bash"},
      {"man", "nope"},
      {"man", "--directroy", "x"},
      {"version", "--bogus"},
      {"help", "nope"},
      {"chek"},
  };
  for (const Words& args : cases) {
    CliResult r = Cli(args);
    std::string line;
    for (const std::string& w : args) line += w + " ";
    EXPECT_EQ(r.code, 2) << line << "\n" << r.err;
    EXPECT_EQ(r.out, "") << line;
    EXPECT_FALSE(r.err.empty()) << line;
    // A short pointer, not the whole usage text.
    EXPECT_FALSE(Has(r.err, "usage: cartsync <command>")) << line << "\n" << r.err;
    EXPECT_LT(r.err.size(), 600u) << line << "\n" << r.err;
  }
}

TEST(CliUsageErrorsTest, MessagesNameTheBadArgument) {
  EXPECT_EQ(Cli({"run", "--concurency", "3"}).err,
            "cartsync run: unknown option --concurency; did you mean --concurrency?\n"
            "see 'cartsync run --help'\n");
  EXPECT_EQ(Cli({"run", "--dry-run=1"}).err,
            "cartsync run: option --dry-run takes no value\nsee 'cartsync run --help'\n");
  EXPECT_EQ(Cli({"check", "--hlep"}).err,
            "cartsync check: unknown option --hlep; did you mean --help?\n"
            "see 'cartsync check --help'\n");
  EXPECT_EQ(Cli({"chek"}).err,
            "cartsync: unknown command 'chek'; did you mean 'check'?\nsee 'cartsync --help'\n");
  EXPECT_EQ(Cli({"frobnicate"}).err,
            "cartsync: unknown command 'frobnicate'\nsee 'cartsync --help'\n");
  EXPECT_EQ(Cli({"man", "--directroy", "x"}).err,
            "cartsync man: unknown option --directroy; did you mean --directory?\n"
            "see 'cartsync man --help'\n");
  const std::string store = "sqlite:/nonexistent/cartsync-cli-usage-test/state.db";
  EXPECT_EQ(Cli({"state", "shwo", "--state", store}).err,
            "cartsync state: unknown subcommand \"shwo\"; did you mean show?\n"
            "see 'cartsync state --help'\n");
  EXPECT_EQ(Cli({"state", "runs", "--limt", "3"}).err,
            "cartsync state: unknown option --limt; did you mean --limit?\n"
            "see 'cartsync state --help'\n");
  EXPECT_EQ(Cli({"state", "unlock", "--state", store}).err,
            "cartsync state: unlock needs an argument\nsee 'cartsync state --help'\n");
  CliResult none = Cli({"state"});
  EXPECT_EQ(none.code, 2);
  EXPECT_TRUE(Has(none.err, "give a subcommand")) << none.err;
  // `cartsync` alone still shows the usage text.
  CliResult bare = Cli({});
  EXPECT_EQ(bare.code, 2);
  EXPECT_EQ(bare.err, GlobalUsage());
}

// A 50,000-character flag is refused at once, with no suggestion.
TEST(CliUsageErrorsTest, AHugeFlagIsCheap) {
  const std::string huge = "--" + std::string(50000, 'f');
  CliResult r = Cli({"check", huge});
  EXPECT_EQ(r.code, 2);
  EXPECT_FALSE(Has(r.err, "did you mean")) << r.err.substr(0, 200);
  CliResult near = Cli({"check", "--format" + std::string(50000, 't')});
  EXPECT_EQ(near.code, 2);
  EXPECT_FALSE(Has(near.err, "did you mean"));
}

TEST(CliHelpTest, EveryCommandAndStateSubcommandAnswersHelp) {
  for (const CommandSpec& c : CommandTable()) {
    if (c.name == "help" || c.name == "version") continue;
    for (const char* flag : {"--help", "-h"}) {
      CliResult r = Cli({c.name, flag});
      EXPECT_EQ(r.code, 0) << c.name << " " << flag;
      EXPECT_EQ(r.out, CommandHelp(c));
      // Also after other words, and after a bad flag: help wins.
      CliResult later = Cli({c.name, "--not-a-flag", flag});
      EXPECT_EQ(later.code, 0) << c.name << " " << flag;
    }
  }
  const CommandSpec& state = *FindCommand("state");
  ASSERT_FALSE(state.subcommands.empty());
  for (const std::string& sub : state.subcommands) {
    for (const char* flag : {"--help", "-h"}) {
      CliResult r = Cli({"state", sub, flag});
      EXPECT_EQ(r.code, 0) << sub << " " << flag;
      EXPECT_EQ(r.err, "");
      EXPECT_TRUE(Has(r.out, "usage: cartsync state")) << sub;
      EXPECT_TRUE(Has(r.out, sub)) << sub;
    }
  }
  for (const Words& args : {Words{"help"}, Words{"--help"}, Words{"-h"}}) {
    CliResult r = Cli(args);
    EXPECT_EQ(r.code, 0);
    EXPECT_EQ(r.out, GlobalUsage());
  }
}

}  // namespace
}  // namespace cartsync
