#include "store/sqlite/db.h"

namespace copper::store::sqlite {
namespace {

[[noreturn]] void fail(sqlite3* db, int rc, std::string_view what) {
  throw db_error(
      std::string(what) + ": " + (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc)),
      db != nullptr ? sqlite3_extended_errcode(db) : rc);
}

}  // namespace

database::database(const std::filesystem::path& file) {
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

database::~database() { sqlite3_close_v2(db_); }

void database::exec(const char* sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err != nullptr ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    throw db_error(msg, rc);
  }
}

statement database::prepare(std::string_view sql) { return {db_, sql}; }

statement::statement(sqlite3* db, std::string_view sql) : db_(db) {
  int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr);
  if (rc != SQLITE_OK) {
    fail(db, rc, "prepare");
  }
}

statement::statement(statement&& other) noexcept : db_(other.db_), stmt_(other.stmt_) {
  other.stmt_ = nullptr;
}

statement::~statement() { sqlite3_finalize(stmt_); }

statement& statement::bind(int index, std::int64_t value) {
  if (int rc = sqlite3_bind_int64(stmt_, index, value); rc != SQLITE_OK) {
    fail(db_, rc, "bind");
  }
  return *this;
}

statement& statement::bind(int index, std::string_view text) {
  if (int rc = sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT,
                                   SQLITE_UTF8);
      rc != SQLITE_OK) {
    fail(db_, rc, "bind");
  }
  return *this;
}

statement& statement::bind_blob(int index, const void* data, std::size_t size) {
  if (int rc = sqlite3_bind_blob64(stmt_, index, data, size, SQLITE_STATIC); rc != SQLITE_OK) {
    fail(db_, rc, "bind");
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
  fail(db_, rc, "step");
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

transaction::transaction(database& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }

transaction::~transaction() {
  if (!done_) {
    try {
      db_.exec("ROLLBACK");
    } catch (const db_error&) {  // NOLINT(bugprone-empty-catch): nothing more to undo
    }
  }
}

void transaction::commit() {
  db_.exec("COMMIT");
  done_ = true;
}

read_transaction::read_transaction(database& db) : db_(db) { db_.exec("BEGIN"); }

read_transaction::~read_transaction() {
  try {
    db_.exec("COMMIT");
  } catch (const db_error&) {
    // Nothing was written; a pooled connection must not stay inside a transaction.
    try {
      db_.exec("ROLLBACK");
    } catch (const db_error&) {  // NOLINT(bugprone-empty-catch): already out of it
    }
  }
}

}  // namespace copper::store::sqlite
