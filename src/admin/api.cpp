#include "admin/api.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <array>
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <charconv>

#include "admin/json_input.h"
#include "core/address.h"
#include "core/log.h"

namespace copper::admin {
namespace {

namespace json = boost::json;

unsigned status_for(std::string_view code) {
  struct mapping {
    std::string_view code;
    unsigned status;
  };
  static constexpr std::array<mapping, 11> table = {{
      {"not_authenticated", 401},
      {"bad_credentials", 401},
      {"forbidden", 403},
      {"csrf", 403},
      {"not_found", 404},
      {"method_not_allowed", 405},
      {"exists", 409},
      {"not_empty", 409},
      {"last_admin", 409},
      {"too_large", 413},
      {"unsupported_media_type", 415},
  }};
  for (const auto& m : table) {
    if (m.code == code) {
      return m.status;
    }
  }
  if (code == "rate_limited") {
    return 429;
  }
  if (code == "internal") {
    return 500;
  }
  return 400;  // validation: invalid_*, weak_password, unknown_domain, ...
}

api_response json_reply(unsigned status, const json::value& v) {
  return {status, json::serialize(v) + "\n", {}};
}

api_response no_content() { return {204, {}, {}}; }

error failure(std::string message, std::string code, std::string field = {}) {
  return make_error(std::move(message), std::move(code), std::move(field));
}

bool changes_state(std::string_view method) { return method != "GET" && method != "HEAD"; }

std::vector<std::string_view> split(std::string_view pattern) {
  std::vector<std::string_view> out;
  while (!pattern.empty()) {
    auto slash = pattern.find('/');
    out.push_back(pattern.substr(0, slash));
    pattern = slash == std::string_view::npos ? std::string_view() : pattern.substr(slash + 1);
  }
  return out;
}

// The {} segments of `path` if it has the shape of `pattern`.
std::optional<std::vector<std::string>> match(std::string_view pattern,
                                              const std::vector<std::string>& path) {
  auto parts = split(pattern);
  if (parts.size() != path.size()) {
    return std::nullopt;
  }
  std::vector<std::string> params;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (parts[i] == "{}") {
      params.push_back(path[i]);
    } else if (parts[i] != path[i]) {
      return std::nullopt;
    }
  }
  return params;
}

const std::string* query_field(const api_request& req, std::string_view name) {
  for (const auto& [k, v] : req.query) {
    if (k == name) {
      return &v;
    }
  }
  return nullptr;
}

result<std::size_t> query_number(const api_request& req, std::string_view name, std::size_t dflt,
                                 std::size_t max) {
  const auto* text = query_field(req, name);
  if (text == nullptr || text->empty()) {
    return dflt;
  }
  std::size_t n = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), n);
  if (ec != std::errc() || end != text->data() + text->size() || n > max) {
    return failure(fmt::format("{} must be a number from 0 to {}", name, max), "invalid_field",
                   std::string(name));
  }
  return n;
}

result<page> page_of(const api_request& req) {
  auto offset = query_number(req, "offset", 0, 1'000'000'000);
  if (!offset) {
    return offset.err();
  }
  auto limit = query_number(req, "limit", 50, max_page);
  if (!limit) {
    return limit.err();
  }
  const auto* q = query_field(req, "q");
  if (q != nullptr && q->size() > 200) {
    return failure("q is at most 200 characters", "invalid_field", "q");
  }
  return page{q != nullptr ? *q : "", *offset, *limit};
}

std::string query_text(const api_request& req, std::string_view name) {
  const auto* v = query_field(req, name);
  return v != nullptr ? v->substr(0, 300) : std::string();
}

json::object user_json(const user_view& u) {
  return {{"address", u.address},
          {"role", u.role},
          {"disabled", u.disabled},
          {"quota_bytes", u.quota_bytes},
          {"used_bytes", u.used_bytes},
          {"quota_messages", u.quota_messages},
          {"used_messages", u.used_messages}};
}

json::object session_json(const store::account_record& a, const std::string& csrf) {
  return {{"user", {{"address", a.address}, {"role", a.role}}}, {"csrf_token", csrf}};
}

template <class T, class F>
api_response list_reply(const listing<T>& l, F to_json) {
  json::array items;
  for (const auto& item : l.items) {
    items.push_back(to_json(item));
  }
  return json_reply(200, json::object{{"items", std::move(items)}, {"total", l.total}});
}

std::string cookie(std::string_view value, bool expire) {
  return fmt::format("{}={}; Path=/; {}Secure; HttpOnly; SameSite=Strict", session_cookie, value,
                     expire ? "Max-Age=0; " : "");
}

// A required string member.
result<std::string> required_string(const json::object& body, std::string_view name) {
  auto v = string_member(body, name);
  if (!v) {
    return v.err();
  }
  if (!*v) {
    return failure(std::string(name) + " is required", "missing_field", std::string(name));
  }
  return std::move(**v);
}

}  // namespace

