#include "store/sqlite/model.h"

#include <openssl/evp.h>

#include <algorithm>
#include <ctime>
#include <limits>

namespace copper::store::sqlite {
namespace {

constexpr std::uint64_t max_uid = std::numeric_limits<std::uint32_t>::max();

std::optional<mailbox_row> read_row(statement& st) {
  if (!st.step()) {
    return std::nullopt;
  }
  return mailbox_row{st.int64(0),
                     st.int64(1),
                     st.text(2),
                     static_cast<std::uint32_t>(st.int64(3)),
                     static_cast<std::uint32_t>(st.int64(4)),
                     static_cast<std::uint64_t>(st.int64(5))};
}

// Calls f(id, occurrences) once per distinct id: one statement per blob
// however many of the messages share it.
template <class F>
void for_each_run(std::vector<std::int64_t>& ids, F&& f) {
  std::sort(ids.begin(), ids.end());
  for (std::size_t i = 0; i < ids.size();) {
    std::size_t j = i;
    while (j < ids.size() && ids[j] == ids[i]) {
      ++j;
    }
    f(ids[i], static_cast<std::int64_t>(j - i));
    i = j;
  }
}

}  // namespace

std::optional<mailbox_row> load_mailbox(database& db, mailbox_id id) {
  auto st = db.prepare(
      "SELECT id, account_id, name, uidvalidity, uidnext, highestmodseq FROM mailboxes "
      "WHERE id = ?");
  st.bind(1, id);
  return read_row(st);
}

std::optional<mailbox_row> load_mailbox(database& db, account_id account, std::string_view name) {
  auto st = db.prepare(
      "SELECT id, account_id, name, uidvalidity, uidnext, highestmodseq FROM mailboxes "
      "WHERE account_id = ? AND name = ?");
  st.bind(1, account).bind(2, name);
  return read_row(st);
}

std::uint64_t next_modseq(database& db, mailbox_row& mb) {
  mb.highestmodseq += 1;
  db.prepare("UPDATE mailboxes SET highestmodseq = ? WHERE id = ?")
      .bind(1, static_cast<std::int64_t>(mb.highestmodseq))
      .bind(2, mb.id)
      .run();
  return mb.highestmodseq;
}

result<std::uint32_t> reserve_uids(database& db, mailbox_row& mb, std::size_t count) {
  if (mb.uidnext + static_cast<std::uint64_t>(count) > max_uid) {
    return make_error("mailbox " + mb.name + " has used up its UIDs", "LIMIT");
  }
  std::uint32_t first = mb.uidnext;
  mb.uidnext += static_cast<std::uint32_t>(count);
  db.prepare("UPDATE mailboxes SET uidnext = ? WHERE id = ?")
      .bind(1, static_cast<std::int64_t>(mb.uidnext))
      .bind(2, mb.id)
      .run();
  return first;
}

std::uint32_t allocate_uidvalidity(database& db, account_id account, std::uint32_t count) {
  auto st = db.prepare("SELECT last_uidvalidity FROM accounts WHERE id = ?");
  st.bind(1, account);
  std::int64_t last = st.step() ? st.int64(0) : 0;
  // The clock keeps values meaningful across a restored backup; the counter
  // keeps them unique when the clock stands still or goes back.
  std::int64_t first = std::max<std::int64_t>(std::time(nullptr), last + 1);
  db.prepare("UPDATE accounts SET last_uidvalidity = ? WHERE id = ?")
      .bind(1, first + count - 1)
      .bind(2, account)
      .run();
  return static_cast<std::uint32_t>(first);
}

mailbox_id insert_mailbox(database& db, account_id account, std::string_view name,
                          std::string_view special_use, std::uint32_t uidvalidity) {
  db.prepare(
        "INSERT INTO mailboxes(account_id, name, special_use, uidvalidity) VALUES (?, ?, ?, ?)")
      .bind(1, account)
      .bind(2, name)
      .bind(3, special_use)
      .bind(4, static_cast<std::int64_t>(uidvalidity))
      .run();
  mailbox_id id = db.last_insert_rowid();
  // New mailboxes start subscribed, as they always have here.
  db.prepare("INSERT OR IGNORE INTO subscriptions(account_id, name) VALUES (?, ?)")
      .bind(1, account)
      .bind(2, name)
      .run();
  return id;
}

std::vector<std::uint32_t> sorted_unique(std::vector<std::uint32_t> uids) {
  std::sort(uids.begin(), uids.end());
  uids.erase(std::unique(uids.begin(), uids.end()), uids.end());
  return uids;
}

std::vector<message_row> load_messages(database& db, mailbox_id mailbox,
                                       const std::vector<std::uint32_t>& uids) {
  std::vector<message_row> out;
  if (uids.empty()) {
    return out;
  }
  out.reserve(uids.size());
  auto read = [&](statement& st) {
    out.push_back({st.int64(0), static_cast<std::uint32_t>(st.int64(1)), st.int64(2),
                   static_cast<std::uint64_t>(st.int64(3)), st.int64(4), st.text(5),
                   static_cast<std::uint64_t>(st.int64(6)), st.int64(7), st.int64(8),
                   static_cast<std::int32_t>(st.int64(9))});
  };
  constexpr std::string_view columns =
      "SELECT id, uid, blob_id, size, internal_date, flags, modseq, email_id, thread_id, "
      "internal_zone FROM messages ";
  // A dense set (1:*, a run of selected messages) is one range scan; a sparse
  // one is a lookup per UID rather than a scan of everything between.
  std::uint64_t span = static_cast<std::uint64_t>(uids.back()) - uids.front() + 1;
  if (span <= 4 * static_cast<std::uint64_t>(uids.size())) {
    auto st = db.prepare(std::string(columns) +
                         "WHERE mailbox_id = ? AND uid BETWEEN ? AND ? ORDER BY uid");
    st.bind(1, mailbox).bind(2, uids.front()).bind(3, uids.back());
    while (st.step()) {
      if (std::binary_search(uids.begin(), uids.end(), static_cast<std::uint32_t>(st.int64(1)))) {
        read(st);
      }
    }
    return out;
  }
  auto st = db.prepare(std::string(columns) + "WHERE mailbox_id = ? AND uid = ?");
  for (std::uint32_t uid : uids) {
    st.bind(1, mailbox).bind(2, uid);
    if (st.step()) {
      read(st);
    }
    st.reset();
  }
  return out;
}

sha256_digest sha256(std::string_view data) {
  sha256_digest digest{};
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest.data(), &len, EVP_sha256(), nullptr);
  return digest;
}

