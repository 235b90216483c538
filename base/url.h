// The one transport rule for the URLs a project configures (cart and WMS
// base URLs): https:// to any host, http:// only to a loopback host, which
// is 127.0.0.1, localhost or ::1 (written [::1] in a URL): a local simulator
// or mock. The checker (E0304/E0305) and the cart connectors both ask here,
// so a URL the compiler accepts is one the runtime accepts.
//
// The loopback names are exact and case-sensitive, as the checker and the
// JSON Schema's base_url pattern (compiler/json_schema.cc) have always had
// them: "LOCALHOST", "127.0.0.2" and "[0::1]" are not loopback here.
#pragma once

#include <string_view>

namespace cartsync {

/// Whether `host`, as written in a URL's authority, is one of the loopback
/// names: "127.0.0.1", "localhost" or "[::1]" (also "::1" without brackets).
bool IsLoopbackHost(std::string_view host);

/// What the rule says about a URL; the checks run in this order.
enum class UrlRule {
  kAllowed,            ///< https://, or http:// to a loopback host
  kNotAUrl,            ///< no "://"
  kCredentials,        ///< user[:password]@ before the host
  kNoHost,             ///< no host (or a "[" without its "]")
  kUnsupportedScheme,  ///< neither https nor http (schemes compare case-insensitively)
  kInsecureHttp,       ///< http:// to a host that is not loopback
};

/// Judges `url` ("scheme://[userinfo@]host[:port][/path][?query][#fragment]").
/// Only the scheme, the userinfo and the host are looked at: the shape of the
/// rest (ports, characters, spaces) is the caller's grammar.
UrlRule CheckUrlRule(std::string_view url);

/// Why a URL breaks the rule, worded to follow what is being checked ("the
/// base URL …"): "is not a URL (expected https://host[/path])", "must not
/// carry credentials", "has no host", or "must be https:// (http:// only to
/// 127.0.0.1, localhost or ::1)" for both scheme verdicts; "" for kAllowed.
std::string_view UrlRuleReason(UrlRule rule);

/// UrlRuleReason(CheckUrlRule(url)): "" when `url` keeps the rule.
std::string_view UrlRuleError(std::string_view url);

}  // namespace cartsync
