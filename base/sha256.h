// SHA-256 for content hashes (plan sources, SARIF fingerprints, step inputs).
#pragma once

#include <string>
#include <string_view>

namespace cartsync {

/// Returns the SHA-256 digest of `data` as 64 lowercase hex characters.
/// Uses OpenSSL's EVP interface (link with libcrypto).
std::string Sha256Hex(std::string_view data);

}  // namespace cartsync
