// The whole program, run in-process through the same entry main() uses,
// plus a few runs of the real binary where the process matters (cwd, files).
#include "tools/cartsync/cli.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "compiler/source_file.h"
#include "tests/support/cart_builder.h"
#include "tests/support/temp_dir.h"

namespace cartsync {
namespace {

namespace fs = std::filesystem;

const std::string kRoot = CARTSYNC_SOURCE_DIR;

struct Result {
  int code;
  std::string out, err;
};

Result Cli(std::vector<std::string> args) {
  std::ostringstream out, err;
  CliEnv env;
  env.today = {2026, 11, 27};
  int code = RunCli(args, out, err, env);
  return {code, out.str(), err.str()};
}

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteAll(const fs::path& p, const std::string& s) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << s;
}

// A scratch copy of the sample project, removed at the end of the test.
class ProjectDir : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::copy(kRoot + "/carts.d", dir_ / "carts.d");
    fs::copy_file(kRoot + "/cartsync.toml", dir_ / "cartsync.toml");
  }
  TempDir tmp_;
  const fs::path dir_{tmp_.path()};
};

// Runs the built binary through /bin/sh in `cwd`; returns exit code and stdout.
Result RunBinary(const std::string& cwd, const std::string& args) {
  std::string cmd =
      "cd '" + cwd + "' && '" + std::string(CARTSYNC_BINARY) + "' " + args + " 2>/dev/null";
  FILE* p = ::popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int status = ::pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out, ""};
}

TEST(Cli, CheckSampleProjectIsClean) {
  Result r = Cli({"check", kRoot});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("9 files, 8 carts: ok"), std::string::npos) << r.out;
}

