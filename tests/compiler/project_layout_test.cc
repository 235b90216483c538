// Project layout (cart-format.md "Project layout"): carts.d read recursively,
// sorted, dot entries skipped; FIFOs, sockets and devices refused without
// being opened; symbolic links out of the project refused; several projects
// in one call each with their own cartsync.toml; one error for a broken
// project file; one warning for carts checked without a WMS connection; plan
// needs a WMS. Through the CLI entry point (and the real binary where a hang
// is the failure being tested).
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/temp_dir.h"
#include "tests/support/text_count.h"
#include "tools/cartsync/cli.h"

namespace cartsync {
namespace {

namespace fs = std::filesystem;

struct Result {
  int code;
  std::string out, err;
};

Result Cli(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  CliEnv env;
  env.today = {2026, 11, 27};
  int code = RunCli(args, out, err, env);
  return {code, out.str(), err.str()};
}

// The real binary under `timeout 10` (a FIFO that is opened blocks forever):
// exit code (124 = timed out) and standard output.
Result Binary(const std::string& args) {
  std::string cmd = "timeout 10 '" + std::string(CARTSYNC_BINARY) + "' " + args + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int status = ::pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out, ""};
}

// Runs the test inside `dir`, so paths on the command line (and in messages)
// are short relative ones: a random temp directory name can look like a
// token, and messages mask credential-like strings.
class InDir {
 public:
  explicit InDir(const std::string& dir) : old_(fs::current_path()) { fs::current_path(dir); }
  ~InDir() { fs::current_path(old_); }

