// parse_command and decode_xtext against the grammar of RFC 5321 4.1, with the
// ESMTP extensions Copper announces (SIZE, 8BITMIME, SMTPUTF8, DSN, CHUNKING).
#include "smtp/protocol/command.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace copper::smtp {
namespace {

using namespace std::string_view_literals;

command parse_ok(std::string_view line) {
  auto out = parse_command(line);
  EXPECT_TRUE(out.cmd.has_value()) << "'" << line << "' refused: " << out.error.wire();
  return out.cmd.value_or(command{});
}

reply parse_error(std::string_view line) {
  auto out = parse_command(line);
  EXPECT_FALSE(out.cmd.has_value()) << "'" << line << "' accepted";
  return out.error;
}

// 500 5.5.2: the command itself is not recognised (RFC 5321 4.2.4, RFC 3463).
void expect_syntax_error(std::string_view line) {
  reply r = parse_error(line);
  EXPECT_EQ(r.code, 500) << line;
  EXPECT_EQ(r.status, "5.5.2") << line;
}

// 501 5.5.4: a known command with bad arguments.
void expect_parameter_error(std::string_view line) {
  reply r = parse_error(line);
  EXPECT_EQ(r.code, 501) << line;
  EXPECT_EQ(r.status, "5.5.4") << line;
}

// --- Verbs -----------------------------------------------------------------

TEST(ParseCommand, RecognisesEveryVerb) {
  const std::vector<std::pair<std::string_view, verb>> cases = {
      {"HELO client.example", verb::helo},
      {"EHLO client.example", verb::ehlo},
      {"MAIL FROM:<a@example.org>", verb::mail},
      {"RCPT TO:<b@example.org>", verb::rcpt},
      {"DATA", verb::data},
      {"BDAT 10", verb::bdat},
      {"RSET", verb::rset},
      {"NOOP", verb::noop},
      {"QUIT", verb::quit},
      {"VRFY someone", verb::vrfy},
      {"EXPN list", verb::expn},
      {"HELP", verb::help},
      {"STARTTLS", verb::starttls},
      {"AUTH PLAIN", verb::auth},
  };
  for (const auto& [line, expected] : cases) {
    EXPECT_EQ(parse_ok(line).name, expected) << line;
  }
}

// RFC 5321 2.4: "Verbs and argument values (e.g., "TO:" or "to:" in the RCPT
// command and extension name keywords) are not case sensitive".
TEST(ParseCommand, VerbsAndKeywordsAreCaseInsensitive) {
  EXPECT_EQ(parse_ok("ehlo client.example").name, verb::ehlo);
  EXPECT_EQ(parse_ok("QuIt").name, verb::quit);
  EXPECT_EQ(parse_ok("starttls").name, verb::starttls);

  command mail = parse_ok("mail from:<a@example.org> size=100");
  EXPECT_EQ(mail.name, verb::mail);
  EXPECT_EQ(mail.path, "a@example.org");
  ASSERT_EQ(mail.params.size(), 1u);
  EXPECT_EQ(mail.params[0].keyword, "SIZE");  // keywords are reported upper case
  EXPECT_EQ(mail.params[0].value, "100");

  command rcpt = parse_ok("Rcpt To:<b@example.org>");
  EXPECT_EQ(rcpt.name, verb::rcpt);
  EXPECT_EQ(rcpt.path, "b@example.org");

  command bdat = parse_ok("bdat 5 last");
  EXPECT_TRUE(bdat.last_chunk);
}

TEST(ParseCommand, UnknownVerbsAreSyntaxErrors) {
  expect_syntax_error("FOO");
  expect_syntax_error("XEXCH50 1 2");
  expect_syntax_error("");
  expect_syntax_error(" NOOP");  // the verb starts the line
  expect_syntax_error("MAILFROM:<a@example.org>");
  expect_syntax_error("HELOclient.example");
  expect_syntax_error("NOOP\tx");  // SP, not HTAB, separates the verb
  expect_syntax_error("QUI");
}

TEST(ParseCommand, ArgumentIsEverythingAfterTheVerb) {
  EXPECT_EQ(parse_ok("EHLO [192.0.2.1]").argument, "[192.0.2.1]");
  EXPECT_EQ(parse_ok("AUTH PLAIN AGFsaWNlAHNlY3JldA==").argument, "PLAIN AGFsaWNlAHNlY3JldA==");
  // Trailing spaces from sloppy clients are dropped.
  EXPECT_EQ(parse_ok("EHLO client.example   ").argument, "client.example");
  EXPECT_EQ(parse_ok("NOOP").argument, "");
}

// RFC 5321 4.1.1.4 / 4.1.1.5 / 4.1.1.10, RFC 3207 4: DATA, RSET, QUIT and
// STARTTLS take no argument.
TEST(ParseCommand, ArgumentWhereNoneIsAllowed) {
  expect_parameter_error("DATA x");
  expect_parameter_error("QUIT x");
  expect_parameter_error("QUIT now please");
  expect_parameter_error("RSET x");
  expect_parameter_error("STARTTLS x");
  // A trailing space alone is not an argument.
  EXPECT_EQ(parse_ok("DATA ").name, verb::data);
  EXPECT_EQ(parse_ok("QUIT ").name, verb::quit);
}

// RFC 5321 4.1.1.9 noop = "NOOP" [ SP String ], 4.1.1.8 help = "HELP" [ SP String ].
TEST(ParseCommand, NoopAndHelpMayCarryAString) {
  EXPECT_EQ(parse_ok("NOOP hello there").argument, "hello there");
  EXPECT_EQ(parse_ok("HELP MAIL").argument, "MAIL");
}

// RFC 5321 4.1.1.1: ehlo = "EHLO" SP ( Domain / address-literal ) CRLF.
TEST(ParseCommand, HeloAndEhloRequireAnArgument) {
  expect_parameter_error("EHLO");
  expect_parameter_error("EHLO ");
  expect_parameter_error("HELO");
  expect_parameter_error("helo   ");
}

TEST(ParseCommand, AuthVrfyExpnRequireAnArgument) {
  expect_parameter_error("AUTH");
  expect_parameter_error("VRFY");
  expect_parameter_error("EXPN ");
}

TEST(ParseCommand, NulInALineIsRefused) {
  expect_syntax_error("NOOP\0"sv);
  expect_syntax_error("\0NOOP"sv);
  expect_syntax_error("MAIL FROM:<a\0b@example.org>"sv);
  expect_syntax_error("RCPT TO:<b@example.org>\0 NOTIFY=NEVER"sv);
}

// --- MAIL FROM / RCPT TO paths ------------------------------------------------

TEST(ParsePath, PlainMailbox) {
  command c = parse_ok("MAIL FROM:<alice@example.org>");
  EXPECT_EQ(c.path, "alice@example.org");
  EXPECT_FALSE(c.null_path);
  EXPECT_FALSE(c.source_route);
  EXPECT_FALSE(c.postmaster);
  EXPECT_TRUE(c.params.empty());
  EXPECT_EQ(c.argument, "FROM:<alice@example.org>");
}

// RFC 5321 4.1.1.2: Reverse-path = Path / "<>" (bounces, RFC 5321 4.5.5).
TEST(ParsePath, NullReversePath) {
  command c = parse_ok("MAIL FROM:<>");
  EXPECT_TRUE(c.null_path);
  EXPECT_EQ(c.path, "");

  command with_params = parse_ok("MAIL FROM:<> SIZE=1000 BODY=8BITMIME");
  EXPECT_TRUE(with_params.null_path);
  EXPECT_EQ(with_params.params.size(), 2u);
}

// A Forward-path is never empty (4.1.1.3).
TEST(ParsePath, NullForwardPathIsRefused) {
  expect_parameter_error("RCPT TO:<>");
  expect_parameter_error("RCPT TO:<> NOTIFY=NEVER");
}

// Not in the grammar ("MAIL FROM:" Reverse-path), but sent by many clients and
// unambiguous: tolerated.
TEST(ParsePath, SpaceAfterColonIsTolerated) {
  EXPECT_EQ(parse_ok("MAIL FROM: <a@b.example>").path, "a@b.example");
  EXPECT_EQ(parse_ok("RCPT TO:  <c@d.example>").path, "c@d.example");
  EXPECT_TRUE(parse_ok("MAIL FROM: <>").null_path);
}

TEST(ParsePath, WrongPrefixIsRefused) {
  expect_parameter_error("MAIL");
  expect_parameter_error("MAIL FROM");
  expect_parameter_error("MAIL TO:<a@example.org>");
  expect_parameter_error("RCPT FROM:<a@example.org>");
  expect_parameter_error("RCPT");
  expect_parameter_error("MAIL FROM <a@example.org>");  // the colon is part of the keyword
  expect_parameter_error("MAIL  FROM:<a@example.org>");
}

TEST(ParsePath, MissingAngleBracketsAreRefused) {
  expect_parameter_error("MAIL FROM:a@example.org");
  expect_parameter_error("RCPT TO:b@example.org");
  expect_parameter_error("MAIL FROM:");
  expect_parameter_error("RCPT TO: ");
}

TEST(ParsePath, UnterminatedBracketIsRefused) {
  expect_parameter_error("MAIL FROM:<a@example.org");
  expect_parameter_error("RCPT TO:<b@example.org SIZE=10");
  expect_parameter_error("MAIL FROM:<");
  // The '>' is inside a quoted string that never closes.
  expect_parameter_error("MAIL FROM:<\"a>@example.org>");
}

TEST(ParsePath, GarbageAfterClosingBracketIsRefused) {
  expect_parameter_error("MAIL FROM:<a@example.org>x");
  expect_parameter_error("MAIL FROM:<a@example.org>SIZE=10");
  expect_parameter_error("RCPT TO:<b@example.org>>");
  expect_parameter_error("RCPT TO:<b@example.org><c@example.org>");
  expect_parameter_error("MAIL FROM:<>garbage");
}

// RFC 5321 4.1.2: Quoted-string may hold SP and '>' (qtextSMTP = %d32-33 /
// %d35-91 / %d93-126), and quoted-pairSMTP escapes '"' and '\'. The path ends
// at the first '>' outside the quotes.
TEST(ParsePath, QuotedLocalPartWithSpaceAndBracket) {
  command c = parse_ok("MAIL FROM:<\"a b>c\"@example.org>");
  EXPECT_EQ(c.path, "\"a b>c\"@example.org");
  EXPECT_TRUE(c.params.empty());

  command with_params = parse_ok("MAIL FROM:<\"a b>c\"@example.org> SIZE=5");
  EXPECT_EQ(with_params.path, "\"a b>c\"@example.org");
  ASSERT_EQ(with_params.params.size(), 1u);
  EXPECT_EQ(with_params.params[0].keyword, "SIZE");
}

TEST(ParsePath, QuotedPairInsideQuotedLocalPart) {
  // "a\"> b" : the escaped quote does not end the quoted string.
  command c = parse_ok(R"(RCPT TO:<"a\"> b"@example.org> NOTIFY=NEVER)");
  EXPECT_EQ(c.path, R"("a\"> b"@example.org)");
  ASSERT_EQ(c.params.size(), 1u);
  EXPECT_EQ(c.params[0].keyword, "NOTIFY");

  command backslash = parse_ok(R"(RCPT TO:<"a\\"@example.org>)");
  EXPECT_EQ(backslash.path, R"("a\\"@example.org)");
}

// RFC 5321 4.1.2 Path = "<" [ A-d-l ":" ] Mailbox ">"; 3.6.1 and appendix C:
// source routes MUST be accepted, SHOULD NOT be used, and the route is ignored.
TEST(ParsePath, SourceRouteIsStripped) {
  command c = parse_ok("RCPT TO:<@a.example,@b.example:user@c.example>");
  EXPECT_TRUE(c.source_route);
  EXPECT_EQ(c.path, "user@c.example");

  command one_hop = parse_ok("MAIL FROM:<@relay.example:user@c.example> SIZE=10");
  EXPECT_TRUE(one_hop.source_route);
  EXPECT_EQ(one_hop.path, "user@c.example");
  EXPECT_EQ(one_hop.params.size(), 1u);
}

TEST(ParsePath, MalformedSourceRouteIsRefused) {
  expect_parameter_error("RCPT TO:<@a.example,@b.example>");  // no ':' before the mailbox
  expect_parameter_error("RCPT TO:<@a.example:>");            // route without a mailbox
  expect_parameter_error("MAIL FROM:<@a.example:>");          // not a null reverse-path either
}

// RFC 5321 4.1.1.3: "<Postmaster>" without a domain must be accepted; 4.5.1:
// the name is case-insensitive.
TEST(ParsePath, PostmasterWithoutDomain) {
  command c = parse_ok("RCPT TO:<Postmaster>");
  EXPECT_TRUE(c.postmaster);
  EXPECT_EQ(c.path, "Postmaster");
  EXPECT_TRUE(parse_ok("RCPT TO:<POSTMASTER>").postmaster);
  EXPECT_TRUE(parse_ok("rcpt to:<postmaster> NOTIFY=NEVER").postmaster);

  // With a domain it is an ordinary mailbox, resolved like any other.
  command with_domain = parse_ok("RCPT TO:<postmaster@example.org>");
  EXPECT_FALSE(with_domain.postmaster);
  EXPECT_EQ(with_domain.path, "postmaster@example.org");

  // Only RCPT has the special case.
  EXPECT_FALSE(parse_ok("MAIL FROM:<Postmaster>").postmaster);
  EXPECT_FALSE(parse_ok("RCPT TO:<postmasters>").postmaster);
}

// --- ESMTP parameters (RFC 5321 4.1.2 esmtp-param) --------------------------

TEST(EsmtpParams, MailParameters) {
  command c = parse_ok(
      "MAIL FROM:<a@example.org> SIZE=12345 BODY=8BITMIME SMTPUTF8 RET=HDRS "
      "ENVID=QQ314159");
  ASSERT_EQ(c.params.size(), 5u);

  const esmtp_param* size = find_param(c, "SIZE");  // RFC 1870
  ASSERT_NE(size, nullptr);
  EXPECT_TRUE(size->has_value);
  EXPECT_EQ(size->value, "12345");

  const esmtp_param* body = find_param(c, "BODY");  // RFC 6152
  ASSERT_NE(body, nullptr);
  EXPECT_EQ(body->value, "8BITMIME");

  const esmtp_param* utf8 = find_param(c, "SMTPUTF8");  // RFC 6531 3.4: no value
  ASSERT_NE(utf8, nullptr);
  EXPECT_FALSE(utf8->has_value);
  EXPECT_EQ(utf8->value, "");

  EXPECT_EQ(find_param(c, "RET")->value, "HDRS");
  EXPECT_EQ(find_param(c, "ENVID")->value, "QQ314159");
  EXPECT_EQ(find_param(c, "AUTH"), nullptr);
  EXPECT_EQ(find_param(c, "size"), nullptr);  // find_param takes the upper-case keyword
}

// RFC 3461 4.1 and 4.2.
TEST(EsmtpParams, DsnRecipientParameters) {
  command c =
      parse_ok("RCPT TO:<b@example.org> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b+2Bx@example.org");
  ASSERT_EQ(c.params.size(), 2u);
  EXPECT_EQ(find_param(c, "NOTIFY")->value, "SUCCESS,FAILURE");
  // Values are passed on as given: the command handler decodes the xtext.
  EXPECT_EQ(find_param(c, "ORCPT")->value, "rfc822;b+2Bx@example.org");
}

TEST(EsmtpParams, ParameterOrderIsKept) {
  command c = parse_ok("MAIL FROM:<a@example.org> BODY=7BIT SIZE=1 X-FOO=bar");
  ASSERT_EQ(c.params.size(), 3u);
  EXPECT_EQ(c.params[0].keyword, "BODY");
  EXPECT_EQ(c.params[1].keyword, "SIZE");
  EXPECT_EQ(c.params[2].keyword, "X-FOO");
  EXPECT_EQ(c.params[2].value, "bar");
}

// RFC 6531 3.3: esmtp-value =/ UTF8-non-ascii.
TEST(EsmtpParams, Utf8InValuesIsAllowed) {
  command c = parse_ok("RCPT TO:<b@example.org> ORCPT=utf-8;b\xC3\xBC@example.org");
  EXPECT_EQ(find_param(c, "ORCPT")->value, "utf-8;b\xC3\xBC@example.org");
}

// esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
// esmtp-value   = 1*(%d33-60 / %d62-126)
TEST(EsmtpParams, MalformedParametersAreRefused) {
  expect_parameter_error("MAIL FROM:<a@example.org> SIZE=");         // empty value
  expect_parameter_error("MAIL FROM:<a@example.org> =100");          // empty keyword
  expect_parameter_error("MAIL FROM:<a@example.org> -SIZE=1");       // keyword starts with '-'
  expect_parameter_error("MAIL FROM:<a@example.org> SI_ZE=1");       // '_' not in keyword
  expect_parameter_error("MAIL FROM:<a@example.org> SIZE=1=2");      // '=' not in value
  expect_parameter_error("MAIL FROM:<a@example.org> SIZE=\x01");     // control character
  expect_parameter_error("MAIL FROM:<a@example.org> SIZE=a\x7f");    // DEL
  expect_parameter_error("RCPT TO:<b@example.org> NOTIFY=NEVER =");  // stray '='
  expect_parameter_error("RCPT TO:<b@example.org> <c@example.org>");
}

// The parser bounds the number of parameters it accepts (STYLE.md: every
// count input controls has a bound).
TEST(EsmtpParams, AtMostSixteenParameters) {
  std::string line = "MAIL FROM:<a@example.org>";
  for (int i = 0; i < 16; ++i) {
    line += " X-P" + std::to_string(i) + "=" + std::to_string(i);
  }
  command c = parse_ok(line);
  ASSERT_EQ(c.params.size(), 16u);
  EXPECT_EQ(c.params[15].keyword, "X-P15");

  expect_parameter_error(line + " X-P16=16");
}

TEST(EsmtpParams, ExtraSpacesBetweenParametersAreTolerated) {
  command c = parse_ok("MAIL FROM:<a@example.org>  SIZE=1   BODY=7BIT  ");
  ASSERT_EQ(c.params.size(), 2u);
  EXPECT_EQ(c.params[1].value, "7BIT");
}

// --- BDAT (RFC 3030 2: bdat-cmd = "BDAT" SP chunk-size [ SP end-marker ]) ----

TEST(Bdat, SizeAndLast) {
  command c = parse_ok("BDAT 1000");
  EXPECT_EQ(c.chunk_size, 1000u);
  EXPECT_FALSE(c.last_chunk);

  command last = parse_ok("BDAT 0 LAST");
  EXPECT_EQ(last.chunk_size, 0u);
  EXPECT_TRUE(last.last_chunk);

  command big = parse_ok("BDAT 18446744073709551615 LAST");
  EXPECT_EQ(big.chunk_size, 18446744073709551615ull);

  EXPECT_EQ(parse_ok("BDAT 007").chunk_size, 7u);  // chunk-size = 1*DIGIT
}

TEST(Bdat, BadSizesAreRefused) {
  expect_parameter_error("BDAT");
  expect_parameter_error("BDAT LAST");
  expect_parameter_error("BDAT x");
  expect_parameter_error("BDAT -1");
  expect_parameter_error("BDAT +1");
  expect_parameter_error("BDAT 1.5");
  expect_parameter_error("BDAT 0x10");
  expect_parameter_error("BDAT 10k");
  expect_parameter_error("BDAT 18446744073709551616");  // 2^64 does not fit
  expect_parameter_error("BDAT 99999999999999999999999");
}

TEST(Bdat, OnlyLastMayFollowTheSize) {
  expect_parameter_error("BDAT 10 FIRST");
  expect_parameter_error("BDAT 10 LAST x");
  expect_parameter_error("BDAT 10 LASTX");
  expect_parameter_error("BDAT 10 10");
}

// --- xtext (RFC 3461 4) ------------------------------------------------------
// xtext = *( xchar / hexchar ); xchar = "!".."~" except "+" and "=";
// hexchar = "+" followed by two upper case hexadecimal digits.

TEST(Xtext, PlainCharactersPassThrough) {
  EXPECT_EQ(decode_xtext(""), "");
  EXPECT_EQ(decode_xtext("rfc822;user@example.org"), "rfc822;user@example.org");
  EXPECT_EQ(decode_xtext("!~"), "!~");
}

TEST(Xtext, HexcharsAreDecoded) {
  EXPECT_EQ(decode_xtext("+2B"), "+");
  EXPECT_EQ(decode_xtext("+3D"), "=");
  EXPECT_EQ(decode_xtext("a+2Bb"), "a+b");
  EXPECT_EQ(decode_xtext("rfc822;user+2Btag@example.org"), "rfc822;user+tag@example.org");
  EXPECT_EQ(decode_xtext("+20+2B"), " +");
  EXPECT_EQ(decode_xtext("+7E"), "~");
  EXPECT_EQ(decode_xtext("+C3+BC"), "\xC3\xBC");
}

TEST(Xtext, BadEncodingIsRefused) {
  EXPECT_FALSE(decode_xtext("+"));
  EXPECT_FALSE(decode_xtext("+4"));    // truncated hexchar
  EXPECT_FALSE(decode_xtext("ab+4"));  // truncated at the end
  EXPECT_FALSE(decode_xtext("+ZZ"));
  EXPECT_FALSE(decode_xtext("+4G"));
  EXPECT_FALSE(decode_xtext("+G4"));
  EXPECT_FALSE(decode_xtext("++2B"));  // '+' is not an xchar
  EXPECT_FALSE(decode_xtext("+-1"));
  EXPECT_FALSE(decode_xtext("a=b"));  // '=' must be encoded
  EXPECT_FALSE(decode_xtext("a b"));  // SP must be encoded
  EXPECT_FALSE(decode_xtext("a\x7f"));
  EXPECT_FALSE(decode_xtext("\xC3\xBC"));  // non-ASCII must be encoded
  EXPECT_FALSE(decode_xtext("a\tb"));
}

}  // namespace
}  // namespace copper::smtp
