// mailbox_store's messages: APPEND, STORE with UNCHANGEDSINCE, MODSEQ
// monotonicity, changes since a MODSEQ with vanished UIDs, COPY and MOVE
// UID maps, EXPUNGE with blob reference counts, quota (RFC 9051, RFC 7162,
// RFC 4315, RFC 6851, RFC 9208).
#include <algorithm>
#include <atomic>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "mailbox_store_fixture.h"

namespace copper::store::test {
namespace {

using flags = std::vector<std::string>;
using uid_list = std::vector<std::uint32_t>;

TEST_F(MailboxStoreTest, AppendAssignsUidsModseqsAndKeepsTheData) {
  auto inbox = mailbox(alice_, "INBOX");
  auto a = append(alice_, inbox.id, "Subject: a\r\n\r\nA\r\n", {"\\seen", "$Work", "\\SEEN"},
                  1600000000);
  auto b = append(alice_, inbox.id, "Subject: b\r\n\r\nB\r\n");
  EXPECT_EQ(a.uid, 1u);
  EXPECT_EQ(b.uid, 2u);
  EXPECT_EQ(a.uidvalidity, inbox.uidvalidity);

  auto msgs = boxes().messages(inbox.id);
  ASSERT_EQ(msgs.size(), 2u);
  EXPECT_EQ(msgs[0].flags, (flags{"\\Seen", "$Work"}));  // canonical, no duplicates
  EXPECT_TRUE(msgs[1].flags.empty());
  EXPECT_EQ(msgs[0].internal_date, 1600000000);
  EXPECT_EQ(msgs[0].size, 17u);
  EXPECT_EQ(boxes().read_blob(msgs[0].blob_id), "Subject: a\r\n\r\nA\r\n");
  EXPECT_FALSE(boxes().read_blob(msgs[1].blob_id + 1000).has_value());
  EXPECT_NE(msgs[0].id, msgs[1].id);
  EXPECT_LT(msgs[0].modseq, msgs[1].modseq);
  EXPECT_GT(msgs[0].modseq, inbox.highestmodseq);
  auto after = mailbox(alice_, "INBOX");
  EXPECT_EQ(after.highestmodseq, msgs[1].modseq);
  EXPECT_EQ(after.uidnext, 3u);

  // The same content again shares the blob.
  append(alice_, id_of(alice_, "Sent"), "Subject: b\r\n\r\nB\r\n");
  EXPECT_EQ(query_int("SELECT count(*) FROM blobs"), 2);
}

// SELECT's read: UIDs, the mailbox's MODSEQ and the first message without \Seen,
// which a keyword that merely contains "Seen" does not count as seen.
TEST_F(MailboxStoreTest, SelectViewFindsTheFirstUnseen) {
  auto inbox = mailbox(alice_, "INBOX");
  EXPECT_EQ(boxes().select_view(inbox.id).first_unseen_uid, 0u);
  append(alice_, inbox.id, "Subject: a\r\n\r\nA\r\n", {"\\Seen", "$Work"});
  append(alice_, inbox.id, "Subject: b\r\n\r\nB\r\n", {"$Seen", "Seen"});
  auto c = append(alice_, inbox.id, "Subject: c\r\n\r\nC\r\n", {"\\Flagged", "\\Seen"});
  auto view = boxes().select_view(inbox.id);
  EXPECT_EQ(view.uids, (uid_list{1, 2, 3}));
  EXPECT_EQ(view.first_unseen_uid, 2u);
  EXPECT_EQ(view.highestmodseq, boxes().messages(inbox.id).at(2).modseq);
  ASSERT_TRUE(boxes().store_flags(inbox.id, {2}, flag_operation::add, {"\\Seen"}, 0).ok());
  EXPECT_EQ(boxes().select_view(inbox.id).first_unseen_uid, 0u);
  ASSERT_TRUE(boxes().store_flags(inbox.id, {c.uid}, flag_operation::remove, {"\\Seen"}, 0).ok());
  EXPECT_EQ(boxes().select_view(inbox.id).first_unseen_uid, c.uid);
  // An expunge raises the mailbox's MODSEQ above every message's.
  ASSERT_TRUE(boxes().expunge(inbox.id, {1}).ok());
  view = boxes().select_view(inbox.id);
  EXPECT_EQ(view.uids, (uid_list{2, 3}));
  EXPECT_EQ(view.highestmodseq, mailbox(alice_, "INBOX").highestmodseq);
  EXPECT_GT(view.highestmodseq, boxes().messages(inbox.id).at(1).modseq);
}

TEST_F(MailboxStoreTest, AppendErrors) {
  mailbox_id inbox = id_of(alice_, "INBOX");
  EXPECT_EQ(code_of(boxes().append(alice_, inbox + 1000, "x", {}, 0)), "NONEXISTENT");
  // Another account's mailbox does not exist for this one.
  EXPECT_EQ(code_of(boxes().append(bob_, inbox, "x", {}, 0)), "NONEXISTENT");
  EXPECT_EQ(code_of(boxes().append(alice_, inbox, "x", {"\\Recent"}, 0)), "CANNOT");
  EXPECT_EQ(code_of(boxes().append(alice_, inbox, "x", {"\\Important"}, 0)), "CANNOT");
  EXPECT_EQ(code_of(boxes().append(alice_, inbox, "x", {"two words"}, 0)), "CANNOT");
  EXPECT_EQ(code_of(boxes().append(alice_, inbox, "x", {""}, 0)), "CANNOT");
  EXPECT_TRUE(boxes().messages(inbox).empty());
  EXPECT_EQ(query_int("SELECT count(*) FROM blobs"), 0);
}

// RFC 9208 / RFC 5530 OVERQUOTA: usage is the sum of message sizes in all of
// the account's mailboxes.
TEST_F(MailboxStoreTest, QuotaRefusesAppendAndCopyButNotMove) {
  account_id carol = add_account("carol@example.org", 100);
  mailbox_id inbox = id_of(carol, "INBOX");
  mailbox_id sent = id_of(carol, "Sent");
  append(carol, inbox, std::string(40, 'a'));
  append(carol, sent, std::string(40, 'b'));
  auto over = boxes().append(carol, inbox, std::string(21, 'c'), {}, 0);
  EXPECT_EQ(code_of(over), "OVERQUOTA");
  EXPECT_EQ(uids(inbox), uid_list{1});
  EXPECT_EQ(mailbox(carol, "INBOX").uidnext, 2u);  // a refused append takes no UID
  append(carol, inbox, std::string(20, 'c'));      // exactly at the quota

  EXPECT_EQ(code_of(boxes().copy(inbox, {1}, sent)), "OVERQUOTA");
  auto moved = boxes().move(inbox, {1}, sent);  // moving adds nothing
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ(moved->dest_uids, uid_list{2});

  ASSERT_TRUE(store_->set_quota("carol@example.org", 0).ok());  // 0 = unlimited
  append(carol, inbox, std::string(1000, 'd'));
  EXPECT_EQ(code_of(boxes().append(alice_, id_of(alice_, "INBOX"), std::string(5000, 'e'), {}, 0)),
            "");
}

TEST_F(MailboxStoreTest, StoreFlagsAddRemoveReplace) {
  mailbox_id inbox = id_of(alice_, "INBOX");
  append(alice_, inbox, "1", {"\\Seen"});
  append(alice_, inbox, "2");
  append(alice_, inbox, "3", {"$Junk"});
  auto before = boxes().messages(inbox);

  auto added = boxes().store_flags(inbox, {1, 2, 3, 99}, flag_operation::add,
                                   {"\\seen", "$junk", "\\Flagged"}, 0);
  ASSERT_TRUE(added.ok()) << added.err().message;
  ASSERT_EQ(added->changed.size(), 3u);
  EXPECT_EQ(added->changed[0].uid, 1u);
  EXPECT_EQ(added->changed[0].flags, (flags{"\\Seen", "\\Flagged", "$junk"}));
  EXPECT_EQ(added->changed[1].flags, (flags{"\\Seen", "\\Flagged", "$junk"}));
  // Keywords compare case-insensitively; the first spelling stays.
  EXPECT_EQ(added->changed[2].flags, (flags{"\\Seen", "\\Flagged", "$Junk"}));
  // One command, one MODSEQ (RFC 7162 3.1), above everything before it.
  std::uint64_t m1 = added->changed[0].modseq;
  for (const auto& c : added->changed) {
    EXPECT_EQ(c.modseq, m1);
    EXPECT_GT(c.modseq, before.back().modseq);
  }
  EXPECT_EQ(added->highestmodseq, m1);
  EXPECT_TRUE(added->modified.empty());

  // Nothing to do for 1 and 2: not reported, MODSEQ kept (RFC 7162 3.1.11).
  auto removed = boxes().store_flags(inbox, {1, 2, 3}, flag_operation::remove, {"$JUNK"}, 0);
  ASSERT_TRUE(removed.ok());
  ASSERT_EQ(removed->changed.size(), 3u);
  removed = boxes().store_flags(inbox, {1, 2, 3}, flag_operation::remove, {"$JUNK"}, 0);
  ASSERT_TRUE(removed.ok());
  EXPECT_TRUE(removed->changed.empty());
  std::uint64_t m2 = removed->highestmodseq;
  EXPECT_GT(m2, m1);
  EXPECT_EQ(mailbox(alice_, "INBOX").highestmodseq, m2);

  auto replaced =
      boxes().store_flags(inbox, {2, 3}, flag_operation::replace, {"$Later", "\\Answered"}, 0);
  ASSERT_TRUE(replaced.ok());
  ASSERT_EQ(replaced->changed.size(), 2u);
  EXPECT_EQ(replaced->changed[0].flags, (flags{"\\Answered", "$Later"}));
  EXPECT_GT(replaced->changed[0].modseq, m2);
  // Replacing with the same set in another order is no change.
  auto same = boxes().store_flags(inbox, {2}, flag_operation::replace, {"\\answered", "$later"}, 0);
  ASSERT_TRUE(same.ok());
  EXPECT_TRUE(same->changed.empty());
  auto cleared = boxes().store_flags(inbox, {2}, flag_operation::replace, {}, 0);
  ASSERT_TRUE(cleared.ok());
  ASSERT_EQ(cleared->changed.size(), 1u);
  EXPECT_TRUE(cleared->changed[0].flags.empty());

  auto now = boxes().messages(inbox);
  EXPECT_EQ(now[0].flags, (flags{"\\Seen", "\\Flagged"}));
  EXPECT_TRUE(now[1].flags.empty());
  EXPECT_EQ(now[2].flags, (flags{"\\Answered", "$Later"}));

  EXPECT_EQ(code_of(boxes().store_flags(inbox + 1000, {1}, flag_operation::add, {"\\Seen"}, 0)),
            "NONEXISTENT");
  EXPECT_EQ(code_of(boxes().store_flags(inbox, {1}, flag_operation::add, {"\\Recent"}, 0)),
            "CANNOT");
  auto none = boxes().store_flags(inbox, {}, flag_operation::add, {"\\Seen"}, 0);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->changed.empty());
}

// RFC 7162 3.1.3: a message changed after UNCHANGEDSINCE is not touched and
// comes back in MODIFIED; the others are stored.
TEST_F(MailboxStoreTest, StoreFlagsUnchangedSince) {
  mailbox_id inbox = id_of(alice_, "INBOX");
  for (int i = 0; i < 4; ++i) {
    append(alice_, inbox, numbered("m", i));
  }
  std::uint64_t seen_at = mailbox(alice_, "INBOX").highestmodseq;
  // Another client changes 2 meanwhile.
  ASSERT_TRUE(boxes().store_flags(inbox, {2}, flag_operation::add, {"\\Flagged"}, 0).ok());

  auto r = boxes().store_flags(inbox, {1, 2, 3}, flag_operation::add, {"\\Deleted"}, seen_at);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->modified, uid_list{2});
  ASSERT_EQ(r->changed.size(), 2u);
  EXPECT_EQ(r->changed[0].uid, 1u);
  EXPECT_EQ(r->changed[1].uid, 3u);
  auto msgs = boxes().messages(inbox);
  EXPECT_EQ(msgs[1].flags, flags{"\\Flagged"});  // not deleted
  EXPECT_EQ(msgs[0].flags, flags{"\\Deleted"});

