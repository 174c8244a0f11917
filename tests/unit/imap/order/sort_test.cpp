// SORT (RFC 5256 3): the sort program and orderings, ties by mailbox order.
#include "imap/order/sort.h"

#include <gtest/gtest.h>

#include "imap/protocol/parser.h"

namespace copper::imap {
namespace {

std::vector<sort_criterion> program(std::string_view text) {
  auto c = parse_command(std::string("t SORT ") + std::string(text) + " UTF-8 ALL");
  EXPECT_TRUE(c.ok());
  auto p = parse_sort_criteria(c->args[0]);
  EXPECT_TRUE(p.ok()) << text;
  return p.ok() ? *p : std::vector<sort_criterion>{};
}

bool program_fails(std::string_view text) {
  auto c = parse_command(std::string("t SORT ") + std::string(text) + " UTF-8 ALL");
  return !c.ok() || !parse_sort_criteria(c->args[0]).ok();
}

message_facts msg(std::uint32_t n, std::string subject, std::int64_t date, std::uint64_t size,
                  std::string from = "", std::string to = "", std::string cc = "") {
  message_facts f;
  f.number = n;
  f.base_subject = std::move(subject);
  f.sent_date = date;
  f.internal_date = 1000 - date;  // arrival in the opposite order
  f.size = size;
  f.from = std::move(from);
  f.to = std::move(to);
  f.cc = std::move(cc);
  return f;
}

std::vector<message_facts> sample() {
  return {msg(1, "beta", 30, 300, "carol", "x", "b"), msg(2, "Alpha", 10, 100, "alice", "", "a"),
          msg(3, "alpha", 20, 200, "Bob", "y", ""), msg(4, "", 20, 100, "", "z", "c")};
}

using numbers = std::vector<std::uint32_t>;

TEST(SortProgram, ParsesEveryKeyAndReverse) {
  auto p = program("(ARRIVAL cc DATE FROM REVERSE SIZE SUBJECT TO)");
  ASSERT_EQ(p.size(), 7U);
  EXPECT_EQ(p[4].key, sort_key::size);
  EXPECT_TRUE(p[4].reverse);
  EXPECT_FALSE(p[5].reverse);
  EXPECT_TRUE(program_fails("()"));
  EXPECT_TRUE(program_fails("(REVERSE)"));
  EXPECT_TRUE(program_fails("(REVERSE REVERSE DATE)"));
  EXPECT_TRUE(program_fails("(COLOR)"));
  EXPECT_TRUE(program_fails("DATE"));
  EXPECT_TRUE(program_fails("((DATE))"));
}

TEST(Sort, EachKey) {
  auto m = sample();
  EXPECT_EQ(sort_messages(m, program("(ARRIVAL)")), (numbers{1, 3, 4, 2}));
  EXPECT_EQ(sort_messages(m, program("(DATE)")), (numbers{2, 3, 4, 1}));
  EXPECT_EQ(sort_messages(m, program("(SIZE)")), (numbers{2, 4, 3, 1}));
  // Empty first, then i;ascii-casemap; equal subjects keep mailbox order.
  EXPECT_EQ(sort_messages(m, program("(SUBJECT)")), (numbers{4, 2, 3, 1}));
  EXPECT_EQ(sort_messages(m, program("(FROM)")), (numbers{4, 2, 3, 1}));
  EXPECT_EQ(sort_messages(m, program("(TO)")), (numbers{2, 1, 3, 4}));
  EXPECT_EQ(sort_messages(m, program("(CC)")), (numbers{3, 2, 1, 4}));
}

TEST(Sort, ReverseReversesOneCriterionNotTheTieBreak) {
  auto m = sample();
  EXPECT_EQ(sort_messages(m, program("(REVERSE SIZE)")), (numbers{1, 3, 2, 4}));
  EXPECT_EQ(sort_messages(m, program("(REVERSE SUBJECT)")), (numbers{1, 2, 3, 4}));
  EXPECT_EQ(sort_messages(m, program("(SUBJECT REVERSE DATE)")), (numbers{4, 3, 2, 1}));
  EXPECT_EQ(sort_messages(m, program("(SIZE DATE)")), (numbers{2, 4, 3, 1}));
  EXPECT_EQ(sort_messages(m, program("(SIZE REVERSE DATE)")), (numbers{4, 2, 3, 1}));
}

TEST(Sort, Empty) { EXPECT_TRUE(sort_messages({}, program("(DATE)")).empty()); }

}  // namespace
}  // namespace copper::imap
