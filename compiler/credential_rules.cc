#include "compiler/credential_rules.h"

#include <optional>

#include "compiler/toml_util.h"

namespace cartsync {
namespace {

std::string JoinFields(const std::vector<std::string>& fields, std::string_view sep) {
  std::string out;
  for (const std::string& f : fields) out += (out.empty() ? "" : std::string(sep)) + f;
  return out;
}

/// Where key `name` of `t` is written, if it is.
std::optional<SourceRegion> KeyRegion(const toml::table& t, std::string_view name,
                                      std::string_view file) {
  for (auto&& [k, v] : t)
    if (k.str() == name) return RegionOf(k, file);
  return std::nullopt;
}

}  // namespace

std::string DescribeCredentialForms(const std::vector<CredentialForm>& forms) {
  std::string out;
  for (size_t i = 0; i < forms.size(); ++i) {
    if (i > 0) out += forms.size() == 2 ? ", or " : (i + 1 == forms.size() ? ", or " : ", ");
    out += JoinFields(forms[i].fields, " + ");
  }
  return out;
}

void CheckCredentialForms(const toml::table* api, const PlatformDescriptor& platform,
                          std::string_view file, const SourceRegion& missing_at,
                          DiagnosticEngine& diags) {
  if (platform.credentials.empty()) return;
  const std::string forms = DescribeCredentialForms(platform.credentials);
  // Per form: the fields present and missing, and where its first one is.
  struct Seen {
    const CredentialForm* form;
    std::vector<std::string> present, missing;
    SourceRegion first;
  };
  std::vector<Seen> touched;
  for (const CredentialForm& form : platform.credentials) {
    Seen s{&form, {}, {}, {}};
    for (const std::string& field : form.fields) {
      std::optional<SourceRegion> at = api ? KeyRegion(*api, field, file) : std::nullopt;
      if (!at) {
        s.missing.push_back(field);
        continue;
      }
      if (s.present.empty()) s.first = *at;
      s.present.push_back(field);
    }
    if (!s.present.empty()) touched.push_back(std::move(s));
  }
  if (touched.empty()) {
    diags.Report(DiagId::CredentialForm, api ? RegionOf(*api, file) : missing_at,
                 {forms, "none is set"});
    return;
  }
  if (touched.size() > 1) {
    std::string both;
    for (size_t i = 0; i < touched.size(); ++i)
      both += (i == 0                    ? ""
               : i + 1 == touched.size() ? " and "
                                         : ", ") +
              JoinFields(touched[i].present, " + ");
    // Point at the form written last: the one added to the other.
    const Seen* last = &touched.front();
    for (const Seen& s : touched)
      if (last->first.begin < s.first.begin) last = &s;
    diags.Report(DiagId::CredentialForm, last->first, {forms, both + " are set; keep one form"});
    return;
  }
  const Seen& s = touched.front();
  if (!s.missing.empty())
    diags.Report(DiagId::CredentialForm, s.first,
                 {forms, JoinFields(s.present, " and ") + (s.present.size() == 1 ? " is" : " are") +
                             " set without " + JoinFields(s.missing, " and ")});
}

}  // namespace cartsync
