#include "admin/dns_records.h"

#include <fmt/format.h>

namespace copper::admin {
namespace {

std::string quoted_txt(std::string_view text) {
  std::string out;
  do {
    auto part = text.substr(0, 255);
    text.remove_prefix(part.size());
    out += out.empty() ? "\"" : " \"";
    for (char c : part) {
      if (c == '"' || c == '\\') {
        out += '\\';
      }
      out += c;
    }
    out += '"';
  } while (!text.empty());
  return out;
}

}  // namespace

std::vector<dns_record> dns_records(std::string_view hostname, std::string_view domain) {
  std::string dom(domain);
  std::string host = fmt::format("{}.", hostname);
  return {
      {dom, 3600, "MX", "10 " + host, "mail exchanger: where other servers deliver"},
      {dom, 3600, "TXT", "v=spf1 mx -all", "SPF: only the MX hosts send for the domain"},
      {"_dmarc." + dom, 3600, "TXT", "v=DMARC1; p=quarantine; adkim=s; aspf=s",
       "DMARC policy for mail that fails SPF and DKIM"},
      // RFC 6186 service records so that clients find submission and IMAP.
      {"_submission._tcp." + dom, 3600, "SRV", "0 1 587 " + host,
       "client discovery: submission with STARTTLS (RFC 6186)"},
      {"_submissions._tcp." + dom, 3600, "SRV", "0 1 465 " + host,
       "client discovery: submission over TLS (RFC 8314)"},
      {"_imaps._tcp." + dom, 3600, "SRV", "0 1 993 " + host,
       "client discovery: IMAP over TLS (RFC 6186)"},
      {"autoconfig." + dom, 3600, "CNAME", host, "Thunderbird autoconfiguration"},
  };
}

std::string zone_lines(const std::vector<dns_record>& records) {
  std::string out;
  for (const auto& r : records) {
    out += fmt::format("{}.\t{}\tIN\t{}\t{}\n", r.name, r.ttl, r.type,
                       r.type == "TXT" ? quoted_txt(r.data) : r.data);
  }
  return out;
}

}  // namespace copper::admin
