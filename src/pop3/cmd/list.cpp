// STAT, LIST and UIDL (RFC 1939 5, 7): messages marked deleted are left out.
#include <fmt/format.h>

#include "pop3/session.h"

namespace copper::pop3 {

asio::awaitable<void> session::cmd_stat(const command& c) {
  if (!c.args.empty()) {
    bad("Syntax: STAT");
    co_return;
  }
  auto t = drop_->stat();
  ok(fmt::format("{} {}", t.count, t.octets));
}

asio::awaitable<void> session::cmd_list(const command& c) {
  if (c.args.size() > 1) {
    bad("Syntax: LIST [msg]");
    co_return;
  }
  if (c.args.size() == 1) {
    if (auto n = message_arg(c.args[0])) {
      ok(fmt::format("{} {}", *n, drop_->at(*n).size));
    }
    co_return;
  }
  auto t = drop_->stat();
  ok(fmt::format("{} messages ({} octets)", t.count, t.octets));
  std::string out;
  for (std::uint32_t n = 1; n <= drop_->size(); ++n) {
    if (!drop_->deleted(n)) {
      fmt::format_to(std::back_inserter(out), "{} {}\r\n", n, drop_->at(n).size);
    }
  }
  out += ".\r\n";
  conn_->write(out);
}

asio::awaitable<void> session::cmd_uidl(const command& c) {
  if (c.args.size() > 1) {
    bad("Syntax: UIDL [msg]");
    co_return;
  }
  if (c.args.size() == 1) {
    if (auto n = message_arg(c.args[0])) {
      ok(fmt::format("{} {}", *n, drop_->unique_id(*n)));
    }
    co_return;
  }
  ok("Unique-ID listing follows");
  std::string out;
  for (std::uint32_t n = 1; n <= drop_->size(); ++n) {
    if (!drop_->deleted(n)) {
      fmt::format_to(std::back_inserter(out), "{} {}\r\n", n, drop_->unique_id(n));
    }
  }
  out += ".\r\n";
  conn_->write(out);
}

}  // namespace copper::pop3
