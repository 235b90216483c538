#include "runtime/cart_lease.h"

#include <unistd.h>

namespace cartsync {

std::string HostName() {
  char buf[256] = {0};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

Result<std::unique_ptr<CartLease>> CartLease::Acquire(StateStore& store, Clock& clock, RunLog& log,
                                                      ProcessTable& processes,
                                                      const std::string& cart_id,
                                                      const std::string& owner, int64_t lease_ms) {
  return Claim(store, clock, log, processes, cart_id, owner, lease_ms, {}, nullptr);
}

Result<std::unique_ptr<CartLease>> CartLease::Claim(StateStore& store, Clock& clock, RunLog& log,
                                                    ProcessTable& processes,
                                                    const std::string& cart_id,
                                                    const std::string& owner, int64_t lease_ms,
                                                    const std::vector<SeenStep>& due,
                                                    std::vector<std::string>* stale) {
  LeaseClaim claim{
      .me = {cart_id, owner, HostName(), static_cast<int64_t>(::getpid()), 0, processes.Self()},
      .lease_ms = lease_ms,
      .now_ms = clock.NowMs(),
      .due = due};
  ClaimResult result;
  Status lease = store.ClaimCart(claim, &result);
  const LeaseInfo& holder = result.holder;
  if (lease.code() == StatusCode::Locked && holder.host == claim.me.host &&
      !holder.process.empty() && processes.Gone(holder.process)) {
    // The holder died on this host without releasing: rather than wait out
    // the lease, take it; the caller reconciles the dead run's unfinished
    // side effects, as after any crash.
    const std::string dead = holder.owner;
    log.Warn(cart_id, "",
             "taking over the lease of run " + dead + " (pid " + std::to_string(holder.pid) +
                 " on this host has ended)");
    claim.take_over_from = dead;
    claim.now_ms = clock.NowMs();
    lease = store.ClaimCart(claim, &result);
  }
  if (!lease.ok()) return lease;
  if (stale != nullptr) *stale = result.stale;
  if (!result.claimed) return std::unique_ptr<CartLease>();
  return std::unique_ptr<CartLease>(new CartLease(store, clock, cart_id, owner, lease_ms));
}

CartLease::CartLease(StateStore& store, Clock& clock, std::string cart_id, std::string owner,
                     int64_t lease_ms)
    : store_(store),
      clock_(clock),
      cart_id_(std::move(cart_id)),
      owner_(std::move(owner)),
      lease_ms_(lease_ms) {}

CartLease::~CartLease() {
  if (!released_) Release();
}

Status CartLease::Renew() {
  Status renewed = store_.ExtendLease(cart_id_, owner_, lease_ms_, clock_.NowMs());
  if (renewed.ok()) return renewed;
  return Status(renewed.code(),
                (renewed.code() == StatusCode::Locked ? "lost the cart's lease: "
                                                      : "cannot renew the cart's lease: ") +
                    renewed.message());
}

Status CartLease::Release() {
  released_ = true;
  Status released = store_.ReleaseLease(cart_id_, owner_);
  if (released.ok() || released.code() == StatusCode::Locked) return Status::Ok();
  return Status(released.code(), "cannot release the cart's lease (" + released.message() +
                                     "); later runs skip the cart until the lease expires, or run "
                                     "`cartsync state unlock " +
                                     cart_id_ + "`");
}

}  // namespace cartsync
