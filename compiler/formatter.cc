#include "compiler/formatter.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <optional>
#include <utility>
#include <vector>

#include "compiler/toml_util.h"

namespace cartsync {

namespace {

// --- the lexical pass ----------------------------------------------------------------

/// A key as written: its text in canonical form and its parts as names.
struct Key {
  std::string text;                ///< `a.b`, `"Standard"`: parts joined by "."
  std::vector<std::string> parts;  ///< the names, for ordering
};

enum class ItemKind { Blank, Comment, Header, KeyValue };

/// One line-level element of the source.
struct Item {
  ItemKind kind = ItemKind::Blank;
  std::string text;      ///< Comment: the comment; KeyValue: the value as it will be written
  Key key;               ///< Header, KeyValue
  bool array = false;    ///< Header: [[…]]
  std::string trailing;  ///< Header, KeyValue: " # comment" after it, or ""
};

bool IsBareKeyChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

/// `inner` (the content of a literal string) as a basic string.
std::string BasicQuoted(std::string_view inner) {
  std::string out = "\"";
  for (char c : inner) {
    auto u = static_cast<unsigned char>(c);
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if ((u < 0x20 && c != '\t') || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04X", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string RightTrimmed(std::string_view s) {
  size_t end = s.size();
  while (end > 0 && (s[end - 1] == ' ' || s[end - 1] == '\t' || s[end - 1] == '\r')) --end;
  return std::string(s.substr(0, end));
}

void TrimRight(std::string& s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.pop_back();
}

/// Splits a validated, parsing TOML text into items. It trusts the parser
/// for validity but never reads out of bounds: anything it does not expect
/// makes it fail (the file is then left as it is).
class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {
    if (s_.substr(0, 3) == "\xEF\xBB\xBF") i_ = 3;  // a BOM: toml++ skips it too
  }

  bool Run(std::vector<Item>& items) {
    while (true) {
      SkipSpace();
      if (i_ >= s_.size()) return true;
      Item item;
      if (AtEol()) {
        item.kind = ItemKind::Blank;
        SkipEol();
      } else if (s_[i_] == '#') {
        item.kind = ItemKind::Comment;
        item.text = RightTrimmed(RestOfLine());
        SkipEol();
      } else if (s_[i_] == '[') {
        item.kind = ItemKind::Header;
        item.array = Peek(1) == '[';
        i_ += item.array ? 2 : 1;
        if (!ParseKey(item.key)) return false;
        if (!Expect(']') || (item.array && !Expect(']'))) return false;
        if (!Trailing(item.trailing)) return false;
      } else {
        item.kind = ItemKind::KeyValue;
        if (!ParseKey(item.key) || !Expect('=')) return false;
        SkipSpace();
        if (!ParseValue(item.text) || item.text.empty()) return false;
        if (!Trailing(item.trailing)) return false;
      }
      items.push_back(std::move(item));
    }
  }

  /// 1-based line of the position where lexing stopped.
  size_t line() const {
    return 1 + static_cast<size_t>(std::count(s_.begin(), s_.begin() + i_, '\n'));
  }

 private:
  char Peek(size_t ahead) const { return i_ + ahead < s_.size() ? s_[i_ + ahead] : '\0'; }
  bool AtEol() const {
    return i_ >= s_.size() || s_[i_] == '\n' || (s_[i_] == '\r' && Peek(1) == '\n');
  }
  void SkipSpace() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t')) ++i_;
  }
  void SkipEol() {
    if (i_ < s_.size() && s_[i_] == '\r') ++i_;
    if (i_ < s_.size() && s_[i_] == '\n') ++i_;
  }
  std::string_view RestOfLine() {
    size_t begin = i_;
    while (!AtEol()) ++i_;
    return s_.substr(begin, i_ - begin);
  }
  bool Expect(char c) {
    SkipSpace();
    if (i_ >= s_.size() || s_[i_] != c) return false;
    ++i_;
    return true;
  }

  // The end of a single-line basic string starting at s_[from] == '"'.
  std::optional<size_t> BasicEnd(size_t from) const {
    for (size_t j = from + 1; j < s_.size(); ++j) {
      if (s_[j] == '\\') {
        ++j;
      } else if (s_[j] == '"') {
        return j + 1;
      } else if (s_[j] == '\n') {
        return std::nullopt;
      }
    }
    return std::nullopt;
  }

  // The end of a multi-line string starting at s_[from] (three `q`s): the
  // closing delimiter is the last three of a run of up to five quotes.
  std::optional<size_t> MultiLineEnd(size_t from, char q) const {
    for (size_t j = from + 3; j < s_.size(); ++j) {
      if (q == '"' && s_[j] == '\\') {
        ++j;
        continue;
      }
      if (s_[j] != q) continue;
      size_t run = 0;
      while (j + run < s_.size() && s_[j + run] == q) ++run;
      if (run >= 3) return j + std::min<size_t>(run, 5);
      j += run - 1;
    }
    return std::nullopt;
  }

  bool ParseKey(Key& key) {
    while (true) {
      SkipSpace();
      if (i_ >= s_.size()) return false;
      std::string text, name;
      if (s_[i_] == '"') {
        auto end = BasicEnd(i_);
        if (!end) return false;
        text = std::string(s_.substr(i_, *end - i_));
        name = text.substr(1, text.size() - 2);  // escapes stay: such a key is never a known one
        i_ = *end;
      } else if (s_[i_] == '\'') {
        size_t end = s_.find('\'', i_ + 1);
        if (end == std::string_view::npos) return false;
        name = std::string(s_.substr(i_ + 1, end - i_ - 1));
        if (name.find('\n') != std::string::npos) return false;
        text = BasicQuoted(name);
        i_ = end + 1;
      } else if (IsBareKeyChar(s_[i_])) {
        size_t begin = i_;
        while (i_ < s_.size() && IsBareKeyChar(s_[i_])) ++i_;
        text = name = std::string(s_.substr(begin, i_ - begin));
      } else {
        return false;
      }
      key.text += (key.parts.empty() ? "" : ".") + text;
      key.parts.push_back(std::move(name));
      SkipSpace();
      if (i_ < s_.size() && s_[i_] == '.') {
        ++i_;
        continue;
      }
      return true;
    }
  }

  // A value up to its end: literal strings become basic strings, line ends
  // inside arrays become "\n", everything else is copied.
  bool ParseValue(std::string& out) {
    int depth = 0;
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (c == '"' || c == '\'') {
        if (Peek(1) == c && Peek(2) == c) {
          auto end = MultiLineEnd(i_, c);
          if (!end) return false;
          out.append(s_.substr(i_, *end - i_));
          i_ = *end;
        } else if (c == '"') {
          auto end = BasicEnd(i_);
          if (!end) return false;
          out.append(s_.substr(i_, *end - i_));
          i_ = *end;
        } else {
          size_t end = s_.find('\'', i_ + 1);
          if (end == std::string_view::npos) return false;
          std::string_view inner = s_.substr(i_ + 1, end - i_ - 1);
          if (inner.find('\n') != std::string_view::npos) return false;
          out += BasicQuoted(inner);
          i_ = end + 1;
        }
      } else if (c == '[' || c == '{') {
        ++depth;
        out += c;
        ++i_;
      } else if (c == ']' || c == '}') {
        if (--depth < 0) return false;
        out += c;
        ++i_;
      } else if (c == '#') {
        if (depth == 0) break;
        out += RightTrimmed(RestOfLine());  // a comment inside a multi-line array
      } else if (AtEol()) {
        if (depth == 0) break;
        TrimRight(out);
        out += '\n';
        SkipEol();
      } else {
        out += c;
        ++i_;
      }
    }
    if (depth != 0) return false;
    TrimRight(out);
    // The spaces before a comment are the comment's (Trailing keeps them).
    while (i_ > 0 && (s_[i_ - 1] == ' ' || s_[i_ - 1] == '\t')) --i_;
    return true;
  }

