// Migration 2 (the mailbox model) over a file as release 1 left it: tables
// rebuilt with their rows and ids, foreign keys intact, UIDVALIDITY counter
// seeded, and the data readable and writable through mailbox_store.
// Migration 3 (summaries, search index, EMAILID/THREADID) over a schema 2
// file: ids seeded, existing messages summarised and indexed on open.
#include <gtest/gtest.h>

#include "mime/casefold.h"
#include "store/sqlite/connection.h"
#include "store/sqlite/db.h"
#include "store/sqlite/migrations.h"
#include "store/sqlite/sqlite_store.h"
#include "temp_dir.h"

namespace copper::store::sqlite {
namespace {

std::int64_t query_int(database& db, const std::string& sql) {
  auto st = db.prepare(sql);
  EXPECT_TRUE(st.step()) << sql;
  return st.int64(0);
}

TEST(Migration, SchemaOneFileIsCarriedForward) {
  copper::test::temp_dir dir;
  auto file = dir.path() / "copper.db";
  {
    database db(file);
    configure(db);
    migrate(db, 1);
    ASSERT_EQ(query_int(db, "PRAGMA user_version"), 1);
    db.exec(R"sql(
INSERT INTO domains(id, name) VALUES (1, 'example.org');
INSERT INTO accounts(id, address, domain_id, password_hash) VALUES (7, 'alice@example.org', 1, 'h');
INSERT INTO mailboxes(id, account_id, name, special_use, uidvalidity, uidnext, highestmodseq)
  VALUES (3, 7, 'INBOX', '', 1690000000, 4, 9), (4, 7, 'Sent', '\Sent', 1690000000, 1, 1);
INSERT INTO blobs(id, sha256, size, refs, data) VALUES (5, x'00', 5, 2, CAST('hello' AS BLOB));
INSERT INTO messages(id, mailbox_id, uid, blob_id, size, internal_date, flags, modseq)
  VALUES (10, 3, 1, 5, 5, 1690000000, '', 2), (12, 3, 3, 5, 5, 1690000001, '\Seen', 9);
INSERT INTO queue(id, sender, blob_id, created, next_attempt) VALUES (1, 's@x', 5, 0, 0);
)sql");
  }

  sqlite_store store(dir.path());
  mailbox_store& boxes = store;
  {
    database db(file);
    EXPECT_EQ(query_int(db, "PRAGMA user_version"), schema_version());
    EXPECT_EQ(query_int(db, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
    EXPECT_EQ(query_int(db, "SELECT last_uidvalidity FROM accounts WHERE id = 7"), 1690000000);
    EXPECT_EQ(query_int(db, "SELECT count(*) FROM sqlite_master WHERE name = 'expunged'"), 1);
    EXPECT_EQ(query_int(db, "SELECT count(*) FROM sqlite_master WHERE name = 'messages_modseq'"),
              1);
    EXPECT_EQ(query_int(db, "SELECT count(*) FROM queue"), 1);
  }
  auto inbox = boxes.find_mailbox(7, "INBOX");
  ASSERT_TRUE(inbox.has_value());
  EXPECT_EQ(inbox->id, 3);
  EXPECT_EQ(inbox->uidnext, 4u);
  EXPECT_EQ(inbox->highestmodseq, 9u);
  EXPECT_EQ(inbox->unseen, 1u);
  auto msgs = boxes.messages(3);
  ASSERT_EQ(msgs.size(), 2u);
  EXPECT_EQ(msgs[1].id, 12);
  EXPECT_EQ(msgs[1].flags, std::vector<std::string>{"\\Seen"});
  EXPECT_EQ(boxes.read_blob(msgs[0].blob_id), "hello");

  // Ids are not handed out again from here on (AUTOINCREMENT).
  ASSERT_TRUE(boxes.expunge(3, {3}).ok());
  auto appended = boxes.append(7, 3, "new", {}, 0);
  ASSERT_TRUE(appended.ok());
  EXPECT_EQ(appended->uid, 4u);
  EXPECT_GT(boxes.messages(3).back().id, 12);
  // A new mailbox gets a UIDVALIDITY above the migrated ones.
  ASSERT_TRUE(boxes.delete_mailbox(7, "Sent").ok());
  ASSERT_TRUE(boxes.create_mailbox(7, "Sent", "\\Sent").ok());
  EXPECT_GT(boxes.find_mailbox(7, "Sent")->uidvalidity, 1690000000u);
  EXPECT_GT(boxes.find_mailbox(7, "Sent")->id, 4);
}

TEST(Migration, SchemaTwoMessagesAreIndexedOnOpen) {
  copper::test::temp_dir dir;
  auto file = dir.path() / "copper.db";
  const std::string raw =
      "Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\nMessage-ID: <old@x>\r\n\r\nVieux caf\xC3\xA9\r\n";
  {
    database db(file);
    configure(db);
    migrate(db, 2);
    db.exec(R"sql(
INSERT INTO domains(id, name) VALUES (1, 'example.org');
INSERT INTO accounts(id, address, domain_id, password_hash) VALUES (7, 'alice@example.org', 1, 'h');
INSERT INTO mailboxes(id, account_id, name, special_use, uidvalidity, uidnext, highestmodseq)
  VALUES (3, 7, 'INBOX', '', 1690000000, 3, 2);
)sql");
    db.prepare("INSERT INTO blobs(id, sha256, size, refs, data) VALUES (5, x'00', ?, 2, ?)")
        .bind(1, static_cast<std::int64_t>(raw.size()))
        .bind_blob(2, raw.data(), raw.size())
        .run();
    db.exec(R"sql(
INSERT INTO messages(id, mailbox_id, uid, blob_id, size, internal_date, flags, modseq)
  VALUES (10, 3, 1, 5, 50, 1690000000, '', 2), (11, 3, 2, 5, 50, 1690000000, '', 2);
)sql");
  }

  sqlite_store store(dir.path());
  mailbox_store& boxes = store;
  auto msgs = boxes.messages(3);
  ASSERT_EQ(msgs.size(), 2u);
  EXPECT_EQ(msgs[0].email_id, 10);
  EXPECT_EQ(msgs[0].thread_id, 10);
  EXPECT_EQ(msgs[1].email_id, 11);
  EXPECT_EQ(boxes.search_text(3, text_field::body, mime::casefold("CAF\xC3\x89")),
            (std::vector<std::uint32_t>{1, 2}));
  EXPECT_EQ(boxes.search_text(3, text_field::subject, mime::casefold("GR\xC3\x9CSSE")),
            (std::vector<std::uint32_t>{1, 2}));
  auto summary = boxes.read_summary(10);
  ASSERT_TRUE(summary.has_value());
  EXPECT_NE(summary->envelope.find("<old@x>"), std::string::npos) << summary->envelope;
  // A reply stored now joins the migrated message's thread.
  auto reply = boxes.append(7, 3, "In-Reply-To: <old@x>\r\n\r\nre\r\n", {}, 0);
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(boxes.messages(3).back().thread_id, 10);
}

}  // namespace
}  // namespace copper::store::sqlite
