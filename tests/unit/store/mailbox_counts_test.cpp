// The per-mailbox counts behind STATUS and SELECT (messages, unseen,
// deleted, size, deleted size), kept on the mailbox row by migration 6's
// triggers: every write that adds, flags, copies, moves or removes messages
// keeps them equal to a full recount, and the migration backfills them.
#include <gtest/gtest.h>

#include <algorithm>

#include "mailbox_store_fixture.h"
#include "store/sqlite/connection.h"
#include "store/sqlite/migrations.h"

namespace copper::store::test {
namespace {

struct counts {
  std::int64_t messages = 0;
  std::int64_t unseen = 0;
  std::int64_t deleted = 0;
  std::int64_t size = 0;
  std::int64_t deleted_size = 0;
  bool operator==(const counts&) const = default;
};

std::ostream& operator<<(std::ostream& os, const counts& c) {
  return os << "{messages " << c.messages << ", unseen " << c.unseen << ", deleted " << c.deleted
            << ", size " << c.size << ", deleted_size " << c.deleted_size << "}";
}

counts of(const mailbox_info& mb) {
  return {mb.messages, mb.unseen, mb.deleted, static_cast<std::int64_t>(mb.size),
          static_cast<std::int64_t>(mb.deleted_size)};
}

class MailboxCountsTest : public MailboxStoreTest {
 protected:
  // What the counters must equal: the messages as they are, read from the
  // message rows and their flags through the interface.
  counts recount(mailbox_id mb) {
    counts c;
    for (const auto& m : boxes().messages(mb)) {
      bool seen = std::find(m.flags.begin(), m.flags.end(), "\\Seen") != m.flags.end();
      bool deleted = std::find(m.flags.begin(), m.flags.end(), "\\Deleted") != m.flags.end();
      c.messages += 1;
      c.unseen += seen ? 0 : 1;
      c.deleted += deleted ? 1 : 0;
      c.size += static_cast<std::int64_t>(m.size);
      c.deleted_size += deleted ? static_cast<std::int64_t>(m.size) : 0;
    }
    return c;
  }

  // find_mailbox and list_mailboxes agree with the recount and with `want`.
  void expect_counts(account_id account, const std::string& name, counts want) {
    auto found = mailbox(account, name);
    EXPECT_EQ(of(found), want) << name;
    EXPECT_EQ(of(found), recount(found.id)) << name;
    bool listed = false;
    for (const auto& mb : boxes().list_mailboxes(account)) {
      if (mb.name == name) {
        listed = true;
        EXPECT_EQ(of(mb), want) << name << " in LIST";
      }
    }
    EXPECT_TRUE(listed) << name;
  }

