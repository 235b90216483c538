#include "compiler/diagnostic.h"

#include <algorithm>

namespace cartsync {

std::string_view SeverityName(Severity s) {
  switch (s) {
    case Severity::Note:
      return "note";
    case Severity::Warning:
      return "warning";
    case Severity::Error:
      return "error";
  }
  return "error";
}

const std::vector<DiagInfo>& AllDiagInfos() {
  static const std::vector<DiagInfo> infos = [] {
    std::vector<DiagInfo> out = {
#define DIAG(Id, Code, Sev, Name, Fmt) {DiagId::Id, Code, Severity::Sev, Name, Fmt},
#include "compiler/diagnostic_codes.def"
#undef DIAG
    };
#define DIAG(Id, Code, Sev, Name, Fmt)
#define DIAG_DOC(Id, Description, Help)                           \
  out[static_cast<size_t>(DiagId::Id)].description = Description; \
  out[static_cast<size_t>(DiagId::Id)].help = Help;
#include "compiler/diagnostic_codes.def"
#undef DIAG_DOC
#undef DIAG
    return out;
  }();
  return infos;
}

const DiagInfo& GetDiagInfo(DiagId id) { return AllDiagInfos()[static_cast<size_t>(id)]; }

std::string FormatMessage(std::string_view format, std::initializer_list<std::string_view> args) {
  std::string out;
  out.reserve(format.size() + 32);
  for (size_t i = 0; i < format.size(); ++i) {
    char c = format[i];
    if ((c == '{' || c == '}') && i + 1 < format.size() && format[i + 1] == c) {
      out += c;
      ++i;
    } else if (c == '{' && i + 2 < format.size() && format[i + 1] >= '0' && format[i + 1] <= '9' &&
               format[i + 2] == '}') {
      size_t n = static_cast<size_t>(format[i + 1] - '0');
      if (n < args.size()) out += *(args.begin() + n);
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

static std::string DedupKey(const Diagnostic& d) {
  return d.code + '\0' + d.region.file + '\0' + std::to_string(d.region.begin.line) + ':' +
         std::to_string(d.region.begin.column) + '\0' + d.message;
}

Diagnostic* DiagnosticEngine::Report(DiagId id, SourceRegion region,
                                     std::initializer_list<std::string_view> args) {
  const DiagInfo& info = GetDiagInfo(id);
  Diagnostic d{id, info.severity, std::string(info.code), FormatMessage(info.format, args),
               std::move(region)};
  if (!seen_.insert(DedupKey(d)).second) return nullptr;
  return Store(std::move(d));
}

Diagnostic* DiagnosticEngine::Store(Diagnostic d, int hidden) {
  if (d.severity == Severity::Error) ++errors_;
  if (d.severity == Severity::Warning) ++warnings_;
  if (d.id == DiagId::WarningsCapped || d.severity == Severity::Warning) {
    // The capped code starts the note ("W0604: …"), or is the warning's own.
    std::string code =
        d.id == DiagId::WarningsCapped ? d.message.substr(0, d.message.find(':')) : d.code;
    Cap& cap = caps_[{d.region.file, code}];
    if (d.id != DiagId::WarningsCapped && cap.shown < kMaxWarningsPerCodePerFile) {
      ++cap.shown;
    } else {
      if (d.id == DiagId::WarningsCapped) warnings_ += hidden;  // counted where first hidden
      cap.hidden += d.id == DiagId::WarningsCapped ? hidden : 1;
      std::string n = std::to_string(cap.hidden);
      std::string limit = std::to_string(kMaxWarningsPerCodePerFile);
      const DiagInfo& note = GetDiagInfo(DiagId::WarningsCapped);
      std::string text = FormatMessage(note.format, {code, n, limit});
      if (cap.note == SIZE_MAX) {
        cap.note = diags_.size();
        diags_.push_back({DiagId::WarningsCapped, note.severity, std::string(note.code),
                          std::move(text), std::move(d.region)});
      } else {
        diags_[cap.note].message = std::move(text);
      }
      return nullptr;
    }
  }
  diags_.push_back(std::move(d));
  return &diags_.back();
}

std::vector<Diagnostic> DiagnosticEngine::Sorted() const {
  std::vector<Diagnostic> out = diags_;
  std::stable_sort(out.begin(), out.end(), [](const Diagnostic& a, const Diagnostic& b) {
    if (a.region.file != b.region.file) return a.region.file < b.region.file;
    if (a.region.begin != b.region.begin) return a.region.begin < b.region.begin;
    return a.code < b.code;
  });
  return out;
}

void DiagnosticEngine::Append(const DiagnosticEngine& other) {
  for (const Diagnostic& d : other.diags_) {
    if (d.id == DiagId::WarningsCapped) {
      std::string code = d.message.substr(0, d.message.find(':'));
      auto it = other.caps_.find({d.region.file, code});
      Store(d, it == other.caps_.end() ? 0 : it->second.hidden);
      continue;
    }
    if (!seen_.insert(DedupKey(d)).second) continue;
    Store(d);
  }
}

}  // namespace cartsync
