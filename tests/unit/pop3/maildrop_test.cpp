// maildrop: the session's snapshot of INBOX (RFC 1939 5): totals without the
// deleted messages, RSET, stable unique ids, and what QUIT writes back.
#include "pop3/maildrop.h"

#include <gtest/gtest.h>

namespace copper::pop3 {
namespace {

maildrop sample() {
  store::mailbox_info inbox;
  inbox.id = 7;
  inbox.uidvalidity = 1234;
  std::vector<store::message_meta> messages(3);
  messages[0].uid = 3;
  messages[0].size = 100;
  messages[1].uid = 5;
  messages[1].size = 20;
  messages[1].flags = {"\\seen"};
  messages[2].uid = 9;
  messages[2].size = 3;
  return maildrop(inbox, messages);
}

TEST(Pop3Maildrop, TotalsLeaveOutDeletedMessagesUntilRset) {
  auto d = sample();
  EXPECT_EQ(d.stat().count, 3u);
  EXPECT_EQ(d.stat().octets, 123u);
  d.mark_deleted(1);
  EXPECT_TRUE(d.deleted(1));
  EXPECT_EQ(d.stat().count, 2u);
  EXPECT_EQ(d.stat().octets, 23u);
  EXPECT_EQ(d.deleted_uids(), std::vector<std::uint32_t>{3});
  d.reset();
  EXPECT_EQ(d.stat().count, 3u);
  EXPECT_TRUE(d.deleted_uids().empty());
}

TEST(Pop3Maildrop, NumbersAndUniqueIds) {
  auto d = sample();
  EXPECT_FALSE(d.exists(0));
  EXPECT_TRUE(d.exists(3));
  EXPECT_FALSE(d.exists(4));
  EXPECT_EQ(d.unique_id(1), "1234.3");
  EXPECT_EQ(d.unique_id(3), "1234.9");
  EXPECT_EQ(d.mailbox(), 7);
}

TEST(Pop3Maildrop, NewlyReadSkipsSeenAndDeleted) {
  auto d = sample();
  d.mark_read(1);
  d.mark_read(2);  // already \Seen
  d.mark_read(3);
  d.mark_deleted(3);
  EXPECT_EQ(d.newly_read_uids(), std::vector<std::uint32_t>{3});
}

}  // namespace
}  // namespace copper::pop3
