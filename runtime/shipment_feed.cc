#include "runtime/shipment_feed.h"

#include <algorithm>
#include <mutex>
#include <utility>

namespace cartsync {

bool SharesShipmentFeed(const WmsConfig& wms) { return wms.system == "http"; }

Result<ShipmentPage> ShipmentFeed::Pull(WmsClient& wms, const std::string& cart_id,
                                        const std::string& since) {
  std::unique_lock<boost::fibers::mutex> lock(mu_);
  std::shared_ptr<Page> page;
  if (auto it = pages_.find(since); it != pages_.end()) {
    page = it->second;
    fetched_.wait(lock, [&] { return page->done; });
  } else {
    page = std::make_shared<Page>();
    pages_.emplace(since, page);
    ++fetches_;
    lock.unlock();  // the fetch may sleep out a 429: others read kept pages meanwhile
    auto pulled = wms.PullShipments(since);
    // Indexed outside the lock; the page is not `done` yet, so nobody reads it.
    if (pulled.ok()) {
      page->next = pulled->next;
      page->listed = std::max(pulled->listed, pulled->shipments.size());
      for (Shipment& s : pulled->shipments) {
        // order_key is "CART_ID:…" and a cart id has no ':' (cart-format.md).
        const size_t colon = s.order_key.find(':');
        if (colon == std::string::npos) continue;  // nobody's: no cart would keep it
        page->by_cart[s.order_key.substr(0, colon)].push_back(std::move(s));
      }
    } else {
      page->error = pulled.status();
    }
    lock.lock();
    page->done = true;
    if (!page->error.ok()) pages_.erase(since);  // the next cart to ask tries again
    fetched_.notify_all();
  }
  if (!page->error.ok()) return page->error;
  ShipmentPage mine;
  mine.next = page->next;
  mine.listed = page->listed;
  if (auto it = page->by_cart.find(cart_id); it != page->by_cart.end()) mine.shipments = it->second;
  return mine;
}

int64_t ShipmentFeed::fetches() const {
  std::lock_guard<boost::fibers::mutex> lock(mu_);
  return fetches_;
}

}  // namespace cartsync