  // Equal to the message's MODSEQ passes.
  auto exact = boxes().store_flags(inbox, {2}, flag_operation::add, {"\\Seen"}, msgs[1].modseq);
  ASSERT_TRUE(exact.ok());
  EXPECT_TRUE(exact->modified.empty());
  EXPECT_EQ(exact->changed.size(), 1u);
}

// Every change gets a MODSEQ above all before it in the mailbox, whatever
// made it; HIGHESTMODSEQ follows.
TEST_F(MailboxStoreTest, ModseqIncreasesWithEveryChange) {
  mailbox_id inbox = id_of(alice_, "INBOX");
  mailbox_id archive = id_of(alice_, "Archive");
  std::uint64_t last = mailbox(alice_, "INBOX").highestmodseq;
  auto advanced = [&](const char* what) {
    std::uint64_t now = mailbox(alice_, "INBOX").highestmodseq;
    EXPECT_GT(now, last) << what;
    for (const auto& m : boxes().messages(inbox)) {
      EXPECT_LE(m.modseq, now) << what;
    }
    last = now;
  };
  append(alice_, inbox, "one");
  advanced("append");
  ASSERT_TRUE(deliver("two\r\n", {alice_}).ok());
  advanced("delivery");
  ASSERT_TRUE(boxes().store_flags(inbox, {1}, flag_operation::add, {"\\Seen"}, 0).ok());
  advanced("store");
  append(alice_, archive, "three");
  ASSERT_TRUE(boxes().copy(archive, {1}, inbox).ok());
  advanced("copy in");
  ASSERT_TRUE(boxes().move(archive, {2}, inbox).ok());  // nothing to move: no change
  EXPECT_EQ(mailbox(alice_, "INBOX").highestmodseq, last);
  ASSERT_TRUE(boxes().move(inbox, {3}, archive).ok());
  advanced("move out");
  ASSERT_TRUE(boxes().expunge(inbox, {2}).ok());
  advanced("expunge");
  ASSERT_TRUE(boxes().expunge(inbox, {2, 77}).ok());  // nothing left to expunge
  EXPECT_EQ(mailbox(alice_, "INBOX").highestmodseq, last);
  close();
  open();
  append(alice_, inbox, "after reopen");
  advanced("append after reopen");
}

