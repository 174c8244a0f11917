// The embedded store backend: one SQLite file in WAL mode under data_dir.
// Every write (deliveries, mailbox changes, management) runs on one writer
// thread that commits whatever has queued up in one transaction (group
// commit, store/sqlite/writer.h); reads use a small pool of connections that
// WAL keeps from blocking on the writer.
#pragma once

#include <filesystem>
#include <utility>
#include <vector>

#include "store/mailbox_store.h"
#include "store/sqlite/reader_pool.h"
#include "store/sqlite/search_index.h"
#include "store/sqlite/writer.h"
#include "store/stats.h"
#include "store/store.h"

namespace copper::store::sqlite {

class sqlite_store final : public store, public mailbox_store, public stats_store {
 public:
  // Opens (creating if needed) data_dir/copper.db and migrates its schema.
  explicit sqlite_store(const std::filesystem::path& data_dir);
  ~sqlite_store() override;
  sqlite_store(const sqlite_store&) = delete;
  sqlite_store& operator=(const sqlite_store&) = delete;

  // --- store (sqlite_store.cpp, delivery.cpp) ---
  result<void> add_domain(std::string_view name) override;
  result<void> remove_domain(std::string_view name) override;
  std::vector<std::string> list_domains() override;
  bool has_domain(std::string_view name) override;

  result<account_id> add_account(std::string_view address, std::string_view password_hash,
                                 std::uint64_t quota_bytes) override;
  result<void> remove_account(std::string_view address) override;
  result<void> set_password_hash(std::string_view address, std::string_view hash) override;
  result<void> set_quota(std::string_view address, std::uint64_t quota_bytes) override;
  result<void> set_message_quota(std::string_view address, std::uint64_t quota_messages) override;
  std::optional<account_record> find_account(std::string_view address) override;
  result<void> set_disabled(std::string_view address, bool disabled) override;
  result<void> set_role(std::string_view address, std::string_view role) override;
  std::vector<account_record> list_accounts(std::string_view domain) override;
  std::uint64_t account_usage(account_id id) override;
  result<void> check_quota(account_id id, std::uint64_t bytes, std::uint64_t messages) override;

  result<void> add_alias(std::string_view source, std::string_view target) override;
  result<void> remove_alias(std::string_view source, std::string_view target) override;
  std::vector<std::string> alias_targets(std::string_view source) override;
  std::vector<alias_record> list_aliases(std::string_view domain) override;
  std::vector<std::string> aliases_of(std::string_view target) override;

  // (web_sessions.cpp)
  result<void> add_web_session(const web_session& session) override;
  std::optional<web_session> find_web_session(std::string_view token_sha256) override;
  result<void> touch_web_session(std::string_view token_sha256, std::int64_t now) override;
  result<void> remove_web_session(std::string_view token_sha256) override;
  result<void> remove_web_sessions(account_id account, std::string_view keep) override;

  void submit_delivery(delivery_request request, std::function<void(result<void>)> done) override;

  std::vector<queued_message> list_queue() override;
  result<void> remove_queued(std::int64_t id) override;
  result<void> retry_all_now() override;

  std::vector<message_summary> list_messages(account_id account, std::string_view mailbox) override;
  std::optional<std::string> read_message(std::int64_t message_id) override;

  void flush() override;

  // --- stats_store (stats.cpp) ---
  result<void> add_stats_sample(const stats_sample& sample) override;
  std::vector<stats_hour> stats_hours(std::int64_t now, unsigned hours) override;

  // --- mailbox_store (mailboxes.cpp, messages.cpp, flags.cpp) ---
  change_bus& changes() override { return bus_; }

  std::vector<mailbox_info> list_mailboxes(account_id account) override;
  std::optional<mailbox_info> find_mailbox(account_id account, std::string_view name) override;
  result<mailbox_id> create_mailbox(account_id account, std::string_view name,
                                    std::string_view special_use) override;
  result<void> delete_mailbox(account_id account, std::string_view name) override;
  result<void> rename_mailbox(account_id account, std::string_view from,
                              std::string_view to) override;
  result<void> subscribe(account_id account, std::string_view name, bool on) override;
  std::vector<std::string> subscriptions(account_id account) override;

