#include "tools/cartsync/plan_git.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/process/args.hpp>
#include <boost/process/async.hpp>
#include <boost/process/child.hpp>
#include <boost/process/env.hpp>
#include <boost/process/exe.hpp>
#include <boost/process/io.hpp>
#include <boost/process/search_path.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <future>
#include <map>
#include <set>
#include <string_view>
#include <system_error>

#include "base/atomic_file.h"
#include "compiler/planner.h"

namespace cartsync {

namespace fs = std::filesystem;
namespace bp = boost::process;

namespace {

class BoostGit : public GitRunner {
 public:
  bool Run(const std::string& dir, const std::vector<std::string>& args, const std::string& input,
           GitOutput& out, std::string& error) override {
    boost::filesystem::path exe = bp::search_path("git");
    if (exe.empty()) {
      error = "git is not installed (no git on PATH)";
      return false;
    }
    // The global options, not GIT_LITERAL_PATHSPECS / GIT_OPTIONAL_LOCKS in the
    // environment: Boost.Process's env lookup reads past short entries (ASan), and
    // nothing here can prompt (local reads only).
    std::vector<std::string> argv = {"--literal-pathspecs", "--no-optional-locks", "-C", dir};
    argv.insert(argv.end(), args.begin(), args.end());
    boost::asio::io_context io;
    std::future<std::string> out_text, err_text;
    std::error_code ec;
    try {
      // All three streams at once (asio), so a large answer never blocks a large request.
      bp::child child(bp::exe = exe, bp::args = argv,
                      bp::std_in<boost::asio::buffer(input), bp::std_out> out_text,
                      bp::std_err > err_text, io, ec);
      if (ec) {
        error = "cannot run git: " + ec.message();
        return false;
      }
      io.run();
      child.wait(ec);
      out.out = out_text.get();
      out.err = err_text.get();
      out.exit_code = child.exit_code();
    } catch (const std::exception& e) {
      error = std::string("cannot run git: ") + e.what();
      return false;
    }
    return true;
  }
};

// The first line of git's message, for ours.
std::string FirstLine(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  return line;
}

std::string Trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

// A path from a git tree is written below the temp dir only when every part of
// it is a plain name (git refuses others, but the repository may be hostile).
bool SafeRelative(std::string_view path) {
  if (path.empty() || path.front() == '/') return false;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(start, end - start);
    if (part.empty() || part == "." || part == ".." || part == ".git") return false;
    start = end + 1;
  }
  return true;
}

bool WriteNewFile(const fs::path& path, std::string_view bytes, std::string& error) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (ec) {
    error = "cannot create " + path.parent_path().string() + ": " + ec.message();
    return false;
  }
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    error = "cannot write " + path.string() + ": " + std::strerror(errno);
    return false;
  }
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      error = "cannot write " + path.string() + ": " + std::strerror(errno);
      ::close(fd);
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return ::close(fd) == 0;
}

// What a PATH given to `plan` is, relative to the top of its repository.
struct Located {
  std::string rel;  ///< '/'-separated; "." for the top itself
  bool is_dir = false;
};

// "a/b" -> "a", "a" -> "" (the top).
std::string Parent(const std::string& rel) {
  size_t slash = rel.rfind('/');
  return slash == std::string::npos ? "" : rel.substr(0, slash);
}
std::string Below(const std::string& dir, const std::string& name) {
  return dir.empty() || dir == "." ? name : dir + "/" + name;
}

// The pathspecs to list for one PATH (see plan_git.h: which files).
void Pathspecs(const Located& p, std::set<std::string>& specs) {
  if (p.is_dir) {
    specs.insert(p.rel);
    if (p.rel != ".") specs.insert(Below(Parent(p.rel), "cartsync.toml"));
    return;
  }
  specs.insert(p.rel);
  std::string dir = Parent(p.rel);
  specs.insert(Below(dir, "cartsync.toml"));
  if (!dir.empty()) specs.insert(Below(Parent(dir), "cartsync.toml"));
}

}  // namespace

std::unique_ptr<GitRunner> SystemGit() { return std::make_unique<BoostGit>(); }

PrivateTempDir::~PrivateTempDir() {
  if (path_.empty()) return;
  std::error_code ec;
  fs::remove_all(path_, ec);
}