std::int64_t put_blob(database& db, std::string_view data, const sha256_digest& digest,
                      std::int64_t refs) {
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

void add_blob_refs(database& db, std::vector<std::int64_t> blob_ids) {
  auto up = db.prepare("UPDATE blobs SET refs = refs + ? WHERE id = ?");
  for_each_run(blob_ids, [&](std::int64_t id, std::int64_t n) {
    up.bind(1, n).bind(2, id).run();
    up.reset();
  });
}

void release_blobs(database& db, std::vector<std::int64_t> blob_ids) {
  auto down = db.prepare("UPDATE blobs SET refs = refs - ? WHERE id = ?");
  auto drop = db.prepare("DELETE FROM blobs WHERE id = ? AND refs <= 0");
  // The index goes with its blob: an expunged message is no longer found.
  auto drop_summary = db.prepare("DELETE FROM message_summaries WHERE blob_id = ?");
  auto drop_text = db.prepare("INSERT OR REPLACE INTO search_pending(blob_id, op) VALUES (?, 0)");
  for_each_run(blob_ids, [&](std::int64_t id, std::int64_t n) {
    down.bind(1, n).bind(2, id).run();
    down.reset();
    drop.bind(1, id).run();
    drop.reset();
    if (db.changes() > 0) {
      drop_summary.bind(1, id).run();
      drop_summary.reset();
      drop_text.bind(1, id).run();
      drop_text.reset();
    }
  });
}

void put_blob_index(database& db, std::int64_t blob, const message_index& index) {
  auto have = db.prepare("SELECT 1 FROM message_summaries WHERE blob_id = ?");
  have.bind(1, blob);
  if (have.step()) {
    return;
  }
  db.prepare(
        "INSERT INTO message_summaries(blob_id, envelope, bodystructure, body, message_id) "
        "VALUES (?, ?, ?, ?, ?)")
      .bind(1, blob)
      .bind(2, index.envelope)
      .bind(3, index.bodystructure)
      .bind(4, index.body)
      .bind(5, index.message_id)
      .run();
  // Indexed by the search indexer once this commits (migration 8).
  db.prepare("INSERT OR REPLACE INTO search_pending(blob_id, op) VALUES (?, 1)")
      .bind(1, blob)
      .run();
}

std::int64_t find_thread(database& db, account_id account, const message_index& index) {
  // From the Message-ID index outwards (CROSS JOIN fixes the order, and the
  // "<> ''" lets the partial index serve): left to itself, the planner
  // walked every message of the account for each parent of each delivery.
  auto st = db.prepare(
      "SELECT m.thread_id FROM message_summaries s CROSS JOIN messages m ON m.blob_id = s.blob_id "
      "CROSS JOIN mailboxes b ON b.id = m.mailbox_id "
      "WHERE s.message_id = ? AND s.message_id <> '' AND b.account_id = ? ORDER BY m.id LIMIT 1");
  // The nearest parent first: References lists the oldest ancestor first
  // (RFC 5322 3.6.4), and any of them leads to the same thread.
  // NOLINTNEXTLINE(modernize-loop-convert): std::views::reverse does not build with clang 14
  for (auto it = index.parents.rbegin(); it != index.parents.rend(); ++it) {
    st.bind(1, *it).bind(2, account);
    if (st.step() && st.int64(0) != 0) {
      return st.int64(0);
    }
    st.reset();
  }
  return 0;
}

std::int64_t insert_message(database& db, const new_message& m) {
  db.prepare(
        "INSERT INTO messages(mailbox_id, uid, blob_id, size, internal_date, flags, modseq, "
        "internal_zone) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
      .bind(1, m.mailbox)
      .bind(2, m.uid)
      .bind(3, m.blob)
      .bind(4, static_cast<std::int64_t>(m.size))
      .bind(5, m.internal_date)
      .bind(6, m.flags)
      .bind(7, static_cast<std::int64_t>(m.modseq))
      .bind(8, m.internal_zone)
      .run();
  std::int64_t id = db.last_insert_rowid();
  db.prepare("UPDATE messages SET email_id = id, thread_id = ? WHERE id = ?")
      .bind(1, m.thread != 0 ? m.thread : id)
      .bind(2, id)
      .run();
  return id;
}

quota_usage read_quota(database& db, account_id account) {
  auto st = db.prepare(
      "SELECT used_bytes, used_messages, quota_bytes, quota_messages FROM accounts WHERE id = ?");
  st.bind(1, account);
  if (!st.step()) {
    return {};
  }
  auto count = [&](int col) {
    return static_cast<std::uint64_t>(std::max<std::int64_t>(st.int64(col), 0));
  };
  return {count(0), count(1), count(2), count(3)};
}

namespace {

// Whether `adding` more takes `used` past `limit` (0 = unlimited).
bool exceeds(std::uint64_t used, std::uint64_t adding, std::uint64_t limit) {
  return limit != 0 && (adding > limit || used > limit - adding);
}

}  // namespace

result<void> check_quota(database& db, account_id account, std::uint64_t bytes,
                         std::uint64_t messages) {
  auto q = read_quota(db, account);
  if (exceeds(q.used_messages, messages, q.quota_messages)) {
    return make_error("message quota exceeded (" + std::to_string(q.used_messages) + " of " +
                          std::to_string(q.quota_messages) + " messages)",
                      "OVERQUOTA");
  }
  if (exceeds(q.used_bytes, bytes, q.quota_bytes)) {
    return make_error("quota exceeded (" + std::to_string(q.used_bytes) + " of " +
                          std::to_string(q.quota_bytes) + " bytes used)",
                      "OVERQUOTA");
  }
  return {};
}

std::string join_flags(const std::vector<std::string>& flags) {
  std::string out;
  for (const auto& f : flags) {
    if (!out.empty()) {
      out += ' ';
    }
    out += f;
  }
  return out;
}

std::vector<std::string> split_flags(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    auto sp = text.find(' ');
    auto word = text.substr(0, sp);
    if (!word.empty()) {
      out.emplace_back(word);
    }
    if (sp == std::string_view::npos) {
      break;
    }
    text.remove_prefix(sp + 1);
  }
  return out;
}

}  // namespace copper::store::sqlite
