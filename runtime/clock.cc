#include "runtime/clock.h"

#include <boost/fiber/context.hpp>
#include <boost/fiber/operations.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <string_view>
#include <thread>

#include "base/strings.h"

namespace cartsync {

int64_t SystemClock::NowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// boost::this_fiber::sleep_for suspends only the calling fiber: a cart the
// runner runs as a fiber (runner.cc) parks in its rate-limit wait or backoff
// and its thread runs the other carts meanwhile. A thread's own (main)
// context sleeps the thread instead: Boost.Fiber would switch it to its
// dispatcher's stack, a switch AddressSanitizer is not told of (Debian's
// Boost.Context has no sanitizer hooks), which leaves false stack poison.
void SystemClock::SleepMs(int64_t ms) {
  if (ms <= 0) return;
  if (boost::fibers::context::active()->is_context(boost::fibers::type::worker_context))
    boost::this_fiber::sleep_for(std::chrono::milliseconds(ms));
  else
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

void SystemClock::Yield() {
  if (boost::fibers::context::active()->is_context(boost::fibers::type::worker_context))
    boost::this_fiber::yield();
}

std::string FormatIsoUtc(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  if (gmtime_r(&t, &tm) == nullptr) return "";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

namespace {

// A tiny cursor over the text: every parser below is byte-based, ASCII only,
// and independent of the process locale and time zone.
class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}
  bool done() const { return i_ >= s_.size(); }
  char peek() const { return done() ? '\0' : s_[i_]; }
  bool Eat(char c) {
    if (peek() != c || done()) return false;
    ++i_;
    return true;
  }
  /// Exactly `n` digits.
  bool Digits(int n, int& out) {
    if (s_.size() - i_ < static_cast<size_t>(n)) return false;
    int v = 0;
    for (int k = 0; k < n; ++k) {
      char c = s_[i_ + k];
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
    }
    i_ += n;
    out = v;
    return true;
  }
  /// Between `min` and `max` digits.
  bool DigitsRange(int min, int max, int& out) {
    int v = 0, n = 0;
    while (n < max && !done() && s_[i_] >= '0' && s_[i_] <= '9') {
      v = v * 10 + (s_[i_] - '0');
      ++i_;
      ++n;
    }
    if (n < min) return false;
    out = v;
    return true;
  }
  bool Spaces(bool required) {
    size_t start = i_;
    while (!done() && (s_[i_] == ' ' || s_[i_] == '\t')) ++i_;
    return !required || i_ > start;
  }
  std::string_view Word() {
    size_t start = i_;
    while (!done() && ((s_[i_] >= 'A' && s_[i_] <= 'Z') || (s_[i_] >= 'a' && s_[i_] <= 'z'))) ++i_;
    return s_.substr(start, i_ - start);
  }

 private:
  std::string_view s_;
  size_t i_ = 0;
};

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

/// Validates the fields and converts them (as UTC) minus `offset_seconds`.
bool ToUnix(int year, int month, int day, int hour, int minute, int second, int offset_seconds,
            int64_t& out) {
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month) ||
      hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) {
    return false;
  }
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;  // a leap second (60) normalises to the next minute
  std::time_t t = timegm(&tm);
  out = static_cast<int64_t>(t) - offset_seconds;
  return true;
}

/// "+02:00", "-0500", "+02", "Z"/"z". Sets `offset_seconds` (east positive).
bool NumericOffset(Cursor& c, int& offset_seconds) {
  int sign = 0;
  if (c.Eat('+'))
    sign = 1;
  else if (c.Eat('-'))
    sign = -1;
  else
    return false;
  int hh = 0, mm = 0;
  if (!c.Digits(2, hh)) return false;
  if (c.Eat(':')) {
    if (!c.Digits(2, mm)) return false;
  } else if (!c.done()) {
    if (!c.Digits(2, mm)) return false;
  }
  if (hh > 23 || mm > 59) return false;
  offset_seconds = sign * (hh * 3600 + mm * 60);
  return true;
}

