// Header fields (RFC 5322 2.2), Content-Type and Content-Disposition
// parameters (RFC 2045 5.1, RFC 2183) and their RFC 2231 continuations and
// charsets.
#include "mime/header.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace copper::mime {
namespace {

std::vector<std::pair<std::string, std::string>> all_fields(std::string_view header) {
  std::vector<std::pair<std::string, std::string>> out;
  field_reader reader(header);
  while (auto f = reader.next()) {
    out.emplace_back(f->name, f->value);
  }
  return out;
}

using fields = std::vector<std::pair<std::string, std::string>>;

TEST(FieldReader, FoldedFieldsKeepTheirLineBreaks) {
  EXPECT_EQ(all_fields("Subject: a\r\n b\r\nTo: x\r\n\r\nbody: no\r\n"),
            (fields{{"Subject", " a\r\n b"}, {"To", " x"}}));
}

TEST(FieldReader, LfOnlyAndNoFinalLineEnd) {
  EXPECT_EQ(all_fields("A: 1\nB:2\n\tcont"), (fields{{"A", " 1"}, {"B", "2\n\tcont"}}));
}

TEST(FieldReader, LinesWithoutColonAndOrphanContinuationsAreSkipped) {
  EXPECT_EQ(all_fields(" orphan\nnot a field\n  its continuation\nX: y\n"), (fields{{"X", " y"}}));
}

// RFC 5322 4.5: the obsolete fields allow whitespace between name and colon.
TEST(FieldReader, WhitespaceBeforeColon) {
  EXPECT_EQ(all_fields("Subject \t: hi\n"), (fields{{"Subject", " hi"}}));
}

TEST(FindHeader, FirstMatchCaseInsensitiveWithinTheSpan) {
  std::string raw = "X: 0\nSubject: one\nsubject: two\n\nSubject: body\n";
  span header{5, raw.find("\n\n") + 2};
  auto v = find_header(raw, header, "SUBJECT");
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(*v, " one");
  EXPECT_FALSE(find_header(raw, header, "X").has_value());        // outside the span
  EXPECT_FALSE(find_header(raw, span{0, 999}, "X").has_value());  // a bad span finds nothing
}

TEST(Unfold, RemovesLineBreaksKeepsWhitespace) {
  EXPECT_EQ(unfold("  a\r\n b\n\tc  "), "a b\tc  ");
  EXPECT_EQ(unfold(""), "");
}

TEST(ContentType, TypeSubtypeAndParameters) {
  auto t = parse_content_type(" Text/Plain ; charset = \"UTF-8\" (comment); format=flowed", 10);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->type, "Text");
  EXPECT_EQ(t->subtype, "Plain");
  ASSERT_EQ(t->params.size(), 2u);
  EXPECT_EQ(t->params[0].name, "charset");
  EXPECT_EQ(t->params[0].value, "UTF-8");
  EXPECT_EQ(t->params[1].name, "format");
  EXPECT_EQ(t->params[1].value, "flowed");
}

TEST(ContentType, FoldedValueAndQuotedPairs) {
  auto t = parse_content_type("multipart/mixed;\r\n\tboundary=\"a \\\"b\\\\\"", 10);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(find_param(t->params, "BOUNDARY")->value, "a \"b\\");
}

// RFC 2045 5.2: these are not `type "/" subtype [parameters]`.
TEST(ContentType, InvalidValues) {
  EXPECT_FALSE(parse_content_type("text", 10));
  EXPECT_FALSE(parse_content_type("text/", 10));
  EXPECT_FALSE(parse_content_type("/plain", 10));
  EXPECT_FALSE(parse_content_type("", 10));
  EXPECT_FALSE(parse_content_type("multipart/mixed boundary=x", 10));
  EXPECT_FALSE(parse_content_type("text/plain junk; charset=x", 10));
}

TEST(ContentType, BrokenParametersAreSkipped) {
  auto t = parse_content_type("text/plain; junk; =x; a=1 trailing; b; c=\"3\"; d=", 10);
  ASSERT_TRUE(t.has_value());
  ASSERT_EQ(t->params.size(), 3u);
  EXPECT_EQ(t->params[0].name, "a");
  EXPECT_EQ(t->params[0].value, "1");
  EXPECT_EQ(t->params[1].name, "c");
  EXPECT_EQ(t->params[2].name, "d");
  EXPECT_EQ(t->params[2].value, "");
}