TEST_F(MailboxStoreTest, ChangesSinceListsChangedAndVanished) {
  mailbox_id inbox = id_of(alice_, "INBOX");
  std::uint64_t start = mailbox(alice_, "INBOX").highestmodseq;
  for (int i = 0; i < 4; ++i) {
    append(alice_, inbox, numbered("m", i));
  }
  std::uint64_t synced = mailbox(alice_, "INBOX").highestmodseq;
  ASSERT_TRUE(boxes().store_flags(inbox, {2}, flag_operation::add, {"\\Seen"}, 0).ok());
  ASSERT_TRUE(boxes().expunge(inbox, {3}).ok());
  append(alice_, inbox, "m4");
  ASSERT_TRUE(boxes().expunge(inbox, {1}).ok());

  auto c = boxes().changes_since(inbox, synced);
  std::vector<std::uint32_t> changed;
  for (const auto& m : c.changed) {
    changed.push_back(m.uid);
    EXPECT_GT(m.modseq, synced);
  }
  EXPECT_EQ(changed, (uid_list{2, 5}));
  EXPECT_EQ(c.changed[0].flags, flags{"\\Seen"});
  EXPECT_EQ(c.vanished, (uid_list{1, 3}));
  EXPECT_EQ(c.highestmodseq, mailbox(alice_, "INBOX").highestmodseq);

  auto all = boxes().changes_since(inbox, start);
  EXPECT_EQ(all.changed.size(), 3u);  // 2, 4, 5
  EXPECT_EQ(all.vanished, (uid_list{1, 3}));

  auto none = boxes().changes_since(inbox, c.highestmodseq);
  EXPECT_TRUE(none.changed.empty());
  EXPECT_TRUE(none.vanished.empty());

  auto missing = boxes().changes_since(inbox + 1000, 0);
  EXPECT_EQ(missing.highestmodseq, 0u);
  EXPECT_TRUE(missing.changed.empty());
}

