// Hourly activity statistics kept by Copper itself for the admin dashboard
// (issue 4: "charts ... kept by Copper itself, no external time-series
// database"): one bucket per hour, fed by app/'s sampler, kept 90 days.
#pragma once

#include <cstdint>
#include <vector>

#include "core/result.h"

namespace copper::store {

// What happened in one hour (counts) and the largest outbound queue seen in it.
struct stats_hour {
  std::int64_t start = 0;  // unix seconds, a multiple of 3600
  std::uint64_t received = 0;
  std::uint64_t delivered = 0;
  std::uint64_t rejected = 0;
  std::uint64_t failed_logins = 0;
  std::uint64_t queue_size = 0;
};

// One sampler reading to add to the hour containing `at`: counts are added,
// the queue size kept as the hour's maximum.
struct stats_sample {
  std::int64_t at = 0;  // unix seconds
  std::uint64_t received = 0;
  std::uint64_t delivered = 0;
  std::uint64_t rejected = 0;
  std::uint64_t failed_logins = 0;
  std::uint64_t queue_size = 0;
};

constexpr std::int64_t seconds_per_hour = 3600;
constexpr std::int64_t stats_retention_hours = std::int64_t{90} * 24;

// Running totals of the server's counters (core/metrics.h), as read now.
struct stats_totals {
  std::uint64_t received = 0;
  std::uint64_t delivered = 0;
  std::uint64_t rejected = 0;
  std::uint64_t failed_logins = 0;
};

// Turns successive readings of running totals into what happened between
// them. The counters live in memory and start at zero with the process, so
// the first baseline is zero: nothing counted before the first sample is lost.
// A total below the previous reading means the counter restarted; everything
// it holds then is new.
class stats_delta_tracker {
 public:
  stats_sample advance(const stats_totals& now, std::int64_t at, std::uint64_t queue_size);

 private:
  stats_totals last_;
};

// The start of the hour containing `unix_seconds`.
std::int64_t hour_start(std::int64_t unix_seconds);

// The `hours` hours ending with the one containing `now`, oldest first, one
// entry per hour: hours missing from `stored` (in any order) are empty.
std::vector<stats_hour> hourly_series(const std::vector<stats_hour>& stored, std::int64_t now,
                                      unsigned hours);

// Where the hours are kept: a separate interface from store.h's, so that
// the protocols, which never see statistics, do not depend on it.
class stats_store {
 public:
  virtual ~stats_store() = default;
  // Adds a sample to its hour and drops the hours older than the retention.
  virtual result<void> add_stats_sample(const stats_sample& sample) = 0;
  // The `hours` hours ending with the one containing `now`, oldest first,
  // including empty hours.
  virtual std::vector<stats_hour> stats_hours(std::int64_t now, unsigned hours) = 0;
};

}  // namespace copper::store
