// The DNS check's record evaluation (SPF, DMARC, MTA-STS) and the verdicts it
// builds from looked-up records, without a DNS server.
#include "admin/dns_check.h"

#include <gtest/gtest.h>

namespace copper::admin {
namespace {

namespace asio = boost::asio;

const std::vector<asio::ip::address> host_addrs = {asio::ip::make_address("192.0.2.10"),
                                                   asio::ip::make_address("2001:db8::10")};

check_status spf(std::string_view record, bool is_mx = true) {
  return evaluate_spf(record, "example.org", "mail.example.org", is_mx, host_addrs).status;
}

TEST(DnsCheckSpf, RecognisesSpfRecords) {
  EXPECT_TRUE(is_spf("v=spf1 mx -all"));
  EXPECT_TRUE(is_spf("V=SPF1 -all"));
  EXPECT_TRUE(is_spf("v=spf1"));
  EXPECT_FALSE(is_spf("v=spf10 mx"));
  EXPECT_FALSE(is_spf("google-site-verification=abc"));
}

TEST(DnsCheckSpf, AuthorisesTheMailHost) {
  EXPECT_EQ(spf("v=spf1 mx -all"), check_status::ok);
  EXPECT_EQ(spf("v=spf1 mx ~all"), check_status::ok);
  EXPECT_EQ(spf("v=spf1 mx:example.org -all"), check_status::ok);
  EXPECT_EQ(spf("v=spf1 a:mail.example.org -all", false), check_status::ok);
  EXPECT_EQ(spf("v=spf1 ip4:192.0.2.0/24 -all", false), check_status::ok);
  EXPECT_EQ(spf("v=spf1 ip4:192.0.2.10 -all", false), check_status::ok);
  EXPECT_EQ(spf("v=spf1 ip6:2001:db8::/32 -all", false), check_status::ok);
}

TEST(DnsCheckSpf, RefusesRecordsThatMissTheHostOrTheEnd) {
  // mx, but the domain's MX is not this host.
  EXPECT_EQ(spf("v=spf1 mx -all", false), check_status::wrong);
  EXPECT_EQ(spf("v=spf1 ip4:198.51.100.0/24 mx -all"), check_status::ok);  // mx matches
  EXPECT_EQ(spf("v=spf1 ip4:198.51.100.0/24 -all", false), check_status::wrong);
  EXPECT_EQ(spf("v=spf1 ip4:192.0.2.0/30 -all", false), check_status::wrong);  // .10 outside
  EXPECT_EQ(spf("v=spf1 mx"), check_status::wrong);                            // no all
  EXPECT_EQ(spf("v=spf1 mx +all"), check_status::wrong);
  EXPECT_EQ(spf("v=spf1 mx ?all"), check_status::wrong);
  EXPECT_EQ(spf("v=spf1 -mx mx -all"), check_status::wrong);  // the first match refuses
  EXPECT_EQ(spf("v=spf1 -all mx"), check_status::wrong);      // nothing after all counts
}

TEST(DnsCheckSpf, WarnsWhenOnlyIncludesCouldAuthorise) {
  EXPECT_EQ(spf("v=spf1 include:_spf.example.net -all", false), check_status::warning);
  EXPECT_EQ(spf("v=spf1 redirect=_spf.example.net", false), check_status::warning);
  EXPECT_EQ(spf("v=spf1 include:_spf.example.net mx -all"), check_status::ok);
}

TEST(DnsCheckDmarc, ValidatesVersionAndPolicy) {
  EXPECT_TRUE(is_dmarc("v=DMARC1; p=none"));
  EXPECT_FALSE(is_dmarc("v=spf1 -all"));
  EXPECT_EQ(evaluate_dmarc("v=DMARC1; p=quarantine; adkim=s; aspf=s").status, check_status::ok);
  EXPECT_EQ(evaluate_dmarc("v=DMARC1;p=reject").status, check_status::ok);
  EXPECT_EQ(evaluate_dmarc("v=DMARC1; p=none; rua=mailto:d@example.org").status, check_status::ok);
  EXPECT_EQ(evaluate_dmarc("v=DMARC1; rua=mailto:d@example.org").status, check_status::wrong);
  EXPECT_EQ(evaluate_dmarc("v=DMARC1; p=maybe").status, check_status::wrong);
  EXPECT_EQ(evaluate_dmarc("p=reject; v=DMARC1").status, check_status::wrong);
}

TEST(DnsCheckMtaSts, NeedsVersionAndId) {
  EXPECT_EQ(evaluate_mta_sts("v=STSv1; id=20240101T000000").status, check_status::ok);
  EXPECT_EQ(evaluate_mta_sts("v=STSv1;").status, check_status::wrong);
  EXPECT_EQ(evaluate_mta_sts("v=STSv1; id=has-dash").status, check_status::wrong);
}

published_dns good_domain() {
  published_dns d;
  d.mx.records = {{10, "mail.example.org"}};
  d.txt.records = {"v=spf1 mx -all", "site-verification=x"};
  d.dmarc.records = {"v=DMARC1; p=quarantine"};
  d.mta_sts.records = {"v=STSv1; id=1"};
  d.host_addresses.records = {asio::ip::make_address("192.0.2.10")};
  net::dns_result<std::string> ptr;
  ptr.records = {"mail.example.org"};
  d.ptr.emplace_back(asio::ip::make_address("192.0.2.10"), ptr);
  return d;
}

std::map<std::string, check_status> by_type(const std::vector<dns_check_item>& items) {
  std::map<std::string, check_status> out;
  for (const auto& i : items) {
    out[i.type] = i.status;
  }
  return out;
}

TEST(DnsCheckEvaluate, CorrectDomainIsOkButForDkim) {
  auto items = evaluate(good_domain(), "example.org", "mail.example.org");
  auto s = by_type(items);
  EXPECT_EQ(s["MX"], check_status::ok);
  EXPECT_EQ(s["SPF"], check_status::ok);
  EXPECT_EQ(s["DKIM"], check_status::warning);
  EXPECT_EQ(s["DMARC"], check_status::ok);
  EXPECT_EQ(s["MTA-STS"], check_status::ok);
  EXPECT_EQ(s["PTR"], check_status::ok);
  EXPECT_EQ(items[5].name, "10.2.0.192.in-addr.arpa");
}

TEST(DnsCheckEvaluate, BrokenDomain) {
  auto d = good_domain();
  d.mx = {net::dns_status::no_data, {}, ""};
  d.txt.records = {"v=spf1 mx -all", "v=spf1 -all"};
  d.dmarc = {net::dns_status::nxdomain, {}, ""};
  d.mta_sts = {net::dns_status::nxdomain, {}, ""};
  d.ptr[0].second.records = {"host.provider.example"};
  auto s = by_type(evaluate(d, "example.org", "mail.example.org"));
  EXPECT_EQ(s["MX"], check_status::missing);
  EXPECT_EQ(s["SPF"], check_status::wrong);
  EXPECT_EQ(s["DMARC"], check_status::missing);
  EXPECT_EQ(s["MTA-STS"], check_status::warning);
  EXPECT_EQ(s["PTR"], check_status::warning);

  d.mx = {net::dns_status::timeout, {}, "timeout"};
  EXPECT_EQ(by_type(evaluate(d, "example.org", "mail.example.org"))["MX"], check_status::warning);
}

TEST(DnsCheckEvaluate, JsonCarriesEveryField) {
  auto json = to_json(evaluate(good_domain(), "example.org", "mail.example.org"));
  EXPECT_NE(json.find(R"("type":"MX","name":"example.org","expected":"10 mail.example.org.")"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find(R"("found":["10 mail.example.org."],"status":"ok")"), std::string::npos);
}

TEST(Dns, ReverseNames) {
  EXPECT_EQ(net::reverse_name(asio::ip::make_address("192.0.2.10")), "10.2.0.192.in-addr.arpa");
  EXPECT_EQ(net::reverse_name(asio::ip::make_address("2001:db8::1")),
            "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
}

}  // namespace
}  // namespace copper::admin
