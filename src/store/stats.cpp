#include "store/stats.h"

#include <map>

namespace copper::store {

std::int64_t hour_start(std::int64_t unix_seconds) {
  // Floor, not truncation: dates before 1970 are not expected, but must not
  // land in the wrong hour either.
  auto r = unix_seconds % seconds_per_hour;
  return unix_seconds - (r < 0 ? r + seconds_per_hour : r);
}

namespace {

std::uint64_t since(std::uint64_t now, std::uint64_t before) {
  return now >= before ? now - before : now;
}

}  // namespace

stats_sample stats_delta_tracker::advance(const stats_totals& now, std::int64_t at,
                                          std::uint64_t queue_size) {
  stats_sample out{.at = at,
                   .received = since(now.received, last_.received),
                   .delivered = since(now.delivered, last_.delivered),
                   .rejected = since(now.rejected, last_.rejected),
                   .failed_logins = since(now.failed_logins, last_.failed_logins),
                   .queue_size = queue_size};
  last_ = now;
  return out;
}

std::vector<stats_hour> hourly_series(const std::vector<stats_hour>& stored, std::int64_t now,
                                      unsigned hours) {
  std::map<std::int64_t, const stats_hour*> by_start;
  for (const auto& h : stored) {
    by_start[h.start] = &h;
  }
  std::vector<stats_hour> out;
  out.reserve(hours);
  auto last = hour_start(now);
  for (std::int64_t i = static_cast<std::int64_t>(hours) - 1; i >= 0; --i) {
    auto start = last - i * seconds_per_hour;
    auto it = by_start.find(start);
    out.push_back(it == by_start.end() ? stats_hour{.start = start} : *it->second);
  }
  return out;
}

}  // namespace copper::store