api_response error_reply(const error& e) {
  json::object o{{"error", e.message}, {"code", e.code.empty() ? "invalid" : e.code}};
  if (!e.field.empty()) {
    o["field"] = e.field;
  }
  return json_reply(status_for(e.code), o);
}

std::span<const api::route> api::routes() {
  using a = access;
  // One line per endpoint; the dispatcher checks `access` before the handler.
  static const route table[] = {
      {"POST", "login", a::anyone, &api::login},
      {"POST", "logout", a::user, &api::logout},
      {"GET", "session", a::user, &api::get_session},
      {"GET", "me", a::user, &api::me},
      {"POST", "me/password", a::user, &api::me_password},
      {"GET", "domains", a::admin, &api::list_domains},
      {"POST", "domains", a::admin, &api::add_domain},
      {"DELETE", "domains/{}", a::admin, &api::remove_domain},
      {"GET", "domains/{}/dns", a::admin, &api::domain_dns},
      {"GET", "users", a::admin, &api::list_users},
      {"POST", "users", a::admin, &api::create_user},
      {"GET", "users/{}", a::admin, &api::get_user},
      {"PATCH", "users/{}", a::admin, &api::update_user},
      {"DELETE", "users/{}", a::admin, &api::remove_user},
      {"GET", "aliases", a::admin, &api::list_aliases},
      {"POST", "aliases", a::admin, &api::add_alias},
      {"DELETE", "aliases/{}", a::admin, &api::remove_alias},
      {"GET", "queue", a::admin, &api::list_queue},
      {"POST", "queue/flush", a::admin, &api::flush_queue},
      {"DELETE", "queue/{}", a::admin, &api::remove_queued},
      {"GET", "status", a::admin, &api::status},
  };
  return table;
}

api_response api::handle(const api_request& req) {
  try {
    return dispatch(req);
  } catch (const std::exception& e) {
    spdlog::error("event=admin_api_failed error=\"{}\"", e.what());
    return error_reply(failure("internal error", "internal"));
  }
}

