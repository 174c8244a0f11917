// The one writing connection of the SQLite store, shared by deliveries,
// mailbox writes and management (group commit, ARCHITECTURE.md "Store").
// Jobs queue up while the previous batch commits; the next batch runs all of
// them in one transaction, each in its own SAVEPOINT, so concurrent writers
// share one fsync and a failing job does not fail its neighbours.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>

#include "core/result.h"
#include "store/sqlite/db.h"

namespace copper::store::sqlite {

// How a job's commit must reach the disk before its completion runs.
enum class durability {
  // fsync'ed first: what the client is told is stored (SMTP 250, APPEND OK).
  synced,
  // Written to the WAL without waiting for the disk: flag changes and
  // expunges, which Dovecot does not fsync either (mail_fsync=optimized). A
  // power cut may undo the last of them, never a synced job committed after
  // them, since that commit syncs the WAL up to its own end.
  relaxed,
};

class writer {
 public:
  // Runs on the writer thread inside the batch transaction. An error, returned
  // or thrown, rolls back this job's savepoint only.
  using apply_fn = std::function<result<void>(database&)>;
  // Runs on the writer thread after the batch: ok once the job is on stable
  // storage, else the job's own error or the one that failed the commit.
  using done_fn = std::function<void(result<void>)>;

  // Opens (and configures) the connection here, so that an unusable file
  // throws db_error to the caller rather than on the writer thread.
  explicit writer(const std::filesystem::path& file);
  // Commits everything already submitted, then stops.
  ~writer();
  writer(const writer&) = delete;
  writer& operator=(const writer&) = delete;

  void submit(apply_fn apply, done_fn done, durability d = durability::synced);

  // Submits a job and blocks until its batch is committed: the job's value,
  // or the error that failed it. `after_commit` runs on the writer thread
  // once the job is durable, before the caller wakes (change notifications).
  // Blocking: call from a worker thread, never from the writer thread.
  template <class T>
  result<T> call(const std::function<result<T>(database&)>& apply,
                 const std::function<void()>& after_commit = {}, durability d = durability::synced);

  // Blocks until every job submitted so far is committed.
  void flush();

  bool on_writer_thread() const { return std::this_thread::get_id() == thread_id_; }
  // Committed batches so far; tests use it to see commits being shared.
  std::uint64_t batches() const;
  // The SQLite VM steps of the writing connection so far (database::vm_steps).
  std::uint64_t vm_steps() const { return db_->vm_steps(); }

 private:
  struct job {
    apply_fn apply;
    done_fn done;
    durability d;
  };

  void loop();
  void commit_batch(std::deque<job>& batch);
  // Switches the connection's synchronous mode to what the batch needs.
  void set_durability(durability d);

  std::unique_ptr<database> db_;
  mutable std::mutex mu_;
  std::condition_variable queue_cv_;
  std::condition_variable idle_cv_;
  std::deque<job> pending_;
  bool writing_ = false;
  bool stopping_ = false;
  std::uint64_t batches_ = 0;
  durability mode_ = durability::synced;  // the connection's, writer thread only
  std::thread::id thread_id_;
  std::thread thread_;
};

template <class T>
result<T> writer::call(const std::function<result<T>(database&)>& apply,
                       const std::function<void()>& after_commit, durability d) {
  if (on_writer_thread()) {
    // The job would wait for the very thread that has to run it.
    return make_error("store write from the store's own writer thread");
  }
  // The value only: the error, if any, travels as the job's outcome.
  std::optional<std::conditional_t<std::is_void_v<T>, bool, T>> value;
  std::promise<result<void>> finished;
  auto outcome_future = finished.get_future();
  submit(
      [&](database& db) -> result<void> {
        result<T> r = apply(db);
        if (!r.ok()) {
          return r.err();
        }
        if constexpr (std::is_void_v<T>) {
          value.emplace(true);
        } else {
          value.emplace(std::move(r).value());
        }
        return {};
      },
      [&](result<void> outcome) {
        if (outcome.ok() && after_commit) {
          try {
            after_commit();
          } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch)
            // The write is durable whatever a notification did; the caller
            // must hear so, or it would wait forever.
          }
        }
        finished.set_value(std::move(outcome));
      },
      d);
  result<void> outcome = outcome_future.get();
  if (!outcome.ok()) {
    return outcome.err();
  }
  if constexpr (std::is_void_v<T>) {
    return {};
  } else {
    return std::move(*value);
  }
}

}  // namespace copper::store::sqlite
