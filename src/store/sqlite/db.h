// RAII wrappers for SQLite handles: the connection, prepared statements and
// transactions. Errors are thrown as db_error; the store turns them into
// result values at its boundary.
#pragma once

#include <sqlite3.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

namespace copper::store::sqlite {

class db_error : public std::runtime_error {
 public:
  db_error(const std::string& what, int code) : std::runtime_error(what), code_(code) {}
  int code() const { return code_; }
  bool is_constraint() const { return (code_ & 0xff) == SQLITE_CONSTRAINT; }

 private:
  int code_;
};

class statement;

class database {
 public:
  explicit database(const std::filesystem::path& file);
  ~database();
  database(const database&) = delete;
  database& operator=(const database&) = delete;

  // Runs SQL text, several statements allowed (schema, PRAGMAs); not cached.
  void exec(const char* sql);
  // One statement, from the connection's cache when the same text was
  // prepared before: preparing costs more than running most of ours.
  statement prepare(std::string_view sql);
  std::int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
  int changes() const { return sqlite3_changes(db_); }
  sqlite3* handle() const { return db_; }
  // Virtual machine steps of this connection's statements so far (counted
  // as each goes back to the cache): a measure of work that does not depend on the
  // machine, for tests that check a query plan does not walk a mailbox.
  std::uint64_t vm_steps() const { return vm_steps_.load(std::memory_order_relaxed); }

 private:
  friend class statement;
  // Takes a reset statement back into the cache (or finalizes it).
  void recycle(sqlite3_stmt* stmt);

  sqlite3* db_ = nullptr;
  std::atomic<std::uint64_t> vm_steps_ = 0;  // read by other threads (tests)
  // Idle prepared statements by SQL text, at most max_cached in all.
  std::unordered_multimap<std::string, sqlite3_stmt*> cached_;
};

class statement {
 public:
  ~statement();
  statement(statement&& other) noexcept;
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;
  statement& operator=(statement&&) = delete;

  statement& bind(int index, std::int64_t value);
  statement& bind(int index, std::string_view text);
  statement& bind_blob(int index, const void* data, std::size_t size);
  statement& bind_null(int index);

  // Returns true while there is a row to read.
  bool step();
  // Steps a statement that returns no rows.
  void run();
  void reset();

  std::int64_t int64(int col) const { return sqlite3_column_int64(stmt_, col); }
  bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::string text(int col) const;
  std::string blob(int col) const;

 private:
  friend class database;
  statement(database& owner, sqlite3_stmt* stmt) : owner_(&owner), stmt_(stmt) {}

  database* owner_;
  sqlite3_stmt* stmt_ = nullptr;
};

// BEGIN IMMEDIATE ... COMMIT, rolled back if not committed.
class transaction {
 public:
  explicit transaction(database& db);
  ~transaction();
  transaction(const transaction&) = delete;
  transaction& operator=(const transaction&) = delete;
  void commit();

 private:
  database& db_;
  bool done_ = false;
};

// BEGIN ... COMMIT around several reads: in WAL mode they then see one
// snapshot, and the writer is never blocked by them.
class read_transaction {
 public:
  explicit read_transaction(database& db);
  ~read_transaction();
  read_transaction(const read_transaction&) = delete;
  read_transaction& operator=(const read_transaction&) = delete;

 private:
  database& db_;
};

}  // namespace copper::store::sqlite
