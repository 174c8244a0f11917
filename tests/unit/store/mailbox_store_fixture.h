// A mailbox_store over a real SQLite file in a temporary directory, with a
// domain and two accounts, and helpers the mailbox_store tests share. Tests
// speak to the interface; the backend-specific checks (blob rows, batches)
// read the file through a second connection.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <future>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "store/mailbox_store.h"
#include "store/message_index.h"
#include "store/sqlite/db.h"
#include "store/sqlite/model.h"
#include "store/sqlite/sqlite_store.h"
#include "temp_dir.h"

namespace copper::store::test {

class MailboxStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    open();
    ASSERT_TRUE(store_->add_domain("example.org").ok());
    alice_ = add_account("alice@example.org");
    bob_ = add_account("bob@example.org");
  }

  void open() { store_ = std::make_unique<sqlite::sqlite_store>(dir_.path()); }
  void close() { store_.reset(); }

  mailbox_store& boxes() { return *store_; }

  account_id add_account(const std::string& address, std::uint64_t quota = 0) {
    auto id = store_->add_account(address, "$y$hash", quota);
    EXPECT_TRUE(id.ok()) << address;
    return id.ok() ? *id : 0;
  }

  std::filesystem::path db_file() const { return dir_.path() / "copper.db"; }

  // Rows of the full-text index (search.db) once the indexer has caught up.
  std::int64_t indexed_rows() {
    store_->wait_until_indexed();
    sqlite::database db(dir_.path() / "search.db");
    auto st = db.prepare("SELECT count(*) FROM search_text");
    EXPECT_TRUE(st.step());
    return st.int64(0);
  }

  // What is committed, through an independent connection.
  std::int64_t query_int(const std::string& sql) {
    sqlite::database db(db_file());
    auto st = db.prepare(sql);
    EXPECT_TRUE(st.step()) << sql;
    return st.int64(0);
  }

  mailbox_info mailbox(account_id account, const std::string& name) {
    auto mb = boxes().find_mailbox(account, name);
    EXPECT_TRUE(mb.has_value()) << name;
    return mb.value_or(mailbox_info{});
  }

  mailbox_id id_of(account_id account, const std::string& name) {
    return mailbox(account, name).id;
  }

  append_result append(account_id account, mailbox_id mb, const std::string& data,
                       const std::vector<std::string>& flags = {}, std::int64_t date = 1700000000) {
    auto r = boxes().append(account, mb, data, flags, date);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.err().message);
    return r.ok() ? *r : append_result{};
  }

  std::vector<std::uint32_t> uids(mailbox_id mb) {
    std::vector<std::uint32_t> out;
    for (const auto& m : boxes().messages(mb)) {
      out.push_back(m.uid);
    }
    return out;
  }

  const message_meta* find_uid(const std::vector<message_meta>& msgs, std::uint32_t uid) {
    for (const auto& m : msgs) {
      if (m.uid == uid) {
        return &m;
      }
    }
    return nullptr;
  }

  // Writes n messages into `inbox` straight through a second connection, as
  // an older Copper would have left them, in one transaction (5,000 appends
  // would take long). Message i has the subject "bulk i" and the body
  // "ordinary text number i"; every thousandth from the 8th adds "tangerine"
  // to the subject and "zanzibar" to the body. The indexer has not seen them.
  void write_bulk(mailbox_id inbox, int n) {
    sqlite::database db(db_file());
    sqlite::transaction tx(db);
    for (int i = 0; i < n; ++i) {
      std::string raw = "Subject: bulk " + std::to_string(i) + (i % 1000 == 7 ? " tangerine" : "") +
                        "\r\n\r\nordinary text number " + std::to_string(i) +
                        (i % 1000 == 7 ? " zanzibar" : "") + "\r\n";
      message_index idx = index_message(raw);
      auto digest = sqlite::sha256(raw);
      std::int64_t blob = sqlite::put_blob(db, raw, digest, 1);
      sqlite::put_blob_index(db, blob, idx);
      sqlite::new_message m;
      m.mailbox = inbox;
      m.uid = static_cast<std::uint32_t>(i + 1);
      m.blob = blob;
      m.size = raw.size();
      m.modseq = 1;
      sqlite::insert_message(db, m);
    }
    db.prepare("UPDATE mailboxes SET uidnext = ? WHERE id = ?").bind(1, n + 1).bind(2, inbox).run();
    tx.commit();
  }

  result<void> deliver(const std::string& data, std::vector<account_id> local) {
    delivery_request r;
    r.data = data;
    r.local_accounts = std::move(local);
    r.sender = "sender@example.net";
    r.received_at = 1700000000;
    std::promise<result<void>> done;
    auto future = done.get_future();
    store_->submit_delivery(std::move(r),
                            [&done](result<void> res) { done.set_value(std::move(res)); });
    return future.get();
  }

  copper::test::temp_dir dir_;  // declared first: outlives the store
  std::unique_ptr<sqlite::sqlite_store> store_;
  account_id alice_ = 0;
  account_id bob_ = 0;
};

// "m3" from ("m", 3). Appending, not "m" + std::to_string(3): GCC 12 warns
// (-Wrestrict, GCC bug 105329) on inserting at the front.
inline std::string numbered(std::string_view prefix, int n) {
  std::string s(prefix);
  s += std::to_string(n);
  return s;
}

// An error result's code, or "" for success.
template <class T>
std::string code_of(const result<T>& r) {
  return r.ok() ? std::string() : r.err().code;
}

}  // namespace copper::store::test
