// sqlite_store against a real SQLite file in a temporary directory: schema
// migration, management of domains, accounts and aliases, and the group-commit
// delivery path (blobs stored once, UIDs, outbound queue).
#include "store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>

#include <future>
#include <memory>
#include <string>

#include "store/sqlite/db.h"
#include "store/sqlite/migrations.h"
#include "temp_dir.h"

namespace copper::store::sqlite {
namespace {

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { open(); }

  void open() { store_ = std::make_unique<sqlite_store>(dir_.path()); }
  void close() { store_.reset(); }

  std::filesystem::path db_file() const { return dir_.path() / "copper.db"; }

  // Reads one integer through a second, independent connection: what is
  // committed, not what the store's connection happens to see.
  std::int64_t query_int(const std::string& sql) {
    database db(db_file());
    auto st = db.prepare(sql);
    EXPECT_TRUE(st.step()) << sql;
    return st.int64(0);
  }

  std::string query_text(const std::string& sql) {
    database db(db_file());
    auto st = db.prepare(sql);
    EXPECT_TRUE(st.step()) << sql;
    return st.text(0);
  }

  // Submits one delivery and waits for its commit.
  result<void> deliver(delivery_request req) {
    std::promise<result<void>> done;
    auto future = done.get_future();
    store_->submit_delivery(std::move(req),
                            [&done](result<void> r) { done.set_value(std::move(r)); });
    store_->flush();
    return future.get();
  }

  account_id add_account(const std::string& address) {
    auto id = store_->add_account(address, "$y$hash", 0);
    EXPECT_TRUE(id.ok()) << address << ": " << (id.ok() ? "" : id.err().message);
    return id.ok() ? *id : 0;
  }

  static delivery_request message(std::string data, std::vector<account_id> local,
                                  std::vector<outbound_recipient> remote = {}) {
    delivery_request r;
    r.data = std::move(data);
    r.local_accounts = std::move(local);
    r.remote = std::move(remote);
    r.sender = "sender@example.net";
    r.received_at = 1700000000;
    return r;
  }

  std::vector<std::uint32_t> inbox_uids(account_id id) {
    std::vector<std::uint32_t> uids;
    for (const auto& m : store_->list_messages(id, "INBOX")) {
      uids.push_back(m.uid);
    }
    return uids;
  }

  test::temp_dir dir_;  // declared first: outlives the store
  std::unique_ptr<sqlite_store> store_;
};

// --- Schema ------------------------------------------------------------------

TEST_F(SqliteStoreTest, FreshFileIsMigratedToTheCurrentSchema) {
  EXPECT_TRUE(std::filesystem::exists(db_file()));
  EXPECT_GE(schema_version(), 1);
  EXPECT_EQ(query_int("PRAGMA user_version"), schema_version());
  for (const char* table : {"domains", "accounts", "aliases", "mailboxes", "blobs", "messages",
                            "queue", "queue_recipients"}) {
    EXPECT_EQ(query_int(std::string("SELECT count(*) FROM sqlite_master WHERE type = 'table' "
                                    "AND name = '") +
                        table + "'"),
              1)
        << table;
  }
  // WAL, so that readers do not block the delivery writer.
  EXPECT_EQ(query_text("PRAGMA journal_mode"), "wal");
}

TEST_F(SqliteStoreTest, ReopenKeepsDataAndDoesNotMigrateAgain) {
  ASSERT_TRUE(store_->add_domain("example.org").ok());
  account_id alice = add_account("alice@example.org");
  ASSERT_TRUE(store_->add_alias("sales@example.org", "alice@example.org").ok());
  ASSERT_TRUE(deliver(message("Subject: kept\r\n\r\nbody\r\n", {alice})).ok());
  close();

  open();  // would fail with "table domains already exists" if it migrated again
  EXPECT_EQ(query_int("PRAGMA user_version"), schema_version());
  EXPECT_EQ(store_->list_domains(), std::vector<std::string>{"example.org"});
  auto acct = store_->find_account("alice@example.org");
  ASSERT_TRUE(acct.has_value());
  EXPECT_EQ(acct->id, alice);
  EXPECT_EQ(store_->alias_targets("sales@example.org"),
            std::vector<std::string>{"alice@example.org"});
  auto msgs = store_->list_messages(alice, "INBOX");
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(store_->read_message(msgs[0].id), "Subject: kept\r\n\r\nbody\r\n");

  // UIDs continue where they were.
  ASSERT_TRUE(deliver(message("second\r\n", {alice})).ok());
  EXPECT_EQ(inbox_uids(alice), (std::vector<std::uint32_t>{1, 2}));
}

TEST_F(SqliteStoreTest, StoreFromANewerVersionIsRefused) {
  close();
  {
    database db(db_file());
    db.exec(("PRAGMA user_version = " + std::to_string(schema_version() + 1)).c_str());
  }
  try {
    sqlite_store s(dir_.path());
    FAIL() << "opened a store with a newer schema";
  } catch (const db_error& e) {
    EXPECT_NE(std::string(e.what()).find("newer"), std::string::npos) << e.what();
  }
}

TEST_F(SqliteStoreTest, MissingDirectoryThrows) {
  EXPECT_THROW(sqlite_store(dir_.path() / "does" / "not" / "exist"), db_error);
}

// --- Domains -----------------------------------------------------------------

TEST_F(SqliteStoreTest, Domains) {
  EXPECT_FALSE(store_->has_domain("example.org"));
  ASSERT_TRUE(store_->add_domain("example.org").ok());
  ASSERT_TRUE(store_->add_domain("b.example").ok());
  EXPECT_TRUE(store_->has_domain("example.org"));
  EXPECT_EQ(store_->list_domains(), (std::vector<std::string>{"b.example", "example.org"}));

  auto dup = store_->add_domain("example.org");
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.err().message.find("already exists"), std::string::npos) << dup.err().message;

