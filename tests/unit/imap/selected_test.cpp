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

// As SELECT leaves it: message UID n has MODSEQ n, the view is synced to the
// highest of them.
selected_mailbox mailbox(std::vector<std::uint32_t> uids) {
  store::mailbox_info info;
  info.name = "INBOX";
  info.highestmodseq = uids.empty() ? 1 : uids.back();
  return selected_mailbox(info, false, std::move(uids));
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
  EXPECT_EQ(box.uid_at(2), 5u);
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

store::mailbox_changes delta(std::vector<store::message_meta> changed,
                             std::vector<std::uint32_t> vanished, std::uint64_t highestmodseq) {
  store::mailbox_changes d;
  d.changed = std::move(changed);
  d.vanished = std::move(vanished);
  d.highestmodseq = highestmodseq;
  return d;
}

TEST(SelectedDelta, AppliesFlagsExpungesAndNewMessages) {
  auto box = mailbox({1, 2, 3});
  box.report_modseq(true);
  auto changed = messages({3, 8, 9});
  changed[0].flags = {"\\Flagged"};
  changed[0].modseq = 60;
  EXPECT_EQ(box.apply_changes(delta(changed, {2, 5}, 61), true),
            "* 2 EXPUNGE\r\n* 4 EXISTS\r\n* 2 FETCH (UID 3 FLAGS (\\Flagged) MODSEQ (60))\r\n")
      << "expunges, then arrivals, then flag changes of the messages that were there";
  EXPECT_EQ(box.info().highestmodseq, 61u);
  EXPECT_EQ(box.uid_at(4), 9u);
}

TEST(SelectedDelta, OwnChangesAreNotReportedAgain) {
  auto box = mailbox({1, 2, 3});
  // This session's STORE reported UID 2 at MODSEQ 20 itself; another
  // session changed UID 3 after that.
  box.note_own_change(2, 20);
  auto changed = messages({2, 3});
  changed[0].modseq = 20;
  changed[1].modseq = 21;
  EXPECT_EQ(box.apply_changes(delta(changed, {}, 21), true), "* 3 FETCH (UID 3 FLAGS ())\r\n");
  // A later change of UID 2 by anyone is news.
  changed[0].modseq = 22;
  EXPECT_EQ(box.apply_changes(delta({changed[0]}, {}, 22), true), "* 2 FETCH (UID 2 FLAGS ())\r\n");
}

TEST(SelectedDelta, HeldExpungeIsReportedAfterTheModseqMovedOn) {
  auto box = mailbox({1, 2, 3});
  // A FETCH: no EXPUNGE yet, but without QRESYNC the view's MODSEQ moves on,
  // so the store will not name UID 2 again.
  EXPECT_EQ(box.apply_changes(delta({}, {2}, 70), false), "");
  EXPECT_EQ(box.exists(), 3u);
  EXPECT_EQ(box.info().highestmodseq, 70u);
  EXPECT_EQ(box.apply_changes(delta({}, {}, 70), true), "* 2 EXPUNGE\r\n");
  EXPECT_EQ(box.exists(), 2u);
}

TEST(SelectedDelta, QresyncRepeatsTheDeltaUntilExpungesMayGoOut) {
  auto box = mailbox({1, 2, 3});
  box.report_modseq(true);
  box.report_vanished(true);
  auto changed = messages({3, 4});
  changed[0].flags = {"\\Seen"};
  changed[0].modseq = 80;
  EXPECT_EQ(box.apply_changes(delta(changed, {2}, 81), false), "* 4 EXISTS\r\n");
  EXPECT_LT(box.info().highestmodseq, 80u);
  EXPECT_EQ(box.apply_changes(delta(changed, {2}, 81), true),
            "* VANISHED 2\r\n* 2 FETCH (UID 3 FLAGS (\\Seen) MODSEQ (80))\r\n");
  EXPECT_EQ(box.info().highestmodseq, 81u);
}

TEST(SelectedDelta, OwnExpungeClearsAHeldOne) {
  auto box = mailbox({1, 2, 3});
  EXPECT_EQ(box.apply_changes(delta({}, {2}, 90), false), "");
  EXPECT_EQ(box.expunge_uids({2}), "* 2 EXPUNGE\r\n");
  EXPECT_EQ(box.apply_changes(delta({}, {}, 90), true), "");
  EXPECT_EQ(box.exists(), 2u);
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
