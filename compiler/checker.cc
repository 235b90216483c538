#include "compiler/checker.h"

#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "base/strings.h"
#include "base/suggest.h"
#include "base/url.h"
#include "compiler/credential_rules.h"
#include "compiler/pattern.h"
#include "compiler/safe_text.h"
#include "compiler/toml_util.h"
#include "model/glob.h"
#include "model/grammar.h"

namespace cartsync {

std::string FormatDuration(int64_t seconds) {
  if (seconds <= 0) return "0s";
  // The largest unit that divides it: the schedule grammar takes one number
  // and one unit ("25h", never "1d1h").
  const std::pair<int64_t, char> units[] = {{86400, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}};
  for (auto [size, unit] : units)
    if (seconds % size == 0) return std::to_string(seconds / size) + unit;
  return std::to_string(seconds) + "s";
}

namespace {

// A TOML basic string holding `s`.
std::string TomlString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + '"';
}

bool Contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// Names a project declares (carriers, warehouses, …), quoted for a message:
// the first few, so a message per cart entry stays short however long the list.
std::string Declared(const std::vector<std::string>& names) {
  constexpr size_t kShown = 20;
  if (names.size() <= kShown) return JoinQuoted(names, "none");
  std::vector<std::string> first(names.begin(), names.begin() + kShown);
  return JoinQuoted(first) + " and " + std::to_string(names.size() - kShown) + " more";
}

// The one error policy of this layer: report and keep going, so a single
// run shows every mistake. Each helper returns what it could read.
class Reader {
 public:
  Reader(std::string_view file, DiagnosticEngine& diags) : file_(file), diags_(diags) {}

  SourceRegion At(const toml::node& n) const { return RegionOf(n, file_); }
  SourceRegion At(const toml::key& k) const { return RegionOf(k, file_); }
  DiagnosticEngine& diags() { return diags_; }
  std::string_view file() const { return file_; }

  /// Reports keys of `t` not in `known`, with a hint from `known` (or the
  /// list of valid keys when none is close). An unknown
  /// key's value is masked in snippets when the table is a secret reference
  /// (`secret_values`), when the key's name says it is secret, or when the
  /// hint is one of `secret_names` (`acess_token = "…"`, `client_secert = "…"`).
  /// A key suggested here is not reported missing from `t` as well (Missing).
  void UnknownKeys(const toml::table& t, const std::vector<std::string>& known,
                   std::string_view where, bool secret_values = false,
                   const std::vector<std::string>& secret_names = {}) {
    for (auto&& [k, v] : t) {
      if (Contains(known, k.str())) continue;
      std::optional<std::string> closest = Closest(k.str(), known);
      std::string hint =
          closest ? "; did you mean " + Quote(*closest) + "?" : "; valid keys: " + Declared(known);
      Diagnostic* d = diags_.Report(DiagId::UnknownKey, At(k), {k.str(), where, hint});
      if (!d) continue;
      if (closest) {
        d->hint = "rename \"" + std::string(k.str()) + "\" to " + Quote(*closest);
        d->fixes.push_back({At(k), KeyText(*closest)});
        suggested_.insert({&t, *closest});
      }
      unknown_.insert({std::string(k.str()), {Index(d), std::string(where)}});
      bool secret = secret_values || LooksLikeSecretKey(k.str());
      if (!secret && !secret_names.empty() && closest) secret = Contains(secret_names, *closest);
      if (secret) d->masks.push_back(At(v));
    }
  }

  /// Reports required `key` missing from `t` (`where`, e.g. "[cart]") at
  /// `at`, unless the mistake was reported already: an unknown key of `t`
  /// was suggested to be `key` (`clinet`), or `key` itself stands in another
  /// table (its header missing), whose unknown-key error then says where it belongs.
  void Missing(const toml::table* t, std::string_view key, std::string_view where,
               const SourceRegion& at) {
    if (WasSuggested(t, key)) return;
    auto [first, last] = unknown_.equal_range(std::string(key));
    if (first != last) {
      for (auto it = first; it != last; ++it) {
        Diagnostic& d = diags_.at(it->second.first);
        d.message = FormatMessage(GetDiagInfo(DiagId::UnknownKey).format,
                                  {key, it->second.second,
                                   "; it belongs in " + std::string(where) +
                                       " (is a table header missing or misplaced?)"});
        d.hint = "move \"" + std::string(key) + "\" into " + std::string(where);
      }
      return;
    }
    diags_.Report(DiagId::MissingKey, at, {key, where});
  }

  /// Whether `key` was reported as an unknown key of some table.
  bool ReportedUnknown(std::string_view key) const { return unknown_.count(std::string(key)) != 0; }

  /// Whether an unknown key of `t` was reported with `key` as its suggestion.
  bool WasSuggested(const toml::table* t, std::string_view key) const {
    return t && suggested_.count({t, std::string(key)});
  }

  /// ClosestMatch while the file's suggestion budget lasts.
  std::optional<std::string> Closest(std::string_view word,
                                     const std::vector<std::string>& candidates) {
    if (!Affordable(word, candidates)) return std::nullopt;
    return ClosestMatch(word, candidates);
  }

  /// DidYouMean(word, candidates) while the file's suggestion budget lasts.
  /// Edit distances cost up to len(word) * len(candidate) each, and a hostile
  /// file (with a hostile project file) could ask for millions of them.
  std::string Hint(std::string_view word, const std::vector<std::string>& candidates) {
    std::optional<std::string> closest;
    return Hint(word, candidates, closest);
  }

  /// Hint(), also giving the closest candidate (for ValueFix).
  std::string Hint(std::string_view word, const std::vector<std::string>& candidates,
                   std::optional<std::string>& closest) {
    closest = Closest(word, candidates);
    return closest ? "; did you mean " + Quote(*closest) + "?" : std::string();
  }

  /// Gives `d`, about the wrong string value `n` (`value`), its fix: replace
  /// the whole value (quotes included) with `closest`, when one is close.
  void ValueFix(Diagnostic* d, const toml::node& n, std::string_view value,
                const std::optional<std::string>& closest) {
    if (!d || !closest) return;
    d->hint = "replace " + Quote(value) + " with " + Quote(*closest);
    d->fixes.push_back({At(n), TomlString(*closest)});
  }

  const toml::node* Get(const toml::table* t, std::string_view key) {
    return t ? t->get(key) : nullptr;
  }

  Diagnostic* Mismatch(const toml::node& n, std::string_view path, std::string_view expected) {
    return diags_.Report(DiagId::TypeMismatch, At(n), {path, expected, TypeNameOf(n)});
  }

  const toml::table* Table(const toml::table* t, std::string_view key, std::string_view path) {
    const toml::node* n = Get(t, key);
    if (!n) return nullptr;
    if (!n->is_table()) {
      Mismatch(*n, path, "a table");
      return nullptr;
    }
    return n->as_table();
  }

  std::optional<std::string> String(const toml::table* t, std::string_view key,
                                    std::string_view path) {
    const toml::node* n = Get(t, key);
    if (!n) return std::nullopt;
    if (!n->is_string()) {
      Mismatch(*n, path, "a string");
      return std::nullopt;
    }
    return n->as_string()->get();
  }

  std::optional<bool> Bool(const toml::table* t, std::string_view key, std::string_view path) {
    const toml::node* n = Get(t, key);
    if (!n) return std::nullopt;
    if (!n->is_boolean()) {
      Mismatch(*n, path, "true or false");
      return std::nullopt;
    }
    return n->as_boolean()->get();
  }

  std::optional<int64_t> Integer(const toml::table* t, std::string_view key,
                                 std::string_view path) {
    const toml::node* n = Get(t, key);
    if (!n) return std::nullopt;
    if (!n->is_integer()) {
      Mismatch(*n, path, "an integer");
      return std::nullopt;
    }
    return n->as_integer()->get();
  }

  /// An array of unique strings; each element's node is returned for regions.
  std::optional<std::vector<std::pair<std::string, const toml::node*>>> Strings(
      const toml::table* t, std::string_view key, std::string_view path) {
    const toml::node* n = Get(t, key);
    if (!n) return std::nullopt;
    return StringsOf(*n, path);
  }

