// EHLO and HELO (RFC 5321 4.1.1.1): greet, reset the transaction, and list
// the extensions that work on this connection right now.
#include <fmt/format.h>

#include "smtp/session.h"

namespace copper::smtp {

asio::awaitable<void> session::cmd_ehlo(const command& cmd) {
  reset_transaction();
  helo_ = cmd.argument;
  esmtp_ = true;
  std::string text =
      fmt::format("{} Hello {} [{}]", svc_.cfg.hostname, cmd.argument, conn_->client_ip());
  text += "\nPIPELINING";
  text += fmt::format("\nSIZE {}", svc_.cfg.smtp.max_message_size);
  text += "\n8BITMIME\nSMTPUTF8\nENHANCEDSTATUSCODES\nCHUNKING\nDSN";
  if (tls_offered()) {
    text += "\nSTARTTLS";
  }
  if (auth_offered() && !user_) {
    text += "\nAUTH PLAIN LOGIN";
  }
  // RFC 2034 3: no enhanced status code on EHLO replies.
  send({250, "", std::move(text)});
  co_return;
}

asio::awaitable<void> session::cmd_helo(const command& cmd) {
  reset_transaction();
  helo_ = cmd.argument;
  esmtp_ = false;
  send({250, "",
        fmt::format("{} Hello {} [{}]", svc_.cfg.hostname, cmd.argument, conn_->client_ip())});
  co_return;
}

}  // namespace copper::smtp
