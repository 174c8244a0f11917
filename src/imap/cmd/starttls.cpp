// STARTTLS (RFC 9051 6.2.1, RFC 2595): input pipelined behind the command is
// discarded before the handshake (the CVE-2011-0411 class of injection).
#include <spdlog/spdlog.h>

#include "imap/session.h"

namespace copper::imap {

asio::awaitable<void> session::cmd_starttls(const command& c) {
  auto ctx = svc_.tls.current();
  if (conn_->stream().is_tls() || !ctx) {
    bad(c, "TLS not available");
    co_return;
  }
  ok(c, "Begin TLS negotiation now");
  if (!co_await conn_->flush()) {
    co_return;
  }
  if (!conn_->input().empty()) {
    spdlog::warn("session={} event=starttls_injection discarded={} client={}", id_,
                 conn_->input().size(), conn_->client_ip());
    conn_->input().clear();
  }
  reader_ = command_reader(reader_limits{});
  if (auto ec = co_await conn_->stream().start_tls(ctx); ec) {
    spdlog::info("session={} event=tls_failed error={}", id_, ec.message());
    logout_ = true;
  }
}

}  // namespace copper::imap