TEST(Cli, CheckBadConfigExitsOneAndShowsCarets) {
  Result r = Cli({"check", kRoot + "/examples/bad-config"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("error[E0203]: unknown status \"payed\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("      |                             ^^^^^^^\n"), std::string::npos)
      << r.out;
}

TEST(Cli, CheckMissingPathIsUsageError) {
  Result r = Cli({"check", "/nonexistent/carts"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("E0108"), std::string::npos);
}

TEST(Cli, UnknownOptionAndCommandAreUsageErrors) {
  EXPECT_EQ(Cli({"check", "--frmat", "json"}).code, 2);
  EXPECT_EQ(Cli({"chek"}).code, 2);
  EXPECT_EQ(Cli({"check", "--format", "yaml"}).code, 2);
  EXPECT_EQ(Cli({}).code, 2);
}

TEST(Cli, CheckJsonFormatIsOneObjectWithCounts) {
  Result r = Cli({"check", "--format", "json", kRoot + "/examples/bad-config"});
  EXPECT_EQ(r.code, 1);
  rapidjson::Document d;
  d.Parse(r.out.c_str());
  ASSERT_FALSE(d.HasParseError()) << r.out;
  ASSERT_TRUE(d["diagnostics"].IsArray());
  EXPECT_EQ(d["errors"].GetInt(), static_cast<int>(d["diagnostics"].Size()));
  const auto& first = d["diagnostics"][0];
  EXPECT_EQ(
      std::string(first["file"].GetString()).rfind(kRoot + "/examples/bad-config/carts.d/", 0), 0u);
  EXPECT_GT(first["line"].GetInt(), 1);
}

TEST(Cli, CheckSarifAndGithubFormats) {
  Result sarif = Cli({"check", "--format=sarif", kRoot + "/examples/bad-config"});
  EXPECT_EQ(sarif.code, 1);
  rapidjson::Document d;
  d.Parse(sarif.out.c_str());
  ASSERT_FALSE(d.HasParseError());
  EXPECT_STREQ(d["version"].GetString(), "2.1.0");
  EXPECT_GT(d["runs"][0]["results"].Size(), 5u);
  Result gh = Cli({"check", "--format", "github", kRoot + "/examples/bad-config"});
  EXPECT_EQ(gh.code, 1);
  EXPECT_NE(gh.out.find("::error file="), std::string::npos) << gh.out;
}

TEST(Cli, CheckGitlabFormat) {
  Result gl = Cli({"check", "--format=gitlab", kRoot + "/examples/bad-config"});
  EXPECT_EQ(gl.code, 1);
  rapidjson::Document d;
  d.Parse(gl.out.c_str());
  ASSERT_FALSE(d.HasParseError()) << gl.out;
  ASSERT_TRUE(d.IsArray());
  EXPECT_GT(d.Size(), 5u);
  std::set<std::string> fingerprints;
  for (const auto& issue : d.GetArray()) {
    EXPECT_TRUE(issue["check_name"].IsString());
    EXPECT_TRUE(issue["description"].IsString());
    EXPECT_GE(issue["location"]["lines"]["begin"].GetUint(), 1u);
    EXPECT_EQ(std::string(issue["location"]["path"].GetString())
                  .rfind(kRoot + "/examples/bad-config/", 0),
              0u);
    EXPECT_TRUE(fingerprints.insert(issue["fingerprint"].GetString()).second);
  }
  Result clean = Cli({"check", "--format", "gitlab", kRoot});
  EXPECT_EQ(clean.code, 0);
  EXPECT_EQ(clean.out, "[]\n");
}

TEST_F(ProjectDir, PlainSecretValueNeverPrinted) {
  const std::string marker = "SuperSecretMarker0123456789";
  std::string cart = ReadAll(dir_ / "carts.d/acme-apparel-shopify.toml");
  cart = WithValue(cart, "access_token", TomlString(marker));
  WriteAll(dir_ / "carts.d/acme-apparel-shopify.toml", cart);
  for (std::string format : {"text", "json", "sarif", "github", "gitlab"}) {
    Result r = Cli({"check", "--format", format, dir_.string()});
    EXPECT_EQ(r.code, 1) << format;
    EXPECT_NE(r.out.find("E0301"), std::string::npos) << format << r.out;
    EXPECT_EQ(r.out.find(marker), std::string::npos) << format << " leaked the secret:\n" << r.out;
    EXPECT_EQ(r.err.find(marker), std::string::npos) << format;
  }
  Result plan = Cli({"plan", dir_.string()});
  EXPECT_EQ(plan.code, 1);
  EXPECT_EQ((plan.out + plan.err).find(marker), std::string::npos);
}

TEST_F(ProjectDir, PlanNeverContainsSecretValues) {
  const std::string marker = "EnvSecretMarker-7d1f";
  ::setenv("ACME_SHOPIFY_TOKEN", marker.c_str(), 1);
  ::setenv("CARTSYNC_WMS_TOKEN", marker.c_str(), 1);
  for (std::string format : {"json", "text", "markdown", "html", "dot"}) {
    Result r = Cli({"plan", "--format", format, dir_.string()});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out.find(marker), std::string::npos) << format;
  }
  Result json = Cli({"plan", "--format", "json", dir_.string()});
  EXPECT_NE(json.out.find("\"secret\": \"env:ACME_SHOPIFY_TOKEN\""), std::string::npos);
  ::unsetenv("ACME_SHOPIFY_TOKEN");
  ::unsetenv("CARTSYNC_WMS_TOKEN");
}

TEST_F(ProjectDir, PlanHtmlAndDotDrawTheProject) {
  fs::path page = dir_ / "plan.html";
  Result html = Cli({"plan", dir_.string(), "--format", "html", "-o", page.string()});
  ASSERT_EQ(html.code, 0) << html.err;
  std::ifstream in(page);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(text.find("<g class=\"cart\" data-cart=\"acme-apparel-shopify\">"), std::string::npos);
  EXPECT_NE(text.find("<g class=\"wms\" data-wms=\"main\">"), std::string::npos);
  Result dot = Cli({"plan", dir_.string(), "--format", "dot"});
  ASSERT_EQ(dot.code, 0) << dot.err;
  EXPECT_NE(dot.out.find("\"service:acme-apparel-shopify/order_download\" -> \"wms:main\";"),
            std::string::npos);
  Result diff = Cli({"plan", dir_.string(), "--format", "dot", "--diff", page.string()});
  EXPECT_EQ(diff.code, 2);
  EXPECT_NE(diff.err.find("--format html and dot draw a plan, not a --diff"), std::string::npos);
}

TEST_F(ProjectDir, PlanIsByteIdenticalAcrossRunsAndDirectories) {
  Result a = RunBinary(dir_.string(), "plan --format json");
  Result b = RunBinary("/", "plan --format json '" + dir_.string() + "'");
  Result c = RunBinary((dir_ / "carts.d").string(), "plan --format json ..");
  ASSERT_EQ(a.code, 0);
  EXPECT_EQ(a.out, b.out);
  EXPECT_EQ(a.out, c.out);
  EXPECT_EQ(a.out.find(dir_.string()), std::string::npos) << "absolute path in plan";
  EXPECT_NE(a.out.find("\"path\": \"carts.d/acme-apparel-shopify.toml\""), std::string::npos);
  // Same content elsewhere gives the same plan too.
  EXPECT_EQ(a.out, RunBinary(kRoot, "plan --format json").out);
}

TEST_F(ProjectDir, PlanOutputWrittenAtomicallyAndDiffDetectsChanges) {
  fs::path old_plan = dir_ / "old.json";
  Result w = Cli({"plan", dir_.string(), "-o", old_plan.string()});
  ASSERT_EQ(w.code, 0) << w.err;
  std::string written = ReadAll(old_plan);
  EXPECT_EQ(written, Cli({"plan", "--format", "json", dir_.string()}).out);
  for (const auto& e : fs::directory_iterator(dir_))
    EXPECT_EQ(e.path().filename().string().find(".tmp."), std::string::npos) << e.path();

  Result same = Cli({"plan", dir_.string(), "--diff", old_plan.string(), "--detailed-exitcode"});
  EXPECT_EQ(same.code, 0) << same.out << same.err;

  std::string cart = ReadAll(dir_ / "carts.d/acme-apparel-shopify.toml");
  cart = Replaced(cart, "every = \"15m\"", "every = \"30m\"");
  WriteAll(dir_ / "carts.d/acme-apparel-shopify.toml", cart);
  Result changed = Cli({"plan", dir_.string(), "--diff", old_plan.string(), "--detailed-exitcode"});
  EXPECT_EQ(changed.code, 2) << changed.out << changed.err;
  EXPECT_NE(changed.out.find("15m"), std::string::npos) << changed.out;
  EXPECT_NE(changed.out.find("30m"), std::string::npos) << changed.out;
  // Without --detailed-exitcode a change is still success.
  EXPECT_EQ(Cli({"plan", dir_.string(), "--diff", old_plan.string()}).code, 0);
}

// `-o -` is standard output (the JSON plan, as `-o FILE` would write it),
// never a file named "-".
TEST_F(ProjectDir, PlanOutputDashIsStandardOutput) {
  Result dash = RunBinary(dir_.string(), "plan -o -");
  ASSERT_EQ(dash.code, 0);
  EXPECT_EQ(dash.out, RunBinary(dir_.string(), "plan --format json").out);
  EXPECT_NE(dash.out.find("\"format_version\""), std::string::npos) << dash.out;
  EXPECT_FALSE(fs::exists(dir_ / "-"));
}

TEST_F(ProjectDir, PlanRefusesOnErrorsAndKeepsOldOutput) {
  fs::path out = dir_ / "plan.json";
  WriteAll(out, "previous plan");
  WriteAll(dir_ / "carts.d/broken.toml", "[cart\nid = 1\n");
  Result r = Cli({"plan", dir_.string(), "-o", out.string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(ReadAll(out), "previous plan");
  EXPECT_NE(r.err.find("E0105"), std::string::npos) << r.err;
}

TEST_F(ProjectDir, PlanToUnwritablePathFailsCleanly) {
  Result r = Cli({"plan", dir_.string(), "-o", (dir_ / "no/such/dir/plan.json").string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("cannot create"), std::string::npos) << r.err;
}

TEST(Cli, DetailedExitcodeNeedsDiff) {
  EXPECT_EQ(Cli({"plan", kRoot, "--detailed-exitcode"}).code, 2);  // a usage error
}

TEST(Cli, PlanDiffRejectsGarbage) {
  TempDir dir;
  dir.Write("bad-plan.json", "{\"format_version\": 99}");
  Result r = Cli({"plan", kRoot, "--diff", (dir / "bad-plan.json").string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("format_version 99"), std::string::npos) << r.err;
}

TEST(Cli, SchemaCommands) {
  Result human = Cli({"schema"});
  EXPECT_EQ(human.code, 0);
  EXPECT_NE(human.out.find("shopify"), std::string::npos);
  Result js = Cli({"schema", "--json-schema"});
  EXPECT_EQ(js.code, 0);
  rapidjson::Document d;
  d.Parse(js.out.c_str());
  ASSERT_FALSE(d.HasParseError());
  EXPECT_STREQ(d["$schema"].GetString(), "https://json-schema.org/draft/2020-12/schema");
}

TEST(Cli, SchemaOverrideDirectory) {
  Result r = Cli({"check", "--schema", "/nonexistent-schema", kRoot});
  EXPECT_EQ(r.code, 2);
  Result ok = Cli({"check", "--schema", kRoot + "/schema", kRoot});
  EXPECT_EQ(ok.code, 0) << ok.out << ok.err;
}

}  // namespace
}  // namespace cartsync
