// The "exactly one credential form" rule, driven by a platform descriptor's
// [[credentials]] list (schema.h CredentialForm): a cart sets every field of
// one form and no field of another. Shopify: client_id + client_secret (a
// Dev Dashboard app, client credentials grant) or access_token (a legacy
// custom app); Walmart, Amazon and eBay can declare theirs as data.
// Reported as E0214 (credential-form), after the per-field checks.
#pragma once

#include <toml++/toml.h>

#include <string>
#include <string_view>
#include <vector>

#include "compiler/diagnostic.h"
#include "compiler/schema.h"

namespace cartsync {

/// "client_id + client_secret, or access_token": the forms as a message shows them.
std::string DescribeCredentialForms(const std::vector<CredentialForm>& forms);

/// Checks the cart's `[api]` table (nullptr when the cart has none) against
/// `platform.credentials`; nothing to check when the platform declares no
/// forms. Reports, as E0214:
///   - no form set: at the [api] table, or `missing_at` without one;
///   - a form set in part: at its first key present ("client_id is set
///     without client_secret");
///   - two forms touched: at the first key of the form written last.
/// `file` is the cart's display path (for nodes without a source path).
void CheckCredentialForms(const toml::table* api, const PlatformDescriptor& platform,
                          std::string_view file, const SourceRegion& missing_at,
                          DiagnosticEngine& diags);

}  // namespace cartsync
