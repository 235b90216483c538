// A Clock for tests: time moves only when the test (Advance) or the code
// under test (SleepMs) moves it, so schedules, leases, retry windows and
// backoff are tested without waiting.
#pragma once

#include <cstdint>
#include <mutex>
#include <vector>

#include "runtime/clock.h"

namespace cartsync {

/// Thread-safe: the runner's workers may read and sleep at once.
class FakeClock : public Clock {
 public:
  /// Starts at `start_ms`; the default is 1'795'000'000'000 ms,
  /// Wed, 18 Nov 2026 11:06:40 GMT.
  explicit FakeClock(int64_t start_ms = 1'795'000'000'000) : now_(start_ms) {}

  int64_t NowMs() override {
    std::lock_guard<std::mutex> lock(mu_);
    return now_;
  }
  /// Returns at once, the time `ms` later; the sleep is recorded.
  void SleepMs(int64_t ms) override {
    std::lock_guard<std::mutex> lock(mu_);
    now_ += ms;
    slept_ += ms;
    sleeps_.push_back(ms);
  }
  /// Moves the time on without a sleep (time passing between runs).
  void Advance(int64_t ms) {
    std::lock_guard<std::mutex> lock(mu_);
    now_ += ms;
  }
  /// The sum of every SleepMs so far.
  int64_t slept_ms() const {
    std::lock_guard<std::mutex> lock(mu_);
    return slept_;
  }
  /// Every SleepMs so far, in order (read it while nothing sleeps).
  const std::vector<int64_t>& sleeps() const { return sleeps_; }

 private:
  mutable std::mutex mu_;
  int64_t now_;
  int64_t slept_ = 0;
  std::vector<int64_t> sleeps_;
};

}  // namespace cartsync
