// The full-text index (IMAP SEARCH BODY/TEXT and the header fields, RFC 9051
// 6.4.4): an FTS5 trigram table in its own file, search.db, kept by its own
// thread so that indexing never holds up the store's single writer.
//
// The main store lists what the index lacks in `search_pending`, in the same
// transaction that stores or drops a blob (migration 8). This thread takes
// pending blobs in order, commits their text to search.db, and only then
// removes them from the list. A reader therefore finds every blob either in
// the index or in the list, provided it reads the list before the index
// (search.cpp does), and a crash at any point only repeats work. Deleting
// search.db rebuilds the index from scratch at the next start.
#pragma once

#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>

#include "store/sqlite/db.h"
#include "store/sqlite/reader_pool.h"
#include "store/sqlite/writer.h"

namespace copper::store::sqlite {

// The schema name under which readers attach search.db.
inline constexpr const char* search_schema = "search";

class search_index {
 public:
  // Creates search.db if needed (queueing every blob when the file is new)
  // and starts the indexing thread.
  search_index(std::filesystem::path file, reader_pool& readers, writer& store_writer);
  // Stops after the batch in progress; the rest stays listed for next time.
  ~search_index();
  search_index(const search_index&) = delete;
  search_index& operator=(const search_index&) = delete;

  // Something was added to the list (called after a commit).
  // Indexing starts gather_delay after the first wake-up, so that a burst
  // of deliveries is indexed in one transaction: FTS5 writes a segment per
  // transaction and merges them later, and search.db syncs per commit.
  void wake();
  // Blocks until the list is empty (tests; shutdown does not wait); no
  // gathering delay for this.
  void wait_until_indexed();

 private:
  void loop();
  // Indexes the oldest pending blobs; false when there were none.
  bool index_some();

  std::filesystem::path file_;
  reader_pool& readers_;
  writer& writer_;
  std::unique_ptr<database> db_;  // the one writing connection of search.db
  std::mutex mu_;
  std::condition_variable wake_cv_;
  std::condition_variable idle_cv_;
  bool woken_ = true;
  bool urgent_ = false;  // a wait_until_indexed() caller waits
  bool idle_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace copper::store::sqlite
