// Read connections of the SQLite store. In WAL mode readers never wait for
// the writer (nor for each other), so IMAP sessions on the worker pool read
// in parallel; the pool bounds how many connections (and caches) exist.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/sqlite/db.h"

namespace copper::store::sqlite {

class reader_pool {
 public:
  // `attach`: another database file every connection sees under `schema`.
  struct attachment {
    std::filesystem::path file;
    std::string schema;
  };
  reader_pool(std::filesystem::path file, std::size_t max_connections,
              std::vector<attachment> attach = {});
  reader_pool(const reader_pool&) = delete;
  reader_pool& operator=(const reader_pool&) = delete;

  // A connection for the lease's lifetime; it goes back to the pool after.
  class lease {
   public:
    lease(reader_pool& pool, std::unique_ptr<database> db) : pool_(&pool), db_(std::move(db)) {}
    lease(lease&& other) noexcept = default;
    lease(const lease&) = delete;
    lease& operator=(const lease&) = delete;
    lease& operator=(lease&&) = delete;
    ~lease();

    database& operator*() const { return *db_; }
    database* operator->() const { return db_.get(); }

   private:
    reader_pool* pool_;
    std::unique_ptr<database> db_;
  };

  // Waits while every connection is in use; opens a new one up to the limit.
  lease acquire();

  // The SQLite VM steps of every connection so far (database::vm_steps).
  std::uint64_t vm_steps();

 private:
  void release(std::unique_ptr<database> db);

  std::filesystem::path file_;
  std::vector<attachment> attach_;
  std::size_t max_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<database>> idle_;
  std::size_t open_ = 0;
  std::vector<const database*> opened_;  // live as long as the pool: never closed before
};

}  // namespace copper::store::sqlite