  std::optional<std::vector<std::pair<std::string, const toml::node*>>> StringsOf(
      const toml::node& n, std::string_view path) {
    const toml::array* a = n.as_array();
    if (!a) {
      Mismatch(n, path, "an array of strings");
      return std::nullopt;
    }
    std::vector<std::pair<std::string, const toml::node*>> out;
    // One E0213 per repeated value, at its second place: a value pasted 500
    // times is one mistake, not 499.
    struct Repeat {
      size_t first = 0;  // index in `out`
      const toml::node* second = nullptr;
      size_t times = 1;
    };
    std::map<std::string, Repeat> seen;
    for (const toml::node& e : *a) {
      if (!e.is_string()) {
        Mismatch(e, path, "an array of strings");
        continue;
      }
      const std::string& s = e.as_string()->get();
      auto [it, fresh] = seen.try_emplace(s, Repeat{out.size()});
      if (!fresh) {
        if (++it->second.times == 2) it->second.second = &e;
        continue;
      }
      out.emplace_back(s, &e);
    }
    for (const auto& [s, r] : seen) {
      if (r.times < 2) continue;
      std::string times = r.times == 2 ? "twice" : std::to_string(r.times) + " times";
      if (Diagnostic* d =
              diags_.Report(DiagId::DuplicateValue, At(*r.second), {Quote(s), path, times})) {
        d->related.push_back({At(*out[r.first].second), "first listed here"});
        d->hint = "list " + Quote(s) + " once";
      }
    }
    return out;
  }

  /// A string that must be one of `values`.
  std::optional<std::string> Enum(const toml::table* t, std::string_view key, std::string_view path,
                                  const std::vector<std::string>& values) {
    auto s = String(t, key, path);
    if (!s) return std::nullopt;
    if (!Contains(values, *s)) {
      std::optional<std::string> closest;
      std::string hint = Hint(*s, values, closest);
      const toml::node& n = *Get(t, key);
      ValueFix(diags_.Report(DiagId::InvalidValue, At(n),
                             {Quote(*s), path, "one of " + JoinQuoted(values, "none"), hint}),
               n, *s, closest);
      return std::nullopt;
    }
    return s;
  }

 private:
  // Whether suggesting among `candidates` for `word` fits in what is left of
  // the budget (spending it). The cost follows base/suggest.cc: a candidate
  // whose length is too far off is skipped; others cost a full edit distance.
  bool Affordable(std::string_view word, const std::vector<std::string>& candidates) {
    size_t max = std::max<size_t>(1, (word.size() + 1) / 3), cost = word.size();
    for (const std::string& c : candidates) {
      size_t gap = c.size() > word.size() ? c.size() - word.size() : word.size() - c.size();
      cost += c.size() + 1 + (gap > max ? 0 : word.size() * c.size());
      if (cost > suggest_budget_) return false;
    }
    suggest_budget_ -= cost;
    return true;
  }

  size_t Index(const Diagnostic* d) const {
    return static_cast<size_t>(d - diags_.diagnostics().data());
  }

  // A key as TOML writes it: bare when it can be, else quoted.
  static std::string KeyText(const std::string& key) {
    bool bare = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
    });
    return bare ? key : TomlString(key);
  }

  std::string_view file_;
  DiagnosticEngine& diags_;
  size_t suggest_budget_ = size_t{1} << 26;  // a few tenths of a second per file
  std::set<std::pair<const toml::table*, std::string>> suggested_;
  // Unknown keys by name: (index in diags_, the table they were found in).
  std::multimap<std::string, std::pair<size_t, std::string>> unknown_;
};

std::vector<std::string> Names(const std::vector<FieldSpec>& fields) {
  std::vector<std::string> out;
  for (const FieldSpec& f : fields) out.push_back(f.name);
  return out;
}

// Validates a URL's shape and the https rule; reports at the string node.
bool CheckUrl(Reader& r, const toml::node& n, std::string_view path, const std::string& url) {
  static const RE2 re(
      R"(([A-Za-z][A-Za-z0-9+.-]*)://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~%-]+)(:[0-9]{1,5})?(/\S*)?)");
  if (!RE2::FullMatch(url, re)) {
    r.diags().Report(DiagId::InvalidUrl, r.At(n),
                     {path, "expected scheme://host[:port][/path] without spaces"});
    return false;
  }
  // The shape is right, so the rule can only object to the scheme.
  switch (CheckUrlRule(url)) {
    case UrlRule::kAllowed:
      return true;
    case UrlRule::kInsecureHttp:
      r.diags().Report(DiagId::InsecureUrl, r.At(n), {path});
      return false;
    default:
      r.diags().Report(DiagId::InvalidUrl, r.At(n),
                       {path, "only https:// (or http:// to loopback) is supported"});
      return false;
  }
}

// A secret reference table: { secret = "env:NAME" | "file:PATH" }.
std::optional<SecretRef> CheckSecret(Reader& r, const toml::node& n, std::string_view path) {
  if (n.is_string()) {
    if (Diagnostic* d = r.diags().Report(DiagId::PlainSecret, r.At(n), {path}))
      d->mask_snippet = true;
    return std::nullopt;
  }
  // Whatever else stands where a secret belongs may be one: masked too.
  const toml::table* t = n.as_table();
  if (!t) {
    if (Diagnostic* d = r.Mismatch(n, path, "a secret reference { secret = \"env:NAME\" }"))
      d->mask_snippet = true;
    return std::nullopt;
  }
  r.UnknownKeys(*t, {"secret"}, std::string(path), /*secret_values=*/true);
  const toml::node* s = t->get("secret");
  if (!s) {
    r.Missing(t, "secret", path, r.At(n));
    return std::nullopt;
  }
  if (!s->is_string()) {
    if (Diagnostic* d =
            r.Mismatch(*s, std::string(path) + ".secret", "a string such as \"env:NAME\""))
      d->mask_snippet = true;
    return std::nullopt;
  }
  const std::string& text = s->as_string()->get();
  auto parsed = ParseSecretRef(text);
  if (!parsed) {
    Diagnostic* d =
        r.diags().Report(DiagId::InvalidSecretRef,
                         RegionInString(*s, parsed.error.offset, parsed.error.length, r.file()),
                         {parsed.error.message});
    // Without a source ("env:", "file:") it is more likely the secret itself.
    if (d && text.find(':') == std::string::npos) d->masks.push_back(r.At(*s));
    return std::nullopt;
  }
  return *parsed.value;
}

// One field against its spec: type, pattern, enum values, secrets, URLs.
std::optional<FieldValue> CheckField(Reader& r, const toml::node& n, const FieldSpec& spec,
                                     const std::string& path) {
  FieldValue v;
  v.type = spec.type;
  switch (spec.type) {
    case FieldType::Secret: {
      auto ref = CheckSecret(r, n, path);
      if (!ref) return std::nullopt;
      v.secret = *ref;
      return v;
    }
    case FieldType::Integer:
      if (!n.is_integer()) {
        r.Mismatch(n, path, "an integer");
        return std::nullopt;
      }
      v.integer = n.as_integer()->get();
      return v;
    case FieldType::StringArray: {
      auto items = r.StringsOf(n, path);
      if (!items) return std::nullopt;
      for (auto& [s, node] : *items) v.list.push_back(s);
      return v;
    }
    case FieldType::String:
    case FieldType::Url:
    case FieldType::Enum:
      break;
  }
  if (!n.is_string()) {
    r.Mismatch(n, path, "a string");
    return std::nullopt;
  }
  v.text = n.as_string()->get();
  if (spec.type == FieldType::Enum && !Contains(spec.values, v.text)) {
    std::optional<std::string> closest;
    std::string hint = r.Hint(v.text, spec.values, closest);
    r.ValueFix(
        r.diags().Report(DiagId::InvalidValue, r.At(n),
                         {Quote(v.text), path, "one of " + JoinQuoted(spec.values, "none"), hint}),
        n, v.text, closest);
    return std::nullopt;
  }
  if (spec.type == FieldType::Url && !CheckUrl(r, n, path, v.text)) return std::nullopt;
  if (!spec.pattern.empty()) {
    // Descriptor patterns were checked when the schema loaded; a cart file
    // has few fields, so compiling here stays cheap. RE2: linear time.
    if (!PatternFullMatch(spec.pattern, v.text)) {
      r.diags().Report(
          DiagId::PatternMismatch, r.At(n),
          {path, v.text, spec.help.empty() ? "it must match " + spec.pattern : spec.help});
      return std::nullopt;
    }
  }
  return v;
}

// A table of fields against specs; defaults fill what is omitted.
// `missing_at` is where to point when a required key is absent.
void CheckFields(Reader& r, const toml::table* t, const std::vector<FieldSpec>& specs,
                 const std::string& where, const std::vector<std::string>& extra_known,
                 const SourceRegion& missing_at, FieldValues& out) {
  if (t) {
    std::vector<std::string> known = Names(specs), secrets;
    known.insert(known.end(), extra_known.begin(), extra_known.end());
    for (const FieldSpec& spec : specs)
      if (spec.type == FieldType::Secret) secrets.push_back(spec.name);
    r.UnknownKeys(*t, known, where, /*secret_values=*/false, secrets);
  }
  for (const FieldSpec& spec : specs) {
    const toml::node* n = r.Get(t, spec.name);
    std::string path = where.substr(1, where.size() - 2) + "." + spec.name;
    if (!n) {
      if (spec.required) r.Missing(t, spec.name, where, t ? r.At(*t) : missing_at);
      FieldValue d;
      d.type = spec.type;
      if (spec.default_string)
        d.text = *spec.default_string;
      else if (spec.default_integer)
        d.integer = *spec.default_integer;
      else
        continue;
      out[spec.name] = std::move(d);
      continue;
    }
    if (auto v = CheckField(r, *n, spec, path)) out[spec.name] = std::move(*v);
  }
}

