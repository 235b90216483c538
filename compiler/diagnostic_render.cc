#include "compiler/diagnostic_render.h"

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <utility>

#include "base/sha256.h"
#include "compiler/safe_text.h"

namespace cartsync {

std::optional<DiagFormat> ParseDiagFormat(std::string_view name) {
  if (name == "text") return DiagFormat::Text;
  if (name == "json") return DiagFormat::Json;
  if (name == "sarif") return DiagFormat::Sarif;
  if (name == "github") return DiagFormat::Github;
  if (name == "gitlab") return DiagFormat::Gitlab;
  return std::nullopt;
}

namespace {

constexpr std::string_view kReplacementChar = "\xEF\xBF\xBD";  // U+FFFD

bool IsMalformed(std::string_view cp) {
  return cp.size() == 1 && static_cast<unsigned char>(cp[0]) >= 0x80;
}

// RapidJSON's Writer copies bytes unchecked; JSON consumers need valid UTF-8.
// Valid runs are copied whole: messages and snippets may be a megabyte long.
std::string ValidUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t copied = 0;  // s[copied, i) is valid and not yet in `out`
  for (size_t i = 0; i < s.size();) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    if (size_t n = DecodeUtf8(s, i).length; n > 0) {
      i += n;
      continue;
    }
    out.append(s.substr(copied, i - copied));
    out += kReplacementChar;
    copied = ++i;
  }
  out.append(s.substr(copied));
  return out;
}

// A code point as shown in a snippet, always one column so carets line up.
// Terminal controls (IsTerminalControl) other than tab become their Control
// Pictures glyph (U+2400 block; U+2421 for DEL) so a hostile file cannot drive
// the terminal; C1 controls, which have no picture, and malformed bytes
// become U+FFFD.
std::string DisplayCodePoint(std::string_view cp) {
  if (IsMalformed(cp)) return std::string(kReplacementChar);
  uint32_t c = DecodeUtf8(cp, 0).cp;
  if (c == '\t' || !IsTerminalControl(c)) return std::string(cp);
  if (c < 0x20 || c == 0x7F)
    return {'\xE2', '\x90', static_cast<char>(c == 0x7F ? 0xA1 : 0x80 + c)};
  return std::string(kReplacementChar);
}

// The [begin, end) code-point columns to underline on the region's first line
// of `cp_count` code points. `end` is exclusive; a range running onto later
// lines stops at the end of the first; positions past the end of the line (an
// error at end of line) are clamped to just after it. Never empty.
std::pair<size_t, size_t> FirstLineRange(const SourceRegion& r, size_t cp_count) {
  size_t line_end = cp_count + 1;
  size_t begin = std::min<size_t>(std::max<uint32_t>(r.begin.column, 1), line_end);
  size_t end = begin + 1;
  if (r.end.line == r.begin.line && r.end.column > begin) end = r.end.column;
  if (r.end.line > r.begin.line) end = line_end;
  return {begin, std::max(std::min(end, line_end), begin + 1)};
}

// A source line as snippets may show it: masked, split into code points.
// A line of ASCII (most lines) is a masked copy, one byte per column; any
// other is the raw line with its code points' starts and a mask by column
// (a masked code point is shown as '*').
struct ShownLine {
  std::string text;              // ASCII: masked; otherwise raw
  bool ascii = false;            // then `starts` and `masked` are left empty
  std::vector<uint32_t> starts;  // code point c (1-based) is text[starts[c-1], starts[c])
  std::vector<char> masked;      // by column
  size_t size() const { return ascii ? text.size() : starts.size() - 1; }
  std::string_view At(size_t column) const {
    if (ascii) return std::string_view(text).substr(column - 1, 1);
    std::string_view cp =
        std::string_view(text).substr(starts[column - 1], starts[column] - starts[column - 1]);
    return masked[column] && cp != "\t" ? "*" : cp;
  }
};

