#include "store/sqlite/db.h"

namespace copper::store::sqlite {
namespace {

[[noreturn]] void fail(sqlite3* db, int rc, std::string_view what) {
  throw db_error(
      std::string(what) + ": " + (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc)),
      db != nullptr ? sqlite3_extended_errcode(db) : rc);
}

// Enough for every distinct statement the store runs on one connection; the
// few built from variable parts beyond that are finalized after use.
constexpr std::size_t max_cached = 96;

}  // namespace

database::database(const std::filesystem::path& file) {
  // Before SQLite initialises (the first open): without the memory
  // statistics no allocation takes the library's global mutex, for which
  // the store's reader, writer and indexer threads would otherwise queue.
  static const int configured = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  (void)configured;
  int rc =
      sqlite3_open_v2(file.c_str(), &db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = "cannot open " + file.string() + ": " +
                      (db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
    sqlite3_close(db_);
    throw db_error(msg, rc);
  }
  sqlite3_busy_timeout(db_, 10'000);
  sqlite3_extended_result_codes(db_, 1);
}

database::~database() {
  for (auto& [sql, stmt] : cached_) {
    sqlite3_finalize(stmt);
  }
  sqlite3_close_v2(db_);
}

void database::exec(const char* sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err != nullptr ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    throw db_error(msg, rc);
  }
}

statement database::prepare(std::string_view sql) {
  if (auto it = cached_.find(std::string(sql)); it != cached_.end()) {
    sqlite3_stmt* stmt = it->second;
    cached_.erase(it);
    return {*this, stmt};
  }
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    fail(db_, rc, "prepare");
  }
  return {*this, stmt};
}

void database::recycle(sqlite3_stmt* stmt) {
  vm_steps_.fetch_add(sqlite3_stmt_status(stmt, SQLITE_STMTSTATUS_VM_STEP, 1),
                      std::memory_order_relaxed);
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  const char* sql = sqlite3_sql(stmt);
  if (sql == nullptr || cached_.size() >= max_cached) {
    sqlite3_finalize(stmt);
    return;
  }
  cached_.emplace(sql, stmt);
}

statement::statement(statement&& other) noexcept : owner_(other.owner_), stmt_(other.stmt_) {
  other.stmt_ = nullptr;
}

statement::~statement() {
  if (stmt_ != nullptr) {
    owner_->recycle(stmt_);
  }
}

statement& statement::bind(int index, std::int64_t value) {
  if (int rc = sqlite3_bind_int64(stmt_, index, value); rc != SQLITE_OK) {
    fail(owner_->db_, rc, "bind");
  }
  return *this;
}

statement& statement::bind(int index, std::string_view text) {
  if (int rc = sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT,
                                   SQLITE_UTF8);
      rc != SQLITE_OK) {
    fail(owner_->db_, rc, "bind");
  }
  return *this;
}

statement& statement::bind_blob(int index, const void* data, std::size_t size) {
  if (int rc = sqlite3_bind_blob64(stmt_, index, data, size, SQLITE_STATIC); rc != SQLITE_OK) {
    fail(owner_->db_, rc, "bind");
  }
  return *this;
}

statement& statement::bind_null(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

bool statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) {
    return true;
  }
  if (rc == SQLITE_DONE) {
    return false;
  }
  sqlite3_reset(stmt_);
  fail(owner_->db_, rc, "step");
}

void statement::run() {
  while (step()) {
  }
}

void statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string statement::text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  return p != nullptr ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)))
                      : std::string();
}

std::string statement::blob(int col) const {
  const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, col));
  return p != nullptr ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)))
                      : std::string();
}

transaction::transaction(database& db) : db_(db) { db_.prepare("BEGIN IMMEDIATE").run(); }

transaction::~transaction() {
  if (!done_) {
    try {
      db_.exec("ROLLBACK");
    } catch (const db_error&) {  // NOLINT(bugprone-empty-catch): nothing more to undo
    }
  }
}

void transaction::commit() {
  db_.prepare("COMMIT").run();
  done_ = true;
}

read_transaction::read_transaction(database& db) : db_(db) { db_.prepare("BEGIN").run(); }

read_transaction::~read_transaction() {
  try {
    db_.prepare("COMMIT").run();
  } catch (const db_error&) {
    // Nothing was written; a pooled connection must not stay inside a transaction.
    try {
      db_.exec("ROLLBACK");
    } catch (const db_error&) {  // NOLINT(bugprone-empty-catch): already out of it
    }
  }
}

}  // namespace copper::store::sqlite
