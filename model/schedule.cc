// Schedule evaluation: calendar arithmetic (proleptic Gregorian, UTC) for
// NextAfter and the cron periods. Shared by the compiler (frequency bounds)
// and the runtime (--due) without either pulling in the X3 parser.
#include "model/schedule.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <limits>
#include <map>
#include <mutex>
#include <utility>
#include <vector>

#include "model/secret_ref.h"

namespace cartsync {

int DaysInMonth(int64_t year, unsigned month) {
  static constexpr std::array<int, 13> kDays = {0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month];
}

namespace {

constexpr int64_t kNever = std::numeric_limits<int64_t>::max();

// Calendar arithmetic for NextAfter and the cron periods (proleptic Gregorian, UTC).

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if (a % b != 0 && ((a < 0) != (b < 0))) --q;
  return q;
}

/// A day walked forward one at a time; cheaper than converting each day number.
struct Day {
  int64_t number;  ///< days since 1970-01-01
  int64_t year;
  unsigned month, day, weekday;  ///< weekday 0 = Sunday

  /// Howard Hinnant's civil_from_days.
  static Day FromNumber(int64_t z) {
    Day d{z, 0, 0, 0, 0};
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d.day = doy - (153 * mp + 2) / 5 + 1;
    d.month = mp < 10 ? mp + 3 : mp - 9;
    d.year = yoe + era * 400 + (d.month <= 2);
    d.weekday = static_cast<unsigned>(((d.number % 7) + 7 + 4) % 7);  // 1970-01-01 was a Thursday
    return d;
  }
  void Next() {
    ++number;
    weekday = (weekday + 1) % 7;
    if (static_cast<int>(++day) > DaysInMonth(year, month)) {
      day = 1;
      if (++month > 12) {
        month = 1;
        ++year;
      }
    }
  }
};

/// 400 Gregorian years: the calendar (dates and weekdays) repeats exactly after this.
constexpr int64_t kCycleDays = 146097;

bool DayMatches(const CronFields& f, const Day& d) {
  if (!f.months[d.month]) return false;
  bool dom = f.days_of_month[d.day], dow = f.days_of_week[d.weekday];
  return f.dom_restricted && f.dow_restricted ? dom || dow : dom && dow;
}

/// Firing minutes within a matching day, ascending.
std::vector<int> MinutesOfDay(const CronFields& f) {
  std::vector<int> out;
  for (int h = 0; h < 24; ++h)
    if (f.hours[h])
      for (int m = 0; m < 60; ++m)
        if (f.minutes[m]) out.push_back(h * 60 + m);
  return out;
}

struct Gaps {
  int64_t min = 0, max = 0;  // seconds
};

// Every matching day has the same firing minutes, so gaps are either within a day or
// from the last run of one matching day to the first of the next. Walking one full cycle
// (and wrapping around) sees every gap that can ever occur; it takes well under 1 ms.
Gaps CronGapsUncached(const CronFields& f) {
  std::vector<int> minutes = MinutesOfDay(f);
  if (minutes.empty()) return {};
  int64_t lo = std::numeric_limits<int64_t>::max(), hi = 0;
  for (size_t i = 1; i < minutes.size(); ++i) {
    lo = std::min<int64_t>(lo, minutes[i] - minutes[i - 1]);
    hi = std::max<int64_t>(hi, minutes[i] - minutes[i - 1]);
  }
  const int64_t first_minute = minutes.front(), last_minute = minutes.back();
  auto between_days = [&](int64_t days) { return days * 1440 - last_minute + first_minute; };
  if (!f.dom_restricted && !f.dow_restricted && f.months.count() == 12) {
    // Every day matches: the only cross-day gap is from one day to the next.
    return {std::min(lo, between_days(1)) * 60, std::max(hi, between_days(1)) * 60};
  }
  int64_t first_day = -1, prev_day = -1;
  Day d = Day::FromNumber(0);
  for (int64_t i = 0; i < kCycleDays; ++i, d.Next()) {
    if (!DayMatches(f, d)) continue;
    if (prev_day >= 0) {
      lo = std::min(lo, between_days(i - prev_day));
      hi = std::max(hi, between_days(i - prev_day));
    } else {
      first_day = i;
    }
    prev_day = i;
  }
  if (first_day < 0) return {};
  lo = std::min(lo, between_days(first_day + kCycleDays - prev_day));
  hi = std::max(hi, between_days(first_day + kCycleDays - prev_day));
  return {lo * 60, hi * 60};
}

// Walking the calendar costs about a millisecond; checking thousands of
// carts that share a handful of cron strings should pay it once each.
Gaps CronGaps(const CronFields& f) {
  static std::mutex mu;
  static std::map<std::string, Gaps> cache;
  std::string key = f.minutes.to_string() + f.hours.to_string() + f.days_of_month.to_string() +
                    f.months.to_string() + f.days_of_week.to_string() +
                    (f.dom_restricted ? "d" : "-") + (f.dow_restricted ? "w" : "-");
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = cache.find(key);
    if (it != cache.end()) return it->second;
  }
  Gaps g = CronGapsUncached(f);
  std::lock_guard<std::mutex> lock(mu);
  if (cache.size() < 4096) cache.emplace(std::move(key), g);
  return g;
}

