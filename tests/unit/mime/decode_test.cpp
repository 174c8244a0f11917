// Transfer encodings (RFC 2045 6.7, 6.8), RFC 2047 encoded words and charset
// conversion to UTF-8 through iconv.
#include "mime/decode.h"

#include <gtest/gtest.h>

#include "mime/charset.h"

namespace copper::mime {
namespace {

TEST(Base64, IgnoresLineBreaksAndJunk) {
  EXPECT_EQ(decode_base64("aGVs\r\nbG8g\nd29y*bGQ="), "hello world");
  EXPECT_EQ(decode_base64("ZWg="), "eh");
  EXPECT_EQ(decode_base64("ZWg"), "eh");  // padding missing
  EXPECT_EQ(decode_base64("ecO2dMOkIHZhYW4uCg== ignored"), "y\xC3\xB6t\xC3\xA4 vaan.\n");
  EXPECT_EQ(decode_base64(""), "");
}

TEST(QuotedPrintable, EscapesAndSoftBreaks) {
  EXPECT_EQ(decode_quoted_printable("caf=E9 =\r\nau lait=\nnext =  \r\nx"),
            "caf\xE9 au laitnext x");
  EXPECT_EQ(decode_quoted_printable("a=3d=3Db"), "a==b");
}

// RFC 2045 6.7 note 1: a robust decoder keeps what it cannot decode.
TEST(QuotedPrintable, BrokenEscapesPassThrough) {
  EXPECT_EQ(decode_quoted_printable("100% =XY =4"), "100% =XY =4");
  EXPECT_EQ(decode_quoted_printable("end="), "end");
}

TEST(EncodingOf, Mechanisms) {
  EXPECT_EQ(encoding_of("BASE64"), transfer_encoding::base64);
  EXPECT_EQ(encoding_of("Quoted-Printable"), transfer_encoding::quoted_printable);
  EXPECT_EQ(encoding_of("7bit"), transfer_encoding::seven_bit);
  EXPECT_EQ(encoding_of("x-uuencode"), transfer_encoding::other);
}

// RFC 2047 8 examples.
TEST(EncodedWords, Rfc2047Examples) {
  EXPECT_EQ(decode_words("=?US-ASCII?Q?Keith_Moore?= <moore@cs.utk.edu>"),
            "Keith Moore <moore@cs.utk.edu>");
  EXPECT_EQ(decode_words("=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?="), "Keld J\xC3\xB8rn Simonsen");
  EXPECT_EQ(decode_words("=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?="
                         " =?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?="),
            "If you can read this you understand the example.");
  EXPECT_EQ(decode_words("(=?ISO-8859-1?Q?a?= b)"), "(a b)");
  EXPECT_EQ(decode_words("(=?ISO-8859-1?Q?a?=  \r\n  =?ISO-8859-1?Q?b?=)"), "(ab)");
  EXPECT_EQ(decode_words("(=?ISO-8859-1?Q?a_b?=)"), "(a b)");
  EXPECT_EQ(decode_words("(=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=)"), "(a b)");
}

// A multi-byte character split across two encoded words still decodes.
TEST(EncodedWords, AdjacentWordsJoinBytesBeforeConversion) {
  // "ä" is C3 A4: split between the words.
  EXPECT_EQ(decode_words("=?utf-8?B?w6TD?= =?UTF-8?B?pA==?="), "\xC3\xA4\xC3\xA4");
  EXPECT_EQ(decode_words("=?utf-8?Q?=C3?= =?utf-8?Q?=A4?="), "\xC3\xA4");
}

TEST(EncodedWords, MalformedWordsStayAsWritten) {
  EXPECT_EQ(decode_words("=?bogus?X?abc?="), "=?bogus?X?abc?=");
  EXPECT_EQ(decode_words("=?utf-8?q?no end"), "=?utf-8?q?no end");
  EXPECT_EQ(decode_words("=?utf-8?q?has space?="), "=?utf-8?q?has space?=");
  EXPECT_EQ(decode_words("=??q?x?="), "=??q?x?=");
  EXPECT_EQ(decode_words("=?utf-8?b?!!!?="), "=?utf-8?b?!!!?=");
  EXPECT_EQ(decode_words("a =?utf-8?q?x?= =?bad b"), "a x =?bad b");
}

// Text full of almost-encoded-words must not take quadratic time.
TEST(EncodedWords, HostileInputStaysLinear) {
  std::string hostile;
  for (int i = 0; i < 200000; ++i) {
    hostile += "=?x?q?a";
  }
  EXPECT_EQ(decode_words(hostile), hostile);
  std::string charsets(1000000, 'c');
  EXPECT_EQ(decode_words("=?" + charsets), "=?" + charsets);
}

// RFC 2231 5: a language after the charset.
TEST(EncodedWords, CharsetWithLanguage) {
  EXPECT_EQ(decode_words("=?US-ASCII*EN?Q?Keith_Moore?="), "Keith Moore");
}

// RFC 6532 3.2: raw UTF-8 passes; bytes that are not UTF-8 become U+FFFD.
TEST(EncodedWords, RawTextIsUtf8) {
  EXPECT_EQ(decode_words("Gr\xC3\xBC\xC3\x9F"
                         "e"),
            "Gr\xC3\xBC\xC3\x9F"
            "e");
  EXPECT_EQ(decode_words("caf\xE9!"), "caf\xEF\xBF\xBD!");
}

TEST(EncodedWords, HeaderValueIsUnfoldedAndTrimmed) {
  EXPECT_EQ(decode_header_value(" =?utf-8?B?w6TDtsO8?=\r\n =?utf-8?Q?_and_more?=  plain \r\n"),
            "\xC3\xA4\xC3\xB6\xC3\xBC and more  plain");
}

TEST(Charset, Utf8AndAsciiAreValidated) {
  EXPECT_EQ(to_utf8("ok \xC3\xA4", "UTF-8"), "ok \xC3\xA4");
  EXPECT_EQ(to_utf8("bad \xC3", "utf-8"), "bad \xEF\xBF\xBD");
  EXPECT_EQ(to_utf8("\xC3\xA4", "us-ascii"), "\xC3\xA4");  // mislabelled UTF-8 survives
  EXPECT_EQ(to_utf8("\xED\xA0\x80", ""), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
}

TEST(Charset, SingleByteCharsets) {
  EXPECT_EQ(to_utf8("\x80 caf\xE9", "windows-1252"), "\xE2\x82\xAC caf\xC3\xA9");
  // ISO-8859-1 is read as its superset Windows-1252.
  EXPECT_EQ(to_utf8("\x93q\x94", "ISO-8859-1"), "\xE2\x80\x9Cq\xE2\x80\x9D");
  EXPECT_EQ(to_utf8("\xB1", "iso-8859-2"), "\xC4\x85");  // ą
  EXPECT_EQ(to_utf8("\xD0\xD2\xC9\xD7\xC5\xD4", "KOI8-R"),
            "\xD0\xBF\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82");  // привет
  EXPECT_EQ(to_utf8("\xA4", "\"ISO-8859-15\""), "\xE2\x82\xAC");
}

TEST(Charset, MultiByteCharsets) {
  EXPECT_EQ(to_utf8(std::string_view("T\0e\0", 4), "UTF-16LE"), "Te");
  EXPECT_EQ(to_utf8("\x82\xa0", "Shift_JIS"), "\xE3\x81\x82");  // あ
  EXPECT_EQ(to_utf8("\xA4\xA2", "euc-jp"), "\xE3\x81\x82");
  EXPECT_EQ(to_utf8("\x1b$B$\"\x1b(B", "iso-2022-jp"), "\xE3\x81\x82");
}

TEST(Charset, InvalidBytesAreReplaced) {
  // 0x81 has no character in Windows-1252; a truncated EUC-JP pair at the end.
  EXPECT_EQ(to_utf8("a\x81z", "windows-1252"), "a\xEF\xBF\xBDz");
  EXPECT_EQ(to_utf8("a\xA4", "EUC-JP"), "a\xEF\xBF\xBD");
}

TEST(Charset, UnknownCharsetIsReadAsUtf8) {
  EXPECT_EQ(to_utf8("x\xC3\xA4\xFF", "x-no-such-charset"), "x\xC3\xA4\xEF\xBF\xBD");
}

TEST(Charset, LargeInputConvertsCompletely) {
  std::string in(100000, '\xE9');
  std::string out = to_utf8(in, "iso-8859-15");
  EXPECT_EQ(out.size(), 200000u);
  EXPECT_TRUE(is_valid_utf8(out));
}

}  // namespace
}  // namespace copper::mime
