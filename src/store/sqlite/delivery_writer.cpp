// The group-commit writer of sqlite_store: deliveries queue up while the
// previous commit syncs, then all of them go into the next transaction.
#include <openssl/evp.h>
#include <spdlog/spdlog.h>

#include <array>

#include "store/sqlite/connection.h"
#include "store/sqlite/sqlite_store.h"

namespace copper::store::sqlite {
namespace {

std::array<unsigned char, 32> sha256(std::string_view data) {
  std::array<unsigned char, 32> digest{};
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest.data(), &len, EVP_sha256(), nullptr);
  return digest;
}

// Stores the body once for all its references (ARCHITECTURE.md "blobs").
std::int64_t put_blob(database& db, std::string_view data, std::int64_t refs) {
  auto digest = sha256(data);
  auto find = db.prepare("SELECT id FROM blobs WHERE sha256 = ?");
  find.bind_blob(1, digest.data(), digest.size());
  if (find.step()) {
    std::int64_t id = find.int64(0);
    db.prepare("UPDATE blobs SET refs = refs + ? WHERE id = ?").bind(1, refs).bind(2, id).run();
    return id;
  }
  db.prepare("INSERT INTO blobs(sha256, size, refs, data) VALUES (?, ?, ?, ?)")
      .bind_blob(1, digest.data(), digest.size())
      .bind(2, static_cast<std::int64_t>(data.size()))
      .bind(3, refs)
      .bind_blob(4, data.data(), data.size())
      .run();
  return db.last_insert_rowid();
}

void link_into_inbox(database& db, account_id account, std::int64_t blob, std::size_t size,
                     std::int64_t when) {
  auto mb = db.prepare(
      "SELECT id, uidnext, highestmodseq FROM mailboxes WHERE account_id = ? AND name = 'INBOX'");
  mb.bind(1, account);
  if (!mb.step()) {
    throw db_error("account " + std::to_string(account) + " has no INBOX", SQLITE_ERROR);
  }
  std::int64_t mailbox = mb.int64(0);
  std::int64_t uid = mb.int64(1);
  std::int64_t modseq = mb.int64(2) + 1;
  db.prepare("INSERT INTO messages(mailbox_id, uid, blob_id, size, internal_date, modseq) "
             "VALUES (?, ?, ?, ?, ?, ?)")
      .bind(1, mailbox)
      .bind(2, uid)
      .bind(3, blob)
      .bind(4, static_cast<std::int64_t>(size))
      .bind(5, when)
      .bind(6, modseq)
      .run();
  db.prepare("UPDATE mailboxes SET uidnext = ?, highestmodseq = ? WHERE id = ?")
      .bind(1, uid + 1)
      .bind(2, modseq)
      .bind(3, mailbox)
      .run();
}

void enqueue(database& db, const delivery_request& r, std::int64_t blob) {
  db.prepare("INSERT INTO queue(sender, envid, ret, blob_id, created, next_attempt) "
             "VALUES (?, ?, ?, ?, ?, ?)")
      .bind(1, r.sender)
      .bind(2, r.envid)
      .bind(3, r.ret)
      .bind(4, blob)
      .bind(5, r.received_at)
      .bind(6, r.received_at)
      .run();
  std::int64_t id = db.last_insert_rowid();
  auto rc = db.prepare(
      "INSERT INTO queue_recipients(queue_id, address, notify, orcpt) VALUES (?, ?, ?, ?)");
  for (const auto& rcpt : r.remote) {
    rc.bind(1, id).bind(2, rcpt.address).bind(3, rcpt.notify).bind(4, rcpt.orcpt).run();
    rc.reset();
  }
}

void apply(database& db, const delivery_request& r) {
  auto refs = static_cast<std::int64_t>(r.local_accounts.size() + (r.remote.empty() ? 0 : 1));
  if (refs == 0) {
    return;
  }
  std::int64_t blob = put_blob(db, r.data, refs);
  for (account_id a : r.local_accounts) {
    link_into_inbox(db, a, blob, r.data.size(), r.received_at);
  }
  if (!r.remote.empty()) {
    enqueue(db, r, blob);
  }
}

}  // namespace

void sqlite_store::submit_delivery(delivery_request request,
                                   std::function<void(result<void>)> done) {
  {
    std::lock_guard lock(queue_mu_);
    pending_.push_back({std::move(request), std::move(done)});
  }
  queue_cv_.notify_one();
}

void sqlite_store::flush() {
  std::unique_lock lock(queue_mu_);
  idle_cv_.wait(lock, [&] { return pending_.empty() && !writing_; });
}

void sqlite_store::writer_loop() {
  database db(file_);
  configure(db);
  for (;;) {
    std::deque<delivery_job> batch;
    {
      std::unique_lock lock(queue_mu_);
      queue_cv_.wait(lock, [&] { return stopping_ || !pending_.empty(); });
      if (pending_.empty()) {
        return;  // stopping, and everything submitted is committed
      }
      batch.swap(pending_);
      writing_ = true;
    }
    commit_batch(db, batch);
    {
      std::lock_guard lock(queue_mu_);
      writing_ = false;
    }
    idle_cv_.notify_all();
  }
}

void sqlite_store::commit_batch(database& db, std::deque<delivery_job>& batch) {
  std::vector<result<void>> outcomes;
  outcomes.reserve(batch.size());
  try {
    transaction tx(db);
    // A savepoint per job: one bad delivery must not fail its neighbours.
    for (auto& job : batch) {
      db.exec("SAVEPOINT job");
      try {
        apply(db, job.request);
        db.exec("RELEASE job");
        outcomes.emplace_back();
      } catch (const db_error& e) {
        db.exec("ROLLBACK TO job");
        db.exec("RELEASE job");
        spdlog::error("event=delivery_failed error={}", e.what());
        outcomes.emplace_back(make_error(e.what()));
      }
    }
    tx.commit();
  } catch (const db_error& e) {
    spdlog::error("event=commit_failed batch={} error={}", batch.size(), e.what());
    outcomes.assign(batch.size(), result<void>(make_error(e.what())));
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    batch[i].done(std::move(outcomes[i]));
  }
}

}  // namespace copper::store::sqlite
