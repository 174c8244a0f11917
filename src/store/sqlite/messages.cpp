// mailbox_store: messages of a mailbox, APPEND (RFC 9051 6.3.12), COPY and
// MOVE with COPYUID data (RFC 4315, RFC 6851), EXPUNGE, and what changed
// since a MODSEQ (RFC 7162 3.1.4, 3.2.5).
#include <algorithm>
#include <optional>
#include <string>
#include <string_view>

#include "store/sqlite/flags.h"
#include "store/sqlite/model.h"
#include "store/sqlite/sqlite_store.h"

namespace copper::store::sqlite {
namespace {

error no_such_mailbox() { return make_error("no such mailbox", "NONEXISTENT"); }

constexpr std::string_view meta_columns =
    "SELECT id, uid, modseq, size, internal_date, flags, blob_id, email_id, thread_id, "
    "internal_zone FROM messages ";

// An open handle on one blob's bytes (sqlite3_blob_open): a read touches
// only the pages of the range it asks for, not the whole message.
class blob_reader {
 public:
  explicit blob_reader(database& db) : db_(db) {}
  blob_reader(const blob_reader&) = delete;
  blob_reader& operator=(const blob_reader&) = delete;
  ~blob_reader() { close(); }

  // Points the handle at blob `id`; false when there is no such blob.
  bool open(std::int64_t id) {
    int rc = blob_ != nullptr
                 ? sqlite3_blob_reopen(blob_, id)
                 : sqlite3_blob_open(db_.handle(), "main", "blobs", "data", id, 0, &blob_);
    if (rc != SQLITE_OK) {
      close();  // a failed reopen leaves the handle unusable
      return false;
    }
    return true;
  }

  std::size_t size() const { return static_cast<std::size_t>(sqlite3_blob_bytes(blob_)); }

  // Appends bytes [offset, offset + n) of the blob to `out`.
  bool append_to(std::string& out, std::size_t offset, std::size_t n) {
    std::size_t at = out.size();
    out.resize(at + n);
    if (sqlite3_blob_read(blob_, out.data() + at, static_cast<int>(n), static_cast<int>(offset)) !=
        SQLITE_OK) {
      out.resize(at);
      return false;
    }
    return true;
  }

 private:
  void close() {
    if (blob_ != nullptr) {
      sqlite3_blob_close(blob_);
      blob_ = nullptr;
    }
  }

