// parse_mailbox, normalize_domain, key() and wire(): RFC 5321 4.1.2 Mailbox,
// 4.1.3 address literals, 4.5.3.1 size limits, RFC 6531 UTF-8 and RFC 5890
// IDNs.
#include "core/address.h"

#include <gtest/gtest.h>

#include <string>

namespace copper {
namespace {

mail_address parse_ok(std::string_view text, bool allow_utf8 = true) {
  auto r = parse_mailbox(text, allow_utf8);
  EXPECT_TRUE(r.ok()) << "'" << text << "' refused: " << (r.ok() ? "" : r.err().message);
  return r.ok() ? r.value() : mail_address{};
}

void expect_refused(std::string_view text, bool allow_utf8 = true) {
  auto r = parse_mailbox(text, allow_utf8);
  EXPECT_FALSE(r.ok()) << "'" << text << "' accepted as " << (r.ok() ? r->key() : "");
}

std::string domain_ok(std::string_view domain) {
  auto r = normalize_domain(domain);
  EXPECT_TRUE(r.ok()) << "'" << domain << "' refused: " << (r.ok() ? "" : r.err().message);
  return r.ok() ? r.value() : std::string();
}

void expect_bad_domain(std::string_view domain) {
  auto r = normalize_domain(domain);
  EXPECT_FALSE(r.ok()) << "'" << domain << "' accepted as " << (r.ok() ? r.value() : "");
}

// --- Dot-string local parts ---------------------------------------------------

TEST(ParseMailbox, DotAtom) {
  mail_address a = parse_ok("first.last@example.org");
  EXPECT_EQ(a.local, "first.last");
  EXPECT_EQ(a.domain, "example.org");
  EXPECT_FALSE(a.quoted_local);
}

// RFC 5321 4.1.2 atext (RFC 5322 3.2.3): every printable special but
// ()<>[]:;@\,." may appear unquoted.
TEST(ParseMailbox, AllAtextSpecials) {
  mail_address a = parse_ok("a!#$%&'*+-/=?^_`{|}~z@example.org");
  EXPECT_EQ(a.local, "a!#$%&'*+-/=?^_`{|}~z");
}

TEST(ParseMailbox, InvalidDotStrings) {
  expect_refused(".a@example.org");
  expect_refused("a.@example.org");
  expect_refused("a..b@example.org");
  expect_refused("a b@example.org");
  expect_refused("a(b)@example.org");
  expect_refused("a,b@example.org");
  expect_refused("a:b@example.org");
  expect_refused("a;b@example.org");
  expect_refused("a<b@example.org");
  expect_refused("a[b@example.org");
  expect_refused("a\\b@example.org");
  expect_refused("a\"b@example.org");
  expect_refused("a@b@example.org");
  expect_refused("a\x7f@example.org");
  expect_refused("a\tb@example.org");
}

TEST(ParseMailbox, MissingParts) {
  expect_refused("");
  expect_refused("user");
  expect_refused("@example.org");
  expect_refused("user@");
  expect_refused("@");
  expect_refused("<user@example.org>");  // brackets belong to the path, not the mailbox
}

// --- Quoted local parts (RFC 5321 4.1.2 Quoted-string) ----------------------

TEST(ParseMailbox, QuotedLocalPart) {
  mail_address a = parse_ok("\"john doe\"@example.org");
  EXPECT_EQ(a.local, "john doe");  // unquoted form
  EXPECT_TRUE(a.quoted_local);
  EXPECT_EQ(a.domain, "example.org");

  EXPECT_EQ(parse_ok("\"a b>c\"@example.org").local, "a b>c");
  EXPECT_EQ(parse_ok("\"a@b\"@example.org").local, "a@b");
  EXPECT_EQ(parse_ok("\"a..b\"@example.org").local, "a..b");
  EXPECT_EQ(parse_ok("\"(comment)\"@example.org").local, "(comment)");
}

// quoted-pairSMTP = %d92 %d32-126: a backslash escapes the next character.
TEST(ParseMailbox, QuotedPairs) {
  EXPECT_EQ(parse_ok(R"("a\"b"@example.org)").local, "a\"b");
  EXPECT_EQ(parse_ok(R"("a\\b"@example.org)").local, "a\\b");
  EXPECT_EQ(parse_ok(R"("\a\b\c"@example.org)").local, "abc");
  EXPECT_EQ(parse_ok(R"("a\ b"@example.org)").local, "a b");
}

TEST(ParseMailbox, MalformedQuotedLocalParts) {
  expect_refused("\"abc@example.org");       // unterminated
  expect_refused("\"abc\\\"@example.org");   // the closing quote is escaped
  expect_refused("\"abc\\");                 // quoted-pair cut off
  expect_refused("\"abc\"x@example.org");    // text after the closing quote
  expect_refused("\"abc\"");                 // no domain
  expect_refused("\"abc\"@");                // empty domain
  expect_refused("\"a\x01b\"@example.org");  // qtextSMTP excludes controls
  expect_refused("\"a\x7f\"@example.org");
  expect_refused("\"a\nb\"@example.org");
  expect_refused("\"a\\\x01\"@example.org");  // quoted-pairSMTP is %d92 %d32-126
  expect_refused("\"a\\\x7f\"@example.org");
  expect_refused("x\"abc\"@example.org");
}

// --- Limits (RFC 5321 4.5.3.1.1 and 4.5.3.1.2) ------------------------------

TEST(ParseMailbox, LocalPartOf64OctetsAtMost) {
  std::string local64(64, 'a');
  EXPECT_EQ(parse_ok(local64 + "@example.org").local, local64);
  auto r = parse_mailbox(std::string(65, 'a') + "@example.org");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.err().message.find("64"), std::string::npos) << r.err().message;