  auto unknown = store_->remove_domain("nope.example");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.err().message.find("nope.example"), std::string::npos);

  ASSERT_TRUE(store_->remove_domain("b.example").ok());
  EXPECT_FALSE(store_->has_domain("b.example"));
}

TEST_F(SqliteStoreTest, DomainWithUsersCannotBeRemoved) {
  ASSERT_TRUE(store_->add_domain("example.org").ok());
  add_account("alice@example.org");
  ASSERT_TRUE(store_->add_alias("sales@example.org", "alice@example.org").ok());

  auto r = store_->remove_domain("example.org");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.err().message.find("1 user"), std::string::npos) << r.err().message;
  EXPECT_TRUE(store_->has_domain("example.org"));

  ASSERT_TRUE(store_->remove_account("alice@example.org").ok());
  ASSERT_TRUE(store_->remove_domain("example.org").ok());
  EXPECT_TRUE(store_->list_aliases("").empty());
}

// --- Accounts ----------------------------------------------------------------

TEST_F(SqliteStoreTest, Accounts) {
  ASSERT_TRUE(store_->add_domain("example.org").ok());
  ASSERT_TRUE(store_->add_domain("b.example").ok());
  auto id = store_->add_account("alice@example.org", "$y$abc", 1000);
  ASSERT_TRUE(id.ok());
  add_account("bob@b.example");

  auto acct = store_->find_account("alice@example.org");
  ASSERT_TRUE(acct.has_value());
  EXPECT_EQ(acct->id, *id);
  EXPECT_EQ(acct->address, "alice@example.org");
  EXPECT_EQ(acct->password_hash, "$y$abc");
  EXPECT_EQ(acct->quota_bytes, 1000u);
  EXPECT_FALSE(acct->disabled);
  EXPECT_FALSE(store_->find_account("nobody@example.org").has_value());

  EXPECT_EQ(store_->list_accounts("").size(), 2u);
  auto only = store_->list_accounts("b.example");
  ASSERT_EQ(only.size(), 1u);
  EXPECT_EQ(only[0].address, "bob@b.example");
  EXPECT_EQ(only[0].password_hash, "");  // listings never carry hashes

  ASSERT_TRUE(store_->set_quota("alice@example.org", 5).ok());
  ASSERT_TRUE(store_->set_password_hash("alice@example.org", "$y$new").ok());
  acct = store_->find_account("alice@example.org");
  EXPECT_EQ(acct->quota_bytes, 5u);
  EXPECT_EQ(acct->password_hash, "$y$new");

  EXPECT_FALSE(store_->set_quota("nobody@example.org", 5).ok());
  EXPECT_FALSE(store_->set_password_hash("nobody@example.org", "x").ok());
  EXPECT_FALSE(store_->remove_account("nobody@example.org").ok());
}

TEST_F(SqliteStoreTest, AccountErrors) {
  auto unknown = store_->add_account("alice@example.org", "h", 0);
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.err().message.find("unknown domain example.org"), std::string::npos)
      << unknown.err().message;

  ASSERT_TRUE(store_->add_domain("example.org").ok());
  add_account("alice@example.org");
  auto dup = store_->add_account("alice@example.org", "h", 0);
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.err().message.find("already exists"), std::string::npos) << dup.err().message;
  // The failed insert left nothing behind.
  EXPECT_EQ(query_int("SELECT count(*) FROM accounts"), 1);
  EXPECT_EQ(query_int("SELECT count(*) FROM mailboxes"), 6);
}

