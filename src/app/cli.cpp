#include "app/cli.h"

#include <fmt/format.h>
#include <termios.h>
#include <unistd.h>

#include <charconv>
#include <iostream>

#include "admin/operations.h"
#include "app/cli_ops.h"
#include "app/wiring.h"

namespace copper::app {
namespace {

int fail(std::string_view message) {
  fmt::print(stderr, "copper: {}\n", message);
  return 1;
}

int report(const result<void>& r, std::string_view done) {
  if (!r) {
    return fail(r.err().message);
  }
  fmt::print("{}\n", done);
  return 0;
}

std::optional<std::string> read_line_no_echo(const char* prompt) {
  fmt::print(stderr, "{}", prompt);
  termios old{};
  bool tty = tcgetattr(STDIN_FILENO, &old) == 0;
  if (tty) {
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  bool ok = static_cast<bool>(std::getline(std::cin, line));
  if (tty) {
    tcsetattr(STDIN_FILENO, TCSANOW, &old);
    fmt::print(stderr, "\n");
  }
  if (!ok) {
    return std::nullopt;
  }
  return line;
}

result<std::string> obtain_password(bool from_stdin) {
  if (from_stdin) {
    std::string line;
    if (!std::getline(std::cin, line)) {
      return make_error("no password on standard input");
    }
    if (!line.empty() && line.back() == '\r') {
      line.pop_back();
    }
    return line;
  }
  if (isatty(STDIN_FILENO) == 0) {
    return make_error("standard input is not a terminal; use --password-stdin");
  }
  auto first = read_line_no_echo("Password: ");
  auto second = read_line_no_echo("Repeat password: ");
  if (!first || !second) {
    return make_error("no password given");
  }
  if (*first != *second) {
    return make_error("the passwords do not match");
  }
  return *first;
}

std::string human_size(std::uint64_t bytes) {
  if (bytes == 0) {
    return "0";
  }
  const char* units[] = {"B", "K", "M", "G", "T"};
  int u = 0;
  auto v = static_cast<double>(bytes);
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  return u == 0 ? fmt::format("{}B", bytes) : fmt::format("{:.1f}{}", v, units[u]);
}

constexpr std::size_t everything = static_cast<std::size_t>(-1);

int domain_command(admin::operations& ops, const cli_request& req) {
  if (req.action == "list") {
    for (const auto& d : ops.list_domains({"", 0, everything}).items) {
      fmt::print("{}\n", d.name);
    }
    return 0;
  }
  if (req.args.size() != 1) {
    return fail(fmt::format("usage: copper domain {} DOMAIN", req.action));
  }
  if (req.action == "add") {
    auto r = ops.add_domain(req.args[0]);
    return r ? report({}, "domain added: " + *r) : fail(r.err().message);
  }
  return report(ops.remove_domain(req.args[0]), "domain removed: " + req.args[0]);
}

// --quota-messages: a count, "0" or "unlimited" for none.
result<std::optional<std::uint64_t>> parse_message_quota(const std::string& text) {
  if (text.empty()) {
    return std::optional<std::uint64_t>{};
  }
  if (text == "unlimited") {
    return std::optional<std::uint64_t>{0};
  }
  std::uint64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return make_error("--quota-messages: not a number: " + text);
  }
  return std::optional<std::uint64_t>{n};
}

// --quota: a size ("2G"), "0" or "unlimited" for none.
result<std::optional<std::uint64_t>> parse_quota(const std::string& text) {
  if (text.empty()) {
    return std::optional<std::uint64_t>{};
  }
  auto q = text == "0" || text == "unlimited" ? result<std::uint64_t>(0) : config::parse_size(text);
  if (!q) {
    return make_error("--quota: " + q.err().message);
  }
  return std::optional<std::uint64_t>{*q};
}

int user_list(admin::operations& ops, const cli_request& req) {
  auto users = ops.list_users(req.args.empty() ? "" : req.args[0], {"", 0, everything});
  for (const auto& u : users.items) {
    fmt::print("{}\tused={}\tquota={}{}{}\n", u.address, human_size(u.used_bytes),
               u.quota_bytes == 0 ? "unlimited" : human_size(u.quota_bytes),
               u.disabled ? "\tdisabled" : "", u.role == "admin" ? "\tadmin" : "");
  }
  return 0;
}

int user_update(admin::operations& ops, const std::string& address,
                const admin::user_changes& changes, std::string_view done) {
  auto r = ops.update_user(address, changes);
  return r ? report({}, fmt::format("{}: {}", done, r->address)) : fail(r.err().message);
}

int user_command(admin::operations& ops, const cli_request& req) {
  if (req.action == "list") {
    return user_list(ops, req);
  }
  bool role = req.action == "role";
  if (req.args.size() != (role ? 2u : 1u)) {
    return fail(
        fmt::format("usage: copper user {} ADDRESS{}", req.action, role ? " admin|user" : ""));
  }
  const auto& address = req.args[0];
  auto quota = parse_quota(req.quota);
  if (!quota) {
    return fail(quota.err().message);
  }
  auto messages = parse_message_quota(req.quota_messages);
  if (!messages) {
    return fail(messages.err().message);
  }
  admin::user_changes changes;
  if (req.action == "remove") {
    return report(ops.remove_user(address), "user removed: " + address);
  }
  if (role) {
    changes.role = req.args[1];
    return user_update(ops, address, changes, "role set");
  }
  if (req.action == "disable" || req.action == "enable") {
    changes.disabled = req.action == "disable";
    return user_update(ops, address, changes, req.action == "disable" ? "disabled" : "enabled");
  }
  changes.quota_bytes = *quota;
  changes.quota_messages = *messages;
  if (req.action == "quota") {
    if (!*quota && !*messages) {
      return fail("usage: copper user quota ADDRESS [--quota SIZE] [--quota-messages N]");
    }
    return user_update(ops, address, changes, "quota set");
  }
  auto password = obtain_password(req.password_stdin);
  if (!password) {
    return fail(password.err().message);
  }
  if (req.action == "add") {
    admin::new_user u{address, *password, quota->value_or(0), messages->value_or(0),
                      req.admin ? "admin" : "user"};
    auto r = ops.create_user(u);
    return r ? report({}, "user added: " + r->address) : fail(r.err().message);
  }
  changes.password = *password;
  return user_update(ops, address, changes, "password changed");
}

int alias_command(admin::operations& ops, const cli_request& req) {
  if (req.action == "list") {
    for (const auto& a :
         ops.list_aliases(req.args.empty() ? "" : req.args[0], {"", 0, everything}).items) {
      for (const auto& t : a.targets) {
        fmt::print("{}\t{}\n", a.alias, t);
      }
    }
    return 0;
  }
  if (req.args.empty()) {
    return fail(fmt::format("usage: copper alias {} ALIAS [TARGET...]", req.action));
  }
  std::vector<std::string> targets(req.args.begin() + 1, req.args.end());
  if (req.action == "add") {
    auto r = ops.add_alias(req.args[0], targets);
    return r ? report({}, "alias added: " + r->alias) : fail(r.err().message);
  }
  return report(ops.remove_alias(req.args[0], targets), "alias removed: " + req.args[0]);
}

int queue_command(admin::operations& ops, const cli_request& req) {
  if (req.action == "list") {
    auto queue = ops.list_queue({"", 0, everything});
    for (const auto& q : queue.items) {
      fmt::print("{}\t{}\t<{}>\t{}\tattempts={}{}\n", q.id, human_size(q.size), q.sender,
                 fmt::join(q.recipients, ","), q.attempts,
                 q.last_error.empty() ? "" : "\terror=" + q.last_error);
    }
    fmt::print(stderr, "{} message(s) queued\n", queue.total);
    return 0;
  }
  if (req.action == "flush") {
    return report(ops.flush_queue(), "queue flushed: every message is due now");
  }
  if (req.args.size() != 1) {
    return fail("usage: copper queue remove ID");
  }
  std::int64_t id = 0;
  const auto& s = req.args[0];
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), id);
  if (ec != std::errc() || ptr != s.data() + s.size()) {
    return fail("queue IDs are numbers, as `copper queue list` shows");
  }
  return report(ops.remove_queued(id), "removed from queue: " + s);
}