  // Quoted local parts are measured too.
  expect_refused("\"" + std::string(65, 'b') + "\"@example.org");
}

std::string label(char c, std::size_t n) { return std::string(n, c); }

TEST(NormalizeDomain, DomainOf255OctetsAtMost) {
  // 4 labels of 63 octets and 3 dots: 255 octets.
  std::string d255 =
      label('a', 63) + "." + label('b', 63) + "." + label('c', 63) + "." + label('d', 63);
  ASSERT_EQ(d255.size(), 255u);
  EXPECT_EQ(domain_ok(d255), d255);
  EXPECT_EQ(parse_ok("u@" + d255).domain, d255);

  std::string d256 =
      label('a', 63) + "." + label('b', 63) + "." + label('c', 63) + "." + label('d', 62) + ".e";
  ASSERT_EQ(d256.size(), 256u);
  expect_bad_domain(d256);
  expect_refused("u@" + d256);
}

// RFC 1035 2.3.4: labels are 63 octets or less.
TEST(NormalizeDomain, LabelOf63OctetsAtMost) {
  EXPECT_EQ(domain_ok(label('a', 63) + ".example"), label('a', 63) + ".example");
  expect_bad_domain(label('a', 64) + ".example");
}

// --- Domains ---------------------------------------------------------------

TEST(NormalizeDomain, LowerCase) {
  EXPECT_EQ(domain_ok("EXAMPLE.Org"), "example.org");
  EXPECT_EQ(domain_ok("mail-1.Example.ORG"), "mail-1.example.org");
  EXPECT_EQ(domain_ok("localhost"), "localhost");
  EXPECT_EQ(domain_ok("123.example"), "123.example");
}

// RFC 5321 4.1.2: sub-domain = Let-dig [Ldh-str], Ldh-str ends in Let-dig.
TEST(NormalizeDomain, InvalidDomains) {
  expect_bad_domain("");
  expect_bad_domain("-a.example");
  expect_bad_domain("a-.example");
  expect_bad_domain("a.-b.example");
  expect_bad_domain("a..example");
  expect_bad_domain(".example");
  expect_bad_domain(".");
  expect_bad_domain("a_b.example");
  expect_bad_domain("exa mple.org");
  expect_bad_domain("example.org/x");
  expect_bad_domain("example.org..");
  expect_bad_domain("a@b.example");
}

// The root label is implied in mail addresses; one trailing dot is dropped.
TEST(NormalizeDomain, TrailingDot) {
  EXPECT_EQ(domain_ok("example.org."), "example.org");
  EXPECT_EQ(parse_ok("u@Example.ORG.").domain, "example.org");
}

// RFC 5890: domains are compared and looked up in their A-label form.
TEST(NormalizeDomain, IdnToALabel) {
  EXPECT_EQ(domain_ok("bücher.example"), "xn--bcher-kva.example");
  EXPECT_EQ(domain_ok("BÜCHER.example"), "xn--bcher-kva.example");
  EXPECT_EQ(domain_ok("xn--bcher-kva.example"), "xn--bcher-kva.example");
  // IDNA2008 (nontransitional): sharp s is kept, not mapped to "ss".
  EXPECT_EQ(domain_ok("straße.de"), "xn--strae-oqa.de");
}

TEST(NormalizeDomain, InvalidIdn) {
  expect_bad_domain("\xE2\x98\x83.example");  // U+2603 SNOWMAN is DISALLOWED (RFC 5892)
  expect_bad_domain("a\xFF.example");         // not UTF-8
  expect_bad_domain("-b\xC3\xBC.example");
}

TEST(NormalizeDomain, AddressLiteralIsNotADomain) { expect_bad_domain("[192.0.2.1]"); }

// RFC 5321 4.1.3.
TEST(ParseMailbox, AddressLiterals) {
  mail_address v4 = parse_ok("user@[192.0.2.1]");
  EXPECT_EQ(v4.domain, "[192.0.2.1]");
  EXPECT_EQ(v4.key(), "user@[192.0.2.1]");
  EXPECT_EQ(v4.wire(), "user@[192.0.2.1]");

  EXPECT_EQ(parse_ok("user@[IPv6:2001:db8::1]").domain, "[ipv6:2001:db8::1]");

  expect_refused("user@[]");
  expect_refused("user@[192.0.2.1");
  expect_refused("user@192.0.2.1]");
  expect_refused("user@[192.0.2 .1]");
  expect_refused("user@[a[b]");
  expect_refused("user@[a\\b]");
}

TEST(ParseMailbox, IdnDomain) {
  mail_address a = parse_ok("kunde@bücher.example");
  EXPECT_EQ(a.domain, "xn--bcher-kva.example");
  EXPECT_EQ(a.key(), "kunde@xn--bcher-kva.example");
  // The A-label form is plain ASCII: fine without SMTPUTF8.
  EXPECT_EQ(parse_ok("kunde@xn--bcher-kva.example", false).domain, "xn--bcher-kva.example");
}

// RFC 6531 3.3: UTF-8 in addresses only in an SMTPUTF8 transaction.
TEST(ParseMailbox, Utf8OnlyWhenAllowed) {
  mail_address a = parse_ok("j\xC3\xBCrgen@example.org", true);
  EXPECT_EQ(a.local, "j\xC3\xBCrgen");
  EXPECT_EQ(parse_ok("\"j\xC3\xBC rgen\"@example.org", true).local, "j\xC3\xBC rgen");

  expect_refused("j\xC3\xBCrgen@example.org", false);
  expect_refused("\"j\xC3\xBC rgen\"@example.org", false);
  expect_refused(
      "kunde@b\xC3\xBC"
      "cher.example",
      false);
  EXPECT_EQ(parse_ok("plain@example.org", false).key(), "plain@example.org");
}

// --- key() and wire() --------------------------------------------------------

TEST(MailAddress, KeyFoldsCase) {
  mail_address a = parse_ok("John.Doe+Tag@EXAMPLE.org");
  EXPECT_EQ(a.local, "John.Doe+Tag");  // as received
  EXPECT_EQ(a.key(), "john.doe+tag@example.org");
  EXPECT_EQ(parse_ok("\"John Doe\"@Example.org").key(), "john doe@example.org");
  EXPECT_EQ(parse_ok("ADMIN@[192.0.2.1]").key(), "admin@[192.0.2.1]");
}

// RFC 5321 2.4: the local part is case-sensitive on the wire; only the domain
// is folded.
TEST(MailAddress, WireKeepsLocalPartCase) {
  EXPECT_EQ(parse_ok("John.Doe@EXAMPLE.org").wire(), "John.Doe@example.org");
}

// RFC 5321 4.1.2: a Quoted-string is used only when the local part cannot be
// a Dot-string, with '"' and '\' escaped.
TEST(MailAddress, WireRequotes) {
  EXPECT_EQ(parse_ok("\"john doe\"@example.org").wire(), "\"john doe\"@example.org");
  EXPECT_EQ(parse_ok(R"("a\"b"@example.org)").wire(), R"("a\"b"@example.org)");
  EXPECT_EQ(parse_ok(R"("a\\b"@example.org)").wire(), R"("a\\b"@example.org)");
  EXPECT_EQ(parse_ok("\"a..b\"@example.org").wire(), "\"a..b\"@example.org");
  EXPECT_EQ(parse_ok("\".a\"@example.org").wire(), "\".a\"@example.org");
  EXPECT_EQ(parse_ok("\"a@b\"@example.org").wire(), "\"a@b\"@example.org");
  // Needlessly quoted: sent back as a Dot-string.
  EXPECT_EQ(parse_ok("\"abc\"@example.org").wire(), "abc@example.org");
  EXPECT_EQ(parse_ok("\"a.b\"@example.org").wire(), "a.b@example.org");
  // Built by hand (as for "<Postmaster>"), never parsed.
  EXPECT_EQ((mail_address{"a b", "example.org", false}.wire()), "\"a b\"@example.org");
}

TEST(MailAddress, WireRoundTrips) {
  for (std::string text :
       {"plain@example.org", "\"john doe\"@example.org", R"("a\"b\\c"@x.example)",
        "j\xC3\xBCrgen@example.org", "user@[192.0.2.1]", "\"a@b\"@example.org"}) {
    mail_address a = parse_ok(text);
    mail_address again = parse_ok(a.wire());
    EXPECT_EQ(again.local, a.local) << text;
    EXPECT_EQ(again.domain, a.domain) << text;
    EXPECT_EQ(again.key(), a.key()) << text;
  }
}

TEST(Ascii, Helpers) {
  EXPECT_TRUE(is_ascii(""));
  EXPECT_TRUE(is_ascii("abc\x7f"));
  EXPECT_FALSE(is_ascii("ab\xC3\xBC"));
  EXPECT_EQ(to_lower_ascii("AbC-\xC3\x9C"), "abc-\xC3\x9C");  // only ASCII letters fold
}

}  // namespace
}  // namespace copper
