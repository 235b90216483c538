// A SecretResolver for tests: values come from a map, never from the
// process environment or the disk.
#pragma once

#include <map>
#include <string>

#include "base/status.h"
#include "model/secret_ref.h"
#include "runtime/secrets.h"

namespace cartsync {

class FakeSecretResolver : public SecretResolver {
 public:
  std::map<std::string, std::string> values;  ///< keyed by ref.Text(), e.g. "env:TOKEN"

  /// The value, or Permanent "secret env:NAME is not set" (as the real one).
  Result<std::string> Resolve(const SecretRef& ref) override {
    auto it = values.find(ref.Text());
    if (it == values.end()) return Status::Permanent("secret " + ref.Text() + " is not set");
    return it->second;
  }
};

}  // namespace cartsync