// What a selected IMAP mailbox asks at every command: HIGHESTMODSEQ alone,
// and the metadata of just the messages a command names.
TEST_F(MailboxStoreTest, HighestModseqAndMessagesByUid) {
  mailbox_id inbox = id_of(alice_, "INBOX");
  for (int i = 0; i < 6; ++i) {
    append(alice_, inbox, numbered("m", i), i == 4 ? flags{"\\Flagged"} : flags{});
  }
  EXPECT_EQ(boxes().highestmodseq(inbox), mailbox(alice_, "INBOX").highestmodseq);
  ASSERT_TRUE(boxes().expunge(inbox, {2}).ok());
  EXPECT_EQ(boxes().highestmodseq(inbox), mailbox(alice_, "INBOX").highestmodseq);
  EXPECT_FALSE(boxes().highestmodseq(inbox + 1000).has_value());

  // Runs and single UIDs; 2 is gone and 9 never existed.
  auto some = boxes().messages(inbox, uid_list{1, 2, 3, 5, 6, 9});
  std::vector<std::uint32_t> got;
  for (const auto& m : some) {
    got.push_back(m.uid);
  }
  EXPECT_EQ(got, (uid_list{1, 3, 5, 6}));
  EXPECT_EQ(some[2].flags, flags{"\\Flagged"});
  auto all = boxes().messages(inbox);
  EXPECT_EQ(some[1].id, all[1].id);
  EXPECT_EQ(some[1].modseq, all[1].modseq);
  EXPECT_TRUE(boxes().messages(inbox, uid_list{}).empty());
  EXPECT_TRUE(boxes().messages(id_of(bob_, "INBOX"), uid_list{1, 3}).empty());
}

