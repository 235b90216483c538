// Time behind an interface: schedules, leases, retry windows and backoff
// are tested with a fake clock that never sleeps (tests/support/fake_clock.h).
#pragma once

#include <cstdint>
#include <string>

namespace cartsync {

class Clock {
 public:
  virtual ~Clock() = default;
  /// Unix time in milliseconds.
  virtual int64_t NowMs() = 0;
  /// Waits `ms` (a fake advances its time instead).
  virtual void SleepMs(int64_t ms) = 0;
  /// Lets the other carts of this thread run before this one goes on (a
  /// cart running as a fiber goes to the back of the ready queue); nothing
  /// elsewhere and in fakes.
  virtual void Yield() {}
  int64_t NowSeconds() { return NowMs() / 1000; }
};

class SystemClock : public Clock {
 public:
  int64_t NowMs() override;
  void SleepMs(int64_t ms) override;
  void Yield() override;
};

/// "2026-11-20T10:00:00Z" for unix seconds (UTC).
std::string FormatIsoUtc(int64_t unix_seconds);
/// Parses ISO 8601 with Z or ±HH:MM offsets, and RFC 2822 ("Wed, 10 Jan 2018
/// 21:05:30 +0000"); returns false when neither.
bool ParseTimestamp(const std::string& text, int64_t& unix_seconds);

}  // namespace cartsync
