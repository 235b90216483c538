#include "compiler/toml_util.h"

#include <optional>
#include <vector>

namespace cartsync {

SourceRegion RegionOf(const toml::source_region& r, std::string_view fallback_file) {
  SourceRegion out;
  out.file = r.path ? *r.path : std::string(fallback_file);
  out.begin = {r.begin.line, r.begin.column};
  out.end = {r.end.line, r.end.column};
  // toml++ reports parse errors as an empty span (end == begin): widen it to
  // one column so every located diagnostic covers at least one character.
  if (out.end <= out.begin || out.end.line == 0) out.end = {out.begin.line, out.begin.column + 1};
  return out;
}

SourceRegion RegionInString(const toml::node& n, size_t offset, size_t length,
                            std::string_view fallback_file) {
  SourceRegion whole = RegionOf(n, fallback_file);
  const auto* s = n.as_string();
  if (!s || whole.begin.line != whole.end.line) return whole;
  // Quoted length equals content length + 2 only when there are no escapes,
  // so a column inside the content maps 1:1 onto the line.
  uint32_t width = whole.end.column - whole.begin.column;
  size_t content_cp = 0;
  for (unsigned char c : s->get()) content_cp += (c & 0xC0) != 0x80;
  if (width != content_cp + 2) return whole;
  // Columns count code points; convert the byte offset.
  const std::string& text = s->get();
  // Something missing at the end ("UPS" without "/SERVICE") is shown on
  // the text, not on the closing quote.
  if (offset >= text.size() && !text.empty()) {
    offset = 0;
    length = text.size();
  }
  auto cp_at = [&](size_t byte) {
    size_t cp = 0;
    for (size_t i = 0; i < byte && i < text.size(); ++i)
      cp += (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80;
    return static_cast<uint32_t>(cp);
  };
  uint32_t b = cp_at(offset), e = cp_at(offset + std::max<size_t>(length, 1));
  if (e <= b) e = b + 1;
  whole.begin.column += 1 + b;
  whole.end.column = whole.begin.column + (e - b);
  return whole;
}

std::string_view TypeNameOf(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    default:
      return "nothing";
  }
}

bool CheckNestingDepth(const SourceFile& file, DiagnosticEngine& diags) {
  // A tiny lexer: dots outside strings and comments, counted per line.
  const std::string& s = file.content();
  enum { Plain, Basic, Literal, MlBasic, MlLiteral, Comment } state = Plain;
  uint32_t line = 1, column = 0;
  int dots = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++column;
    if (c == '\n') {
      ++line;
      column = 0;
      dots = 0;
      if (state == Comment || state == Basic || state == Literal) state = Plain;
      continue;
    }
    switch (state) {
      case Plain:
        if (c == '#')
          state = Comment;
        else if (s.compare(i, 3, "\"\"\"") == 0) {
          state = MlBasic;
          i += 2;
          column += 2;
        } else if (s.compare(i, 3, "'''") == 0) {
          state = MlLiteral;
          i += 2;
          column += 2;
        } else if (c == '"')
          state = Basic;
        else if (c == '\'')
          state = Literal;
        else if (c == '.' && ++dots > kMaxKeyDepthPerLine) {
          diags.Report(DiagId::NestingTooDeep, {file.path(), {line, column}, {line, column + 1}},
                       {std::to_string(kMaxKeyDepthPerLine)});
          return false;
        }
        break;
      case Basic:
        if (c == '\\') {
          ++i;
          ++column;
        } else if (c == '"')
          state = Plain;
        break;
      case Literal:
        if (c == '\'') state = Plain;
        break;
      case MlBasic:
        if (c == '\\') {
          ++i;
          ++column;
        } else if (s.compare(i, 3, "\"\"\"") == 0) {
          state = Plain;
          i += 2;
          column += 2;
        }
        break;
      case MlLiteral:
        if (s.compare(i, 3, "'''") == 0) {
          state = Plain;
          i += 2;
          column += 2;
        }
        break;
      case Comment:
        break;
    }
  }
  return true;
}

