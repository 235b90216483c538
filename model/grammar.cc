// X3 does the lexical work; the checks that need numbers (ranges, overflow) and
// the wording of errors are plain C++ around it. Every rule that can be expected
// (`>`) has a name, and the name of the failing rule selects the message, so an
// error always points at the byte where the text stopped making sense.
#include "model/grammar.h"

#include <algorithm>
#include <array>
#include <boost/spirit/home/x3.hpp>
#include <cctype>
#include <cstdio>
#include <limits>
#include <map>
#include <mutex>
#include <utility>
#include <vector>

namespace cartsync {
namespace {

namespace x3 = boost::spirit::x3;
using It = const char*;

// x3::digit would call std::isdigit, which must not see the negative chars of UTF-8 bytes.
auto const kDigit = x3::char_('0', '9');

template <class T>
ParseResult<T> Fail(size_t offset, size_t length, std::string message) {
  ParseResult<T> result;
  result.error = {offset, std::max<size_t>(length, 1), std::move(message)};
  return result;
}

template <class T>
ParseResult<T> Ok(T value) {
  ParseResult<T> result;
  result.value = std::move(value);
  return result;
}

/// Bytes in the UTF-8 sequence starting at `offset`, so a caret covers a whole character.
size_t CharLength(std::string_view text, size_t offset) {
  if (offset >= text.size()) return 1;
  auto lead = static_cast<unsigned char>(text[offset]);
  size_t n = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
  size_t len = 1;
  while (len < n && offset + len < text.size() &&
         (static_cast<unsigned char>(text[offset + len]) & 0xC0) == 0x80)
    ++len;
  return len;
}

/// The character at `offset` for a message: 'x', U+0009 for control characters, or
/// "end of text".
std::string CharAt(std::string_view text, size_t offset) {
  if (offset >= text.size()) return "end of text";
  auto c = static_cast<unsigned char>(text[offset]);
  if (c < 0x20 || c == 0x7F) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "U+%04X", c);
    return buf;
  }
  return "'" + std::string(text.substr(offset, CharLength(text, offset))) + "'";
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsSpace(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

/// Result of one X3 run: on failure, where it stopped and the name of the expected rule
/// (empty when the very first element did not match).
struct Outcome {
  bool ok = false;
  size_t offset = 0;
  std::string which;
};

template <class Parser>
Outcome Run(std::string_view text, const Parser& parser) {
  It first = text.data();
  It const last = first + text.size();
  try {
    if (x3::parse(first, last, parser)) return {true, 0, {}};
    return {false, static_cast<size_t>(first - text.data()), {}};
  } catch (const x3::expectation_failure<It>& e) {
    return {false, static_cast<size_t>(e.where() - text.data()), e.which()};
  }
}

template <class Range>
std::string_view View(const Range& r) {
  return {r.begin(), static_cast<size_t>(r.end() - r.begin())};
}

// Shared named rules. Names are matched in the error mapping below.
auto const kEnd = x3::rule<class EndTag>{"end"} = x3::eoi;

// ---------------------------------------------------------------------------
// Schedules

constexpr std::string_view kScheduleForms =
    "expected an interval like 15m, 90s, 2h or 1d, 'hourly', 'daily at HH:MM [ZONE]' or "
    "'cron: MIN HOUR DAY MONTH WEEKDAY'";

ParseResult<Schedule> ParseInterval(std::string_view text) {
  std::string_view digits;
  char unit = 0;
  auto const number = x3::raw[+kDigit][([&](auto& ctx) { digits = View(x3::_attr(ctx)); })];
  auto const unit_rule = x3::rule<class UnitTag>{"unit"} =
      x3::char_("smhd")[([&](auto& ctx) { unit = x3::_attr(ctx); })];
  Outcome out = Run(text, number > unit_rule > kEnd);

  // Value checks come first: they concern the earliest bytes.
  if (!digits.empty()) {
    int64_t n = 0;
    bool overflow = false;
    for (char c : digits)
      overflow =
          overflow || __builtin_mul_overflow(n, 10, &n) || __builtin_add_overflow(n, c - '0', &n);
    if (overflow) return Fail<Schedule>(0, digits.size(), "interval is too large");
    if (n == 0) return Fail<Schedule>(0, digits.size(), "interval must be positive");
    if (out.ok) {
      int64_t unit_seconds = unit == 's' ? 1 : unit == 'm' ? 60 : unit == 'h' ? 3600 : 86400;
      Schedule s;
      s.kind = Schedule::Kind::Interval;
      if (__builtin_mul_overflow(n, unit_seconds, &s.interval_seconds))
        return Fail<Schedule>(0, text.size(), "interval is too large");
      return Ok(std::move(s));
    }
  }
  size_t at = out.offset, len = CharLength(text, at);
  if (out.which == "unit") {
    if (at >= text.size())
      return Fail<Schedule>(
          at, 1, "missing unit after '" + std::string(digits) + "'; expected s, m, h or d");
    if (text[at] == '.')
      return Fail<Schedule>(at, 1,
                            "intervals must be whole numbers; use a smaller unit (e.g. 90m)");
    if (text[at] == ' ')
      return Fail<Schedule>(at, 1,
                            "unexpected space before the unit; write the number and unit "
                            "together (e.g. 15m)");
    return Fail<Schedule>(at, len, "unknown unit " + CharAt(text, at) + "; expected s, m, h or d");
  }
  return Fail<Schedule>(at, len,
                        "unexpected " + CharAt(text, at) + " after interval '" +
                            std::string(text.substr(0, at)) +
                            "'; an interval is a whole number and one unit (s, m, h or d)");
}

ParseResult<Schedule> ParseHourly(std::string_view text) {
  Outcome out = Run(text, x3::lit("hourly") > kEnd);
  if (!out.ok)
    return Fail<Schedule>(out.offset, CharLength(text, out.offset),
                          "unexpected " + CharAt(text, out.offset) + " after 'hourly'");
  Schedule s;
  s.kind = Schedule::Kind::Hourly;
  return Ok(std::move(s));
}

bool TwoDigitsAt(std::string_view text, size_t at) {
  return at + 1 < text.size() && IsDigit(text[at]) && IsDigit(text[at + 1]);
}

ParseResult<Schedule> ParseDaily(std::string_view text) {
  Schedule s;
  s.kind = Schedule::Kind::Daily;
  bool have_zone = false;
  // Range checks fail the rule (rather than being checked afterwards) so that an
  // out-of-range hour is reported before any problem further right.
  auto two_digits = [](auto& ctx, int max, int& out) {
    auto r = x3::_attr(ctx);
    int v = (r.begin()[0] - '0') * 10 + (r.begin()[1] - '0');
    if (v > max)
      x3::_pass(ctx) = false;
    else
      out = v;
  };
  auto const at = x3::rule<class AtTag>{"at"} = x3::lit(" at ");
  auto const hour = x3::rule<class HourTag>{"hour"} =
      x3::raw[x3::repeat(2)[kDigit]][([&](auto& ctx) { two_digits(ctx, 23, s.hour); })];
  auto const colon = x3::rule<class ColonTag>{"colon"} = x3::lit(':');
  auto const minute = x3::rule<class MinuteTag>{"minute"} =
      x3::raw[x3::repeat(2)[kDigit]][([&](auto& ctx) { two_digits(ctx, 59, s.minute); })];
  auto const zone = x3::rule<class ZoneTag>{"zone"} =
      x3::raw[+x3::char_("-+A-Za-z0-9_") % '/'][([&](auto& ctx) {
        s.tz = std::string(View(x3::_attr(ctx)));
        have_zone = true;
      })];
  Outcome out =
      Run(text, x3::lit("daily") > at > hour > colon > minute > -(x3::lit(' ') > zone) > kEnd);
  if (out.ok) return Ok(std::move(s));

  size_t where = out.offset, len = CharLength(text, where);
  std::string found = CharAt(text, where);
  if (out.which == "at")
    return Fail<Schedule>(where, len, "expected ' at HH:MM' after 'daily', found " + found);
  if (out.which == "hour") {
    if (TwoDigitsAt(text, where)) return Fail<Schedule>(where, 2, "hour must be 00-23");
    return Fail<Schedule>(where, len,
                          "expected a two-digit hour (HH:MM, e.g. 02:30), found " + found);
  }
  if (out.which == "colon")
    return Fail<Schedule>(where, len, "expected ':' between hour and minute, found " + found);
  if (out.which == "minute") {
    if (TwoDigitsAt(text, where)) return Fail<Schedule>(where, 2, "minute must be 00-59");
    return Fail<Schedule>(where, len,
                          "expected a two-digit minute (HH:MM, e.g. 02:30), found " + found);
  }
  if (out.which == "zone")
    return Fail<Schedule>(where, len,
                          "expected a time zone name after the time (e.g. Europe/Berlin), "
                          "found " +
                              found);
  // "end": something the grammar could not continue with.
  if (have_zone) {
    if (text[where] == '/') return Fail<Schedule>(where, 1, "empty part in time zone name");
    return Fail<Schedule>(where, len,
                          "invalid character " + found +
                              " in time zone name; expected letters, digits, '_', '+', '-' "
                              "and '/' between parts");
  }
  return Fail<Schedule>(
      where, len,
      "unexpected " + found + " after the time; a time zone name is separated by one space");
}

struct CronFieldSpec {
  const char* name;
  int lo, hi;
};
constexpr std::array<CronFieldSpec, 5> kCronFields = {{
    {"minute", 0, 59},
    {"hour", 0, 23},
    {"day-of-month", 1, 31},
    {"month", 1, 12},
    {"day-of-week", 0, 7},
}};

/// Parses one cron field (`text` is the field, `base` its offset in the schedule) into `bits`.
std::optional<GrammarError> ParseCronField(std::string_view text, size_t base,
                                           const CronFieldSpec& spec, std::bitset<64>& bits) {
  struct Term {
    bool star = false;
    std::string_view lo, hi, step;
    It slash = nullptr;
  };
  std::vector<Term> terms;
  Term cur;
  auto set = [](std::string_view& dst) {
    return [&dst](auto& ctx) { dst = View(x3::_attr(ctx)); };
  };
  auto const number = x3::raw[+kDigit];
  auto const range_end = x3::rule<class RangeEndTag>{"range end"} = number[set(cur.hi)];
  auto const step = x3::rule<class StepTag>{"step"} = number[set(cur.step)];
  auto const value = x3::rule<class ValueTag>{"value"} =
      x3::eps[([&](auto&) { cur = Term{}; })] >> (x3::lit('*')[([&](auto&) { cur.star = true; })] |
                                                  (number[set(cur.lo)] >> -('-' > range_end))) >>
      -(x3::raw[x3::lit('/')][([&](auto& ctx) { cur.slash = x3::_attr(ctx).begin(); })] > step) >>
      x3::eps[([&](auto&) { terms.push_back(cur); })];
  Outcome out = Run(text, x3::eps > value > *(',' > value) > kEnd);

  const std::string name = spec.name;
  auto error = [&](size_t offset, size_t length, std::string message) {
    return GrammarError{base + offset, std::max<size_t>(length, 1), std::move(message)};
  };
  auto offset_of = [&](std::string_view part) {
    return static_cast<size_t>(part.data() - text.data());
  };
  // Only complete terms were recorded, and they all lie left of any syntax error, so
  // their values are checked first.
  for (const Term& t : terms) {
    auto value_of = [&](std::string_view digits) -> std::optional<int> {
      int v = 0;
      for (char c : digits) {
        v = v * 10 + (c - '0');
        if (v > spec.hi) break;  // also keeps huge numbers from overflowing
      }
      if (v < spec.lo || v > spec.hi) return std::nullopt;
      return v;
    };
    int lo = spec.lo, hi = spec.hi, stride = 1;
    if (!t.star) {
      auto l = value_of(t.lo);
      if (!l)
        return error(offset_of(t.lo), t.lo.size(),
                     name + " " + std::string(t.lo) + " out of range " + std::to_string(spec.lo) +
                         "-" + std::to_string(spec.hi));
      lo = hi = *l;
      if (!t.hi.empty()) {
        auto h = value_of(t.hi);
        if (!h)
          return error(offset_of(t.hi), t.hi.size(),
                       name + " " + std::string(t.hi) + " out of range " + std::to_string(spec.lo) +
                           "-" + std::to_string(spec.hi));
        if (*h < lo) {
          std::string_view range(t.lo.data(), t.hi.data() + t.hi.size() - t.lo.data());
          return error(offset_of(t.lo), range.size(),
                       "reversed range " + std::string(range) + " in the " + name +
                           " field; write the smaller number first");
        }
        hi = *h;
      }
    }
    if (t.slash) {
      size_t slash_at = static_cast<size_t>(t.slash - text.data());
      if (!t.star && t.hi.empty())
        return error(slash_at, 1,
                     "a step needs '*' or a range before '/' (e.g. */15 or " + std::string(t.lo) +
                         "-" + std::to_string(spec.hi) + "/15)");
      int max_step = spec.hi - spec.lo;
      int v = 0;
      for (char c : t.step) v = std::min(v * 10 + (c - '0'), max_step + 1);
      if (v == 0) return error(offset_of(t.step), t.step.size(), "step must be positive");
      if (v > max_step)
        return error(offset_of(t.step), t.step.size(),
                     "step " + std::string(t.step) + " out of range 1-" + std::to_string(max_step) +
                         " for the " + name + " field");
      stride = v;
    }
    for (int v = lo; v <= hi; v += stride) bits.set(v);
  }
  if (out.ok) return std::nullopt;

  size_t where = out.offset, len = CharLength(text, where);
  // The field ends before the text does, so "end of text" would be misleading there.
  std::string found = where < text.size() ? ", found " + CharAt(text, where) : "";
  if (out.which == "range end")
    return error(where, len, "expected a number after '-' in the " + name + " field" + found);
  if (out.which == "step")
    return error(where, len,
                 "expected a step number after '/' in the " + name + " field (e.g. */15)" + found);
  if (out.which == "value") {
    if (where < text.size() && std::isalpha(static_cast<unsigned char>(text[where])))
      return error(where, len,
                   "names are not supported in cron fields; use numbers (" + name + " " +
                       std::to_string(spec.lo) + "-" + std::to_string(spec.hi) +
                       (spec.lo == 0 && spec.hi == 7 ? ", 0 and 7 = Sunday)" : ")"));
    return error(where, len, "expected a number or '*' in the " + name + " field" + found);
  }
  return error(where, len, "unexpected " + CharAt(text, where) + " in the " + name + " field");
}

/// True if some selected day of month exists in some selected month (Feb 29 counts).
bool DomFitsMonths(const CronFields& f) {
  for (unsigned m = 1; m <= 12; ++m) {
    if (!f.months[m]) continue;
    int days = m == 2 ? 29 : DaysInMonth(2001, m);
    for (int d = 1; d <= days; ++d)
      if (f.days_of_month[d]) return true;
  }
  return false;
}

ParseResult<Schedule> ParseCron(std::string_view text) {
  std::vector<std::string_view> fields;
  auto const colon = x3::rule<class CronColonTag>{"colon"} = x3::lit(':');
  auto const spaces = x3::rule<class SpacesTag>{"spaces"} = +x3::lit(' ');
  auto const field =
      x3::raw[+(x3::char_ - ' ')][([&](auto& ctx) { fields.push_back(View(x3::_attr(ctx))); })];
  // Trailing spaces were rejected by the caller, so `spaces` is always followed by a field.
  Outcome out = Run(text, x3::lit("cron") > colon > spaces > (field % +x3::lit(' ')) > kEnd);
  if (!out.ok) {
    size_t where = out.offset;
    if (out.which == "colon")
      return Fail<Schedule>(
          where, CharLength(text, where),
          "expected ':' after 'cron' (e.g. 'cron: */15 * * * *'), found " + CharAt(text, where));
    return Fail<Schedule>(
        where, CharLength(text, where),
        "expected a space and 5 cron fields after 'cron:', found " + CharAt(text, where));
  }
  auto offset_of = [&](std::string_view part) {
    return static_cast<size_t>(part.data() - text.data());
  };
  if (fields.size() != kCronFields.size()) {
    std::string message = "expected 5 cron fields, found " + std::to_string(fields.size());
    if (fields.size() < kCronFields.size()) return Fail<Schedule>(text.size(), 1, message);
    size_t extra = offset_of(fields[kCronFields.size()]);
    return Fail<Schedule>(extra, text.size() - extra,
                          message + " (seconds and year fields are not supported)");
  }

  Schedule s;
  s.kind = Schedule::Kind::Cron;
  CronFields& f = s.cron_fields;
  std::array<std::bitset<64>, 5> bits;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (auto err = ParseCronField(fields[i], offset_of(fields[i]), kCronFields[i], bits[i]))
      return Fail<Schedule>(err->offset, err->length, std::move(err->message));
    if (i) s.cron += ' ';
    s.cron += fields[i];
  }
  for (size_t v = 0; v < 60; ++v) f.minutes[v] = bits[0][v];
  for (size_t v = 0; v < 24; ++v) f.hours[v] = bits[1][v];
  for (size_t v = 1; v <= 31; ++v) f.days_of_month[v] = bits[2][v];
  for (size_t v = 1; v <= 12; ++v) f.months[v] = bits[3][v];
  for (size_t v = 0; v < 7; ++v) f.days_of_week[v] = bits[4][v];
  if (bits[4][7]) f.days_of_week[0] = true;  // 7 is another spelling of Sunday
  f.dom_restricted = fields[2][0] != '*';
  f.dow_restricted = fields[4][0] != '*';
  // A day-of-week restriction alone always matches some day; a day-of-month alone may not.
  if (!(f.dom_restricted && f.dow_restricted) && !DomFitsMonths(f))
    return Fail<Schedule>(offset_of(fields[2]), fields[2].size(),
                          "day-of-month " + std::string(fields[2]) +
                              " never occurs in the selected months; this schedule would "
                              "never run");
  return Ok(std::move(s));
}

// ---------------------------------------------------------------------------
// Secret references and ship targets

constexpr std::string_view kSecretForms = "expected env:NAME or file:PATH";

ParseResult<SecretRef> ParseSecretEnv(std::string_view text) {
  SecretRef ref;
  ref.kind = SecretRef::Kind::Env;
  auto const name = x3::rule<class EnvNameTag>{"name"} =
      x3::raw[x3::char_("A-Za-z_") >> *x3::char_("A-Za-z0-9_")]
             [([&](auto& ctx) { ref.target = std::string(View(x3::_attr(ctx))); })];
  Outcome out = Run(text, x3::lit("env:") > name > kEnd);
  if (out.ok) return Ok(std::move(ref));
  size_t where = out.offset, len = CharLength(text, where);
  if (out.which == "name") {
    if (where >= text.size())
      return Fail<SecretRef>(where, 1, "missing variable name after 'env:'");
    return Fail<SecretRef>(
        where, len,
        "environment variable name must start with a letter or '_', found " + CharAt(text, where));
  }
  return Fail<SecretRef>(where, len,
                         "invalid character " + CharAt(text, where) +
                             " in environment variable name; use letters, digits and '_'");
}

ParseResult<SecretRef> ParseSecretFile(std::string_view text) {
  SecretRef ref;
  ref.kind = SecretRef::Kind::File;
  auto const control = x3::char_('\x00', '\x1f') | x3::lit('\x7f');
  auto const path = x3::rule<class PathTag>{"path"} =
      x3::raw[+(x3::char_ - control)]
             [([&](auto& ctx) { ref.target = std::string(View(x3::_attr(ctx))); })];
  Outcome out = Run(text, x3::lit("file:") > path > kEnd);
  if (out.ok) return Ok(std::move(ref));
  size_t where = out.offset;
  if (where >= text.size()) return Fail<SecretRef>(where, 1, "missing path after 'file:'");
  return Fail<SecretRef>(where, 1, "control character " + CharAt(text, where) + " in file path");
}

bool IsIdentifier(std::string_view s) {
  if (s.empty() || IsDigit(s[0])) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || IsDigit(c) || c == '_';
  });
}

}  // namespace

