// A reference to a secret (`{ secret = "env:NAME" }`): plans and state
// carry only this, never the value (runtime/secrets.h resolves it).
#pragma once

#include <string>

namespace cartsync {

/// A reference to a secret kept outside the config: `env:NAME` or `file:PATH`.
struct SecretRef {
  enum class Kind { Env, File };
  Kind kind = Kind::Env;
  std::string target;  ///< variable name or file path
  /// "env:NAME" / "file:PATH".
  std::string Text() const;
};

}  // namespace cartsync
