// The per-account usage counters behind quotas (RFC 9208 STORAGE and
// MESSAGE): every write that adds, copies, moves or removes messages keeps
// them equal to a full recount, migration 3 backfills them, and the
// message-count quota refuses like the byte quota. MULTIAPPEND's
// all-or-nothing append (RFC 3502) lives here too: it is a quota matter.
#include <gtest/gtest.h>

#include "mailbox_store_fixture.h"
#include "store/sqlite/connection.h"
#include "store/sqlite/migrations.h"

namespace copper::store::test {
namespace {

using uid_list = std::vector<std::uint32_t>;

class QuotaCounterTest : public MailboxStoreTest {
 protected:
  // What the counters must equal: the sum over every message row.
  quota_usage recount(account_id account) {
    quota_usage q;
    q.used_bytes = static_cast<std::uint64_t>(query_int(
        "SELECT coalesce(sum(m.size), 0) FROM messages m JOIN mailboxes b ON m.mailbox_id = b.id "
        "WHERE b.account_id = " +
        std::to_string(account)));
    q.used_messages = static_cast<std::uint64_t>(
        query_int("SELECT count(*) FROM messages m JOIN mailboxes b ON m.mailbox_id = b.id "
                  "WHERE b.account_id = " +
                  std::to_string(account)));
    return q;
  }

