// STARTTLS (RFC 3207). Anything the client pipelined after the command is
// thrown away before the handshake (CVE-2011-0411: plaintext injected ahead
// of TLS must not be read as if it came over TLS), and everything learnt
// before TLS is forgotten (RFC 3207 4.2).
#include <spdlog/spdlog.h>

#include "core/log.h"
#include "smtp/session.h"

namespace copper::smtp {

asio::awaitable<void> session::cmd_starttls(const command&) {
  if (conn_->stream().is_tls()) {
    send_error(replies::bad_sequence("Already running TLS"));
    co_return;
  }
  auto ctx = svc_.tls.current();
  if (!ctx) {
    send_error(replies::tls_unavailable());
    co_return;
  }
  send(replies::start_tls());
  if (!co_await conn_->flush()) {
    co_return;
  }
  if (!conn_->input().empty()) {
    spdlog::warn("session={} event=starttls_injection discarded={} client={}", id_,
                 conn_->input().size(), conn_->client_ip());
    conn_->input().clear();
  }
  if (auto ec = co_await conn_->stream().start_tls(ctx); ec) {
    spdlog::info("session={} event=tls_failed error={}", id_, ec.message());
    quit_ = true;
    co_return;
  }
  spdlog::info("session={} event=tls_started tls={}", id_,
               log::quote(conn_->stream().tls_description()));
  helo_.clear();
  esmtp_ = false;
  user_.reset();
  reset_transaction();
}

}  // namespace copper::smtp
