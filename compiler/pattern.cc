#include "compiler/pattern.h"

#include <re2/re2.h>

#include <cctype>
#include <memory>
#include <string>
#include <unordered_map>

namespace cartsync {
namespace {

RE2::Options PatternOptions() {
  RE2::Options o;
  o.set_log_errors(false);  // errors become diagnostics, never stderr noise
  return o;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

// Constructs RE2 accepts with another meaning, or not at all, in ECMAScript
// ("u" flag) or Rust's regex crate. A small lexer: escapes, groups, classes
// and counted repetitions.
std::string PortabilityError(std::string_view p) {
  bool in_class = false;
  for (size_t i = 0; i < p.size(); ++i) {
    char c = p[i];
    if (c == '\\') {
      if (i + 1 >= p.size()) return "trailing \\";
      char e = p[++i];
      if (std::string_view("dDwWsSbBnrtfv^$\\.*+?()[]{}|/").find(e) != std::string_view::npos)
        continue;
      if (e == '-' && in_class) continue;
      if (e == 'x' && i + 2 < p.size() && IsHex(p[i + 1]) && IsHex(p[i + 2])) {
        i += 2;
        continue;
      }
      return "escape \\" + std::string(1, e) +
             " is not portable to JSON Schema (use \\d \\w \\s \\b, \\xHH or an escaped "
             "punctuation character)";
    }
    if (in_class) {
      if (c == '[' && i + 1 < p.size() && p[i + 1] == ':')
        return "POSIX classes ([:alpha:]) are not portable to JSON Schema";
      if (c == ']') in_class = false;
      continue;
    }
    switch (c) {
      case '[': {
        in_class = true;
        size_t first = i + 1 < p.size() && p[i + 1] == '^' ? i + 2 : i + 1;
        if (first < p.size() && p[first] == ']') return "a class cannot start with ] (write \\])";
        i = first - 1;
        break;
      }
      case '(':
        if (i + 1 < p.size() && p[i + 1] == '?' && (i + 2 >= p.size() || p[i + 2] != ':'))
          return "only (?:…) groups are portable to JSON Schema (no inline flags, named groups "
                 "or lookaround)";
        break;
      case '{': {
        size_t j = i + 1;
        while (j < p.size() && IsDigit(p[j])) ++j;
        bool counted = j > i + 1;
        if (counted && j < p.size() && p[j] == ',') {
          ++j;
          while (j < p.size() && IsDigit(p[j])) ++j;
        }
        if (!counted || j >= p.size() || p[j] != '}') return "a literal { must be escaped (\\{)";
        i = j;
        break;
      }
      case '}':
      case ']':
        return std::string("a literal ") + c + " must be escaped (\\" + c + ")";
      default:
        break;
    }
  }
  return {};
}

}  // namespace

std::string PatternError(std::string_view pattern) {
  RE2 re(pattern, PatternOptions());
  if (!re.ok()) return re.error();
  return PortabilityError(pattern);
}

bool PatternFullMatch(std::string_view pattern, std::string_view text) {
  // Compiled once per thread and pattern: a descriptor's patterns are matched
  // for every cart, and compiling is most of the cost. A project's own
  // patterns may be many and long, so only short ones are kept, and only so
  // many.
  constexpr size_t kMaxKept = 256, kMaxKeptLength = 1024;
  thread_local std::unordered_map<std::string, std::unique_ptr<RE2>> compiled;
  if (pattern.size() > kMaxKeptLength) {
    RE2 re(pattern, PatternOptions());
    return re.ok() && RE2::FullMatch(text, re);
  }
  auto it = compiled.find(std::string(pattern));
  if (it == compiled.end()) {
    if (compiled.size() >= kMaxKept) compiled.clear();
    it = compiled.emplace(std::string(pattern), std::make_unique<RE2>(pattern, PatternOptions()))
             .first;
  }
  const RE2& re = *it->second;
  return re.ok() && RE2::FullMatch(text, re);
}

}  // namespace cartsync