  // What follows a statement on its line: nothing, or a comment (kept with
  // the spaces before it).
  bool Trailing(std::string& out) {
    size_t begin = i_;
    SkipSpace();
    if (i_ < s_.size() && s_[i_] == '#') {
      std::string gap(s_.substr(begin, i_ - begin));
      out = (gap.empty() ? " " : gap) + RightTrimmed(RestOfLine());
    }
    if (!AtEol()) return false;
    SkipEol();
    return true;
  }

  std::string_view s_;
  size_t i_ = 0;
};

// --- the layout ----------------------------------------------------------------------

using Path = std::vector<std::string>;

constexpr int kUnknownRank = INT_MAX;

/// The known keys of each table, in the order fmt writes them.
class Layout {
 public:
  Layout(FormatKind kind, const Schema& schema, const toml::table& doc)
      : kind_(kind), schema_(schema), doc_(doc) {
    if (kind_ == FormatKind::Cart) {
      if (auto id = doc["cart"]["platform"].value<std::string>())
        platform_ = schema.FindPlatform(*id);
    }
  }

  /// The rank of each part of `path` from `from` on, among its table's known keys.
  std::vector<int> Rank(const Path& path, size_t from) const {
    std::vector<int> ranks;
    Path prefix(path.begin(), path.begin() + static_cast<long>(from));
    for (size_t d = from; d < path.size(); ++d) {
      std::vector<std::string> known = KnownKeys(prefix);
      auto it = std::find(known.begin(), known.end(), path[d]);
      ranks.push_back(it == known.end() ? kUnknownRank : static_cast<int>(it - known.begin()));
      prefix.push_back(path[d]);
    }
    return ranks;
  }

