// The project files as they are at a git revision, for `cartsync plan
// --diff-git REF`: read through `git` (rev-parse, ls-tree, cat-file --batch),
// never by a checkout, so the work tree and the index are left alone, and
// written into a private temporary directory that the compiler then reads
// like any project.
//
// Which files: for a project directory D (the usual PATH), every *.toml file
// under D and D/../cartsync.toml (where the compiler looks for the project
// file); for a cart file F, F and the cartsync.toml beside it or one level up.
// Symbolic links, submodules and other files are not copied (the compiler
// reads *.toml files only). A carts directory outside the project directory
// (`[project] carts = "../x"`) is not supported.
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "compiler/compiler.h"
#include "model/plan.h"

namespace cartsync {

/// What one run of git gave.
struct GitOutput {
  int exit_code = -1;
  std::string out;  ///< standard output, bytes as they are
  std::string err;  ///< standard error
};

/// Runs git: SystemGit() runs the `git` on PATH; tests may script a fake.
class GitRunner {
 public:
  virtual ~GitRunner() = default;
  /// Runs `git -C dir ARGS…` with `input` on its standard input and waits for it. False,
  /// with `error` set, when git cannot be started at all (not installed: "git is not
  /// installed (no git on PATH)"); a git that runs and fails returns true and its exit code.
  virtual bool Run(const std::string& dir, const std::vector<std::string>& args,
                   const std::string& input, GitOutput& out, std::string& error) = 0;
};

/// The `git` found on PATH, run through Boost.Process with the environment it inherits
/// and `--literal-pathspecs` (paths are paths, not patterns) and `--no-optional-locks`
/// (reading takes no lock on the index).
std::unique_ptr<GitRunner> SystemGit();

/// A directory only its owner may enter (mode 0700), removed with everything in it when
/// this object is destroyed (normal exit and exceptions; not a kill).
class PrivateTempDir {
 public:
  PrivateTempDir() = default;
  ~PrivateTempDir();
  PrivateTempDir(const PrivateTempDir&) = delete;
  PrivateTempDir& operator=(const PrivateTempDir&) = delete;

  /// Creates it under $TMPDIR (else /tmp) as cartsync-git.XXXXXX. False with `error`.
  bool Create(std::string& error);
  /// "" until Create succeeded.
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

/// Why MaterializeAtRef failed.
enum class GitTreeError {
  None,
  GitMissing,      ///< git is not installed
  NotARepository,  ///< a PATH is not inside a git work tree (or they are in different ones)
  UnknownRef,      ///< REF names no commit (or starts with '-')
  Git,             ///< git failed otherwise (a corrupt repository, a file that cannot be written)
};

/// The project at a revision, in a private directory.
struct TreeAtRef {
  PrivateTempDir dir;
  /// The PATHs given, mapped into `dir`, in their order; a PATH with nothing at REF (the
  /// project does not exist there yet) is left out, so all of them absent leaves it empty.
  std::vector<std::string> paths;
  std::string commit;  ///< REF as a full commit id
  int files = 0;       ///< files written
};

/// Writes into `out.dir` (created here) the files of `paths` (as given to `plan`; none =
/// ".") as they are at the git revision `ref`, and maps the paths into it. The message in
/// `error` is a sentence for the user (naming the PATH or REF), without "cartsync: ".
GitTreeError MaterializeAtRef(GitRunner& git, const std::vector<std::string>& paths,
                              const std::string& ref, TreeAtRef& out, std::string& error);

/// `plan --diff-git REF`: compiles into `old` the project (`options.paths`) as it is at REF,
/// from the files MaterializeAtRef writes (the temp dir is gone on return). Nothing there
/// (a project's first pull request) gives an empty plan, so everything shows as added. A
/// project that does not compile at REF is not fatal: a warning on `err` says so, and the
/// carts that compiled clean there make the old plan (the others show as added). Returns
/// true, or false with "cartsync: --diff-git REF: …" on `err` (the command exits 1: 2 is
/// what --detailed-exitcode reserves for "changes").
bool PlanAtRef(GitRunner& git, const std::string& ref, const CompileOptions& options, Plan& old,
               std::ostream& err);

/// Where part K (1-based) of a markdown view goes when `-o path` names part 1:
/// "plan.md" -> "plan.2.md", "out/plan" -> "out/plan.2".
std::string MarkdownPartPath(const std::string& path, size_t k);

/// Writes markdown parts to `path` (part 1) and MarkdownPartPath(path, 2…), each atomically,
/// and removes the numbered files a longer earlier run left after them (so a CI job that
/// posts plan.md, plan.2.md, … while they exist never posts a stale part). `written`
/// gets the paths written, in order. False with `error`.
bool WriteMarkdownPartFiles(const std::vector<std::string>& parts, const std::string& path,
                            std::vector<std::string>& written, std::string& error);

}  // namespace cartsync
