#include "compiler/toml_util.h"

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

bool ParseToml(const SourceFile& file, toml::table& out, DiagnosticEngine& diags) {
  if (!CheckNestingDepth(file, diags)) return false;
  try {
    out = toml::parse(file.content(), std::string(file.path()));
    return true;
  } catch (const toml::parse_error& e) {
    SourceRegion r = RegionOf(e.source(), file.path());
    diags.Report(DiagId::TomlSyntax, r, {e.description()});
    return false;
  }
}

}  // namespace cartsync