// RFC 4315 4 (COPYUID): new UIDs in the destination in source UID order.
TEST_F(MailboxStoreTest, CopyMapsUidsInSourceOrder) {
  mailbox_id inbox = id_of(alice_, "INBOX");
  auto archive = mailbox(alice_, "Archive");
  for (int i = 1; i <= 5; ++i) {
    append(alice_, inbox, numbered("m", i), i == 4 ? flags{"\\Flagged", "$Kw"} : flags{},
           1600000000 + i);
  }
  append(alice_, archive.id, "already there");

  auto r = boxes().copy(inbox, {5, 4, 2, 99, 4}, archive.id);
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_EQ(r->uidvalidity, archive.uidvalidity);
  EXPECT_EQ(r->source_uids, (uid_list{2, 4, 5}));
  EXPECT_EQ(r->dest_uids, (uid_list{2, 3, 4}));

  auto copies = boxes().messages(archive.id);
  ASSERT_EQ(copies.size(), 4u);
  EXPECT_EQ(boxes().read_blob(copies[2].blob_id), "m4");
  EXPECT_EQ(copies[2].flags, (flags{"\\Flagged", "$Kw"}));  // RFC 9051 6.4.7
  EXPECT_EQ(copies[2].internal_date, 1600000004);
  EXPECT_EQ(uids(inbox), (uid_list{1, 2, 3, 4, 5}));  // the source is untouched
  // One blob per body, one reference per message.
  EXPECT_EQ(query_int("SELECT refs FROM blobs WHERE data = CAST('m4' AS BLOB)"), 2);
  EXPECT_EQ(query_int("SELECT refs FROM blobs WHERE data = CAST('m1' AS BLOB)"), 1);

  auto empty = boxes().copy(inbox, {42}, archive.id);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->dest_uids.empty());
  EXPECT_EQ(code_of(boxes().copy(inbox, {1}, archive.id + 1000)), "NONEXISTENT");
  EXPECT_EQ(code_of(boxes().copy(inbox + 1000, {1}, archive.id)), "NONEXISTENT");
  EXPECT_EQ(code_of(boxes().copy(inbox, {1}, id_of(bob_, "INBOX"))), "CANNOT");
}

