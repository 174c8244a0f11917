// The directory (ARCHITECTURE.md "Directory"): who may log in, where an
// address delivers, and the management of domains, users and aliases. The
// internal backend keeps it in the store; an LDAP backend comes later.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/address.h"
#include "core/result.h"
#include "store/store.h"

namespace copper::directory {

struct principal {
  store::account_id id = 0;
  std::string address;
};

struct resolution {
  enum class outcome { local, unknown_user, not_local };
  outcome kind = outcome::not_local;
  std::vector<store::account_id> accounts;  // local mailboxes, without duplicates
  std::vector<std::string> forward;         // remote targets of aliases
};

struct user_info {
  std::string address;
  std::uint64_t quota_bytes = 0;
  std::uint64_t used_bytes = 0;
  bool disabled = false;
  std::string role = "user";
};

class directory {
 public:
  virtual ~directory() = default;

  virtual bool is_local_domain(std::string_view domain) = 0;
  virtual resolution resolve(const mail_address& recipient) = 0;
  // Slow by design (password hashing): call it off the I/O threads.
  virtual std::optional<principal> authenticate(std::string_view user, std::string_view secret) = 0;
  // The addresses a user may use as the envelope sender: their own (with any
  // +tag) and the aliases that deliver to them.
  virtual bool may_send_as(const principal& who, const mail_address& from) = 0;

  // Management, used by admin/operations.h (shared by the CLI and the admin API).
  virtual result<void> add_domain(std::string_view domain) = 0;
  virtual result<void> remove_domain(std::string_view domain) = 0;
  virtual std::vector<std::string> list_domains() = 0;
  virtual result<void> add_user(std::string_view address, std::string_view password,
                                std::uint64_t quota_bytes) = 0;
  virtual result<void> remove_user(std::string_view address) = 0;
  virtual result<void> set_password(std::string_view address, std::string_view password) = 0;
  virtual result<void> set_quota(std::string_view address, std::uint64_t quota_bytes) = 0;
  // The message-count quota (RFC 9208 MESSAGE resource), 0 = unlimited.
  virtual result<void> set_message_quota(std::string_view address,
                                         std::uint64_t quota_messages) = 0;
  // A disabled user cannot authenticate anywhere but still receives mail.
  virtual result<void> set_disabled(std::string_view address, bool disabled) = 0;
  // "user" or "admin" (the admin portal's roles).
  virtual result<void> set_role(std::string_view address, std::string_view role) = 0;
  virtual std::vector<user_info> list_users(std::string_view domain) = 0;
  virtual result<void> add_alias(std::string_view alias,
                                 const std::vector<std::string>& targets) = 0;
  virtual result<void> remove_alias(std::string_view alias,
                                    const std::vector<std::string>& targets) = 0;
  virtual std::vector<store::alias_record> list_aliases(std::string_view domain) = 0;
};

}  // namespace copper::directory
