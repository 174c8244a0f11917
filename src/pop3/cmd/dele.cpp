// DELE and RSET (RFC 1939 5): marks only; QUIT applies them.
#include <fmt/format.h>

#include "pop3/session.h"

namespace copper::pop3 {

asio::awaitable<void> session::cmd_dele(const command& c) {
  if (c.args.size() != 1) {
    bad("Syntax: DELE msg");
    co_return;
  }
  if (auto n = message_arg(c.args[0])) {
    drop_->mark_deleted(*n);
    ok(fmt::format("Message {} deleted", *n));
  }
}

asio::awaitable<void> session::cmd_rset(const command& c) {
  if (!c.args.empty()) {
    bad("Syntax: RSET");
    co_return;
  }
  drop_->reset();
  auto t = drop_->stat();
  ok(fmt::format("Maildrop has {} messages ({} octets)", t.count, t.octets));
}

}  // namespace copper::pop3
