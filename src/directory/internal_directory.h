// The internal directory backend: users, domains and aliases kept in the store.
#pragma once

#include "directory/directory.h"
#include "store/store.h"

namespace copper::directory {

class internal_directory final : public directory {
 public:
  explicit internal_directory(store::store& store) : store_(store) {}

  bool is_local_domain(std::string_view domain) override;
  resolution resolve(const mail_address& recipient) override;
  std::optional<principal> authenticate(std::string_view user, std::string_view secret) override;
  bool may_send_as(const principal& who, const mail_address& from) override;

  result<void> add_domain(std::string_view domain) override;
  result<void> remove_domain(std::string_view domain) override;
  std::vector<std::string> list_domains() override;
  result<void> add_user(std::string_view address, std::string_view password,
                        std::uint64_t quota_bytes) override;
  result<void> remove_user(std::string_view address) override;
  result<void> set_password(std::string_view address, std::string_view password) override;
  result<void> set_quota(std::string_view address, std::uint64_t quota_bytes) override;
  result<void> set_message_quota(std::string_view address, std::uint64_t quota_messages) override;
  result<void> set_disabled(std::string_view address, bool disabled) override;
  result<void> set_role(std::string_view address, std::string_view role) override;
  std::vector<user_info> list_users(std::string_view domain) override;
  result<void> add_alias(std::string_view alias, const std::vector<std::string>& targets) override;
  result<void> remove_alias(std::string_view alias,
                            const std::vector<std::string>& targets) override;
  std::vector<store::alias_record> list_aliases(std::string_view domain) override;

 private:
  void expand(const std::string& key, int depth, resolution& out, std::vector<std::string>& seen);
  bool expand_exact(const std::string& key, int depth, resolution& out,
                    std::vector<std::string>& seen);

  store::store& store_;
};

// "user+tag@domain" -> "user@domain"; unchanged when there is no tag.
std::string strip_plus_tag(std::string_view key);

}  // namespace copper::directory
