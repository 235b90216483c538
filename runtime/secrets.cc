// Secret values are read at the moment they are needed and never appear in a
// message: errors name the reference (env:NAME, file:PATH) and, for files, the
// resolved path — never content.
#include "runtime/secrets.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

namespace cartsync {
namespace {

constexpr std::uintmax_t kMaxSecretFileBytes = 1 << 20;

}  // namespace

Result<std::string> EnvFileSecretResolver::Resolve(const SecretRef& ref) {
  if (ref.kind == SecretRef::Kind::Env) {
    const char* value = std::getenv(ref.target.c_str());
    if (value == nullptr) return Status::Permanent("secret " + ref.Text() + " is not set");
    if (*value == '\0') return Status::Permanent("secret " + ref.Text() + " is set but empty");
    return std::string(value);
  }

  namespace fs = std::filesystem;
  fs::path path(ref.target);
  if (path.is_relative()) path = fs::path(base_dir_.empty() ? "." : base_dir_) / path;
  const std::string shown = path.lexically_normal().string();
  std::error_code ec;
  fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) {
    return Status::Permanent("secret " + ref.Text() + ": cannot read " + shown + ": " +
                             (ec ? ec.message() : std::string("no such file")));
  }
  if (!fs::is_regular_file(st))
    return Status::Permanent("secret " + ref.Text() + ": " + shown + " is not a regular file");
  std::uintmax_t size = fs::file_size(path, ec);
  if (!ec && size > kMaxSecretFileBytes)
    return Status::Permanent("secret " + ref.Text() + ": " + shown + " is larger than 1 MiB");

  std::ifstream in(path, std::ios::binary);
  if (!in) {
    int saved = errno;
    return Status::Permanent("secret " + ref.Text() + ": cannot read " + shown + ": " +
                             std::strerror(saved));
  }
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) return Status::Permanent("secret " + ref.Text() + ": cannot read " + shown);
  std::string value = std::move(content).str();
  // One trailing newline (what `echo x > file` and editors add), nothing more:
  // other whitespace may be part of the secret.
  if (!value.empty() && value.back() == '\n') {
    value.pop_back();
    if (!value.empty() && value.back() == '\r') value.pop_back();
  }
  if (value.empty()) return Status::Permanent("secret " + ref.Text() + ": " + shown + " is empty");
  return value;
}

}  // namespace cartsync
