// The commands without state to speak of: RSET, NOOP, QUIT, VRFY, EXPN, HELP
// (RFC 5321 4.1.1.5-4.1.1.10). Each is a few lines; a file each would only
// scatter them.
#include "smtp/session.h"

namespace copper::smtp {

asio::awaitable<void> session::cmd_rset(const command&) {
  reset_transaction();
  send(replies::reset_ok());
  co_return;
}

asio::awaitable<void> session::cmd_noop(const command&) {
  send(replies::noop_ok());
  co_return;
}

asio::awaitable<void> session::cmd_quit(const command&) {
  send(replies::closing(svc_.cfg.hostname));
  quit_ = true;
  co_return;
}

// RFC 5321 3.5.3: verification would let anyone harvest addresses.
asio::awaitable<void> session::cmd_vrfy(const command&) {
  send(replies::cannot_verify());
  co_return;
}

asio::awaitable<void> session::cmd_expn(const command&) {
  send_error(replies::not_implemented("EXPN is disabled"));
  co_return;
}

asio::awaitable<void> session::cmd_help(const command&) {
  send(replies::help());
  co_return;
}

}  // namespace copper::smtp