// Strings that look like pasted credentials (CredentialKind, safe_text.h),
// anywhere outside secret refs. `skip` names paths already reported as plain
// secrets (E0301) and descriptor identifiers (a client ID looks like a token). `keys` is the path
// so far, joined only for a finding: a long key above many values must not be copied once per
// value.
void ScanCredentials(Reader& r, const toml::node& n, std::vector<std::string_view>& keys,
                     const std::set<std::string>& skip) {
  if (const toml::table* t = n.as_table()) {
    if (t->size() == 1 && t->contains("secret")) return;  // a reference, not a value
    for (auto&& [k, v] : *t) {
      keys.push_back(k.str());
      ScanCredentials(r, v, keys, skip);
      keys.pop_back();
    }
  } else if (const toml::array* a = n.as_array()) {
    for (const toml::node& e : *a) ScanCredentials(r, e, keys, skip);
  } else if (const auto* s = n.as_string()) {
    const char* kind = CredentialKind(s->get());
    if (!kind) return;
    std::string path;
    for (std::string_view k : keys) (path += path.empty() ? "" : ".") += k;
    if (skip.count(path)) return;
    if (Diagnostic* d = r.diags().Report(DiagId::CredentialLike, r.At(n), {path, kind}))
      d->mask_snippet = true;
  }
}

// Whether `zone` names a zone of the system's tz database (TZDIR, default
// /usr/share/zoneinfo), the one the runtime evaluates daily schedules with
// (runtime/time_zone.cc): a TZif file there. Names with "." parts or
// characters IANA names do not use are refused before the file system is asked.
bool KnownTimeZone(const std::string& zone, std::string& dir) {
  const char* env = std::getenv("TZDIR");
  dir = env && *env ? env : "/usr/share/zoneinfo";
  if (zone.empty() || zone.size() > 64 || zone.front() == '/' || zone.back() == '/' ||
      zone.find("//") != std::string::npos)
    return false;
  for (char c : zone)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '+' && c != '-' &&
        c != '/')
      return false;
  std::error_code ec;
  std::filesystem::path file = std::filesystem::path(dir) / zone;
  if (!std::filesystem::is_regular_file(file, ec)) return false;
  std::ifstream in(file, std::ios::binary);
  char magic[4] = {};
  return in.read(magic, 4) && std::string_view(magic, 4) == "TZif";
}

struct ServiceBounds {
  int64_t min_seconds;
  int64_t max_seconds;  // 0 = unbounded
};
constexpr ServiceBounds kBounds[] = {{300, 86400}, {900, 0}, {3600, 0}};

void CheckScheduleBounds(Reader& r, Service svc, const Schedule& s, const toml::node& n) {
  ServiceBounds b = kBounds[static_cast<size_t>(svc)];
  int64_t min = s.MinPeriodSeconds(), max = s.MaxPeriodSeconds();
  std::string name(ServiceName(svc));
  // Point at the schedule text inside the quotes, as grammar errors do.
  const auto* text = n.as_string();
  SourceRegion at = text ? RegionInString(n, 0, text->get().size(), r.file()) : r.At(n);
  if (min < b.min_seconds) {
    std::string how = s.kind == Schedule::Kind::Interval
                          ? "every " + FormatDuration(min)
                          : "as often as every " + FormatDuration(min);
    std::string limit = "the minimum is every " + FormatDuration(b.min_seconds) +
                        (svc == Service::OrderDownload ? " (cart API rate limits)" : "");
    r.diags().Report(DiagId::ScheduleOutOfBounds, at, {name, how, limit});
  } else if (b.max_seconds && max > b.max_seconds) {
    std::string how = s.kind == Schedule::Kind::Interval
                          ? "every " + FormatDuration(max)
                          : "with gaps of up to " + FormatDuration(max);
    r.diags().Report(DiagId::ScheduleOutOfBounds, at,
                     {name, how, "it must run at least once a day"});
  }
}

bool ParseLocalDate(const toml::node& n, Date& out) {
  const auto* d = n.as_date();
  if (!d) return false;
  const toml::date& v = d->get();
  out = {v.year, v.month, v.day};
  return true;
}

// Globs indexed by their literal prefix (before the first wildcard) and
// suffix (after the last): a glob can match a text, or contain another glob,
// only when its prefix starts that text's prefix and its suffix ends its
// suffix (any other character can stand where a wildcard is), and two globs
// can intersect only when their prefixes, and suffixes, agree as far as both
// go. Candidates are looked up instead of compared pairwise: a cart with
// 10,000 SKU globs is checked in milliseconds, not minutes. Ids are the
// caller's; results come in ascending id order, each once.
class GlobIndex {
 public:
  void Add(size_t id, std::string_view glob) {
    std::string_view p = Prefix(glob), s = Suffix(glob);
    by_prefix_[p].push_back(id);
    by_suffix_[s].push_back(id);
    keys_[id] = {p, s};
    prefix_lengths_.insert(p.size());
    suffix_lengths_.insert(s.size());
    prefixes_.push_back({std::string(p), id});
    suffixes_.push_back({std::string(s.rbegin(), s.rend()), id});
    sorted_ = false;
    ++size_;
  }
  bool empty() const { return size_ == 0; }

  /// Globs that may match every string of `text` (a code or a glob).
  std::vector<size_t> Covering(std::string_view text) const {
    std::string_view p = Prefix(text), s = Suffix(text);
    // Collect by the rarer of the two keys, then filter by the other.
    auto lists = [&](bool by_prefix, auto&& f) {
      for (size_t n : by_prefix ? prefix_lengths_ : suffix_lengths_) {
        std::string_view key = by_prefix ? p : s;
        if (n > key.size()) break;
        const auto& map = by_prefix ? by_prefix_ : by_suffix_;
        if (auto it = map.find(by_prefix ? key.substr(0, n) : key.substr(key.size() - n));
            it != map.end())
          f(it->second);
      }
    };
    size_t np = 0, ns = 0;
    lists(true, [&](const std::vector<size_t>& ids) { np += ids.size(); });
    lists(false, [&](const std::vector<size_t>& ids) { ns += ids.size(); });
    std::vector<size_t> out;
    lists(np <= ns, [&](const std::vector<size_t>& ids) {
      for (size_t id : ids) {
        auto [gp, gs] = keys_.at(id);
        bool ok = np <= ns ? s.size() >= gs.size() && s.substr(s.size() - gs.size()) == gs
                           : p.substr(0, gp.size()) == gp;
        if (ok) out.push_back(id);
      }
    });
    std::sort(out.begin(), out.end());
    return out;
  }

  /// Globs that may share a string with glob `glob`.
  std::vector<size_t> Intersecting(std::string_view glob) {
    if (!sorted_) {
      std::sort(prefixes_.begin(), prefixes_.end());
      std::sort(suffixes_.begin(), suffixes_.end());
      sorted_ = true;
    }
    std::string_view p = Prefix(glob), s = Suffix(glob);
    std::string rs(s.rbegin(), s.rend());
    auto by_prefix = Comparable(prefixes_, prefix_lengths_, p);
    auto by_suffix = Comparable(suffixes_, suffix_lengths_, rs);
    // Walk the smaller side; check the other condition directly.
    bool use_prefix = Count(by_prefix) <= Count(by_suffix);
    std::vector<size_t> out;
    for (auto [first, last] : use_prefix ? by_prefix : by_suffix) {
      for (auto it = first; it != last; ++it) {
        auto [gp, gs] = keys_.at(it->second);
        bool ok = use_prefix ? Agree(gs, s, /*suffix=*/true) : Agree(gp, p, /*suffix=*/false);
        if (ok) out.push_back(it->second);
      }
    }
    std::sort(out.begin(), out.end());
    return out;
  }

 private:
  static std::string_view Prefix(std::string_view g) {
    return g.substr(0, std::min(g.find_first_of("*?"), g.size()));
  }
  static std::string_view Suffix(std::string_view g) {
    size_t last = g.find_last_of("*?");
    return last == std::string_view::npos ? g : g.substr(last + 1);
  }

  using Keys = std::vector<std::pair<std::string, size_t>>;
  using Ranges = std::vector<std::pair<Keys::const_iterator, Keys::const_iterator>>;

  // Whether one of `a`, `b` starts (or, with `suffix`, ends) the other.
  static bool Agree(std::string_view a, std::string_view b, bool suffix) {
    size_t n = std::min(a.size(), b.size());
    return suffix ? a.substr(a.size() - n) == b.substr(b.size() - n)
                  : a.substr(0, n) == b.substr(0, n);
  }

