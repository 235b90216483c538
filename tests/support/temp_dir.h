// A fresh directory under the system temp dir, removed with everything in it
// when the object goes (unless kept); Write() puts a file (and its parent
// dirs) inside.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

namespace cartsync {

class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "cartsync-test-XXXXXX").string();
    EXPECT_NE(mkdtemp(pattern.data()), nullptr) << pattern;
    path_ = pattern;
  }
  ~TempDir() {
    if (keep_) return;
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  /// The directory's absolute path.
  const std::string& path() const { return path_; }
  /// `rel` inside the directory: `dir / "carts.d" / "acme.toml"`.
  std::filesystem::path operator/(const std::filesystem::path& rel) const {
    return std::filesystem::path(path_) / rel;
  }
  /// Writes `text` to `rel` (relative to the directory), creating parents.
  void Write(const std::string& rel, const std::string& text) const {
    std::filesystem::path p = *this / rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
  }
  /// Leaves the directory behind (e.g. to look at after a failure).
  void Keep() { keep_ = true; }

 private:
  std::string path_;
  bool keep_ = false;
};

}  // namespace cartsync