// ISO 8601 / RFC 3339: YYYY-MM-DD, optionally followed by T (or a space)
// hh:mm[:ss[.fraction]] and Z / ±hh:mm / ±hhmm / ±hh. A bare date is midnight
// UTC; a date-time without a zone is read as UTC (WooCommerce's *_gmt fields).
bool ParseIso(std::string_view s, int64_t& out) {
  Cursor c(s);
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, off = 0;
  if (!c.Digits(4, y) || !c.Eat('-') || !c.Digits(2, mo) || !c.Eat('-') || !c.Digits(2, d)) {
    return false;
  }
  if (c.done()) return ToUnix(y, mo, d, 0, 0, 0, 0, out);
  if (!c.Eat('T') && !c.Eat('t') && !c.Eat(' ')) return false;
  if (!c.Digits(2, h) || !c.Eat(':') || !c.Digits(2, mi)) return false;
  if (c.Eat(':')) {
    if (!c.Digits(2, sec)) return false;
    if (c.Eat('.') || c.Eat(',')) {
      int ignored = 0;
      // Fractions are truncated; at most nanoseconds-ish precision accepted.
      if (!c.DigitsRange(1, 9, ignored)) return false;
      while (!c.done() && c.peek() >= '0' && c.peek() <= '9') c.Eat(c.peek());
    }
  }
  if (c.Eat('Z') || c.Eat('z')) {
    off = 0;
  } else if (c.peek() == '+' || c.peek() == '-') {
    if (!NumericOffset(c, off)) return false;
  }
  if (!c.done()) return false;
  return ToUnix(y, mo, d, h, mi, sec, off, out);
}

int MonthFromName(std::string_view name) {
  static const char* kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                  "jul", "aug", "sep", "oct", "nov", "dec"};
  for (int i = 0; i < 12; ++i) {
    if (EqualsIgnoreCase(name, kMonths[i])) return i + 1;
  }
  return 0;
}

bool IsDayName(std::string_view name) {
  static const char* kDays[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
  for (const char* d : kDays) {
    if (EqualsIgnoreCase(name, d)) return true;
  }
  return false;
}

// RFC 2822 / RFC 1123 (HTTP-date): [Day,] D Mon YYYY hh:mm[:ss] zone, where
// zone is ±hhmm, GMT, UT, UTC, Z or a US zone name (RFC 2822 obsolete zones).
bool ParseRfc2822(std::string_view s, int64_t& out) {
  Cursor c(s);
  c.Spaces(false);
  {
    Cursor probe = c;
    std::string_view w = probe.Word();
    if (!w.empty()) {
      if (!IsDayName(w)) return false;
      c = probe;
      if (!c.Eat(',')) return false;
      c.Spaces(false);
    }
  }
  int d = 0, y = 0, h = 0, mi = 0, sec = 0, off = 0;
  if (!c.DigitsRange(1, 2, d) || !c.Spaces(true)) return false;
  int mo = MonthFromName(c.Word());
  if (mo == 0 || !c.Spaces(true)) return false;
  // Digits() consumes nothing when it fails, so the two-digit form (RFC 2822
  // obsolete syntax) can be tried after the four-digit one.
  if (!c.Digits(4, y)) {
    if (!c.Digits(2, y)) return false;
    y += y < 50 ? 2000 : 1900;
  }
  if (!c.Spaces(true)) return false;
  if (!c.Digits(2, h) || !c.Eat(':') || !c.Digits(2, mi)) return false;
  if (c.Eat(':') && !c.Digits(2, sec)) return false;
  if (!c.Spaces(true)) return false;
  if (c.peek() == '+' || c.peek() == '-') {
    int sign = c.peek() == '+' ? 1 : -1;
    c.Eat(c.peek());
    int hh = 0, mm = 0;
    if (!c.Digits(2, hh) || !c.Digits(2, mm) || hh > 23 || mm > 59) return false;
    off = sign * (hh * 3600 + mm * 60);
  } else {
    std::string_view zone = c.Word();
    static const struct {
      const char* name;
      int hours;
    } kZones[] = {{"GMT", 0},  {"UT", 0},   {"UTC", 0},  {"Z", 0},    {"EST", -5}, {"EDT", -4},
                  {"CST", -6}, {"CDT", -5}, {"MST", -7}, {"MDT", -6}, {"PST", -8}, {"PDT", -7}};
    bool found = false;
    for (const auto& z : kZones) {
      if (EqualsIgnoreCase(zone, z.name)) {
        off = z.hours * 3600;
        found = true;
        break;
      }
    }
    if (!found) return false;
  }
  c.Spaces(false);
  if (!c.done()) return false;
  return ToUnix(y, mo, d, h, mi, sec, off, out);
}

}  // namespace

bool ParseTimestamp(const std::string& text, int64_t& unix_seconds) {
  std::string_view s = Trim(text);
  if (s.empty()) return false;
  int64_t v = 0;
  if (ParseIso(s, v) || ParseRfc2822(s, v)) {
    unix_seconds = v;
    return true;
  }
  return false;
}

}  // namespace cartsync