  static size_t Count(const Ranges& ranges) {
    size_t n = 0;
    for (auto [first, last] : ranges) n += static_cast<size_t>(last - first);
    return n;
  }

  // The entries whose key starts `key`, or that `key` starts (keys sorted):
  // ranges found by binary search, so counting them is cheap.
  static Ranges Comparable(const Keys& keys, const std::set<size_t>& lengths,
                           std::string_view key) {
    Ranges out;
    auto from = [&](std::string_view k) {
      return std::lower_bound(keys.begin(), keys.end(), k,
                              [](const auto& e, std::string_view v) { return e.first < v; });
    };
    for (size_t n : lengths) {
      if (n >= key.size()) break;  // key.size() itself is in the range below
      std::string_view part = key.substr(0, n);
      auto first = from(part);
      auto last =
          std::partition_point(first, keys.end(), [&](const auto& e) { return e.first == part; });
      out.push_back({first, last});
    }
    auto first = from(key);
    auto last = std::partition_point(first, keys.end(), [&](const auto& e) {
      return std::string_view(e.first).substr(0, key.size()) == key;
    });
    out.push_back({first, last});
    return out;
  }

  std::unordered_map<std::string_view, std::vector<size_t>> by_prefix_, by_suffix_;
  std::unordered_map<size_t, std::pair<std::string_view, std::string_view>> keys_;
  std::set<size_t> prefix_lengths_, suffix_lengths_;
  Keys prefixes_, suffixes_;  // suffixes reversed
  bool sorted_ = false;
  size_t size_ = 0;
};

class CartChecker {
 public:
  CartChecker(const toml::table& doc, std::string_view file, const CartCheckContext& ctx,
              CartConfig& out, DiagnosticEngine& diags)
      : doc_(doc), file_(file), ctx_(ctx), out_(out), r_(file, diags) {}

  void Run() {
    std::vector<std::string> top = {"cart",          "api",          "services", "statuses",
                                    "order_load",    "ship_methods", "items",    "order_filters",
                                    "carrier_codes", "wms_fields"};
    // Without a [cart] header its keys stand at the top: one mistake, one
    // error (CheckCartTable), not an unknown key for each of them too.
    if (!doc_.get("cart"))
      for (const char* k : kCartKeys)
        if (doc_.get(k)) top.push_back(k);
    r_.UnknownKeys(doc_, top, "cart file");
    CheckCartTable();
    CheckServices();
    if (platform_) {
      CheckApi();
      CheckStatuses();
    }
    CheckOrderLoad();
    CheckShipMethods();
    CheckItems();
    CheckOrderFilters();
    CheckCarrierCodes();
    CheckWmsFields();
    std::set<std::string> secret_paths;
    if (platform_)
      for (const FieldSpec& f : platform_->api)
        if (f.type == FieldType::Secret || f.identifier) secret_paths.insert("api." + f.name);
    std::vector<std::string_view> keys;
    ScanCredentials(r_, doc_, keys, secret_paths);
  }

 private:
  // Where to point when something required is missing from the file.
  SourceRegion CartAnchor() const {
    if (const toml::node* c = doc_.get("cart")) return r_.At(*c);
    return {std::string(file_), {1, 1}, {1, 2}};
  }

  // The first of `nodes` this cart file holds, else the first there is (in
  // the project file: it came from [defaults]). Never the [cart] anchor: a
  // finding points at a key or value that causes it.
  SourceRegion FirstInCart(std::initializer_list<const toml::node*> nodes) const {
    for (const toml::node* n : nodes)
      if (n && r_.At(*n).file == file_) return r_.At(*n);
    for (const toml::node* n : nodes)
      if (n) return r_.At(*n);
    return CartAnchor();
  }

  // Nodes merged from [defaults] live in the project file; a per-cart
  // finding about them is shown at the cart instead.
  SourceRegion InCart(const toml::node& n) const {
    SourceRegion at = r_.At(n);
    return at.file == file_ ? at : CartAnchor();
  }

  static constexpr const char* kCartKeys[] = {"id", "client", "platform", "name", "wms"};

  void CheckCartTable() {
    const toml::table* cart = r_.Table(&doc_, "cart", "cart");
    if (!cart) {
      if (doc_.get("cart")) return;
      // The header may just be missing: its keys at the top of the file.
      const toml::key* first = nullptr;
      for (auto&& [k, v] : doc_)
        if (Contains({std::begin(kCartKeys), std::end(kCartKeys)}, k.str()) &&
            (!first || RegionOf(k).begin < RegionOf(*first).begin))
          first = &k;
      if (!first) {
        if (!r_.WasSuggested(&doc_, "cart"))  // `[crat]` is reported as unknown already
          r_.diags().Report(DiagId::MissingKey, CartAnchor(), {"[cart]", "cart file"});
        return;
      }
      SourceRegion at = r_.At(*first);
      if (Diagnostic* d = r_.diags().Report(
              DiagId::MissingKey, at,
              {"[cart]", "cart file (" + std::string(first->str()) +
                             " and the other [cart] keys "
                             "stand at the top of the file, outside any table)"})) {
        d->hint = "insert a [cart] header line above line " + std::to_string(at.begin.line);
        SourceRegion insert = at;
        insert.begin.column = insert.end.column = 1;
        insert.end.line = insert.begin.line;
        d->fixes.push_back({insert, "[cart]\n"});
      }
      cart = &doc_;  // check them as the [cart] they were meant to be
    } else {
      r_.UnknownKeys(*cart, {std::begin(kCartKeys), std::end(kCartKeys)}, "[cart]");
    }
    cart_ = cart;
    static const RE2 id_re("[a-z0-9][a-z0-9-]{0,62}");
    if (auto id = r_.String(cart, "id", "cart.id")) {
      if (!RE2::FullMatch(*id, id_re))
        r_.diags().Report(DiagId::InvalidCartId, r_.At(*cart->get("id")), {*id});
      else
        out_.id = *id;
    } else if (!cart->get("id")) {
      r_.Missing(cart, "id", "[cart]", r_.At(*cart));
    }
    if (auto client = r_.String(cart, "client", "cart.client")) {
      if (client->empty())
        r_.diags().Report(DiagId::InvalidValue, r_.At(*cart->get("client")),
                          {"\"\"", "cart.client", "the merchant's name in the WMS", ""});
      out_.client = *client;
    } else if (!cart->get("client")) {
      r_.Missing(cart, "client", "[cart]", r_.At(*cart));
    }
    if (auto platform = r_.String(cart, "platform", "cart.platform")) {
      platform_ = ctx_.schema.FindPlatform(*platform);
      if (!platform_) {
        std::vector<std::string> ids;
        for (auto& [id, p] : ctx_.schema.platforms) ids.push_back(id);
        std::optional<std::string> closest;
        std::string hint = r_.Hint(*platform, ids, closest);
        if (hint.empty()) hint = " (known: " + JoinQuoted(ids, "none") + ")";
        const toml::node& n = *cart->get("platform");
        r_.ValueFix(r_.diags().Report(DiagId::UnknownPlatform, r_.At(n), {*platform, hint}), n,
                    *platform, closest);
      } else {
        out_.platform = *platform;
        out_.inventory_quantity = platform_->inventory_quantity;
      }
    } else if (!cart->get("platform")) {
      r_.Missing(cart, "platform", "[cart]", r_.At(*cart));
    }
    if (auto name = r_.String(cart, "name", "cart.name")) out_.name = *name;
    CheckWmsChoice(cart);
    // A cart without its header is not a cart: no id, so nothing downstream
    // (duplicate ids, the plan) looks for a [cart] table it does not have.
    if (cart == &doc_) out_.id.clear();
  }

  void CheckWmsChoice(const toml::table* cart) {
    std::vector<std::string> names;
    for (auto& [name, w] : ctx_.project.wms) names.push_back(name);
    if (!ctx_.wms_checks) {  // nothing to check against: one W0704 per project says so
      if (auto wms = r_.String(cart, "wms", "cart.wms")) out_.wms = *wms;
      return;
    }
    if (auto wms = r_.String(cart, "wms", "cart.wms")) {
      auto it = ctx_.project.wms.find(*wms);
      if (it == ctx_.project.wms.end()) {
        std::optional<std::string> closest;
        std::string hint = r_.Hint(*wms, names, closest);
        if (hint.empty())
          hint = " (declared in " + std::string(ctx_.project_file) + ": " + Declared(names) + ")";
        const toml::node& n = *cart->get("wms");
        r_.ValueFix(r_.diags().Report(DiagId::UnknownWms, r_.At(n), {*wms, hint}), n, *wms,
                    closest);
        return;
      }
      out_.wms = *wms;
      wms_ = &it->second;
    } else if (ctx_.project.wms.size() == 1) {
      out_.wms = ctx_.project.wms.begin()->first;
      wms_ = &ctx_.project.wms.begin()->second;
    } else if (ctx_.project.wms.size() > 1) {
      r_.diags().Report(DiagId::AmbiguousWms, r_.At(*cart), {Declared(names)});
    }
  }

