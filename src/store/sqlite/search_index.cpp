#include "store/sqlite/search_index.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/log.h"
#include "store/search_document.h"
#include "store/sqlite/connection.h"

namespace copper::store::sqlite {
namespace {

// One batch: enough rows to share a commit (a burst gathered over
// gather_delay), few enough bytes to bound the memory of the blobs it holds
// at once.
constexpr int batch_rows = 512;
constexpr std::size_t batch_bytes = std::size_t{16} << 20;

// From the first wake-up to indexing (search_index.h). SEARCH reads the
// messages not yet indexed itself, so this only delays the index. Each
// commit leaves FTS5 a segment to merge later, so a longer gathering costs
// less per message, and a message expunged before its turn is never
// indexed at all: 1 s instead of 200 ms took 12% off Copper's CPU per
// operation in the mixed IMAP benchmark (bench/README.md, fifth session).
constexpr auto gather_delay = std::chrono::milliseconds(1000);

// After a failed batch, before the next try.
constexpr auto retry_delay = std::chrono::seconds(2);

// rowid = blob id. The trigram tokenizer gives substring matches, as IMAP
// SEARCH wants (RFC 9051 6.4.4); the text is already case-folded (RFC 5051),
// so the tokenizer compares exactly. The content is kept: needles of fewer
// than three characters have no trigram and are found by scanning it.
//
// search_fields repeats the five header fields SEARCH names, short rows that
// SEARCH scans for one mailbox: a common word ("the") has a doclist as long
// as the store, with the body's positions in it, so a MATCH costs more than
// reading a thousand subjects (search.cpp decides which to do).
constexpr const char* schema =
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_text USING fts5("
    "hfrom, hto, hcc, hbcc, subject, headers, body, "
    "tokenize = 'trigram case_sensitive 1');"
    "CREATE TABLE IF NOT EXISTS search_fields ("
    "blob_id INTEGER PRIMARY KEY, hfrom TEXT NOT NULL, hto TEXT NOT NULL, hcc TEXT NOT NULL, "
    "hbcc TEXT NOT NULL, subject TEXT NOT NULL)";

bool has_table(database& db, std::string_view name) {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE name = ?").bind(1, name).step();
}

struct pending_blob {
  std::int64_t seq = 0;
  std::int64_t blob = 0;
  std::optional<std::string> data;  // absent: remove the blob from the index
};

std::vector<pending_blob> oldest_pending(reader_pool& readers) {
  auto db = readers.acquire();
  auto st = db->prepare(
      "SELECT p.seq, p.blob_id, p.op, b.data FROM search_pending p "
      "LEFT JOIN blobs b ON b.id = p.blob_id ORDER BY p.seq LIMIT ?");
  st.bind(1, batch_rows);
  std::vector<pending_blob> out;
  std::size_t bytes = 0;
  while (bytes < batch_bytes && st.step()) {
    pending_blob p{st.int64(0), st.int64(1), std::nullopt};
    if (st.int64(2) == 1 && !st.is_null(3)) {
      p.data = st.blob(3);
      bytes += p.data->size();
    }
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace

search_index::search_index(std::filesystem::path file, reader_pool& readers, writer& store_writer)
    : file_(std::move(file)), readers_(readers), writer_(store_writer) {
  bool fresh = !std::filesystem::exists(file_);
  db_ = std::make_unique<database>(file_);
  configure(*db_);
  // An index from before search_fields existed is rebuilt like a new one.
  fresh = fresh || !has_table(*db_, "search_fields");
  db_->exec(schema);
  // FTS5 merges segments once `automerge` of them share a level (default 4):
  // 8 rewrites each posting fewer times as mail arrives (the indexer took
  // a third of Copper's CPU in the mixed IMAP benchmark), for a few more
  // segments to look a trigram up in. Kept in the index's own config table.
  db_->exec("INSERT INTO search_text(search_text, rank) VALUES('automerge', 8)");
  if (fresh) {
    // A new, deleted or outdated index file: everything stored is to be
    // indexed (after migration 8 this finds it all listed already).
    auto r = writer_.call<void>([](database& db) -> result<void> {
      db.exec(
          "INSERT OR IGNORE INTO search_pending(blob_id, op) "
          "SELECT blob_id, 1 FROM message_summaries");
      return {};
    });
    if (!r.ok()) {
      throw db_error("cannot queue the store for indexing: " + r.err().message, SQLITE_ERROR);
    }
  }
  thread_ = std::thread([this] { loop(); });
}

search_index::~search_index() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_cv_.notify_all();
  idle_cv_.notify_all();
  thread_.join();
}

void search_index::wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
    idle_ = false;
  }
  wake_cv_.notify_one();
}

void search_index::wait_until_indexed() {
  {
    std::lock_guard lock(mu_);
    urgent_ = true;
  }
  wake();
  std::unique_lock lock(mu_);
  idle_cv_.wait(lock, [&] { return idle_ || stopping_; });
}

void search_index::loop() {
  std::unique_lock lock(mu_);
  while (true) {
    wake_cv_.wait(lock, [&] { return woken_ || stopping_; });
    wake_cv_.wait_for(lock, gather_delay, [&] { return urgent_ || stopping_; });
    woken_ = false;
    bool more = true;
    while (more && !stopping_) {
      lock.unlock();
      bool failed = false;
      try {
        more = index_some();
      } catch (const std::exception& e) {
        // The list keeps the blobs; SEARCH reads them itself meanwhile.
        spdlog::error("event=search_index_failed error={}", log::quote(e.what()));
        failed = true;
      }
      lock.lock();
      if (failed) {
        wake_cv_.wait_for(lock, retry_delay, [&] { return stopping_; });
      }
    }
    if (stopping_) {
      return;
    }
    if (!woken_) {
      idle_ = true;
      urgent_ = false;
      idle_cv_.notify_all();
    }
  }
}

bool search_index::index_some() {
  auto batch = oldest_pending(readers_);
  if (batch.empty()) {
    return false;
  }
  // In rowid order: FTS5 writes its pending terms out as a new segment
  // whenever a rowid comes below the last one written (fts5_index.c,
  // sqlite3Fts5IndexBeginWrite). In list order, an expunged old blob after a
  // new one did that for nearly every removal: tiny segments, each merged
  // again and again, and a removal cost six times an insert.
  std::sort(batch.begin(), batch.end(),
            [](const pending_blob& a, const pending_blob& b) { return a.blob < b.blob; });
  // Decoding and case folding before the transaction, which then only
  // writes.
  std::vector<std::optional<search_document>> docs;
  docs.reserve(batch.size());
  for (const auto& p : batch) {
    docs.push_back(p.data ? std::optional(extract_search_document(*p.data)) : std::nullopt);
  }
  {
    transaction tx(*db_);
    // Delete first: a blob id may be reused after its blob went.
    auto drop = db_->prepare("DELETE FROM search_text WHERE rowid = ?");
    auto drop_fields = db_->prepare("DELETE FROM search_fields WHERE blob_id = ?");
    auto add = db_->prepare(
        "INSERT INTO search_text(rowid, hfrom, hto, hcc, hbcc, subject, headers, body) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    auto add_fields = db_->prepare(
        "INSERT INTO search_fields(blob_id, hfrom, hto, hcc, hbcc, subject) "
        "VALUES (?, ?, ?, ?, ?, ?)");
    for (std::size_t i = 0; i < batch.size(); ++i) {
      drop.bind(1, batch[i].blob).run();
      drop.reset();
      drop_fields.bind(1, batch[i].blob).run();
      drop_fields.reset();
      if (const auto& d = docs[i]) {
        add_fields.bind(1, batch[i].blob)
            .bind(2, d->from)
            .bind(3, d->to)
            .bind(4, d->cc)
            .bind(5, d->bcc)
            .bind(6, d->subject)
            .run();
        add_fields.reset();
        add.bind(1, batch[i].blob)
            .bind(2, d->from)
            .bind(3, d->to)
            .bind(4, d->cc)
            .bind(5, d->bcc)
            .bind(6, d->subject)
            .bind(7, d->headers)
            .bind(8, d->text)
            .run();
        add.reset();
      }
    }
    tx.commit();
  }
  // Durable in search.db: off the list, unless the blob changed meanwhile
  // (it then has a new seq and stays). No fsync for this: if a power cut
  // undoes it, the blobs are indexed once more, and the deliveries that
  // share the writer do not wait for an extra sync.
  auto r = writer_.call<void>(
      [&](database& db) -> result<void> {
        auto done = db.prepare("DELETE FROM search_pending WHERE seq = ?");
        for (const auto& p : batch) {
          done.bind(1, p.seq).run();
          done.reset();
        }
        return {};
      },
      {}, durability::relaxed);
  if (!r.ok()) {
    throw db_error(r.err().message, SQLITE_ERROR);
  }
  return true;
}

}  // namespace copper::store::sqlite