  std::vector<message_meta> messages(mailbox_id mailbox) override;
  selection select_view(mailbox_id mailbox) override;
  std::vector<message_meta> messages(mailbox_id mailbox,
                                     const std::vector<std::uint32_t>& uids) override;
  mailbox_changes changes_since(mailbox_id mailbox, std::uint64_t modseq) override;
  std::optional<std::uint64_t> highestmodseq(mailbox_id mailbox) override;
  std::optional<std::string> read_blob(std::int64_t blob_id) override;
  // (search.cpp)
  std::optional<message_structure> read_summary(std::int64_t message_id) override;
  std::vector<std::optional<std::string>> read_blobs(
      const std::vector<std::int64_t>& blob_ids) override;
  std::vector<std::optional<message_structure>> read_summaries(
      const std::vector<std::int64_t>& message_ids) override;
  std::vector<std::string> read_headers(const std::vector<std::int64_t>& blob_ids) override;
  std::vector<std::uint32_t> search_text(mailbox_id mailbox, text_field field,
                                         std::string_view needle) override;

  result<append_result> append(account_id account, mailbox_id mailbox, std::string_view data,
                               const std::vector<std::string>& flags,
                               std::int64_t internal_date) override;
  result<multi_append_result> append_all(account_id account, mailbox_id mailbox,
                                         const std::vector<append_request>& messages) override;
  quota_usage quota(account_id account) override;
  result<flag_result> store_flags(mailbox_id mailbox, const std::vector<std::uint32_t>& uids,
                                  flag_operation op, const std::vector<std::string>& flags,
                                  std::uint64_t unchangedsince) override;
  result<copy_result> copy(mailbox_id from, const std::vector<std::uint32_t>& uids,
                           mailbox_id to) override;
  result<copy_result> move(mailbox_id from, const std::vector<std::uint32_t>& uids,
                           mailbox_id to) override;
  result<std::vector<std::uint32_t>> expunge(mailbox_id mailbox,
                                             const std::vector<std::uint32_t>& uids) override;

  // Committed write batches so far (tests check that writers share commits).
  std::uint64_t write_batches() const { return writer_.batches(); }
  // Blocks until the search index has caught up (tests).
  void wait_until_indexed() { index_.wait_until_indexed(); }
  // SQLite VM steps of the store's connections so far: tests check with it
  // that a call does not walk a whole mailbox, whatever plan SQLite picks.
  std::uint64_t vm_steps() { return readers_.vm_steps() + writer_.vm_steps(); }

 private:
  // Mailboxes a write touched, announced on the bus once it is committed.
  using touched_list = std::vector<std::pair<account_id, mailbox_id>>;

  // Runs `apply` as one job of the writer and waits for its commit; the
  // mailboxes it adds to `touched` are published after the commit, from the
  // writer thread, before this returns.
  template <class T>
  result<T> write(const std::function<result<T>(database&, touched_list&)>& apply,
                  durability d = durability::synced) {
    touched_list touched;
    return writer_.call<T>([&](database& db) { return apply(db, touched); },
                           [&] { publish(touched); }, d);
  }
  void publish(const touched_list& touched);
  // Summarises and indexes the blobs that messages use and that have no
  // summary yet (stored before schema 3), in batches; runs when the store opens.
  void backfill_index();

  result<copy_result> copy_or_move(mailbox_id from, const std::vector<std::uint32_t>& uids,
                                   mailbox_id to, bool expunge_source);

  std::filesystem::path file_;
  change_bus bus_;  // outlives writer_, whose thread publishes
  reader_pool readers_;
  writer writer_;       // its destructor commits pending jobs while the rest still exists
  search_index index_;  // last: its thread uses the readers and the writer
};

}  // namespace copper::store::sqlite
