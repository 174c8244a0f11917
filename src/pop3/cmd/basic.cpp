// CAPA (RFC 2449 5) and NOOP (RFC 1939 6).
#include "pop3/session.h"

namespace copper::pop3 {

asio::awaitable<void> session::cmd_capa(const command& c) {
  if (!c.args.empty()) {
    bad("Syntax: CAPA");
    co_return;
  }
  ok("Capability list follows");
  conn_->write(capabilities());
  conn_->write(".\r\n");
}

asio::awaitable<void> session::cmd_noop(const command& c) {
  if (!c.args.empty()) {
    bad("Syntax: NOOP");
    co_return;
  }
  ok("");
}

}  // namespace copper::pop3