namespace {

// "a.\"b c\". d" -> {"a", "b c", "d"}: the parts of a key as written
// (quoted parts may hold dots).
std::vector<std::string> KeyParts(std::string_view key) {
  std::vector<std::string> out(1);
  char quote = 0;
  for (char c : key) {
    if (quote) {
      if (c == quote)
        quote = 0;
      else
        out.back() += c;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '.') {
      out.emplace_back();
    } else if (c != ' ' && c != '\t') {
      out.back() += c;
    }
  }
  return out;
}

// The key path of the table header in force at the start of line `line`
// (the last `[a.b]` or `[[a.b]]` line above it), or empty at the top level.
// A line scan: good enough to name the place of a first definition.
std::vector<std::string> HeaderAbove(const SourceFile& file, uint32_t line) {
  for (uint32_t n = line; n-- > 1;) {
    std::string_view l = file.Line(n);
    size_t b = l.find_first_not_of(" \t");
    if (b == std::string_view::npos || l[b] != '[') continue;
    l.remove_prefix(b);
    size_t depth = l.substr(0, 2) == "[[" ? 2 : 1;
    size_t e = l.find(depth == 2 ? "]]" : "]");
    if (e == std::string_view::npos) continue;
    return KeyParts(l.substr(depth, e - depth));
  }
  return {};
}

// Where the key or table that a "cannot redefine existing … 'NAME'" error is
// about was first defined: the part of the file above the error, parsed on
// its own, holds the first definition.
std::optional<SourceRegion> FirstDefinition(const SourceFile& file, std::string_view description,
                                            uint32_t line) {
  constexpr std::string_view kRedefine = "cannot redefine existing";
  if (description.find(kRedefine) == std::string_view::npos || line < 2) return std::nullopt;
  size_t q1 = description.find('\''), q2 = description.rfind('\'');
  if (q1 == std::string_view::npos || q2 <= q1) return std::nullopt;
  std::string_view name = description.substr(q1 + 1, q2 - q1 - 1);
  std::vector<std::string> path = KeyParts(name);
  // A header names its path from the top; a key is relative to its table.
  std::string_view text = file.Line(line);
  size_t b = text.find_first_not_of(" \t");
  bool header = b != std::string_view::npos && text[b] == '[';
  if (!header) {
    std::vector<std::string> above = HeaderAbove(file, line);
    path.insert(path.begin(), above.begin(), above.end());
  }
  size_t end = static_cast<size_t>(file.Line(line).data() - file.content().data());
  toml::table prefix;
  try {
    prefix = toml::parse(std::string_view(file.content()).substr(0, end), file.path());
  } catch (const toml::parse_error&) {
    return std::nullopt;
  }
  const toml::table* t = &prefix;
  for (size_t i = 0; i < path.size(); ++i) {
    auto it = t->find(path[i]);
    if (it == t->end()) return std::nullopt;
    if (i + 1 == path.size()) return RegionOf(it->first, file.path());
    const toml::node* n = &it->second;
    if (const toml::array* a = n->as_array(); a && !a->empty()) n = &a->back();
    t = n->as_table();
    if (!t) return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

bool ParseToml(const SourceFile& file, toml::table& out, DiagnosticEngine& diags) {
  if (!CheckNestingDepth(file, diags)) return false;
  try {
    out = toml::parse(file.content(), std::string(file.path()));
    return true;
  } catch (const toml::parse_error& e) {
    SourceRegion r = RegionOf(e.source(), file.path());
    Diagnostic* d = diags.Report(DiagId::TomlSyntax, r, {e.description()});
    if (d && r.begin.line > 0) {
      if (auto first = FirstDefinition(file, e.description(), r.begin.line)) {
        // Shown at the second definition's key, as the first is shown.
        std::string_view text = file.Line(r.begin.line);
        size_t b = text.find_first_not_of(" \t"), eq = text.find('=');
        if (b != std::string_view::npos && text[b] != '[' && eq != std::string_view::npos &&
            eq > b && text.substr(0, b).find_first_not_of(" \t") == std::string_view::npos) {
          size_t end = text.find_last_not_of(" \t", eq - 1) + 1;
          // Columns are code points: count them up to each byte offset.
          auto column = [&](size_t byte) {
            uint32_t c = 1;
            for (size_t i = 0; i < byte; ++i)
              c += (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80;
            return c;
          };
          d->region.begin.column = column(b);
          d->region.end = {r.begin.line, column(end)};
        }
        d->related.push_back({*first, "first defined here"});
        d->hint = "remove or rename one of the two definitions";
      }
    }
    return false;
  }
}

}  // namespace cartsync
