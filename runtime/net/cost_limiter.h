// Pacing for an API that charges each request a cost in points against a
// bucket announced in the response body, not in headers — Shopify GraphQL's
// `extensions.cost {requestedQueryCost, actualQueryCost, throttleStatus
// {maximumAvailable, currentlyAvailable, restoreRate}}`. The server admits a
// request when the bucket holds its requested (worst-case) cost, charges
// that, and refunds the difference to the actual cost after running it.
//
// CostLimiter models the bucket on the client: the level last reported,
// refilled at the restore rate since, minus the requests granted since. A
// request waits until the bucket holds its requested cost, so the server
// never has to refuse it (THROTTLED), while everything the bucket holds is
// spent: the only points left idle are the next request's own cost.
//
// Pure arithmetic over times the caller passes (unix ms): the caller sleeps
// on its own clock. Thread-safe: the requests of one store may share one.
#pragma once

#include <cstdint>
#include <mutex>

namespace cartsync {

/// What one response said of the budget.
struct CostBudget {
  double maximum = 0;             ///< maximumAvailable: the bucket's size
  double available = 0;           ///< currentlyAvailable after this request
  double restore_per_second = 0;  ///< restoreRate
};

class CostLimiter {
 public:
  /// How long a request of `cost` points must wait before it goes, from
  /// `now_ms`; the request is granted (the modelled level drops by `cost` at
  /// the time it may go), so the next caller waits for its own points.
  /// Nothing is known before the first Observe(): no wait. A cost above the
  /// bucket's size waits for a full bucket (the server decides then).
  int64_t DelayBeforeMs(double cost, int64_t now_ms);
  /// Replaces the model with what a response received at `now_ms` reported.
  /// Budgets with a non-positive size or rate are ignored.
  void Observe(const CostBudget& budget, int64_t now_ms);
  /// After the server refused a request of `cost` (THROTTLED) and reported
  /// `budget`: the wait until the bucket holds it, (cost - available) /
  /// restore rate, at least `min_ms`; also observed.
  int64_t ThrottledWaitMs(double cost, const CostBudget& budget, int64_t now_ms,
                          int64_t min_ms = 100);
  /// Whether a budget has been observed.
  bool known() const;
  /// The modelled level at `now_ms` (points available), -1 when unknown.
  double AvailableAt(int64_t now_ms) const;

 private:
  double LevelAt(int64_t now_ms) const;  // mu_ held

  mutable std::mutex mu_;
  double maximum_ = -1;   // -1: nothing observed yet
  double available_ = 0;  // at seen_ms_, after the grants since
  double restore_ = 0;    // points per second
  int64_t seen_ms_ = 0;
};

}  // namespace cartsync
