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
/// [[order_filters]], [carrier_codes], [wms_fields]) with types, enums, patterns, defaults,
/// descriptions (help texts) and additionalProperties:false; per platform an if/then on
/// cart.platform (const) that sets [api] properties (secret fields as {"secret": "^(env|file):"}
/// objects; base_url on every platform) and required fields, and [statuses] dimensions with enum
/// items. Deterministic output (pretty, 2-space, sorted), usable by taplo / Even Better TOML.
///
/// What a schema of one file cannot say, and `cartsync check` does: anything that depends on
/// cartsync.toml (the WMS named by cart.wms, its warehouses, carriers, alias types and
/// [wms_fields] declarations, keys supplied by [defaults]), cross-file rules (unique ids),
/// today's date (earliest_order_date in the future), service frequency bounds, reversed
/// cron ranges and the warnings.
std::string CartJsonSchema(const Schema& schema);

/// Human summary of the schema for `cartsync schema`: platforms with their api fields
/// (type, required, default, help), status dimensions (allowed, default), services, inventory
/// quantity; WMS systems and their fields.
void DescribeSchema(const Schema& schema, std::ostream& out);

}  // namespace cartsync
