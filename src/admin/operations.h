// Every management operation of Copper, shared by the CLI (app/cli.cpp) and
// the admin API (admin/api.h): validation happens here once, and failures
// are values with a machine code (error::code) and the field at fault
// (error::field): invalid_address, invalid_domain, weak_password,
// invalid_quota, invalid_role, invalid_alias, unknown_domain, not_found,
// exists, not_empty, last_admin. Blocking (store, password hashing): call it off the I/O
// threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "admin/dns_records.h"
#include "config/config.h"
#include "core/result.h"
#include "directory/directory.h"
#include "store/mailbox_store.h"
#include "store/store.h"

namespace copper::admin {

// Quotas beyond these are typing mistakes, not plans (1 PiB, 1e9 messages).
constexpr std::uint64_t max_quota_bytes = 1ull << 50;
constexpr std::uint64_t max_quota_messages = 1'000'000'000;
// A page of the API's listings holds at most this many items (the CLI lists all).
constexpr std::size_t max_page = 500;

struct page {
  std::string query;  // substring filter, may be empty
  std::size_t offset = 0;
  std::size_t limit = 50;
};

template <class T>
struct listing {
  std::vector<T> items;
  std::size_t total = 0;  // matching items, before paging
};

struct domain_view {
  std::string name;
  std::size_t users = 0;
  std::size_t aliases = 0;
};

struct user_view {
  store::account_id id = 0;
  std::string address;
  std::string role;
  bool disabled = false;
  std::uint64_t quota_bytes = 0;
  std::uint64_t used_bytes = 0;
  std::uint64_t quota_messages = 0;
  std::uint64_t used_messages = 0;
};

struct alias_view {
  std::string alias;
  std::vector<std::string> targets;
};

struct new_user {
  std::string address;
  std::string password;
  std::uint64_t quota_bytes = 0;
  std::uint64_t quota_messages = 0;
  std::string role = "user";
};

// Fields absent are left as they are.
struct user_changes {
  std::optional<bool> disabled;
  std::optional<std::uint64_t> quota_bytes;
  std::optional<std::uint64_t> quota_messages;
  std::optional<std::string> password;
  std::optional<std::string> role;
};

struct listener_view {
  std::string protocol;
  std::vector<std::string> endpoints;
};

struct status_view {
  std::string version;
  std::string hostname;
  std::int64_t uptime_seconds = 0;
  std::size_t domains = 0;
  std::size_t accounts = 0;
  std::uint64_t store_bytes = 0;
  std::size_t queue_length = 0;
  std::vector<listener_view> listeners;
};

struct dns_view {
  std::vector<dns_record> records;
  std::string zone;  // exactly what `copper dns-records` prints
};

// Checks shared by the operations and the API's input validation.
result<std::string> check_address(std::string_view address, std::string_view field);
result<std::string> check_domain(std::string_view domain, std::string_view field);
result<void> check_quota_bytes(std::uint64_t bytes, std::string_view field);
result<void> check_quota_messages(std::uint64_t count, std::string_view field);
result<void> check_role(std::string_view role);
result<void> check_new_password(std::string_view password, std::string_view field);

class operations {
 public:
  operations(directory::directory& dir, store::store& store, store::mailbox_store& mailboxes,
             const config::config& cfg);

  // Domains.
  listing<domain_view> list_domains(const page& p);
  result<std::string> add_domain(std::string_view name);
  // Refused with not_empty while the domain has users or aliases.
  result<void> remove_domain(std::string_view name);

  // Users.
  listing<user_view> list_users(std::string_view domain, const page& p);
  result<user_view> get_user(std::string_view address);
  result<user_view> create_user(const new_user& u);
  // A new password or disabling ends the user's web sessions except
  // `keep_session` (the token hash of the session that made the change).
  result<user_view> update_user(std::string_view address, const user_changes& c,
                                std::string_view keep_session = {});
  result<void> remove_user(std::string_view address);

  // Aliases (ALIAS may be "@domain" for a catch-all).
  listing<alias_view> list_aliases(std::string_view domain, const page& p);
  result<alias_view> add_alias(std::string_view alias, const std::vector<std::string>& targets);
  // Every target when `targets` is empty.
  result<void> remove_alias(std::string_view alias, const std::vector<std::string>& targets);

  // Outbound queue.
  listing<store::queued_message> list_queue(const page& p);
  result<void> flush_queue();
  result<void> remove_queued(std::int64_t id);

  // DNS records a domain must publish; works for domains not yet added too.
  result<dns_view> dns(std::string_view domain);
  bool is_local_domain(std::string_view domain);

  status_view status();

 private:
  user_view view_of(const store::account_record& a);
  bool is_last_admin(const user_view& u);

  directory::directory& dir_;
  store::store& store_;
  store::mailbox_store& mailboxes_;
  const config::config& cfg_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

}  // namespace copper::admin
