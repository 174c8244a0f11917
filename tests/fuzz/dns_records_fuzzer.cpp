// DNS data from the network: raw answers through the typed parsers (c-ares'
// parsers under our bounds), and TXT data through the DNS check's SPF, DMARC
// and MTA-STS judgement.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "admin/dns_policy.h"
#include "net/dns_parse.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace copper;
  net::dns_answer answer;
  answer.data.assign(data, data + size);
  (void)net::parse_txt(answer);
  (void)net::parse_mx(answer);
  (void)net::parse_a(answer);
  (void)net::parse_aaaa(answer);
  (void)net::parse_ptr(answer, boost::asio::ip::make_address("192.0.2.1"));
  (void)net::parse_cname(answer, "example.org");

  std::string_view text(reinterpret_cast<const char*>(data), size);
  static const std::vector<boost::asio::ip::address> addrs = {
      boost::asio::ip::make_address("192.0.2.10"), boost::asio::ip::make_address("2001:db8::1")};
  (void)admin::is_spf(text);
  (void)admin::evaluate_spf(text, "example.org", "mail.example.org", true, addrs);
  (void)admin::evaluate_spf(text, "example.org", "mail.example.org", false, addrs);
  (void)admin::evaluate_dmarc(text);
  (void)admin::evaluate_mta_sts(text);
  return 0;
}
