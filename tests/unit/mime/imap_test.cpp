// IMAP ENVELOPE and BODYSTRUCTURE (RFC 3501 7.4.2, RFC 9051 7.5.2): string
// forms, defaults, extension data, sizes of LF-only mail.
#include "mime/imap.h"

#include <gtest/gtest.h>

#include <string>

namespace copper::mime {
namespace {

std::string quoted(std::string_view s) {
  std::string out;
  append_imap_string(out, s);
  return out;
}

TEST(ImapString, QuotedWhenPossible) {
  EXPECT_EQ(quoted("plain"), "\"plain\"");
  EXPECT_EQ(quoted(""), "\"\"");
  EXPECT_EQ(quoted("say \"hi\" \\o/"), "\"say \\\"hi\\\" \\\\o/\"");
}

// RFC 3501 9: quoted strings carry 7-bit text without CR and LF.
TEST(ImapString, LiteralOtherwise) {
  EXPECT_EQ(quoted("a\r\nb"), "{4}\r\na\r\nb");
  EXPECT_EQ(quoted("Gr\xC3\xBC\xC3\x9F"
                   "e"),
            "{7}\r\nGr\xC3\xBC\xC3\x9F"
            "e");
  EXPECT_EQ(quoted(std::string_view("a\0b", 3)),
            "{5}\r\na\xEF\xBF\xBD"
            "b");
}

TEST(ImapString, NilForEmpty) {
  std::string out;
  append_imap_nstring(out, "");
  EXPECT_EQ(out, "NIL");
}

std::string envelope(std::string_view raw) { return imap_envelope(raw, parse(raw)); }
std::string structure(std::string_view raw, bool extended = true) {
  return imap_bodystructure(raw, parse(raw), extended);
}

TEST(Envelope, AllFields) {
  std::string raw =
      "Date: Mon, 1 Jan 2024 00:00:00 +0000\r\n"
      "Subject:  Hello\r\n  world\t again \r\n"
      "From: Ann <ann@example.org>\r\n"
      "Sender: sec@example.org\r\n"
      "Reply-To: list@example.org\r\n"
      "To: Bob <bob@example.org>, carol@example.org\r\n"
      "Cc: team: dave@example.org;\r\n"
      "Bcc: \"Eve \\\"E\\\"\" <eve@example.org>\r\n"
      "In-Reply-To: <a@example.org>\r\n"
      "Message-ID: <b@example.org>\r\n\r\nbody\r\n";
  EXPECT_EQ(
      envelope(raw),
      "(\"Mon, 1 Jan 2024 00:00:00 +0000\" \"Hello world again\" "
      "((\"Ann\" NIL \"ann\" \"example.org\")) ((NIL NIL \"sec\" \"example.org\")) "
      "((NIL NIL \"list\" \"example.org\")) "
      "((\"Bob\" NIL \"bob\" \"example.org\")(NIL NIL \"carol\" \"example.org\")) "
      "((NIL NIL \"team\" NIL)(NIL NIL \"dave\" \"example.org\")(NIL NIL NIL NIL)) "
      "((\"Eve \\\"E\\\"\" NIL \"eve\" \"example.org\")) \"<a@example.org>\" \"<b@example.org>\")");
}

// RFC 3501 7.4.2: Sender and Reply-To default to From; absent fields are NIL.
TEST(Envelope, DefaultsAndNil) {
  EXPECT_EQ(envelope("From: a@b\nReply-To:\n\n"),
            "(NIL NIL ((NIL NIL \"a\" \"b\")) ((NIL NIL \"a\" \"b\")) ((NIL NIL \"a\" \"b\")) NIL "
            "NIL NIL "
            "NIL NIL)");
  EXPECT_EQ(envelope(""), "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)");
  EXPECT_EQ(envelope("Subject:\nDate:\n\n"), "(\"\" \"\" NIL NIL NIL NIL NIL NIL NIL NIL)");
}

TEST(Envelope, MissingAddressPartsAndRepeatedFields) {
  EXPECT_EQ(envelope("Subject: first\nSubject: last\nTo: Whomever, Some One <>\n\n"),
            "(NIL \"last\" NIL NIL NIL ((NIL NIL \"Whomever\" \"MISSING_DOMAIN\")"
            "(\"Some One\" NIL \"MISSING_MAILBOX\" \"MISSING_DOMAIN\")) NIL NIL NIL NIL)");
}

TEST(Envelope, EightBitAndEncodedWordsStayRaw) {
  EXPECT_EQ(envelope("Subject: =?utf-8?q?caf=C3=A9?= \xC3\xA4\n\n"),
            "(NIL {24}\r\n=?utf-8?q?caf=C3=A9?= \xC3\xA4 NIL NIL NIL NIL NIL NIL NIL NIL)");
}

TEST(Bodystructure, TextPartDefaults) {
  EXPECT_EQ(
      structure("Subject: x\n\nhello\nworld\n"),
      "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 14 2 NIL NIL NIL NIL)");
  EXPECT_EQ(structure("Subject: x\n\nhello\nworld\n", false),
            "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 14 2)");
  // A text part without a charset gets "us-ascii" after its parameters.
  EXPECT_EQ(
      structure("Content-Type: text/plain; format=flowed\n\nx"),
      "(\"text\" \"plain\" (\"format\" \"flowed\" \"charset\" \"us-ascii\") NIL NIL \"7bit\" 1 0 "
      "NIL NIL NIL NIL)");
}

TEST(Bodystructure, ExtensionData) {
  std::string raw =
      "Content-Type: Application/PDF; name=\"a.pdf\"\n"
      "Content-ID: <id@x>\n"
      "Content-Description: the \"file\"\n"
      "Content-Transfer-Encoding: base64\n"
      "Content-MD5: abc=\n"
      "Content-Disposition: attachment; filename*=utf-8''%E2%82%AC.pdf\n"
      "Content-Language: en, de\n"
      "Content-Location: http://x/a.pdf\n\nAAAA\n";
  EXPECT_EQ(
      structure(raw),
      "(\"Application\" \"PDF\" (\"name\" \"a.pdf\") \"<id@x>\" \"the \\\"file\\\"\" \"base64\" 6 "
      "\"abc=\" (\"attachment\" (\"filename*\" \"utf-8''%E2%82%AC.pdf\")) (\"en\" \"de\") "
      "\"http://x/a.pdf\")");
  EXPECT_EQ(structure(raw, false),
            "(\"Application\" \"PDF\" (\"name\" \"a.pdf\") \"<id@x>\" \"the \\\"file\\\"\" "
            "\"base64\" 6)");
}

TEST(Bodystructure, Multipart) {
  std::string raw =
      "Content-Type: multipart/alternative; boundary=b\nContent-Language: fr\n\n"
      "--b\n\none\n--b\nContent-Type: text/html; charset=utf-8\n\n<b>two</b>\n--b--\n";
  EXPECT_EQ(structure(raw),
            "((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 3 0 NIL NIL NIL NIL)"
            "(\"text\" \"html\" (\"charset\" \"utf-8\") NIL NIL \"7bit\" 10 0 NIL NIL NIL NIL) "
            "\"alternative\" (\"boundary\" \"b\") NIL (\"fr\") NIL)");
  EXPECT_EQ(structure(raw, false),
            "((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 3 0)"
            "(\"text\" \"html\" (\"charset\" \"utf-8\") NIL NIL \"7bit\" 10 0) \"alternative\")");
}

// RFC 3501 7.4.2 needs at least one part in a multipart.
TEST(Bodystructure, MultipartWithoutParts) {
  EXPECT_EQ(structure("Content-Type: multipart/mixed; boundary=x\n\nnothing\n", false),
            "((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 0 0) \"mixed\")");
}

// Sizes and line counts as served with CRLF line ends (RFC 3501 2.2, 4.3).
TEST(Bodystructure, EnclosedMessageOfLfOnlyMail) {
  std::string raw =
      "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: message/rfc822\n\n"
      "Subject: inner\nFrom: x@y\n\nline\n--b--\n";
  EXPECT_EQ(
      structure(raw, false),
      "((\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 33 (NIL \"inner\" ((NIL NIL \"x\" \"y\")) "
      "((NIL NIL \"x\" \"y\")) ((NIL NIL \"x\" \"y\")) NIL NIL NIL NIL NIL) "
      "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 4 0) 3) \"mixed\")");
}

// RFC 9051 7.5.2: message/global is shown like message/rfc822.
TEST(Bodystructure, MessageGlobal) {
  std::string s = structure("Content-Type: message/global\n\nSubject: g\n\nx", false);
  EXPECT_EQ(
      s,
      "(\"message\" \"global\" NIL NIL NIL \"7bit\" 15 (NIL \"g\" NIL NIL NIL NIL NIL NIL NIL NIL) "
      "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 1 0) 2)");
}

// A message/rfc822 part beyond the depth limit still has an envelope.
TEST(Bodystructure, TruncatedEnclosedMessage) {
  std::string raw =
      "Content-Type: message/rfc822\n\nContent-Type: message/rfc822\n\nSubject: deep\n\nx";
  limits lim;
  lim.max_depth = 1;
  message m = parse(raw, lim);
  EXPECT_EQ(
      imap_bodystructure(raw, m, false),
      "(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 50 (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) "
      "(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 18 (NIL \"deep\" NIL NIL NIL NIL NIL NIL NIL "
      "NIL) "
      "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 0 0) 2) 4)");
}

}  // namespace
}  // namespace copper::mime
