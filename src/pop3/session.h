// One POP3 connection (RFC 1939): the AUTHORIZATION, TRANSACTION and UPDATE
// states of its section 3, the command loop with one table of commands and
// the states they are allowed in, and the replies with the response codes of
// RFC 2449 8 and RFC 3206. Each command's handler lives in cmd/<command>.cpp.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "directory/directory.h"
#include "net/connection.h"
#include "net/worker.h"
#include "pop3/maildrop.h"
#include "pop3/protocol/command.h"
#include "pop3/server.h"

namespace copper::pop3 {

namespace asio = boost::asio;

enum class state : unsigned { authorization = 1, transaction = 2 };

// RFC 2449 8 and RFC 3206: the extended response codes a client acts on.
enum class resp_code { none, auth, sys_temp, sys_perm };

class session {
 public:
  session(std::shared_ptr<net::connection> conn, listener_kind kind, services& svc);
  asio::awaitable<void> run();

 private:
  friend struct command_table;

  // Handlers (cmd/*.cpp).
  asio::awaitable<void> cmd_capa(const command& c);
  asio::awaitable<void> cmd_noop(const command& c);
  asio::awaitable<void> cmd_quit(const command& c);
  asio::awaitable<void> cmd_stls(const command& c);
  asio::awaitable<void> cmd_user(const command& c);
  asio::awaitable<void> cmd_pass(const command& c);
  asio::awaitable<void> cmd_auth(const command& c);
  asio::awaitable<void> cmd_stat(const command& c);
  asio::awaitable<void> cmd_list(const command& c);
  asio::awaitable<void> cmd_uidl(const command& c);
  asio::awaitable<void> cmd_retr(const command& c);
  asio::awaitable<void> cmd_top(const command& c);
  asio::awaitable<void> cmd_dele(const command& c);
  asio::awaitable<void> cmd_rset(const command& c);

  // Replies.
  void ok(std::string_view text);
  void err(std::string_view text) { err(resp_code::none, text); }
  void err(resp_code code, std::string_view text);
  // A syntax or state error: counts towards the disconnect bound.
  void bad(std::string_view text);

  // Helpers.
  std::string capabilities() const;
  bool login_allowed() const;
  asio::awaitable<void> finish_login(std::string_view user, std::string_view password);
  // The next input line (an AUTH response); nullopt if too long or lost.
  asio::awaitable<std::optional<std::string>> read_line();
  // The message named by a command argument, or nullopt after an -ERR.
  std::optional<std::uint32_t> message_arg(std::string_view arg);
  // RETR and TOP: the message, byte-stuffed, in pieces.
  asio::awaitable<void> send_message(std::uint32_t n, std::optional<std::uint32_t> body_lines);
  template <class F>
  auto blocking(F f) {
    return net::run_blocking(svc_.workers, std::move(f));
  }

  listener_kind kind_;
  services& svc_;
  std::shared_ptr<net::connection> conn_;
  std::string id_;
  line_reader reader_;
  state state_ = state::authorization;
  std::string pending_user_;  // USER given, PASS expected
  std::optional<directory::principal> user_;
  std::unique_ptr<maildrop> drop_;
  unsigned errors_ = 0;
  bool stop_ = false;  // QUIT, or a failed TLS handshake
};

}  // namespace copper::pop3