 private:
  std::vector<std::string> KnownKeys(const Path& p) const {
    return kind_ == FormatKind::Cart ? CartKeys(p, platform_) : ProjectKeys(p);
  }

  // The cart format (cart-format.md; the checker's key lists, checker.cc).
  std::vector<std::string> CartKeys(const Path& p, const PlatformDescriptor* platform) const {
    if (p.empty())
      return {"cart",         "api",   "services",      "statuses",      "order_load",
              "ship_methods", "items", "order_filters", "carrier_codes", "wms_fields"};
    const std::string& t = p[0];
    if (p.size() == 1) {
      if (t == "cart") return {"id", "client", "platform", "name", "wms"};
      if (t == "services") return {"order_download", "shipment_upload", "inventory_upload"};
      if (t == "order_load")
        return {"reject_unmapped_ship_codes", "earliest_order_date", "sync_inventory_with",
                "sync_inventory_alias", "minimum_inventory_level"};
      if (t == "items") return {"translate_item_code", "filter", "filter_level", "skus"};
      if (t == "order_filters") return {"field", "match", "values", "mode"};
      if (t == "api" && platform) return Declared(platform->api);
      if (t == "statuses" && platform) return Declared(platform->statuses);
      return {};
    }
    if (p.size() == 2 && t == "services") return {"enabled", "every"};
    if (p.size() == 2 && t == "api") return {"secret"};
    return {};
  }

  // The project file (cart-format.md "Project file"; CheckProject).
  std::vector<std::string> ProjectKeys(const Path& p) const {
    if (p.empty()) return {"project", "state", "wms", "notify", "defaults"};
    const std::string& t = p[0];
    if (t == "defaults") return CartKeys(Path(p.begin() + 1, p.end()), nullptr);
    if (p.size() == 1) {
      if (t == "project") return {"carts"};
      if (t == "state") return {"url", "password", "retain_pii"};
      if (t == "notify") return {"url", "format", "events"};
      return {};
    }
    if (t == "wms" && p.size() == 2) {
      std::vector<std::string> keys = {"system"};
      auto system = doc_["wms"][p[1]]["system"].value<std::string>();
      if (const WmsDescriptor* w = system ? schema_.FindWms(*system) : nullptr)
        for (const std::string& k : Declared(w->fields)) keys.push_back(k);
      for (const char* k : {"warehouses", "carriers", "alias_types", "cart_fields"})
        keys.push_back(k);
      return keys;
    }
    if (t == "wms" && p.size() == 4 && p[2] == "cart_fields")
      return {"type", "required", "values", "pattern", "help"};
    if (p.size() == 2 && (t == "state" || t == "notify" || t == "wms")) return {"secret"};
    return {};
  }