bool PrivateTempDir::Create(std::string& error) {
  const char* tmp = ::getenv("TMPDIR");
  std::string templ =
      std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/cartsync-git.XXXXXX";
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  if (::mkdtemp(buf.data()) == nullptr) {  // mkdtemp creates it with mode 0700
    error = "cannot create a temporary directory in " + templ.substr(0, templ.rfind('/')) + ": " +
            std::strerror(errno);
    return false;
  }
  path_ = buf.data();
  return true;
}

GitTreeError MaterializeAtRef(GitRunner& git, const std::vector<std::string>& given,
                              const std::string& ref, TreeAtRef& out, std::string& error) {
  const std::vector<std::string> paths = given.empty() ? std::vector<std::string>{"."} : given;
  GitOutput r;
  // 1. The repository: the top of the work tree holding every PATH.
  std::string top;
  std::vector<Located> located;
  for (const std::string& path : paths) {
    std::error_code ec;
    fs::path abs = fs::weakly_canonical(fs::absolute(path), ec);
    if (ec) abs = fs::absolute(path);
    Located p;
    p.is_dir = fs::is_directory(abs, ec);
    if (!p.is_dir && abs.filename() == "cartsync.toml") {  // the project file: its directory
      abs = abs.parent_path();
      p.is_dir = true;
    }
    fs::path dir = p.is_dir ? abs : abs.parent_path();
    if (!fs::is_directory(dir, ec)) {
      error = path + " does not exist";
      return GitTreeError::NotARepository;
    }
    if (!git.Run(dir.string(), {"rev-parse", "--show-toplevel"}, "", r, error))
      return GitTreeError::GitMissing;
    if (r.exit_code != 0) {
      error = path + " is not in a git work tree (--diff-git reads the files at REF through git)";
      return GitTreeError::NotARepository;
    }
    std::string this_top = Trimmed(r.out);
    if (!top.empty() && this_top != top) {
      error = "the PATHs are in different git repositories (" + top + ", " + this_top + ")";
      return GitTreeError::NotARepository;
    }
    top = this_top;
    fs::path canonical_top = fs::weakly_canonical(top, ec);
    fs::path rel = abs.lexically_relative(ec ? fs::path(top) : canonical_top);
    std::string rel_text = rel.generic_string();
    if (rel_text.empty() || rel_text.starts_with("..")) {
      error = path + " is not inside the git work tree " + top;
      return GitTreeError::NotARepository;
    }
    p.rel = rel_text;
    located.push_back(p);
  }
  // 2. The revision, as a commit. A leading '-' would read as an option.
  if (ref.empty() || ref.front() == '-') {
    error = "\"" + ref + "\" is not a git revision";
    return GitTreeError::UnknownRef;
  }
  if (!git.Run(top, {"rev-parse", "--verify", "--quiet", ref + "^{commit}"}, "", r, error))
    return GitTreeError::GitMissing;
  if (r.exit_code != 0) {
    error = "unknown git revision \"" + ref + "\" in " + top +
            " (a branch, tag or commit; in CI, fetch it first, e.g. git fetch origin main)";
    return GitTreeError::UnknownRef;
  }
  out.commit = Trimmed(r.out);
  // 3. The files: every *.toml blob under the pathspecs.
  std::set<std::string> specs;
  for (const Located& p : located) Pathspecs(p, specs);
  std::vector<std::string> args = {"ls-tree", "-r", "-z", "--full-tree", out.commit, "--"};
  args.insert(args.end(), specs.begin(), specs.end());
  if (!git.Run(top, args, "", r, error)) return GitTreeError::GitMissing;
  if (r.exit_code != 0) {
    error = "git ls-tree failed: " + FirstLine(r.err);
    return GitTreeError::Git;
  }
  std::map<std::string, std::string> blobs;  // path -> object id
  for (size_t start = 0; start < r.out.size();) {
    size_t end = r.out.find('\0', start);
    if (end == std::string::npos) end = r.out.size();
    std::string_view entry(r.out.data() + start, end - start);
    start = end + 1;
    // "<mode> SP <type> SP <object> TAB <path>"
    size_t tab = entry.find('\t');
    if (tab == std::string_view::npos) continue;
    std::string_view meta = entry.substr(0, tab), path = entry.substr(tab + 1);
    if (!meta.starts_with("100644 blob ") && !meta.starts_with("100755 blob ")) continue;
    if (!path.ends_with(".toml") || !SafeRelative(path)) continue;
    blobs.emplace(std::string(path), std::string(meta.substr(meta.rfind(' ') + 1)));
  }
  if (!out.dir.Create(error)) return GitTreeError::Git;
  // 4. Their bytes, in one `cat-file --batch`: "<id> <type> <size>\n<bytes>\n" each.
  if (!blobs.empty()) {
    std::string request;
    for (const auto& [path, id] : blobs) request += id + "\n";
    if (!git.Run(top, {"cat-file", "--batch"}, request, r, error)) return GitTreeError::GitMissing;
    if (r.exit_code != 0) {
      error = "git cat-file failed: " + FirstLine(r.err);
      return GitTreeError::Git;
    }
    size_t at = 0;
    for (const auto& [path, id] : blobs) {
      size_t eol = r.out.find('\n', at);
      if (eol == std::string::npos) {
        error = "git cat-file: the answer for " + path + " is missing";
        return GitTreeError::Git;
      }
      std::string_view head(r.out.data() + at, eol - at);
      size_t space = head.rfind(' ');
      if (!head.starts_with(id + " blob ") || space == std::string_view::npos) {
        error = "git cat-file: cannot read " + path + " at " + ref + " (" + std::string(head) + ")";
        return GitTreeError::Git;
      }
      size_t size = std::stoull(std::string(head.substr(space + 1)));
      if (eol + 1 + size > r.out.size()) {
        error = "git cat-file: " + path + " is cut short";
        return GitTreeError::Git;
      }
      if (!WriteNewFile(fs::path(out.dir.path()) / path,
                        std::string_view(r.out.data() + eol + 1, size), error))
        return GitTreeError::Git;
      ++out.files;
      at = eol + 1 + size + 1;
    }
  }
  // 5. The PATHs, mapped; those with no file at REF left out (the temp dir
  // itself always exists: the top of the repository needs a file below it).
  for (const Located& p : located) {
    auto below = [&](const std::string& file) {
      return p.rel == "." || file == p.rel || file.starts_with(p.rel + "/");
    };
    if (std::none_of(blobs.begin(), blobs.end(), [&](const auto& b) { return below(b.first); }))
      continue;
    out.paths.push_back(p.rel == "." ? out.dir.path() : out.dir.path() + "/" + p.rel);
  }
  return GitTreeError::None;
}

