#include "compiler/safe_text.h"

#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace cartsync {

Utf8Char DecodeUtf8(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  if (c < 0x80) return {c, 1};
  size_t n = 0;
  uint32_t min = 0;
  uint32_t cp = 0;
  if ((c & 0xE0) == 0xC0) {
    n = 2, min = 0x80, cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3, min = 0x800, cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4, min = 0x10000, cp = c & 0x07;
  } else {
    return {c, 0};
  }
  if (i + n > s.size()) return {c, 0};
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return {c, 0};
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return {c, 0};
  return {cp, n};
}

bool LooksLikePath(std::string_view s) {
  // "/tmp/…", "/home/…", "/work/…": a root directory named by lower-case
  // letters, then at least one more component, none of them empty.
  if (s.size() < 3 || s[0] != '/' || s.back() == '=') return false;
  size_t second = s.find('/', 1);
  if (second == std::string_view::npos || second == 1 || second + 1 >= s.size()) return false;
  for (char c : s.substr(1, second - 1))
    if (c < 'a' || c > 'z') return false;
  return s.find("//") == std::string_view::npos;
}

const char* CredentialKind(std::string_view s) {
  // Every heuristic needs at least 22 characters; most strings are shorter.
  if (s.size() < 22) return nullptr;
  static const RE2 shopify("shp(?:at|ca|pa|ss)_[0-9a-fA-F]{16,}");
  static const RE2 woo("c[ks]_[0-9a-f]{20,}");
  static const RE2 hex("[0-9a-fA-F]{32,}");
  static const RE2 b64("[A-Za-z0-9+/_-]{32,}={0,2}");
  if (RE2::FullMatch(s, shopify)) return "a Shopify access token";
  if (RE2::FullMatch(s, woo)) return "a WooCommerce API key";
  if (RE2::FullMatch(s, hex)) return "a long hex token";
  auto any = [&](int (*is)(int)) {
    return std::any_of(s.begin(), s.end(),
                       [&](char c) { return is(static_cast<unsigned char>(c)); });
  };
  // A temp directory's random name inside a path is no token.
  if (RE2::FullMatch(s, b64) && any(::isdigit) && any(::isupper) && any(::islower) &&
      !LooksLikePath(s))
    return "a long base64 token";
  return nullptr;
}

bool IsTerminalControl(uint32_t cp) { return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F); }

std::string EscapeControls(std::string_view s, std::string_view keep) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    Utf8Char c = DecodeUtf8(s, i);
    if (c.length == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD
      ++i;
      continue;
    }
    if (IsTerminalControl(c.cp) &&
        !(c.cp < 0x80 && keep.find(static_cast<char>(c.cp)) != keep.npos)) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c.cp));
      out += buf;
    } else {
      out.append(s.substr(i, c.length));
    }
    i += c.length;
  }
  return out;
}

namespace {

bool IsTokenChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '_' ||
         c == '-';
}

// Sorted, merged.
std::vector<ByteSpan> Merge(std::vector<ByteSpan> spans) {
  std::sort(spans.begin(), spans.end());
  std::vector<ByteSpan> out;
  for (const ByteSpan& s : spans) {
    if (s.first >= s.second) continue;
    if (!out.empty() && s.first <= out.back().second)
      out.back().second = std::max(out.back().second, s.second);
    else
      out.push_back(s);
  }
  return out;
}

// scheme://user:PASSWORD@host: the password's bytes.
void UrlPasswords(std::string_view s, std::vector<ByteSpan>& out) {
  for (size_t at = s.find("://"); at != std::string_view::npos; at = s.find("://", at + 3)) {
    size_t begin = at + 3, end = begin;
    while (end < s.size() && std::string_view("/?#\"' \t<>").find(s[end]) == std::string_view::npos)
      ++end;
    std::string_view authority = s.substr(begin, end - begin);
    size_t user_end = authority.rfind('@');
    if (user_end == std::string_view::npos) continue;
    size_t colon = authority.substr(0, user_end).find(':');
    if (colon == std::string_view::npos) continue;
    out.push_back({begin + colon + 1, begin + user_end});
  }
}

}  // namespace

