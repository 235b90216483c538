#include "runtime/net/cost_limiter.h"

#include <algorithm>
#include <cmath>

namespace cartsync {
namespace {

// No wait a budget can announce is longer than this: a bucket that claims
// to refill slower (or a garbled answer) is not obeyed beyond it.
constexpr double kMaxWaitMs = 10 * 60'000;

int64_t WaitMs(double ms) {
  return static_cast<int64_t>(std::ceil(std::clamp(ms, 0.0, kMaxWaitMs)));
}

}  // namespace

double CostLimiter::LevelAt(int64_t now_ms) const {
  const double elapsed = static_cast<double>(std::max<int64_t>(0, now_ms - seen_ms_)) / 1000.0;
  return std::min(maximum_, available_ + restore_ * elapsed);
}

int64_t CostLimiter::DelayBeforeMs(double cost, int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  if (maximum_ < 0) return 0;
  cost = std::min(std::max(cost, 0.0), maximum_);
  // Grants may have moved the model's time past now (queued callers).
  const int64_t start = std::max(now_ms, seen_ms_);
  double level = LevelAt(start);
  int64_t go = start;
  if (level < cost - 1e-6) {  // not for rounding dust
    // Whole milliseconds, rounded up: at `go` the bucket holds the cost.
    go = start + WaitMs((cost - level) * 1000.0 / restore_);
    level = std::min(maximum_, level + restore_ * static_cast<double>(go - start) / 1000.0);
  }
  available_ = std::max(0.0, level - cost);
  seen_ms_ = go;
  return go - now_ms;
}

void CostLimiter::Observe(const CostBudget& budget, int64_t now_ms) {
  if (!std::isfinite(budget.maximum) || !std::isfinite(budget.available) ||
      !std::isfinite(budget.restore_per_second) || !(budget.maximum > 0) ||
      !(budget.restore_per_second > 0))
    return;
  std::lock_guard<std::mutex> lock(mu_);
  maximum_ = budget.maximum;
  restore_ = budget.restore_per_second;
  available_ = std::clamp(budget.available, 0.0, budget.maximum);
  seen_ms_ = now_ms;
}

int64_t CostLimiter::ThrottledWaitMs(double cost, const CostBudget& budget, int64_t now_ms,
                                     int64_t min_ms) {
  Observe(budget, now_ms);
  int64_t wait = min_ms;
  if (std::isfinite(cost) && std::isfinite(budget.available) && budget.restore_per_second > 0 &&
      cost > budget.available) {
    const double capped =
        budget.maximum > 0 && std::isfinite(budget.maximum) ? std::min(cost, budget.maximum) : cost;
    wait =
        std::max(min_ms, WaitMs((capped - budget.available) * 1000.0 / budget.restore_per_second));
  }
  return wait;
}

bool CostLimiter::known() const {
  std::lock_guard<std::mutex> lock(mu_);
  return maximum_ >= 0;
}

double CostLimiter::AvailableAt(int64_t now_ms) const {
  std::lock_guard<std::mutex> lock(mu_);
  return maximum_ < 0 ? -1 : LevelAt(now_ms);
}

}  // namespace cartsync
