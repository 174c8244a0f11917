// The Apple configuration profile: the listeners it names, stable UUIDs,
// and escaping.
#include "admin/mobileconfig.h"

#include <gtest/gtest.h>

namespace copper::admin {
namespace {

using http::mail_endpoint;
using p = mail_endpoint::protocol;
using s = mail_endpoint::security;

http::client_setup setup() {
  return {"mail.example.org",
          {{p::imap, s::implicit_tls, 993},
           {p::imap, s::starttls, 143},
           {p::pop3, s::implicit_tls, 995},
           {p::smtp, s::implicit_tls, 465},
           {p::smtp, s::starttls, 587}}};
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(Mobileconfig, NamesThePreferredListenersAndTheUser) {
  auto profile = mobileconfig(setup(), "alice@example.org");
  ASSERT_TRUE(profile);
  EXPECT_TRUE(
      has(*profile, "<key>IncomingMailServerPortNumber</key>\n      <integer>993</integer>"));
  EXPECT_TRUE(
      has(*profile, "<key>OutgoingMailServerPortNumber</key>\n      <integer>465</integer>"));
  EXPECT_TRUE(has(
      *profile, "<key>IncomingMailServerHostName</key>\n      <string>mail.example.org</string>"));
  EXPECT_TRUE(has(
      *profile, "<key>IncomingMailServerUsername</key>\n      <string>alice@example.org</string>"));
  EXPECT_TRUE(has(*profile, "<string>com.apple.mail.managed</string>"));
  EXPECT_TRUE(has(*profile, "<string>Configuration</string>"));
}

TEST(Mobileconfig, StartTlsListenersWhenNoImplicitTls) {
  http::client_setup only_starttls{"mail.example.org",
                                   {{p::imap, s::starttls, 1143}, {p::smtp, s::starttls, 5587}}};
  auto profile = mobileconfig(only_starttls, "bob@example.org");
  ASSERT_TRUE(profile);
  EXPECT_TRUE(has(*profile, "<integer>1143</integer>"));
  EXPECT_TRUE(has(*profile, "<integer>5587</integer>"));
}

TEST(Mobileconfig, UuidsAreStablePerAddress) {
  auto a1 = mobileconfig(setup(), "alice@example.org");
  auto a2 = mobileconfig(setup(), "alice@example.org");
  auto b = mobileconfig(setup(), "bob@example.org");
  EXPECT_EQ(*a1, *a2);
  EXPECT_NE(*a1, *b);
  auto u = name_uuid("x");
  ASSERT_EQ(u.size(), 36u);
  EXPECT_EQ(u[14], '5');  // version 5
  EXPECT_TRUE(u[19] == '8' || u[19] == '9' || u[19] == 'A' || u[19] == 'B');
  EXPECT_NE(u, name_uuid("y"));
}

TEST(Mobileconfig, EscapesXml) {
  auto profile = mobileconfig(setup(), "a&b<c>@example.org");
  ASSERT_TRUE(profile);
  EXPECT_TRUE(has(*profile, "a&amp;b&lt;c&gt;@example.org"));
  EXPECT_FALSE(has(*profile, "a&b"));
}

TEST(Mobileconfig, RefusesWithoutImapOrSubmission) {
  http::client_setup no_smtp{"mail.example.org", {{p::imap, s::implicit_tls, 993}}};
  EXPECT_FALSE(mobileconfig(no_smtp, "alice@example.org"));
}

}  // namespace
}  // namespace copper::admin