// ---------------------------------------------------------------------------
// Public API

ParseResult<Schedule> ParseSchedule(std::string_view text) {
  if (text.empty()) return Fail<Schedule>(0, 1, "empty schedule; " + std::string(kScheduleForms));
  if (IsSpace(text.front())) {
    size_t n = 0;
    while (n < text.size() && IsSpace(text[n])) ++n;
    return Fail<Schedule>(0, n, "leading whitespace is not allowed");
  }
  if (IsSpace(text.back())) {
    size_t begin = text.size();
    while (IsSpace(text[begin - 1])) --begin;
    return Fail<Schedule>(begin, text.size() - begin, "trailing whitespace is not allowed");
  }
  if (IsDigit(text[0])) return ParseInterval(text);
  if (text.starts_with("hourly")) return ParseHourly(text);
  if (text.starts_with("daily")) return ParseDaily(text);
  if (text.starts_with("cron")) return ParseCron(text);

  if (text[0] == '-' && text.size() > 1 && IsDigit(text[1]))
    return Fail<Schedule>(0, 1, "interval must be positive");
  size_t word_end = 0;
  while (word_end < text.size() && !IsSpace(text[word_end]) && word_end < 40) ++word_end;
  std::string word(text.substr(0, word_end));
  std::string lower = word;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string hint;
  for (const char* keyword : {"hourly", "daily", "cron"})
    if (std::string_view(lower).starts_with(keyword))
      hint = " (keywords are lower-case: '" + std::string(keyword) + "')";
  return Fail<Schedule>(
      0, word_end, "unknown schedule '" + word + "'" + hint + "; " + std::string(kScheduleForms));
}