api_response api::dispatch(const api_request& req) {
  const route* found = nullptr;
  std::vector<std::string> params;
  std::string allow;
  for (const auto& r : routes()) {
    auto p = match(r.pattern, req.path);
    if (!p) {
      continue;
    }
    allow += fmt::format("{}{}", allow.empty() ? "" : ", ", r.method);
    if (r.method == req.method) {
      found = &r;
      params = std::move(*p);
    }
  }
  if (found == nullptr) {
    if (allow.empty()) {
      return error_reply(failure("no such API endpoint", "not_found"));
    }
    auto res = error_reply(failure("method not allowed", "method_not_allowed"));
    res.headers.emplace_back("Allow", allow);
    return res;
  }
  call c{req, std::move(params), {}, std::nullopt};
  if (!req.body.empty()) {
    if (!is_json_media_type(req.content_type)) {
      return error_reply(failure("send the body as application/json", "unsupported_media_type"));
    }
    auto body = parse_json_object(req.body);
    if (!body) {
      return error_reply(body.err());
    }
    c.body = std::move(*body);
  }
  bool origin_ok = !req.origin || origin_matches(*req.origin, req.host);
  if (found->need != access::anyone) {
    c.session = sessions_.find(req.session_token);
    if (!c.session) {
      return error_reply(failure("log in first", "not_authenticated"));
    }
    // CSRF: a state change needs the session's token in a header a foreign
    // page cannot set, and no foreign Origin.
    if (changes_state(req.method) &&
        (!origin_ok || !same_secret(req.csrf_token, c.session->row.csrf_token))) {
      return error_reply(failure("missing or wrong X-CSRF-Token, or foreign Origin", "csrf"));
    }
    if (found->need == access::admin && c.session->account.role != "admin") {
      return error_reply(failure("administrators only", "forbidden"));
    }
  } else if (!origin_ok) {
    return error_reply(failure("foreign Origin", "csrf"));
  }
  auto res = (this->*(found->fn))(c);
  // An audit trail of changes: who, which endpoint, the outcome (never a body).
  if (changes_state(req.method) && c.session) {
    spdlog::info("event=admin_change user={} method={} route={} status={} client={}",
                 c.session->account.address, req.method, found->pattern, res.status, req.client_ip);
  }
  return res;
}

api_response api::login(call& c) {
  auto user = required_string(c.body, "username");
  auto password = required_string(c.body, "password");
  for (const auto* r : {&user, &password}) {
    if (!*r) {
      return error_reply(r->err());
    }
  }
  std::string account = to_lower_ascii(*user);
  const auto& ip = c.req.client_ip;
  if (!limiter_.allowed(ip, account)) {
    auto res = error_reply(failure("too many failed logins, try again later", "rate_limited"));
    res.headers.emplace_back("Retry-After", std::to_string(cfg_.auth.failure_window.count()));
    return res;
  }
  auto who = dir_.authenticate(*user, *password);
  if (!who) {
    limiter_.record_failure(ip, account);
    failures_.inc();
    spdlog::info("event=auth_failed protocol=https user={} client={}", log::quote(account), ip);
    return error_reply(failure("wrong user name or password", "bad_credentials"));
  }
  auto s = sessions_.create(who->id);
  auto acct = ops_.get_user(who->address);
  if (!s || !acct) {
    return error_reply(failure("cannot start a session", "internal"));
  }
  spdlog::info("event=auth_ok protocol=https user={} client={}", who->address, ip);
  store::account_record rec;
  rec.address = acct->address;
  rec.role = acct->role;
  auto res = json_reply(200, session_json(rec, s->csrf_token));
  res.headers.emplace_back("Set-Cookie", cookie(s->token, false));
  return res;
}

api_response api::logout(call& c) {
  sessions_.end(c.session->row.token_sha256);
  auto res = no_content();
  res.headers.emplace_back("Set-Cookie", cookie("", true));
  return res;
}

api_response api::get_session(call& c) {
  return json_reply(200, session_json(c.session->account, c.session->row.csrf_token));
}

api_response api::me(call& c) {
  auto u = ops_.get_user(c.session->account.address);
  if (!u) {
    return error_reply(u.err());
  }
  return json_reply(200, json::object{{"address", u->address},
                                      {"role", u->role},
                                      {"quota_bytes", u->quota_bytes},
                                      {"used_bytes", u->used_bytes},
                                      {"quota_messages", u->quota_messages},
                                      {"used_messages", u->used_messages}});
}