// The lines the snippets of one rendering show, each prepared once (a long
// line may be shown by thousands of diagnostics). Every place on a line that
// holds a secret is masked in every snippet of that line, whatever the
// diagnostic is about: the regions of masking diagnostics (mask_snippet,
// masks), and what the raw line itself gives away (FindSecretSpansInTomlLine:
// a file that did not parse has no checker findings). Masked code points
// become '*'; tabs stay, so carets still line up.
class SnippetLines {
 public:
  SnippetLines(const std::vector<Diagnostic>& diags, const SourceManager& sources)
      : sources_(sources) {
    for (const Diagnostic& d : diags) {
      if (d.region.begin.line > 0) lines_[{d.region.file, d.region.begin.line}];
      for (const RelatedLocation& rel : d.related)
        if (rel.region.begin.line > 0) lines_[{rel.region.file, rel.region.begin.line}];
    }
    for (const Diagnostic& d : diags) {
      if (d.mask_snippet) AddMask(d.region);
      for (const SourceRegion& m : d.masks) AddMask(m);
    }
  }

  /// Line `n` of `file`, masked; nullptr when the file or line is not there.
  const ShownLine* Get(const std::string& file, uint32_t n) {
    auto it = lines_.find({file, n});
    if (it == lines_.end()) return nullptr;
    Entry& e = it->second;
    if (!e.prepared) {
      e.prepared = true;
      const SourceFile* f = sources_.Find(file);
      if (f != nullptr && n <= f->line_count()) e.shown = Prepare(f->Line(n), e.masks);
    }
    return e.shown ? &*e.shown : nullptr;
  }

 private:
  struct Entry {
    std::vector<std::pair<size_t, size_t>> masks;  // [begin, end) columns
    bool prepared = false;
    std::optional<ShownLine> shown;
  };

  // Masks the part of `r` on each line that is shown. Without a column the
  // whole line is masked.
  void AddMask(const SourceRegion& r) {
    if (r.begin.line == 0) return;
    uint32_t last = std::max(r.end.line, r.begin.line);
    for (auto it = lines_.lower_bound({r.file, r.begin.line});
         it != lines_.end() && it->first.first == r.file && it->first.second <= last; ++it) {
      uint32_t line = it->first.second;
      bool whole = r.begin.column == 0;
      size_t begin = !whole && line == r.begin.line ? r.begin.column : 1;
      size_t end = !whole && line == r.end.line && r.end.column > 0 ? r.end.column : SIZE_MAX;
      it->second.masks.push_back({begin, std::max(end, begin + 1)});
    }
  }

  static ShownLine Prepare(std::string_view raw,
                           const std::vector<std::pair<size_t, size_t>>& masks) {
    if (std::all_of(raw.begin(), raw.end(),
                    [](char c) { return static_cast<unsigned char>(c) < 0x80; }))
      return PrepareAscii(raw, masks);
    ShownLine out;
    out.text.assign(raw);
    std::vector<uint32_t>& starts = out.starts;
    starts.reserve(raw.size() + 1);
    for (size_t i = 0; i < raw.size();) {
      starts.push_back(static_cast<uint32_t>(i));
      i += std::max<size_t>(1, DecodeUtf8(raw, i).length);
    }
    starts.push_back(static_cast<uint32_t>(raw.size()));
    size_t count = starts.size() - 1;
    std::vector<char>& masked = out.masked;
    masked.assign(count + 2, 0);
    for (auto [begin, end] : masks)
      for (size_t c = begin; c < end && c <= count; ++c) masked[c] = 1;
    for (auto [b, e] : FindSecretSpansInTomlLine(raw)) {
      size_t c =
          static_cast<size_t>(std::upper_bound(starts.begin(), starts.end(), b) - starts.begin());
      for (; c <= count && starts[c - 1] < e; ++c) masked[c] = 1;
    }
    return out;
  }

