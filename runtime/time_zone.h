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
};

/// The system's tz database (TZDIR, default /usr/share/zoneinfo), evaluated
/// by the C library. Switches the process's TZ while it computes: call it
/// while no other thread runs (Runner does, before its workers start).
std::unique_ptr<TimeZones> MakeSystemTimeZones();

}  // namespace cartsync
