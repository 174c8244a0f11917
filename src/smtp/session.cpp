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
constexpr std::size_t read_chunk = 4096;

// Sequencing rules, enforced by the command loop (RFC 5321 3.3, 4.1.4).
enum flag : unsigned {
  needs_hello = 1u << 0,    // 503 before EHLO/HELO
  needs_mail = 1u << 1,     // 503 outside a transaction
  no_transaction = 1u << 2, // 503 inside a transaction (RFC 4954 4, RFC 3207 4)
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

session::session(asio::ip::tcp::socket socket, listener_kind kind, services& svc)
    : kind_(kind),
      svc_(svc),
      stream_(std::move(socket)),
      timer_(stream_.socket().get_executor()),
      id_(delivery::make_id().substr(0, 10)) {
  boost::system::error_code ec;
  auto ep = stream_.socket().remote_endpoint(ec);
  client_ip_ = ec ? "unknown" : ep.address().to_string();
}

void session::send(const reply& r) { outbuf_ += r.wire(); }

void session::send_error(const reply& r) {
  send(r);
  ++errors_;
}

void session::arm_deadline() {
  deadline_ = std::chrono::steady_clock::now() + svc_.cfg.smtp.idle_timeout;
}

asio::awaitable<bool> session::flush() {
  if (outbuf_.empty() || closed_) {
    co_return !closed_;
  }
  arm_deadline();
  std::string out = std::move(outbuf_);
  outbuf_.clear();
  auto ec = co_await stream_.write_all(asio::buffer(out));
  if (ec) {
    closed_ = true;
    co_return false;
  }
  co_return true;
}

asio::awaitable<bool> session::fill() {
  // RFC 2920 3.2: replies may wait while input is buffered, never while we block.
  if (!co_await flush()) {
    co_return false;
  }
  std::size_t old = inbuf_.size();
  inbuf_.resize(old + read_chunk);
  arm_deadline();
  auto [ec, n] = co_await stream_.read_some(asio::buffer(inbuf_.data() + old, read_chunk));
  inbuf_.resize(old + n);
  if (ec) {
    closed_ = closed_ || !(ec == asio::error::operation_aborted && (timed_out_ || draining_));
    co_return false;
  }
  co_return true;
}

asio::awaitable<session::line_result> session::read_line(std::size_t max) {
  bool skipping = false;
  for (;;) {
    auto pos = inbuf_.find("\r\n");
    if (pos != std::string::npos) {
      if (skipping || pos > max) {
        inbuf_.erase(0, pos + 2);
        co_return line_result{line_status::too_long, {}};
      }
      std::string line = inbuf_.substr(0, pos);
      inbuf_.erase(0, pos + 2);
      co_return line_result{line_status::ok, std::move(line)};
    }
    if (inbuf_.size() > max) {
      // Drop what we have, but keep a trailing CR that may pair with the next LF.
      skipping = true;
      bool cr = inbuf_.back() == '\r';
      inbuf_.assign(cr ? "\r" : "");
    }
    if (!co_await fill()) {
      co_return line_result{line_status::closed, {}};
    }
  }
}

asio::awaitable<bool> session::read_exact(std::uint64_t n, std::string* out) {
  while (n > 0) {
    if (inbuf_.empty() && !co_await fill()) {
      co_return false;
    }
    auto take = static_cast<std::size_t>(std::min<std::uint64_t>(n, inbuf_.size()));
    if (out != nullptr) {
      out->append(inbuf_, 0, take);
    }
    inbuf_.erase(0, take);
    n -= take;
  }
  co_return true;
}

asio::awaitable<void> session::watchdog() {
  auto self = shared_from_this();
  while (!closed_) {
    timer_.expires_at(deadline_);
    co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));  // woken early by re-arm or cancel
    if (closed_) {
      co_return;
    }
    if (std::chrono::steady_clock::now() >= deadline_) {
      if (timed_out_) {
        stream_.close();  // the 421 could not be written either
        co_return;
      }
      timed_out_ = true;
      deadline_ = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      stream_.cancel();
    }
  }
}