std::vector<ByteSpan> FindSecretSpans(std::string_view s) {
  std::vector<ByteSpan> spans;
  for (size_t i = 0; i < s.size();) {
    if (!IsTokenChar(s[i])) {
      ++i;
      continue;
    }
    size_t begin = i;
    while (i < s.size() && IsTokenChar(s[i])) ++i;
    for (int pad = 0; pad < 2 && i < s.size() && s[i] == '='; ++pad) ++i;
    if (CredentialKind(s.substr(begin, i - begin))) spans.push_back({begin, i});
  }
  UrlPasswords(s, spans);
  return Merge(std::move(spans));
}

bool LooksLikeSecretKey(std::string_view key) {
  std::string k(key);
  for (char& c : k) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (std::string_view word : {"secret", "token", "password", "passwd"})
    if (k.find(word) != std::string::npos) return true;
  return k == "key" || k.ends_with("_key") || k.ends_with("-key") || k.ends_with("apikey");
}

std::vector<ByteSpan> FindSecretSpansInTomlLine(std::string_view line) {
  std::vector<ByteSpan> spans = FindSecretSpans(line);
  // KEY [. KEY]* = "value" | 'value', keys bare or quoted.
  size_t i = 0;
  auto skip_space = [&] {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
  };
  std::string_view last_key;
  for (;;) {
    skip_space();
    if (i >= line.size()) return spans;
    size_t begin = i;
    if (line[i] == '"' || line[i] == '\'') {
      char q = line[i++];
      while (i < line.size() && line[i] != q) i += line[i] == '\\' && q == '"' ? 2 : 1;
      if (i >= line.size()) return spans;
      last_key = line.substr(begin + 1, i - begin - 1);
      ++i;
    } else {
      while (i < line.size() && (std::isalnum(static_cast<unsigned char>(line[i])) ||
                                 line[i] == '_' || line[i] == '-'))
        ++i;
      if (i == begin) return spans;
      last_key = line.substr(begin, i - begin);
    }
    skip_space();
    if (i < line.size() && line[i] == '.') {
      ++i;
      continue;
    }
    break;
  }
  if (i >= line.size() || line[i] != '=' || !LooksLikeSecretKey(last_key)) return spans;
  ++i;
  skip_space();
  if (i >= line.size() || (line[i] != '"' && line[i] != '\'')) return spans;
  char q = line[i];
  size_t begin = i;
  bool multi_line = line.substr(i, 3) == std::string(3, q);
  i += multi_line ? 3 : 1;
  // A reference ({ secret = "env:NAME" } written as a dotted key) is no secret.
  std::string_view rest = line.substr(i);
  if (rest.starts_with("env:") || rest.starts_with("file:")) return spans;
  // A multi-line string runs on: mask the rest of this line.
  while (!multi_line && i < line.size() && line[i] != q) i += line[i] == '\\' && q == '"' ? 2 : 1;
  size_t end = multi_line ? line.size() : std::min(line.size(), i + 1);
  spans.push_back({begin, end});
  return Merge(std::move(spans));
}

std::string MaskSecrets(std::string_view s) {
  std::vector<ByteSpan> spans = FindSecretSpans(s);
  if (spans.empty()) return std::string(s);
  std::string out;
  out.reserve(s.size());
  size_t at = 0;
  for (const auto& [begin, end] : spans) {
    out.append(s.substr(at, begin - at));
    for (size_t i = begin; i < end;) {
      size_t n = std::max<size_t>(1, DecodeUtf8(s, i).length);
      out += '*';
      i += n;
    }
    at = end;
  }
  out.append(s.substr(at));
  return out;
}

}  // namespace cartsync