ParseResult<SecretRef> ParseSecretRef(std::string_view text) {
  if (text.starts_with("env:")) return ParseSecretEnv(text);
  if (text.starts_with("file:")) return ParseSecretFile(text);
  if (text.empty())
    return Fail<SecretRef>(0, 1, "empty secret reference; " + std::string(kSecretForms));
  size_t colon = text.find(':');
  if (colon == 0)
    return Fail<SecretRef>(0, 1, "missing secret source before ':'; " + std::string(kSecretForms));
  if (colon == std::string_view::npos) {
    std::string hint = IsIdentifier(text) ? " (e.g. env:" + std::string(text) + ")" : "";
    return Fail<SecretRef>(0, text.size(),
                           "missing secret source; " + std::string(kSecretForms) + hint);
  }
  return Fail<SecretRef>(0, colon,
                         "unknown secret source '" + std::string(text.substr(0, colon)) + "'; " +
                             std::string(kSecretForms));
}

ParseResult<ShipTarget> ParseShipTarget(std::string_view text) {
  constexpr std::string_view kForm = "expected CARRIER/SERVICE (e.g. UPS/GROUND)";
  if (text.empty()) return Fail<ShipTarget>(0, 1, "empty ship target; " + std::string(kForm));
  ShipTarget target;
  auto part = [](std::string& out) {
    return x3::raw[x3::char_("A-Za-z0-9") >> *x3::char_("-A-Za-z0-9_.")]
                  [([&out](auto& ctx) { out = std::string(View(x3::_attr(ctx))); })];
  };
  auto const carrier = part(target.carrier);
  auto const slash = x3::rule<class SlashTag>{"slash"} = x3::lit('/');
  auto const service = x3::rule<class ServiceTag>{"service"} = part(target.service);
  Outcome out = Run(text, carrier > slash > service > kEnd);
  if (out.ok) return Ok(std::move(target));

  size_t where = out.offset, len = CharLength(text, where);
  std::string found = CharAt(text, where);
  constexpr std::string_view kAllowed = " (allowed: letters, digits, '_', '.', '-')";
  if (out.which.empty()) {  // the carrier did not even start
    if (text[0] == '/')
      return Fail<ShipTarget>(0, 1, "missing carrier before '/'; " + std::string(kForm));
    return Fail<ShipTarget>(0, len, "carrier must start with a letter or digit, found " + found);
  }
  if (out.which == "slash") {
    if (where >= text.size())
      return Fail<ShipTarget>(where, 1,
                              "missing '/' between carrier and service; " + std::string(kForm));
    return Fail<ShipTarget>(where, len,
                            "invalid character " + found + " in carrier" + std::string(kAllowed));
  }
  if (out.which == "service") {
    if (where >= text.size() || text[where] == '/')
      return Fail<ShipTarget>(where, 1, "missing service after '/'; " + std::string(kForm));
    return Fail<ShipTarget>(where, len,
                            "service must start with a letter or digit, found " + found);
  }
  if (text[where] == '/')
    return Fail<ShipTarget>(where, 1,
                            "extra '/'; expected exactly one '/' between carrier and service");
  return Fail<ShipTarget>(where, len,
                          "invalid character " + found + " in service" + std::string(kAllowed));
}

}  // namespace cartsync