void session::on_shutdown() {
  draining_ = true;
  if (awaiting_command_) {
    stream_.cancel();  // idle between commands: stop waiting for one
  }
}

bool session::client_on_loopback() const {
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(client_ip_, ec);
  if (ec) {
    return false;
  }
  if (addr.is_v6() && addr.to_v6().is_v4_mapped()) {
    addr = asio::ip::make_address_v4(asio::ip::v4_mapped, addr.to_v6());
  }
  return addr.is_loopback();
}

bool session::tls_offered() const { return !stream_.is_tls() && svc_.tls.current() != nullptr; }

bool session::auth_offered() const {
  if (kind_ == listener_kind::mx) {
    return false;
  }
  return stream_.is_tls() || (svc_.cfg.auth.plaintext_on_loopback && client_on_loopback());
}

std::string session::protocol_keyword() const {
  // RFC 3848 and RFC 6531 3.7.3 "with" keywords.
  std::string p = smtputf8_ ? "UTF8SMTP" : (esmtp_ ? "ESMTP" : "SMTP");
  if (!esmtp_) {
    return p;
  }
  if (stream_.is_tls()) {
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
  chunking_ = false;
  chunk_failed_ = false;
  chunks_.clear();
  chunks_.shrink_to_fit();
}

asio::awaitable<void> session::run() {
  auto self = shared_from_this();
  auto weak = weak_from_this();
  auto membership = svc_.drain.join([weak, ex = stream_.socket().get_executor()] {
    asio::post(ex, [weak] {
      if (auto s = weak.lock()) {
        s->on_shutdown();
      }
    });
  });
  arm_deadline();
  asio::co_spawn(stream_.socket().get_executor(), watchdog(), asio::detached);

  spdlog::info("session={} event=connect protocol=smtp listener={} client={}", id_,
               kind_ == listener_kind::mx ? "mx"
               : kind_ == listener_kind::submission ? "submission"
                                                     : "submissions",
               client_ip_);

  if (kind_ == listener_kind::submissions) {
    auto ctx = svc_.tls.current();
    if (!ctx || co_await stream_.start_tls(ctx)) {
      spdlog::info("session={} event=tls_failed", id_);
      closed_ = true;
      timer_.cancel();
      co_return;
    }
  }
  send({220, "", fmt::format("{} ESMTP Copper", svc_.cfg.hostname)});

  while (!closed_ && !quit_) {
    if (draining_) {
      send(replies::shutting_down(svc_.cfg.hostname));
      break;
    }
    awaiting_command_ = true;
    auto [status, line] = co_await read_line(max_command_line);
    awaiting_command_ = false;
    if (status == line_status::closed) {
      if (timed_out_) {
        send(replies::timeout(svc_.cfg.hostname));
      } else if (draining_) {
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
  co_await flush();
  spdlog::info("session={} event=disconnect errors={}", id_, errors_);
  closed_ = true;
  timer_.cancel();
  stream_.close();
}

asio::awaitable<void> serve_connection(asio::ip::tcp::socket socket, listener_kind kind,
                                       services& svc) {
  boost::system::error_code ec;
  auto remote = socket.remote_endpoint(ec);
  if (ec) {
    co_return;
  }
  auto ticket = svc.connections.try_acquire(remote.address());
  if (!ticket) {
    spdlog::info("event=connection_refused protocol=smtp client={} reason=limit",
                 remote.address().to_string());
    // Best effort: a plain-text 421 (RFC 5321 3.1), then close.
    if (kind != listener_kind::submissions) {
      auto text = replies::too_many_connections().wire();
      socket.non_blocking(true, ec);
      socket.write_some(asio::buffer(text), ec);
    }
    co_return;
  }
  auto s = std::make_shared<session>(std::move(socket), kind, svc);
  co_await s->run();
}

}  // namespace copper::smtp