  // Names in descriptor order; implicit fields (declared 0, base_url) last.
  template <typename T>
  static std::vector<std::string> Declared(const std::vector<T>& specs) {
    std::vector<const T*> sorted;
    for (const T& s : specs) sorted.push_back(&s);
    auto line = [](const T* s) { return s->declared == 0 ? UINT32_MAX : s->declared; };
    std::stable_sort(sorted.begin(), sorted.end(),
                     [&](const T* a, const T* b) { return line(a) < line(b); });
    std::vector<std::string> names;
    for (const T* s : sorted) names.push_back(s->name);
    return names;
  }

  FormatKind kind_;
  const Schema& schema_;
  const toml::table& doc_;
  const PlatformDescriptor* platform_ = nullptr;
};

// --- arranging -----------------------------------------------------------------------

struct Entry {
  std::vector<std::string> leading;  ///< comment lines above it ("" = a blank line between)
  bool blank_before = false;         ///< the source had a blank line above it (or its comments)
  Key key;
  std::string value;
  std::string trailing;
  std::vector<std::string> after;  ///< comment lines right under it, then a blank line
};

struct Section {
  std::vector<std::string> leading;
  std::vector<std::string> after;  ///< comment lines right under the header, then a blank line
  Key key;
  bool array = false;
  std::string trailing;
  std::vector<Entry> entries;
};

/// A table, or an element of an array of tables with its sub-tables: what moves as one.
struct Unit {
  std::vector<size_t> sections;  ///< indexes, in source order
  std::vector<int> rank;
};

class Arranger {
 public:
  explicit Arranger(const Layout& layout) : layout_(layout) {}

  std::string Run(const std::vector<Item>& items) {
    Collect(items);
    for (Section& s : sections_) SortEntries(s, s.key.parts);
    SortEntries(preamble_, {});
    return Write();
  }

 private:
  void Collect(const std::vector<Item>& items) {
    std::vector<std::vector<std::string>> blocks;  // comment blocks, separated by blank lines
    bool blank_after_last = false;  // a blank line since the last comment or statement
    bool blank_since_statement = false;
    bool first_statement = true;
    bool last_was_header = false;
    for (const Item& item : items) {
      switch (item.kind) {
        case ItemKind::Blank:
          // Comments right under a line, then a blank line, stay with that
          // line (a key, or a table's header).
          if (blocks.size() == 1 && !blank_after_last && !blank_since_statement &&
              !first_statement) {
            Section& last = sections_.empty() ? preamble_ : sections_.back();
            if (last_was_header)
              last.after = std::move(blocks.front());
            else
              last.entries.back().after = std::move(blocks.front());
            blocks.clear();
          }
          blank_after_last = true;
          blank_since_statement = true;
          continue;
        case ItemKind::Comment:
          if (blocks.empty() || blank_after_last) blocks.emplace_back();
          blocks.back().push_back(item.text);
          blank_after_last = false;
          continue;
        case ItemKind::Header:
        case ItemKind::KeyValue:
          break;
      }
      std::vector<std::string> leading;
      if (first_statement) {
        // The file's header comment stays on top: every block followed by a
        // blank line, and `#:` directives (taplo's #:schema) wherever they are.
        size_t attached = blank_after_last || blocks.empty() ? blocks.size() : blocks.size() - 1;
        for (size_t b = 0; b < blocks.size(); ++b) {
          std::vector<std::string>& lines = b < attached ? head_ : leading;
          if (!lines.empty()) lines.emplace_back();
          for (const std::string& l : blocks[b]) {
            if (b >= attached && l.rfind("#:", 0) == 0 && leading.empty())
              head_.push_back(l);
            else
              lines.push_back(l);
          }
        }
        first_statement = false;
      } else {
        for (const std::vector<std::string>& block : blocks) {
          if (!leading.empty()) leading.emplace_back();
          leading.insert(leading.end(), block.begin(), block.end());
        }
      }
      blocks.clear();
      if (item.kind == ItemKind::Header) {
        Section s;
        s.leading = std::move(leading);
        s.key = item.key;
        s.array = item.array;
        s.trailing = item.trailing;
        sections_.push_back(std::move(s));
      } else {
        Entry e;
        e.leading = std::move(leading);
        e.blank_before = blank_since_statement;
        e.key = item.key;
        e.value = item.text;
        e.trailing = item.trailing;
        (sections_.empty() ? preamble_ : sections_.back()).entries.push_back(std::move(e));
      }
      last_was_header = item.kind == ItemKind::Header;
      blank_after_last = false;
      blank_since_statement = false;
    }
    tail_blank_before_ = blank_since_statement && !blocks.empty();
    for (const std::vector<std::string>& block : blocks) {
      if (!tail_.empty()) tail_.emplace_back();
      tail_.insert(tail_.end(), block.begin(), block.end());
    }
  }