  // Prepare for a line of ASCII (most lines): columns are bytes, no table of
  // code point starts, the mask applied in place.
  static ShownLine PrepareAscii(std::string_view raw,
                                const std::vector<std::pair<size_t, size_t>>& masks) {
    ShownLine out;
    out.ascii = true;
    out.text.assign(raw);
    auto mask = [&](size_t begin, size_t end) {  // bytes [begin, end)
      for (size_t i = begin; i < std::min(end, raw.size()); ++i)
        if (out.text[i] != '\t') out.text[i] = '*';
    };
    for (auto [begin, end] : masks) mask(begin - 1, end == SIZE_MAX ? SIZE_MAX : end - 1);
    for (auto [b, e] : FindSecretSpansInTomlLine(raw)) mask(b, e);
    return out;
  }

  const SourceManager& sources_;
  std::map<std::pair<std::string, uint32_t>, Entry> lines_;
};

// A long line is shown in part: at most kSnippetWidth code points, starting a
// little before the region. Returns the [begin, end) columns shown.
constexpr size_t kSnippetWidth = 160;
constexpr size_t kSnippetLead = 40;
std::pair<size_t, size_t> SnippetWindow(uint32_t column, size_t cp_count) {
  if (cp_count <= kSnippetWidth) return {1, cp_count + 1};
  size_t at = std::min<size_t>(std::max<uint32_t>(column, 1), cp_count + 1);
  size_t begin = at > kSnippetLead ? at - kSnippetLead : 1;
  size_t end = std::min(cp_count + 1, begin + kSnippetWidth);
  return {end - kSnippetWidth, end};
}

// The shown part of a line as plain (masked) text: the SARIF snippet.
std::string WindowText(const ShownLine& line, uint32_t column) {
  auto [begin, end] = SnippetWindow(column, line.size());
  std::string out;
  for (size_t c = begin; c < end; ++c) out += line.At(c);
  return out;
}

// --- Text -------------------------------------------------------------------

constexpr std::string_view kBold = "\x1b[1m";
constexpr std::string_view kRed = "\x1b[1;31m";
constexpr std::string_view kMagenta = "\x1b[1;35m";
constexpr std::string_view kCyan = "\x1b[1;36m";
constexpr std::string_view kGreen = "\x1b[1;32m";
constexpr std::string_view kReset = "\x1b[0m";

std::string Paint(std::string_view style, std::string_view text, bool color) {
  if (!color) return std::string(text);
  std::string out(style);
  out += text;
  out += kReset;
  return out;
}

std::string_view SeverityColor(Severity s) {
  switch (s) {
    case Severity::Note:
      return kCyan;
    case Severity::Warning:
      return kMagenta;
    case Severity::Error:
      return kRed;
  }
  return kRed;
}

// The source line with a line-number gutter, then carets under the region.
// A long line shows its window (SnippetWindow) between "…" marks.
void WriteSnippet(const SourceRegion& r, SnippetLines& lines, bool color, std::ostream& out) {
  if (r.begin.line == 0) return;
  const ShownLine* line = lines.Get(r.file, r.begin.line);
  if (line == nullptr) return;
  size_t count = line->size();
  auto [shown_begin, shown_end] = SnippetWindow(r.begin.column, count);
  constexpr std::string_view kEllipsis = "\xE2\x80\xA6";  // one column

  std::string number = std::to_string(r.begin.line);
  size_t width = std::max<size_t>(4, number.size()) + 1;
  out << std::string(width - number.size(), ' ') << number << " |";
  if (count > 0) out << ' ';
  if (shown_begin > 1) out << kEllipsis;
  std::string shown;  // written at once: a long line's window is 160 code points
  for (size_t c = shown_begin; c < shown_end; ++c) {
    std::string_view cp = line->At(c);
    if (cp.size() == 1 && cp[0] >= 0x20 && cp[0] < 0x7F)
      shown += cp[0];  // printable ASCII: shown as it is
    else
      shown += DisplayCodePoint(cp);
  }
  out << shown;
  if (shown_end <= count) out << kEllipsis;
  out << '\n';
  if (r.begin.column == 0) return;  // a line without a column: nothing to point at

  // Copying the line's tabs keeps the caret aligned whatever the tab width.
  auto [begin, end] = FirstLineRange(r, count);
  end = std::max(std::min(end, shown_end), begin + 1);
  auto is_tab = [&](size_t col) { return col <= count && line->At(col) == "\t"; };
  std::string pad(shown_begin > 1 ? 1 : 0, ' ');
  for (size_t c = shown_begin; c < begin; ++c) pad += is_tab(c) ? '\t' : ' ';
  std::string carets;
  for (size_t c = begin; c < end; ++c) carets += is_tab(c) ? '\t' : '^';
  while (!carets.empty() && carets.back() == '\t') carets.pop_back();
  if (carets.empty()) carets = "^";  // a range of tabs only still gets a caret
  out << std::string(width, ' ') << " | " << pad << Paint(kGreen, carets, color) << '\n';
}

