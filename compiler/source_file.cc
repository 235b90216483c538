#include "compiler/source_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

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

namespace {

// Length of the UTF-8 sequence starting at s[i], or 0 when it is malformed
// (overlong forms, surrogates and code points above U+10FFFF included).
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  if (c < 0x80) return 1;
  size_t n = 0;
  uint32_t min = 0;
  uint32_t cp = 0;
  if ((c & 0xE0) == 0xC0) { n = 2; min = 0x80; cp = c & 0x1F; }
  else if ((c & 0xF0) == 0xE0) { n = 3; min = 0x800; cp = c & 0x0F; }
  else if ((c & 0xF8) == 0xF0) { n = 4; min = 0x10000; cp = c & 0x07; }
  else return 0;
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

}  // namespace

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
    size_t n = Utf8SequenceLength(s, i);
    if (n == 0) {
      char hex[3];
      std::snprintf(hex, sizeof hex, "%02X", static_cast<unsigned char>(s[i]));
      diags.Report(DiagId::InvalidUtf8, {file.path(), {line, column}, {line, column + 1}}, {hex});
      return false;
    }
    if (s[i] == '\n') { ++line; column = 1; } else { ++column; }
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
