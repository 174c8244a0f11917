#include "directory/internal_directory.h"

#include <algorithm>

#include "directory/password.h"

namespace copper::directory {
namespace {

// Alias chains longer than this are configuration loops or abuse.
constexpr int max_alias_depth = 8;

result<std::string> canonical(std::string_view address) {
  auto parsed = parse_mailbox(address);
  if (!parsed) {
    return make_error("invalid address '" + std::string(address) + "': " + parsed.err().message);
  }
  if (parsed->domain.front() == '[') {
    return make_error("invalid address '" + std::string(address) + "': address literal");
  }
  return parsed->key();
}

// An alias source is an address, or "@domain" for a catch-all.
result<std::string> canonical_alias_source(std::string_view alias) {
  if (!alias.empty() && alias.front() == '@') {
    auto dom = normalize_domain(alias.substr(1));
    if (!dom) {
      return make_error("invalid catch-all '" + std::string(alias) + "': " + dom.err().message);
    }
    return "@" + *dom;
  }
  return canonical(alias);
}

std::string domain_part(std::string_view key) {
  return std::string(key.substr(key.rfind('@') + 1));
}

// An alias target as stored: the key form for a local address (accounts and
// aliases are looked up by it), the wire form for a remote one, whose local
// part only the remote host may interpret (RFC 5321 2.4: case and quoting kept).
result<std::string> canonical_target(store::store& store, std::string_view address) {
  auto key = canonical(address);
  if (!key || store.has_domain(domain_part(*key))) {
    return key;
  }
  return parse_mailbox(address)->wire();
}

}  // namespace

std::string strip_plus_tag(std::string_view key) {
  auto at = key.rfind('@');
  auto plus = key.substr(0, at).find('+');
  if (at == std::string_view::npos || plus == std::string_view::npos || plus == 0) {
    return std::string(key);
  }
  return std::string(key.substr(0, plus)) + std::string(key.substr(at));
}

bool internal_directory::is_local_domain(std::string_view domain) {
  return store_.has_domain(domain);
}

bool internal_directory::expand_exact(const std::string& key, int depth, resolution& out,
                                      std::vector<std::string>& seen) {
  if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
    return true;  // already expanded: a loop or a duplicate target
  }
  seen.push_back(key);
  if (auto acct = store_.find_account(key)) {
    if (std::find(out.accounts.begin(), out.accounts.end(), acct->id) == out.accounts.end()) {
      out.accounts.push_back(acct->id);
    }
    return true;
  }
  auto targets = store_.alias_targets(key);
  if (targets.empty()) {
    return false;
  }
  for (const auto& t : targets) {
    expand(t, depth + 1, out, seen);
  }
  return true;
}

void internal_directory::expand(const std::string& key, int depth, resolution& out,
                                std::vector<std::string>& seen) {
  if (depth > max_alias_depth) {
    return;
  }
  if (!store_.has_domain(domain_part(key))) {
    if (std::find(out.forward.begin(), out.forward.end(), key) == out.forward.end()) {
      out.forward.push_back(key);
    }
    return;
  }
  if (expand_exact(key, depth, out, seen)) {
    return;
  }
  std::string base = strip_plus_tag(key);
  if (base != key && expand_exact(base, depth, out, seen)) {
    return;
  }
  // The domain's catch-all. Appended, not "@" + ...: GCC 12 at -O3 warns
  // (-Wrestrict, GCC bug 105329) on inserting at the front.
  std::string catch_all = "@";
  catch_all += domain_part(key);
  expand_exact(catch_all, depth, out, seen);
}

resolution internal_directory::resolve(const mail_address& recipient) {
  resolution out;
  if (recipient.domain.empty() || recipient.domain.front() == '[' ||
      !store_.has_domain(recipient.domain)) {
    out.kind = resolution::outcome::not_local;
    return out;
  }
  std::vector<std::string> seen;
  expand(recipient.key(), 0, out, seen);
  out.kind = out.accounts.empty() && out.forward.empty() ? resolution::outcome::unknown_user
                                                         : resolution::outcome::local;
  return out;
}

std::optional<principal> internal_directory::authenticate(std::string_view user,
                                                          std::string_view secret) {
  auto key = canonical(user);
  if (!key) {
    return std::nullopt;
  }
  auto acct = store_.find_account(*key);
  if (!acct) {
    // Hash anyway so that timing does not reveal which accounts exist.
    static const std::string dummy = hash_password("timing-equaliser").value();
    verify_password(secret, dummy);
    return std::nullopt;
  }
  if (acct->disabled || !verify_password(secret, acct->password_hash)) {
    return std::nullopt;
  }
  return principal{acct->id, acct->address};
}

