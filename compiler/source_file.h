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
  /// Drops a file no diagnostic needs any more (check of many carts: memory
  /// stays that of the files with diagnostics). Find() then returns nullptr.
  void Release(std::string_view display_path);
  /// Every file's display path, sorted (`fmt` formats the files `check` reads).
  std::vector<std::string> Paths() const;

 private:
  std::map<std::string, std::unique_ptr<SourceFile>, std::less<>> files_;
};

/// Checks size, NUL bytes and UTF-8 validity; reports at most one
/// diagnostic (with the first offending position) and returns false on failure.
bool ValidateSourceText(const SourceFile& file, DiagnosticEngine& diags);

/// Reads the regular file `fs_path` into `out`, a buffer of the file's size
/// (at most kMaxSourceBytes + 1 bytes: an oversize file is detected without
/// loading it). Opened without blocking and checked with fstat, so a FIFO,
/// socket or device is refused ("not a regular file (a FIFO)"), never read.
/// `follow_symlinks = false` refuses a symbolic link as the last component.
/// On failure fills `error` (strerror text or the reason).
bool ReadFileBytes(const std::string& fs_path, std::string& out, std::string& error,
                   bool follow_symlinks = true);

/// "a FIFO", "a socket", "a character device", "a block device", "a directory",
/// "a symbolic link" or "not a regular file", for `mode` (st_mode) that is not a
/// regular file's.
std::string FileKindName(unsigned mode);

}  // namespace cartsync
