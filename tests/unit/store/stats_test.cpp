// The dashboard's hourly statistics: bucketing by hour, deltas between
// counter readings (with restarts), and the stats_hourly table.
#include "store/stats.h"

#include <gtest/gtest.h>

#include "store/sqlite/sqlite_store.h"
#include "temp_dir.h"

namespace copper::store {
namespace {

constexpr std::int64_t h0 = 1'700'000'000 / 3600 * 3600;  // an hour boundary

TEST(Stats, HourStartFloors) {
  EXPECT_EQ(hour_start(h0), h0);
  EXPECT_EQ(hour_start(h0 + 3599), h0);
  EXPECT_EQ(hour_start(h0 + 3600), h0 + 3600);
  EXPECT_EQ(hour_start(-1), -3600);
}

TEST(Stats, SeriesHasEveryHourOldestFirst) {
  std::vector<stats_hour> stored = {{.start = h0, .received = 5},
                                    {.start = h0 - 2 * 3600, .rejected = 2},
                                    {.start = h0 - 10 * 3600, .received = 99}};  // too old
  auto series = hourly_series(stored, h0 + 1800, 4);
  ASSERT_EQ(series.size(), 4u);
  EXPECT_EQ(series[0].start, h0 - 3 * 3600);
  EXPECT_EQ(series[3].start, h0);
  EXPECT_EQ(series[0].received, 0u);
  EXPECT_EQ(series[1].rejected, 2u);
  EXPECT_EQ(series[2].received + series[2].rejected, 0u);
  EXPECT_EQ(series[3].received, 5u);
}

TEST(Stats, DeltasFromZeroThenBetweenReadings) {
  stats_delta_tracker t;
  // Counted before the first sample (the process started at zero): kept.
  auto a = t.advance({.received = 3, .rejected = 1}, h0, 7);
  EXPECT_EQ(a.received, 3u);
  EXPECT_EQ(a.rejected, 1u);
  EXPECT_EQ(a.queue_size, 7u);
  auto b = t.advance({.received = 10, .rejected = 1, .failed_logins = 4}, h0 + 60, 0);
  EXPECT_EQ(b.received, 7u);
  EXPECT_EQ(b.rejected, 0u);
  EXPECT_EQ(b.failed_logins, 4u);
  EXPECT_EQ(b.at, h0 + 60);
}

TEST(Stats, CounterRestartCountsEverythingItHolds) {
  stats_delta_tracker t;
  (void)t.advance({.received = 50}, h0, 0);
  auto after_reset = t.advance({.received = 2}, h0 + 60, 0);
  EXPECT_EQ(after_reset.received, 2u);
  EXPECT_EQ(t.advance({.received = 5}, h0 + 120, 0).received, 3u);
}

TEST(Stats, StoreAddsSamplesIntoTheirHourAndPrunes) {
  test::temp_dir dir;
  sqlite::sqlite_store store(dir.path());
  ASSERT_TRUE(store.add_stats_sample({.at = h0 + 10, .received = 2, .queue_size = 3}));
  ASSERT_TRUE(store.add_stats_sample({.at = h0 + 3500, .received = 1, .delivered = 4}));
  ASSERT_TRUE(store.add_stats_sample({.at = h0 + 3600, .failed_logins = 6, .queue_size = 1}));
  auto series = store.stats_hours(h0 + 3600, 3);
  ASSERT_EQ(series.size(), 3u);
  EXPECT_EQ(series[0].start, h0 - 3600);
  EXPECT_EQ(series[0].received, 0u);
  EXPECT_EQ(series[1].received, 3u);
  EXPECT_EQ(series[1].delivered, 4u);
  EXPECT_EQ(series[1].queue_size, 3u);  // the hour's largest
  EXPECT_EQ(series[2].failed_logins, 6u);

  // 90 days later, the old hours are gone.
  auto later = h0 + stats_retention_hours * seconds_per_hour + 7200;
  ASSERT_TRUE(store.add_stats_sample({.at = later, .rejected = 1}));
  auto old = store.stats_hours(h0 + 3600, 2);
  EXPECT_EQ(old[0].received, 0u);
  EXPECT_EQ(old[1].failed_logins, 0u);
  EXPECT_EQ(store.stats_hours(later, 1)[0].rejected, 1u);
}

}  // namespace
}  // namespace copper::store
