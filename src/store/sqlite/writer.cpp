#include "store/sqlite/writer.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>
#include <string>
#include <vector>

#include "store/sqlite/connection.h"

namespace copper::store::sqlite {

writer::writer(const std::filesystem::path& file) : db_(std::make_unique<database>(file)) {
  configure(*db_);
  thread_ = std::thread([this] { loop(); });
  // Published before any job can run: loop() takes mu_ before its first job.
  std::lock_guard lock(mu_);
  thread_id_ = thread_.get_id();
}

writer::~writer() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  thread_.join();
}

void writer::submit(apply_fn apply, done_fn done, durability d) {
  {
    std::lock_guard lock(mu_);
    pending_.push_back({std::move(apply), std::move(done), d});
  }
  queue_cv_.notify_one();
}

void writer::flush() {
  std::unique_lock lock(mu_);
  idle_cv_.wait(lock, [&] { return pending_.empty() && !writing_; });
}

std::uint64_t writer::batches() const {
  std::lock_guard lock(mu_);
  return batches_;
}

void writer::loop() {
  for (;;) {
    std::deque<job> batch;
    {
      std::unique_lock lock(mu_);
      queue_cv_.wait(lock, [&] { return stopping_ || !pending_.empty(); });
      if (pending_.empty()) {
        return;  // stopping, and everything submitted is committed
      }
      batch.swap(pending_);
      writing_ = true;
    }
    commit_batch(batch);
    {
      std::lock_guard lock(mu_);
      writing_ = false;
    }
    idle_cv_.notify_all();
  }
}

void writer::set_durability(durability d) {
  if (d != mode_) {
    // Only outside a transaction; WAL mode makes NORMAL skip the commit's
    // fsync while keeping the file consistent (sqlite.org/pragma.html#pragma_synchronous).
    db_->exec(d == durability::synced ? "PRAGMA synchronous = FULL"
                                      : "PRAGMA synchronous = NORMAL");
    mode_ = d;
  }
}

void writer::commit_batch(std::deque<job>& batch) {
  database& db = *db_;
  std::vector<result<void>> outcomes;
  outcomes.reserve(batch.size());
  bool any_synced = std::any_of(batch.begin(), batch.end(),
                                [](const job& j) { return j.d == durability::synced; });
  try {
    set_durability(any_synced ? durability::synced : durability::relaxed);
    transaction tx(db);
    for (auto& j : batch) {
      db.prepare("SAVEPOINT job").run();
      result<void> r;
      try {
        r = j.apply(db);
      } catch (const std::exception& e) {
        // Expected failures come back as values; a throw is a fault worth a log line.
        spdlog::error("event=store_write_failed error={}", e.what());
        r = make_error(e.what());
      }
      if (!r.ok()) {
        db.prepare("ROLLBACK TO job").run();
      }
      db.prepare("RELEASE job").run();
      outcomes.push_back(std::move(r));
    }
    tx.commit();
  } catch (const db_error& e) {
    // The transaction is gone (commit failed, or SQLite rolled it back under
    // a job): nothing of this batch is durable, whatever its jobs returned.
    spdlog::error("event=commit_failed batch={} error={}", batch.size(), e.what());
    outcomes.assign(batch.size(), result<void>(make_error(e.what())));
  }
  {
    // Counted before the completions wake anyone waiting on this batch.
    std::lock_guard lock(mu_);
    ++batches_;
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    try {
      batch[i].done(std::move(outcomes[i]));
    } catch (const std::exception& e) {
      // A completion must not take the writer thread (and every later write) down.
      spdlog::error("event=store_completion_failed error={}", e.what());
    }
  }
}

}  // namespace copper::store::sqlite