// RFC 6154 special-use mailboxes for every new account.
TEST_F(SqliteStoreTest, NewAccountsGetTheDefaultMailboxes) {
  ASSERT_TRUE(store_->add_domain("example.org").ok());
  account_id alice = add_account("alice@example.org");
  std::vector<std::string> names;
  for (const auto& mb : store_->list_mailboxes(alice)) {
    names.push_back(mb.name);
  }
  // INBOX first, then by name.
  EXPECT_EQ(names,
            (std::vector<std::string>{"INBOX", "Archive", "Drafts", "Junk", "Sent", "Trash"}));
  EXPECT_EQ(query_text("SELECT special_use FROM mailboxes WHERE name = 'Sent'"), "\\Sent");
  EXPECT_TRUE(store_->list_messages(alice, "INBOX").empty());
}

// --- Aliases -----------------------------------------------------------------

TEST_F(SqliteStoreTest, Aliases) {
  ASSERT_TRUE(store_->add_domain("example.org").ok());
  ASSERT_TRUE(store_->add_alias("sales@example.org", "bob@example.org").ok());
  ASSERT_TRUE(store_->add_alias("sales@example.org", "alice@example.org").ok());
  ASSERT_TRUE(store_->add_alias("info@example.org", "alice@example.org").ok());
  ASSERT_TRUE(store_->add_alias("@example.org", "catch@example.net").ok());

  EXPECT_EQ(store_->alias_targets("sales@example.org"),
            (std::vector<std::string>{"alice@example.org", "bob@example.org"}));
  EXPECT_EQ(store_->aliases_of("alice@example.org"),
            (std::vector<std::string>{"info@example.org", "sales@example.org"}));
  EXPECT_EQ(store_->list_aliases("example.org").size(), 4u);
  EXPECT_TRUE(store_->list_aliases("other.example").empty());

  auto dup = store_->add_alias("sales@example.org", "bob@example.org");
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.err().message.find("already exists"), std::string::npos);

  auto unknown = store_->add_alias("x@nope.example", "bob@example.org");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.err().message.find("unknown domain"), std::string::npos);

  ASSERT_TRUE(store_->remove_alias("sales@example.org", "bob@example.org").ok());
  EXPECT_EQ(store_->alias_targets("sales@example.org"),
            std::vector<std::string>{"alice@example.org"});
  EXPECT_FALSE(store_->remove_alias("sales@example.org", "bob@example.org").ok());
  ASSERT_TRUE(store_->remove_alias("sales@example.org", "").ok());  // every target
  EXPECT_TRUE(store_->alias_targets("sales@example.org").empty());
  EXPECT_FALSE(store_->remove_alias("sales@example.org", "").ok());
}

TEST_F(SqliteStoreTest, RemovingAnAccountRemovesAliasesToIt) {
  ASSERT_TRUE(store_->add_domain("example.org").ok());
  add_account("alice@example.org");
  ASSERT_TRUE(store_->add_alias("sales@example.org", "alice@example.org").ok());
  ASSERT_TRUE(store_->add_alias("sales@example.org", "bob@example.net").ok());
  ASSERT_TRUE(store_->remove_account("alice@example.org").ok());
  EXPECT_EQ(store_->alias_targets("sales@example.org"),
            std::vector<std::string>{"bob@example.net"});
}

// --- Deliveries ----------------------------------------------------------------

TEST_F(SqliteStoreTest, MessageIsStoredOnceForSeveralAccounts) {
  ASSERT_TRUE(store_->add_domain("example.org").ok());
  account_id alice = add_account("alice@example.org");
  account_id bob = add_account("bob@example.org");
  account_id carol = add_account("carol@example.org");
  const std::string data = "Subject: to three\r\n\r\nhello\r\n";

  ASSERT_TRUE(deliver(message(data, {alice, bob, carol})).ok());

  EXPECT_EQ(query_int("SELECT count(*) FROM blobs"), 1);
  EXPECT_EQ(query_int("SELECT refs FROM blobs"), 3);
  EXPECT_EQ(query_int("SELECT size FROM blobs"), static_cast<std::int64_t>(data.size()));
  EXPECT_EQ(query_int("SELECT count(*) FROM messages"), 3);
  for (account_id a : {alice, bob, carol}) {
    auto msgs = store_->list_messages(a, "INBOX");
    ASSERT_EQ(msgs.size(), 1u);
    EXPECT_EQ(msgs[0].uid, 1u);
    EXPECT_EQ(msgs[0].size, data.size());
    EXPECT_EQ(msgs[0].internal_date, 1700000000);
    EXPECT_EQ(store_->read_message(msgs[0].id), data);
    EXPECT_EQ(store_->account_usage(a), data.size());
  }
  EXPECT_TRUE(store_->list_messages(alice, "Sent").empty());
  EXPECT_TRUE(store_->list_queue().empty());
}