  void store(mailbox_id mb, std::vector<std::uint32_t> uids, flag_operation op,
             std::vector<std::string> flags) {
    auto r = boxes().store_flags(mb, uids, op, flags, 0);
    ASSERT_TRUE(r.ok()) << r.err().message;
  }
};

TEST_F(MailboxCountsTest, AppendAndStoreKeepTheCountsExact) {
  mailbox_id inbox = id_of(alice_, "INBOX");
  expect_counts(alice_, "INBOX", {});
  append(alice_, inbox, std::string(10, 'a'));
  append(alice_, inbox, std::string(20, 'b'), {"\\Seen"});
  append(alice_, inbox, std::string(30, 'c'), {"\\Deleted", "$Label"});
  expect_counts(alice_, "INBOX", {3, 2, 1, 60, 30});

  store(inbox, {1}, flag_operation::add, {"\\Seen", "\\Deleted"});
  expect_counts(alice_, "INBOX", {3, 1, 2, 60, 40});
  store(inbox, {1, 2, 3}, flag_operation::remove, {"\\Deleted"});
  expect_counts(alice_, "INBOX", {3, 1, 0, 60, 0});
  store(inbox, {1, 2, 3}, flag_operation::replace, {"\\Deleted", "\\Seen"});
  expect_counts(alice_, "INBOX", {3, 0, 3, 60, 60});
  store(inbox, {2}, flag_operation::replace, {});
  expect_counts(alice_, "INBOX", {3, 1, 2, 60, 40});

  std::vector<append_request> batch{{"xy", {"\\Seen"}, 1}, {"xyz", {}, 2}};
  ASSERT_TRUE(boxes().append_all(alice_, inbox, batch).ok());
  expect_counts(alice_, "INBOX", {5, 2, 2, 65, 40});
  expect_counts(bob_, "INBOX", {});
}

TEST_F(MailboxCountsTest, CopyMoveExpungeRenameDeleteAndDeliveryKeepTheCountsExact) {
  mailbox_id inbox = id_of(alice_, "INBOX");
  mailbox_id sent = id_of(alice_, "Sent");
  append(alice_, inbox, std::string(10, 'a'), {"\\Seen"});
  append(alice_, inbox, std::string(20, 'b'), {"\\Deleted"});
  append(alice_, inbox, std::string(30, 'c'));

  ASSERT_TRUE(boxes().copy(inbox, {1, 2}, sent).ok());
  expect_counts(alice_, "Sent", {2, 1, 1, 30, 20});
  expect_counts(alice_, "INBOX", {3, 2, 1, 60, 20});
  ASSERT_TRUE(boxes().move(inbox, {3}, sent).ok());
  expect_counts(alice_, "Sent", {3, 2, 1, 60, 20});
  expect_counts(alice_, "INBOX", {2, 1, 1, 30, 20});
  ASSERT_TRUE(boxes().move(sent, {1}, sent).ok());  // onto itself
  expect_counts(alice_, "Sent", {3, 2, 1, 60, 20});
  ASSERT_TRUE(boxes().expunge(inbox, {2, 999}).ok());
  expect_counts(alice_, "INBOX", {1, 0, 0, 10, 0});

  // RFC 9051 6.3.6: INBOX's messages move to the new name; INBOX is empty.
  ASSERT_TRUE(boxes().rename_mailbox(alice_, "INBOX", "Old").ok());
  expect_counts(alice_, "Old", {1, 0, 0, 10, 0});
  expect_counts(alice_, "INBOX", {});
  ASSERT_TRUE(boxes().rename_mailbox(alice_, "Sent", "Sent2").ok());
  expect_counts(alice_, "Sent2", {3, 2, 1, 60, 20});
  ASSERT_TRUE(boxes().delete_mailbox(alice_, "Sent2").ok());
  ASSERT_TRUE(boxes().create_mailbox(alice_, "Sent2", "").ok());
  expect_counts(alice_, "Sent2", {});

  ASSERT_TRUE(deliver("Subject: hi\r\n\r\nbody\r\n", {alice_, bob_}).ok());
  auto delivered = mailbox(alice_, "INBOX");
  EXPECT_EQ(delivered.messages, 1u);
  EXPECT_EQ(delivered.unseen, 1u);
  expect_counts(alice_, "INBOX", of(delivered));
  expect_counts(bob_, "INBOX", of(delivered));
}

// Migration 6 over a file as migration 5 left it: the counts are backfilled
// from the message rows, and kept from then on.
TEST(MailboxCountsMigration, BackfillsTheCounts) {
  copper::test::temp_dir dir;
  auto file = dir.path() / "copper.db";
  {
    sqlite::database db(file);
    sqlite::configure(db);
    sqlite::migrate(db, 5);
    db.exec(R"sql(
INSERT INTO domains(id, name) VALUES (1, 'example.org');
INSERT INTO accounts(id, address, domain_id, password_hash)
  VALUES (7, 'alice@example.org', 1, 'h');
INSERT INTO mailboxes(id, account_id, name, uidvalidity, uidnext)
  VALUES (3, 7, 'INBOX', 1, 4), (4, 7, 'Sent', 2, 2), (5, 7, 'Empty', 3, 1);
INSERT INTO blobs(id, sha256, size, refs, data) VALUES (5, x'00', 5, 3, CAST('hello' AS BLOB));
INSERT INTO messages(mailbox_id, uid, blob_id, size, internal_date, flags, modseq)
  VALUES (3, 1, 5, 5, 0, '\Seen', 2), (3, 3, 5, 300, 0, '\Deleted $x', 3),
         (4, 1, 5, 40, 0, '', 2);
)sql");
  }
  sqlite::sqlite_store store(dir.path());
  mailbox_store& boxes = store;
  auto inbox = boxes.find_mailbox(7, "INBOX");
  ASSERT_TRUE(inbox.has_value());
  EXPECT_EQ(of(*inbox), (counts{2, 1, 1, 305, 300}));
  EXPECT_EQ(of(*boxes.find_mailbox(7, "Sent")), (counts{1, 1, 0, 40, 0}));
  EXPECT_EQ(of(*boxes.find_mailbox(7, "Empty")), counts{});
  ASSERT_TRUE(boxes.expunge(3, {3}).ok());
  EXPECT_EQ(of(*boxes.find_mailbox(7, "INBOX")), (counts{1, 0, 0, 5, 0}));
}

}  // namespace
}  // namespace copper::store::test
