// STLS (RFC 2595 4): input pipelined behind the command is discarded before
// the handshake (the CVE-2011-0411 class of injection), and so is a USER
// given in the clear.
#include <spdlog/spdlog.h>

#include "pop3/session.h"

namespace copper::pop3 {

asio::awaitable<void> session::cmd_stls(const command& c) {
  if (!c.args.empty()) {
    bad("Syntax: STLS");
    co_return;
  }
  if (conn_->stream().is_tls()) {
    err("Command not permitted when TLS active");  // RFC 2595 4
    co_return;
  }
  auto ctx = svc_.tls.current();
  if (!ctx) {
    err("TLS not available");
    co_return;
  }
  ok("Begin TLS negotiation now");
  if (!co_await conn_->flush()) {
    co_return;
  }
  if (!conn_->input().empty()) {
    spdlog::warn("session={} event=starttls_injection discarded={} client={}", id_,
                 conn_->input().size(), conn_->client_ip());
    conn_->input().clear();
  }
  reader_ = line_reader(reader_.max_line());
  pending_user_.clear();
  if (auto ec = co_await conn_->stream().start_tls(ctx); ec) {
    spdlog::info("session={} event=tls_failed error={}", id_, ec.message());
    stop_ = true;
  }
}

}  // namespace copper::pop3
