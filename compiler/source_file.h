// Reading input files safely: size limit, NUL bytes and UTF-8 are checked
// before the TOML parser sees a byte, so hostile input becomes a diagnostic.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/diagnostic.h"

namespace cartsync {

/// Files larger than this are refused (a cart is a few KB).
inline constexpr size_t kMaxSourceBytes = 1 << 20;

/// One input file's text with a line index for carets.
class SourceFile {
 public:
  SourceFile(std::string display_path, std::string content);
  const std::string& path() const { return path_; }
  const std::string& content() const { return content_; }
  /// Line `n` (1-based) without its newline; empty when out of range.
  std::string_view Line(uint32_t n) const;
  uint32_t line_count() const { return static_cast<uint32_t>(line_starts_.size()); }

 private:
  std::string path_;
  std::string content_;
  std::vector<size_t> line_starts_;
};

/// Owns every file read in one compilation; renderers look lines up by path.
class SourceManager {
 public:
  /// Adds in-memory text (tests, fuzzers, stdin). Replaces a file of the same path.
  const SourceFile& Add(std::string display_path, std::string content);
  const SourceFile* Find(std::string_view display_path) const;

 private:
  std::map<std::string, std::unique_ptr<SourceFile>, std::less<>> files_;
};

/// Checks size, NUL bytes and UTF-8 validity; reports at most one
/// diagnostic (with the first offending position) and returns false on failure.
bool ValidateSourceText(const SourceFile& file, DiagnosticEngine& diags);

/// Reads `fs_path` into `out`; on failure fills `error` (strerror text).
bool ReadFileBytes(const std::string& fs_path, std::string& out, std::string& error);

}  // namespace cartsync