// RFC 9051 2.3.3: the zone of APPEND's date-time is kept, with the
// message and its copies and moves (6.4.7); plain appends are UTC.
TEST_F(MailboxStoreTest, InternalZoneIsKeptAndCopied) {
  mailbox_id inbox = id_of(alice_, "INBOX");
  auto archive = mailbox(alice_, "Archive");
  std::vector<append_request> batch{{"east", {}, 1577865600, 120}, {"west", {}, 1577865600, -330}};
  ASSERT_TRUE(boxes().append_all(alice_, inbox, batch).ok());
  append(alice_, inbox, "plain");
  auto msgs = boxes().messages(inbox);
  ASSERT_EQ(msgs.size(), 3u);
  EXPECT_EQ(msgs[0].internal_zone, 120);
  EXPECT_EQ(msgs[1].internal_zone, -330);
  EXPECT_EQ(msgs[2].internal_zone, 0);
  ASSERT_TRUE(boxes().copy(inbox, {2}, archive.id).ok());
  ASSERT_TRUE(boxes().move(inbox, {1}, archive.id).ok());
  auto copies = boxes().messages(archive.id);
  ASSERT_EQ(copies.size(), 2u);
  EXPECT_EQ(copies[0].internal_zone, -330);
  EXPECT_EQ(copies[1].internal_zone, 120);
  EXPECT_EQ(boxes().changes_since(archive.id, 0).changed.at(0).internal_zone, -330);
}

// RFC 6851: MOVE is a copy and an expunge in one transaction.
TEST_F(MailboxStoreTest, MoveExpungesTheSource) {
  mailbox_id inbox = id_of(alice_, "INBOX");
  mailbox_id trash = id_of(alice_, "Trash");
  for (int i = 1; i <= 4; ++i) {
    append(alice_, inbox, numbered("m", i), {"\\Seen"});
  }
  std::uint64_t before = mailbox(alice_, "INBOX").highestmodseq;
  auto r = boxes().move(inbox, {3, 1}, trash);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->source_uids, (uid_list{1, 3}));
  EXPECT_EQ(r->dest_uids, (uid_list{1, 2}));
  EXPECT_EQ(uids(inbox), (uid_list{2, 4}));
  EXPECT_EQ(uids(trash), (uid_list{1, 2}));
  EXPECT_EQ(boxes().messages(trash)[1].flags, flags{"\\Seen"});
  EXPECT_EQ(boxes().changes_since(inbox, before).vanished, (uid_list{1, 3}));
  EXPECT_EQ(query_int("SELECT count(*) FROM blobs"), 4);
  EXPECT_EQ(query_int("SELECT sum(refs) FROM blobs"), 4);

  // Within one mailbox: new UIDs, old ones gone.
  auto same = boxes().move(inbox, {2}, inbox);
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->dest_uids, uid_list{5});
  EXPECT_EQ(uids(inbox), (uid_list{4, 5}));
  EXPECT_EQ(query_int("SELECT sum(refs) FROM blobs"), 4);
}

TEST_F(MailboxStoreTest, ExpungeReleasesBlobs) {
  mailbox_id inbox = id_of(alice_, "INBOX");
  mailbox_id sent = id_of(alice_, "Sent");
  append(alice_, inbox, "shared");
  append(alice_, inbox, "alone");
  append(alice_, inbox, "shared");
  append(alice_, sent, "shared");
  EXPECT_EQ(query_int("SELECT refs FROM blobs WHERE data = CAST('shared' AS BLOB)"), 3);

  auto r = boxes().expunge(inbox, {3, 2, 9, 2});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (uid_list{2, 3}));  // only those that existed, ascending
  EXPECT_EQ(uids(inbox), uid_list{1});
  EXPECT_EQ(query_int("SELECT count(*) FROM blobs"), 1);  // "alone" is gone
  EXPECT_EQ(query_int("SELECT refs FROM blobs"), 2);

  auto again = boxes().expunge(inbox, {2, 3});
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty());
  ASSERT_TRUE(boxes().expunge(inbox, {1}).ok());
  ASSERT_TRUE(boxes().expunge(sent, {1}).ok());
  EXPECT_EQ(query_int("SELECT count(*) FROM blobs"), 0);
  EXPECT_EQ(code_of(boxes().expunge(inbox + 1000, {1})), "NONEXISTENT");

  // UIDs are never reused (RFC 9051 2.3.1.1).
  EXPECT_EQ(append(alice_, inbox, "new").uid, 4u);
}

