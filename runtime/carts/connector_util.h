// Small helpers the cart connectors (Shopify, WooCommerce, BigCommerce), the
// HTTP client and the WMS transports share (ASCII case and trimming are in
// base/strings.h): URL encoding, secret scrubbing, message excerpts, JSON member readers over
// RapidJSON values, the https-or-loopback base URL check and timestamp
// normalization. Where callers differ (a minimum secret length, a message
// wording, how an integer's text is read) the difference is a parameter.
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "base/status.h"
#include "base/strings.h"
#include "model/config.h"

namespace cartsync::connector_util {

// --- text -------------------------------------------------------------------

// ASCII case (ToLower, EqualsIgnoreCase) and Trim: base/strings.h.

/// The value of a run of ASCII digits; false (and `value` untouched) when
/// `digits` holds anything else. The caller bounds the length.
bool DigitsValue(std::string_view digits, int64_t& value);
/// ASCII letter or digit.
bool IsAlnum(char c);
/// Whether `token` occurs in `text` as a whole token (not inside a longer run
/// of ASCII letters and digits); false for an empty token.
bool ContainsToken(std::string_view text, std::string_view token);
/// Every occurrence of `from` (non-empty) replaced by `to`, left to right.
void ReplaceAll(std::string& s, std::string_view from, std::string_view to);
/// Replaces each of `secrets` that is at least `min_length` bytes long by
/// "REDACTED" in `text`, in the order given.
void ScrubSecrets(std::string& text, std::initializer_list<std::string_view> secrets,
                  size_t min_length);
/// "first last" with blanks around each trimmed; just one when the other is
/// empty.
std::string JoinName(std::string first, std::string last);

// --- messages ---------------------------------------------------------------

/// At most `max` bytes of `text` for a message: control characters as spaces,
/// cut at a UTF-8 boundary, "…" when cut.
std::string Excerpt(std::string_view text, size_t max);
/// One line for quoting an answer in a message: runs of blanks and control
/// characters as one space (none leading or trailing), at most `max_chars`
/// bytes, then "…".
std::string OneLineExcerpt(std::string_view body, size_t max_chars);
/// Whether a success answer to a write is one the API could have sent: a
/// JSON body (any value, or none) with a JSON content type or none. A proxy's or
/// host's maintenance page (200 text/html) is not, and must not be taken
/// for "done": the write most likely never reached the store.
bool IsJsonAnswer(std::string_view content_type, std::string_view body);

// --- URLs -------------------------------------------------------------------

/// The value of a hex digit, -1 for anything else.
int HexValue(char c);
/// application/x-www-form-urlencoded decoding ('+' is a space).
std::string PercentDecode(std::string_view s);
/// Percent-encodes all but RFC 3986 unreserved characters and those in `keep`.
std::string UrlEncode(std::string_view text, std::string_view keep = "");
/// The URL rule of base/url.h (https://, or http:// to a loopback host: a
/// local simulator; no user:password@) as a Status. Messages start with
/// `label` ("WooCommerce [api].store_url"); `credentials_hint` follows
/// "must not carry credentials".
Status CheckBaseUrl(const std::string& url, const std::string& label,
                    std::string_view credentials_hint);

// --- configuration ----------------------------------------------------------

/// cart.api[name], or nullptr.
const FieldValue* Field(const CartConfig& cart, const char* name);
/// [api].`name` as text; Permanent "WHERE: [api].NAME is not set" when it is
/// absent or empty. `where` names the cart: `cart "ID" (Platform)`.
Result<std::string> RequiredText(const CartConfig& cart, const char* name,
                                 const std::string& where);
/// [api].`name` as a secret reference; Permanent "WHERE: [api].NAME is not
/// set (a { secret = "…" } reference)" when it is absent or a plain value.
Result<SecretRef> RequiredSecret(const CartConfig& cart, const char* name,
                                 const std::string& where);

// --- JSON -------------------------------------------------------------------

using rapidjson::Value;
using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

/// obj[key] when obj is an object that has it; else nullptr.
const Value* Member(const Value* obj, const char* key);
inline const Value* Member(const Value& obj, const char* key) { return Member(&obj, key); }
/// A JSON number as text: integers in decimal, others in their shortest
/// round-trip "%g" form.
std::string NumberText(const Value& v);
/// A member as text: strings as they are, numbers as NumberText; "" for null,
/// missing or structured values.
std::string Text(const Value* obj, const char* key);
/// How a connector reads an integer given as a JSON string.
using IntTextParser = bool (*)(std::string_view text, int64_t& out);
/// An integer member: a JSON integer, a whole double below 9e15, or a string
/// `parse_text` accepts. `out` is untouched when false.
bool Int(const Value* obj, const char* key, int64_t& out, IntTextParser parse_text);
void WriteString(JsonWriter& w, std::string_view s);

// --- timestamps -------------------------------------------------------------

/// A timestamp ParseTimestamp reads (ISO 8601 with a zone, RFC 2822) as
/// "2018-01-10T21:05:30Z"; "" when empty or unreadable.
std::string ToIsoUtc(std::string_view text);

}  // namespace cartsync::connector_util
