// The store's model interface (ARCHITECTURE.md "Store"): what the protocol
// and service layers may ask of durable state. Backends live in store/sqlite/
// (and later store/mariadb/); nothing above this header knows which one runs.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace copper::store {

using account_id = std::int64_t;

struct account_record {
  account_id id = 0;
  std::string address;  // canonical key form, lower case
  std::string password_hash;
  std::uint64_t quota_bytes = 0;  // 0 = unlimited
  bool disabled = false;
  std::uint64_t quota_messages = 0;  // 0 = unlimited
  std::string role = "user";         // "user" or "admin" (the admin portal)
};

// A logged-in session of the admin portal (admin/sessions.h). The token
// itself is never stored, only its SHA-256 (hex).
struct web_session {
  std::string token_sha256;
  account_id account = 0;
  std::string csrf_token;
  std::int64_t created = 0;  // unix seconds
  std::int64_t last_seen = 0;
  std::int64_t expires = 0;  // absolute end, whatever the activity
  std::string address;       // the account's, filled in by find_web_session
};

// An account's quota root (RFC 9208: one root "" per account), its limits
// and what is used, as kept in the account's counters.
struct quota_usage {
  std::uint64_t used_bytes = 0;
  std::uint64_t used_messages = 0;
  std::uint64_t quota_bytes = 0;     // 0 = unlimited
  std::uint64_t quota_messages = 0;  // 0 = unlimited
};

struct alias_record {
  std::string source;  // "user@domain", or "@domain" for a catch-all
  std::string target;
};

struct outbound_recipient {
  std::string address;
  std::string notify;  // RFC 3461 NOTIFY parameter as given, may be empty
  std::string orcpt;   // RFC 3461 ORCPT parameter as given, may be empty
};

// One message accepted by the delivery pipeline: stored once, linked into the
// INBOX of every local account, and queued once for all remote recipients.
struct delivery_request {
  std::string data;
  std::vector<account_id> local_accounts;
  std::string sender;  // reverse-path; empty for the null sender
  std::vector<outbound_recipient> remote;
  std::string envid;             // RFC 3461 ENVID
  std::string ret;               // RFC 3461 RET
  std::int64_t received_at = 0;  // unix seconds
};

struct queued_message {
  std::int64_t id = 0;
  std::string sender;
  std::vector<std::string> recipients;
  std::uint64_t size = 0;
  std::int64_t created = 0;
  std::int64_t next_attempt = 0;
  unsigned attempts = 0;
  std::string last_error;
};

struct message_summary {
  std::int64_t id = 0;
  std::uint32_t uid = 0;
  std::uint64_t size = 0;
  std::int64_t internal_date = 0;
};

class store {
 public:
  virtual ~store() = default;

  // Domains.
  virtual result<void> add_domain(std::string_view name) = 0;
  virtual result<void> remove_domain(std::string_view name) = 0;
  virtual std::vector<std::string> list_domains() = 0;
  virtual bool has_domain(std::string_view name) = 0;

  // Accounts; `address` is always in canonical key form.
  virtual result<account_id> add_account(std::string_view address, std::string_view password_hash,
                                         std::uint64_t quota_bytes) = 0;
  virtual result<void> remove_account(std::string_view address) = 0;
  virtual result<void> set_password_hash(std::string_view address, std::string_view hash) = 0;
  virtual result<void> set_quota(std::string_view address, std::uint64_t quota_bytes) = 0;
  virtual result<void> set_message_quota(std::string_view address,
                                         std::uint64_t quota_messages) = 0;
  virtual std::optional<account_record> find_account(std::string_view address) = 0;
  // Disabling also ends the account's web sessions.
  virtual result<void> set_disabled(std::string_view address, bool disabled) = 0;
  virtual result<void> set_role(std::string_view address, std::string_view role) = 0;
  virtual std::vector<account_record> list_accounts(std::string_view domain) = 0;
  virtual std::uint64_t account_usage(account_id id) = 0;
  // Refused with code "OVERQUOTA" when adding `bytes` in `messages` more
  // messages would take the account past either quota (RFC 9208 semantics:
  // usage is every mailbox).
  virtual result<void> check_quota(account_id id, std::uint64_t bytes, std::uint64_t messages) = 0;

  // Aliases: one source to many targets.
  virtual result<void> add_alias(std::string_view source, std::string_view target) = 0;
  // Removes one target, or every target when `target` is empty.
  virtual result<void> remove_alias(std::string_view source, std::string_view target) = 0;
  virtual std::vector<std::string> alias_targets(std::string_view source) = 0;
  virtual std::vector<alias_record> list_aliases(std::string_view domain) = 0;
  // Alias sources that name `target` among their targets.
  virtual std::vector<std::string> aliases_of(std::string_view target) = 0;

  // Web sessions of the admin portal. Adding one also drops sessions whose
  // absolute expiry has passed.
  virtual result<void> add_web_session(const web_session& session) = 0;
  virtual std::optional<web_session> find_web_session(std::string_view token_sha256) = 0;
  virtual result<void> touch_web_session(std::string_view token_sha256, std::int64_t now) = 0;
  virtual result<void> remove_web_session(std::string_view token_sha256) = 0;
  // Every session of `account` except the one `keep` names (may be empty).
  virtual result<void> remove_web_sessions(account_id account, std::string_view keep) = 0;

  // Delivery. `done` runs on a store thread once the message is on stable
  // storage (or failed); concurrent deliveries share one commit.
  virtual void submit_delivery(delivery_request request,
                               std::function<void(result<void>)> done) = 0;

  // Outbound queue.
  virtual std::vector<queued_message> list_queue() = 0;
  virtual result<void> remove_queued(std::int64_t id) = 0;
  virtual result<void> retry_all_now() = 0;

  // Reading delivered messages back by mailbox name. Protocols use
  // mailbox_store (store/mailbox_store.h), whose list_mailboxes replaces the
  // name list that was here (one class cannot override both).
  virtual std::vector<message_summary> list_messages(account_id account,
                                                     std::string_view mailbox) = 0;
  virtual std::optional<std::string> read_message(std::int64_t message_id) = 0;

  // Blocks until every submitted delivery is committed.
  virtual void flush() = 0;
};

}  // namespace copper::store
