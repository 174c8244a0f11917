// RFC 5322 3.4 address lists, with the examples of RFC 5322 appendix A and
// the obsolete syntax of 4.4.
#include "mime/address.h"

#include <gtest/gtest.h>

namespace copper::mime {
namespace {

address mbox(std::string name, std::string mailbox, std::string domain, std::string route = {}) {
  return address{address::kind::mailbox, std::move(name), std::move(route), std::move(mailbox),
                 std::move(domain)};
}
address group_start(std::string name) {
  return address{address::kind::group_start, std::move(name), {}, {}, {}};
}
address group_end() { return address{address::kind::group_end, {}, {}, {}, {}}; }

using list = std::vector<address>;

TEST(AddressList, AddrSpecAndNameAddr) {
  EXPECT_EQ(parse_address_list(" John Doe <jdoe@machine.example>"),
            (list{mbox("John Doe", "jdoe", "machine.example")}));
  EXPECT_EQ(
      parse_address_list("Mary Smith <mary@example.net>, jdoe@example.org, Who? <one@y.test>"),
      (list{mbox("Mary Smith", "mary", "example.net"), mbox("", "jdoe", "example.org"),
            mbox("Who?", "one", "y.test")}));
}

// RFC 5322 A.1.2: quoted display names with quoted-pairs.
TEST(AddressList, QuotedDisplayName) {
  EXPECT_EQ(parse_address_list("\"Giant; \\\"Big\\\" Box\" <sysservices@example.net>"),
            (list{mbox("Giant; \"Big\" Box", "sysservices", "example.net")}));
  EXPECT_EQ(parse_address_list("\"Joe Q. Public\" <john.q.public@example.com>"),
            (list{mbox("Joe Q. Public", "john.q.public", "example.com")}));
  EXPECT_EQ(parse_address_list("\"\" <e@x>"), (list{mbox("", "e", "x")}));
}

// RFC 5322 A.1.3: groups, an empty one included.
TEST(AddressList, Groups) {
  EXPECT_EQ(parse_address_list("A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;"),
            (list{group_start("A Group"), mbox("Ed Jones", "c", "a.test"),
                  mbox("", "joe", "where.test"), mbox("John", "jdoe", "one.test"), group_end()}));
  EXPECT_EQ(parse_address_list("Undisclosed recipients:;"),
            (list{group_start("Undisclosed recipients"), group_end()}));
  EXPECT_EQ(parse_address_list("g: a@b, c@d"),  // no ';': the group ends with the list
            (list{group_start("g"), mbox("", "a", "b"), mbox("", "c", "d"), group_end()}));
  EXPECT_EQ(parse_address_list("x@y, g:;, z@w"),
            (list{mbox("", "x", "y"), group_start("g"), group_end(), mbox("", "z", "w")}));
}

// RFC 5322 A.5: comments everywhere, and a comment naming a bare addr-spec.
TEST(AddressList, Comments) {
  EXPECT_EQ(parse_address_list("Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>"),
            (list{mbox("Pete", "pete", "silly.test")}));
  EXPECT_EQ(parse_address_list("user@host (Real Name)"), (list{mbox("Real Name", "user", "host")}));
  EXPECT_EQ(parse_address_list("(only a comment)"), list{});
  EXPECT_EQ(parse_address_list("Chris Jones <c@(Chris's host.)public.example>"),
            (list{mbox("Chris Jones", "c", "public.example")}));
}

// RFC 5322 4.4: routes, CFWS around dots, null members.
TEST(AddressList, ObsoleteSyntax) {
  EXPECT_EQ(parse_address_list("Mary Smith <@node.test:mary@example.net>, , jdoe@test  . example"),
            (list{mbox("Mary Smith", "mary", "example.net", "@node.test"),
                  mbox("", "jdoe", "test.example")}));
  EXPECT_EQ(parse_address_list("<@a,@b:c@d>"), (list{mbox("", "c", "d", "@a,@b")}));
  EXPECT_EQ(parse_address_list(",,a@b,,"), (list{mbox("", "a", "b")}));
  EXPECT_EQ(parse_address_list("Joe Q. Public <john . q . public@example.com>"),
            (list{mbox("Joe Q. Public", "john.q.public", "example.com")}));
}

TEST(AddressList, QuotedLocalPartAndDomainLiteral) {
  EXPECT_EQ(parse_address_list("\"quoted local\"@example.com, x@[1.2.3.4]"),
            (list{mbox("", "quoted local", "example.com"), mbox("", "x", "[1.2.3.4]")}));
}

// What IMAP ENVELOPE then shows as MISSING_MAILBOX / MISSING_DOMAIN.
TEST(AddressList, IncompleteAddresses) {
  EXPECT_EQ(parse_address_list("Whomever"), (list{mbox("", "Whomever", "")}));
  EXPECT_EQ(parse_address_list("Someone Else"), (list{mbox("Someone Else", "", "")}));
  EXPECT_EQ(parse_address_list("@nolocal.example"), (list{mbox("", "", "nolocal.example")}));
  EXPECT_EQ(parse_address_list("name only <>, <>"),
            (list{mbox("name only", "", ""), mbox("", "", "")}));
  EXPECT_EQ(parse_address_list("Moderator-Address <moderator>"),
            (list{mbox("Moderator-Address", "moderator", "")}));
}

// Encoded words are kept: RFC 3501 ENVELOPE reports them undecoded.
TEST(AddressList, EncodedWordsAndUtf8) {
  EXPECT_EQ(parse_address_list("=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?= <keld@dkuug.dk>"),
            (list{mbox("=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?=", "keld", "dkuug.dk")}));
  EXPECT_EQ(parse_address_list("J\xC3\xB6rg <j\xC3\xB6rg@m\xC3\xBCller.example>"),
            (list{mbox("J\xC3\xB6rg", "j\xC3\xB6rg", "m\xC3\xBCller.example")}));
}

TEST(AddressList, FoldedValue) {
  EXPECT_EQ(parse_address_list(
                " White House Transportation Coordinator\r\n     <transport@whitehouse.gov>"),
            (list{mbox("White House Transportation Coordinator", "transport", "whitehouse.gov")}));
}

TEST(AddressList, JunkDoesNotStopTheRest) {
  EXPECT_EQ(parse_address_list("<<a@b>>, ]) c@d, \"unterminated <e@f>"),
            (list{mbox("", "a", "b"), mbox("", "c", "d"), mbox("", "unterminated <e@f>", "")}));
}

TEST(AddressList, CountIsBounded) {
  std::string value;
  for (int i = 0; i < 5000; ++i) {
    value += "a" + std::to_string(i) + "@example.org, ";
  }
  EXPECT_EQ(parse_address_list(value, 1000).size(), 1000u);
  EXPECT_EQ(parse_address_list("g: a@b, c@d;", 2).size(), 2u);
}

}  // namespace
}  // namespace copper::mime
