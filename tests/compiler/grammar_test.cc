#include "model/grammar.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

namespace cartsync {
namespace {

constexpr int64_t k2024 = 1704067200;  // 2024-01-01 00:00:00 UTC, a Monday
constexpr int64_t kMin = 60, kHour = 3600, kDay = 86400;

Schedule MustParse(std::string_view text) {
  auto r = ParseSchedule(text);
  EXPECT_TRUE(r) << text << ": @" << r.error.offset << " " << r.error.message;
  return r ? *r.value : Schedule{};
}

struct ErrorCase {
  std::string text;
  size_t offset;
  size_t length;
  std::string message;
};

template <class T>
void ExpectError(const ParseResult<T>& r, const ErrorCase& c) {
  ASSERT_FALSE(r) << "'" << c.text << "' should not parse";
  EXPECT_EQ(r.error.offset, c.offset) << c.text << ": " << r.error.message;
  EXPECT_EQ(r.error.length, c.length) << c.text << ": " << r.error.message;
  EXPECT_EQ(r.error.message, c.message) << c.text;
}

// --- Schedules: accepted forms -----------------------------------------------

TEST(ScheduleTest, Intervals) {
  struct {
    const char* text;
    int64_t seconds;
  } cases[] = {{"15m", 15 * kMin}, {"90s", 90},      {"2h", 2 * kHour},   {"1d", kDay},
               {"1s", 1},          {"5m", 5 * kMin}, {"36h", 36 * kHour}, {"007m", 7 * kMin}};
  for (const auto& c : cases) {
    Schedule s = MustParse(c.text);
    EXPECT_EQ(s.kind, Schedule::Kind::Interval) << c.text;
    EXPECT_EQ(s.interval_seconds, c.seconds) << c.text;
  }
}

TEST(ScheduleTest, Hourly) {
  Schedule s = MustParse("hourly");
  EXPECT_EQ(s.kind, Schedule::Kind::Hourly);
}

TEST(ScheduleTest, Daily) {
  Schedule s = MustParse("daily at 02:30");
  EXPECT_EQ(s.kind, Schedule::Kind::Daily);
  EXPECT_EQ(s.hour, 2);
  EXPECT_EQ(s.minute, 30);
  EXPECT_EQ(s.tz, "");

  s = MustParse("daily at 00:00");
  EXPECT_EQ(s.hour, 0);
  EXPECT_EQ(s.minute, 0);
  s = MustParse("daily at 23:59");
  EXPECT_EQ(s.hour, 23);
  EXPECT_EQ(s.minute, 59);
}

TEST(ScheduleTest, DailyWithZone) {
  for (const char* zone : {"Europe/Berlin", "America/Argentina/Buenos_Aires", "UTC", "Etc/GMT+5",
                           "Etc/GMT-14", "America/Port-au-Prince"}) {
    Schedule s = MustParse(std::string("daily at 02:30 ") + zone);
    EXPECT_EQ(s.kind, Schedule::Kind::Daily) << zone;
    EXPECT_EQ(s.hour, 2);
    EXPECT_EQ(s.minute, 30);
    EXPECT_EQ(s.tz, zone);
  }
}

TEST(ScheduleTest, CronFieldsAreExpanded) {
  Schedule s = MustParse("cron: */15 9-17/4 1,15 1-3 1-5");
  EXPECT_EQ(s.kind, Schedule::Kind::Cron);
  EXPECT_EQ(s.cron, "*/15 9-17/4 1,15 1-3 1-5");
  const CronFields& f = s.cron_fields;
  EXPECT_EQ(f.minutes.count(), 4u);
  for (int m : {0, 15, 30, 45}) EXPECT_TRUE(f.minutes[m]) << m;
  EXPECT_EQ(f.hours.count(), 3u);
  for (int h : {9, 13, 17}) EXPECT_TRUE(f.hours[h]) << h;
  EXPECT_EQ(f.days_of_month.count(), 2u);
  EXPECT_TRUE(f.days_of_month[1]);
  EXPECT_TRUE(f.days_of_month[15]);
  EXPECT_EQ(f.months.count(), 3u);
  for (int m : {1, 2, 3}) EXPECT_TRUE(f.months[m]) << m;
  EXPECT_EQ(f.days_of_week.count(), 5u);
  EXPECT_FALSE(f.days_of_week[0]);
  EXPECT_FALSE(f.days_of_week[6]);
  EXPECT_TRUE(f.dom_restricted);
  EXPECT_TRUE(f.dow_restricted);
}

TEST(ScheduleTest, CronStarsFillWholeRanges) {
  Schedule s = MustParse("cron: * * * * *");
  const CronFields& f = s.cron_fields;
  EXPECT_TRUE(f.minutes.all());
  EXPECT_TRUE(f.hours.all());
  EXPECT_EQ(f.days_of_month.count(), 31u);
  EXPECT_FALSE(f.days_of_month[0]);
  EXPECT_EQ(f.months.count(), 12u);
  EXPECT_FALSE(f.months[0]);
  EXPECT_TRUE(f.days_of_week.all());
  EXPECT_FALSE(f.dom_restricted);
  EXPECT_FALSE(f.dow_restricted);
}

TEST(ScheduleTest, CronSundayIsZeroOrSeven) {
  for (const char* dow : {"0", "7", "0,7"}) {
    Schedule s = MustParse(std::string("cron: 0 0 * * ") + dow);
    EXPECT_EQ(s.cron_fields.days_of_week.count(), 1u) << dow;
    EXPECT_TRUE(s.cron_fields.days_of_week[0]) << dow;
  }
  Schedule s = MustParse("cron: 0 0 * * 5-7");  // Fri, Sat, Sun
  EXPECT_EQ(s.cron_fields.days_of_week.count(), 3u);
  EXPECT_TRUE(s.cron_fields.days_of_week[0]);
  EXPECT_TRUE(s.cron_fields.days_of_week[5]);
  EXPECT_TRUE(s.cron_fields.days_of_week[6]);
}

TEST(ScheduleTest, CronStarStepCountsAsUnrestricted) {
  // Vixie cron: a field starting with '*' does not switch dom/dow to "either matches".
  Schedule s = MustParse("cron: 0 0 */2 * 1");
  EXPECT_FALSE(s.cron_fields.dom_restricted);
  EXPECT_TRUE(s.cron_fields.dow_restricted);
  EXPECT_EQ(s.cron_fields.days_of_month.count(), 16u);
}

TEST(ScheduleTest, CronSpacesAreNormalized) {
  Schedule s = MustParse("cron:   0   2 *  * 1-5");
  EXPECT_EQ(s.cron, "0 2 * * 1-5");
  EXPECT_EQ(s.Canonical(), "cron: 0 2 * * 1-5");
}

TEST(ScheduleTest, CronLeapDayIsAccepted) {
  Schedule s = MustParse("cron: 0 0 29 2 *");
  EXPECT_TRUE(s.cron_fields.days_of_month[29]);
}

// --- Schedules: errors -------------------------------------------------------

const char* const kForms =
    "expected an interval like 15m, 90s, 2h or 1d, 'hourly', 'daily at HH:MM [ZONE]' or "
    "'cron: MIN HOUR DAY MONTH WEEKDAY'";

TEST(ScheduleTest, Errors) {
  const std::vector<ErrorCase> cases = {
      // Form and whitespace.
      {"", 0, 1, std::string("empty schedule; ") + kForms},
      {"weekly", 0, 6, std::string("unknown schedule 'weekly'; ") + kForms},
      {"every 15m", 0, 5, std::string("unknown schedule 'every'; ") + kForms},
      {"Hourly", 0, 6,
       std::string("unknown schedule 'Hourly' (keywords are lower-case: 'hourly'); ") + kForms},
      {" 15m", 0, 1, "leading whitespace is not allowed"},
      {"15m  ", 3, 2, "trailing whitespace is not allowed"},
      {"hourly\n", 6, 1, "trailing whitespace is not allowed"},
      // Intervals.
      {"15x", 2, 1, "unknown unit 'x'; expected s, m, h or d"},
      {"15M", 2, 1, "unknown unit 'M'; expected s, m, h or d"},
      {"15é", 2, 2, "unknown unit 'é'; expected s, m, h or d"},
      {"15", 2, 1, "missing unit after '15'; expected s, m, h or d"},
      {"15 m", 2, 1,
       "unexpected space before the unit; write the number and unit together (e.g. 15m)"},
      {"1.5h", 1, 1, "intervals must be whole numbers; use a smaller unit (e.g. 90m)"},
      {"0m", 0, 1, "interval must be positive"},
      {"000s", 0, 3, "interval must be positive"},
      {"0x", 0, 1, "interval must be positive"},
      {"-5m", 0, 1, "interval must be positive"},
      {"15min", 3, 1,
       "unexpected 'i' after interval '15m'; an interval is a whole number and one unit "
       "(s, m, h or d)"},
      {"99999999999999999999s", 0, 20, "interval is too large"},
      {"106751991167301d", 0, 16, "interval is too large"},  // fits int64 only as days
      // hourly / daily.
      {"hourlyx", 6, 1, "unexpected 'x' after 'hourly'"},
      {"hourly at 02:00", 6, 1, "unexpected ' ' after 'hourly'"},
      {"daily", 5, 1, "expected ' at HH:MM' after 'daily', found end of text"},
      {"daily 02:30", 5, 1, "expected ' at HH:MM' after 'daily', found ' '"},
      {"daily at 25:00", 9, 2, "hour must be 00-23"},
      {"daily at 24:00", 9, 2, "hour must be 00-23"},
      {"daily at 25:00 Eu#rope", 9, 2, "hour must be 00-23"},  // leftmost error first
      {"daily at 02:60", 12, 2, "minute must be 00-59"},
      {"daily at 2:30", 9, 1, "expected a two-digit hour (HH:MM, e.g. 02:30), found '2'"},
      {"daily at ", 8, 1, "trailing whitespace is not allowed"},
      {"daily at 02", 11, 1, "expected ':' between hour and minute, found end of text"},
      {"daily at 0230", 11, 1, "expected ':' between hour and minute, found '3'"},
      {"daily at 02:3", 12, 1, "expected a two-digit minute (HH:MM, e.g. 02:30), found '3'"},
      {"daily at 02:30x", 14, 1,
       "unexpected 'x' after the time; a time zone name is separated by one space"},
      {"daily at 02:30  UTC", 15, 1,
       "expected a time zone name after the time (e.g. Europe/Berlin), found ' '"},
      {"daily at 02:30 /Berlin", 15, 1,
       "expected a time zone name after the time (e.g. Europe/Berlin), found '/'"},
      {"daily at 02:30 Europe//Berlin", 21, 1, "empty part in time zone name"},
      {"daily at 02:30 Europe/", 21, 1, "empty part in time zone name"},
      {"daily at 02:30 Eu#rope", 17, 1,
       "invalid character '#' in time zone name; expected letters, digits, '_', '+', '-' and "
       "'/' between parts"},
      {"daily at 02:30 Europe/Berlin x", 28, 1,
       "invalid character ' ' in time zone name; expected letters, digits, '_', '+', '-' and "
       "'/' between parts"},
      // cron: structure.
      {"cron */15 * * * *", 4, 1,
       "expected ':' after 'cron' (e.g. 'cron: */15 * * * *'), found ' '"},
      {"cron:", 5, 1, "expected a space and 5 cron fields after 'cron:', found end of text"},
      {"cron:*/15 * * * *", 5, 1, "expected a space and 5 cron fields after 'cron:', found '*'"},
      {"cron: * * *", 11, 1, "expected 5 cron fields, found 3"},
      {"cron: *", 7, 1, "expected 5 cron fields, found 1"},
      {"cron: 0 * * * * *", 16, 1,
       "expected 5 cron fields, found 6 (seconds and year fields are not supported)"},
      {"cron: 0 0 * * * * 2025", 16, 6,
       "expected 5 cron fields, found 7 (seconds and year fields are not supported)"},
      {"cron: 61 * * *", 14, 1, "expected 5 cron fields, found 4"},  // count first
      // cron: values.
      {"cron: 61 * * * *", 6, 2, "minute 61 out of range 0-59"},
      {"cron: 0 24 * * *", 8, 2, "hour 24 out of range 0-23"},
      {"cron: 0 0 0 * *", 10, 1, "day-of-month 0 out of range 1-31"},
      {"cron: 0 0 32 * *", 10, 2, "day-of-month 32 out of range 1-31"},
      {"cron: 0 0 * 13 *", 12, 2, "month 13 out of range 1-12"},
      {"cron: 0 0 * 0 *", 12, 1, "month 0 out of range 1-12"},
      {"cron: 0 0 * * 8", 14, 1, "day-of-week 8 out of range 0-7"},
      {"cron: 99999999999 * * * *", 6, 11, "minute 99999999999 out of range 0-59"},
      {"cron: 0,5,70 * * * *", 10, 2, "minute 70 out of range 0-59"},
      {"cron: 0 9-25 * * *", 10, 2, "hour 25 out of range 0-23"},
      {"cron: 0 17-9 * * *", 8, 4,
       "reversed range 17-9 in the hour field; write the smaller number first"},
      {"cron: */0 * * * *", 8, 1, "step must be positive"},
      {"cron: */90 * * * *", 8, 2, "step 90 out of range 1-59 for the minute field"},
      {"cron: 0 */24 * * *", 10, 2, "step 24 out of range 1-23 for the hour field"},
      {"cron: 5/15 * * * *", 7, 1, "a step needs '*' or a range before '/' (e.g. */15 or 5-59/15)"},
      {"cron: 1,,2 * * * *", 8, 1, "expected a number or '*' in the minute field, found ','"},
      {"cron: 1, * * * *", 8, 1, "expected a number or '*' in the minute field"},
      {"cron: ? * * * *", 6, 1, "expected a number or '*' in the minute field, found '?'"},
      {"cron: 1- * * * *", 8, 1, "expected a number after '-' in the minute field"},
      {"cron: 1-x * * * *", 8, 1, "expected a number after '-' in the minute field, found 'x'"},
      {"cron: */ * * * *", 8, 1,
       "expected a step number after '/' in the minute field (e.g. */15)"},
      {"cron: *-5 * * * *", 7, 1, "unexpected '-' in the minute field"},
      {"cron: 1-5-9 * * * *", 9, 1, "unexpected '-' in the minute field"},
      {"cron: * * * JAN *", 12, 1,
       "names are not supported in cron fields; use numbers (month 1-12)"},
      {"cron: * * * * MON", 14, 1,
       "names are not supported in cron fields; use numbers (day-of-week 0-7, 0 and 7 = Sunday)"},
      {"cron: 0 0 31 2 *", 10, 2,
       "day-of-month 31 never occurs in the selected months; this schedule would never run"},
      {"cron: 0 0 30-31 2 *", 10, 5,
       "day-of-month 30-31 never occurs in the selected months; this schedule would never run"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    ExpectError(ParseSchedule(c.text), c);
  }
}

// --- Canonical ---------------------------------------------------------------

TEST(ScheduleTest, CanonicalUsesLargestExactUnit) {
  struct {
    const char* text;
    const char* canonical;
  } cases[] = {{"15m", "15m"}, {"90s", "90s"}, {"60s", "1m"},       {"120s", "2m"}, {"3600s", "1h"},
               {"90m", "90m"}, {"60m", "1h"},  {"24h", "1d"},       {"36h", "36h"}, {"48h", "2d"},
               {"1d", "1d"},   {"007m", "7m"}, {"86401s", "86401s"}};
  for (const auto& c : cases) EXPECT_EQ(MustParse(c.text).Canonical(), c.canonical) << c.text;
}

TEST(ScheduleTest, CanonicalRoundTrips) {
  for (const char* text :
       {"15m", "90s", "2h", "1d", "hourly", "daily at 02:30", "daily at 00:00",
        "daily at 02:30 Europe/Berlin", "daily at 23:59 America/Argentina/Buenos_Aires",
        "cron: */15 * * * *", "cron: 0 2 * * 1-5", "cron: 0,30 9-17 * * *",
        "cron: 0 0 1,15 */2 0,7"}) {
    Schedule s = MustParse(text);
    EXPECT_EQ(s.Canonical(), text);
    Schedule again = MustParse(s.Canonical());
    EXPECT_EQ(again.Canonical(), text);
    EXPECT_EQ(again.kind, s.kind);
  }
}

// --- Periods -----------------------------------------------------------------

TEST(ScheduleTest, PeriodsOfSimpleForms) {
  for (const char* text : {"15m", "90s", "2h", "1d"}) {
    Schedule s = MustParse(text);
    EXPECT_EQ(s.MinPeriodSeconds(), s.interval_seconds) << text;
    EXPECT_EQ(s.MaxPeriodSeconds(), s.interval_seconds) << text;
  }
  EXPECT_EQ(MustParse("15m").MinPeriodSeconds(), 900);
  EXPECT_EQ(MustParse("hourly").MinPeriodSeconds(), kHour);
  EXPECT_EQ(MustParse("hourly").MaxPeriodSeconds(), kHour);
  EXPECT_EQ(MustParse("daily at 02:30").MinPeriodSeconds(), kDay);
  EXPECT_EQ(MustParse("daily at 02:30 Europe/Berlin").MaxPeriodSeconds(), kDay);
}

TEST(ScheduleTest, CronPeriods) {
  struct {
    const char* text;
    int64_t min, max;
  } cases[] = {
      {"cron: */15 * * * *", 900, 900},
      {"cron: * * * * *", 60, 60},
      {"cron: 0 2 * * 1-5", kDay, 3 * kDay},                         // Fri 02:00 -> Mon 02:00
      {"cron: 0,30 9-17 * * *", 30 * kMin, 15 * kHour + 30 * kMin},  // 17:30 -> 09:00
      {"cron: 0 * * * *", kHour, kHour},
      {"cron: 0 0 * * 0", 7 * kDay, 7 * kDay},
      {"cron: 0 0 1 * *", 28 * kDay, 31 * kDay},
      {"cron: 0 0 1 1 *", 365 * kDay, 366 * kDay},
      {"cron: 0 0 29 2 *", 1461 * kDay, 2921 * kDay},  // 2096 -> 2104 skips 2100
      {"cron: 0 0 1 * 1", kDay, 7 * kDay},             // 1st of month OR Monday
      {"cron: 0 0 31 2 1", 7 * kDay, 350 * kDay},      // Feb 31 never, Mondays in Feb do
      {"cron: 0 0 */2 * 1", 7 * kDay, 21 * kDay},      // odd days that are Mondays (AND)
      {"cron: 5 0 * * *", kDay, kDay},
  };
  for (const auto& c : cases) {
    Schedule s = MustParse(c.text);
    EXPECT_EQ(s.MinPeriodSeconds(), c.min) << c.text;
    EXPECT_EQ(s.MaxPeriodSeconds(), c.max) << c.text;
  }
}

TEST(ScheduleTest, CronPeriodIsFast) {
  Schedule s = MustParse("cron: * * * * *");
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(s.MinPeriodSeconds(), 60);
  EXPECT_EQ(s.MaxPeriodSeconds(), 60);
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(elapsed, std::chrono::milliseconds(100));  // budget is 50 ms per call
}

// --- NextAfter ---------------------------------------------------------------

TEST(ScheduleTest, NextAfterInterval) {
  Schedule s = MustParse("15m");
  EXPECT_EQ(s.NextAfter(k2024), k2024 + 900);  // strictly after
  EXPECT_EQ(s.NextAfter(k2024 + 1), k2024 + 900);
  EXPECT_EQ(s.NextAfter(k2024 + 899), k2024 + 900);
  EXPECT_EQ(s.NextAfter(k2024 + 900), k2024 + 1800);
  EXPECT_EQ(s.NextAfter(0), 900);
  EXPECT_EQ(s.NextAfter(-1), 0);
  EXPECT_EQ(s.NextAfter(-900), 0);
  EXPECT_EQ(MustParse("7h").NextAfter(0), 7 * kHour);
  EXPECT_EQ(MustParse("1d").NextAfter(k2024 + 5), k2024 + kDay);
  const Schedule huge = MustParse("106751991167300d");  // just fits int64 seconds
  EXPECT_EQ(huge.NextAfter(k2024), huge.interval_seconds);
  EXPECT_EQ(huge.NextAfter(huge.interval_seconds), INT64_MAX);  // the next would overflow
}

TEST(ScheduleTest, NextAfterHourly) {
  Schedule s = MustParse("hourly");
  EXPECT_EQ(s.NextAfter(k2024), k2024 + kHour);
  EXPECT_EQ(s.NextAfter(k2024 + 1), k2024 + kHour);
  EXPECT_EQ(s.NextAfter(k2024 + kHour - 1), k2024 + kHour);
}

TEST(ScheduleTest, NextAfterDaily) {
  Schedule s = MustParse("daily at 02:30");
  const int64_t at = k2024 + 2 * kHour + 30 * kMin;
  EXPECT_EQ(s.NextAfter(k2024), at);
  EXPECT_EQ(s.NextAfter(at - 1), at);
  EXPECT_EQ(s.NextAfter(at), at + kDay);
  EXPECT_EQ(s.NextAfter(at + 1), at + kDay);
  EXPECT_EQ(s.NextAfter(0), 2 * kHour + 30 * kMin);
  EXPECT_EQ(s.NextAfter(-1), 2 * kHour + 30 * kMin);
  EXPECT_EQ(MustParse("daily at 00:00").NextAfter(k2024), k2024 + kDay);
  // The zone is not applied yet: the wall time is taken as UTC.
  EXPECT_EQ(MustParse("daily at 02:30 Europe/Berlin").NextAfter(k2024), at);
}

TEST(ScheduleTest, NextAfterCron) {
  Schedule every15 = MustParse("cron: */15 * * * *");
  EXPECT_EQ(every15.NextAfter(k2024), k2024 + 900);
  EXPECT_EQ(every15.NextAfter(k2024 + 59), k2024 + 900);
  EXPECT_EQ(every15.NextAfter(k2024 + 900), k2024 + 1800);
  EXPECT_EQ(every15.NextAfter(k2024 - 1), k2024);

  Schedule weekdays = MustParse("cron: 0 2 * * 1-5");
  EXPECT_EQ(weekdays.NextAfter(k2024), k2024 + 2 * kHour);  // Monday
  const int64_t friday_3am = k2024 + 4 * kDay + 3 * kHour;
  EXPECT_EQ(weekdays.NextAfter(friday_3am), k2024 + 7 * kDay + 2 * kHour);  // next Monday

  Schedule office = MustParse("cron: 0,30 9-17 * * *");
  EXPECT_EQ(office.NextAfter(k2024), k2024 + 9 * kHour);
  EXPECT_EQ(office.NextAfter(k2024 + 9 * kHour), k2024 + 9 * kHour + 30 * kMin);
  EXPECT_EQ(office.NextAfter(k2024 + 17 * kHour + 30 * kMin), k2024 + kDay + 9 * kHour);

  Schedule leap = MustParse("cron: 0 0 29 2 *");
  EXPECT_EQ(leap.NextAfter(k2024), 1709164800);       // 2024-02-29
  EXPECT_EQ(leap.NextAfter(1709164800), 1835395200);  // 2028-02-29

  Schedule first_or_monday = MustParse("cron: 0 0 1 * 1");
  EXPECT_EQ(first_or_monday.NextAfter(k2024), k2024 + 7 * kDay);               // Mon Jan 8
  EXPECT_EQ(first_or_monday.NextAfter(k2024 + 29 * kDay), k2024 + 31 * kDay);  // Thu Feb 1

  Schedule sunday = MustParse("cron: 30 6 * * 7");
  EXPECT_EQ(sunday.NextAfter(k2024), k2024 + 6 * kDay + 6 * kHour + 30 * kMin);
}

TEST(ScheduleTest, NextAfterNeverFiringHandBuiltCron) {
  Schedule s;
  s.kind = Schedule::Kind::Cron;  // empty fields: nothing matches
  EXPECT_EQ(s.NextAfter(k2024), INT64_MAX);
  EXPECT_EQ(s.MinPeriodSeconds(), 0);
  EXPECT_EQ(s.MaxPeriodSeconds(), 0);
}

// --- Secret references -------------------------------------------------------

TEST(SecretRefTest, Accepted) {
  struct {
    const char* text;
    SecretRef::Kind kind;
    const char* target;
  } cases[] = {
      {"env:ACME_SHOPIFY_TOKEN", SecretRef::Kind::Env, "ACME_SHOPIFY_TOKEN"},
      {"env:_x", SecretRef::Kind::Env, "_x"},
      {"env:a1", SecretRef::Kind::Env, "a1"},
      {"file:/run/secrets/token", SecretRef::Kind::File, "/run/secrets/token"},
      {"file:relative path/with spaces.txt", SecretRef::Kind::File,
       "relative path/with spaces.txt"},
      {"file:/etc/clé", SecretRef::Kind::File, "/etc/clé"},
      {"file:C:\\secrets\\x", SecretRef::Kind::File, "C:\\secrets\\x"},
  };
  for (const auto& c : cases) {
    auto r = ParseSecretRef(c.text);
    ASSERT_TRUE(r) << c.text << ": " << r.error.message;
    EXPECT_EQ(r.value->kind, c.kind) << c.text;
    EXPECT_EQ(r.value->target, c.target) << c.text;
    EXPECT_EQ(r.value->Text(), c.text);
  }
}

TEST(SecretRefTest, Errors) {
  const std::vector<ErrorCase> cases = {
      {"", 0, 1, "empty secret reference; expected env:NAME or file:PATH"},
      {"vault:x", 0, 5, "unknown secret source 'vault'; expected env:NAME or file:PATH"},
      {"ENV:X", 0, 3, "unknown secret source 'ENV'; expected env:NAME or file:PATH"},
      {":x", 0, 1, "missing secret source before ':'; expected env:NAME or file:PATH"},
      {"MY_TOKEN", 0, 8,
       "missing secret source; expected env:NAME or file:PATH (e.g. env:MY_TOKEN)"},
      {"/run/x", 0, 6, "missing secret source; expected env:NAME or file:PATH"},
      {"env:1ABC", 4, 1, "environment variable name must start with a letter or '_', found '1'"},
      {"env: A", 4, 1, "environment variable name must start with a letter or '_', found ' '"},
      {"env:", 4, 1, "missing variable name after 'env:'"},
      {"env:A-B", 5, 1,
       "invalid character '-' in environment variable name; use letters, digits and '_'"},
      {"env:TOKEN ", 9, 1,
       "invalid character ' ' in environment variable name; use letters, digits and '_'"},
      {"file:", 5, 1, "missing path after 'file:'"},
      {"file:\n", 5, 1, "control character U+000A in file path"},
      {"file:/a\tb", 7, 1, "control character U+0009 in file path"},
      {"file:/a\x7f", 7, 1, "control character U+007F in file path"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    ExpectError(ParseSecretRef(c.text), c);
  }
}

// --- Ship targets ------------------------------------------------------------

TEST(ShipTargetTest, Accepted) {
  struct {
    const char* text;
    const char* carrier;
    const char* service;
  } cases[] = {{"UPS/GROUND", "UPS", "GROUND"},
               {"FEDEX/FEDEX_2_DAY", "FEDEX", "FEDEX_2_DAY"},
               {"USPS/PRIORITY", "USPS", "PRIORITY"},
               {"dhl/express.12-00", "dhl", "express.12-00"},
               {"1/2", "1", "2"}};
  for (const auto& c : cases) {
    auto r = ParseShipTarget(c.text);
    ASSERT_TRUE(r) << c.text << ": " << r.error.message;
    EXPECT_EQ(r.value->carrier, c.carrier);
    EXPECT_EQ(r.value->service, c.service);
  }
}

TEST(ShipTargetTest, Errors) {
  const std::string form = "expected CARRIER/SERVICE (e.g. UPS/GROUND)";
  const std::string allowed = " (allowed: letters, digits, '_', '.', '-')";
  const std::vector<ErrorCase> cases = {
      {"", 0, 1, "empty ship target; " + form},
      {"UPS", 3, 1, "missing '/' between carrier and service; " + form},
      {"/GROUND", 0, 1, "missing carrier before '/'; " + form},
      {"UPS/", 4, 1, "missing service after '/'; " + form},
      {"UPS//GROUND", 4, 1, "missing service after '/'; " + form},
      {"UPS/GROUND/X", 10, 1, "extra '/'; expected exactly one '/' between carrier and service"},
      {"UPS GROUND", 3, 1, "invalid character ' ' in carrier" + allowed},
      {"UPS/GRO UND", 7, 1, "invalid character ' ' in service" + allowed},
      {"UPS/GROUND ", 10, 1, "invalid character ' ' in service" + allowed},
      {"UPS/GRÖUND", 6, 2, "invalid character 'Ö' in service" + allowed},
      {"_UPS/X", 0, 1, "carrier must start with a letter or digit, found '_'"},
      {" UPS/X", 0, 1, "carrier must start with a letter or digit, found ' '"},
      {"UPS/-X", 4, 1, "service must start with a letter or digit, found '-'"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    ExpectError(ParseShipTarget(c.text), c);
  }
}

}  // namespace
}  // namespace cartsync
