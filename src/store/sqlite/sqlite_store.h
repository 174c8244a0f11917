// The embedded store backend: one SQLite file in WAL mode under data_dir.
// Management and reads use one connection behind a mutex; deliveries go to a
// writer thread that commits whatever has queued up in one transaction
// (group commit), so concurrent deliveries share one fsync.
#pragma once

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>
#include <thread>

#include "store/sqlite/db.h"
#include "store/store.h"

namespace copper::store::sqlite {

class sqlite_store final : public store {
 public:
  // Opens (creating if needed) data_dir/copper.db and migrates its schema.
  explicit sqlite_store(const std::filesystem::path& data_dir);
  ~sqlite_store() override;

  result<void> add_domain(std::string_view name) override;
  result<void> remove_domain(std::string_view name) override;
  std::vector<std::string> list_domains() override;
  bool has_domain(std::string_view name) override;

  result<account_id> add_account(std::string_view address, std::string_view password_hash,
                                 std::uint64_t quota_bytes) override;
  result<void> remove_account(std::string_view address) override;
  result<void> set_password_hash(std::string_view address, std::string_view hash) override;
  result<void> set_quota(std::string_view address, std::uint64_t quota_bytes) override;
  std::optional<account_record> find_account(std::string_view address) override;
  std::vector<account_record> list_accounts(std::string_view domain) override;
  std::uint64_t account_usage(account_id id) override;

  result<void> add_alias(std::string_view source, std::string_view target) override;
  result<void> remove_alias(std::string_view source, std::string_view target) override;
  std::vector<std::string> alias_targets(std::string_view source) override;
  std::vector<alias_record> list_aliases(std::string_view domain) override;
  std::vector<std::string> aliases_of(std::string_view target) override;

  void submit_delivery(delivery_request request, std::function<void(result<void>)> done) override;

  std::vector<queued_message> list_queue() override;
  result<void> remove_queued(std::int64_t id) override;
  result<void> retry_all_now() override;

  std::vector<message_summary> list_messages(account_id account, std::string_view mailbox) override;
  std::optional<std::string> read_message(std::int64_t message_id) override;
  std::vector<std::string> list_mailboxes(account_id account) override;

  void flush() override;

 private:
  struct delivery_job {
    delivery_request request;
    std::function<void(result<void>)> done;
  };

  void writer_loop();
  void commit_batch(database& db, std::deque<delivery_job>& batch);

  std::filesystem::path file_;
  std::mutex mu_;  // guards db_
  database db_;

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::condition_variable idle_cv_;
  std::deque<delivery_job> pending_;
  bool writing_ = false;
  bool stopping_ = false;
  std::thread writer_;
};

}  // namespace copper::store::sqlite
