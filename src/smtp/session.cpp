#include "smtp/session.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/log.h"

namespace copper::smtp {
namespace {

// RFC 5321 4.5.3.1.4 sets 512 octets for a command line; AUTH PLAIN initial
// responses and ESMTP parameters need more (RFC 4954 4 allows 12288 for AUTH).
constexpr std::size_t max_command_line = 12288;

// Sequencing rules, enforced by the command loop (RFC 5321 3.3, 4.1.4).
enum flag : unsigned {
  needs_hello = 1u << 0,     // 503 before EHLO/HELO
  needs_mail = 1u << 1,      // 503 outside a transaction
  no_transaction = 1u << 2,  // 503 inside a transaction (RFC 4954 4, RFC 3207 4)
};

using handler = asio::awaitable<void> (session::*)(const command&);

}  // namespace

struct command_table {
  struct entry {
    verb name;
    handler fn;
    unsigned flags;
  };
  static constexpr std::array<entry, 14> entries = {{
      {verb::ehlo, &session::cmd_ehlo, 0},
      {verb::helo, &session::cmd_helo, 0},
      {verb::mail, &session::cmd_mail, needs_hello},
      {verb::rcpt, &session::cmd_rcpt, needs_hello | needs_mail},
      {verb::data, &session::cmd_data, needs_hello},
      {verb::bdat, &session::cmd_bdat, 0},  // must consume its chunk even when out of order
      {verb::rset, &session::cmd_rset, 0},
      {verb::noop, &session::cmd_noop, 0},
      {verb::quit, &session::cmd_quit, 0},
      {verb::vrfy, &session::cmd_vrfy, 0},
      {verb::expn, &session::cmd_expn, 0},
      {verb::help, &session::cmd_help, 0},
      {verb::starttls, &session::cmd_starttls, needs_hello | no_transaction},
      {verb::auth, &session::cmd_auth, needs_hello | no_transaction},
  }};

  static const entry& find(verb v) {
    for (const auto& e : entries) {
      if (e.name == v) {
        return e;
      }
    }
    return entries[7];  // unreachable: every verb has an entry
  }
};

session::session(std::shared_ptr<net::connection> conn, listener_kind kind, services& svc)
    : kind_(kind), svc_(svc), conn_(std::move(conn)), id_(delivery::make_id().substr(0, 10)) {}

void session::send(const reply& r) { conn_->write(r.wire()); }

void session::send_error(const reply& r) {
  send(r);
  ++errors_;
}

asio::awaitable<session::line_result> session::read_line(std::size_t max, bool between_commands) {
  bool skipping = false;
  std::string& in = conn_->input();
  for (;;) {
    auto pos = in.find("\r\n");
    if (pos != std::string::npos) {
      if (skipping || pos > max) {
        in.erase(0, pos + 2);
        co_return line_result{line_status::too_long, {}};
      }
      std::string line = in.substr(0, pos);
      in.erase(0, pos + 2);
      co_return line_result{line_status::ok, std::move(line)};
    }
    if (in.size() > max) {
      // Drop what we have, but keep a trailing CR that may pair with the next LF.
      skipping = true;
      bool cr = in.back() == '\r';
      in.assign(cr ? "\r" : "");
    }
    bool more = between_commands && !skipping ? co_await conn_->fill_between_commands()
                                              : co_await conn_->fill();
    if (!more) {
      co_return line_result{line_status::closed, {}};
    }
  }
}

bool session::tls_offered() const {
  return !conn_->stream().is_tls() && svc_.tls.current() != nullptr;
}

bool session::auth_offered() const {
  if (kind_ == listener_kind::mx) {
    return false;
  }
  return conn_->stream().is_tls() ||
         (svc_.cfg.auth.plaintext_on_loopback && conn_->client_on_loopback());
}

std::string session::protocol_keyword() const {
  // RFC 3848 and RFC 6531 3.7.3 "with" keywords.
  std::string p = smtputf8_ ? "UTF8SMTP" : (esmtp_ ? "ESMTP" : "SMTP");
  if (!esmtp_) {
    return p;
  }
  if (conn_->stream().is_tls()) {
    p += "S";
  }
  if (user_) {
    p += "A";
  }
  return p;
}

void session::reset_transaction() {
  in_transaction_ = false;
  envelope_ = delivery::envelope{};
  smtputf8_ = false;
  declared_size_ = 0;
  chunking_ = false;
  chunk_failed_ = false;
  chunks_.clear();
  chunks_.shrink_to_fit();
}

asio::awaitable<void> session::run() {
  spdlog::info("session={} event=connect protocol=smtp listener={} client={}", id_,
               kind_ == listener_kind::mx           ? "mx"
               : kind_ == listener_kind::submission ? "submission"
                                                    : "submissions",
               conn_->client_ip());

  if (kind_ == listener_kind::submissions) {
    auto ctx = svc_.tls.current();
    if (!ctx || co_await conn_->stream().start_tls(ctx)) {
      spdlog::info("session={} event=tls_failed", id_);
      co_await conn_->finish();
      co_return;
    }
  }
  send({220, "", fmt::format("{} ESMTP Copper", svc_.cfg.hostname)});

  while (!conn_->closed() && !quit_) {
    if (conn_->draining()) {
      send(replies::shutting_down(svc_.cfg.hostname));
      break;
    }
    auto [status, line] = co_await read_line(max_command_line, true);
    if (status == line_status::closed) {
      if (conn_->timed_out()) {
        send(replies::timeout(svc_.cfg.hostname));
      } else if (conn_->draining()) {
        send(replies::shutting_down(svc_.cfg.hostname));
      }
      break;
    }
    if (status == line_status::too_long) {
      send_error(replies::line_too_long());
    } else if (line.find_first_of("\r\n") != std::string::npos) {
      // A bare CR or LF inside a command line: never a line end (no smuggling).
      send_error(replies::syntax_error("Bare <CR> or <LF> in command; use <CR><LF>"));
    } else {
      auto parsed = parse_command(line);
      if (!parsed.cmd) {
        send_error(parsed.error);
      } else {
        const auto& entry = command_table::find(parsed.cmd->name);
        if ((entry.flags & needs_hello) != 0 && helo_.empty()) {
          send_error(replies::bad_sequence("Send EHLO or HELO first"));
        } else if ((entry.flags & needs_mail) != 0 && !in_transaction_) {
          send_error(replies::bad_sequence("Need MAIL command first"));
        } else if ((entry.flags & no_transaction) != 0 && in_transaction_) {
          send_error(replies::bad_sequence("Not allowed during a mail transaction"));
        } else {
          co_await (this->*entry.fn)(*parsed.cmd);
        }
      }
    }
    if (errors_ >= svc_.cfg.smtp.max_errors) {
      spdlog::info("session={} event=too_many_errors errors={}", id_, errors_);
      send(replies::too_many_errors());
      break;
    }
  }
  spdlog::info("session={} event=disconnect errors={}", id_, errors_);
  co_await conn_->finish();
}

asio::awaitable<void> serve_connection(asio::ip::tcp::socket socket, listener_kind kind,
                                       services& svc) {
  auto admitted = net::admit(
      std::move(socket), svc.connections, svc.drain, svc.cfg.smtp.idle_timeout, "smtp",
      kind == listener_kind::submissions ? std::string() : replies::too_many_connections().wire());
  if (!admitted.conn) {
    co_return;
  }
  session s(admitted.conn, kind, svc);
  co_await s.run();
}

}  // namespace copper::smtp
