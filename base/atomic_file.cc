#include "base/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace cartsync {

namespace {
constexpr int kUmaskedMode = -1;  // 0644 less the umask
bool Write(const std::string& path, std::string_view content, std::string& error, int mode);
}  // namespace

bool WriteFileAtomic(const std::string& path, std::string_view content, std::string& error) {
  return Write(path, content, error, kUmaskedMode);
}

bool WriteFileAtomic(const std::string& path, std::string_view content, std::string& error,
                     unsigned mode) {
  return Write(path, content, error, static_cast<int>(mode & 07777));
}

namespace {

bool Write(const std::string& path, std::string_view content, std::string& error, int mode) {
  namespace fs = std::filesystem;
  fs::path target(path);
  fs::path dir = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  std::string tmp =
      (dir / ("." + target.filename().string() + ".tmp." + std::to_string(getpid()))).string();
  auto fail = [&](const char* what) {
    error = std::string(what) + " " + tmp + ": " + std::strerror(errno);
    return false;
  };
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return fail("cannot create");
  if (mode != kUmaskedMode && ::fchmod(fd, static_cast<mode_t>(mode)) != 0) {
    int saved = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    errno = saved;
    return fail("cannot set the mode of");
  }
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int saved = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      errno = saved;
      return fail("cannot write");
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    int saved = errno;
    ::unlink(tmp.c_str());
    errno = saved;
    return fail("cannot flush");
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int saved = errno;
    ::unlink(tmp.c_str());
    error = "cannot replace " + path + ": " + std::strerror(saved);
    return false;
  }
  return true;
}

}  // namespace

}  // namespace cartsync