  void expect_exact(account_id account, std::uint64_t bytes, std::uint64_t messages) {
    auto q = boxes().quota(account);
    EXPECT_EQ(q.used_bytes, bytes);
    EXPECT_EQ(q.used_messages, messages);
    auto r = recount(account);
    EXPECT_EQ(q.used_bytes, r.used_bytes);
    EXPECT_EQ(q.used_messages, r.used_messages);
  }
};

TEST_F(QuotaCounterTest, AppendCopyMoveExpungeKeepTheCounterExact) {
  mailbox_id inbox = id_of(alice_, "INBOX");
  mailbox_id sent = id_of(alice_, "Sent");
  expect_exact(alice_, 0, 0);
  append(alice_, inbox, std::string(10, 'a'));
  append(alice_, inbox, std::string(20, 'b'));
  append(alice_, sent, std::string(5, 'c'));
  expect_exact(alice_, 35, 3);

  ASSERT_TRUE(boxes().copy(inbox, {1, 2}, sent).ok());  // a copy counts again
  expect_exact(alice_, 65, 5);
  ASSERT_TRUE(boxes().move(inbox, {1}, sent).ok());  // a move adds nothing
  expect_exact(alice_, 65, 5);
  ASSERT_TRUE(boxes().move(sent, {1}, sent).ok());  // onto itself: still nothing
  expect_exact(alice_, 65, 5);
  auto gone = boxes().expunge(sent, {2, 3, 999});
  ASSERT_TRUE(gone.ok());
  EXPECT_EQ(gone->size(), 2u);
  expect_exact(alice_, 65 - 10 - 20, 3);

  // Bob's account is untouched by all of it.
  expect_exact(bob_, 0, 0);
  append(bob_, id_of(bob_, "INBOX"), "bob");
  expect_exact(bob_, 3, 1);
  expect_exact(alice_, 35, 3);
}

TEST_F(QuotaCounterTest, DeleteRenameInboxAndDeliveryKeepTheCounterExact) {
  mailbox_id inbox = id_of(alice_, "INBOX");
  ASSERT_TRUE(boxes().create_mailbox(alice_, "Lists", "").ok());
  append(alice_, id_of(alice_, "Lists"), std::string(7, 'l'));
  append(alice_, inbox, std::string(11, 'i'));
  expect_exact(alice_, 18, 2);
  ASSERT_TRUE(boxes().rename_mailbox(alice_, "INBOX", "Old").ok());  // messages move along
  expect_exact(alice_, 18, 2);
  ASSERT_TRUE(boxes().delete_mailbox(alice_, "Lists").ok());
  expect_exact(alice_, 11, 1);

  // A delivery to two accounts counts once in each.
  delivery_request req;
  req.data = "delivered";
  req.local_accounts = {alice_, bob_};
  std::promise<result<void>> done;
  store_->submit_delivery(std::move(req), [&](result<void> r) { done.set_value(std::move(r)); });
  ASSERT_TRUE(done.get_future().get().ok());
  expect_exact(alice_, 20, 2);
  expect_exact(bob_, 9, 1);
  EXPECT_EQ(store_->account_usage(alice_), 20u);
}

TEST_F(QuotaCounterTest, MessageCountQuotaRefusesAppendAndCopy) {
  account_id carol = add_account("carol@example.org");
  ASSERT_TRUE(store_->set_message_quota("carol@example.org", 2).ok());
  EXPECT_EQ(store_->find_account("carol@example.org")->quota_messages, 2u);
  mailbox_id inbox = id_of(carol, "INBOX");
  mailbox_id sent = id_of(carol, "Sent");
  append(carol, inbox, "one");
  EXPECT_TRUE(store_->check_quota(carol, 1, 1).ok());
  EXPECT_EQ(code_of(store_->check_quota(carol, 1, 2)), "OVERQUOTA");
  append(carol, inbox, "two");
  EXPECT_EQ(code_of(store_->check_quota(carol, 1, 1)), "OVERQUOTA");
  EXPECT_EQ(code_of(boxes().append(carol, inbox, "three", {}, 0)), "OVERQUOTA");
  EXPECT_EQ(code_of(boxes().copy(inbox, {1}, sent)), "OVERQUOTA");
  ASSERT_TRUE(boxes().move(inbox, {1}, sent).ok());
  auto q = boxes().quota(carol);
  EXPECT_EQ(q.quota_messages, 2u);
  EXPECT_EQ(q.used_messages, 2u);
  ASSERT_TRUE(boxes().expunge(sent, {1}).ok());
  append(carol, inbox, "three");
  ASSERT_TRUE(store_->set_message_quota("carol@example.org", 0).ok());  // 0 = unlimited
  append(carol, inbox, "four");
  EXPECT_FALSE(store_->set_message_quota("nobody@example.org", 1).ok());
}

TEST_F(QuotaCounterTest, AppendAllIsAllOrNothing) {
  account_id carol = add_account("carol@example.org", 100);
  mailbox_id inbox = id_of(carol, "INBOX");
  std::string a(40, 'a');
  std::string b(50, 'b');
  std::string c(20, 'c');
  std::vector<append_request> fits{{a, {"\\Seen"}, 1}, {b, {}, 2}};
  auto r = boxes().append_all(carol, inbox, fits);
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_EQ(r->uids, uid_list({1, 2}));
  EXPECT_EQ(r->uidvalidity, mailbox(carol, "INBOX").uidvalidity);
  auto msgs = boxes().messages(inbox);
  ASSERT_EQ(msgs.size(), 2u);
  EXPECT_EQ(msgs[0].flags, std::vector<std::string>{"\\Seen"});
  EXPECT_EQ(msgs[1].internal_date, 2);
  EXPECT_EQ(msgs[0].modseq, msgs[1].modseq);

  // The second message takes the account past its quota: neither is stored.
  ASSERT_TRUE(boxes().expunge(inbox, {2}).ok());
  std::vector<append_request> over{{c, {}, 3}, {b, {}, 4}};
  EXPECT_EQ(code_of(boxes().append_all(carol, inbox, over)), "OVERQUOTA");
  EXPECT_EQ(uids(inbox), uid_list{1});
  EXPECT_EQ(mailbox(carol, "INBOX").uidnext, 3u);
  expect_exact(carol, 40, 1);
  // A bad flag in any message refuses all of them before anything is written.
  std::vector<append_request> bad{{c, {}, 3}, {c, {"\\Bogus"}, 4}};
  EXPECT_FALSE(boxes().append_all(carol, inbox, bad).ok());
  EXPECT_EQ(uids(inbox), uid_list{1});
}

// Migrations 3 and 4 over a file as migration 2 left it: counters
// backfilled from the messages, message quota unlimited, counters kept from
// then on, subscriptions moved to their own table.
TEST(QuotaMigration, BackfillsTheCountersAndSubscriptions) {
  copper::test::temp_dir dir;
  auto file = dir.path() / "copper.db";
  {
    sqlite::database db(file);
    sqlite::configure(db);
    sqlite::migrate(db, 2);
    db.exec(R"sql(
INSERT INTO domains(id, name) VALUES (1, 'example.org');
INSERT INTO accounts(id, address, domain_id, password_hash, quota_bytes)
  VALUES (7, 'alice@example.org', 1, 'h', 1000), (8, 'bob@example.org', 1, 'h', 0);
INSERT INTO mailboxes(id, account_id, name, uidvalidity, uidnext, subscribed)
  VALUES (3, 7, 'INBOX', 1, 4, 1), (4, 7, 'Sent', 2, 2, 0), (5, 8, 'INBOX', 3, 1, 1);
INSERT INTO blobs(id, sha256, size, refs, data) VALUES (5, x'00', 5, 3, CAST('hello' AS BLOB));
INSERT INTO messages(mailbox_id, uid, blob_id, size, internal_date, modseq)
  VALUES (3, 1, 5, 5, 0, 2), (3, 3, 5, 300, 0, 3), (4, 1, 5, 40, 0, 2);
)sql");
  }
  sqlite::sqlite_store store(dir.path());
  mailbox_store& boxes = store;
  auto alice = boxes.quota(7);
  EXPECT_EQ(alice.used_bytes, 345u);
  EXPECT_EQ(alice.used_messages, 3u);
  EXPECT_EQ(alice.quota_bytes, 1000u);
  EXPECT_EQ(alice.quota_messages, 0u);
  auto bob = boxes.quota(8);
  EXPECT_EQ(bob.used_bytes, 0u);
  EXPECT_EQ(bob.used_messages, 0u);
  ASSERT_TRUE(boxes.expunge(3, {3}).ok());
  EXPECT_EQ(boxes.quota(7).used_bytes, 45u);
  EXPECT_EQ(boxes.quota(7).used_messages, 2u);
  // Migration 4 carries the subscriptions over from the mailbox rows.
  EXPECT_EQ(boxes.subscriptions(7), std::vector<std::string>{"INBOX"});
  EXPECT_EQ(boxes.subscriptions(8), std::vector<std::string>{"INBOX"});
  EXPECT_FALSE(boxes.find_mailbox(7, "Sent")->subscribed);
}

}  // namespace
}  // namespace copper::store::test