  void CheckServices() {
    const toml::table* services = r_.Table(&doc_, "services", "services");
    std::vector<std::string> names;
    for (Service s : kAllServices) names.emplace_back(ServiceName(s));
    if (!services) return;
    r_.UnknownKeys(*services, names, "[services]");
    for (Service svc : kAllServices) {
      std::string name(ServiceName(svc));
      const toml::table* t = r_.Table(services, name, "services." + name);
      if (!t) continue;
      std::string where = "[services." + name + "]";
      r_.UnknownKeys(*t, {"enabled", "every"}, where);
      ServiceConfig& cfg = out_.services[static_cast<size_t>(svc)];
      cfg.enabled = r_.Bool(t, "enabled", "services." + name + ".enabled").value_or(false);
      if (const toml::node* every = t->get("every")) {
        if (!every->is_string()) {
          r_.Mismatch(*every, "services." + name + ".every", "a schedule string such as \"15m\"");
        } else {
          auto parsed = ParseSchedule(every->as_string()->get());
          if (!parsed) {
            r_.diags().Report(
                DiagId::InvalidSchedule,
                RegionInString(*every, parsed.error.offset, parsed.error.length, file_),
                {parsed.error.message});
          } else {
            const std::string& tz = parsed.value->tz;
            std::string dir;
            if (!tz.empty() && !KnownTimeZone(tz, dir)) {
              const std::string& text = every->as_string()->get();
              size_t at = text.rfind(tz);
              r_.diags().Report(
                  DiagId::InvalidSchedule,
                  RegionInString(*every, at == std::string::npos ? 0 : at, tz.size(), file_),
                  {"unknown time zone " + Quote(tz) + " (not in the tz database at " + dir +
                   "); use an IANA name such as \"Europe/Berlin\" or \"America/New_York\""});
            }
            if (cfg.enabled) CheckScheduleBounds(r_, svc, *parsed.value, *every);
            cfg.every = *parsed.value;
          }
        }
      } else if (cfg.enabled) {
        r_.diags().Report(DiagId::MissingSchedule, r_.At(*t->get("enabled")), {name});
      }
      if (cfg.enabled && platform_ && !platform_->Supports(svc))
        r_.diags().Report(DiagId::UnsupportedService, r_.At(*t->get("enabled")),
                          {platform_->id, name});
    }
    const ServiceConfig& download = out_.service(Service::OrderDownload);
    for (Service svc : {Service::ShipmentUpload, Service::InventoryUpload}) {
      if (!out_.service(svc).enabled || download.enabled) continue;
      const toml::node* enabled = (*services)[ServiceName(svc)]["enabled"].node();
      r_.diags().Report(DiagId::ServiceWithoutDownload, InCart(*enabled),
                        {std::string(ServiceName(svc))});
    }
  }

  void CheckApi() {
    const toml::table* api = r_.Table(&doc_, "api", "api");
    if (!api && doc_.get("api") == nullptr) {
      // One mistake, one diagnostic: keys of [api] standing in another table (its header
      // missing) say where they belong; otherwise the table is missing, not each field
      // of it and then the credential form.
      bool misplaced = false;
      for (const FieldSpec& spec : platform_->api) {
        if (!r_.ReportedUnknown(spec.name)) continue;
        r_.Missing(nullptr, spec.name, "[api]", SourceRegion{});
        misplaced = true;
      }
      if (!misplaced)
        r_.diags().Report(
            DiagId::MissingKey, InCart(*cart_->get("platform")),
            {"[api]", "the cart (the store's address and credentials for " + platform_->id + ")"});
      return;
    }
    CheckFields(r_, api, platform_->api, "[api]", {}, InCart(*cart_->get("platform")), out_.api);
    CheckCredentialForms(api, *platform_, file_, InCart(*cart_->get("platform")), r_.diags());
  }

  void CheckStatuses() {
    const toml::table* t = r_.Table(&doc_, "statuses", "statuses");
    std::vector<std::string> dims;
    for (const StatusDimension& d : platform_->statuses) dims.push_back(d.name);
    if (t) r_.UnknownKeys(*t, dims, "[statuses] for platform " + platform_->id);
    for (const StatusDimension& dim : platform_->statuses) {
      auto values = r_.Strings(t, dim.name, "statuses." + dim.name);
      if (!values) {
        out_.statuses[dim.name] = dim.defaults;
        continue;
      }
      std::vector<std::string>& kept = out_.statuses[dim.name];
      for (auto& [v, node] : *values) {
        if (!Contains(dim.allowed, v)) {
          std::optional<std::string> closest;
          std::string hint = r_.Hint(v, dim.allowed, closest);
          if (hint.empty()) hint = "; allowed: " + JoinQuoted(dim.allowed, "none");
          r_.ValueFix(r_.diags().Report(DiagId::UnknownStatus, r_.At(*node),
                                        {v, platform_->id, dim.name, hint}),
                      *node, v, closest);
          continue;
        }
        if (v == "any" && values->size() > 1)
          r_.diags().Report(DiagId::StatusAnyNotAlone, r_.At(*node), {dim.name});
        kept.push_back(v);
      }
      if (values->empty())
        r_.diags().Report(DiagId::InvalidValue, r_.At(*t->get(dim.name)),
                          {"[]", "statuses." + dim.name,
                           "at least one status (omit the key for the default " +
                               JoinQuoted(dim.defaults, "none") + ")",
                           ""});
    }
  }

  void CheckOrderLoad() {
    const toml::table* t = r_.Table(&doc_, "order_load", "order_load");
    if (t)
      r_.UnknownKeys(*t,
                     {"reject_unmapped_ship_codes", "earliest_order_date", "sync_inventory_with",
                      "sync_inventory_alias", "minimum_inventory_level"},
                     "[order_load]");
    out_.reject_unmapped_ship_codes =
        r_.Bool(t, "reject_unmapped_ship_codes", "order_load.reject_unmapped_ship_codes")
            .value_or(false);
    bool downloading = out_.service(Service::OrderDownload).enabled;
    if (const toml::node* n = r_.Get(t, "earliest_order_date")) {
      Date d;
      if (!ParseLocalDate(*n, d)) {
        r_.Mismatch(*n, "order_load.earliest_order_date", "a local date such as 2026-01-01");
      } else {
        out_.earliest_order_date = d;
        Date two_years_back{ctx_.today.year - 2, ctx_.today.month, ctx_.today.day};
        if (d > ctx_.today)
          r_.diags().Report(DiagId::FutureEarliestDate, r_.At(*n),
                            {d.ToString(), ctx_.today.ToString()});
        else if (d < two_years_back)
          r_.diags().Report(DiagId::OldEarliestDate, r_.At(*n), {d.ToString()});
      }
    } else if (downloading) {
      r_.diags().Report(DiagId::MissingEarliestDate,
                        FirstInCart({t, doc_["services"]["order_download"]["enabled"].node(),
                                     doc_["services"]["order_download"].node()}),
                        {});
    }
    if (auto with = r_.String(t, "sync_inventory_with", "order_load.sync_inventory_with")) {
      const std::vector<std::string> none;
      const std::vector<std::string>& houses = wms_ ? wms_->warehouses : none;
      // Without a resolved WMS (unknown, ambiguous or no project) there is
      // nothing to check against; that problem is reported on its own.
      if (wms_ && *with != "all" && !Contains(houses, *with)) {
        std::vector<std::string> options = houses;
        options.push_back("all");
        std::optional<std::string> closest;
        std::string hint = r_.Hint(*with, options, closest);
        const toml::node& n = *t->get("sync_inventory_with");
        r_.ValueFix(r_.diags().Report(DiagId::UnknownWarehouse, r_.At(n),
                                      {*with, out_.wms, Declared(houses), hint}),
                    n, *with, closest);
      } else {
        out_.sync_inventory_with = *with;
      }
    }
    if (auto alias = r_.String(t, "sync_inventory_alias", "order_load.sync_inventory_alias")) {
      if (CheckAlias(*alias, *t->get("sync_inventory_alias"))) out_.sync_inventory_alias = *alias;
    }
    if (auto level =
            r_.Integer(t, "minimum_inventory_level", "order_load.minimum_inventory_level")) {
      const toml::node& n = *t->get("minimum_inventory_level");
      if (*level < 0) {
        r_.diags().Report(
            DiagId::InvalidValue, r_.At(n),
            {std::to_string(*level), "order_load.minimum_inventory_level", "an integer >= 0", ""});
      } else {
        out_.minimum_inventory_level = *level;
        if (*level > 0 && platform_ &&
            platform_->inventory_quantity != InventoryQuantity::Available)
          r_.diags().Report(DiagId::MinimumInventoryUnsupported, InCart(n),
                            {platform_->id, "on-hand quantity"});
      }
    }
  }