  database& db_;
  sqlite3_blob* blob_ = nullptr;
};

// Where the header block ends: after the first blank line (CRLF CRLF, or
// LF LF in bare-LF mail); npos when `s` holds none.
std::size_t header_end(std::string_view s) {
  auto crlf = s.find("\r\n\r\n");
  auto lf = s.find("\n\n");
  return std::min(crlf == std::string_view::npos ? crlf : crlf + 4,
                  lf == std::string_view::npos ? lf : lf + 2);
}

// The header block of the open blob, read in growing pieces until its end
// shows: the first blank line found in a prefix is the first of the blob.
std::string read_header_block(blob_reader& blob) {
  std::size_t total = std::min(blob.size(), max_header_block);
  std::string out;
  std::size_t piece = 8192;
  while (out.size() < total) {
    std::size_t n = std::min(piece, total - out.size());
    if (!blob.append_to(out, out.size(), n)) {
      break;
    }
    if (auto end = header_end(out); end != std::string::npos) {
      out.resize(end);
      break;
    }
    piece *= 2;
  }
  return out;
}

message_meta read_meta(const statement& st) {
  return {st.int64(0),
          static_cast<std::uint32_t>(st.int64(1)),
          static_cast<std::uint64_t>(st.int64(2)),
          static_cast<std::uint64_t>(st.int64(3)),
          st.int64(4),
          split_flags(st.text(5)),
          st.int64(6),
          st.int64(7),
          st.int64(8),
          static_cast<std::int32_t>(st.int64(9))};
}

// Removes `rows` from the mailbox: logged with one new MODSEQ for QRESYNC
// VANISHED (RFC 7162 3.2.5), blob references dropped. Returns their UIDs.
std::vector<std::uint32_t> expunge_rows(database& db, mailbox_row& mb,
                                        const std::vector<message_row>& rows) {
  std::vector<std::uint32_t> uids;
  if (rows.empty()) {
    return uids;
  }
  std::uint64_t modseq = next_modseq(db, mb);
  auto del = db.prepare("DELETE FROM messages WHERE id = ?");
  auto log =
      db.prepare("INSERT OR REPLACE INTO expunged(mailbox_id, uid, modseq) VALUES (?, ?, ?)");
  std::vector<std::int64_t> blobs;
  uids.reserve(rows.size());
  blobs.reserve(rows.size());
  for (const auto& m : rows) {
    del.bind(1, m.id).run();
    del.reset();
    log.bind(1, mb.id).bind(2, m.uid).bind(3, static_cast<std::int64_t>(modseq)).run();
    log.reset();
    uids.push_back(m.uid);
    blobs.push_back(m.blob_id);
  }
  release_blobs(db, std::move(blobs));
  return uids;
}

}  // namespace

std::vector<message_meta> sqlite_store::messages(mailbox_id mailbox) {
  auto db = readers_.acquire();
  auto st = db->prepare(std::string(meta_columns) + "WHERE mailbox_id = ? ORDER BY uid");
  st.bind(1, mailbox);
  std::vector<message_meta> out;
  while (st.step()) {
    out.push_back(read_meta(st));
  }
  return out;
}

mailbox_store::selection sqlite_store::select_view(mailbox_id mailbox) {
  auto db = readers_.acquire();
  read_transaction snapshot(*db);  // the three reads agree with each other
  selection out;
  // The mailbox row's MODSEQ counts expunges too (model.cpp next_modseq).
  if (auto mb = load_mailbox(*db, mailbox)) {
    out.highestmodseq = mb->highestmodseq;
  }
  // From the (mailbox_id, uid) index alone, without reading the rows.
  auto uids = db->prepare("SELECT uid FROM messages WHERE mailbox_id = ? ORDER BY uid");
  uids.bind(1, mailbox);
  while (uids.step()) {
    out.uids.push_back(static_cast<std::uint32_t>(uids.int64(0)));
  }
  // Rows in UID order up to the first unseen one. Flags are stored
  // space-separated (model.cpp join_flags); no keyword can contain a
  // backslash (RFC 9051 9, atom-specials), so this is \Seen itself.
  auto unseen = db->prepare(
      "SELECT uid FROM messages WHERE mailbox_id = ? AND (' ' || flags || ' ') NOT LIKE "
      "'% \\Seen %' ORDER BY uid LIMIT 1");
  unseen.bind(1, mailbox);
  if (unseen.step()) {
    out.first_unseen_uid = static_cast<std::uint32_t>(unseen.int64(0));
  }
  return out;
}

std::vector<message_meta> sqlite_store::messages(mailbox_id mailbox,
                                                 const std::vector<std::uint32_t>& uids) {
  auto db = readers_.acquire();
  read_transaction snapshot(*db);  // the ranges agree with each other
  auto st = db->prepare(std::string(meta_columns) +
                        "WHERE mailbox_id = ? AND uid BETWEEN ? AND ? ORDER BY uid");
  std::vector<message_meta> out;
  out.reserve(uids.size());
  // One indexed range read per run of consecutive UIDs: a client's sets
  // ("1:20", "*") are mostly runs.
  for (std::size_t i = 0; i < uids.size();) {
    std::size_t j = i + 1;
    while (j < uids.size() && uids[j] == uids[j - 1] + 1) {
      ++j;
    }
    st.bind(1, mailbox).bind(2, std::int64_t{uids[i]}).bind(3, std::int64_t{uids[j - 1]});
    while (st.step()) {
      out.push_back(read_meta(st));
    }
    st.reset();
    i = j;
  }
  return out;
}

mailbox_changes sqlite_store::changes_since(mailbox_id mailbox, std::uint64_t modseq) {
  auto db = readers_.acquire();
  read_transaction snapshot(*db);  // the three reads agree with each other
  mailbox_changes out;
  auto mb = load_mailbox(*db, mailbox);
  if (!mb) {
    return out;
  }
  out.highestmodseq = mb->highestmodseq;
  auto st =
      db->prepare(std::string(meta_columns) + "WHERE mailbox_id = ? AND modseq > ? ORDER BY uid");
  st.bind(1, mailbox).bind(2, static_cast<std::int64_t>(modseq));
  while (st.step()) {
    out.changed.push_back(read_meta(st));
  }
  // By the MODSEQ index: for a prepared statement SQLite otherwise walks the
  // primary key to save the sort, every expunge the mailbox ever had (the
  // log is kept for QRESYNC), 230 us a call at 3,000 of them.
  auto gone = db->prepare(
      "SELECT uid FROM expunged INDEXED BY expunged_modseq WHERE mailbox_id = ? AND modseq > ? "
      "ORDER BY uid");
  gone.bind(1, mailbox).bind(2, static_cast<std::int64_t>(modseq));
  while (gone.step()) {
    out.vanished.push_back(static_cast<std::uint32_t>(gone.int64(0)));
  }
  return out;
}

std::optional<std::uint64_t> sqlite_store::highestmodseq(mailbox_id mailbox) {
  auto db = readers_.acquire();
  auto st = db->prepare("SELECT highestmodseq FROM mailboxes WHERE id = ?");
  st.bind(1, mailbox);
  if (!st.step()) {
    return std::nullopt;
  }
  return static_cast<std::uint64_t>(st.int64(0));
}

std::optional<std::string> sqlite_store::read_blob(std::int64_t blob_id) {
  auto db = readers_.acquire();
  auto st = db->prepare("SELECT data FROM blobs WHERE id = ?");
  st.bind(1, blob_id);
  if (!st.step()) {
    return std::nullopt;
  }
  return st.blob(0);
}

std::vector<std::optional<std::string>> sqlite_store::read_blobs(
    const std::vector<std::int64_t>& blob_ids) {
  auto db = readers_.acquire();
  read_transaction snapshot(*db);
  auto st = db->prepare("SELECT data FROM blobs WHERE id = ?");
  std::vector<std::optional<std::string>> out;
  out.reserve(blob_ids.size());
  for (auto id : blob_ids) {
    st.bind(1, id);
    out.push_back(st.step() ? std::optional<std::string>(st.blob(0)) : std::nullopt);
    st.reset();
  }
  return out;
}

std::vector<std::string> sqlite_store::read_headers(const std::vector<std::int64_t>& blob_ids) {
  auto db = readers_.acquire();
  read_transaction snapshot(*db);
  blob_reader blob(*db);
  std::vector<std::string> out;
  out.reserve(blob_ids.size());
  for (auto id : blob_ids) {
    out.push_back(blob.open(id) ? read_header_block(blob) : std::string());
  }
  return out;
}

result<append_result> sqlite_store::append(account_id account, mailbox_id mailbox,
                                           std::string_view data,
                                           const std::vector<std::string>& flags,
                                           std::int64_t internal_date) {
  std::vector<append_request> one{{data, flags, internal_date, 0}};
  auto r = append_all(account, mailbox, one);
  if (!r.ok()) {
    return r.err();
  }
  return append_result{r->uidvalidity, r->uids.front()};
}

result<multi_append_result> sqlite_store::append_all(account_id account, mailbox_id mailbox,
                                                     const std::vector<append_request>& messages) {
  if (messages.empty()) {
    return make_error("nothing to append");
  }
  // Hashed and checked here, on the caller's thread, not on the writer every
  // job waits for.
  struct prepared {
    std::string_view data;
    sha256_digest digest;
    std::string flags;
    std::int64_t internal_date;
    std::int32_t internal_zone;
    message_index index;
  };
  std::vector<prepared> rows;
  rows.reserve(messages.size());
  std::uint64_t bytes = 0;
  for (const auto& m : messages) {
    auto canonical = canonical_flags(m.flags);
    if (!canonical.ok()) {
      return canonical.err();
    }
    rows.push_back({m.data, sha256(m.data), join_flags(*canonical), m.internal_date,
                    m.internal_zone, index_message(m.data)});
    bytes += m.data.size();
  }
  return write<multi_append_result>(
      [&](database& db, touched_list& touched) -> result<multi_append_result> {
        auto mb = load_mailbox(db, mailbox);
        if (!mb || mb->account != account) {
          return no_such_mailbox();
        }
        // All or nothing (RFC 3502 6.3.11): the quota check covers every
        // message, and an error rolls back this job's savepoint whole.
        if (auto q = sqlite::check_quota(db, account, bytes, rows.size()); !q.ok()) {
          return q.err();
        }
        auto first = reserve_uids(db, *mb, rows.size());
        if (!first.ok()) {
          return first.err();
        }
        // RFC 7162 3.1: the messages of one command share one new MODSEQ.
        std::uint64_t modseq = next_modseq(db, *mb);
        multi_append_result out{mb->uidvalidity, {}};
        std::uint32_t uid = *first;
        for (const auto& m : rows) {
          new_message row;
          row.mailbox = mb->id;
          row.uid = uid;
          row.blob = put_blob(db, m.data, m.digest, 1);
          put_blob_index(db, row.blob, m.index);
          row.size = m.data.size();
          row.internal_date = m.internal_date;
          row.internal_zone = m.internal_zone;
          row.flags = m.flags;
          row.modseq = modseq;
          row.thread = find_thread(db, account, m.index);
          insert_message(db, row);
          out.uids.push_back(uid++);
        }
        touched.emplace_back(account, mb->id);
        return out;
      });
}

result<copy_result> sqlite_store::copy(mailbox_id from, const std::vector<std::uint32_t>& uids,
                                       mailbox_id to) {
  return copy_or_move(from, uids, to, false);
}

result<copy_result> sqlite_store::move(mailbox_id from, const std::vector<std::uint32_t>& uids,
                                       mailbox_id to) {
  return copy_or_move(from, uids, to, true);
}

result<copy_result> sqlite_store::copy_or_move(mailbox_id from,
                                               const std::vector<std::uint32_t>& uids,
                                               mailbox_id to, bool expunge_source) {
  auto wanted = sorted_unique(uids);
  return write<copy_result>([&](database& db, touched_list& touched) -> result<copy_result> {
    auto src = load_mailbox(db, from);
    auto dst = load_mailbox(db, to);
    if (!src || !dst) {
      return no_such_mailbox();
    }
    // Quota and MODSEQ bookkeeping are per account; a cross-account copy
    // (shared mailboxes, RFC 4314) needs rules of its own first.
    if (src->account != dst->account) {
      return make_error("cannot copy between accounts", "CANNOT");
    }
    copy_result out;
    out.uidvalidity = dst->uidvalidity;
    auto rows = load_messages(db, from, wanted);
    if (rows.empty()) {
      return out;
    }
    if (!expunge_source) {
      std::uint64_t bytes = 0;
      for (const auto& m : rows) {
        bytes += m.size;
      }
      if (auto q = sqlite::check_quota(db, dst->account, bytes, rows.size()); !q.ok()) {
        return q.err();
      }
    }
    auto first = reserve_uids(db, *dst, rows.size());
    if (!first.ok()) {
      return first.err();
    }
    // RFC 4315 4: new UIDs in the order of the source UIDs. Flags and
    // internal date are kept (RFC 9051 6.4.7); one MODSEQ above the
    // destination's HIGHESTMODSEQ for all copies (RFC 7162 3.1).
    std::uint64_t modseq = next_modseq(db, *dst);
    auto ins = db.prepare(
        "INSERT INTO messages(mailbox_id, uid, blob_id, size, internal_date, flags, modseq, "
        "email_id, thread_id, internal_zone) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    std::vector<std::int64_t> blobs;
    blobs.reserve(rows.size());
    std::uint32_t uid = *first;
    for (const auto& m : rows) {
      ins.bind(1, dst->id)
          .bind(2, uid)
          .bind(3, m.blob_id)
          .bind(4, static_cast<std::int64_t>(m.size))
          .bind(5, m.internal_date)
          .bind(6, m.flags)
          .bind(7, static_cast<std::int64_t>(modseq))
          // RFC 8474 5.1, 5.2: a copy keeps its EMAILID and THREADID.
          .bind(8, m.email_id)
          .bind(9, m.thread_id)
          .bind(10, m.internal_zone)
          .run();
      ins.reset();
      out.source_uids.push_back(m.uid);
      out.dest_uids.push_back(uid++);
      blobs.push_back(m.blob_id);
    }
    add_blob_refs(db, std::move(blobs));
    touched.emplace_back(dst->account, dst->id);
    if (expunge_source) {
      // RFC 6851 3.3: the same transaction; re-read, as `to` may be `from`.
      auto source = load_mailbox(db, from);
      expunge_rows(db, *source, rows);
      if (source->id != dst->id) {
        touched.emplace_back(source->account, source->id);
      }
    }
    return out;
  });
}

result<std::vector<std::uint32_t>> sqlite_store::expunge(mailbox_id mailbox,
                                                         const std::vector<std::uint32_t>& uids) {
  auto wanted = sorted_unique(uids);
  return write<std::vector<std::uint32_t>>(
      [&](database& db, touched_list& touched) -> result<std::vector<std::uint32_t>> {
        auto mb = load_mailbox(db, mailbox);
        if (!mb) {
          return no_such_mailbox();
        }
        auto removed = expunge_rows(db, *mb, load_messages(db, mailbox, wanted));
        if (!removed.empty()) {
          touched.emplace_back(mb->account, mb->id);
        }
        return removed;
      },
      durability::relaxed);  // undone by a power cut at worst, never lost mail (writer.h)
}

}  // namespace copper::store::sqlite