bool PlanAtRef(GitRunner& git, const std::string& ref, const CompileOptions& options, Plan& old,
               std::ostream& err) {
  TreeAtRef tree;
  std::string error;
  if (MaterializeAtRef(git, options.paths, ref, tree, error) != GitTreeError::None) {
    err << "cartsync: --diff-git " << ref << ": " << error << "\n";
    return false;
  }
  old = Plan{};
  if (tree.paths.empty()) {
    err << "cartsync: note: nothing of the project at " << ref << ": every cart shows as added\n";
    return true;
  }
  CompileOptions at_ref = options;
  at_ref.paths = tree.paths;
  Compilation c;
  Compile(at_ref, c);
  if (c.diags.has_errors() || c.io_error) {
    // Its diagnostics name temporary paths: the count is what helps here.
    err << "cartsync: warning: the project at " << ref << " does not compile (" << c.diags.errors()
        << (c.diags.errors() == 1 ? " error" : " errors") << "); " << c.carts.size()
        << (c.carts.size() == 1 ? " cart" : " carts")
        << " compiled there, the others show as added\n";
  }
  old = BuildPlan(c);
  return true;
}

std::string MarkdownPartPath(const std::string& path, size_t k) {
  if (k <= 1) return path;
  size_t slash = path.rfind('/');
  size_t dot = path.rfind('.');
  std::string n = "." + std::to_string(k);
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash) ||
      dot == (slash == std::string::npos ? 0 : slash + 1))
    return path + n;
  return path.substr(0, dot) + n + path.substr(dot);
}

bool WriteMarkdownPartFiles(const std::vector<std::string>& parts, const std::string& path,
                            std::vector<std::string>& written, std::string& error) {
  for (size_t k = 1; k <= parts.size(); ++k) {
    std::string part_path = MarkdownPartPath(path, k);
    if (!WriteFileAtomic(part_path, parts[k - 1], error)) return false;
    written.push_back(part_path);
  }
  // Stale parts of an earlier, longer run: removed while they follow on (bounded).
  for (size_t k = parts.size() + 1; k < parts.size() + 100000; ++k) {
    std::error_code ec;
    if (!fs::remove(MarkdownPartPath(path, k), ec)) break;
  }
  return true;
}

}  // namespace cartsync