std::string CountOf(int n, std::string_view noun) {
  std::string out = std::to_string(n) + " ";
  out += noun;
  if (n != 1) out += 's';
  return out;
}

// "file:line:col" (escaped), as much of it as is known.
std::string Position(const SourceRegion& r) {
  std::string pos = EscapeControls(r.file);
  if (r.begin.line > 0) {
    pos += ':' + std::to_string(r.begin.line);
    if (r.begin.column > 0) pos += ':' + std::to_string(r.begin.column);
  }
  return pos;
}

void RenderText(const std::vector<Diagnostic>& diags, int errors, int warnings,
                const SourceManager& sources, std::ostream& out, const RenderOptions& options) {
  bool color = options.color;
  SnippetLines lines(diags, sources);
  for (const Diagnostic& d : diags) {
    const SourceRegion& r = d.region;
    std::string pos = Position(r) + ':';
    std::string label(SeverityName(d.severity));
    label += '[' + d.code + "]:";
    out << Paint(kBold, pos, color) << ' ' << Paint(SeverityColor(d.severity), label, color) << ' '
        << EscapeControls(MaskSecrets(d.message)) << '\n';
    WriteSnippet(r, lines, color, out);
    if (!d.hint.empty())
      out << "      = " << Paint(kBold, "help:", color) << ' '
          << EscapeControls(MaskSecrets(d.hint)) << '\n';
    // Related places as clang shows them: a note with its own snippet.
    for (const RelatedLocation& rel : d.related) {
      out << Paint(kBold, Position(rel.region) + ':', color) << ' '
          << Paint(SeverityColor(Severity::Note), "note:", color) << ' '
          << EscapeControls(MaskSecrets(rel.message)) << '\n';
      WriteSnippet(rel.region, lines, color, out);
    }
  }
  // Notes are not counted, as in clang; zero parts are left out.
  std::string summary;
  if (errors > 0) summary = CountOf(errors, "error");
  if (warnings > 0) summary += (summary.empty() ? "" : ", ") + CountOf(warnings, "warning");
  if (!diags.empty() && !summary.empty()) out << summary << " generated.\n";
}

// --- JSON and SARIF ---------------------------------------------------------

template <typename Writer>
void WriteString(Writer& w, std::string_view s) {
  std::string valid = ValidUtf8(s);
  w.String(valid.data(), static_cast<rapidjson::SizeType>(valid.size()));
}

