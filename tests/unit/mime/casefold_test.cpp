// i;unicode-casemap (RFC 5051) for SEARCH, and the charset conversions the
// full-text index relies on (ISO-8859-x, Windows-125x, KOI8, RFC 2047, RFC 2231).
#include "mime/casefold.h"

#include <gtest/gtest.h>

#include <string>

#include "mime/charset.h"
#include "mime/decode.h"
#include "mime/header.h"
#include "mime/message.h"
#include "mime/text.h"

namespace copper::mime {
namespace {

bool folds_equal(std::string_view a, std::string_view b) { return casefold(a) == casefold(b); }

TEST(Casefold, AsciiAndLatin) {
  EXPECT_EQ(casefold("Hello WORLD"), "hello world");
  EXPECT_TRUE(folds_equal("\xC3\x89mile", "\xC3\xA9mile"));  // Émile, émile
  EXPECT_TRUE(folds_equal("STRASSE",
                          "stra\xC3\x9F"
                          "e"));  // straße: full folding
  EXPECT_TRUE(folds_equal("\xCE\xA3\xCE\x99\xCE\xA3", "\xCF\x83\xCE\xB9\xCF\x82"));  // ΣΙΣ, σις
  EXPECT_FALSE(folds_equal("emile", "amile"));
}

// Pure ASCII takes a shortcut; with a non-ASCII letter after it the same
// character goes through libunistring: both must agree, character by character.
TEST(Casefold, AsciiShortcutAgreesWithFullFolding) {
  const std::string e_acute = "\xC3\xA9";
  for (int c = 1; c < 0x80; ++c) {
    std::string ascii(1, static_cast<char>(c));
    EXPECT_EQ(casefold(ascii + e_acute), casefold(ascii) + casefold(e_acute)) << "character " << c;
  }
  EXPECT_EQ(casefold("Subject: RE: Quarterly REPORT [#42]"), "subject: re: quarterly report [#42]");
}

TEST(Casefold, NfkdMakesCompatibilityFormsEqual) {
  // U+FB01 LATIN SMALL LIGATURE FI is "fi" under NFKD.
  EXPECT_EQ(casefold("\xEF\xAC\x81"), "fi");
  // Precomposed and decomposed é fold to the same bytes.
  EXPECT_TRUE(folds_equal("\xC3\xA9", "e\xCC\x81"));
  // A folded needle is found inside folded text: substring search works.
  EXPECT_NE(casefold("Caf\xC3\x89 CR\xC3\x88ME").find(casefold("caf\xC3\xA9")), std::string::npos);
}

TEST(Casefold, InvalidUtf8NeverFails) {
  std::string s = casefold(
      "AB\xFF\xFE"
      "CD");
  EXPECT_TRUE(is_valid_utf8(s));
  EXPECT_EQ(s.substr(0, 2), "ab");
  EXPECT_EQ(casefold(""), "");
}

TEST(Casefold, CodePoints) {
  EXPECT_EQ(code_points("abc"), 3u);
  EXPECT_EQ(code_points("\xC3\xA9t\xC3\xA9"), 3u);
  EXPECT_EQ(code_points(""), 0u);
}

TEST(Charset, SingleByteCharsetsConvert) {
  EXPECT_EQ(to_utf8("caf\xE9", "ISO-8859-1"), "caf\xC3\xA9");
  // Windows-1252 0x80 is the euro sign; ISO-8859-1 mail gets the same reading.
  EXPECT_EQ(to_utf8("\x80 5", "windows-1252"), "\xE2\x82\xAC 5");
  EXPECT_EQ(to_utf8("\x80 5", "iso-8859-1"), "\xE2\x82\xAC 5");
  EXPECT_EQ(to_utf8("\xA4", "ISO-8859-15"), "\xE2\x82\xAC");
  EXPECT_EQ(to_utf8("\xB9", "iso-8859-2"), "\xC5\xA1");                      // š
  EXPECT_EQ(to_utf8("\xF0\xD2\xC9", "KOI8-R"), "\xD0\x9F\xD1\x80\xD0\xB8");  // При
  EXPECT_EQ(to_utf8("\xCF\xF0\xE8", "windows-1251"), "\xD0\x9F\xD1\x80\xD0\xB8");
  EXPECT_EQ(to_utf8("\xE4", "windows-1250"), "\xC3\xA4");
}

TEST(Charset, UnknownOrBrokenInputBecomesValidUtf8) {
  EXPECT_TRUE(is_valid_utf8(to_utf8("abc\xFF", "x-no-such-charset")));
  EXPECT_TRUE(is_valid_utf8(to_utf8("\x1B$B\x30", "iso-2022-jp")));  // cut short
  EXPECT_TRUE(is_valid_utf8(to_utf8("\xFF\xFE", "utf-8")));
}

TEST(Charset, Rfc2047AndRfc2231) {
  EXPECT_EQ(decode_words("=?ISO-8859-1?Q?Andr=E9?= Pirard"), "Andr\xC3\xA9 Pirard");
  EXPECT_EQ(decode_words("=?windows-1252?B?gA==?="), "\xE2\x82\xAC");
  auto params = parse_params("; filename*=iso-8859-1'fr'caf%E9.txt", 10);
  ASSERT_EQ(params.size(), 1u);
  EXPECT_EQ(params[0].value, "caf\xC3\xA9.txt");
}

TEST(BodyText, EncodedPartsAreDecodedWithoutTheHeader) {
  std::string raw =
      "Subject: top\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
      "--b\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
      "Content-Transfer-Encoding: quoted-printable\r\n\r\ncaf=E9 cr=E8me\r\n"
      "--b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
      "U3RyYcOfZQ==\r\n"
      "--b\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0K\r\n"
      "--b--\r\n";
  std::string text = decoded_body_text(raw, parse(raw));
  EXPECT_NE(text.find("caf\xC3\xA9 cr\xC3\xA8me"), std::string::npos) << text;
  EXPECT_NE(text.find("Stra\xC3\x9F"
                      "e"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("top"), std::string::npos) << "the top-level header is not body text";
  EXPECT_EQ(text.find("PNG"), std::string::npos);
}

}  // namespace
}  // namespace copper::mime
