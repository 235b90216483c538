// Wall-clock schedules in a named zone (`every = "daily at 02:30
// Europe/Berlin"`): the tz database through the C library, behind an
// interface so tests can pin the zone rules.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "base/status.h"

namespace cartsync {

class TimeZones {
 public:
  virtual ~TimeZones() = default;
  /// The first unix time strictly after `t` at which the wall clock in
  /// `zone` (an IANA name) shows hour:minute. A time that a daylight-saving
  /// change skips runs that day shifted by the change; a time that occurs
  /// twice runs once. Permanent when the zone is unknown.
  virtual Result<int64_t> NextDaily(const std::string& zone, int hour, int minute, int64_t t) = 0;
  /// The unix time of 00:00 on year-month-day in `zone` (an IANA name): how
  /// a merchant means a date (`earliest_order_date`). A midnight that a
  /// daylight-saving change skips is the first time of that day. Permanent
  /// when the zone is unknown; this default knows only "UTC".
  virtual Result<int64_t> StartOfDay(const std::string& zone, int year, int month, int day);
};

/// 00:00 UTC of year-month-day (proleptic Gregorian), in unix seconds.
int64_t UtcStartOfDay(int year, int month, int day);

/// The system's tz database (TZDIR, default /usr/share/zoneinfo), evaluated
/// by the C library. Switches the process's TZ while it computes (under a
/// mutex), replacing the variable in place: make it before other threads
/// run (Runner does), as it puts TZ (":/etc/localtime" when unset, the same
/// zone) into the environment then. NextDaily runs before the workers;
/// StartOfDay also under them (nothing of ours reads the local zone).
std::unique_ptr<TimeZones> MakeSystemTimeZones();

}  // namespace cartsync