void RenderJson(const std::vector<Diagnostic>& diags, int errors, int warnings, std::ostream& out) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("diagnostics");
  w.StartArray();
  for (const Diagnostic& d : diags) {
    w.StartObject();
    w.Key("file");
    WriteString(w, d.region.file);
    w.Key("line");
    w.Uint(d.region.begin.line);
    w.Key("column");
    w.Uint(d.region.begin.column);
    w.Key("end_line");
    w.Uint(d.region.end.line);
    w.Key("end_column");
    w.Uint(d.region.end.column);
    w.Key("severity");
    WriteString(w, SeverityName(d.severity));
    w.Key("code");
    WriteString(w, d.code);
    w.Key("message");
    WriteString(w, MaskSecrets(d.message));
    if (!d.hint.empty()) {
      w.Key("hint");
      WriteString(w, MaskSecrets(d.hint));
    }
    if (!d.related.empty()) {
      w.Key("related");
      w.StartArray();
      for (const RelatedLocation& rel : d.related) {
        w.StartObject();
        w.Key("file");
        WriteString(w, rel.region.file);
        w.Key("line");
        w.Uint(rel.region.begin.line);
        w.Key("column");
        w.Uint(rel.region.begin.column);
        w.Key("end_line");
        w.Uint(rel.region.end.line);
        w.Key("end_column");
        w.Uint(rel.region.end.column);
        w.Key("message");
        WriteString(w, MaskSecrets(rel.message));
        w.EndObject();
      }
      w.EndArray();
    }
    w.EndObject();
  }
  w.EndArray();
  w.Key("errors");
  w.Int(errors);
  w.Key("warnings");
  w.Int(warnings);
  w.EndObject();
  out.write(buf.GetString(), static_cast<std::streamsize>(buf.GetSize())) << '\n';
}

std::string ForwardSlashes(std::string_view path) {
  std::string out(path);
  std::replace(out.begin(), out.end(), '\\', '/');
  return out;
}

// Percent-encodes everything but RFC 3986 path characters. ':' is encoded too,
// so a relative path's first segment is never read as a URI scheme.
std::string EncodeUriPath(std::string_view path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : path) {
    auto c = static_cast<unsigned char>(ch);
    bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                std::string_view("-._~/!$&'()*+,;=@").find(ch) != std::string_view::npos;
    if (keep) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0x0F];
    }
  }
  return out;
}

struct ArtifactUri {
  std::string uri;
  bool relative;  ///< relative to %SRCROOT%
};

// Display paths are relative unless an absolute one was given on the command
// line; those become file: URIs, which must not carry a uriBaseId.
ArtifactUri ToArtifactUri(std::string_view display_path) {
  std::string path = ForwardSlashes(display_path);
  if (!path.empty() && path[0] == '/') return {"file://" + EncodeUriPath(path), false};
  bool drive = path.size() >= 3 && std::isalpha(static_cast<unsigned char>(path[0])) &&
               path[1] == ':' && path[2] == '/';
  if (drive) return {"file:///" + path.substr(0, 2) + EncodeUriPath(path.substr(2)), false};
  std::string_view rel = path;
  while (rel.substr(0, 2) == "./") rel.remove_prefix(2);
  return {EncodeUriPath(rel), true};
}

std::string_view Trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n\f\v";
  size_t b = s.find_first_not_of(kSpace);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(kSpace) - b + 1);
}

template <typename Writer>
void WriteSarifArtifact(Writer& w, std::string_view file) {
  w.Key("artifactLocation");
  w.StartObject();
  ArtifactUri uri = ToArtifactUri(file);
  w.Key("uri");
  WriteString(w, uri.uri);
  if (uri.relative) {
    w.Key("uriBaseId");
    w.String("%SRCROOT%");
  }
  w.EndObject();
}

