#include "http/autoconfig.h"

#include <gtest/gtest.h>

namespace copper::http {
namespace {

client_setup sample() {
  using p = mail_endpoint::protocol;
  using s = mail_endpoint::security;
  return {
      "mail.example.org",
      {{p::imap, s::implicit_tls, 993}, {p::smtp, s::starttls, 587}, {p::pop3, s::starttls, 110}}};
}

TEST(EndpointPort, HostPort) {
  EXPECT_EQ(endpoint_port("127.0.0.1:8443"), 8443);
  EXPECT_EQ(endpoint_port("[::1]:993"), 993);
  EXPECT_EQ(endpoint_port("*:25"), 25);
  EXPECT_EQ(endpoint_port("nohost"), 0);
  EXPECT_EQ(endpoint_port("h:99999"), 0);
  EXPECT_EQ(endpoint_port("h:12x"), 0);
}

TEST(Thunderbird, ListsIncomingBeforeOutgoing) {
  auto xml = thunderbird_config(sample(), "bob@example.net");
  EXPECT_NE(xml.find("<emailProvider id=\"example.net\">"), std::string::npos);
  auto imap = xml.find("<incomingServer type=\"imap\">");
  auto pop = xml.find("<incomingServer type=\"pop3\">");
  auto smtp = xml.find("<outgoingServer type=\"smtp\">");
  ASSERT_NE(imap, std::string::npos);
  ASSERT_NE(pop, std::string::npos);
  ASSERT_NE(smtp, std::string::npos);
  EXPECT_LT(pop, smtp);
  EXPECT_NE(xml.find("<port>993</port>\n      <socketType>SSL</socketType>"), std::string::npos);
  EXPECT_NE(xml.find("<port>587</port>\n      <socketType>STARTTLS</socketType>"),
            std::string::npos);
}

TEST(Thunderbird, EscapesAndFallsBackToHostname) {
  auto setup = sample();
  setup.hostname = "a<b>&c";
  auto xml = thunderbird_config(setup, "not-an-address");
  EXPECT_EQ(xml.find("a<b>"), std::string::npos);
  EXPECT_NE(xml.find("<hostname>a&lt;b&gt;&amp;c</hostname>"), std::string::npos);
  EXPECT_NE(xml.find("<domain>a&lt;b&gt;&amp;c</domain>"), std::string::npos);
}

TEST(Autodiscover, OneProtocolPerEndpoint) {
  auto xml = autodiscover_response(sample(), "bob@example.net");
  EXPECT_NE(xml.find("<Type>IMAP</Type>"), std::string::npos);
  EXPECT_NE(xml.find("<Type>SMTP</Type>"), std::string::npos);
  EXPECT_NE(xml.find("<Type>POP3</Type>"), std::string::npos);
  EXPECT_NE(xml.find("<LoginName>bob@example.net</LoginName>"), std::string::npos);
  EXPECT_NE(xml.find("<Port>993</Port>"), std::string::npos);
}

}  // namespace
}  // namespace copper::http
