#include "store/sqlite/reader_pool.h"

#include <utility>

#include "store/sqlite/connection.h"

namespace copper::store::sqlite {

reader_pool::reader_pool(std::filesystem::path file, std::size_t max_connections,
                         std::vector<attachment> attach)
    : file_(std::move(file)), attach_(std::move(attach)), max_(max_connections) {}

reader_pool::lease::~lease() {
  if (db_) {
    pool_->release(std::move(db_));
  }
}

reader_pool::lease reader_pool::acquire() {
  {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !idle_.empty() || open_ < max_; });
    if (!idle_.empty()) {
      auto db = std::move(idle_.back());
      idle_.pop_back();
      return {*this, std::move(db)};
    }
    ++open_;
  }
  // Opened outside the lock: the pragmas touch the file.
  try {
    auto db = std::make_unique<database>(file_);
    configure(*db);
    for (const auto& a : attach_) {
      db->prepare("ATTACH DATABASE ? AS " + a.schema).bind(1, a.file.string()).run();
    }
    // Every write goes through the writer; a write here would be a bug.
    db->exec("PRAGMA query_only = ON");
    {
      std::lock_guard lock(mu_);
      opened_.push_back(db.get());
    }
    return {*this, std::move(db)};
  } catch (...) {
    std::lock_guard lock(mu_);
    --open_;
    cv_.notify_one();
    throw;
  }
}

std::uint64_t reader_pool::vm_steps() {
  std::lock_guard lock(mu_);
  std::uint64_t sum = 0;
  for (const database* db : opened_) {
    sum += db->vm_steps();
  }
  return sum;
}

void reader_pool::release(std::unique_ptr<database> db) {
  {
    std::lock_guard lock(mu_);
    idle_.push_back(std::move(db));
  }
  cv_.notify_one();
}

}  // namespace copper::store::sqlite