// "physicalLocation": the artifact and, with a line, the region and the
// (masked) snippet `snippet` when there is one.
template <typename Writer>
void WriteSarifPhysical(Writer& w, const SourceRegion& r, const std::string* snippet) {
  w.Key("physicalLocation");
  w.StartObject();
  WriteSarifArtifact(w, r.file);
  if (r.begin.line > 0) {
    // SARIF's endColumn is exclusive, like ours; an unknown end is one column.
    bool has_end =
        r.end.line > r.begin.line || (r.end.line == r.begin.line && r.end.column >= r.begin.column);
    w.Key("region");
    w.StartObject();
    w.Key("startLine");
    w.Uint(r.begin.line);
    if (r.begin.column > 0) {
      w.Key("startColumn");
      w.Uint(r.begin.column);
    }
    w.Key("endLine");
    w.Uint(has_end ? r.end.line : r.begin.line);
    if (r.begin.column > 0) {
      w.Key("endColumn");
      w.Uint(has_end && r.end.column > 0 ? r.end.column : r.begin.column + 1u);
    }
    if (snippet) {
      w.Key("snippet");
      w.StartObject();
      w.Key("text");
      WriteString(w, *snippet);
      w.EndObject();
    }
    w.EndObject();  // region
  }
  w.EndObject();  // physicalLocation
}