  void SortEntries(Section& s, const Path& table) {
    std::vector<std::pair<std::vector<int>, size_t>> order;
    for (size_t i = 0; i < s.entries.size(); ++i) {
      Path full = table;
      full.insert(full.end(), s.entries[i].key.parts.begin(), s.entries[i].key.parts.end());
      order.emplace_back(layout_.Rank(full, table.size()), i);
    }
    std::stable_sort(order.begin(), order.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<Entry> sorted;
    for (auto& [rank, i] : order) sorted.push_back(std::move(s.entries[i]));
    s.entries = std::move(sorted);
  }

  static bool StrictPrefix(const Path& prefix, const Path& path) {
    return prefix.size() < path.size() && std::equal(prefix.begin(), prefix.end(), path.begin());
  }

  std::vector<Unit> Units() const {
    std::vector<Unit> units;
    std::vector<std::pair<Path, size_t>> arrays;  // array-of-tables path -> its last element's unit
    for (size_t i = 0; i < sections_.size(); ++i) {
      const Section& s = sections_[i];
      std::optional<size_t> owner;
      size_t longest = 0;
      for (const auto& [path, unit] : arrays) {
        if (StrictPrefix(path, s.key.parts) && path.size() >= longest) {
          longest = path.size();
          owner = unit;
        }
      }
      if (!owner) {
        units.push_back({{}, layout_.Rank(s.key.parts, 0)});
        owner = units.size() - 1;
      }
      units[*owner].sections.push_back(i);
      if (s.array) {
        auto it = std::find_if(arrays.begin(), arrays.end(),
                               [&](const auto& a) { return a.first == s.key.parts; });
        if (it == arrays.end())
          arrays.emplace_back(s.key.parts, *owner);
        else
          it->second = *owner;
      }
    }
    std::stable_sort(units.begin(), units.end(),
                     [](const Unit& a, const Unit& b) { return a.rank < b.rank; });
    return units;
  }

  void Lines(const std::vector<std::string>& lines) {
    for (const std::string& l : lines) out_.push_back(l);
  }

  void Entries(const Section& s) {
    bool first = true;
    for (const Entry& e : s.entries) {
      if (!first && e.blank_before) out_.emplace_back();
      Lines(e.leading);
      out_.push_back(e.key.text + " = " + e.value + e.trailing);
      Lines(e.after);
      first = false;
    }
  }

  std::string Write() {
    bool separate = false;  // the next block needs a blank line above it
    if (!head_.empty()) {
      Lines(head_);
      separate = true;
    }
    if (!preamble_.entries.empty()) {
      if (separate) out_.emplace_back();
      Entries(preamble_);
      separate = true;
    }
    for (const Unit& u : Units()) {
      for (size_t i : u.sections) {
        const Section& s = sections_[i];
        if (separate) out_.emplace_back();
        Lines(s.leading);
        out_.push_back((s.array ? "[[" : "[") + s.key.text + (s.array ? "]]" : "]") + s.trailing);
        Lines(s.after);
        if (!s.after.empty() && !s.entries.empty()) out_.emplace_back();
        Entries(s);
        separate = true;
      }
    }
    if (!tail_.empty()) {
      if (separate && tail_blank_before_) out_.emplace_back();
      Lines(tail_);
    }
    std::string text;
    for (const std::string& l : out_) text += l + "\n";
    return text;
  }

  const Layout& layout_;
  std::vector<std::string> head_, tail_;
  bool tail_blank_before_ = false;
  Section preamble_;
  std::vector<Section> sections_;
  std::vector<std::string> out_;
};

}  // namespace

FormatKind FormatKindOf(std::string_view path) {
  return std::filesystem::path(path).filename() == "cartsync.toml" ? FormatKind::Project
                                                                   : FormatKind::Cart;
}

bool SameTomlValues(const toml::node& a, const toml::node& b) {
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case toml::node_type::table: {
      const toml::table& ta = *a.as_table();
      const toml::table& tb = *b.as_table();
      if (ta.size() != tb.size()) return false;
      for (auto&& [k, v] : ta) {
        const toml::node* w = tb.get(k.str());
        if (w == nullptr || !SameTomlValues(v, *w)) return false;
      }
      return true;
    }
    case toml::node_type::array: {
      const toml::array& xa = *a.as_array();
      const toml::array& xb = *b.as_array();
      if (xa.size() != xb.size()) return false;
      for (size_t i = 0; i < xa.size(); ++i)
        if (!SameTomlValues(xa[i], xb[i])) return false;
      return true;
    }
    case toml::node_type::floating_point: {
      double x = a.as_floating_point()->get(), y = b.as_floating_point()->get();
      if (std::isnan(x) || std::isnan(y)) return std::isnan(x) && std::isnan(y);
      return std::memcmp(&x, &y, sizeof x) == 0;  // -0.0 is not 0.0
    }
    case toml::node_type::string:
      return a.as_string()->get() == b.as_string()->get();
    case toml::node_type::integer:
      return a.as_integer()->get() == b.as_integer()->get();
    case toml::node_type::boolean:
      return a.as_boolean()->get() == b.as_boolean()->get();
    case toml::node_type::date:
      return a.as_date()->get() == b.as_date()->get();
    case toml::node_type::time:
      return a.as_time()->get() == b.as_time()->get();
    case toml::node_type::date_time:
      return a.as_date_time()->get() == b.as_date_time()->get();
    case toml::node_type::none:
      return true;
  }
  return false;
}

