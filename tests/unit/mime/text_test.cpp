// The full-text index text: decoded headers and text parts in UTF-8.
#include "mime/text.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "mime/charset.h"

namespace copper::mime {
namespace {

std::string text_of(std::string_view raw, std::size_t max = 1 << 20) {
  return decoded_text(raw, parse(raw), max);
}

bool contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(DecodedText, HeadersAreDecoded) {
  std::string t = text_of(
      "Subject: =?ISO-8859-1?Q?caf=E9?= au\r\n lait\r\nFrom: =?utf-8?B?w6TDtsO8?= <a@b>\r\n\r\n");
  EXPECT_EQ(t, "Subject: caf\xC3\xA9 au lait\nFrom: \xC3\xA4\xC3\xB6\xC3\xBC <a@b>\n");
}

TEST(DecodedText, QuotedPrintableLatin1) {
  std::string t = text_of(
      "Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: "
      "quoted-printable\n\n"
      "caf=E9 cr=E8me =\nbr=FBl=E9e\n");
  EXPECT_TRUE(contains(t,
                       "caf\xC3\xA9 cr\xC3\xA8me br\xC3\xBBl\xC3\xA9"
                       "e"))
      << t;
}

TEST(DecodedText, Base64Utf8AndKoi8r) {
  std::string raw =
      "Content-Type: multipart/mixed; boundary=b\n\n"
      "--b\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
      "TW92ZSDimZogdG8g4pmbJ3Mg4pmdCg==\n"
      "--b\nContent-Type: text/plain; charset=koi8-r\nContent-Transfer-Encoding: 8bit\n\n"
      "\xD0\xD2\xC9\xD7\xC5\xD4\n"
      "--b\nContent-Type: text/plain; charset=windows-1252\n\n\x93quoted\x94\n"
      "--b--\n";
  std::string t = text_of(raw);
  EXPECT_TRUE(contains(t, "Move \xE2\x99\x9A to \xE2\x99\x9B's \xE2\x99\x9D")) << t;
  EXPECT_TRUE(contains(t, "\xD0\xBF\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82")) << t;
  EXPECT_TRUE(contains(t, "\xE2\x80\x9Cquoted\xE2\x80\x9D")) << t;
}

TEST(DecodedText, BadBytesAreReplaced) {
  std::string t = text_of("Content-Type: text/plain; charset=utf-8\n\nok \xFF\xFE end\n");
  EXPECT_TRUE(contains(t, "ok \xEF\xBF\xBD\xEF\xBF\xBD end")) << t;
}

TEST(DecodedText, HtmlIsStripped) {
  std::string t = text_of(
      "Content-Type: text/html\n\n<html><head><style>p {color: red}</style>"
      "<script>var x = '<b>';</script></head><body><!-- hidden -->"
      "<p>Fish &amp; chips&nbsp;&#8364;5 &#x263A; &bogus;</p></body></html>\n");
  EXPECT_TRUE(contains(t,
                       "Fish & chips \xE2\x82\xAC"
                       "5 \xE2\x98\xBA &bogus;"))
      << t;
  EXPECT_FALSE(contains(t, "color")) << t;
  EXPECT_FALSE(contains(t, "var x")) << t;
  EXPECT_FALSE(contains(t, "hidden")) << t;
  EXPECT_FALSE(contains(t, "<p>")) << t;
}

TEST(HtmlToText, HostileInputStaysLinear) {
  std::string amps(1000000, '&');
  EXPECT_EQ(html_to_text(amps), amps);
  EXPECT_EQ(html_to_text(std::string(1000000, '<')), " ");
  std::string scripts;
  for (int i = 0; i < 100000; ++i) {
    scripts += "<script></scrip";
  }
  EXPECT_EQ(html_to_text(scripts), " ");
}

TEST(DecodedText, AttachmentsSkippedEnclosedMessagesIncluded) {
  std::string raw =
      "Content-Type: multipart/mixed; boundary=b\n\n"
      "--b\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\nc2VjcmV0\n"
      "--b\nContent-Type: message/rfc822\n\nSubject: =?utf-8?q?inner_subject?=\n\ninner body\n"
      "--b--\n";
  std::string t = text_of(raw);
  EXPECT_FALSE(contains(t, "secret"));
  EXPECT_TRUE(contains(t, "Subject: inner subject\n")) << t;
  EXPECT_TRUE(contains(t, "inner body")) << t;
}

TEST(DecodedText, SizeIsBoundedAtACharacterBoundary) {
  std::string raw = "Content-Type: text/plain; charset=utf-8\n\n";
  for (int i = 0; i < 100000; ++i) {
    raw += "\xC3\xA4";
  }
  for (std::size_t max : {1000u, 1001u, 4096u}) {
    std::string t = text_of(raw, max);
    EXPECT_LE(t.size(), max);
    EXPECT_GE(t.size(), max - 3);
    EXPECT_TRUE(is_valid_utf8(t));
  }
}

TEST(DecodedText, HugeHeaderIsBounded) {
  std::string raw;
  for (int i = 0; i < 10000; ++i) {
    raw += "X-Filler: " + std::string(100, 'x') + "\n";
  }
  raw += "\nbody\n";
  EXPECT_LE(text_of(raw, 5000).size(), 5000u);
}

TEST(DecodedText, CorpusCharsets) {
  std::ifstream in(
      std::filesystem::path(COPPER_SOURCE_DIR) / "tests/unit/mime/messages/thirdparty/005.eml",
      std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string t = text_of(ss.str());
  EXPECT_TRUE(contains(t, "Test message")) << t;              // UTF-16LE and UTF-16BE parts
  EXPECT_TRUE(contains(t, "\xE4\xB8\x96\xE7\x95\x8C")) << t;  // 世界, from EUC-JP
  EXPECT_TRUE(is_valid_utf8(t));
}

}  // namespace
}  // namespace copper::mime
