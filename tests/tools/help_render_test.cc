// The usage text, --help, the shell completions and the manual pages all come
// from the option tables (CommandTable), which the parsers use too: these
// tests hold them to each other, and run the bash completion in bash.
#include "tools/cartsync/help_render.h"

#include <gtest/gtest.h>
#include <stdio.h>
#include <sys/wait.h>

#include <array>
#include <regex>
#include <set>
#include <sstream>

#include "tests/support/temp_dir.h"
#include "tools/cartsync/cli.h"
#include "tools/cartsync/commands.h"
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

// Runs `command` with /bin/sh; its standard output, and its exit code in `code`.
std::string Shell(const std::string& command, int& code) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) {
    code = -1;
    return out;
  }
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) out.append(buf.data(), n);
  int status = pclose(pipe);
  code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

bool Have(const std::string& program) {
  int code = 0;
  Shell("command -v " + program + " >/dev/null 2>&1", code);
  return code == 0;
}

// The parse function of each command with flags.
Parsed<int> ParseFor(const std::string& command, const Words& args) {
  UsageError error;
  bool ok = false;
  auto take = [&](const auto& p) {
    ok = p.ok();
    error = p.error;
  };
  if (command == "check") take(ParseCheckFlags(args));
  if (command == "plan") take(ParsePlanFlags(args));
  if (command == "run") take(ParseRunFlags(args));
  if (command == "state") take(ParseStateFlags(args));
  if (command == "schema") take(ParseSchemaFlags(args));
  if (command == "fmt") take(ParseFmtFlags(args));
  if (command == "doctor") take(ParseDoctorFlags(args));
  if (command == "completion") take(ParseCompletionFlags(args));
  if (command == "man") take(ParseManFlags(args));
  Parsed<int> out;
  if (ok) out.flags = 0;
  out.error = error;
  return out;
}

TEST(OptionTableTest, EveryCommandIsThereOnce) {
  std::set<std::string> names;
  for (const CommandSpec& c : CommandTable()) {
    EXPECT_TRUE(names.insert(c.name).second) << c.name;
    EXPECT_FALSE(c.summary.empty()) << c.name;
    std::set<std::string> flags;
    for (const OptionSpec& o : c.options) {
      EXPECT_TRUE(flags.insert(o.flag).second) << c.name << " " << o.flag;
      EXPECT_FALSE(o.help.empty()) << c.name << " " << o.flag;
      EXPECT_EQ(o.kind == ValueKind::None, o.value.empty()) << c.name << " " << o.flag;
      EXPECT_EQ(o.kind == ValueKind::Choice, !o.choices.empty()) << c.name << " " << o.flag;
    }
  }
  EXPECT_EQ(names, (std::set<std::string>{"check", "plan", "run", "state", "schema", "fmt",
                                          "doctor", "completion", "man", "help", "version"}));
  EXPECT_EQ(FindCommand("nope"), nullptr);
}

// The parsers read their flags from the table: every flag in it is known to
// its command's parser, and one that is not in it is refused.
TEST(OptionTableTest, TheParsersAcceptExactlyTheTablesFlags) {
  for (const CommandSpec& c : CommandTable()) {
    if (c.name == "help" || c.name == "version") continue;
    const Words base = c.name == "state"        ? Words{"runs"}
                       : c.name == "completion" ? Words{"bash"}
                                                : Words{};
    for (const OptionSpec& o : c.options) {
      Words args = base;
      args.push_back(o.flag);
      if (!o.value.empty()) args.push_back(o.kind == ValueKind::Choice ? o.choices[0] : "1");
      Parsed<int> p = ParseFor(c.name, args);
      EXPECT_EQ(p.error.message.rfind("unknown option", 0), std::string::npos)
          << c.name << " " << o.flag << ": " << p.error.message;
      if (o.kind == ValueKind::Choice) {
        for (const std::string& choice : o.choices) {
          Words with = base;
          with.push_back(o.flag + "=" + choice);
          EXPECT_EQ(ParseFor(c.name, with).error.message.find("must be"), std::string::npos)
              << c.name << " " << o.flag << "=" << choice;
        }
      }
    }
    Words bogus = base;
    bogus.push_back("--not-a-flag");
    EXPECT_EQ(ParseFor(c.name, bogus).error.message, "unknown option --not-a-flag") << c.name;
  }
}

