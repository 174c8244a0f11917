// One SMTP connection: the state machine of RFC 5321 with its extensions.
// The command loop enforces sequencing flags in one place (command table in
// session.cpp); each command's handler lives in cmd/<command>.cpp.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "delivery/pipeline.h"
#include "directory/directory.h"
#include "net/connection.h"
#include "smtp/protocol/command.h"
#include "smtp/protocol/reply.h"
#include "smtp/server.h"

namespace copper::smtp {

namespace asio = boost::asio;

class session {
 public:
  session(std::shared_ptr<net::connection> conn, listener_kind kind, services& svc);

  asio::awaitable<void> run();

 private:
  friend struct command_table;

  // Handlers, one per file in cmd/.
  asio::awaitable<void> cmd_ehlo(const command& cmd);
  asio::awaitable<void> cmd_helo(const command& cmd);
  asio::awaitable<void> cmd_mail(const command& cmd);
  asio::awaitable<void> cmd_rcpt(const command& cmd);
  asio::awaitable<void> cmd_data(const command& cmd);
  asio::awaitable<void> cmd_bdat(const command& cmd);
  asio::awaitable<void> cmd_rset(const command& cmd);
  asio::awaitable<void> cmd_noop(const command& cmd);
  asio::awaitable<void> cmd_quit(const command& cmd);
  asio::awaitable<void> cmd_vrfy(const command& cmd);
  asio::awaitable<void> cmd_expn(const command& cmd);
  asio::awaitable<void> cmd_help(const command& cmd);
  asio::awaitable<void> cmd_starttls(const command& cmd);
  asio::awaitable<void> cmd_auth(const command& cmd);

  // I/O.
  enum class line_status { ok, too_long, closed };
  struct line_result {
    line_status status;
    std::string line;
  };
  asio::awaitable<line_result> read_line(std::size_t max, bool between_commands);
  void send(const reply& r);
  void send_error(const reply& r);

  // Policy helpers.
  bool auth_offered() const;
  bool tls_offered() const;
  std::string protocol_keyword() const;
  void reset_transaction();
  asio::awaitable<void> deliver_message(std::string message);
  // A reply refusing the message when a local mailbox is over its quota.
  asio::awaitable<std::optional<reply>> check_quota(const directory::resolution& target,
                                                    std::uint64_t size, bool at_data);
  std::optional<reply> check_mail_params(const command& cmd);
  std::optional<reply> check_rcpt_params(const command& cmd, delivery::recipient& rcpt);

  listener_kind kind_;
  services& svc_;
  std::shared_ptr<net::connection> conn_;
  std::string id_;

  // Connection state.
  std::string helo_;
  bool esmtp_ = false;
  std::optional<directory::principal> user_;
  unsigned errors_ = 0;
  bool quit_ = false;  // QUIT, or the connection cannot go on

  // Transaction state (RFC 5321 3.3), cleared by RSET, EHLO and after DATA.
  bool in_transaction_ = false;
  delivery::envelope envelope_;
  bool smtputf8_ = false;
  std::uint64_t declared_size_ = 0;  // MAIL FROM SIZE= (RFC 1870), 0 if not given
  bool chunking_ = false;            // BDAT has been used in this transaction
  bool chunk_failed_ = false;
  std::string chunks_;
};

}  // namespace copper::smtp
