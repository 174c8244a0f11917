#include "app/cli.h"

#include <fmt/format.h>
#include <termios.h>
#include <unistd.h>

#include <charconv>
#include <iostream>

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
  double v = static_cast<double>(bytes);
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  return u == 0 ? fmt::format("{}B", bytes) : fmt::format("{:.1f}{}", v, units[u]);
}

int domain_command(directory::directory& dir, const cli_request& req) {
  if (req.action == "list") {
    for (const auto& d : dir.list_domains()) {
      fmt::print("{}\n", d);
    }
    return 0;
  }
  if (req.args.size() != 1) {
    return fail(fmt::format("usage: copper domain {} DOMAIN", req.action));
  }
  if (req.action == "add") {
    return report(dir.add_domain(req.args[0]), "domain added: " + req.args[0]);
  }
  return report(dir.remove_domain(req.args[0]), "domain removed: " + req.args[0]);
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

// `user quota`: either quota or both, each change on its own.
int set_quotas(directory::directory& dir, const std::string& address,
               std::optional<std::uint64_t> bytes, std::optional<std::uint64_t> messages) {
  if (!bytes && !messages) {
    return fail("usage: copper user quota ADDRESS [--quota SIZE] [--quota-messages N]");
  }
  if (bytes) {
    if (auto r = dir.set_quota(address, *bytes); !r) {
      return fail(r.err().message);
    }
  }
  if (messages) {
    if (auto r = dir.set_message_quota(address, *messages); !r) {
      return fail(r.err().message);
    }
  }
  fmt::print("quota set: {}\n", address);
  return 0;
}

int user_command(directory::directory& dir, const cli_request& req) {
  if (req.action == "list") {
    for (const auto& u : dir.list_users(req.args.empty() ? "" : req.args[0])) {
      fmt::print("{}\tused={}\tquota={}{}\n", u.address, human_size(u.used_bytes),
                 u.quota_bytes == 0 ? "unlimited" : human_size(u.quota_bytes),
                 u.disabled ? "\tdisabled" : "");
    }
    return 0;
  }
  if (req.args.size() != 1) {
    return fail(fmt::format("usage: copper user {} ADDRESS", req.action));
  }
  const auto& address = req.args[0];
  std::optional<std::uint64_t> quota;
  if (!req.quota.empty()) {
    auto q = req.quota == "0" || req.quota == "unlimited" ? result<std::uint64_t>(0)
                                                          : config::parse_size(req.quota);
    if (!q) {
      return fail("--quota: " + q.err().message);
    }
    quota = *q;
  }
  auto messages = parse_message_quota(req.quota_messages);
  if (!messages) {
    return fail(messages.err().message);
  }
  if (req.action == "remove") {
    return report(dir.remove_user(address), "user removed: " + address);
  }
  if (req.action == "quota") {
    return set_quotas(dir, address, quota, *messages);
  }
  if (req.action == "passwd" && quota && req.quota.size() > 0) {
    if (auto r = dir.set_quota(address, *quota); !r) {
      return fail(r.err().message);
    }
  }
  auto password = obtain_password(req.password_stdin);
  if (!password) {
    return fail(password.err().message);
  }
  if (req.action == "add") {
    if (auto r = dir.add_user(address, *password, quota.value_or(0)); !r) {
      return fail(r.err().message);
    }
    if (*messages) {
      if (auto r = dir.set_message_quota(address, **messages); !r) {
        return fail(r.err().message);
      }
    }
    fmt::print("user added: {}\n", address);
    return 0;
  }
  return report(dir.set_password(address, *password), "password changed: " + address);
}

int alias_command(directory::directory& dir, const cli_request& req) {
  if (req.action == "list") {
    for (const auto& a : dir.list_aliases(req.args.empty() ? "" : req.args[0])) {
      fmt::print("{}\t{}\n", a.source, a.target);
    }
    return 0;
  }
  if (req.args.empty()) {
    return fail(fmt::format("usage: copper alias {} ALIAS [TARGET...]", req.action));
  }
  std::vector<std::string> targets(req.args.begin() + 1, req.args.end());
  if (req.action == "add") {
    return report(dir.add_alias(req.args[0], targets), "alias added: " + req.args[0]);
  }
  return report(dir.remove_alias(req.args[0], targets), "alias removed: " + req.args[0]);
}

int queue_command(store::store& store, const cli_request& req) {
  if (req.action == "list") {
    auto queue = store.list_queue();
    for (const auto& q : queue) {
      fmt::print("{}\t{}\t<{}>\t{}\tattempts={}{}\n", q.id, human_size(q.size), q.sender,
                 fmt::join(q.recipients, ","), q.attempts,
                 q.last_error.empty() ? "" : "\terror=" + q.last_error);
    }
    fmt::print(stderr, "{} message(s) queued\n", queue.size());
    return 0;
  }
  if (req.action == "flush") {
    return report(store.retry_all_now(), "queue flushed: every message is due now");
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
  return report(store.remove_queued(id), "removed from queue: " + s);
}

int dns_records(const config::config& cfg, directory::directory& dir, const cli_request& req) {
  if (req.args.size() != 1) {
    return fail("usage: copper dns-records DOMAIN");
  }
  auto dom = normalize_domain(req.args[0]);
  if (!dom) {
    return fail(dom.err().message);
  }
  auto domains = dir.list_domains();
  if (std::find(domains.begin(), domains.end(), *dom) == domains.end()) {
    fmt::print(stderr, "copper: warning: {} is not a local domain yet (copper domain add {})\n",
               *dom, *dom);
  }
  const auto& host = cfg.hostname;
  fmt::print("{}.\t3600\tIN\tMX\t10 {}.\n", *dom, host);
  fmt::print("{}.\t3600\tIN\tTXT\t\"v=spf1 mx -all\"\n", *dom);
  fmt::print("_dmarc.{}.\t3600\tIN\tTXT\t\"v=DMARC1; p=quarantine; adkim=s; aspf=s\"\n", *dom);
  // RFC 6186 service records so that clients find submission and IMAP.
  fmt::print("_submission._tcp.{}.\t3600\tIN\tSRV\t0 1 587 {}.\n", *dom, host);
  fmt::print("_submissions._tcp.{}.\t3600\tIN\tSRV\t0 1 465 {}.\n", *dom, host);
  fmt::print("_imaps._tcp.{}.\t3600\tIN\tSRV\t0 1 993 {}.\n", *dom, host);
  fmt::print("autoconfig.{}.\t3600\tIN\tCNAME\t{}.\n", *dom, host);
  return 0;
}

}  // namespace

int run_management(const config::config& cfg, const cli_request& req) {
  auto core = open_core(cfg);
  if (!core) {
    return fail(core.err().message);
  }
  auto& dir = *core->directory;
  if (req.group == "domain") {
    return domain_command(dir, req);
  }
  if (req.group == "user") {
    return user_command(dir, req);
  }
  if (req.group == "alias") {
    return alias_command(dir, req);
  }
  if (req.group == "queue") {
    return queue_command(*core->store, req);
  }
  if (req.group == "stats") {
    return stats_command(*core->stats, req);
  }
  if (req.group == "dns-check") {
    return dns_check_command(cfg, req);
  }
  return dns_records(cfg, dir, req);
}

}  // namespace copper::app
