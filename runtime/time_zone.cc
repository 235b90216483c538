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

// Sets TZ for the lifetime of the object and restores it after.
class ScopedTz {
 public:
  explicit ScopedTz(const std::string& zone) {
    if (const char* old = std::getenv("TZ")) old_ = old;
    ::setenv("TZ", zone.c_str(), 1);
    ::tzset();
  }
  ~ScopedTz() {
    if (old_)
      ::setenv("TZ", old_->c_str(), 1);
    else
      ::unsetenv("TZ");
    ::tzset();
  }
  ScopedTz(const ScopedTz&) = delete;
  ScopedTz& operator=(const ScopedTz&) = delete;

 private:
  std::optional<std::string> old_;
};

class SystemTimeZones final : public TimeZones {
 public:
  Result<int64_t> NextDaily(const std::string& zone, int hour, int minute, int64_t t) override {
    const char* dir = std::getenv("TZDIR");
    const std::filesystem::path file =
        std::filesystem::path(dir && *dir ? dir : "/usr/share/zoneinfo") / zone;
    std::error_code ec;
    if (!PlausibleZoneName(zone) || !std::filesystem::is_regular_file(file, ec))
      return Status::Permanent("unknown time zone \"" + zone + "\" (not in the tz database at " +
                               file.parent_path().string() + ")");
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

 private:
  std::mutex mu_;
};

}  // namespace

std::unique_ptr<TimeZones> MakeSystemTimeZones() { return std::make_unique<SystemTimeZones>(); }

}  // namespace cartsync
