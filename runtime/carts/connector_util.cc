#include "runtime/carts/connector_util.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "base/url.h"
#include "runtime/clock.h"

namespace cartsync::connector_util {

// --- text -------------------------------------------------------------------

bool DigitsValue(std::string_view digits, int64_t& value) {
  int64_t n = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + (c - '0');
  }
  value = n;
  return true;
}

bool IsAlnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool ContainsToken(std::string_view text, std::string_view token) {
  if (token.empty()) return false;
  size_t pos = 0;
  while ((pos = text.find(token, pos)) != std::string_view::npos) {
    const bool left_ok = pos == 0 || !IsAlnum(text[pos - 1]);
    const size_t end = pos + token.size();
    const bool right_ok = end >= text.size() || !IsAlnum(text[end]);
    if (left_ok && right_ok) return true;
    ++pos;
  }
  return false;
}

void ReplaceAll(std::string& s, std::string_view from, std::string_view to) {
  if (from.empty()) return;
  size_t pos = 0;
  while ((pos = s.find(from, pos)) != std::string::npos) {
    s.replace(pos, from.size(), to);
    pos += to.size();
  }
}

void ScrubSecrets(std::string& text, std::initializer_list<std::string_view> secrets,
                  size_t min_length) {
  for (std::string_view secret : secrets) {
    if (secret.size() >= min_length) ReplaceAll(text, secret, "REDACTED");
  }
}

std::string JoinName(std::string first, std::string last) {
  auto trim = [](std::string s) {
    while (!s.empty() && s.back() == ' ') s.pop_back();
    size_t i = 0;
    while (i < s.size() && s[i] == ' ') ++i;
    return s.substr(i);
  };
  first = trim(std::move(first));
  last = trim(std::move(last));
  if (first.empty()) return last;
  if (last.empty()) return first;
  return first + " " + last;
}

// --- messages ---------------------------------------------------------------

std::string Excerpt(std::string_view text, size_t max) {
  bool cut = text.size() > max;
  size_t n = cut ? max : text.size();
  // Do not end inside a UTF-8 sequence: back up over continuation bytes, and
  // over the lead byte that starts the incomplete sequence.
  if (cut) {
    while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
  }
  std::string out(text.substr(0, n));
  for (char& c : out) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) c = ' ';
  }
  if (cut) out += "…";
  return out;
}

std::string OneLineExcerpt(std::string_view body, size_t max_chars) {
  std::string out;
  bool space = false;
  for (char c : body) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f || c == ' ') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
    if (out.size() >= max_chars) {
      out += "…";
      break;
    }
  }
  return out;
}

bool IsJsonAnswer(std::string_view content_type, std::string_view body) {
  if (!content_type.empty() && ToLower(content_type).find("json") == std::string::npos)
    return false;
  if (Trim(body).empty()) return true;  // 204-style: nothing to read, nothing wrong
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  return !doc.HasParseError();
}

// --- URLs -------------------------------------------------------------------

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      int hi = HexValue(s[i + 1]), lo = HexValue(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(s[i] == '+' ? ' ' : s[i]);
  }
  return out;
}

std::string UrlEncode(std::string_view text, std::string_view keep) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || u == '-' ||
        u == '.' || u == '_' || u == '~' || keep.find(c) != std::string_view::npos) {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 0xF]);
    }
  }
  return out;
}

Status CheckBaseUrl(const std::string& url, const std::string& label,
                    std::string_view credentials_hint) {
  const UrlRule rule = CheckUrlRule(url);
  const std::string reason(UrlRuleReason(rule));
  switch (rule) {
    case UrlRule::kAllowed:
      return Status::Ok();
    case UrlRule::kNotAUrl:
      return Status::Permanent(label + " \"" + url + "\" " + reason);
    case UrlRule::kCredentials:
      return Status::Permanent(label + " " + reason + std::string(credentials_hint));
    default:
      return Status::Permanent(label + " " + reason);
  }
}

// --- configuration ----------------------------------------------------------

const FieldValue* Field(const CartConfig& cart, const char* name) {
  auto it = cart.api.find(name);
  return it == cart.api.end() ? nullptr : &it->second;
}

Result<std::string> RequiredText(const CartConfig& cart, const char* name,
                                 const std::string& where) {
  const FieldValue* f = Field(cart, name);
  if (f == nullptr || f->text.empty())
    return Status::Permanent(where + ": [api]." + name + " is not set");
  return f->text;
}

Result<SecretRef> RequiredSecret(const CartConfig& cart, const char* name,
                                 const std::string& where) {
  const FieldValue* f = Field(cart, name);
  if (f == nullptr || !f->secret)
    return Status::Permanent(where + ": [api]." + name +
                             " is not set (a { secret = \"…\" } reference)");
  return *f->secret;
}

// --- JSON -------------------------------------------------------------------

const Value* Member(const Value* obj, const char* key) {
  if (obj == nullptr || !obj->IsObject()) return nullptr;
  auto it = obj->FindMember(key);
  return it == obj->MemberEnd() ? nullptr : &it->value;
}

std::string NumberText(const Value& v) {
  if (v.IsInt64()) return std::to_string(v.GetInt64());
  if (v.IsUint64()) return std::to_string(v.GetUint64());
  char buf[64];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v.GetDouble());
    if (std::strtod(buf, nullptr) == v.GetDouble()) break;
  }
  return buf;
}

std::string Text(const Value* obj, const char* key) {
  const Value* v = Member(obj, key);
  if (v == nullptr) return "";
  if (v->IsString()) return std::string(v->GetString(), v->GetStringLength());
  if (v->IsNumber()) return NumberText(*v);
  return "";
}

bool Int(const Value* obj, const char* key, int64_t& out, IntTextParser parse_text) {
  const Value* v = Member(obj, key);
  if (v == nullptr) return false;
  if (v->IsInt64()) {
    out = v->GetInt64();
    return true;
  }
  if (v->IsDouble() && std::floor(v->GetDouble()) == v->GetDouble() &&
      std::fabs(v->GetDouble()) < 9e15) {
    out = static_cast<int64_t>(v->GetDouble());
    return true;
  }
  if (v->IsString()) return parse_text(std::string_view(v->GetString(), v->GetStringLength()), out);
  return false;
}

void WriteString(JsonWriter& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

// --- timestamps -------------------------------------------------------------

std::string ToIsoUtc(std::string_view text) {
  int64_t seconds = 0;
  if (text.empty() || !ParseTimestamp(std::string(text), seconds)) return "";
  return FormatIsoUtc(seconds);
}

}  // namespace cartsync::connector_util