TEST_F(MailboxStoreTest, MessageIdsAreNeverReused) {
  mailbox_id inbox = id_of(alice_, "INBOX");
  append(alice_, inbox, "first");
  auto first = boxes().messages(inbox)[0];
  ASSERT_TRUE(boxes().expunge(inbox, {1}).ok());
  append(alice_, inbox, "second");
  auto second = boxes().messages(inbox)[0];
  EXPECT_GT(second.id, first.id);  // EMAILID material (RFC 8474)
  EXPECT_GT(second.blob_id, first.blob_id);
}

TEST_F(MailboxStoreTest, BusAnnouncesCommittedWrites) {
  mailbox_id inbox = id_of(alice_, "INBOX");
  mailbox_id sent = id_of(alice_, "Sent");
  std::mutex mu;
  std::vector<mailbox_id> seen;
  std::vector<std::int64_t> rows_at_notify;
  std::set<std::thread::id> threads;
  auto sub = boxes().changes().subscribe(alice_, [&](mailbox_id mb) {
    // Published after the commit: an independent connection sees the row.
    std::int64_t rows = query_int("SELECT count(*) FROM messages");
    std::lock_guard lock(mu);
    seen.push_back(mb);
    rows_at_notify.push_back(rows);
    threads.insert(std::this_thread::get_id());
  });
  int bob_calls = 0;
  auto bob_sub = boxes().changes().subscribe(bob_, [&](mailbox_id) { ++bob_calls; });

  ASSERT_TRUE(deliver("delivered\r\n", {alice_}).ok());
  append(alice_, sent, "appended");
  ASSERT_TRUE(boxes().store_flags(sent, {1}, flag_operation::add, {"\\Seen"}, 0).ok());
  ASSERT_TRUE(boxes().store_flags(sent, {1}, flag_operation::add, {"\\Seen"}, 0).ok());  // no-op
  ASSERT_TRUE(boxes().move(sent, {1}, inbox).ok());
  ASSERT_TRUE(boxes().expunge(inbox, {2}).ok());

  std::lock_guard lock(mu);
  EXPECT_EQ(seen, (std::vector<mailbox_id>{inbox, sent, sent, inbox, sent, inbox}));
  EXPECT_EQ(rows_at_notify[0], 1);
  EXPECT_EQ(rows_at_notify[1], 2);
  EXPECT_EQ(bob_calls, 0);
  EXPECT_EQ(threads.size(), 1u);  // the writer thread
  EXPECT_EQ(threads.count(std::this_thread::get_id()), 0u);
}

TEST_F(MailboxStoreTest, ConcurrentAppendsAllSucceedWithUniqueUids) {
  mailbox_id inbox = id_of(alice_, "INBOX");
  constexpr int threads = 8;
  constexpr int per_thread = 25;
  std::uint64_t batches_before = store_->write_batches();
  std::vector<std::thread> workers;
  std::vector<std::vector<std::uint32_t>> got(threads);
  std::atomic<int> failures{0};
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        auto r = boxes().append(alice_, inbox, numbered("t", t) + numbered(" m", i), {"\\Seen"}, 0);
        if (r.ok()) {
          got[t].push_back(r->uid);
        } else {
          ++failures;
        }
      }
    });
  }
  for (auto& w : workers) {
    w.join();
  }
  EXPECT_EQ(failures.load(), 0);
  std::set<std::uint32_t> all;
  for (const auto& g : got) {
    EXPECT_TRUE(std::is_sorted(g.begin(), g.end()));  // ascending per writer
    all.insert(g.begin(), g.end());
  }
  EXPECT_EQ(all.size(), static_cast<std::size_t>(threads * per_thread));
  EXPECT_EQ(*all.begin(), 1u);
  EXPECT_EQ(*all.rbegin(), static_cast<std::uint32_t>(threads * per_thread));
  EXPECT_EQ(uids(inbox).size(), static_cast<std::size_t>(threads * per_thread));
  // Group commit: concurrent appends shared transactions.
  EXPECT_LT(store_->write_batches() - batches_before,
            static_cast<std::uint64_t>(threads * per_thread));
}

}  // namespace
}  // namespace copper::store::test
