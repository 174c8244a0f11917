// Hourly statistics (store/stats.h) in the stats_hourly table (schema 9).
#include "store/sqlite/sqlite_store.h"

namespace copper::store::sqlite {
namespace {

std::int64_t as_int(std::uint64_t v) { return static_cast<std::int64_t>(v); }

}  // namespace

result<void> sqlite_store::add_stats_sample(const stats_sample& s) {
  return write<void>([&](database& db, touched_list&) -> result<void> {
    auto hour = hour_start(s.at);
    db.prepare(
          "INSERT INTO stats_hourly(hour_start, received, delivered, rejected, failed_logins, "
          "queue_size) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(hour_start) DO UPDATE SET "
          "received = received + excluded.received, delivered = delivered + excluded.delivered, "
          "rejected = rejected + excluded.rejected, "
          "failed_logins = failed_logins + excluded.failed_logins, "
          "queue_size = max(queue_size, excluded.queue_size)")
        .bind(1, hour)
        .bind(2, as_int(s.received))
        .bind(3, as_int(s.delivered))
        .bind(4, as_int(s.rejected))
        .bind(5, as_int(s.failed_logins))
        .bind(6, as_int(s.queue_size))
        .run();
    db.prepare("DELETE FROM stats_hourly WHERE hour_start < ?")
        .bind(1, hour - stats_retention_hours * seconds_per_hour)
        .run();
    return {};
  });
}

std::vector<stats_hour> sqlite_store::stats_hours(std::int64_t now, unsigned hours) {
  auto db = readers_.acquire();
  std::vector<stats_hour> stored;
  auto last = hour_start(now);
  auto st = db->prepare(
      "SELECT hour_start, received, delivered, rejected, failed_logins, queue_size "
      "FROM stats_hourly WHERE hour_start > ? AND hour_start <= ?");
  st.bind(1, last - static_cast<std::int64_t>(hours) * seconds_per_hour).bind(2, last);
  auto u = [&st](int col) { return static_cast<std::uint64_t>(st.int64(col)); };
  while (st.step()) {
    stored.push_back({st.int64(0), u(1), u(2), u(3), u(4), u(5)});
  }
  return hourly_series(stored, now, hours);
}

}  // namespace copper::store::sqlite