TEST(ContentType, UnquotedEncodedWordValue) {
  auto t = parse_content_type("application/pdf; name==?utf-8?q?a=20b?=; x=y", 10);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(find_param(t->params, "name")->value, "=?utf-8?q?a=20b?=");
  EXPECT_EQ(find_param(t->params, "x")->value, "y");
}

TEST(ContentType, ParameterCountIsBounded) {
  std::string value = "text/plain";
  for (int i = 0; i < 1000; ++i) {
    value += "; p" + std::to_string(i) + "=v";
  }
  auto t = parse_content_type(value, 100);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->params.size(), 100u);
}

// RFC 2231 3: continuations are joined in index order.
TEST(Rfc2231, Continuations) {
  auto p = parse_params(R"(; title*1="b "; title*0="a "; title*2=c; other=x)", 10);
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].name, "other");  // plain parameters first
  EXPECT_EQ(p[1].name, "title");
  EXPECT_EQ(p[1].value, "a b c");
  EXPECT_FALSE(p[1].is_extended);
}

// RFC 2231 4: charset and language, %-encoded octets.
TEST(Rfc2231, ExtendedValueIsDecodedToUtf8) {
  auto p = parse_params("; filename*=iso-8859-1'de'%E4rger%20%25.txt", 10);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].name, "filename");
  EXPECT_TRUE(p[0].is_extended);
  EXPECT_EQ(p[0].value, "\xC3\xA4rger %.txt");
  EXPECT_EQ(p[0].extended, "iso-8859-1'de'%E4rger%20%25.txt");
}

// RFC 2231 4.1: encoded and unencoded sections mix.
TEST(Rfc2231, MixedSections) {
  auto p = parse_params("; n*0*=utf-8''%E2%82%AC; n*1=\" 100%\"; n*2*=%21", 10);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].value, "\xE2\x82\xAC 100%!");
  EXPECT_EQ(p[0].extended, "utf-8''%E2%82%AC 100%25%21");
}

TEST(Rfc2231, UnencodedFirstSectionGetsEmptyCharset) {
  auto p = parse_params("; n*0=\"a%\"; n*1*=%41", 10);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].extended, "''a%25%41");
  EXPECT_EQ(p[0].value, "a%A");
}

TEST(Rfc2231, MissingSectionKeepsThePiecesSeparate) {
  auto p = parse_params(R"(; f*0="x"; f*2="z")", 10);
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].name, "f*0");
  EXPECT_EQ(p[1].name, "f*2");
  EXPECT_EQ(p[1].value, "z");
}

TEST(Rfc2231, NotASectionName) {
  auto p = parse_params("; a*b=1; *=2", 10);
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].name, "a*b");
  EXPECT_EQ(p[1].name, "*");
}

TEST(Rfc2231, BadPercentEscapesAndUnknownCharset) {
  auto p = parse_params("; n*=x-nonsense''%zz%4", 10);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].value, "%zz%4");
}

TEST(Disposition, TypeAndParameters) {
  auto d = parse_disposition(" attachment;\r\n filename=\"a b.txt\"; size=12", 10);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->type, "attachment");
  ASSERT_EQ(d->params.size(), 2u);
  EXPECT_EQ(d->params[0].value, "a b.txt");
}

TEST(Disposition, EmptyTypeAndBlankValue) {
  auto d = parse_disposition("; filename=x", 10);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->type, "");
  EXPECT_EQ(d->params.size(), 1u);
  EXPECT_FALSE(parse_disposition(" \r\n ", 10).has_value());
}

TEST(TransferEncoding, SingleTokenOnly) {
  EXPECT_EQ(parse_transfer_encoding("  Base64 (why) \r"), "Base64");
  EXPECT_EQ(parse_transfer_encoding("\t\t7bits"), "7bits");
  EXPECT_EQ(parse_transfer_encoding("8 bit"), "");
  EXPECT_EQ(parse_transfer_encoding(""), "");
}

TEST(Languages, CommaSeparatedTags) {
  EXPECT_EQ(parse_languages(" en, de-DE (German),,fr ", 10),
            (std::vector<std::string>{"en", "de-DE", "fr"}));
  EXPECT_EQ(parse_languages("a, b, c", 2).size(), 2u);
}

}  // namespace
}  // namespace copper::mime