bool internal_directory::may_send_as(const principal& who, const mail_address& from) {
  std::string key = from.key();
  if (key == who.address || strip_plus_tag(key) == who.address) {
    return true;
  }
  for (const std::string& candidate : {key, strip_plus_tag(key)}) {
    auto targets = store_.alias_targets(candidate);
    if (std::find(targets.begin(), targets.end(), who.address) != targets.end()) {
      return true;
    }
  }
  return false;
}

result<void> internal_directory::add_domain(std::string_view domain) {
  auto dom = normalize_domain(domain);
  if (!dom) {
    return make_error("invalid domain '" + std::string(domain) + "': " + dom.err().message);
  }
  return store_.add_domain(*dom);
}

result<void> internal_directory::remove_domain(std::string_view domain) {
  auto dom = normalize_domain(domain);
  if (!dom) {
    return make_error("invalid domain '" + std::string(domain) + "': " + dom.err().message);
  }
  return store_.remove_domain(*dom);
}

std::vector<std::string> internal_directory::list_domains() { return store_.list_domains(); }

result<void> internal_directory::add_user(std::string_view address, std::string_view password,
                                          std::uint64_t quota_bytes) {
  auto key = canonical(address);
  if (!key) {
    return key.err();
  }
  if (auto policy = check_password_policy(password); !policy) {
    return policy;
  }
  if (!store_.alias_targets(*key).empty()) {
    return make_error(*key + " is already an alias");
  }
  auto hash = hash_password(password);
  if (!hash) {
    return hash.err();
  }
  auto id = store_.add_account(*key, *hash, quota_bytes);
  if (!id) {
    return id.err();
  }
  return {};
}

result<void> internal_directory::remove_user(std::string_view address) {
  auto key = canonical(address);
  if (!key) {
    return key.err();
  }
  return store_.remove_account(*key);
}

result<void> internal_directory::set_password(std::string_view address, std::string_view password) {
  auto key = canonical(address);
  if (!key) {
    return key.err();
  }
  if (auto policy = check_password_policy(password); !policy) {
    return policy;
  }
  auto hash = hash_password(password);
  if (!hash) {
    return hash.err();
  }
  return store_.set_password_hash(*key, *hash);
}

result<void> internal_directory::set_quota(std::string_view address, std::uint64_t quota_bytes) {
  auto key = canonical(address);
  if (!key) {
    return key.err();
  }
  return store_.set_quota(*key, quota_bytes);
}

result<void> internal_directory::set_message_quota(std::string_view address,
                                                   std::uint64_t quota_messages) {
  auto key = canonical(address);
  if (!key) {
    return key.err();
  }
  return store_.set_message_quota(*key, quota_messages);
}

result<void> internal_directory::set_disabled(std::string_view address, bool disabled) {
  auto key = canonical(address);
  if (!key) {
    return key.err();
  }
  return store_.set_disabled(*key, disabled);
}

result<void> internal_directory::set_role(std::string_view address, std::string_view role) {
  auto key = canonical(address);
  if (!key) {
    return key.err();
  }
  if (role != "user" && role != "admin") {
    return make_error("role must be user or admin", "invalid_role", "role");
  }
  return store_.set_role(*key, role);
}

std::vector<user_info> internal_directory::list_users(std::string_view domain) {
  std::vector<user_info> out;
  for (const auto& a : store_.list_accounts(domain)) {
    out.push_back({a.address, a.quota_bytes, store_.account_usage(a.id), a.disabled, a.role});
  }
  return out;
}

result<void> internal_directory::add_alias(std::string_view alias,
                                           const std::vector<std::string>& targets) {
  auto source = canonical_alias_source(alias);
  if (!source) {
    return source.err();
  }
  if (targets.empty()) {
    return make_error("an alias needs at least one target address");
  }
  if (store_.find_account(*source)) {
    return make_error(*source + " is a user; an alias cannot shadow it");
  }
  std::vector<std::string> keys;
  for (const auto& t : targets) {
    auto key = canonical_target(store_, t);
    if (!key) {
      return key.err();
    }
    if (*key == *source) {
      return make_error("an alias cannot point to itself");
    }
    keys.push_back(*key);
  }
  for (const auto& key : keys) {
    if (auto r = store_.add_alias(*source, key); !r) {
      return r;
    }
  }
  return {};
}

result<void> internal_directory::remove_alias(std::string_view alias,
                                              const std::vector<std::string>& targets) {
  auto source = canonical_alias_source(alias);
  if (!source) {
    return source.err();
  }
  if (targets.empty()) {
    return store_.remove_alias(*source, "");
  }
  for (const auto& t : targets) {
    auto key = canonical_target(store_, t);
    if (!key) {
      return key.err();
    }
    if (auto r = store_.remove_alias(*source, *key); !r) {
      return r;
    }
  }
  return {};
}

std::vector<store::alias_record> internal_directory::list_aliases(std::string_view domain) {
  return store_.list_aliases(domain);
}

}  // namespace copper::directory
