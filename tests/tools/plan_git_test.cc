#include "tools/cartsync/plan_git.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <boost/process/search_path.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

namespace cartsync {
namespace {

namespace fs = std::filesystem;

// Answers each git call with `answer(args)`; records the calls.
class ScriptedGit : public GitRunner {
 public:
  std::function<bool(const std::vector<std::string>&, GitOutput&)> answer;
  std::vector<std::vector<std::string>> calls;

  bool Run(const std::string& /*dir*/, const std::vector<std::string>& args,
           const std::string& /*input*/, GitOutput& out, std::string& error) override {
    calls.push_back(args);
    if (!answer(args, out)) {
      error = "git is not installed (no git on PATH)";
      return false;
    }
    return true;
  }
};

TEST(MarkdownPartPath, NumbersBeforeTheExtension) {
  EXPECT_EQ(MarkdownPartPath("plan.md", 1), "plan.md");
  EXPECT_EQ(MarkdownPartPath("plan.md", 2), "plan.2.md");
  EXPECT_EQ(MarkdownPartPath("out/plan.md", 12), "out/plan.12.md");
  EXPECT_EQ(MarkdownPartPath("out.d/plan", 2), "out.d/plan.2");
  EXPECT_EQ(MarkdownPartPath(".plan", 3), ".plan.3");
  EXPECT_EQ(MarkdownPartPath("plan", 2), "plan.2");
}

TEST(MaterializeAtRef, GitMissingNotARepositoryAndUnknownRefAreTold) {
  TreeAtRef t1;
  std::string error;
  ScriptedGit missing;
  missing.answer = [](const auto&, GitOutput&) { return false; };
  EXPECT_EQ(MaterializeAtRef(missing, {"."}, "main", t1, error), GitTreeError::GitMissing);
  EXPECT_EQ(error, "git is not installed (no git on PATH)");

  ScriptedGit outside;
  outside.answer = [](const auto&, GitOutput& out) {
    out.exit_code = 128;
    out.err = "fatal: not a git repository (or any of the parent directories): .git\n";
    return true;
  };
  TreeAtRef t2;
  EXPECT_EQ(MaterializeAtRef(outside, {"."}, "main", t2, error), GitTreeError::NotARepository);
  EXPECT_NE(error.find(". is not in a git work tree"), std::string::npos) << error;

  const std::string top = fs::current_path().string();
  ScriptedGit no_ref;
  no_ref.answer = [&](const std::vector<std::string>& args, GitOutput& out) {
    out.exit_code = args[1] == "--show-toplevel" ? 0 : 1;
    out.out = args[1] == "--show-toplevel" ? top + "\n" : "";
    return true;
  };
  TreeAtRef t3;
  EXPECT_EQ(MaterializeAtRef(no_ref, {"."}, "origin/nope", t3, error), GitTreeError::UnknownRef);
  EXPECT_NE(error.find("unknown git revision \"origin/nope\""), std::string::npos) << error;
  EXPECT_EQ(no_ref.calls.back(),
            (std::vector<std::string>{"rev-parse", "--verify", "--quiet", "origin/nope^{commit}"}));

  // A REF that git would read as an option is refused before git sees it.
  size_t before = no_ref.calls.size();
  TreeAtRef t4;
  EXPECT_EQ(MaterializeAtRef(no_ref, {"."}, "--output=/tmp/x", t4, error),
            GitTreeError::UnknownRef);
  EXPECT_EQ(no_ref.calls.size(), before + 1) << "only rev-parse --show-toplevel ran";
}

// A real repository: what is materialized is the committed content at REF, not
// the work tree, in a private directory that is gone afterwards.
class GitRepo : public ::testing::Test {
 protected:
  void SetUp() override {
    if (boost::process::search_path("git").empty()) GTEST_SKIP() << "git not installed";
    char templ[] = "/tmp/cartsync-plan-git-test.XXXXXX";
    ASSERT_NE(::mkdtemp(templ), nullptr);
    dir_ = templ;
    Git("init -q -b main");
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  void Git(const std::string& args) {
    std::string cmd = "cd '" + dir_.string() +
                      "' && GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com "
                      "GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.com git " +
                      args + " >/dev/null 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  }
  void Write(const std::string& rel, const std::string& text) {
    fs::create_directories((dir_ / rel).parent_path());
    std::ofstream(dir_ / rel) << text;
  }
  static std::string Read(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  fs::path dir_;
};

TEST_F(GitRepo, MaterializesTheCommittedTomlFilesIntoAPrivateDirectory) {
  Write("proj/cartsync.toml", "[state]\nurl = \"sqlite:x.db\"\n");
  Write("proj/carts.d/a.toml", "# base\n");
  Write("proj/carts.d/notes.txt", "not toml\n");
  Write("other/c.toml", "# outside the project\n");
  Git("add -A");
  Git("commit -qm base");
  Write("proj/carts.d/a.toml", "# changed in the work tree\n");
  Write("proj/carts.d/b.toml", "# new, not committed\n");

  auto git = SystemGit();
  std::string error, path;
  {
    TreeAtRef t;
    ASSERT_EQ(MaterializeAtRef(*git, {(dir_ / "proj").string()}, "main", t, error),
              GitTreeError::None)
        << error;
    path = t.dir.path();
    EXPECT_EQ(t.commit.size(), 40u);
    EXPECT_EQ(t.files, 2);
    ASSERT_EQ(t.paths, std::vector<std::string>{path + "/proj"});
    EXPECT_EQ(Read(path + "/proj/carts.d/a.toml"), "# base\n");
    EXPECT_FALSE(fs::exists(path + "/proj/carts.d/b.toml"));
    EXPECT_FALSE(fs::exists(path + "/proj/carts.d/notes.txt"));
    EXPECT_FALSE(fs::exists(path + "/other"));
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);
  }
  EXPECT_FALSE(fs::exists(path)) << "removed with the TreeAtRef";
  // The work tree and the index are untouched.
  EXPECT_EQ(Read(dir_ / "proj/carts.d/a.toml"), "# changed in the work tree\n");
}

TEST_F(GitRepo, ProjectAbsentAtRefGivesAnEmptyOldPlan) {
  Write("README", "first commit\n");
  Git("add -A");
  Git("commit -qm first");
  Write("cartsync.toml", "[state]\nurl = \"sqlite:x.db\"\n");
  auto git = SystemGit();
  CompileOptions options;
  options.paths = {dir_.string()};
  Plan old;
  old.state_url = "not reset";
  std::ostringstream err;
  ASSERT_TRUE(PlanAtRef(*git, "main", options, old, err)) << err.str();
  EXPECT_TRUE(old.carts.empty());
  EXPECT_EQ(old.state_url, "");
  EXPECT_NE(err.str().find("nothing of the project at main"), std::string::npos) << err.str();

  std::ostringstream err2;
  EXPECT_FALSE(PlanAtRef(*git, "no-such-branch", options, old, err2));
  EXPECT_TRUE(err2.str().starts_with("cartsync: --diff-git no-such-branch: unknown git revision"))
      << err2.str();
}

}  // namespace
}  // namespace cartsync