api_response api::me_password(call& c) {
  auto current = required_string(c.body, "current_password");
  auto next = required_string(c.body, "new_password");
  for (const auto* r : {&current, &next}) {
    if (!*r) {
      return error_reply(r->err());
    }
  }
  if (auto policy = check_new_password(*next, "new_password"); !policy) {
    return error_reply(policy.err());
  }
  const auto& address = c.session->account.address;
  const auto& ip = c.req.client_ip;
  // Guessing the current password through a stolen session is guessing a
  // password: the same limiter applies.
  if (!limiter_.allowed(ip, address)) {
    auto res = error_reply(failure("too many failed logins, try again later", "rate_limited"));
    res.headers.emplace_back("Retry-After", std::to_string(cfg_.auth.failure_window.count()));
    return res;
  }
  if (!dir_.authenticate(address, *current)) {
    limiter_.record_failure(ip, address);
    failures_.inc();
    // 403, not 401: the session is fine, the proof of the old password is not.
    auto res = error_reply(
        failure("the current password is wrong", "bad_credentials", "current_password"));
    res.status = 403;
    return res;
  }
  user_changes changes;
  changes.password = *next;
  auto r = ops_.update_user(address, changes, c.session->row.token_sha256);
  if (!r) {
    return error_reply(r.err());
  }
  return no_content();
}

api_response api::list_domains(call& c) {
  auto p = page_of(c.req);
  if (!p) {
    return error_reply(p.err());
  }
  return list_reply(ops_.list_domains(*p), [](const domain_view& d) {
    return json::object{{"name", d.name}, {"users", d.users}, {"aliases", d.aliases}};
  });
}

api_response api::add_domain(call& c) {
  auto name = required_string(c.body, "name");
  if (!name) {
    return error_reply(name.err());
  }
  auto r = ops_.add_domain(*name);
  if (!r) {
    return error_reply(r.err());
  }
  return json_reply(201, json::object{{"name", *r}});
}

api_response api::remove_domain(call& c) {
  auto r = ops_.remove_domain(c.params[0]);
  return r ? no_content() : error_reply(r.err());
}

api_response api::domain_dns(call& c) {
  auto d = ops_.dns(c.params[0]);
  if (!d) {
    return error_reply(d.err());
  }
  if (!ops_.is_local_domain(d->records.front().name)) {
    return error_reply(failure("no such domain: " + d->records.front().name, "not_found"));
  }
  json::array records;
  for (const auto& r : d->records) {
    records.push_back(json::object{{"name", r.name},
                                   {"ttl", r.ttl},
                                   {"type", r.type},
                                   {"data", r.data},
                                   {"purpose", r.purpose}});
  }
  return json_reply(200, json::object{{"records", std::move(records)}, {"zone", d->zone}});
}

api_response api::list_users(call& c) {
  auto p = page_of(c.req);
  if (!p) {
    return error_reply(p.err());
  }
  return list_reply(ops_.list_users(query_text(c.req, "domain"), *p), user_json);
}

api_response api::create_user(call& c) {
  new_user u;
  auto address = required_string(c.body, "address");
  auto password = required_string(c.body, "password");
  auto quota_bytes = uint_member(c.body, "quota_bytes");
  auto quota_messages = uint_member(c.body, "quota_messages");
  auto role = string_member(c.body, "role");
  if (!address) {
    return error_reply(address.err());
  }
  if (!password) {
    return error_reply(password.err());
  }
  if (!quota_bytes || !quota_messages || !role) {
    return error_reply(!quota_bytes      ? quota_bytes.err()
                       : !quota_messages ? quota_messages.err()
                                         : role.err());
  }
  u.address = *address;
  u.password = *password;
  u.quota_bytes = quota_bytes->value_or(0);
  u.quota_messages = quota_messages->value_or(0);
  u.role = role->value_or("user");
  auto r = ops_.create_user(u);
  if (!r) {
    return error_reply(r.err());
  }
  return json_reply(201, user_json(*r));
}

api_response api::get_user(call& c) {
  auto r = ops_.get_user(c.params[0]);
  return r ? json_reply(200, user_json(*r)) : error_reply(r.err());
}

