// The c-ares resolver on a real io_context: a server that never answers ends
// in dns_status::timeout within the configured bound, and a malformed server
// entry is refused when the resolver is made. (Answers, NXDOMAIN and SERVFAIL
// are tested against a DNS server in tests/integration/test_dns_check.py.)
#include "net/dns.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <chrono>
#include <optional>

namespace copper::net {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

asio::awaitable<void> lookup_txt(resolver& r, std::optional<dns_result<std::string>>& out) {
  std::string name = "example.org";
  out = co_await r.txt(name);
}

TEST(Resolver, SilentServerTimesOut) {
  asio::io_context io;
  asio::ip::udp::socket silent(io, {asio::ip::make_address("127.0.0.1"), 0});
  auto server = "127.0.0.1:" + std::to_string(silent.local_endpoint().port());
  auto r = resolver::create(io.get_executor(), {.servers = {server}, .timeout = 100ms, .tries = 1});
  ASSERT_TRUE(r) << r.err().message;
  std::optional<dns_result<std::string>> got;
  auto started = std::chrono::steady_clock::now();
  asio::co_spawn(io, lookup_txt(**r, got), [&io](const std::exception_ptr&) { io.stop(); });
  io.run_for(10s);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->status, dns_status::timeout) << got->message;
  EXPECT_TRUE(got->records.empty());
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
}

TEST(Resolver, RefusesMalformedServers) {
  asio::io_context io;
  EXPECT_FALSE(resolver::create(io.get_executor(), {.servers = {"not a server"}}));
}

}  // namespace
}  // namespace copper::net
