// The DNS records a local domain must publish (MX, SPF, DMARC, client SRV
// records, autoconfig), as data for the admin API and as zone-file lines for
// `copper dns-records`: one list, two renderings.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace copper::admin {

struct dns_record {
  std::string name;  // fully qualified, without the trailing dot
  unsigned ttl = 3600;
  std::string type;  // MX, TXT, SRV, CNAME
  std::string data;  // presentation form; TXT data unquoted
  std::string purpose;
};

// `domain` must already be normalised (normalize_domain).
std::vector<dns_record> dns_records(std::string_view hostname, std::string_view domain);

// Zone-file lines, "NAME. TTL IN TYPE DATA", TXT data quoted and split into
// strings of at most 255 octets (RFC 1035 3.3.14).
std::string zone_lines(const std::vector<dns_record>& records);

}  // namespace copper::admin