TEST(OptionTableTest, StateSubcommandsAreThoseOfItsDispatchTable) {
  std::set<std::string> from_usage;
  std::istringstream lines(StateUsage());
  std::string line;
  std::getline(lines, line);  // the "usage:" line
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string word;
    words >> word;
    from_usage.insert(word);
  }
  const std::vector<std::string>& table = FindCommand("state")->subcommands;
  EXPECT_EQ(std::set<std::string>(table.begin(), table.end()), from_usage);
}

TEST(CommandHelpTest, EveryCommandTakesHelpAndListsEveryFlag) {
  for (const CommandSpec& c : CommandTable()) {
    if (c.name == "help" || c.name == "version") continue;  // `help --help` is the usage
    for (const Words& args :
         {Words{c.name, "--help"}, Words{c.name, "-h"}, Words{"help", c.name}}) {
      CliResult r = Cli(args);
      EXPECT_EQ(r.code, 0) << args[0] << " " << args[1];
      EXPECT_EQ(r.err, "");
      EXPECT_EQ(r.out, CommandHelp(c));
    }
    const std::string help = CommandHelp(c);
    EXPECT_EQ(help.rfind("usage: cartsync " + c.name, 0), 0u) << help;
    for (const OptionSpec& o : c.options)
      EXPECT_NE(help.find("\n  " + o.flag), std::string::npos) << c.name << " " << o.flag;
  }
  // After `--`, --help is a path like any other.
  EXPECT_EQ(Cli({"check", "--", "--help"}).code, 2);
  EXPECT_EQ(Cli({"help"}).out, GlobalUsage());
}

TEST(CommandHelpTest, TheUsageListsEveryCommandAndItsFlags) {
  const std::string usage = GlobalUsage();
  for (const CommandSpec& c : CommandTable()) {
    EXPECT_NE(usage.find(c.name), std::string::npos) << c.name;
    for (const OptionSpec& o : c.options)
      EXPECT_NE(usage.find(o.flag + (o.value.empty() ? "" : " ")), std::string::npos)
          << c.name << " " << o.flag;
  }
}

TEST(VersionTest, VersionAndCommit) {
  for (const char* word : {"version", "--version"}) {
    CliResult r = Cli({word});
    EXPECT_EQ(r.code, 0);
    EXPECT_TRUE(std::regex_match(
        r.out,
        std::regex(R"(cartsync \d+\.\d+\.\d+ \(commit ([0-9a-f]{7,40}(-dirty)?|unknown)\)\n)")))
        << r.out;
  }
}

TEST(CompletionTest, UsageErrors) {
  CliResult none = Cli({"completion"});
  EXPECT_EQ(none.code, 2);
  EXPECT_EQ(none.err.rfind("cartsync completion: give one shell: bash, zsh or fish\n", 0), 0u)
      << none.err;
  EXPECT_EQ(Cli({"completion", "tcsh"}).code, 2);
  EXPECT_EQ(Cli({"completion", "bash", "zsh"}).code, 2);
  for (const char* shell : {"bash", "zsh", "fish"}) {
    CliResult r = Cli({"completion", shell});
    EXPECT_EQ(r.code, 0) << shell;
    EXPECT_EQ(r.out, CompletionScript(shell));
  }
}

// The bash script is sourced by bash and asked, for each command, what
// follows "-" and what follows each flag with choices.
TEST(CompletionTest, BashOffersEveryFlagAndEveryChoice) {
  if (!Have("bash")) GTEST_SKIP() << "no bash";
  TempDir dir;
  dir.Write("cartsync.bash", CompletionScript("bash"));
  const std::string script = (dir / "cartsync.bash").string();
  // complete WORD…: COMPREPLY for the last word, one per line.
  auto complete = [&](const Words& words) {
    std::string array;
    for (const std::string& w : words) array += " '" + w + "'";
    std::string command =
        "bash --noprofile --norc -c 'source \"$0\" && complete -p cartsync "
        ">/dev/null && COMP_WORDS=(\"$@\"); COMP_CWORD=$(($# - 1)); _cartsync; "
        "printf \"%s\\n\" \"${COMPREPLY[@]}\"' '" +
        script + "' cartsync" + array;
    int code = 0;
    std::string out = Shell(command, code);
    EXPECT_EQ(code, 0) << command;
    std::set<std::string> got;
    std::istringstream lines(out);
    std::string line;
    while (std::getline(lines, line))
      if (!line.empty()) got.insert(line);
    return got;
  };
  std::set<std::string> commands;
  for (const CommandSpec& c : CommandTable()) {
    commands.insert(c.name);
    std::set<std::string> flags = {"--help"};
    for (const OptionSpec& o : c.options) flags.insert(o.flag);
    std::set<std::string> dash;
    for (const std::string& f : complete({c.name, "-"})) dash.insert(f);
    EXPECT_EQ(dash, flags) << c.name;
    for (const OptionSpec& o : c.options) {
      if (o.kind != ValueKind::Choice) continue;
      EXPECT_EQ(complete({c.name, o.flag, ""}),
                std::set<std::string>(o.choices.begin(), o.choices.end()))
          << c.name << " " << o.flag;
    }
  }
  commands.insert({"--help", "--version"});
  EXPECT_EQ(complete({""}), commands);
  const auto& subs = FindCommand("state")->subcommands;
  EXPECT_EQ(complete({"state", ""}), std::set<std::string>(subs.begin(), subs.end()));
  EXPECT_EQ(complete({"completion", ""}), (std::set<std::string>{"bash", "zsh", "fish"}));
}

