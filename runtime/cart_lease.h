// One run per cart at a time: a cart's steps run under its lease in the
// state store. The lease is taken before anything touches the cart, renewed
// before each step (a run that lost it stops there) and released at the
// end, or by the destructor when the holder is left early.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "runtime/clock.h"
#include "runtime/process_table.h"
#include "runtime/run_log.h"
#include "runtime/state/state_store.h"

namespace cartsync {

/// This host's name as leases and run records give it ("unknown" when the
/// system will not say).
std::string HostName();

class CartLease {
 public:
  /// Takes `cart_id`'s lease for `owner` until now + `lease_ms`. When a run
  /// on this host holds it and `processes` knows that run has ended (killed,
  /// out of memory), takes it over with a warning in `log`: the dead run's
  /// unfinished side effects are reconciled like after any crash. Otherwise
  /// Locked, the message naming the holder, or the store's error.
  static Result<std::unique_ptr<CartLease>> Acquire(StateStore& store, Clock& clock, RunLog& log,
                                                    ProcessTable& processes,
                                                    const std::string& cart_id,
                                                    const std::string& owner, int64_t lease_ms);
  /// Acquire for a run of the steps `due` (ids with the last success the
  /// run judged them by; empty: no re-check) through LeaseStore::ClaimCart:
  /// the lease is judged on the store's clock and `due` re-checked in the
  /// same transaction. `stale` gets the steps another run completed since
  /// (skip them); nullptr (Ok) when that is all of `due`: nothing was taken.
  static Result<std::unique_ptr<CartLease>> Claim(StateStore& store, Clock& clock, RunLog& log,
                                                  ProcessTable& processes,
                                                  const std::string& cart_id,
                                                  const std::string& owner, int64_t lease_ms,
                                                  const std::vector<SeenStep>& due,
                                                  std::vector<std::string>* stale);
  CartLease(const CartLease&) = delete;
  CartLease& operator=(const CartLease&) = delete;
  /// Releases the lease unless Release() was called (its error is lost).
  ~CartLease();

  /// Extends the lease by `lease_ms` from now. Locked ("lost the cart's
  /// lease: …") when another run has it now, or the store's error.
  Status Renew();
  /// Gives the lease up. Ok also when it was lost already; otherwise an
  /// error saying later runs skip the cart until the lease expires.
  Status Release();

 private:
  CartLease(StateStore& store, Clock& clock, std::string cart_id, std::string owner,
            int64_t lease_ms);

  StateStore& store_;
  Clock& clock_;
  std::string cart_id_, owner_;
  int64_t lease_ms_;
  bool released_ = false;
};

}  // namespace cartsync