  // An alias type must be "master_sku" or, when the WMS declares its alias
  // types, one of them; otherwise any name is taken on trust.
  bool CheckAlias(const std::string& alias, const toml::node& n) {
    if (alias == "master_sku" || !wms_ || wms_->alias_types.empty() ||
        Contains(wms_->alias_types, alias))
      return true;
    std::vector<std::string> options = wms_->alias_types;
    options.push_back("master_sku");
    std::optional<std::string> closest;
    std::string hint = r_.Hint(alias, options, closest);
    r_.ValueFix(r_.diags().Report(DiagId::UnknownAliasType, r_.At(n),
                                  {alias, out_.wms, Declared(wms_->alias_types), hint}),
                n, alias, closest);
    return false;
  }

  void CheckShipMethods() {
    const toml::table* t = r_.Table(&doc_, "ship_methods", "ship_methods");
    std::vector<std::pair<ShipMapping, const toml::key*>> entries;
    // Looked up once per entry: a set, as both lists may be long.
    std::unordered_set<std::string_view> carriers;
    if (wms_) carriers.insert(wms_->carriers.begin(), wms_->carriers.end());
    if (t) {
      for (auto&& [k, v] : *t) {
        std::string code(k.str());
        std::string path = "ship_methods." + Quote(code);
        if (!v.is_string()) {
          r_.Mismatch(v, path, "a \"CARRIER/SERVICE\" string");
          continue;
        }
        auto target = ParseShipTarget(v.as_string()->get());
        if (!target) {
          r_.diags().Report(DiagId::InvalidShipTarget,
                            RegionInString(v, target.error.offset, target.error.length, file_),
                            {target.error.message});
          continue;
        }
        if (!carriers.empty() && !carriers.count(target.value->carrier)) {
          const std::string& carrier = target.value->carrier;
          std::optional<std::string> closest;
          std::string hint = r_.Hint(carrier, wms_->carriers, closest);
          SourceRegion at = RegionInString(v, 0, carrier.size(), file_);
          Diagnostic* d = r_.diags().Report(DiagId::UnknownCarrier, at,
                                            {carrier, out_.wms, Declared(wms_->carriers), hint});
          // The carrier is part of the string: the edit replaces its text
          // alone, when the region is that text and the name needs no escape.
          if (d && closest && at.begin.line == at.end.line &&
              at.end.column - at.begin.column == carrier.size() &&
              closest->find_first_of("\"\\\n\r\t'") == std::string::npos) {
            d->hint = "replace " + Quote(carrier) + " with " + Quote(*closest);
            d->fixes.push_back({at, *closest});
          }
          continue;
        }
        ShipMatch match = code == "*"    ? ShipMatch::Default
                          : IsGlob(code) ? ShipMatch::Glob
                                         : ShipMatch::Exact;
        entries.push_back({{match, code, *target.value}, &k});
      }
    }
    if (out_.reject_unmapped_ship_codes && (!t || t->empty())) {
      const toml::node* flag = doc_["order_load"]["reject_unmapped_ship_codes"].node();
      r_.diags().Report(DiagId::AllOrdersHeld, FirstInCart({flag, t, doc_.get("order_load")}), {});
    }
    CheckGlobOverlaps(entries);
    // Priority order: exact codes, then globs (more literal characters
    // first), then the catch-all. The runtime takes the first match.
    std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
      if (a.first.match != b.first.match) return a.first.match < b.first.match;
      if (a.first.match == ShipMatch::Glob) {
        size_t la = GlobLiteralCount(a.first.code), lb = GlobLiteralCount(b.first.code);
        if (la != lb) return la > lb;
      }
      return a.first.code < b.first.code;
    });
    for (auto& [m, k] : entries) out_.ship_methods.push_back(m);
  }

  static bool SameTarget(const ShipTarget& a, const ShipTarget& b) {
    return a.carrier == b.carrier && a.service == b.service;
  }

  // Pattern overlap warnings (W0604, W0605) compare every entry with every
  // glob, and one comparison costs about len(a) * len(b) / 64 word
  // operations (model/glob.cc). A budget of len(a) * len(b) per cart file
  // keeps a hostile file linear: no real cart comes near it, and past it the
  // warnings are not computed.
  static constexpr size_t kMaxGlobPairCost = size_t{1} << 20;
  size_t glob_budget_ = size_t{1} << 26;

  /// Whether comparing `a` with `b` is affordable (spending the budget); a
  /// pair too large on its own is skipped, GlobBudgetLeft() says when to stop.
  bool AffordGlobs(std::string_view a, std::string_view b) {
    size_t cost = (a.size() + 1) * (b.size() + 1) + 64;
    if (cost > kMaxGlobPairCost) return false;
    if (cost > glob_budget_) {
      glob_budget_ = 0;
      return false;
    }
    glob_budget_ -= cost;
    return true;
  }
  bool GlobBudgetLeft() const { return glob_budget_ > 0; }

  // Runtime priority among globs: more literal characters, then the code.
  static bool GlobFirst(std::string_view a, std::string_view b) {
    size_t la = GlobLiteralCount(a), lb = GlobLiteralCount(b);
    return la != lb ? la > lb : a < b;
  }

  static std::string Target(const ShipTarget& t) { return t.carrier + "/" + t.service; }

  // W0608 for an exact code or a glob that a glob already maps the same way
  // (an exact code wins over every glob, a glob over less literal ones:
  // redundant, not dead); W0604 for a glob that a glob of higher priority
  // covers (it can never match); W0605 for globs that overlap with different
  // targets. Candidates come from a GlobIndex, so a long list stays fast.
  void CheckGlobOverlaps(const std::vector<std::pair<ShipMapping, const toml::key*>>& entries) {
    GlobIndex index;
    for (size_t j = 0; j < entries.size(); ++j)
      if (entries[j].first.match == ShipMatch::Glob) index.Add(j, entries[j].first.code);
    if (index.empty()) return;
    for (size_t i = 0; i < entries.size() && GlobBudgetLeft(); ++i) {
      const ShipMapping& a = entries[i].first;
      if (a.match == ShipMatch::Default) continue;
      SourceRegion at = r_.At(*entries[i].second);
      // The covering glob of highest priority: the one that decides.
      std::optional<size_t> cover;
      for (size_t j : index.Covering(a.code)) {
        const ShipMapping& b = entries[j].first;
        if (i == j || !AffordGlobs(a.code, b.code)) continue;
        bool covers =
            a.match == ShipMatch::Exact ? GlobMatch(b.code, a.code) : GlobContains(b.code, a.code);
        if (covers && (!cover || GlobFirst(b.code, entries[*cover].first.code))) cover = j;
      }
      bool dead = false;
      if (cover) {
        const ShipMapping& b = entries[*cover].first;
        SourceRegion b_at = r_.At(*entries[*cover].second);
        Diagnostic* d = nullptr;
        if (a.match == ShipMatch::Glob && GlobFirst(b.code, a.code)) {
          dead = true;
          d = r_.diags().Report(DiagId::ShadowedPattern, at,
                                {"ship method glob", a.code,
                                 "every code it matches goes to " + Quote(b.code) + " (" +
                                     Target(b.target) + ") first"});
        } else if (SameTarget(a.target, b.target)) {
          d = r_.diags().Report(
              DiagId::RedundantEntry, at,
              {a.match == ShipMatch::Exact ? "ship method" : "ship method glob", a.code,
               Quote(b.code) + " maps " +
                   (a.match == ShipMatch::Exact ? "it" : "every code it matches") + " to " +
                   Target(b.target) + " as well"});
          if (d) d->hint = "remove the entry " + Quote(a.code) + " (or keep it to be explicit)";
        }
        if (d) d->related.push_back({b_at, "covered by " + Quote(b.code) + " here"});
      }
      if (a.match != ShipMatch::Glob || dead) continue;
      for (size_t j : index.Intersecting(a.code)) {
        const ShipMapping& b = entries[j].first;
        if (j <= i || SameTarget(a.target, b.target) || !AffordGlobs(a.code, b.code)) continue;
        bool b_covered = GlobContains(a.code, b.code) && GlobFirst(a.code, b.code);
        if (b_covered || (cover && *cover == j) || !GlobsIntersect(a.code, b.code)) continue;
        bool a_wins = GlobFirst(a.code, b.code);
        if (Diagnostic* d = r_.diags().Report(
                DiagId::OverlappingPatterns, at,
                {"ship method globs", a.code, b.code,
                 "a code matching both goes to " + Quote(a_wins ? a.code : b.code) +
                     " (more literal characters win)"}))
          d->related.push_back({r_.At(*entries[j].second), Quote(b.code) + " is here"});
      }
    }
  }

  void CheckItems() {
    const toml::table* t = r_.Table(&doc_, "items", "items");
    if (!t) return;
    r_.UnknownKeys(*t, {"translate_item_code", "filter", "filter_level", "skus"}, "[items]");
    ItemRules& items = out_.items;
    if (auto code = r_.String(t, "translate_item_code", "items.translate_item_code"))
      if (CheckAlias(*code, *t->get("translate_item_code"))) items.translate_item_code = *code;
    if (auto f = r_.Enum(t, "filter", "items.filter", {"disabled", "whitelist", "blacklist"}))
      items.filter = *f == "whitelist"   ? ItemFilter::Whitelist
                     : *f == "blacklist" ? ItemFilter::Blacklist
                                         : ItemFilter::Disabled;
    if (auto l = r_.Enum(t, "filter_level", "items.filter_level", {"item", "order"}))
      items.level = *l == "order" ? FilterLevel::Order : FilterLevel::Item;
    auto skus = r_.Strings(t, "skus", "items.skus");
    if (skus) {
      GlobIndex index;
      for (size_t j = 0; j < skus->size(); ++j) {
        items.skus.push_back((*skus)[j].first);
        if (IsGlob((*skus)[j].first)) index.Add(j, (*skus)[j].first);
      }
      // The list is a set: an entry another glob already covers is redundant.
      for (size_t i = 0; i < skus->size() && !index.empty() && GlobBudgetLeft(); ++i) {
        const auto& [a, an] = (*skus)[i];
        for (size_t j : index.Covering(a)) {
          const auto& [b, bn] = (*skus)[j];
          if (i == j || !AffordGlobs(a, b)) continue;
          bool covered =
              IsGlob(a) ? GlobContains(b, a) && (!GlobContains(a, b) || j < i) : GlobMatch(b, a);
          if (covered) {
            if (Diagnostic* d = r_.diags().Report(DiagId::RedundantEntry, r_.At(*an),
                                                  {"sku", a, "already covered by " + Quote(b)})) {
              d->hint = "remove " + Quote(a) + " from skus";
              d->related.push_back({r_.At(*bn), Quote(b) + " is here"});
            }
            break;
          }
        }
      }
    }
    if (items.filter != ItemFilter::Disabled && items.skus.empty()) {
      const toml::node& at = *t->get("filter");
      r_.diags().Report(DiagId::EmptyItemFilter, r_.At(at),
                        {items.filter == ItemFilter::Whitelist ? "whitelist" : "blacklist",
                         items.filter == ItemFilter::Whitelist
                             ? "lets no item through: every order would be refused"
                             : "has no effect"});
    }
  }

  void CheckOrderFilters() {
    const toml::node* n = doc_.get("order_filters");
    if (!n) return;
    const toml::array* a = n->as_array();
    if (!a || !a->is_array_of_tables()) {
      r_.Mismatch(*n, "order_filters", "an array of tables ([[order_filters]])");
      return;
    }
    for (const toml::node& e : *a) {
      const toml::table* t = e.as_table();
      r_.UnknownKeys(*t, {"field", "match", "values", "mode"}, "[[order_filters]]");
      OrderFilter f;
      bool ok = true;
      if (auto field = r_.String(t, "field", "order_filters.field")) {
        if (!Contains(ctx_.schema.order_fields, *field)) {
          std::optional<std::string> closest;
          std::string hint = r_.Hint(*field, ctx_.schema.order_fields, closest);
          const toml::node& n = *t->get("field");
          r_.ValueFix(r_.diags().Report(DiagId::UnknownOrderField, r_.At(n), {*field, hint}), n,
                      *field, closest);
          ok = false;
        }
        f.field = *field;
      } else {
        if (!t->get("field")) r_.Missing(t, "field", "[[order_filters]]", r_.At(*t));
        ok = false;
      }
      if (auto m = r_.Enum(t, "match", "order_filters.match", {"exact", "prefix", "suffix"}))
        f.match = *m == "prefix"   ? FilterMatch::Prefix
                  : *m == "suffix" ? FilterMatch::Suffix
                                   : FilterMatch::Exact;
      if (auto m = r_.Enum(t, "mode", "order_filters.mode", {"required", "restricted"}))
        f.mode = *m == "restricted" ? FilterMode::Restricted : FilterMode::Required;
      if (auto values = r_.Strings(t, "values", "order_filters.values")) {
        for (auto& [v, vn] : *values) f.values.push_back(v);
        if (values->empty()) {
          r_.diags().Report(DiagId::InvalidValue, r_.At(*t->get("values")),
                            {"[]", "order_filters.values", "at least one value", ""});
          ok = false;
        }
      } else {
        if (!t->get("values")) r_.Missing(t, "values", "[[order_filters]]", r_.At(*t));
        ok = false;
      }
      if (ok) out_.order_filters.push_back(std::move(f));
    }
  }

  void CheckCarrierCodes() {
    const toml::table* t = r_.Table(&doc_, "carrier_codes", "carrier_codes");
    if (!t) return;
    for (auto&& [k, v] : *t) {
      if (!v.is_string()) {
        r_.Mismatch(v, "carrier_codes." + Quote(k.str()), "a string (the cart's carrier code)");
        continue;
      }
      out_.carrier_codes[std::string(k.str())] = v.as_string()->get();
    }
  }

  void CheckWmsFields() {
    const toml::table* t = r_.Table(&doc_, "wms_fields", "wms_fields");
    if (!wms_) return;  // the fields are the WMS's: unknown without one
    CheckFields(r_, t, wms_->cart_fields, "[wms_fields]", {}, CartAnchor(), out_.wms_fields);
  }

  const toml::table& doc_;
  std::string_view file_;
  const CartCheckContext& ctx_;
  CartConfig& out_;
  Reader r_;
  const PlatformDescriptor* platform_ = nullptr;
  const WmsConfig* wms_ = nullptr;
  const toml::table* cart_ = nullptr;  ///< [cart], or the top level when its header is missing
};

