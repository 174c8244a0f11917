// Sequence sets (RFC 9051 9): parsing, expansion, and the compressed form
// that ESEARCH ALL, COPYUID, MODIFIED and VANISHED write (RFC 4731 3.1).
#include "imap/protocol/sequence_set.h"

#include <gtest/gtest.h>

namespace copper::imap {
namespace {

TEST(SequenceSetCompression, RunsBecomeRanges) {
  EXPECT_EQ(sequence_set::from_numbers({1, 2, 3, 5, 7, 8}).to_string(), "1:3,5,7:8");
  EXPECT_EQ(sequence_set::from_numbers({4}).to_string(), "4");
  EXPECT_EQ(sequence_set::from_numbers({}).to_string(), "");
}

TEST(SequenceSetCompression, DuplicatesCollapse) {
  EXPECT_EQ(sequence_set::from_numbers({2, 2, 3, 3, 9}).to_string(), "2:3,9");
}

TEST(SequenceSetCompression, LargestUidRoundTrips) {
  auto s = sequence_set::from_numbers({4294967294u, 4294967295u});
  EXPECT_EQ(s.to_string(), "4294967294:4294967295");
  auto back = sequence_set::parse(s.to_string());
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->contains(4294967295u, 1));
}

TEST(SequenceSetCompression, RoundTripThroughParseAndExpand) {
  std::vector<std::uint32_t> numbers = {1, 2, 3, 10, 12, 13, 14, 99};
  auto text = sequence_set::from_numbers(numbers).to_string();
  auto parsed = sequence_set::parse(text);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->expand(100), numbers);
}

TEST(SequenceSetParse, StarAndReversedRanges) {
  auto s = sequence_set::parse("5:3,*");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->expand(8), (std::vector<std::uint32_t>{3, 4, 5, 8}));
  EXPECT_TRUE(s->contains(20, 20));
  EXPECT_FALSE(s->contains(6, 20));
}

TEST(SequenceSetParse, ExpandClipsToLargestAndMergesOverlaps) {
  auto s = sequence_set::parse("1:4,3:6,10:*");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->expand(5), (std::vector<std::uint32_t>{1, 2, 3, 4, 5}));
  EXPECT_TRUE(s->expand(0).empty());
}

TEST(SequenceSetParse, RejectsMalformedSets) {
  for (const char* bad :
       {"", "0", "01", "1,", ",1", "1::2", "a", "1:b", "4294967296", "$", "$,1", "1 2"}) {
    EXPECT_FALSE(sequence_set::parse(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace copper::imap
