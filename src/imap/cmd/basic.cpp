// Commands valid in any state, and the small ones of the authenticated
// state: CAPABILITY, NOOP, LOGOUT, ID (RFC 2971), NAMESPACE (RFC 2342),
// CHECK. A few lines each.
#include <fmt/format.h>

#include "imap/session.h"

namespace copper::imap {

asio::awaitable<void> session::cmd_capability(const command& c) {
  untagged("CAPABILITY " + capabilities());
  ok(c, "CAPABILITY completed");
  co_return;
}

asio::awaitable<void> session::cmd_noop(const command& c) {
  co_await sync_selected(true);  // RFC 9051 6.1.2: NOOP is the polling command
  ok(c, "NOOP completed");
}

asio::awaitable<void> session::cmd_check(const command& c) {
  co_await sync_selected(true);
  ok(c, "CHECK completed");
}

asio::awaitable<void> session::cmd_logout(const command& c) {
  untagged("BYE Logging out");
  ok(c, "LOGOUT completed");
  logout_ = true;
  co_return;
}

asio::awaitable<void> session::cmd_id(const command& c) {
  untagged(R"(ID ("name" "Copper" "vendor" "Copper"))");
  ok(c, "ID completed");
  co_return;
}

asio::awaitable<void> session::cmd_namespace(const command& c) {
  untagged(R"(NAMESPACE (("" "/")) NIL NIL)");
  ok(c, "NAMESPACE completed");
  co_return;
}

}  // namespace copper::imap
