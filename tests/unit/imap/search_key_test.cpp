// SEARCH criteria parsing and matching (RFC 9051 6.4.4) with MODSEQ
// (RFC 7162 3.1.5) and the saved result "$" (RFC 5182).
#include "imap/search_key.h"

#include <gtest/gtest.h>

namespace copper::imap {
namespace {

search_key parse(std::string_view text) {
  auto c = parse_command("t SEARCH " + std::string(text));
  EXPECT_TRUE(c.ok()) << text;
  auto k = parse_search(c->args, 0);
  EXPECT_TRUE(k.ok()) << text << ": " << (k.ok() ? "" : k.err().message);
  return k.ok() ? std::move(k).value() : search_key{};
}

bool fails(std::string_view text) {
  auto c = parse_command("t SEARCH " + std::string(text));
  return !c.ok() || !parse_search(c->args, 0).ok();
}

store::message_meta message(std::uint32_t uid, std::uint64_t modseq,
                            std::vector<std::string> flags = {}) {
  store::message_meta m;
  m.uid = uid;
  m.modseq = modseq;
  m.flags = std::move(flags);
  return m;
}

bool hit(const search_key& k, std::uint32_t seq, const store::message_meta& m) {
  return matches(k, search_subject{seq, 10, 100, m, nullptr});
}

TEST(SearchModseq, MatchesModseqAtOrAbove) {
  auto k = parse("MODSEQ 12");
  EXPECT_TRUE(k.uses_modseq());
  EXPECT_TRUE(hit(k, 1, message(1, 12)));
  EXPECT_TRUE(hit(k, 1, message(1, 13)));
  EXPECT_FALSE(hit(k, 1, message(1, 11)));
}

TEST(SearchModseq, EntryNameAndTypeAreAccepted) {
  auto k = parse(R"(MODSEQ "/flags/\\draft" all 620162338 UNSEEN)");
  EXPECT_TRUE(k.uses_modseq());
  EXPECT_TRUE(hit(k, 1, message(1, 620162338)));
  EXPECT_FALSE(hit(k, 1, message(1, 620162338, {"\\Seen"})));
}

TEST(SearchModseq, NestedInOrAndNot) {
  auto k = parse("OR SEEN NOT MODSEQ 5");
  EXPECT_TRUE(k.uses_modseq());
  EXPECT_TRUE(hit(k, 1, message(1, 4)));
  EXPECT_FALSE(hit(k, 1, message(1, 6)));
  EXPECT_FALSE(parse("SEEN UID 1:3").uses_modseq());
}

TEST(SearchModseq, RejectsBadValues) {
  EXPECT_TRUE(fails("MODSEQ"));
  EXPECT_TRUE(fails("MODSEQ abc"));
  EXPECT_TRUE(fails("MODSEQ -1"));
  EXPECT_TRUE(fails("MODSEQ 9223372036854775808"));  // above 2^63-1
  EXPECT_TRUE(fails(R"(MODSEQ "/flags/\\seen" everyone 5)"));
}

TEST(SearchSavedResult, DollarAndUidDollarNameTheSavedUids) {
  for (const char* text : {"$", "UID $", "SEEN $"}) {
    auto k = parse(text);
    fill_saved_result(k, {3, 7});
    EXPECT_TRUE(hit(k, 1, message(3, 1, {"\\Seen"}))) << text;
    EXPECT_TRUE(hit(k, 2, message(7, 1, {"\\Seen"}))) << text;
    EXPECT_FALSE(hit(k, 3, message(5, 1, {"\\Seen"}))) << text;
  }
}

TEST(SearchSavedResult, EmptySavedResultMatchesNothing) {
  auto k = parse("NOT NOT $");
  fill_saved_result(k, {});
  EXPECT_FALSE(hit(k, 1, message(1, 1)));
}

TEST(SearchSavedResult, UnfilledDollarIsNotASequenceSet) {
  auto k = parse("$");
  ASSERT_EQ(k.children.size(), 1u);
  EXPECT_TRUE(k.children[0].saved);
  EXPECT_EQ(k.children[0].what, search_key::kind::uid);
}

TEST(SearchParse, SequenceSetsAndUidSets) {
  auto k = parse("2:4 UID 10:*");
  EXPECT_TRUE(hit(k, 3, message(100, 1)));
  EXPECT_FALSE(hit(k, 5, message(100, 1)));
  EXPECT_FALSE(hit(k, 3, message(9, 1)));
  EXPECT_TRUE(fails("UID"));
  EXPECT_TRUE(fails("1,,2"));
}

}  // namespace
}  // namespace copper::imap
