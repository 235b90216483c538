#include "runtime/inventory_upload.h"

#include <algorithm>
#include <utility>

#include "runtime/inventory.h"

namespace cartsync {

namespace {

// Recorded as the pushed quantity of a SKU while its push is in flight: no
// quantity equals it, so the next run pushes the SKU again.
constexpr int64_t kPushOutcomeUnknown = -1;

// SKUs the cart does not sell named in the step's report lines; the rest
// are counted.
constexpr int kNotInCartNamed = 20;

}  // namespace

Status UploadInventory(CartContext& c, StepCounts& counts, std::vector<std::string>& preview) {
  auto snapshot = c.wms.PullInventory(c.cart.client);
  if (!snapshot.ok())
    return Status(snapshot.status().code(), "pulling inventory: " + snapshot.status().message());
  // Another client's stock never reaches this cart, whatever the WMS sent.
  KeepClient(c.cart.client, snapshot->records);
  Status st = c.aliases.Load(c.wms, c.cart.sync_inventory_alias != "master_sku");
  if (!st.ok()) return st;
  std::vector<WmsOrder> sent_after;
  if (snapshot->as_of_seconds) {
    // Orders of this WMS and client that the WMS had not counted yet.
    std::vector<std::string> carts;
    for (const PlanCart& pc : c.plan.carts)
      if (pc.config.wms == c.cart.wms && pc.config.client == c.cart.client)
        carts.push_back(pc.config.id);
    // as_of has whole-second precision (a fraction is dropped), and a WMS
    // that stamps its snapshot truncates: an order it received earlier in
    // that same second is already counted. So "sent after as_of" starts at
    // the next second; comparing the sent times (ms) with the start of the
    // second subtracted those orders twice (too little stock pushed, then
    // re-pushed by the next run).
    auto docs = c.store.SentSince(carts, (*snapshot->as_of_seconds + 1) * 1000);
    if (!docs.ok()) return docs.status();
    for (const std::string& json : docs.value()) {
      WmsOrder w;
      std::string error;
      if (FromJson(json, w, error)) sent_after.push_back(std::move(w));
    }
  }
  auto last = c.store.PushedInventory(c.cart.id);
  if (!last.ok()) return last.status();
  InventoryComputation inv =
      ComputeInventory(c.cart, snapshot->records, c.aliases.index(), sent_after, last.value());
  counts.skus_unaliased = inv.unaliased;
  counts.skus_filtered = inv.filtered;
  counts.skus_unchanged = inv.unchanged;
  if (c.dry_run) {
    for (const InventoryPush& p : inv.pushes)
      preview.push_back("would set " + p.sku + " to " + std::to_string(p.quantity));
    counts.skus_pushed = static_cast<int>(inv.pushes.size());
    return Status::Ok();
  }
  if (inv.pushes.empty()) return Status::Ok();
  // Intent before, result after: until the cart's answer is recorded, the
  // SKUs being pushed have no known value. A crash or a failure in between
  // (the cart may have taken some of them) then makes the next run push
  // them again, even when the quantity is back to the one recorded before
  // this push: "unchanged" compared with a stale record would leave the
  // cart with the value of the push nobody recorded.
  std::vector<std::pair<std::string, int64_t>> unknown;
  for (const InventoryPush& p : inv.pushes) unknown.emplace_back(p.sku, kPushOutcomeUnknown);
  st = c.store.RecordPushedInventory(c.cart.id, unknown, c.clock.NowMs());
  if (!st.ok()) return st;
  auto errors = c.connector.PushInventory(inv.pushes);
  if (!errors.ok())
    return Status(errors.status().code(), "pushing inventory: " + errors.status().message());
  std::vector<std::pair<std::string, int64_t>> done;
  for (const InventoryPush& p : inv.pushes) {
    bool failed = std::any_of(errors->begin(), errors->end(),
                              [&](const PushError& e) { return e.sku == p.sku; });
    if (!failed) done.emplace_back(p.sku, p.quantity);
  }
  st = c.store.RecordPushedInventory(c.cart.id, done, c.clock.NowMs());
  if (!st.ok()) return st;
  // A WMS SKU the cart does not sell (another catalog of the same client) is
  // skipped: counted and named in the report, never a failure. It stays
  // unrecorded, so it is pushed once the cart sells it.
  std::vector<PushError> refused;
  std::string named;
  for (PushError& e : errors.value()) {
    if (IsSkuNotInCart(e)) {
      if (++counts.skus_not_in_cart <= kNotInCartNamed)
        named += (named.empty() ? "" : ", ") + e.sku;
    } else {
      refused.push_back(std::move(e));
    }
  }
  if (counts.skus_not_in_cart > 0)
    c.log.Info(c.cart.id, "inventory_upload",
               std::to_string(counts.skus_not_in_cart) +
                   " WMS SKUs skipped: not sold by this cart (" + named +
                   (counts.skus_not_in_cart > kNotInCartNamed ? ", …)" : ")"));
  counts.skus_pushed = static_cast<int>(done.size());
  counts.skus_failed = static_cast<int>(refused.size());
  if (!refused.empty())
    return Status::Permanent(std::to_string(refused.size()) +
                             " SKUs rejected by the cart; first: " + refused.front().sku + ": " +
                             refused.front().message);
  return Status::Ok();
}

}  // namespace cartsync