bool ProveSameMeaning(const toml::table& before, std::string_view path, const std::string& after,
                      std::string& why) {
  SourceFile file{std::string(path), after};
  DiagnosticEngine scratch;
  toml::table parsed;
  if (!ValidateSourceText(file, scratch) || !ParseToml(file, parsed, scratch)) {
    why = "the formatted text does not parse";
    return false;
  }
  if (!SameTomlValues(before, parsed)) {
    why = "the formatted text parses to different values";
    return false;
  }
  return true;
}

FormatResult FormatSource(const SourceFile& file, const FormatOptions& options,
                          DiagnosticEngine& diags) {
  FormatResult result;
  result.text = file.content();
  toml::table doc;
  if (!ValidateSourceText(file, diags) || !ParseToml(file, doc, diags)) {
    result.status = FormatStatus::SyntaxError;
    return result;
  }
  std::vector<Item> items;
  Lexer lexer(file.content());
  if (!lexer.Run(items)) {
    result.status = FormatStatus::Unproven;
    result.detail = "line " + std::to_string(lexer.line()) + " has a form fmt cannot rewrite";
    return result;
  }
  Layout layout(options.kind, options.schema ? *options.schema : BuiltinSchema(), doc);
  std::string formatted = Arranger(layout).Run(items);
  if (!ProveSameMeaning(doc, file.path(), formatted, result.detail)) {
    result.status = FormatStatus::Unproven;
    return result;
  }
  result.changed = formatted != file.content();
  result.text = std::move(formatted);
  return result;
}

}  // namespace cartsync
