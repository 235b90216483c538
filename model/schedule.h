// A service's schedule (`every`): the typed value the compiler parses
// (compiler/grammar.h) and the runtime evaluates (NextAfter). Plain C++: no
// parser here, so the runtime does not pay for Spirit X3.
#pragma once

#include <bitset>
#include <cstdint>
#include <string>

namespace cartsync {

/// The five fields of a cron expression as sets of matching values.
struct CronFields {
  std::bitset<60> minutes;
  std::bitset<24> hours;
  std::bitset<32> days_of_month;  ///< 1..31 (bit 0 unused)
  std::bitset<13> months;         ///< 1..12 (bit 0 unused)
  std::bitset<7> days_of_week;    ///< 0 = Sunday .. 6; a written 7 sets bit 0
  /// Whether the field was written as something other than `*`/`*/n` (Vixie cron rule):
  /// when both are restricted a day matches if EITHER matches, otherwise both must.
  bool dom_restricted = false;
  bool dow_restricted = false;
};

/// A parsed `every` value. All times are unix seconds, UTC.
struct Schedule {
  enum class Kind { Interval, Hourly, Daily, Cron };
  Kind kind = Kind::Interval;
  int64_t interval_seconds = 0;  ///< Interval
  int hour = 0, minute = 0;      ///< Daily
  std::string tz;                ///< Daily: IANA zone name as written, empty = UTC
  std::string cron;              ///< Cron: the 5 fields, normalized to single spaces
  CronFields cron_fields;        ///< Cron

  /// Shortest possible gap between two consecutive runs, in seconds. Exact for cron
  /// (computed over a full 400-year Gregorian cycle); 0 for a cron that never fires.
  int64_t MinPeriodSeconds() const;
  /// Longest possible gap between two consecutive runs, in seconds.
  int64_t MaxPeriodSeconds() const;
  /// First run time strictly after unix time `t`. Intervals run on the grid of multiples
  /// of the interval since the epoch (15m runs at :00, :15, :30, :45); hourly at minute 0.
  /// Daily with a `tz` is computed here as if the zone were UTC; the runtime evaluates it
  /// in the zone (runtime/time_zone.h). Returns INT64_MAX if the schedule never fires (only
  /// possible for hand-built schedules; the parser rejects those) or the result would overflow.
  int64_t NextAfter(int64_t t) const;
  /// "15m" | "90s" | "2h" | "1d" (interval in the largest exact unit) | "hourly" |
  /// "daily at 02:30" | "daily at 02:30 Europe/Berlin" | "cron: */15 * * * *".
  std::string Canonical() const;
};

/// Days in `month` (1..12) of the proleptic Gregorian `year`.
int DaysInMonth(int64_t year, unsigned month);

}  // namespace cartsync
