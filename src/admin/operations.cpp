#include "admin/operations.h"

#include <algorithm>
#include <filesystem>
#include <map>

#include "core/address.h"
#include "directory/password.h"

#ifndef COPPER_VERSION
#define COPPER_VERSION "0.1.0"
#endif

namespace copper::admin {
namespace {

// Errors the layers below report without a code keep their message; the
// API answers them as a generic 400.
error with_code(error e, std::string_view code, std::string_view field = {}) {
  if (e.code.empty()) {
    e.code = code;
  }
  if (e.field.empty()) {
    e.field = field;
  }
  return e;
}

template <class T, class Keep>
listing<T> paged(std::vector<T> all, const page& p, Keep keep) {
  listing<T> out;
  std::size_t limit = p.limit;
  for (auto& item : all) {
    if (!keep(item)) {
      continue;
    }
    if (out.total >= p.offset && out.items.size() < limit) {
      out.items.push_back(std::move(item));
    }
    ++out.total;
  }
  return out;
}

bool contains(std::string_view haystack, std::string_view needle) {
  return needle.empty() ||
         to_lower_ascii(haystack).find(to_lower_ascii(needle)) != std::string::npos;
}

std::string domain_of(std::string_view key) { return std::string(key.substr(key.rfind('@') + 1)); }

// An alias source: an address, or "@domain" for a catch-all.
result<std::string> check_alias_source(std::string_view alias) {
  if (!alias.empty() && alias.front() == '@') {
    auto dom = normalize_domain(alias.substr(1));
    if (!dom) {
      return make_error("invalid catch-all '" + std::string(alias) + "': " + dom.err().message,
                        "invalid_alias", "alias");
    }
    return "@" + *dom;
  }
  auto key = check_address(alias, "alias");
  if (!key) {
    return make_error(key.err().message, "invalid_alias", "alias");
  }
  return key;
}

std::uint64_t file_bytes(const std::filesystem::path& dir) {
  std::uint64_t total = 0;
  for (const char* name : {"copper.db", "copper.db-wal", "copper.db-shm"}) {
    std::error_code ec;
    auto size = std::filesystem::file_size(dir / name, ec);
    total += ec ? 0 : size;
  }
  return total;
}

}  // namespace

result<std::string> check_address(std::string_view address, std::string_view field) {
  std::string f(field);
  if (address.size() > 254) {
    return make_error("address too long (at most 254 octets)", "invalid_address", f);
  }
  auto parsed = parse_mailbox(address);
  if (!parsed) {
    return make_error("invalid address '" + std::string(address) + "': " + parsed.err().message,
                      "invalid_address", f);
  }
  if (parsed->domain.front() == '[') {
    return make_error("invalid address '" + std::string(address) + "': address literal",
                      "invalid_address", f);
  }
  return parsed->key();
}

result<std::string> check_domain(std::string_view domain, std::string_view field) {
  auto dom = normalize_domain(domain);
  if (!dom) {
    return make_error("invalid domain '" + std::string(domain) + "': " + dom.err().message,
                      "invalid_domain", std::string(field));
  }
  return dom;
}

result<void> check_quota_bytes(std::uint64_t bytes, std::string_view field) {
  if (bytes > max_quota_bytes) {
    return make_error("quota too large (at most 1 PiB; 0 = unlimited)", "invalid_quota",
                      std::string(field));
  }
  return {};
}

result<void> check_quota_messages(std::uint64_t count, std::string_view field) {
  if (count > max_quota_messages) {
    return make_error("message quota too large (at most 1000000000; 0 = unlimited)",
                      "invalid_quota", std::string(field));
  }
  return {};
}

result<void> check_role(std::string_view role) {
  if (role != "user" && role != "admin") {
    return make_error(R"(role must be "user" or "admin")", "invalid_role", "role");
  }
  return {};
}

result<void> check_new_password(std::string_view password, std::string_view field) {
  auto policy = directory::check_password_policy(password);
  if (!policy) {
    return with_code(policy.err(), "weak_password", field);
  }
  return {};
}

operations::operations(directory::directory& dir, store::store& store,
                       store::mailbox_store& mailboxes, const config::config& cfg)
    : dir_(dir), store_(store), mailboxes_(mailboxes), cfg_(cfg) {}

listing<domain_view> operations::list_domains(const page& p) {
  std::map<std::string, domain_view> counts;
  for (auto& name : store_.list_domains()) {
    counts[name].name = name;
  }
  for (const auto& a : store_.list_accounts("")) {
    ++counts[domain_of(a.address)].users;
  }
  std::string last;
  for (const auto& a : store_.list_aliases("")) {
    if (a.source != last) {  // sorted by source: one alias, however many targets
      ++counts[domain_of(a.source)].aliases;
      last = a.source;
    }
  }
  std::vector<domain_view> all;
  for (auto& [name, view] : counts) {
    if (!view.name.empty()) {
      all.push_back(std::move(view));
    }
  }
  return paged(std::move(all), p, [&](const domain_view& d) { return contains(d.name, p.query); });
}

result<std::string> operations::add_domain(std::string_view name) {
  auto dom = check_domain(name, "name");
  if (!dom) {
    return dom.err();
  }
  if (auto r = dir_.add_domain(*dom); !r) {
    return with_code(r.err(), "exists", "name");
  }
  return dom;
}

result<void> operations::remove_domain(std::string_view name) {
  auto dom = check_domain(name, "name");
  if (!dom) {
    return dom.err();
  }
  if (!store_.has_domain(*dom)) {
    return make_error("no such domain: " + *dom, "not_found");
  }
  auto users = store_.list_accounts(*dom).size();
  auto aliases = store_.list_aliases(*dom).size();
  if (users > 0 || aliases > 0) {
    return make_error("domain " + *dom + " still has " + std::to_string(users) + " user(s) and " +
                          std::to_string(aliases) + " alias(es); remove them first",
                      "not_empty");
  }
  return dir_.remove_domain(*dom);
}

listing<user_view> operations::list_users(std::string_view domain, const page& p) {
  std::string dom = to_lower_ascii(domain);
  auto accounts = store_.list_accounts(dom);
  auto matching = paged(std::move(accounts), p, [&](const store::account_record& a) {
    return contains(a.address, p.query);
  });
  listing<user_view> out;
  out.total = matching.total;
  for (const auto& a : matching.items) {
    out.items.push_back(view_of(a));
  }
  return out;
}

user_view operations::view_of(const store::account_record& a) {
  auto q = mailboxes_.quota(a.id);
  return {a.id,          a.address,    a.role,           a.disabled,
          a.quota_bytes, q.used_bytes, a.quota_messages, q.used_messages};
}

result<user_view> operations::get_user(std::string_view address) {
  auto key = check_address(address, "address");
  if (!key) {
    return key.err();
  }
  auto acct = store_.find_account(*key);
  if (!acct) {
    return make_error("no such user: " + *key, "not_found");
  }
  return view_of(*acct);
}

result<user_view> operations::create_user(const new_user& u) {
  auto key = check_address(u.address, "address");
  if (!key) {
    return key.err();
  }
  for (const auto& r :
       {check_new_password(u.password, "password"), check_quota_bytes(u.quota_bytes, "quota_bytes"),
        check_quota_messages(u.quota_messages, "quota_messages"), check_role(u.role)}) {
    if (!r) {
      return r.err();
    }
  }
  if (!store_.has_domain(domain_of(*key))) {
    return make_error("unknown domain " + domain_of(*key) + " (add it with: copper domain add " +
                          domain_of(*key) + ")",
                      "unknown_domain", "address");
  }
  if (!store_.alias_targets(*key).empty()) {
    return make_error(*key + " is already an alias", "exists", "address");
  }
  if (auto r = dir_.add_user(*key, u.password, u.quota_bytes); !r) {
    return with_code(r.err(), "invalid", "address");
  }
  if (u.quota_messages != 0) {
    if (auto r = dir_.set_message_quota(*key, u.quota_messages); !r) {
      return r.err();
    }
  }
  if (u.role != "user") {
    if (auto r = dir_.set_role(*key, u.role); !r) {
      return r.err();
    }
  }
  return get_user(*key);
}

result<user_view> operations::update_user(std::string_view address, const user_changes& c,
                                          std::string_view keep_session) {
  auto before = get_user(address);
  if (!before) {
    return before.err();
  }
  const std::string& key = before->address;
  if (c.password) {
    if (auto r = check_new_password(*c.password, "password"); !r) {
      return r.err();
    }
  }
  if (c.quota_bytes) {
    if (auto r = check_quota_bytes(*c.quota_bytes, "quota_bytes"); !r) {
      return r.err();
    }
  }
  if (c.quota_messages) {
    if (auto r = check_quota_messages(*c.quota_messages, "quota_messages"); !r) {
      return r.err();
    }
  }
  if (c.role) {
    if (auto r = check_role(*c.role); !r) {
      return r.err();
    }
  }
  bool loses_admin = (c.role && *c.role != "admin") || (c.disabled && *c.disabled);
  if (loses_admin && is_last_admin(*before)) {
    return make_error("the last enabled admin cannot be demoted or disabled", "last_admin");
  }
  std::vector<result<void>> applied;
  if (c.password) {
    applied.push_back(dir_.set_password(key, *c.password));
    // Whoever knew the old password may hold a session: end them all but ours.
    applied.push_back(store_.remove_web_sessions(before->id, keep_session));
  }
  if (c.quota_bytes) {
    applied.push_back(dir_.set_quota(key, *c.quota_bytes));
  }
  if (c.quota_messages) {
    applied.push_back(dir_.set_message_quota(key, *c.quota_messages));
  }
  if (c.role) {
    applied.push_back(dir_.set_role(key, *c.role));
  }
  if (c.disabled) {
    applied.push_back(dir_.set_disabled(key, *c.disabled));
  }
  for (const auto& r : applied) {
    if (!r) {
      return r.err();
    }
  }
  return get_user(key);
}

result<void> operations::remove_user(std::string_view address) {
  auto user = get_user(address);
  if (!user) {
    return user.err();
  }
  if (is_last_admin(*user)) {
    return make_error("the last enabled admin cannot be removed", "last_admin");
  }
  return dir_.remove_user(user->address);
}

// Nobody could administer the server over the web any more (the CLI still can).
bool operations::is_last_admin(const user_view& u) {
  if (u.role != "admin" || u.disabled) {
    return false;
  }
  auto all = store_.list_accounts("");
  return std::none_of(all.begin(), all.end(), [&](const store::account_record& a) {
    return a.role == "admin" && !a.disabled && a.address != u.address;
  });
}

listing<alias_view> operations::list_aliases(std::string_view domain, const page& p) {
  std::vector<alias_view> all;
  for (auto& a : store_.list_aliases(to_lower_ascii(domain))) {
    if (all.empty() || all.back().alias != a.source) {
      all.push_back({a.source, {}});
    }
    all.back().targets.push_back(std::move(a.target));
  }
  return paged(std::move(all), p, [&](const alias_view& a) {
    return contains(a.alias, p.query) ||
           std::any_of(a.targets.begin(), a.targets.end(),
                       [&](const std::string& t) { return contains(t, p.query); });
  });
}

result<alias_view> operations::add_alias(std::string_view alias,
                                         const std::vector<std::string>& targets) {
  auto source = check_alias_source(alias);
  if (!source) {
    return source.err();
  }
  if (targets.empty()) {
    return make_error("an alias needs at least one target address", "invalid_address", "targets");
  }
  for (const auto& t : targets) {
    if (auto key = check_address(t, "targets"); !key) {
      return key.err();
    }
  }
  if (!store_.has_domain(domain_of(*source))) {
    return make_error("unknown domain " + domain_of(*source), "unknown_domain", "alias");
  }
  if (store_.find_account(*source)) {
    return make_error(*source + " is a user; an alias cannot shadow it", "exists", "alias");
  }
  if (auto r = dir_.add_alias(*source, targets); !r) {
    return with_code(r.err(), "invalid_alias", "targets");
  }
  return alias_view{*source, store_.alias_targets(*source)};
}

result<void> operations::remove_alias(std::string_view alias,
                                      const std::vector<std::string>& targets) {
  auto source = check_alias_source(alias);
  if (!source) {
    return source.err();
  }
  return dir_.remove_alias(*source, targets);
}

listing<store::queued_message> operations::list_queue(const page& p) {
  return paged(store_.list_queue(), p, [&](const store::queued_message& m) {
    return contains(m.sender, p.query) ||
           std::any_of(m.recipients.begin(), m.recipients.end(),
                       [&](const std::string& r) { return contains(r, p.query); });
  });
}

result<void> operations::flush_queue() { return store_.retry_all_now(); }

result<void> operations::remove_queued(std::int64_t id) { return store_.remove_queued(id); }

result<dns_view> operations::dns(std::string_view domain) {
  auto dom = check_domain(domain, "name");
  if (!dom) {
    return dom.err();
  }
  dns_view out{dns_records(cfg_.hostname, *dom), {}};
  out.zone = zone_lines(out.records);
  return out;
}

bool operations::is_local_domain(std::string_view domain) { return store_.has_domain(domain); }

status_view operations::status() {
  status_view s;
  s.version = COPPER_VERSION;
  s.hostname = cfg_.hostname;
  s.uptime_seconds =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started_)
          .count();
  s.domains = store_.list_domains().size();
  s.accounts = store_.list_accounts("").size();
  s.store_bytes = file_bytes(cfg_.data_dir);
  s.queue_length = store_.list_queue().size();
  const auto& l = cfg_.listen;
  s.listeners = {{"smtp", l.smtp},
                 {"submission", l.submission},
                 {"submissions", l.submissions},
                 {"imap", l.imap},
                 {"imaps", l.imaps},
                 {"pop3", l.pop3},
                 {"pop3s", l.pop3s},
                 {"http", l.http},
                 {"https", l.https}};
  return s;
}

}  // namespace copper::admin
