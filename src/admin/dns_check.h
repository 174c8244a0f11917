// The live DNS check of a domain (admin portal, `copper dns-check`): looks up
// what the domain publishes and compares it with what Copper needs: MX at the
// hostname, one SPF record authorising it, DMARC, MTA-STS, and whether the
// hostname's addresses have PTR records naming it. Lookups are separate from
// the evaluation, which has no I/O and is unit-tested.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "admin/dns_policy.h"
#include "net/dns.h"

namespace copper::admin {

// One line of the check, as the admin API returns it.
struct dns_check_item {
  std::string type;      // MX, SPF, DKIM, DMARC, MTA-STS, PTR
  std::string name;      // the DNS name looked at
  std::string expected;  // what Copper wants there
  std::vector<std::string> found;
  check_status status = check_status::ok;
  std::string message;
};

// What the domain and the hostname publish.
struct published_dns {
  net::dns_result<net::mx_record> mx;
  net::dns_result<std::string> txt;      // at the domain: the SPF record is among them
  net::dns_result<std::string> dmarc;    // TXT at _dmarc.<domain>
  net::dns_result<std::string> mta_sts;  // TXT at _mta-sts.<domain>
  net::dns_result<boost::asio::ip::address> host_addresses;  // A and AAAA of the hostname
  std::vector<std::pair<boost::asio::ip::address, net::dns_result<std::string>>> ptr;
};

// Every lookup the check needs, one after the other.
boost::asio::awaitable<published_dns> lookup_published(net::resolver& resolver,
                                                       std::string_view domain,
                                                       std::string_view hostname);

std::vector<dns_check_item> evaluate(const published_dns& dns, std::string_view domain,
                                     std::string_view hostname);

// The whole check, blocking the calling thread (a worker of the pool, or the
// CLI) while a private io_context runs the lookups; each lookup is bounded by
// the resolver's timeout and tries.
result<std::vector<dns_check_item>> check_domain(const net::resolver_options& options,
                                                 std::string_view domain,
                                                 std::string_view hostname);

// {"checks":[{"type","name","expected","found":[...],"status","message"}]}
std::string to_json(const std::vector<dns_check_item>& checks);

}  // namespace copper::admin
