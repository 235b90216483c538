#include "base/url.h"

#include "base/strings.h"

namespace cartsync {

bool IsLoopbackHost(std::string_view host) {
  return host == "127.0.0.1" || host == "localhost" || host == "[::1]" || host == "::1";
}

UrlRule CheckUrlRule(std::string_view url) {
  const size_t sep = url.find("://");
  if (sep == std::string_view::npos) return UrlRule::kNotAUrl;
  const std::string scheme = ToLower(url.substr(0, sep));
  const std::string_view rest = url.substr(sep + 3);
  const std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.find('@') != std::string_view::npos) return UrlRule::kCredentials;
  std::string_view host = authority;
  if (!host.empty() && host.front() == '[') {
    const size_t close = host.find(']');
    host = close == std::string_view::npos ? std::string_view() : host.substr(0, close + 1);
  } else {
    host = host.substr(0, host.find(':'));
  }
  if (host.empty()) return UrlRule::kNoHost;
  if (scheme == "https") return UrlRule::kAllowed;
  if (scheme != "http") return UrlRule::kUnsupportedScheme;
  return IsLoopbackHost(host) ? UrlRule::kAllowed : UrlRule::kInsecureHttp;
}

std::string_view UrlRuleReason(UrlRule rule) {
  switch (rule) {
    case UrlRule::kAllowed:
      return "";
    case UrlRule::kNotAUrl:
      return "is not a URL (expected https://host[/path])";
    case UrlRule::kCredentials:
      return "must not carry credentials";
    case UrlRule::kNoHost:
      return "has no host";
    case UrlRule::kUnsupportedScheme:
    case UrlRule::kInsecureHttp:
      return "must be https:// (http:// only to 127.0.0.1, localhost or ::1)";
  }
  return "";
}

std::string_view UrlRuleError(std::string_view url) { return UrlRuleReason(CheckUrlRule(url)); }

}  // namespace cartsync
