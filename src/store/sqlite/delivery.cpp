// Deliveries: one message stored once and linked into the INBOX of every
// local recipient, plus one outbound queue entry for the remote ones, as one
// job of the group-commit writer (store/sqlite/writer.h).
#include <memory>

#include "store/sqlite/model.h"
#include "store/sqlite/sqlite_store.h"

namespace copper::store::sqlite {
namespace {

mailbox_id link_into_inbox(database& db, account_id account, std::int64_t blob, std::size_t size,
                           std::int64_t when, const message_index& index) {
  auto mb = load_mailbox(db, account, "INBOX");
  if (!mb) {
    throw db_error("account " + std::to_string(account) + " has no INBOX", SQLITE_ERROR);
  }
  auto uid = reserve_uids(db, *mb, 1);
  if (!uid.ok()) {
    throw db_error(uid.err().message, SQLITE_FULL);
  }
  // RFC 7162 3.1: above every MODSEQ of the mailbox, like an APPEND.
  std::uint64_t modseq = next_modseq(db, *mb);
  new_message m;
  m.mailbox = mb->id;
  m.uid = *uid;
  m.blob = blob;
  m.size = size;
  m.internal_date = when;
  m.modseq = modseq;
  m.thread = find_thread(db, account, index);
  insert_message(db, m);
  return mb->id;
}

void enqueue(database& db, const delivery_request& r, std::int64_t blob) {
  db.prepare(
        "INSERT INTO queue(sender, envid, ret, blob_id, created, next_attempt) "
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

}  // namespace

void sqlite_store::submit_delivery(delivery_request request,
                                   std::function<void(result<void>)> done) {
  // Shared by the job and its completion, which the writer runs one after
  // the other on its thread; the request lives until both are done.
  struct state {
    delivery_request request;
    touched_list inboxes;
    message_index index;
    sha256_digest digest;
  };
  auto s = std::make_shared<state>(state{std::move(request), {}, {}, {}});
  // Parsed and hashed here, on the caller's thread: the writer is the one
  // thread every delivery waits for, and only inserts what was computed before.
  if (!s->request.local_accounts.empty()) {
    s->index = index_message(s->request.data);
  }
  s->digest = sha256(s->request.data);
  writer_.submit(
      [s](database& db) -> result<void> {
        const auto& r = s->request;
        s->inboxes.clear();
        auto refs = static_cast<std::int64_t>(r.local_accounts.size() + (r.remote.empty() ? 0 : 1));
        if (refs == 0) {
          return {};
        }
        std::int64_t blob = put_blob(db, r.data, s->digest, refs);
        if (!r.local_accounts.empty()) {
          put_blob_index(db, blob, s->index);
        }
        for (account_id a : r.local_accounts) {
          s->inboxes.emplace_back(
              a, link_into_inbox(db, a, blob, r.data.size(), r.received_at, s->index));
        }
        if (!r.remote.empty()) {
          enqueue(db, r, blob);
        }
        return {};
      },
      [this, s, done = std::move(done)](result<void> outcome) {
        // After the commit only: a woken IMAP IDLE must find the message.
        if (outcome.ok()) {
          publish(s->inboxes);
        }
        done(std::move(outcome));
      });
}

void sqlite_store::flush() { writer_.flush(); }

}  // namespace copper::store::sqlite