// A cart-level WMS field declared in the project ([wms.NAME.cart_fields]).
void CheckCartFieldSpecs(Reader& r, const toml::table& t, const std::string& wms,
                         std::vector<FieldSpec>& out) {
  for (auto&& [k, v] : t) {
    std::string path = "wms." + wms + ".cart_fields." + std::string(k.str());
    const toml::table* ft = v.as_table();
    if (!ft) {
      r.Mismatch(v, path, "a table { type = \"string\", required = true }");
      continue;
    }
    r.UnknownKeys(*ft, {"type", "required", "values", "pattern", "help"}, "[" + path + "]");
    FieldSpec f;
    f.name = std::string(k.str());
    std::vector<std::string> types = {"string", "integer", "enum"};
    if (auto type = r.Enum(ft, "type", path + ".type", types)) f.type = *ParseFieldType(*type);
    f.required = r.Bool(ft, "required", path + ".required").value_or(false);
    if (auto values = r.Strings(ft, "values", path + ".values"))
      for (auto& [s, n] : *values) f.values.push_back(s);
    if (auto pattern = r.String(ft, "pattern", path + ".pattern")) {
      // The same rule as descriptor patterns (pattern.h): RE2, portable.
      if (std::string error = PatternError(*pattern); error.empty())
        f.pattern = *pattern;
      else
        r.diags().Report(
            DiagId::InvalidValue, r.At(*ft->get("pattern")),
            {Quote(*pattern), path + ".pattern", "a valid regular expression (" + error + ")", ""});
    }
    f.help = r.String(ft, "help", path + ".help").value_or("");
    out.push_back(std::move(f));
  }
}

