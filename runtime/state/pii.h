// PII retention (`[state] retain_pii`, `cartsync state purge`): what of an
// order document is personal data, and how it is erased. Both state-store
// engines erase through these functions, so they erase the same fields.
//
// Personal data is what identifies or reaches a person: names, street
// addresses, city and postal code, phones and e-mails. In every address
// object of an order document (`ship_to`, and `bill_to`, `billing`,
// `billing_address`, `shipping_address`, `customer` should a document carry
// them) each string becomes "" except `country` and `region`, which stay
// (statistics, and they identify nobody); top-level `email`, `phone`,
// `customer_email`, `customer_name` and `buyer_*` strings become "" too.
// Members are blanked, never removed, so the document still reads as the
// same type (documents.h). Keys, numbers, statuses, lines, prices and
// totals stay.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "runtime/state/order_store.h"

namespace cartsync {

/// Erases the personal data of the order document `json` in place (a
/// CartOrder or WmsOrder JSON text; "" stays ""). Appends each non-empty
/// value it erased to `erased` (for ErasePiiInText). A text that is not a
/// JSON object becomes "" (nothing in it can be kept safely). Returns
/// whether anything changed.
bool ErasePiiInDocument(std::string& json, std::vector<std::string>& erased);

/// `text` (an order's held/skipped reason, which may quote a field, e.g.
/// an order filter on ship_to.email) with every occurrence of a value of
/// `erased` of 3 bytes or more replaced by "[erased]".
std::string ErasePiiInText(std::string text, const std::vector<std::string>& erased);

/// Erases the personal data of every order OrderStore::ErasePii takes that
/// last changed before `before_ms`, `batch` orders per transaction, until
/// none is left (at most 100,000 batches). The number erased; the first
/// error stops it (the batches done stay done).
Result<int> ErasePiiBefore(OrderStore& store, int64_t before_ms, int64_t now_ms, int batch = 500);

}  // namespace cartsync
