// RFC 5256 2.1 base subjects, 2.2 sent dates, msg-id normalization and the
// facts read from a header block.
#include "imap/order/facts.h"

#include <gtest/gtest.h>

#include "mime/header.h"

namespace copper::imap {
namespace {

std::string base(std::string_view s) { return base_subject(s).text; }

TEST(BaseSubject, RemovesReplyAndForwardMarkers) {
  EXPECT_EQ(base("Re: hello"), "hello");
  EXPECT_EQ(base("RE: re: Fwd: hello"), "hello");
  EXPECT_EQ(base("Fw: hello"), "hello");
  EXPECT_EQ(base("Re[2]: hello"), "hello");
  EXPECT_EQ(base("Re [2] : hello"), "hello");
  EXPECT_EQ(base("hello (fwd)"), "hello");
  EXPECT_EQ(base("hello (FWD) (fwd)  "), "hello");
  EXPECT_EQ(base("[fwd: hello]"), "hello");
  EXPECT_EQ(base("[Fwd: Re: hello (fwd)]"), "hello");
}

TEST(BaseSubject, TheOddCombination) {
  auto r = base_subject("Re: [list] Fwd: Re[2]: subj (fwd)");
  EXPECT_EQ(r.text, "subj");
  EXPECT_TRUE(r.reply_or_forward);
}

TEST(BaseSubject, BlobsAreRemovedOnlyWhenSomethingIsLeft) {
  EXPECT_EQ(base("[list] hello"), "hello");
  EXPECT_EQ(base("[list] [tag] hello"), "hello");
  EXPECT_EQ(base("[list]"), "[list]");
  EXPECT_EQ(base("[list] [x]"), "[x]");
  EXPECT_EQ(base("[list] Re: hello"), "hello");
}

TEST(BaseSubject, WhitespaceIsCollapsedAndTrimmed) {
  EXPECT_EQ(base("  hello \t  world  "), "hello world");
  EXPECT_EQ(base("hello\r\n world"), "hello world");
  EXPECT_EQ(base(""), "");
  EXPECT_EQ(base("   "), "");
}

TEST(BaseSubject, WordsThatOnlyLookLikeMarkers) {
  EXPECT_EQ(base("Re hello"), "Re hello");
  EXPECT_EQ(base("Reply: hello"), "Reply: hello");
  EXPECT_EQ(base("Fwd hello"), "Fwd hello");
  EXPECT_FALSE(base_subject("hello").reply_or_forward);
  EXPECT_FALSE(base_subject("[list] hello").reply_or_forward);
  EXPECT_TRUE(base_subject("Re: hello").reply_or_forward);
  EXPECT_TRUE(base_subject("hello (fwd)").reply_or_forward);
}

TEST(BaseSubject, EncodedWordsAreDecodedFirst) {
  auto f = facts_from_header("Subject: =?UTF-8?Q?Re=3A_Gr=C3=BC=C3=9Fe?=\r\n\r\n", 1, 0, 0);
  EXPECT_EQ(f.base_subject,
            "Gr\xC3\xBC\xC3\x9F"
            "e");
  EXPECT_TRUE(f.reply_or_forward);
  auto g = facts_from_header("Subject: =?ISO-8859-1?B?UmU6IGNhZuk=?=\r\n\r\n", 1, 0, 0);
  EXPECT_EQ(g.base_subject, "caf\xC3\xA9");
}

TEST(CasemapCompare, AsciiOnlyCaseInsensitive) {
  EXPECT_EQ(casemap_compare("abc", "ABC"), 0);
  EXPECT_LT(casemap_compare("", "a"), 0);
  EXPECT_LT(casemap_compare("a", "B"), 0);
  EXPECT_GT(casemap_compare("b", "A"), 0);
  EXPECT_NE(casemap_compare("\xC3\xA9", "\xC3\x89"), 0);  // é and É differ
}

TEST(SentDate, ZonesNormalizeToUtc) {
  // RFC 5256 2.2's example.
  EXPECT_EQ(parse_sent_date("31 Dec 2000 16:01:33 -0800"),
            parse_sent_date("1 Jan 2001 00:01:33 +0000"));
  EXPECT_EQ(parse_sent_date("Mon, 1 Jan 2001 00:01:33 +0000"), 978307293);
  EXPECT_EQ(parse_sent_date("Mon, 1 Jan 2001 00:01:33 GMT (comment)"), 978307293);
  EXPECT_EQ(parse_sent_date("1 Jan 2001 00:01:33 EST"), 978307293 + 5 * 3600);
  EXPECT_EQ(parse_sent_date("1 Jan 01 00:01 +0000"), 978307260);     // obs-year, no seconds
  EXPECT_EQ(parse_sent_date("1 Jan 2001 00:01:33 XYZ"), 978307293);  // unknown zone: UTC
  EXPECT_EQ(parse_sent_date("1 Jan 2001 nonsense"), 978307200);      // bad time: midnight
  EXPECT_FALSE(parse_sent_date("yesterday"));
  EXPECT_FALSE(parse_sent_date(""));
}

TEST(MsgIds, QuotingDoesNotMakeADifferentId) {
  auto a = mime::parse_msg_ids("<\"01KF8JCEOCBS0045PS\"@xxx.yyy.com>", 10);
  auto b = mime::parse_msg_ids("<01KF8JCEOCBS0045PS@xxx.yyy.com>", 10);
  ASSERT_EQ(a.size(), 1U);
  EXPECT_EQ(a, b);
  EXPECT_EQ(mime::parse_msg_ids("<a@b> (x) <c@d>\r\n <e@f>", 10),
            (std::vector<std::string>{"a@b", "c@d", "e@f"}));
  EXPECT_EQ(mime::parse_msg_ids("<a@b> <c@d>", 1).size(), 1U);
  EXPECT_TRUE(mime::parse_msg_ids("<nonsense> plain@text", 10).empty());
}

TEST(Facts, FromTheHeader) {
  std::string h =
      "From: \"Ann\" <Ann.Smith@example.org>, bob@example.org\r\n"
      "To: undisclosed:;\r\n"
      "Cc: <carol@example.org>\r\n"
      "Date: Tue, 2 Jan 2001 00:00:00 +0000\r\n"
      "Message-ID: <m2@example.org>\r\n"
      "In-Reply-To: <m1@example.org> (ignored <x@y>)\r\n"
      "Subject: Re: plans\r\n"
      "\r\n";
  auto f = facts_from_header(h, 7, 100, 2000);
  EXPECT_EQ(f.number, 7U);
  EXPECT_EQ(f.from, "Ann.Smith");
  EXPECT_EQ(f.to, "undisclosed");
  EXPECT_EQ(f.cc, "carol");
  EXPECT_EQ(f.sent_date, 978393600);
  EXPECT_EQ(f.message_id, "m2@example.org");
  EXPECT_EQ(f.references, std::vector<std::string>{"m1@example.org"});
  EXPECT_EQ(f.base_subject, "plans");
  EXPECT_EQ(f.size, 2000U);
}

TEST(Facts, MissingFieldsAndTheInternalDateFallback) {
  auto f = facts_from_header("X-Other: 1\r\n\r\n", 1, 12345, 10);
  EXPECT_EQ(f.sent_date, 12345);
  EXPECT_EQ(f.from, "");
  EXPECT_EQ(f.base_subject, "");
  EXPECT_TRUE(f.message_id.empty());
  EXPECT_TRUE(f.references.empty());
  auto g = facts_from_header("Date: garbage\r\n\r\n", 1, 777, 10);
  EXPECT_EQ(g.sent_date, 777);
}

TEST(Facts, ReferencesWinOverInReplyTo) {
  auto f =
      facts_from_header("References: <a@x> <b@x>\r\n <c@x>\r\nIn-Reply-To: <z@x>\r\n\r\n", 1, 0, 0);
  EXPECT_EQ(f.references, (std::vector<std::string>{"a@x", "b@x", "c@x"}));
  auto g = facts_from_header("References: junk\r\nIn-Reply-To: <z@x>\r\n\r\n", 1, 0, 0);
  EXPECT_EQ(g.references, std::vector<std::string>{"z@x"});
}

TEST(Facts, LongReferencesKeepRootAndNearestAncestors) {
  std::string refs = "References:";
  for (int i = 0; i < 2000; ++i) {
    refs += " <r" + std::to_string(i) + "@x>";
  }
  auto f = facts_from_header(refs + "\r\n\r\n", 1, 0, 0);
  ASSERT_EQ(f.references.size(), 500U);
  EXPECT_EQ(f.references.front(), "r0@x");
  EXPECT_EQ(f.references.back(), "r1999@x");
}

}  // namespace
}  // namespace copper::imap
