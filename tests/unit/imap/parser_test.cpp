// The IMAP tokenizer (RFC 9051 9) and sequence sets.
#include "imap/protocol/parser.h"

#include <gtest/gtest.h>

#include "imap/protocol/response.h"
#include "imap/protocol/sequence_set.h"

namespace copper::imap {
namespace {

TEST(Parser, TagNameAndAtoms) {
  auto c = parse_command("a001 select INBOX");
  ASSERT_TRUE(c.ok()) << c.err().message;
  EXPECT_EQ(c->tag, "a001");
  EXPECT_EQ(c->name, "SELECT");
  ASSERT_EQ(c->args.size(), 1u);
  EXPECT_TRUE(c->args[0].is_atom());
  EXPECT_EQ(c->args[0].text, "INBOX");
}

TEST(Parser, UidPrefixJoinsTheCommandName) {
  auto c = parse_command("t UID fetch 1:* FLAGS");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->name, "UID FETCH");
  ASSERT_EQ(c->args.size(), 2u);
  EXPECT_EQ(c->args[0].text, "1:*");
}

TEST(Parser, QuotedStringsWithEscapesAndUtf8) {
  auto c = parse_command(R"(t LOGIN "us\"er" "p\\ss wörd")");
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->args[0].is_string());
  EXPECT_EQ(c->args[0].text, "us\"er");
  EXPECT_EQ(c->args[1].text, "p\\ss wörd");
}

TEST(Parser, BadQuotedStrings) {
  EXPECT_FALSE(parse_command(R"(t LOGIN "abc)").ok());
  EXPECT_FALSE(parse_command(R"(t LOGIN "a\b")").ok());  // only \" and \\ escape
}

TEST(Parser, Literals) {
  auto c = parse_command("t LOGIN {4}\r\nus r {3+}\r\na\"b");
  ASSERT_TRUE(c.ok()) << c.err().message;
  ASSERT_EQ(c->args.size(), 2u);
  EXPECT_TRUE(c->args[0].literal);
  EXPECT_EQ(c->args[0].text, "us r");
  EXPECT_EQ(c->args[1].text, "a\"b");
  EXPECT_FALSE(parse_command("t LOGIN {10}\r\nshort").ok());
  EXPECT_FALSE(parse_command(std::string("t X {3}\r\na\0b", 12)).ok());  // NUL needs literal8
  auto bin = parse_command(std::string("t X ~{3}\r\na\0b", 13));
  ASSERT_TRUE(bin.ok());
  EXPECT_TRUE(bin->args[0].literal8);
}

TEST(Parser, NestedListsAndFetchSections) {
  auto c = parse_command("t FETCH 1 (FLAGS BODY.PEEK[HEADER.FIELDS (From To)]<0.100> (X (Y)))");
  ASSERT_TRUE(c.ok()) << c.err().message;
  ASSERT_EQ(c->args.size(), 2u);
  const auto& items = c->args[1];
  ASSERT_TRUE(items.is_list());
  ASSERT_EQ(items.items.size(), 3u);
  EXPECT_EQ(items.items[1].text, "BODY.PEEK[HEADER.FIELDS (From To)]<0.100>");
  EXPECT_TRUE(items.items[2].items[1].is_list());
}

TEST(Parser, FlagsAndWildcardsAreAtoms) {
  auto c = parse_command(R"(t STORE 1 +FLAGS (\Seen $Junk))");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->args[2].items[0].text, "\\Seen");
  auto l = parse_command(R"(t LIST "" %/*)");
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->args[1].text, "%/*");
}

TEST(Parser, Errors) {
  EXPECT_FALSE(parse_command("").ok());
  EXPECT_FALSE(parse_command("tag").ok());
  EXPECT_FALSE(parse_command("+ NOOP").ok());
  EXPECT_FALSE(parse_command("t FETCH (1").ok());
  EXPECT_FALSE(parse_command("t FETCH 1)").ok());
  EXPECT_FALSE(parse_command("t FETCH BODY[1").ok());
  EXPECT_FALSE(parse_command("t X (a)b").ok());
  EXPECT_FALSE(parse_command("t UID").ok());
}

TEST(Parser, NestingIsBounded) {
  std::string deep = "t X " + std::string(100, '(') + std::string(100, ')');
  EXPECT_FALSE(parse_command(deep).ok());
  std::string ok = "t X " + std::string(10, '(') + std::string(10, ')');
  EXPECT_TRUE(parse_command(ok).ok());
}

TEST(Parser, NilIsCaseInsensitive) {
  auto c = parse_command("t X nil NIL \"NIL\"");
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->args[0].is_nil());
  EXPECT_TRUE(c->args[1].is_nil());
  EXPECT_FALSE(c->args[2].is_nil());  // a string "NIL" is not NIL
}

TEST(SequenceSet, ParseAndExpand) {
  auto s = sequence_set::parse("1:3,7,10:*");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->expand(12), (std::vector<std::uint32_t>{1, 2, 3, 7, 10, 11, 12}));
  EXPECT_TRUE(s->contains(11, 12));
  EXPECT_FALSE(s->contains(5, 12));
  EXPECT_EQ(s->to_string(), "1:3,7,10:*");
}

TEST(SequenceSet, ReversedRangesAndStar) {
  auto s = sequence_set::parse("*:4");  // RFC 9051 9: "4:*" and "*:4" are the same
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->expand(6), (std::vector<std::uint32_t>{4, 5, 6}));
  EXPECT_TRUE(s->expand(0).empty());
  auto star = sequence_set::parse("*");
  EXPECT_EQ(star->expand(9), (std::vector<std::uint32_t>{9}));
}

TEST(SequenceSet, OverlapsGiveNoDuplicates) {
  auto s = sequence_set::parse("5:1,3:8,2");
  EXPECT_EQ(s->expand(100), (std::vector<std::uint32_t>{1, 2, 3, 4, 5, 6, 7, 8}));
}

TEST(SequenceSet, Errors) {
  for (const char* bad : {"", "0", "01", "1:", ":1", "1,,2", "1,", "a", "4294967296", "1:2:3"}) {
    EXPECT_FALSE(sequence_set::parse(bad).ok()) << bad;
  }
}

TEST(SequenceSet, FromNumbersIsCompact) {
  EXPECT_EQ(sequence_set::from_numbers({1, 2, 3, 5, 7, 8}).to_string(), "1:3,5,7:8");
}

TEST(Response, StringsQuotedOrLiteral) {
  std::string out;
  append_string(out, "a \"b\" \\c");
  EXPECT_EQ(out, R"("a \"b\" \\c")");
  out.clear();
  append_string(out, "line\r\nbreak");
  EXPECT_EQ(out, "{11}\r\nline\r\nbreak");
  out.clear();
  append_nstring(out, std::nullopt);
  EXPECT_EQ(out, "NIL");
  out.clear();
  append_astring(out, "INBOX");
  append_astring(out, " ");
  append_astring(out, "NIL");
  EXPECT_EQ(out, "INBOX\" \"\"NIL\"");
}

}  // namespace
}  // namespace copper::imap
