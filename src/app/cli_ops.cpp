#include "app/cli_ops.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <charconv>
#include <chrono>
#include <ctime>
#include <exception>

#include "admin/dns_check.h"
#include "core/address.h"
#include "net/dns.h"

namespace copper::app {
namespace {

int fail(std::string_view message) {
  fmt::print(stderr, "copper: {}\n", message);
  return 1;
}

namespace asio = boost::asio;

asio::awaitable<void> run_check(net::resolver& resolver, const std::string& domain,
                                const std::string& hostname,
                                std::vector<admin::dns_check_item>& out) {
  auto published = co_await admin::lookup_published(resolver, domain, hostname);
  out = admin::evaluate(published, domain, hostname);
}

std::string utc_hour(std::int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
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
  asio::io_context io;
  auto resolver = net::resolver::create(io.get_executor(), {.servers = cfg.dns.servers});
  if (!resolver) {
    return fail(resolver.err().message);
  }
  std::vector<admin::dns_check_item> checks;
  // The resolver may keep watching an idle socket: stop once the check is done.
  std::exception_ptr failure;
  asio::co_spawn(io, run_check(**resolver, *dom, cfg.hostname, checks),
                 [&io, &failure](std::exception_ptr e) {
                   failure = std::move(e);
                   io.stop();
                 });
  io.run();
  if (failure) {
    return fail("the DNS check stopped on an internal error");
  }
  fmt::print("{}\n", admin::to_json(checks));
  bool bad = std::any_of(checks.begin(), checks.end(), [](const auto& c) {
    return c.status == admin::check_status::missing || c.status == admin::check_status::wrong;
  });
  return bad ? 1 : 0;
}

}  // namespace copper::app
