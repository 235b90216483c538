#include "compiler/source_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

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

const SourceFile* SourceManager::Find(std::string_view display_path) const {
  auto it = files_.find(display_path);
  return it == files_.end() ? nullptr : it->second.get();
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

bool ReadFileBytes(const std::string& fs_path, std::string& out, std::string& error) {
  std::ifstream in(fs_path, std::ios::binary);
  if (!in) {
    error = std::strerror(errno);
    return false;
  }
  // Read one byte past the limit so oversize files are detected without
  // loading all of a huge file into memory.
  out.assign(kMaxSourceBytes + 1, '\0');
  in.read(out.data(), static_cast<std::streamsize>(out.size()));
  out.resize(static_cast<size_t>(in.gcount()));
  if (in.bad()) {
    error = std::strerror(errno);
    return false;
  }
  return true;
}

}  // namespace cartsync