 private:
  fs::path old_;
};

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::string Cart(const std::string& id, const std::string& wms = "",
                 const std::string& carrier = "UPS") {
  return "[cart]\nid = \"" + id + "\"\nclient = \"acme\"\nplatform = \"shopify\"\n" +
         (wms.empty() ? "" : "wms = \"" + wms + "\"\n") +
         "[api]\nstore_url = \"https://acme.myshopify.com\"\n"
         "access_token = { secret = \"env:ACME_TOKEN\" }\n"
         "[order_load]\nsync_inventory_with = \"east\"\n"
         "[ship_methods]\n\"Standard\" = \"" +
         carrier + "/GROUND\"\n";
}

std::string Project(const std::string& wms, const std::string& carriers = "\"UPS\"") {
  return "[wms." + wms +
         "]\nsystem = \"http\"\nurl = \"http://127.0.0.1:18080/wms\"\n"
         "token = { secret = \"env:WMS_TOKEN\" }\nwarehouses = [\"east\"]\ncarriers = [" +
         carriers + "]\n";
}

// {errors, warnings} and the codes of `check --format json`.
struct Json {
  int errors = -1, warnings = -1;
  std::vector<std::string> codes, files, messages;
};

Json CheckJson(const std::vector<std::string>& paths) {
  std::vector<std::string> args = {"check", "--format", "json"};
  args.insert(args.end(), paths.begin(), paths.end());
  Result r = Cli(args);
  Json j;
  rapidjson::Document d;
  d.Parse(r.out.c_str());
  EXPECT_FALSE(d.HasParseError()) << r.out;
  if (d.HasParseError() || !d.IsObject()) return j;
  j.errors = d["errors"].GetInt();
  j.warnings = d["warnings"].GetInt();
  for (const auto& x : d["diagnostics"].GetArray()) {
    j.codes.push_back(x["code"].GetString());
    j.files.push_back(x["file"].GetString());
    j.messages.push_back(x["message"].GetString());
  }
  return j;
}

TEST(ProjectLayoutTest, CartsDirIsReadRecursivelySortedAndDotEntriesAreSkipped) {
  TempDir tmp;
  InDir in(tmp.path());
  tmp.Write("cartsync.toml", Project("main"));
  tmp.Write("carts.d/b.toml", Cart("bravo"));
  tmp.Write("carts.d/acme/shopify.toml", Cart("acme-shopify"));
  tmp.Write("carts.d/acme/deeper/more.toml", Cart("acme-more"));
  tmp.Write("carts.d/.hidden/broken.toml", "this is [ not toml");
  tmp.Write("carts.d/.#editor-backup.toml", "nor [ this");
  tmp.Write("carts.d/acme/notes.txt", "not a cart");
  Result r = Cli({"check", "."});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_TRUE(Has(r.out, "checked 4 files, 3 carts: ok")) << r.out;

  // A duplicate id in a subdirectory names the first file: sorted by path,
  // carts.d/acme/deeper/more.toml comes before carts.d/b.toml.
  tmp.Write("carts.d/b.toml", Cart("acme-more"));
  Json j = CheckJson({"."});
  ASSERT_EQ(j.codes, std::vector<std::string>{"E0210"});
  EXPECT_TRUE(Has(j.files[0], "carts.d/b.toml")) << j.files[0];
  EXPECT_TRUE(Has(j.messages[0], "carts.d/acme/deeper/more.toml")) << j.messages[0];
}

TEST(ProjectLayoutTest, AFifoNamedTomlIsRefusedNotOpened) {
  TempDir tmp;
  InDir in(tmp.path());
  tmp.Write("cartsync.toml", Project("main"));
  tmp.Write("carts.d/a.toml", Cart("alpha"));
  ASSERT_EQ(::mkfifo((tmp / "carts.d/x.toml").c_str(), 0600), 0);
  ASSERT_EQ(::mkfifo((tmp / "carts.d/sub.toml").c_str(), 0600), 0);
  fs::create_directories(tmp / "carts.d/deep");
  ASSERT_EQ(::mkfifo((tmp / "carts.d/deep/y.toml").c_str(), 0600), 0);
  ASSERT_EQ(::mkfifo((tmp / "carts.d/deep/ignored.txt").c_str(), 0600), 0);
  Result r = Binary("check .");
  EXPECT_EQ(r.code, 1) << r.out;  // 124 would be: timed out, the FIFO was opened
  EXPECT_EQ(Count(r.out, "error[E0110]"), 3u) << r.out;
  EXPECT_TRUE(Has(r.out, "x.toml is a FIFO, not a regular file; refusing to read it")) << r.out;
  EXPECT_FALSE(Has(r.out, "ignored.txt")) << r.out;
  // Named on the command line: refused too (a usage/IO error, exit 2).
  Result direct = Binary("check carts.d/x.toml");
  EXPECT_EQ(direct.code, 2) << direct.out;
  EXPECT_TRUE(Has(direct.out, "E0110")) << direct.out;
  // plan refuses it the same way.
  Result plan = Binary("plan .");
  EXPECT_EQ(plan.code, 1) << plan.out;
  EXPECT_TRUE(Has(plan.out, "E0110")) << plan.out;
}

TEST(ProjectLayoutTest, SymlinksLeavingTheProjectAreRefused) {
  TempDir outside, tmp;
  InDir in(tmp.path());
  outside.Write("stolen.toml", Cart("stolen"));
  outside.Write("dir/more.toml", Cart("more"));
  tmp.Write("cartsync.toml", Project("main"));
  tmp.Write("carts.d/a.toml", Cart("alpha"));
  tmp.Write("shared/inside.toml", Cart("inside"));
  fs::create_symlink(outside / "stolen.toml", tmp / "carts.d/evil.toml");
  fs::create_symlink(outside / "dir", tmp / "carts.d/evil-dir");
  fs::create_symlink("../shared/inside.toml", tmp / "carts.d/linked.toml");  // inside: read
  fs::create_symlink("../nowhere.toml", tmp / "carts.d/dangling.toml");
  Json j = CheckJson({"."});
  EXPECT_EQ(j.errors, 3);
  std::string all;
  for (size_t i = 0; i < j.codes.size(); ++i) all += j.codes[i] + " " + j.messages[i] + "\n";
  EXPECT_EQ(Count(all, "E0111"), 2u) << all;
  EXPECT_TRUE(Has(all, "evil.toml is a symbolic link to")) << all;
  EXPECT_TRUE(Has(all, "evil-dir is a symbolic link to")) << all;
  EXPECT_TRUE(Has(all, "dangling.toml: a broken symbolic link")) << all;
  for (const std::string& code : j.codes)  // never read: nothing about its content
    EXPECT_TRUE(code == "E0111" || code == "E0101") << all;
  Result r = Cli({"check", "."});
  EXPECT_EQ(r.code, 2);  // the broken link is an unreadable file
  EXPECT_FALSE(Has(r.out, "id = \"stolen\"")) << r.out;
  fs::remove(tmp / "carts.d/dangling.toml");
  EXPECT_EQ(Cli({"check", "."}).code, 1);  // the links out: errors
}

TEST(ProjectLayoutTest, SeveralProjectsEachUseTheirOwnProjectFile) {
  TempDir tmp;
  InDir in(tmp.path());
  tmp.Write("a/cartsync.toml", Project("alpha", "\"UPS\""));
  tmp.Write("a/carts.d/one.toml", Cart("shop", "alpha", "UPS"));
  tmp.Write("b/cartsync.toml", Project("beta", "\"DHL\""));
  tmp.Write("b/carts.d/one.toml", Cart("shop", "beta", "DHL"));  // same id: another project
  Result r = Cli({"check", "a", "b"});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_FALSE(Has(r.out, "unknown WMS connection")) << r.out;
  EXPECT_TRUE(Has(r.out, "checked 4 files, 2 carts: ok")) << r.out;

  // A cart of b naming a's connection: the message names b's project file.
  tmp.Write("b/carts.d/two.toml", Cart("other", "gamma", "DHL"));
  Json j = CheckJson({"a", "b"});
  ASSERT_EQ(j.codes, std::vector<std::string>{"E0211"});
  EXPECT_TRUE(Has(j.messages[0], "b/cartsync.toml")) << j.messages[0];

  // A duplicate id inside one project is still an error.
  tmp.Write("b/carts.d/two.toml", Cart("shop", "beta", "DHL"));
  j = CheckJson({"a", "b"});
  EXPECT_EQ(j.codes, std::vector<std::string>{"E0210"});

  // plan compiles one project.
  tmp.Write("b/carts.d/two.toml", Cart("other", "beta", "DHL"));
  Result plan = Cli({"plan", "a", "b"});
  EXPECT_EQ(plan.code, 1);
  EXPECT_TRUE(Has(plan.err, "2 projects")) << plan.err;
}

TEST(ProjectLayoutTest, ABrokenProjectFileIsOneError) {
  TempDir tmp;
  InDir in(tmp.path());
  tmp.Write("cartsync.toml", "[wms.main\nsystem = \"http\"\n");
  for (const char* id : {"one", "two", "three"})
    tmp.Write(std::string("carts.d/") + id + ".toml", Cart(id, "main", "NOPE"));
  Json j = CheckJson({"."});
  EXPECT_EQ(j.errors, 1);
  EXPECT_EQ(j.warnings, 0);
  ASSERT_EQ(j.codes.size(), 1u);
  EXPECT_EQ(j.codes[0], "E0105");
  EXPECT_TRUE(Has(j.files[0], "cartsync.toml")) << j.files[0];
}

TEST(ProjectLayoutTest, WithoutAProjectFileCartsAreCheckedWithOneWarning) {
  TempDir tmp;
  InDir in(tmp.path());
  tmp.Write("carts.d/one.toml", Cart("one", "main", "NOPE"));
  tmp.Write("carts.d/sub/two.toml", Cart("two", "", "NOPE"));
  Result r = Cli({"check", "."});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_FALSE(Has(r.out, "no cart files")) << r.out;
  EXPECT_EQ(Count(r.out, "skipped: no WMS connection declared"), 1u) << r.out;
  EXPECT_TRUE(Has(r.out, "checked 2 files, 2 carts: ok")) << r.out;
  Json j = CheckJson({"."});
  EXPECT_EQ(j.errors, 0);
  EXPECT_EQ(j.warnings, 1);
  EXPECT_EQ(j.codes, std::vector<std::string>{"W0704"});

  // The carts are still checked: a cart error is reported.
  tmp.Write("carts.d/sub/two.toml", Cart("Two_Bad"));
  j = CheckJson({"."});
  EXPECT_EQ(j.errors, 1);
  EXPECT_EQ(j.warnings, 1);

  // A project file without [wms]: the same one warning, naming it.
  tmp.Write("carts.d/sub/two.toml", Cart("two"));
  tmp.Write("cartsync.toml", "[state]\nurl = \"sqlite:.cartsync/state.db\"\n");
  j = CheckJson({"."});
  EXPECT_EQ(j.errors, 0);
  ASSERT_EQ(j.codes, std::vector<std::string>{"W0704"});
  EXPECT_TRUE(Has(j.messages[0], "cartsync.toml")) << j.messages[0];
}

TEST(ProjectLayoutTest, PlanNeedsAWmsConnection) {
  TempDir tmp;
  InDir in(tmp.path());
  tmp.Write("carts.d/one.toml", Cart("one"));
  Result r = Cli({"plan", "."});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(Has(r.err, "needs a WMS connection")) << r.err;
  EXPECT_EQ(r.out, "");
  tmp.Write("cartsync.toml", Project("main"));
  Result ok = Cli({"plan", ".", "--format", "json"});
  EXPECT_EQ(ok.code, 0) << ok.err;
}

}  // namespace
}  // namespace cartsync