int64_t CronNextAfter(const CronFields& f, int64_t t) {
  std::vector<int> minutes = MinutesOfDay(f);
  if (minutes.empty()) return kNever;
  int64_t start = FloorDiv(t, 60) + 1;  // first whole minute strictly after t
  int64_t day_number = FloorDiv(start, 1440);
  int from = static_cast<int>(start - day_number * 1440);
  Day d = Day::FromNumber(day_number);
  for (int64_t i = 0; i <= kCycleDays; ++i, d.Next(), from = 0) {
    if (!DayMatches(f, d)) continue;
    auto it = std::lower_bound(minutes.begin(), minutes.end(), from);
    if (it == minutes.end()) continue;
    int64_t result;
    if (__builtin_mul_overflow(d.number, 86400, &result) ||
        __builtin_add_overflow(result, int64_t{*it} * 60, &result))
      return kNever;
    return result;
  }
  return kNever;
}

/// The smallest multiple of `step` (from `offset`) strictly after t, or kNever on overflow.
int64_t NextOnGrid(int64_t t, int64_t step, int64_t offset) {
  int64_t shifted, result;
  if (__builtin_sub_overflow(t, offset, &shifted)) return kNever;
  if (__builtin_mul_overflow(FloorDiv(shifted, step) + 1, step, &result) ||
      __builtin_add_overflow(result, offset, &result))
    return kNever;
  return result;
}

}  // namespace

int64_t Schedule::MinPeriodSeconds() const {
  switch (kind) {
    case Kind::Interval:
      return interval_seconds;
    case Kind::Hourly:
      return 3600;
    case Kind::Daily:
      return 86400;  // UTC; a zone with DST shortens one day a year (runtime issue)
    case Kind::Cron:
      return CronGaps(cron_fields).min;
  }
  return 0;
}

int64_t Schedule::MaxPeriodSeconds() const {
  switch (kind) {
    case Kind::Interval:
      return interval_seconds;
    case Kind::Hourly:
      return 3600;
    case Kind::Daily:
      return 86400;
    case Kind::Cron:
      return CronGaps(cron_fields).max;
  }
  return 0;
}

int64_t Schedule::NextAfter(int64_t t) const {
  switch (kind) {
    case Kind::Interval:
      return interval_seconds > 0 ? NextOnGrid(t, interval_seconds, 0) : kNever;
    case Kind::Hourly:
      return NextOnGrid(t, 3600, 0);
    case Kind::Daily:
      // As UTC; the runtime applies the zone (runtime/time_zone.h).
      return NextOnGrid(t, 86400, int64_t{hour} * 3600 + int64_t{minute} * 60);
    case Kind::Cron:
      return CronNextAfter(cron_fields, t);
  }
  return kNever;
}

std::string Schedule::Canonical() const {
  switch (kind) {
    case Kind::Interval: {
      static constexpr std::array<std::pair<int64_t, char>, 3> kUnits = {
          {{86400, 'd'}, {3600, 'h'}, {60, 'm'}}};
      for (auto [seconds, unit] : kUnits)
        if (interval_seconds != 0 && interval_seconds % seconds == 0)
          return std::to_string(interval_seconds / seconds) + unit;
      return std::to_string(interval_seconds) + "s";
    }
    case Kind::Hourly:
      return "hourly";
    case Kind::Daily: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "daily at %02d:%02d", hour, minute);
      return tz.empty() ? std::string(buf) : std::string(buf) + " " + tz;
    }
    case Kind::Cron:
      return "cron: " + cron;
  }
  return {};
}

std::string SecretRef::Text() const { return (kind == Kind::Env ? "env:" : "file:") + target; }

}  // namespace cartsync