// [[notify]]: alert webhooks (cart-format.md "State, retention and alerts").
// The URL of an incoming webhook is a secret (whoever has it can post to the
// channel): only a secret reference is accepted, never the URL itself.
void CheckNotify(Reader& r, const toml::table& doc, ProjectConfig& out) {
  const toml::node* n = doc.get("notify");
  if (!n) return;
  const toml::array* list = n->as_array();
  if (!list || !list->is_array_of_tables()) {
    if (Diagnostic* d = r.Mismatch(*n, "notify", "an array of tables ([[notify]])"))
      d->hint = "write each webhook as its own [[notify]] table";
    return;
  }
  static const std::vector<std::string> kFormats = {"slack", "json"};
  for (const toml::node& e : *list) {
    const toml::table& t = *e.as_table();
    r.UnknownKeys(t, {"url", "format", "events"}, "[[notify]]");
    NotifyConfig cfg;
    bool ok = true;
    if (const toml::node* url = t.get("url")) {
      if (url->is_string()) {
        // Said here rather than by CheckSecret, to name the fix.
        if (Diagnostic* d = r.diags().Report(DiagId::PlainSecret, r.At(*url), {"notify.url"})) {
          d->mask_snippet = true;
          d->hint =
              "put the webhook URL in an environment variable and write "
              "url = { secret = \"env:SLACK_WEBHOOK_URL\" }";
          d->fixes.push_back({r.At(*url), "{ secret = \"env:SLACK_WEBHOOK_URL\" }"});
        }
        ok = false;
      } else if (auto ref = CheckSecret(r, *url, "notify.url")) {
        cfg.url = *ref;
      } else {
        ok = false;
      }
    } else {
      r.Missing(&t, "url", "[[notify]]", r.At(t));
      ok = false;
    }
    if (t.get("format")) {
      if (auto format = r.Enum(&t, "format", "notify.format", kFormats))
        cfg.format = *format;
      else
        ok = false;
    }
    if (auto events = r.Strings(&t, "events", "notify.events")) {
      std::set<std::string> chosen;
      for (auto& [ev, node] : *events) {
        if (Contains(NotifyEvents(), ev)) {
          chosen.insert(ev);
          continue;
        }
        std::optional<std::string> closest;
        std::string hint = r.Hint(ev, NotifyEvents(), closest);
        Diagnostic* d =
            r.diags().Report(DiagId::InvalidValue, r.At(*node),
                             {Quote(ev), "notify.events",
                              "one of " + JoinQuoted(NotifyEvents(), "none"), std::move(hint)});
        r.ValueFix(d, *node, ev, closest);
        ok = false;
      }
      if (events->empty() && ok) {
        r.diags().Report(
            DiagId::InvalidValue, r.At(*t.get("events")),
            {"[]", "notify.events", "at least one event (leave events out for all)", ""});
        ok = false;
      }
      for (const std::string& ev : NotifyEvents())
        if (chosen.count(ev)) cfg.events.push_back(ev);
    } else if (!t.get("events")) {
      cfg.events = NotifyEvents();
    } else {
      ok = false;
    }
    if (ok) out.notify.push_back(std::move(cfg));
  }
}

}  // namespace

bool CheckProject(const toml::table& doc, std::string_view file, const Schema& schema,
                  ProjectConfig& out, DiagnosticEngine& diags) {
  int before = diags.errors();
  Reader r(file, diags);
  r.UnknownKeys(doc, {"project", "state", "wms", "notify", "defaults"}, "cartsync.toml");
  if (const toml::table* p = r.Table(&doc, "project", "project")) {
    r.UnknownKeys(*p, {"carts"}, "[project]");
    if (auto carts = r.String(p, "carts", "project.carts")) out.carts_dir = *carts;
  }
  if (const toml::table* s = r.Table(&doc, "state", "state")) {
    r.UnknownKeys(*s, {"url", "password", "retain_pii"}, "[state]");
    char url_kind = s->get("url") ? 'x' : 's';  // sqlite, postgres, or x: invalid
    if (auto url = r.String(s, "url", "state.url")) {
      // user:password@ in the authority, or a password= parameter (libpq
      // takes both): never in the URL, which is shown in plans and messages.
      static const RE2 pg_password(
          "(?i)postgres(?:ql)?://(?:[^/@:?#]*:[^/?#]*@.*|[^?#]*\\?(?:.*&)?password=.*)");
      const toml::node& n = *s->get("url");
      if (url->rfind("sqlite:", 0) == 0 && url->size() > 7) {
        out.state_url = *url;
        url_kind = 's';
      } else if (url->rfind("postgres://", 0) == 0 || url->rfind("postgresql://", 0) == 0) {
        if (RE2::FullMatch(*url, pg_password)) {
          if (Diagnostic* d = diags.Report(
                  DiagId::InvalidStateUrl, r.At(n),
                  {"postgres://…",
                   "it embeds a password; use [state] password = { secret = \"env:NAME\" } "
                   "(or PGPASSWORD, ~/.pgpass)"}))
            d->mask_snippet = true;
        } else {
          out.state_url = *url;
          url_kind = 'p';
        }
      } else {
        diags.Report(DiagId::InvalidStateUrl, r.At(n),
                     {*url, "expected sqlite:PATH or postgres://HOST/DB"});
      }
    }
    // [state].password: the PostgreSQL role's password, a secret reference
    // resolved at run time (runtime/secrets.h) and handed to libpq as a
    // connection parameter. A SQLite file has no password.
    if (const toml::node* pw = s->get("password")) {
      if (auto ref = CheckSecret(r, *pw, "state.password")) {
        if (url_kind == 'p')
          out.state_password = *ref;
        else if (url_kind == 's')
          diags.Report(
              DiagId::InvalidValue, r.At(*pw),
              {"{ secret = \"" + ref->Text() + "\" }", "state.password",
               "a postgres:// [state].url beside it (a sqlite: state has no password)", ""});
      }
    }
  }
  if (const toml::node* retain = doc["state"]["retain_pii"].node()) {
    // [state].retain_pii: a duration in the schedule grammar's interval
    // form ("60d", "1440h"), at least a day; see runtime/state/pii.h.
    const std::string expected =
        "a duration of at least a day, such as \"60d\" or \"1440h\" (units s, m, h, d)";
    if (!retain->is_string()) {
      r.Mismatch(*retain, "state.retain_pii", expected);
    } else {
      const std::string& text = retain->as_string()->get();
      auto parsed = ParseSchedule(text);
      if (parsed && parsed.value->kind == Schedule::Kind::Interval &&
          parsed.value->interval_seconds >= 24 * 3600)
        out.retain_pii_s = parsed.value->interval_seconds;
      else
        diags.Report(DiagId::InvalidValue, r.At(*retain),
                     {Quote(text), "state.retain_pii", expected,
                      parsed && parsed.value->kind == Schedule::Kind::Interval
                          ? "; personal data is kept at least a day"
                          : ""});
    }
  }
  if (const toml::table* w = r.Table(&doc, "wms", "wms")) {
    std::vector<std::string> systems;
    for (auto& [id, d] : schema.wms_systems) systems.push_back(id);
    for (auto&& [k, v] : *w) {
      std::string name(k.str());
      const toml::table* t = v.as_table();
      if (!t) {
        r.Mismatch(v, "wms." + name, "a table");
        continue;
      }
      WmsConfig cfg;
      cfg.name = name;
      std::string where = "[wms." + name + "]";
      auto system = r.String(t, "system", "wms." + name + ".system");
      const WmsDescriptor* desc = system ? schema.FindWms(*system) : nullptr;
      if (!system) {
        if (!t->get("system")) r.Missing(t, "system", where, r.At(*t));
      } else if (!desc) {
        std::optional<std::string> closest;
        std::string hint = r.Hint(*system, systems, closest);
        const toml::node& n = *t->get("system");
        r.ValueFix(diags.Report(DiagId::UnknownWmsSystem, r.At(n),
                                {*system, hint + " (known: " + JoinQuoted(systems, "none") + ")"}),
                   n, *system, closest);
      } else {
        cfg.system = *system;
        CheckFields(r, t, desc->fields, where,
                    {"system", "warehouses", "carriers", "alias_types", "cart_fields"}, r.At(*t),
                    cfg.fields);
      }
      for (auto [key, list] :
           {std::pair{"warehouses", &cfg.warehouses}, std::pair{"carriers", &cfg.carriers},
            std::pair{"alias_types", &cfg.alias_types}})
        if (auto values = r.Strings(t, key, "wms." + name + "." + key))
          for (auto& [s, n] : *values) list->push_back(s);
      if (const toml::table* cf = r.Table(t, "cart_fields", "wms." + name + ".cart_fields"))
        CheckCartFieldSpecs(r, *cf, name, cfg.cart_fields);
      out.wms.emplace(name, std::move(cfg));
    }
  }
  CheckNotify(r, doc, out);
  r.Table(&doc, "defaults", "defaults");  // contents are checked inside each cart
  return diags.errors() == before;
}

void MergeDefaults(toml::table& cart, toml::table&& defaults) {
  for (auto it = defaults.begin(); it != defaults.end(); ++it) {
    toml::node* existing = cart.get(it->first.str());
    if (!existing) {
      cart.insert(it->first, std::move(it->second));
    } else if (existing->is_table() && it->second.is_table()) {
      MergeDefaults(*existing->as_table(), std::move(*it->second.as_table()));
    }
  }
}

bool CheckCart(const toml::table& doc, std::string_view file, const CartCheckContext& ctx,
               CartConfig& out, DiagnosticEngine& diags) {
  if (doc.empty()) {
    diags.Report(DiagId::EmptyCart, {std::string(file), {}, {}}, {});
    return false;
  }
  // Check into a local engine: the shared one drops repeats (an error in
  // [defaults] is reported once), so its error count cannot tell whether
  // this cart is clean.
  DiagnosticEngine local;
  CartChecker(doc, file, ctx, out, local).Run();
  diags.Append(local);
  return !local.has_errors();
}

}  // namespace cartsync
