#include "app/cli_ops.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <ctime>

#include "admin/dns_check.h"
#include "core/address.h"

namespace copper::app {
namespace {

int fail(std::string_view message) {
  fmt::print(stderr, "copper: {}\n", message);
  return 1;
}

std::string utc_hour(std::int64_t unix_seconds) {
  auto t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:00Z", &tm);
  return buf;
}

}  // namespace

int stats_command(store::stats_store& stats, const cli_request& req) {
  unsigned hours = 24;
  if (req.args.size() > 1) {
    return fail("usage: copper stats [HOURS]");
  }
  if (req.args.size() == 1) {
    const auto& s = req.args[0];
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), hours);
    if (ec != std::errc() || ptr != s.data() + s.size() || hours < 1 || hours > 168) {
      return fail("HOURS is a number from 1 to 168");
    }
  }
  auto now = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  fmt::print("{:<18} {:>9} {:>9} {:>9} {:>13} {:>6}\n", "hour", "received", "delivered", "rejected",
             "failed_logins", "queue");
  for (const auto& h : stats.stats_hours(now, hours)) {
    fmt::print("{:<18} {:>9} {:>9} {:>9} {:>13} {:>6}\n", utc_hour(h.start), h.received,
               h.delivered, h.rejected, h.failed_logins, h.queue_size);
  }
  return 0;
}

int dns_check_command(const config::config& cfg, const cli_request& req) {
  if (req.args.size() != 1) {
    return fail("usage: copper dns-check DOMAIN");
  }
  auto dom = normalize_domain(req.args[0]);
  if (!dom) {
    return fail(dom.err().message);
  }
  auto result = admin::check_domain({.servers = cfg.dns.servers}, *dom, cfg.hostname);
  if (!result) {
    return fail(result.err().message);
  }
  const auto& checks = *result;
  fmt::print("{}\n", admin::to_json(checks));
  bool bad = std::any_of(checks.begin(), checks.end(), [](const auto& c) {
    return c.status == admin::check_status::missing || c.status == admin::check_status::wrong;
  });
  return bad ? 1 : 0;
}

}  // namespace copper::app
