// Text from cart files on its way to a terminal, a CI log or a pull request:
// terminal controls escaped, credential-like strings masked. One
// implementation for diagnostics (diagnostic_render.cc), plan previews
// (plan_render.cc) and the checker's credential warning (W0303).
//
// Everything here runs in linear time on any input (RE2 for the patterns):
// cart files may hold megabyte-long strings.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cartsync {

/// What a pasted credential of this shape is ("a Shopify access token", "a
/// WooCommerce API key", "a long hex token", "a long base64 token"), or
/// nullptr. The whole of `s` must match. A path (LooksLikePath) is no base64
/// token, however random its temp directory's name.
const char* CredentialKind(std::string_view s);

/// True when `s` is shaped like an absolute path: "/", a root directory of
/// lower-case letters ("tmp", "home", "work"), "/" and more, no empty
/// component, no base64 padding at the end. A base64 secret starts so with
/// a chance far below one in a thousand.
bool LooksLikePath(std::string_view s);

/// One UTF-8 sequence: its code point and length in bytes. `length` is 0 for
/// a malformed byte (overlong forms, surrogates, > U+10FFFF, truncation).
struct Utf8Char {
  uint32_t cp = 0;
  size_t length = 0;
};
/// Decodes the sequence starting at s[i] (i < s.size()).
Utf8Char DecodeUtf8(std::string_view s, size_t i);

/// Code points a terminal may act on: C0 controls (tab and newline
/// included), DEL and the C1 controls U+0080-U+009F.
bool IsTerminalControl(uint32_t cp);

/// `s` with every terminal control written as `\u001b` (as QuoteEscaped,
/// base/strings.h, writes them in plan previews) and every byte that is not
/// UTF-8 as U+FFFD. ASCII controls in `keep` stay as they are: "\n" for
/// multi-line output, "\r\n" where the format encodes line breaks itself.
std::string EscapeControls(std::string_view s, std::string_view keep = {});

/// A byte range [begin, end) of a text.
using ByteSpan = std::pair<size_t, size_t>;

/// Where `s` holds a secret: tokens (runs of [A-Za-z0-9+/_-], with up to two
/// trailing '=') that CredentialKind recognises, and the password of a URL
/// (`scheme://user:PASSWORD@host`). Sorted, not overlapping.
std::vector<ByteSpan> FindSecretSpans(std::string_view s);

/// FindSecretSpans, plus for one line of a TOML file the string value of a
/// key whose name says it is secret (`password = "…"`, `api.token = '…'`):
/// a file that does not parse has no schema to say which fields are secret.
std::vector<ByteSpan> FindSecretSpansInTomlLine(std::string_view line);

/// True when a key's name says it holds a secret: it contains "secret",
/// "token", "password" or "passwd", or ends in "key" ("consumer_key").
bool LooksLikeSecretKey(std::string_view key);

/// `s` with each code point inside FindSecretSpans(s) replaced by '*'.
std::string MaskSecrets(std::string_view s);

}  // namespace cartsync