// SARIF levels are the same words as SeverityName: "error", "warning", "note".
void RenderSarif(const std::vector<Diagnostic>& diags, const SourceManager& sources,
                 std::ostream& out, const RenderOptions& options) {
  const std::vector<DiagInfo>& infos = AllDiagInfos();
  rapidjson::StringBuffer buf;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buf);
  w.SetIndent(' ', 2);
  w.StartObject();
  w.Key("$schema");
  w.String("https://json.schemastore.org/sarif-2.1.0.json");
  w.Key("version");
  w.String("2.1.0");
  w.Key("runs");
  w.StartArray();
  w.StartObject();

  w.Key("tool");
  w.StartObject();
  w.Key("driver");
  w.StartObject();
  w.Key("name");
  w.String("cartsync");
  w.Key("version");
  WriteString(w, options.tool_version);
  // Every rule, not just the ones hit: code scanning closes alerts of rules
  // that are listed but have no results.
  w.Key("rules");
  w.StartArray();
  for (const DiagInfo& info : infos) {
    w.StartObject();
    w.Key("id");
    WriteString(w, info.code);
    w.Key("name");
    WriteString(w, info.name);
    w.Key("shortDescription");
    w.StartObject();
    w.Key("text");
    std::string description(info.name);  // "unknown-status" -> "unknown status"
    std::replace(description.begin(), description.end(), '-', ' ');
    WriteString(w, description);
    w.EndObject();
    // From the catalogue (DIAG_DOC); no helpUri: the rules have no web page.
    w.Key("fullDescription");
    w.StartObject();
    w.Key("text");
    WriteString(w, info.description.empty() ? description : info.description);
    w.EndObject();
    w.Key("help");
    w.StartObject();
    w.Key("text");
    WriteString(w, info.help.empty() ? description : info.help);
    w.EndObject();
    w.Key("defaultConfiguration");
    w.StartObject();
    w.Key("level");
    WriteString(w, SeverityName(info.severity));
    w.EndObject();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();  // driver
  w.EndObject();  // tool

  w.Key("columnKind");
  w.String("unicodeCodePoints");

  w.Key("results");
  w.StartArray();
  // Identical findings in one file (same code, line text and message) are told
  // apart by an occurrence number, as GitHub's own fingerprinting does.
  std::map<std::string, int> occurrences;
  SnippetLines lines(diags, sources);
  for (const Diagnostic& d : diags) {
    const SourceRegion& r = d.region;
    size_t rule_index = static_cast<size_t>(d.id);
    const DiagInfo& info = infos.at(rule_index);
    const ShownLine* line = r.begin.line > 0 ? lines.Get(r.file, r.begin.line) : nullptr;
    bool has_line = line != nullptr;
    // Masked before hashing too: a short hash of a line is a guessable hash of its secret.
    std::string line_text = has_line ? WindowText(*line, r.begin.column) : std::string();
    std::string message = MaskSecrets(d.message);
    std::string path = ForwardSlashes(r.file);

    w.StartObject();
    w.Key("ruleId");
    WriteString(w, info.code);
    w.Key("ruleIndex");
    w.Uint64(rule_index);
    w.Key("level");
    WriteString(w, SeverityName(d.severity));
    w.Key("message");
    w.StartObject();
    w.Key("text");
    WriteString(w, message);
    w.EndObject();

    w.Key("locations");
    w.StartArray();
    w.StartObject();
    WriteSarifPhysical(w, r, has_line ? &line_text : nullptr);
    w.EndObject();
    w.EndArray();  // locations

    if (!d.related.empty()) {
      w.Key("relatedLocations");
      w.StartArray();
      int id = 0;
      for (const RelatedLocation& rel : d.related) {
        const ShownLine* rl =
            rel.region.begin.line > 0 ? lines.Get(rel.region.file, rel.region.begin.line) : nullptr;
        std::string rel_text = rl ? WindowText(*rl, rel.region.begin.column) : std::string();
        w.StartObject();
        w.Key("id");
        w.Int(id++);
        WriteSarifPhysical(w, rel.region, rl ? &rel_text : nullptr);
        w.Key("message");
        w.StartObject();
        w.Key("text");
        WriteString(w, MaskSecrets(rel.message));
        w.EndObject();
        w.EndObject();
      }
      w.EndArray();
    }
    // A fix is a real edit (SARIF 2.1.0 §3.55: artifactChanges with
    // replacements); a hint that is not one edit goes into the result's
    // property bag (and is in the message anyway).
    if (!d.hint.empty() && !d.fixes.empty()) {
      w.Key("fixes");
      w.StartArray();
      w.StartObject();
      w.Key("description");
      w.StartObject();
      w.Key("text");
      WriteString(w, MaskSecrets(d.hint));
      w.EndObject();
      w.Key("artifactChanges");
      w.StartArray();
      for (const FixIt& fix : d.fixes) {
        w.StartObject();
        WriteSarifArtifact(w, fix.region.file);
        w.Key("replacements");
        w.StartArray();
        w.StartObject();
        w.Key("deletedRegion");
        w.StartObject();
        w.Key("startLine");
        w.Uint(fix.region.begin.line);
        w.Key("startColumn");
        w.Uint(fix.region.begin.column);
        w.Key("endLine");
        w.Uint(fix.region.end.line);
        w.Key("endColumn");
        w.Uint(fix.region.end.column);
        w.EndObject();
        w.Key("insertedContent");
        w.StartObject();
        w.Key("text");
        WriteString(w, fix.replacement);
        w.EndObject();
        w.EndObject();
        w.EndArray();
        w.EndObject();
      }
      w.EndArray();
      w.EndObject();
      w.EndArray();
    }
    if (!d.hint.empty()) {
      w.Key("properties");
      w.StartObject();
      w.Key("hint");
      WriteString(w, MaskSecrets(d.hint));
      w.EndObject();
    }

    std::string hash = Sha256Hex(std::string(info.code) + "\n" + path + "\n" +
                                 std::string(Trim(line_text)) + "\n" + message)
                           .substr(0, 16);
    int n = ++occurrences[path + '\n' + hash];
    w.Key("partialFingerprints");
    w.StartObject();
    w.Key("primaryLocationLineHash/v1");
    WriteString(w, hash + ':' + std::to_string(n));
    w.EndObject();
    w.EndObject();  // result
  }
  w.EndArray();  // results

  w.EndObject();  // run
  w.EndArray();
  w.EndObject();
  out.write(buf.GetString(), static_cast<std::streamsize>(buf.GetSize())) << '\n';
}

// --- GitHub workflow commands -----------------------------------------------

