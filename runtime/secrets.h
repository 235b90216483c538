// Resolving secret references (env:NAME, file:PATH) at run time, behind an
// interface so tests never touch the real environment (their fake is
// tests/support/fake_secrets.h). Values live only in memory for the call
// that needs them.
#pragma once

#include <string>

#include "base/status.h"
#include "model/secret_ref.h"

namespace cartsync {

class SecretResolver {
 public:
  virtual ~SecretResolver() = default;
  /// The value, or Permanent naming the reference (never a value) when missing.
  virtual Result<std::string> Resolve(const SecretRef& ref) = 0;
};

/// env: from the process environment; file: relative paths from `base_dir`
/// (the project root), trailing newline trimmed.
class EnvFileSecretResolver : public SecretResolver {
 public:
  explicit EnvFileSecretResolver(std::string base_dir) : base_dir_(std::move(base_dir)) {}
  Result<std::string> Resolve(const SecretRef& ref) override;

 private:
  std::string base_dir_;
};

}  // namespace cartsync