TEST_F(SqliteStoreTest, UidsIncreasePerMailbox) {
  ASSERT_TRUE(store_->add_domain("example.org").ok());
  account_id alice = add_account("alice@example.org");
  account_id bob = add_account("bob@example.org");

  ASSERT_TRUE(deliver(message("one\r\n", {alice, bob})).ok());
  ASSERT_TRUE(deliver(message("two\r\n", {alice})).ok());
  ASSERT_TRUE(deliver(message("three\r\n", {alice})).ok());
  ASSERT_TRUE(deliver(message("four\r\n", {bob})).ok());

  EXPECT_EQ(inbox_uids(alice), (std::vector<std::uint32_t>{1, 2, 3}));
  EXPECT_EQ(inbox_uids(bob), (std::vector<std::uint32_t>{1, 2}));
  auto bobs = store_->list_messages(bob, "INBOX");
  EXPECT_EQ(store_->read_message(bobs[1].id), "four\r\n");
  EXPECT_EQ(query_int("SELECT uidnext FROM mailboxes WHERE account_id = " + std::to_string(alice) +
                      " AND name = 'INBOX'"),
            4);
  EXPECT_EQ(store_->account_usage(alice), 5u + 5u + 7u);
}

// Identical content shares one blob across deliveries too.
TEST_F(SqliteStoreTest, IdenticalMessagesShareABlob) {
  ASSERT_TRUE(store_->add_domain("example.org").ok());
  account_id alice = add_account("alice@example.org");
  ASSERT_TRUE(deliver(message("same\r\n", {alice})).ok());
  ASSERT_TRUE(deliver(message("same\r\n", {alice})).ok());
  EXPECT_EQ(query_int("SELECT count(*) FROM blobs"), 1);
  EXPECT_EQ(query_int("SELECT refs FROM blobs"), 2);
  EXPECT_EQ(inbox_uids(alice), (std::vector<std::uint32_t>{1, 2}));
}

TEST_F(SqliteStoreTest, RemoteRecipientsAreQueued) {
  ASSERT_TRUE(store_->add_domain("example.org").ok());
  account_id alice = add_account("alice@example.org");
  const std::string data = "Subject: mixed\r\n\r\nbody\r\n";
  auto req = message(data, {alice},
                     {{"x@remote.example", "SUCCESS,FAILURE", "rfc822;x@remote.example"},
                      {"y@other.example", "", ""}});
  req.envid = "ENV1";
  req.ret = "HDRS";
  ASSERT_TRUE(deliver(std::move(req)).ok());

  // One blob for the local copy and the queue entry.
  EXPECT_EQ(query_int("SELECT count(*) FROM blobs"), 1);
  EXPECT_EQ(query_int("SELECT refs FROM blobs"), 2);

  auto queue = store_->list_queue();
  ASSERT_EQ(queue.size(), 1u);
  const queued_message& q = queue[0];
  EXPECT_EQ(q.sender, "sender@example.net");
  EXPECT_EQ(q.recipients, (std::vector<std::string>{"x@remote.example", "y@other.example"}));
  EXPECT_EQ(q.size, data.size());
  EXPECT_EQ(q.created, 1700000000);
  EXPECT_EQ(q.attempts, 0u);
  EXPECT_EQ(query_text("SELECT notify FROM queue_recipients WHERE address = 'x@remote.example'"),
            "SUCCESS,FAILURE");
  EXPECT_EQ(query_text("SELECT orcpt FROM queue_recipients WHERE address = 'x@remote.example'"),
            "rfc822;x@remote.example");
  EXPECT_EQ(query_text("SELECT envid FROM queue"), "ENV1");
  EXPECT_EQ(query_text("SELECT ret FROM queue"), "HDRS");

  ASSERT_TRUE(store_->retry_all_now().ok());
  EXPECT_GT(store_->list_queue()[0].next_attempt, 1700000000);

  ASSERT_TRUE(store_->remove_queued(q.id).ok());
  EXPECT_TRUE(store_->list_queue().empty());
  EXPECT_EQ(query_int("SELECT count(*) FROM queue_recipients"), 0);
  EXPECT_EQ(query_int("SELECT refs FROM blobs"), 1);  // alice's copy remains
  EXPECT_EQ(store_->read_message(store_->list_messages(alice, "INBOX")[0].id), data);

  auto again = store_->remove_queued(q.id);
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.err().message.find("no such queue entry"), std::string::npos);
}

