// The system tz database through MakeSystemTimeZones: wall-clock times in
// winter and summer, a skipped time, and names that are not zones.
#include "runtime/time_zone.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "runtime/clock.h"

namespace cartsync {
namespace {

int64_t Utc(int y, int mo, int d, int h, int mi) {
  char text[32];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:00Z", y, mo, d, h, mi);
  int64_t t = 0;
  EXPECT_TRUE(ParseTimestamp(text, t)) << text;
  return t;
}

class SystemTimeZonesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists("/usr/share/zoneinfo/Europe/Berlin") && !std::getenv("TZDIR"))
      GTEST_SKIP() << "no tz database (Debian package tzdata)";
  }
  std::unique_ptr<TimeZones> zones_ = MakeSystemTimeZones();
};

TEST_F(SystemTimeZonesTest, WallClockTimeInWinterAndSummer) {
  // 02:30 in Berlin: 01:30Z in winter (CET), 00:30Z in summer (CEST).
  auto winter = zones_->NextDaily("Europe/Berlin", 2, 30, Utc(2026, 11, 27, 12, 0));
  ASSERT_TRUE(winter.ok()) << winter.status().message();
  EXPECT_EQ(winter.value(), Utc(2026, 11, 28, 1, 30));
  auto summer = zones_->NextDaily("Europe/Berlin", 2, 30, Utc(2026, 7, 1, 0, 0));
  ASSERT_TRUE(summer.ok());
  EXPECT_EQ(summer.value(), Utc(2026, 7, 1, 0, 30));
  // Strictly after: at the very instant, the next day's.
  EXPECT_EQ(zones_->NextDaily("Europe/Berlin", 2, 30, Utc(2026, 7, 1, 0, 30)).value(),
            Utc(2026, 7, 2, 0, 30));
  auto ny = zones_->NextDaily("America/New_York", 23, 0, Utc(2026, 11, 27, 12, 0));
  ASSERT_TRUE(ny.ok());
  EXPECT_EQ(ny.value(), Utc(2026, 11, 28, 4, 0));
}

TEST_F(SystemTimeZonesTest, SkippedTimeRunsOnceThatDay) {
  // 2026-03-29 02:30 does not exist in Berlin (clocks go 02:00 -> 03:00).
  auto gap = zones_->NextDaily("Europe/Berlin", 2, 30, Utc(2026, 3, 28, 12, 0));
  ASSERT_TRUE(gap.ok());
  EXPECT_GT(gap.value(), Utc(2026, 3, 28, 23, 59));
  EXPECT_LT(gap.value(), Utc(2026, 3, 29, 3, 0));
  // The next day is back to normal: 00:30Z.
  EXPECT_EQ(zones_->NextDaily("Europe/Berlin", 2, 30, gap.value()).value(),
            Utc(2026, 3, 30, 0, 30));
}

TEST_F(SystemTimeZonesTest, UnknownAndHostileNamesAreErrors) {
  for (const char* bad :
       {"Mars/Olympus", "../../etc/passwd", "", "Europe//Berlin", "/etc/localtime", "Europe/"}) {
    auto r = zones_->NextDaily(bad, 2, 30, Utc(2026, 11, 27, 12, 0));
    EXPECT_EQ(r.status().code(), StatusCode::Permanent) << bad;
  }
  EXPECT_NE(zones_->NextDaily("Mars/Olympus", 2, 30, 0)
                .status()
                .message()
                .find("unknown time zone \"Mars/Olympus\""),
            std::string::npos);
  // The process's zone is left as it was: TZ unset, or ":/etc/localtime",
  // the same zone kept in the environment (so later switches never grow it).
  const char* tz = std::getenv("TZ");
  EXPECT_TRUE(tz == nullptr || std::string(tz) == ":/etc/localtime") << tz;
}

}  // namespace
}  // namespace cartsync
