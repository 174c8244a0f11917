// The DNS check's judgement of published policy records (SPF, DMARC,
// MTA-STS): TXT data from the network in, a verdict out. No I/O; the
// dns_records fuzzer feeds it.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace copper::admin {

enum class check_status { ok, missing, wrong, warning };
std::string_view to_string(check_status s);

struct verdict {
  check_status status = check_status::ok;
  std::string message;
};

// "v=spf1" as the first term (RFC 7208 4.5: records that do not start so are discarded).
bool is_spf(std::string_view txt);
bool is_dmarc(std::string_view txt);
bool is_mta_sts(std::string_view txt);

// Whether the SPF record authorises the mail host: `mx` (the domain's MX is
// the host), `a:host`, `ip4:`/`ip6:` covering one of its addresses, and ends
// in -all or ~all. include:, redirect= and other domains are not followed:
// a warning when nothing else authorises the host.
verdict evaluate_spf(std::string_view record, std::string_view domain, std::string_view hostname,
                     bool hostname_is_mx, const std::vector<boost::asio::ip::address>& host_addrs);

// v=DMARC1 first, then a p= of none, quarantine or reject (RFC 7489 6.3, 6.4).
verdict evaluate_dmarc(std::string_view record);

// v=STSv1 first, then id= of 1 to 32 letters and digits (RFC 8461 3.1).
verdict evaluate_mta_sts(std::string_view record);

}  // namespace copper::admin