TEST_F(SqliteStoreTest, RemoteOnlyMessageIsDroppedWithItsQueueEntry) {
  ASSERT_TRUE(deliver(message("remote only\r\n", {}, {{"x@remote.example", "", ""}})).ok());
  auto queue = store_->list_queue();
  ASSERT_EQ(queue.size(), 1u);
  EXPECT_EQ(query_int("SELECT refs FROM blobs"), 1);
  ASSERT_TRUE(store_->remove_queued(queue[0].id).ok());
  EXPECT_EQ(query_int("SELECT count(*) FROM blobs"), 0);
}

TEST_F(SqliteStoreTest, RemovingAnAccountReleasesItsBlobs) {
  ASSERT_TRUE(store_->add_domain("example.org").ok());
  account_id alice = add_account("alice@example.org");
  account_id bob = add_account("bob@example.org");
  ASSERT_TRUE(deliver(message("shared\r\n", {alice, bob})).ok());
  ASSERT_TRUE(deliver(message("alice only\r\n", {alice})).ok());

  ASSERT_TRUE(store_->remove_account("alice@example.org").ok());
  EXPECT_EQ(query_int("SELECT count(*) FROM blobs"), 1);
  EXPECT_EQ(query_int("SELECT refs FROM blobs"), 1);
  EXPECT_EQ(query_int("SELECT count(*) FROM messages"), 1);
  EXPECT_EQ(query_int("SELECT count(*) FROM mailboxes"), 6);
  EXPECT_EQ(store_->read_message(store_->list_messages(bob, "INBOX")[0].id), "shared\r\n");
}

// A delivery that cannot be applied fails alone; the batch's others commit.
TEST_F(SqliteStoreTest, FailedDeliveryDoesNotAffectOthers) {
  ASSERT_TRUE(store_->add_domain("example.org").ok());
  account_id alice = add_account("alice@example.org");

  std::promise<result<void>> bad_done;
  std::promise<result<void>> good_done;
  store_->submit_delivery(message("to nobody\r\n", {alice + 1000}),
                          [&](result<void> r) { bad_done.set_value(std::move(r)); });
  store_->submit_delivery(message("to alice\r\n", {alice}),
                          [&](result<void> r) { good_done.set_value(std::move(r)); });
  store_->flush();
  EXPECT_FALSE(bad_done.get_future().get().ok());
  EXPECT_TRUE(good_done.get_future().get().ok());
  EXPECT_EQ(inbox_uids(alice), std::vector<std::uint32_t>{1});
  EXPECT_EQ(query_int("SELECT count(*) FROM blobs"), 1);  // the failed one left nothing
}

TEST_F(SqliteStoreTest, ManyConcurrentDeliveriesAllCommit) {
  ASSERT_TRUE(store_->add_domain("example.org").ok());
  account_id alice = add_account("alice@example.org");
  constexpr int n = 50;
  std::vector<std::promise<result<void>>> done(n);
  for (int i = 0; i < n; ++i) {
    store_->submit_delivery(message("message " + std::to_string(i) + "\r\n", {alice}),
                            [&done, i](result<void> r) { done[i].set_value(std::move(r)); });
  }
  store_->flush();
  for (auto& d : done) {
    EXPECT_TRUE(d.get_future().get().ok());
  }
  auto msgs = store_->list_messages(alice, "INBOX");
  ASSERT_EQ(msgs.size(), static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    EXPECT_EQ(msgs[i].uid, static_cast<std::uint32_t>(i + 1));
    // Submission order is commit order.
    EXPECT_EQ(store_->read_message(msgs[i].id), "message " + std::to_string(i) + "\r\n");
  }
}

// Closing the store commits what was submitted.
TEST_F(SqliteStoreTest, CloseCommitsPendingDeliveries) {
  ASSERT_TRUE(store_->add_domain("example.org").ok());
  account_id alice = add_account("alice@example.org");
  for (int i = 0; i < 5; ++i) {
    store_->submit_delivery(message("m" + std::to_string(i) + "\r\n", {alice}),
                            [](result<void> r) { EXPECT_TRUE(r.ok()); });
  }
  close();
  open();
  EXPECT_EQ(store_->list_messages(alice, "INBOX").size(), 5u);
}

}  // namespace
}  // namespace copper::store::sqlite