// The zsh script, loaded by compinit in an interactive zsh on a pseudo-terminal
// (zsh/zpty), with compadd wrapped to print what it is given.
constexpr char kZshCapture[] = R"ZSH(zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z "PROMPT= RPROMPT="
zpty -w z "fpath=($1 \$fpath); autoload -U compinit; compinit -u -D"
zpty -w z 'compadd () { local -a __hits; builtin compadd -O __hits "$@"; (( $#__hits )) && print -r -l -- "<<${(j:|:)__hits}>>"; builtin compadd "$@" }'
zpty -w z "echo READY"
zpty -r z line '*READY*'
zpty -r z line '*READY*'
zpty -n -w z "$2"$'\t'
integer i=0 idle=0
out=""
while (( i++ < 100 )); do
  if zpty -r -t z chunk; then out+=$chunk; idle=0; else (( idle++ >= 10 && $#out )) && break; sleep 0.05; fi
done
print -r -- "$out" | grep -ao '<<[^>]*>>' | tr -d '<>' | tr '|' '\n'
zpty -d z
)ZSH";

TEST(CompletionTest, ZshOffersEveryFlag) {
  if (!Have("zsh")) GTEST_SKIP() << "no zsh";
  TempDir dir;
  dir.Write("_cartsync", CompletionScript("zsh"));
  dir.Write("capture.zsh", kZshCapture);
  auto complete = [&](const std::string& line) {
    int code = 0;
    std::string out = Shell("timeout 20 zsh -f '" + (dir / "capture.zsh").string() + "' '" +
                                dir.path() + "' '" + line + "'",
                            code);
    EXPECT_EQ(code, 0) << line;
    std::set<std::string> got;
    std::istringstream lines(out);
    for (std::string l; std::getline(lines, l);)
      if (!l.empty()) got.insert(l);
    return got;
  };
  for (const CommandSpec& c : CommandTable()) {
    std::set<std::string> want = {"--help"};
    for (const OptionSpec& o : c.options) want.insert(o.flag);
    EXPECT_EQ(complete("cartsync " + c.name + " -"), want) << c.name;
  }
  EXPECT_EQ(complete("cartsync check --format "),
            (std::set<std::string>{"text", "json", "sarif", "github", "gitlab"}));
  const auto& subs = FindCommand("state")->subcommands;
  EXPECT_EQ(complete("cartsync state "), std::set<std::string>(subs.begin(), subs.end()));
  std::set<std::string> commands;
  for (const CommandSpec& c : CommandTable()) commands.insert(c.name);
  EXPECT_EQ(complete("cartsync "), commands);
}

TEST(CompletionTest, ZshAndFishListEveryFlag) {
  const std::string zsh = CompletionScript("zsh");
  const std::string fish = CompletionScript("fish");
  EXPECT_EQ(zsh.rfind("#compdef cartsync\n", 0), 0u);
  for (const CommandSpec& c : CommandTable()) {
    EXPECT_NE(zsh.find("    " + c.name + ")\n"), std::string::npos) << c.name;
    EXPECT_NE(fish.find(" -a " + c.name + " -d "), std::string::npos) << c.name;
    const std::string fish_when = "-n '__fish_seen_subcommand_from " + c.name + "' ";
    for (const OptionSpec& o : c.options) {
      std::string zsh_spec = "'" + std::string(o.repeatable ? "*" : "") + o.flag +
                             (!o.value.empty() && o.flag.rfind("--", 0) == 0 ? "=[" : "[");
      EXPECT_NE(zsh.find(zsh_spec), std::string::npos) << c.name << " " << zsh_spec;
      std::string fish_flag =
          o.flag.rfind("--", 0) == 0 ? "-l " + o.flag.substr(2) : "-s " + o.flag.substr(1);
      EXPECT_NE(fish.find(fish_when + fish_flag), std::string::npos) << c.name << " " << o.flag;
      for (const std::string& choice : o.choices) {
        EXPECT_NE(zsh.find(choice), std::string::npos) << choice;
        EXPECT_NE(fish.find(choice), std::string::npos) << choice;
      }
    }
  }
  // Syntax, when the shells are there (Debian: zsh, fish).
  TempDir dir;
  dir.Write("_cartsync", zsh);
  dir.Write("cartsync.fish", fish);
  int code = 0;
  if (Have("zsh")) {
    Shell("zsh -n '" + (dir / "_cartsync").string() + "'", code);
    EXPECT_EQ(code, 0);
  }
  if (Have("fish")) {
    Shell("fish --no-execute '" + (dir / "cartsync.fish").string() + "'", code);
    EXPECT_EQ(code, 0);
    // fish itself, asked what follows "cartsync COMMAND -": every flag, and -h/--help.
    for (const CommandSpec& c : CommandTable()) {
      std::string out = Shell("fish --no-config -c \"source '" + (dir / "cartsync.fish").string() +
                                  "'; complete -C 'cartsync " + c.name + " -'\" | cut -f1",
                              code);
      EXPECT_EQ(code, 0);
      std::set<std::string> got, want = {"-h", "--help"};
      std::istringstream lines(out);
      for (std::string line; std::getline(lines, line);) got.insert(line);
      for (const OptionSpec& o : c.options) want.insert(o.flag);
      EXPECT_EQ(got, want) << c.name;
    }
  }
}

TEST(ManPageTest, OnePagePerCommandWithEveryFlag) {
  std::vector<std::pair<std::string, std::string>> pages = AllManPages();
  std::set<std::string> names;
  for (const auto& [name, text] : pages) names.insert(name);
  EXPECT_EQ(names, (std::set<std::string>{"cartsync.1", "cartsync-check.1", "cartsync-plan.1",
                                          "cartsync-run.1", "cartsync-state.1", "cartsync-schema.1",
                                          "cartsync-fmt.1", "cartsync-doctor.1",
                                          "cartsync-completion.1", "cartsync-man.1"}));
  for (const CommandSpec* c : ManualCommands()) {
    const std::string page = ManPage(c);
    EXPECT_EQ(page.rfind(".TH CARTSYNC-", 0), 0u);
    for (const OptionSpec& o : c->options) {
      std::string roff;
      for (char ch : o.flag) roff += ch == '-' ? std::string("\\-") : std::string(1, ch);
      EXPECT_NE(page.find(".B " + roff), std::string::npos) << c->name << " " << o.flag;
    }
    EXPECT_NE(ManPage(nullptr).find("cartsync\\-" + c->name + "\\fR(1)"), std::string::npos);
    CliResult r = Cli({"man", c->name});
    EXPECT_EQ(r.code, 0);
    EXPECT_EQ(r.out, page);
  }
  EXPECT_EQ(Cli({"man"}).out, ManPage(nullptr));
  EXPECT_EQ(Cli({"man", "nope"}).code, 2);
  EXPECT_EQ(Cli({"man", "help"}).code, 2);  // no page of its own
  // Every page written by --directory, and groff reads each without a warning.
  TempDir dir;
  CliResult all = Cli({"man", "--directory", dir.path()});
  ASSERT_EQ(all.code, 0) << all.err;
  for (const auto& [name, text] : pages) {
    ASSERT_TRUE(std::filesystem::exists(dir / name)) << name;
    if (!Have("groff")) continue;
    int code = 0;
    std::string warnings = Shell("groff -man -ww -z '" + (dir / name).string() + "' 2>&1", code);
    EXPECT_EQ(code, 0) << name;
    EXPECT_EQ(warnings, "") << name;
  }
}

}  // namespace
}  // namespace cartsync
