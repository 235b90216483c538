#include "runtime/time_zone.h"

#include <cctype>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <mutex>
#include <optional>

namespace cartsync {

namespace {

// IANA names: letters, digits and "_+-" in "/"-separated parts, no "." or
// ".." parts (the name becomes a path under TZDIR).
bool PlausibleZoneName(const std::string& zone) {
  if (zone.empty() || zone.size() > 64 || zone.front() == '/' || zone.back() == '/') return false;
  for (char c : zone)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '+' && c != '-' &&
        c != '/')
      return false;
  return zone.find("//") == std::string::npos;
}

// Ok when `zone` names a file of the tz database (TZDIR, default
// /usr/share/zoneinfo).
Status CheckZone(const std::string& zone) {
  const char* dir = std::getenv("TZDIR");
  const std::filesystem::path file =
      std::filesystem::path(dir && *dir ? dir : "/usr/share/zoneinfo") / zone;
  std::error_code ec;
  if (!PlausibleZoneName(zone) || !std::filesystem::is_regular_file(file, ec))
    return Status::Permanent("unknown time zone \"" + zone + "\" (not in the tz database at " +
                             file.parent_path().string() + ")");
  return Status::Ok();
}

// The value TZ is restored to when it was unset: the same zone (glibc reads
// /etc/localtime either way), and TZ stays in the environment, so a later
// setenv replaces it in place instead of growing the environment under
// threads that may read it (getenv is not synchronized with setenv).
constexpr const char* kUnsetTz = ":/etc/localtime";

// Sets TZ for the lifetime of the object and restores it after.
class ScopedTz {
 public:
  explicit ScopedTz(const std::string& zone) {
    if (const char* old = std::getenv("TZ")) old_ = old;
    ::setenv("TZ", zone.c_str(), 1);
    ::tzset();
  }
  ~ScopedTz() {
    ::setenv("TZ", old_ ? old_->c_str() : kUnsetTz, 1);
    ::tzset();
  }
  ScopedTz(const ScopedTz&) = delete;
  ScopedTz& operator=(const ScopedTz&) = delete;

 private:
  std::optional<std::string> old_;
};

class SystemTimeZones final : public TimeZones {
 public:
  // Made before any worker thread runs (Runner::Run): TZ is put into the
  // environment now, so ScopedTz only ever replaces it in place.
  SystemTimeZones() {
    if (std::getenv("TZ") == nullptr) ::setenv("TZ", kUnsetTz, 1);
  }

  Result<int64_t> NextDaily(const std::string& zone, int hour, int minute, int64_t t) override {
    if (Status known = CheckZone(zone); !known.ok()) return known;
    std::lock_guard<std::mutex> lock(mu_);
    ScopedTz tz(zone);
    const std::time_t now = static_cast<std::time_t>(t);
    std::tm local{};
    if (::localtime_r(&now, &local) == nullptr) return Status::Permanent("time out of range");
    // Today's hour:minute, else tomorrow's (two more days cover any DST shift).
    for (int day = 0; day <= 2; ++day) {
      std::tm want = local;
      want.tm_mday += day;
      want.tm_hour = hour;
      want.tm_min = minute;
      want.tm_sec = 0;
      want.tm_isdst = -1;  // the C library decides, also inside a gap or a fold
      const std::time_t at = std::mktime(&want);
      if (at != static_cast<std::time_t>(-1) && at > now) return static_cast<int64_t>(at);
    }
    return Status::Permanent("no " + std::to_string(hour) + ":" + std::to_string(minute) + " in " +
                             zone);
  }

  Result<int64_t> StartOfDay(const std::string& zone, int year, int month, int day) override {
    if (zone == "UTC" || zone == "Etc/UTC") return UtcStartOfDay(year, month, day);
    if (Status known = CheckZone(zone); !known.ok()) return known;
    std::lock_guard<std::mutex> lock(mu_);
    ScopedTz tz(zone);
    // The first second of the day: 00:00, or the first wall time after a
    // gap that swallows midnight (mktime moves a skipped time forward).
    std::tm want{};
    want.tm_year = year - 1900;
    want.tm_mon = month - 1;
    want.tm_mday = day;
    want.tm_isdst = -1;
    const std::time_t at = std::mktime(&want);
    if (at == static_cast<std::time_t>(-1)) return Status::Permanent("date out of range");
    return static_cast<int64_t>(at);
  }

 private:
  std::mutex mu_;
};

}  // namespace

Result<int64_t> TimeZones::StartOfDay(const std::string& zone, int year, int month, int day) {
  if (zone == "UTC" || zone == "Etc/UTC") return UtcStartOfDay(year, month, day);
  return Status::Permanent("unknown time zone \"" + zone + "\"");
}

int64_t UtcStartOfDay(int year, int month, int day) {
  // Days from civil (H. Hinnant's algorithm).
  const int64_t y = year - (month <= 2 ? 1 : 0);
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t mp = (month + 9) % 12;
  const int64_t doy = (153 * mp + 2) / 5 + day - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return (era * 146097 + doe - 719468) * 86400;
}

std::unique_ptr<TimeZones> MakeSystemTimeZones() { return std::make_unique<SystemTimeZones>(); }

}  // namespace cartsync
