// The selected mailbox's untagged updates: MODSEQ in flag updates once
// CONDSTORE is on, VANISHED instead of EXPUNGE once QRESYNC is on (RFC 7162
// 3.1.4.1, 3.2.10), and the SEARCHRES result surviving as UIDs (RFC 5182).
#include "imap/selected.h"

#include <gtest/gtest.h>

namespace copper::imap {
namespace {

std::vector<store::message_meta> messages(std::vector<std::uint32_t> uids) {
  std::vector<store::message_meta> out;
  for (auto uid : uids) {
    store::message_meta m;
    m.uid = uid;
    m.modseq = uid;
    out.push_back(m);
  }
  return out;
}

selected_mailbox mailbox(std::vector<std::uint32_t> uids) {
  store::mailbox_info info;
  info.name = "INBOX";
  return selected_mailbox(info, false, messages(std::move(uids)));
}

TEST(SelectedUpdates, ExpungeWithoutQresync) {
  auto box = mailbox({1, 2, 3, 4});
  EXPECT_EQ(box.expunge_uids({2, 4}), "* 4 EXPUNGE\r\n* 2 EXPUNGE\r\n");
  EXPECT_EQ(box.exists(), 2u);
}

TEST(SelectedUpdates, VanishedWithQresync) {
  auto box = mailbox({1, 2, 3, 4, 5});
  box.report_vanished(true);
  EXPECT_EQ(box.expunge_uids({4, 2, 3, 9}), "* VANISHED 2:4\r\n");
  EXPECT_EQ(box.exists(), 2u);
  EXPECT_EQ(box.at(2).uid, 5u);
  EXPECT_EQ(box.expunge_uids({9}), "");
}

TEST(SelectedUpdates, RefreshReportsModseqOnceCondstoreIsOn) {
  auto box = mailbox({1, 2});
  auto current = messages({1, 2});
  current[1].flags = {"\\Seen"};
  current[1].modseq = 40;
  EXPECT_EQ(box.refresh(current, 40, true), "* 2 FETCH (UID 2 FLAGS (\\Seen))\r\n");
  box.report_modseq(true);
  current[1].flags = {};
  current[1].modseq = 41;
  EXPECT_EQ(box.refresh(current, 41, true), "* 2 FETCH (UID 2 FLAGS () MODSEQ (41))\r\n");
}

TEST(SelectedUpdates, RefreshExpungesAsVanished) {
  auto box = mailbox({1, 2, 3});
  box.report_vanished(true);
  EXPECT_EQ(box.refresh(messages({1, 3, 7}), 7, true), "* VANISHED 2\r\n* 3 EXISTS\r\n");
}

TEST(SelectedUpdates, QresyncHoldsFlagUpdatesWhileExpungesWait) {
  auto box = mailbox({1, 2, 3});
  box.report_modseq(true);
  box.report_vanished(true);
  auto current = messages({1, 3});
  current[1].flags = {"\\Seen"};
  current[1].modseq = 50;
  // A FETCH may not expunge: neither the VANISHED nor the newer MODSEQ goes out.
  EXPECT_EQ(box.refresh(current, 50, false), "");
  EXPECT_EQ(box.exists(), 3u);
  EXPECT_LT(box.info().highestmodseq, 50u);  // what a new CONDSTORE user would be told
  EXPECT_EQ(box.refresh(current, 50, true),
            "* VANISHED 2\r\n* 2 FETCH (UID 3 FLAGS (\\Seen) MODSEQ (50))\r\n");
  EXPECT_EQ(box.info().highestmodseq, 50u);
}

TEST(SelectedUpdates, CondstoreAloneSendsFlagsWhileExpungesWait) {
  auto box = mailbox({1, 2, 3});
  box.report_modseq(true);
  auto current = messages({1, 3});
  current[1].flags = {"\\Seen"};
  current[1].modseq = 50;
  EXPECT_EQ(box.refresh(current, 50, false), "* 3 FETCH (UID 3 FLAGS (\\Seen) MODSEQ (50))\r\n");
}

TEST(SelectedSavedResult, StartsEmptyAndKeepsUids) {
  auto box = mailbox({1, 2, 3});
  EXPECT_TRUE(box.saved_uids().empty());
  box.save_uids({2, 3});
  box.expunge_uids({2});
  // The saved UID 2 no longer resolves, UID 3 moved to sequence number 2.
  EXPECT_FALSE(box.seq_of_uid(2).has_value());
  EXPECT_EQ(box.seq_of_uid(3), 2u);
}

}  // namespace
}  // namespace copper::imap