std::string EscapeGithubData(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '%':
        out += "%25";
        break;
      case '\r':
        out += "%0D";
        break;
      case '\n':
        out += "%0A";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string EscapeGithubProperty(std::string_view s) {
  std::string out;
  for (char c : EscapeGithubData(s)) {
    switch (c) {
      case ':':
        out += "%3A";
        break;
      case ',':
        out += "%2C";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// The message, then the hint when there is one: annotations have one text.
std::string WithHint(const Diagnostic& d) {
  return d.hint.empty() ? d.message : d.message + " (hint: " + d.hint + ")";
}

std::string_view GithubCommand(Severity s) {
  switch (s) {
    case Severity::Note:
      return "notice";
    case Severity::Warning:
      return "warning";
    case Severity::Error:
      return "error";
  }
  return "error";
}

void RenderGithub(const std::vector<Diagnostic>& diags, std::ostream& out) {
  for (const Diagnostic& d : diags) {
    const SourceRegion& r = d.region;
    // Workflow commands encode line breaks themselves; other controls are escaped.
    out << "::" << GithubCommand(d.severity)
        << " file=" << EscapeGithubProperty(EscapeControls(r.file, "\r\n"));
    if (r.begin.line > 0) {
      out << ",line=" << r.begin.line;
      if (r.begin.column > 0) out << ",col=" << r.begin.column;
      if (r.end.line >= r.begin.line) {
        out << ",endLine=" << r.end.line;
        if (r.end.column > 0) out << ",endColumn=" << r.end.column;
      }
    }
    out << ",title=" << EscapeGithubProperty(d.code)
        << "::" << EscapeGithubData(EscapeControls(MaskSecrets(WithHint(d)), "\r\n")) << '\n';
  }
}

// --- GitLab Code Quality ----------------------------------------------------

std::string_view GitlabSeverity(Severity s) {
  switch (s) {
    case Severity::Note:
      return "info";
    case Severity::Warning:
      return "minor";
    case Severity::Error:
      return "major";
  }
  return "major";
}

// GitLab reads location.path relative to the repository root.
std::string GitlabPath(std::string_view display_path) {
  std::string path = ForwardSlashes(display_path);
  std::string_view rel = path;
  while (rel.substr(0, 2) == "./") rel.remove_prefix(2);
  return std::string(rel);
}

void RenderGitlab(const std::vector<Diagnostic>& diags, std::ostream& out) {
  rapidjson::StringBuffer buf;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buf);
  w.SetIndent(' ', 2);
  w.StartArray();
  std::map<std::string, int> occurrences;  // GitLab keeps one issue per fingerprint
  for (const Diagnostic& d : diags) {
    const std::string message = MaskSecrets(d.message);
    const std::string path = GitlabPath(d.region.file);
    const std::string key = d.code + "\n" + path + "\n" + message;
    const int n = ++occurrences[key];
    w.StartObject();
    w.Key("description");
    WriteString(w, MaskSecrets(WithHint(d)));
    w.Key("check_name");
    WriteString(w, d.code);
    w.Key("fingerprint");
    WriteString(w, Sha256Hex(key + "\n" + std::to_string(n)));
    w.Key("severity");
    WriteString(w, GitlabSeverity(d.severity));
    w.Key("location");
    w.StartObject();
    w.Key("path");
    WriteString(w, path);
    w.Key("lines");
    w.StartObject();
    w.Key("begin");
    w.Uint(std::max<uint32_t>(d.region.begin.line, 1));
    w.EndObject();
    w.EndObject();
    w.EndObject();
  }
  w.EndArray();
  out.write(buf.GetString(), static_cast<std::streamsize>(buf.GetSize())) << '\n';
}

}  // namespace

void RenderDiagnostics(const std::vector<Diagnostic>& diags, int errors, int warnings,
                       const SourceManager& sources, DiagFormat format, std::ostream& out,
                       const RenderOptions& options) {
  switch (format) {
    case DiagFormat::Text:
      RenderText(diags, errors, warnings, sources, out, options);
      return;
    case DiagFormat::Json:
      RenderJson(diags, errors, warnings, out);
      return;
    case DiagFormat::Sarif:
      RenderSarif(diags, sources, out, options);
      return;
    case DiagFormat::Github:
      RenderGithub(diags, out);
      return;
    case DiagFormat::Gitlab:
      RenderGitlab(diags, out);
      return;
  }
}

}  // namespace cartsync
