// reply::wire() (RFC 5321 4.2, 4.2.1 multi-line replies) and the enhanced
// status codes of the reply constants (RFC 3463, RFC 2034).
#include "smtp/protocol/reply.h"

#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

namespace copper::smtp {
namespace {

TEST(Reply, SingleLine) {
  reply r{250, "2.1.0", "Sender ok"};
  EXPECT_EQ(r.wire(), "250 2.1.0 Sender ok\r\n");
}

// RFC 2034 3: no enhanced code where the reply has none (greeting, 354).
TEST(Reply, NoEnhancedCodeWhenStatusIsEmpty) {
  reply r{354, "", "End data with <CR><LF>.<CR><LF>"};
  EXPECT_EQ(r.wire(), "354 End data with <CR><LF>.<CR><LF>\r\n");
  EXPECT_EQ(replies::start_data().wire(), "354 End data with <CR><LF>.<CR><LF>\r\n");

  reply greeting{220, "", "mail.example.org ESMTP"};
  EXPECT_EQ(greeting.wire(), "220 mail.example.org ESMTP\r\n");
}

// RFC 5321 4.2.1: every line but the last has "-" after the code; RFC 2034 3:
// the enhanced code is repeated on every line.
TEST(Reply, MultiLineWithStatus) {
  reply r{250, "2.0.0", "mail.example.org\nPIPELINING\nSIZE 52428800"};
  EXPECT_EQ(r.wire(),
            "250-2.0.0 mail.example.org\r\n"
            "250-2.0.0 PIPELINING\r\n"
            "250 2.0.0 SIZE 52428800\r\n");
}

TEST(Reply, MultiLineWithoutStatus) {
  reply r{250, "", "mail.example.org greets client\nPIPELINING\n8BITMIME"};
  EXPECT_EQ(r.wire(),
            "250-mail.example.org greets client\r\n"
            "250-PIPELINING\r\n"
            "250 8BITMIME\r\n");
}

// AUTH challenges: "334 " with an empty text (RFC 4954 4).
TEST(Reply, EmptyText) { EXPECT_EQ((reply{334, "", ""}.wire()), "334 \r\n"); }

TEST(Reply, Positive) {
  EXPECT_TRUE(replies::ok().positive());
  EXPECT_TRUE(replies::start_data().positive());
  EXPECT_FALSE(replies::storage_failed().positive());
  EXPECT_FALSE(replies::mailbox_unavailable().positive());
  EXPECT_FALSE(reply{}.positive());
}

TEST(Reply, WellKnownCodes) {
  auto check = [](const reply& r, int code, std::string_view status) {
    EXPECT_EQ(r.code, code) << r.text;
    EXPECT_EQ(r.status, status) << r.text;
  };
  check(replies::syntax_error(), 500, "5.5.2");
  check(replies::parameter_error("x"), 501, "5.5.4");
  check(replies::bad_sequence("x"), 503, "5.5.1");
  check(replies::mailbox_unavailable(), 550, "5.1.1");
  check(replies::relay_denied(), 554, "5.7.1");
  check(replies::too_many_recipients(), 452, "4.5.3");  // RFC 5321 4.5.3.1.10
  check(replies::message_too_big(), 552, "5.3.4");      // RFC 1870 6
  check(replies::auth_failed(), 535, "5.7.8");          // RFC 4954 6
  check(replies::encryption_required(), 538, "5.7.11");
  check(replies::utf8_required(), 553, "5.6.7");  // RFC 6531 3.7.4.1
  check(replies::recipient_ok(), 250, "2.1.5");
}

// RFC 3463 2: the class digit of an enhanced code matches the reply's first
// digit, and the code is class.subject.detail with 1-3 digit numbers.
TEST(Reply, EveryConstantHasAConsistentEnhancedCode) {
  const std::vector<reply> all = {
      replies::ok(),
      replies::sender_ok(),
      replies::recipient_ok(),
      replies::queued("ABC"),
      replies::reset_ok(),
      replies::noop_ok(),
      replies::closing("h"),
      replies::start_tls(),
      replies::auth_ok(),
      replies::cannot_verify(),
      replies::help(),
      replies::shutting_down("h"),
      replies::timeout("h"),
      replies::too_many_connections(),
      replies::too_many_errors(),
      replies::too_many_recipients(),
      replies::storage_failed(),
      replies::tls_unavailable(),
      replies::auth_rate_limited(),
      replies::temporary_auth_failure(),
      replies::syntax_error(),
      replies::parameter_error("x"),
      replies::not_implemented(),
      replies::bad_sequence("x"),
      replies::parameter_not_implemented("x"),
      replies::line_too_long(),
      replies::bare_newline(),
      replies::mailbox_unavailable(),
      replies::relay_denied(),
      replies::routing_denied(),
      replies::sender_not_owned(),
      replies::message_too_big(),
      replies::auth_required(),
      replies::encryption_required(),
      replies::auth_failed(),
      replies::auth_mechanism_unknown(),
      replies::auth_cancelled(),
      replies::utf8_required(),
      replies::bad_address("x"),
  };
  const std::regex enhanced(R"([245]\.[0-9]{1,3}\.[0-9]{1,3})");
  for (const reply& r : all) {
    SCOPED_TRACE(r.wire());
    EXPECT_GE(r.code, 200);
    EXPECT_LT(r.code, 600);
    ASSERT_FALSE(r.status.empty());
    EXPECT_TRUE(std::regex_match(std::string(r.status), enhanced));
    EXPECT_EQ(r.status[0] - '0', r.code / 100);
    EXPECT_EQ(r.text.find('\r'), std::string::npos);
  }
}

TEST(Reply, QueuedNamesTheId) {
  EXPECT_EQ(replies::queued("7QX2B9").wire(), "250 2.0.0 Ok: queued as 7QX2B9\r\n");
}

}  // namespace
}  // namespace copper::smtp
