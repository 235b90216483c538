#include "compiler/source_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "compiler/safe_text.h"

namespace cartsync {

SourceFile::SourceFile(std::string display_path, std::string content)
    : path_(std::move(display_path)), content_(std::move(content)) {
  line_starts_.push_back(0);
  for (size_t i = 0; i < content_.size(); ++i)
    if (content_[i] == '\n') line_starts_.push_back(i + 1);
}

std::string_view SourceFile::Line(uint32_t n) const {
  if (n == 0 || n > line_starts_.size()) return {};
  size_t begin = line_starts_[n - 1];
  size_t end = n < line_starts_.size() ? line_starts_[n] - 1 : content_.size();
  if (end > begin && content_[end - 1] == '\r') --end;
  return std::string_view(content_).substr(begin, end - begin);
}

const SourceFile& SourceManager::Add(std::string display_path, std::string content) {
  auto file = std::make_unique<SourceFile>(display_path, std::move(content));
  auto& slot = files_[display_path];
  slot = std::move(file);
  return *slot;
}

void SourceManager::Release(std::string_view display_path) {
  auto it = files_.find(display_path);
  if (it != files_.end()) files_.erase(it);
}

const SourceFile* SourceManager::Find(std::string_view display_path) const {
  auto it = files_.find(display_path);
  return it == files_.end() ? nullptr : it->second.get();
}

std::vector<std::string> SourceManager::Paths() const {
  std::vector<std::string> paths;
  for (const auto& [path, file] : files_) paths.push_back(path);
  return paths;
}

bool ValidateSourceText(const SourceFile& file, DiagnosticEngine& diags) {
  const std::string& s = file.content();
  if (s.size() > kMaxSourceBytes) {
    diags.Report(DiagId::FileTooLarge, {file.path(), {}, {}},
                 {std::to_string(s.size()), std::to_string(kMaxSourceBytes)});
    return false;
  }
  uint32_t line = 1, column = 1;
  for (size_t i = 0; i < s.size();) {
    if (s[i] == '\0') {
      diags.Report(DiagId::BinaryFile, {file.path(), {line, column}, {line, column + 1}}, {});
      return false;
    }
    size_t n = DecodeUtf8(s, i).length;
    if (n == 0) {
      char hex[3];
      std::snprintf(hex, sizeof hex, "%02X", static_cast<unsigned char>(s[i]));
      diags.Report(DiagId::InvalidUtf8, {file.path(), {line, column}, {line, column + 1}}, {hex});
      return false;
    }
    if (s[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
    i += n;
  }
  return true;
}

std::string FileKindName(unsigned mode) {
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISLNK(mode)) return "a symbolic link";
  return "not a regular file";
}

bool ReadFileBytes(const std::string& fs_path, std::string& out, std::string& error,
                   bool follow_symlinks) {
  // O_NONBLOCK: opening a FIFO for reading returns at once instead of waiting
  // for a writer; fstat then refuses it before a byte is read.
  int flags = O_RDONLY | O_NONBLOCK | O_CLOEXEC | (follow_symlinks ? 0 : O_NOFOLLOW);
  int fd = ::open(fs_path.c_str(), flags);
  if (fd < 0) {
    error = errno == ELOOP && !follow_symlinks ? "a symbolic link" : std::strerror(errno);
    return false;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    error = std::strerror(errno);
    ::close(fd);
    return false;
  }
  if (!S_ISREG(st.st_mode)) {
    error = "not a regular file (" + FileKindName(st.st_mode) + ")";
    ::close(fd);
    return false;
  }
  // A buffer of the file's size (not of the limit: a check of 10,000 carts
  // keeps 10,000 of them), one byte more to see a file that is over the
  // limit or grew since fstat.
  size_t size =
      std::min<size_t>(static_cast<size_t>(std::max<off_t>(st.st_size, 0)), kMaxSourceBytes);
  out.assign(size + 1, '\0');
  size_t n = 0;
  while (n < out.size()) {
    ssize_t r = ::read(fd, out.data() + n, out.size() - n);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      error = std::strerror(errno);
      ::close(fd);
      return false;
    }
    if (r == 0) break;
    n += static_cast<size_t>(r);
    if (n == out.size() && out.size() <= kMaxSourceBytes)
      out.resize(std::min(out.size() * 2, kMaxSourceBytes + 1));
  }
  ::close(fd);
  out.resize(n);
  return true;
}

}  // namespace cartsync
