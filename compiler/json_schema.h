// Editor support and documentation generated from the descriptors: a JSON
// Schema of the cart file language (for taplo / Even Better TOML) and a human
// summary of the schema (`cartsync schema`). Both follow the descriptors, so a
// new platform descriptor shows up here without a C++ change.
#pragma once

#include <ostream>
#include <string>

#include "compiler/schema.h"

namespace cartsync {

/// JSON Schema (draft 2020-12) of a cart file, generated from the descriptors: the common
/// tables ([cart], [services.*] with enabled/every, [order_load], [ship_methods], [items],
/// [[order_filters]], [carrier_codes], [wms_fields]) with types, enums, patterns, defaults and
/// descriptions (help texts); per platform an if/then on cart.platform (const) that sets [api]
/// properties (secret fields as {"secret": "^(env|file):"} objects; base_url on every platform)
/// and required fields, and [statuses] dimensions with enum items. Each service's `every`
/// pattern holds its frequency bounds for intervals (order_download 5m..1d, shipment_upload
/// >= 15m, inventory_upload >= 1h). Deterministic output (pretty, 2-space, sorted), usable by
/// taplo / Even Better TOML.
///
/// Closed tables say "additionalProperties": {"not": {"description": "unknown key; the keys
/// here: …"}} rather than false: the same documents are valid, but the error lands on the
/// unknown key's value, so taplo reports one error for one unknown key instead of one per line
/// of the table.
///
/// What a schema of one file cannot say, and `cartsync check` does: anything that depends on
/// cartsync.toml (the WMS named by cart.wms, its warehouses, carriers, alias types and
/// [wms_fields] declarations, keys supplied by [defaults]), cross-file rules (unique ids),
/// today's date (earliest_order_date in the future), the gaps of a cron schedule, reversed
/// cron ranges and the warnings.
std::string CartJsonSchema(const Schema& schema);

/// JSON Schema (draft 2020-12) of the project file, cartsync.toml: [project] carts, [state]
/// (url, password, retain_pii), [wms.NAME] connections (the common keys, and per system an
/// if/then on `system` with the WMS descriptor's fields) and [defaults] (any cart key: the
/// cart tables without their required keys). Same layout rules as CartJsonSchema.
std::string ProjectJsonSchema(const Schema& schema);

/// Human summary of the schema for `cartsync schema`: platforms with their api fields
/// (type, required, default, help), status dimensions (allowed, default), services, inventory
/// quantity; WMS systems and their fields.
void DescribeSchema(const Schema& schema, std::ostream& out);

}  // namespace cartsync