int dns_records(admin::operations& ops, const cli_request& req) {
  if (req.args.size() != 1) {
    return fail("usage: copper dns-records DOMAIN");
  }
  auto dns = ops.dns(req.args[0]);
  if (!dns) {
    return fail(dns.err().message);
  }
  const auto& dom = dns->records.front().name;
  if (!ops.is_local_domain(dom)) {
    fmt::print(stderr, "copper: warning: {} is not a local domain yet (copper domain add {})\n",
               dom, dom);
  }
  fmt::print("{}", dns->zone);
  return 0;
}

}  // namespace

int run_management(const config::config& cfg, const cli_request& req) {
  auto core = open_core(cfg);
  if (!core) {
    return fail(core.err().message);
  }
  admin::operations ops(*core->directory, *core->store, *core->mailboxes, cfg);
  if (req.group == "domain") {
    return domain_command(ops, req);
  }
  if (req.group == "user") {
    return user_command(ops, req);
  }
  if (req.group == "alias") {
    return alias_command(ops, req);
  }
  if (req.group == "queue") {
    return queue_command(ops, req);
  }
  if (req.group == "stats") {
    return stats_command(*core->stats, req);
  }
  if (req.group == "dns-check") {
    return dns_check_command(cfg, req);
  }
  return dns_records(ops, req);
}

}  // namespace copper::app
