// One read of a WMS's shipment list per run, shared by every cart of that
// WMS. Before, each cart's shipment_upload paged through the WMS's whole
// list and kept only its own shipments: N carts made N passes (N² work for N
// carts with shipments each). The runner now makes one ShipmentFeed per
// `[wms.NAME]` per run (http WMS only: see SharesShipmentFeed) and each cart
// pulls its pages through it:
//
// - A page is fetched from the WMS once per `since` cursor per run, through
//   the connection of the first cart that asks for it (the others asking at
//   the same time wait for that answer, suspending only their fiber); the
//   answer is kept for the rest of the run, indexed by cart.
// - Each cart still walks its own cursor (CursorStore, stream "shipments"),
//   page by page, and gets from each page only its own shipments, the page's
//   `next` and how many shipments the WMS listed on it (`listed`). Carts
//   whose cursors are equal — after one shared run, every cart that ran —
//   walk the same chain of cursors and so share every fetch; a cart whose
//   cursor differs (it was locked or failed last run) costs one pass of its
//   own, as before.
//
// Why no shipment is skipped: a WMS cursor names a position in an
// append-only feed (wms-contract.md): a page lists the shipments after
// `since` up to `next`. A kept answer is an answer the WMS gave earlier in
// the run, so a cart that reads it is exactly where it would be had it run
// at that moment: a shipment that arrives later comes after that page's
// `next`, which is what the cart records, and the cart's next run reads it.
// Failed fetches are not kept (the next cart to ask tries again).
#pragma once

#include <boost/fiber/condition_variable.hpp>
#include <boost/fiber/mutex.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "model/config.h"
#include "runtime/wms/wms_client.h"

namespace cartsync {

/// Whether carts of this WMS read shipments through a shared feed: the http
/// transport, whose list is the same for every cart. The directory
/// transport's reads are per cart (it files a cart's shipment files once
/// read) and a command WMS may keep per-process state: those carts pull
/// their own pages, as before.
bool SharesShipmentFeed(const WmsConfig& wms);

class ShipmentFeed {
 public:
  /// The page of the WMS's list after `since`, as `cart_id` sees it: its own
  /// shipments (order_key "CART_ID:…"), the page's `next`, and in `listed`
  /// how many the WMS listed. Fetched with `wms` when no cart fetched that
  /// page this run. Thread- and fiber-safe.
  Result<ShipmentPage> Pull(WmsClient& wms, const std::string& cart_id, const std::string& since);
  /// Pages fetched from the WMS so far (for tests and the log).
  int64_t fetches() const;

 private:
  struct Page {
    bool done = false;  // fetched (or failed)
    Status error;
    std::string next;
    size_t listed = 0;
    std::unordered_map<std::string, std::vector<Shipment>> by_cart;
  };

  // A fiber mutex: a cart may suspend while another waits for the page it
  // fetches (HttpClient sleeps out a 429 on the fiber's clock). The lock
  // itself is never held across the fetch.
  mutable boost::fibers::mutex mu_;
  boost::fibers::condition_variable fetched_;
  std::map<std::string, std::shared_ptr<Page>> pages_;  // by since
  int64_t fetches_ = 0;
};

}  // namespace cartsync