api_response api::update_user(call& c) {
  user_changes changes;
  auto disabled = bool_member(c.body, "disabled");
  auto quota_bytes = uint_member(c.body, "quota_bytes");
  auto quota_messages = uint_member(c.body, "quota_messages");
  auto password = string_member(c.body, "password");
  auto role = string_member(c.body, "role");
  if (!disabled) {
    return error_reply(disabled.err());
  }
  if (!quota_bytes || !quota_messages) {
    return error_reply(!quota_bytes ? quota_bytes.err() : quota_messages.err());
  }
  if (!password || !role) {
    return error_reply(!password ? password.err() : role.err());
  }
  changes.disabled = *disabled;
  changes.quota_bytes = *quota_bytes;
  changes.quota_messages = *quota_messages;
  changes.password = *password;
  changes.role = *role;
  auto r = ops_.update_user(c.params[0], changes, c.session->row.token_sha256);
  return r ? json_reply(200, user_json(*r)) : error_reply(r.err());
}

api_response api::remove_user(call& c) {
  auto r = ops_.remove_user(c.params[0]);
  return r ? no_content() : error_reply(r.err());
}

api_response api::list_aliases(call& c) {
  auto p = page_of(c.req);
  if (!p) {
    return error_reply(p.err());
  }
  return list_reply(ops_.list_aliases(query_text(c.req, "domain"), *p), [](const alias_view& a) {
    json::array targets;
    for (const auto& t : a.targets) {
      targets.emplace_back(t);
    }
    return json::object{{"alias", a.alias}, {"targets", std::move(targets)}};
  });
}

api_response api::add_alias(call& c) {
  auto alias = required_string(c.body, "alias");
  auto targets = string_list_member(c.body, "targets");
  if (!alias) {
    return error_reply(alias.err());
  }
  if (!targets) {
    return error_reply(targets.err());
  }
  auto r = ops_.add_alias(*alias, targets->value_or(std::vector<std::string>{}));
  if (!r) {
    return error_reply(r.err());
  }
  json::array list;
  for (const auto& t : r->targets) {
    list.emplace_back(t);
  }
  return json_reply(201, json::object{{"alias", r->alias}, {"targets", std::move(list)}});
}

api_response api::remove_alias(call& c) {
  auto r = ops_.remove_alias(c.params[0], {});
  return r ? no_content() : error_reply(r.err());
}

api_response api::list_queue(call& c) {
  auto p = page_of(c.req);
  if (!p) {
    return error_reply(p.err());
  }
  return list_reply(ops_.list_queue(*p), [](const store::queued_message& m) {
    json::array recipients;
    for (const auto& r : m.recipients) {
      recipients.emplace_back(r);
    }
    return json::object{{"id", m.id},
                        {"sender", m.sender},
                        {"recipients", std::move(recipients)},
                        {"size", m.size},
                        {"attempts", m.attempts},
                        {"last_error", m.last_error},
                        {"next_attempt", m.next_attempt}};
  });
}

api_response api::flush_queue(call&) {
  auto r = ops_.flush_queue();
  return r ? no_content() : error_reply(r.err());
}

api_response api::remove_queued(call& c) {
  const auto& text = c.params[0];
  std::int64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return error_reply(failure("queue IDs are numbers", "invalid_field", "id"));
  }
  auto r = ops_.remove_queued(id);
  return r ? no_content() : error_reply(r.err());
}

api_response api::status(call&) {
  auto s = ops_.status();
  json::object listeners;
  for (const auto& l : s.listeners) {
    json::array eps;
    for (const auto& e : l.endpoints) {
      eps.emplace_back(e);
    }
    listeners[l.protocol] = std::move(eps);
  }
  return json_reply(200, json::object{{"version", s.version},
                                      {"hostname", s.hostname},
                                      {"uptime_seconds", s.uptime_seconds},
                                      {"domains", s.domains},
                                      {"accounts", s.accounts},
                                      {"store_bytes", s.store_bytes},
                                      {"queue_length", s.queue_length},
                                      {"listeners", std::move(listeners)}});
}

}  // namespace copper::admin
