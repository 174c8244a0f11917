#include "pop3/session.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <array>

#include "delivery/pipeline.h"

namespace copper::pop3 {
namespace {

constexpr unsigned any_state = 3;
constexpr unsigned authorization = static_cast<unsigned>(state::authorization);
constexpr unsigned transaction = static_cast<unsigned>(state::transaction);
// RFC 1939 3: an autologout timer of at least 10 minutes.
constexpr auto autologout = std::chrono::seconds(10 * 60);
constexpr unsigned max_errors = 20;
// RFC 2449 4: command lines are at most 255 octets with the CRLF. SASL
// responses are not bound by it (RFC 5034 4), so the reader allows longer
// lines, and AUTH with a long initial response is accepted too (lenient).
constexpr std::size_t max_command_line = 255;
constexpr std::size_t max_auth_line = 1024;

using handler = asio::awaitable<void> (session::*)(const command&);

}  // namespace

struct command_table {
  struct entry {
    std::string_view name;
    handler fn;
    unsigned states;  // RFC 1939 4-6, RFC 2449 5, RFC 2595 4, RFC 5034 4
  };
  static constexpr std::array<entry, 14> entries = {{
      {"CAPA", &session::cmd_capa, any_state},
      {"QUIT", &session::cmd_quit, any_state},
      {"STLS", &session::cmd_stls, authorization},
      {"USER", &session::cmd_user, authorization},
      {"PASS", &session::cmd_pass, authorization},
      {"AUTH", &session::cmd_auth, authorization},
      {"NOOP", &session::cmd_noop, transaction},
      {"STAT", &session::cmd_stat, transaction},
      {"LIST", &session::cmd_list, transaction},
      {"UIDL", &session::cmd_uidl, transaction},
      {"RETR", &session::cmd_retr, transaction},
      {"TOP", &session::cmd_top, transaction},
      {"DELE", &session::cmd_dele, transaction},
      {"RSET", &session::cmd_rset, transaction},
  }};

  static const entry* find(std::string_view name) {
    for (const auto& e : entries) {
      if (e.name == name) {
        return &e;
      }
    }
    return nullptr;
  }
};

session::session(std::shared_ptr<net::connection> conn, listener_kind kind, services& svc)
    : kind_(kind),
      svc_(svc),
      conn_(std::move(conn)),
      id_(delivery::make_id().substr(0, 10)),
      reader_(max_auth_line) {}

void session::ok(std::string_view text) {
  conn_->write(text.empty() ? "+OK" : "+OK ");
  conn_->write(text);
  conn_->write("\r\n");
}

void session::err(resp_code code, std::string_view text) {
  static constexpr std::array<std::string_view, 4> codes = {"", "[AUTH] ", "[SYS/TEMP] ",
                                                            "[SYS/PERM] "};
  conn_->write("-ERR ");
  conn_->write(codes[static_cast<std::size_t>(code)]);
  conn_->write(text);
  conn_->write("\r\n");
}

void session::bad(std::string_view text) {
  err(text);
  ++errors_;
}

bool session::login_allowed() const { return access::login_allowed(svc_, *conn_); }

std::string session::capabilities() const {
  // RFC 2449 5: the same list in both states; exactly what works.
  std::string caps = "TOP\r\n";
  if (login_allowed()) {
    caps += "USER\r\n";
  }
  caps += "UIDL\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\nPIPELINING\r\n";
  if (login_allowed()) {
    caps += "SASL PLAIN\r\n";
  }
  if (!conn_->stream().is_tls() && svc_.tls.current()) {
    caps += "STLS\r\n";
  }
  caps += "IMPLEMENTATION Copper\r\n";
  return caps;
}

std::optional<std::uint32_t> session::message_arg(std::string_view arg) {
  auto n = parse_number(arg);
  if (!n) {
    bad("Invalid message number");
    return std::nullopt;
  }
  if (!drop_->exists(*n)) {
    err("No such message");
    return std::nullopt;
  }
  if (drop_->deleted(*n)) {
    err(fmt::format("Message {} already deleted", *n));
    return std::nullopt;
  }
  return n;
}

asio::awaitable<std::optional<std::string>> session::read_line() {
  for (;;) {
    auto step = reader_.feed(conn_->input());
    conn_->input().erase(0, step.consumed);
    if (step.what == line_reader::event::line) {
      co_return std::move(step.line);
    }
    if (step.what == line_reader::event::too_long || !co_await conn_->fill()) {
      co_return std::nullopt;
    }
  }
}

asio::awaitable<void> session::run() {
  spdlog::info("session={} event=connect protocol=pop3 client={}", id_, conn_->client_ip());
  if (kind_ == listener_kind::pop3s) {
    auto ctx = svc_.tls.current();
    if (!ctx || co_await conn_->stream().start_tls(ctx)) {
      spdlog::info("session={} event=tls_failed", id_);
      co_await conn_->finish();
      co_return;
    }
  }
  // No APOP timestamp: APOP would need the password in the clear on the server.
  ok("Copper POP3 ready");

  while (!stop_ && !conn_->closed()) {
    auto step = reader_.feed(conn_->input());
    conn_->input().erase(0, step.consumed);
    if (step.what == line_reader::event::need_more) {
      bool between = reader_.idle() && conn_->input().empty();
      if (!(between ? co_await conn_->fill_between_commands() : co_await conn_->fill())) {
        // RFC 1939 3: when the autologout timer expires, close without a
        // response; either way no UPDATE state, so nothing is deleted.
        if (conn_->draining() && !conn_->timed_out()) {
          err(resp_code::sys_temp, "Server shutting down");
        }
        break;
      }
      continue;
    }
    auto c = step.what == line_reader::event::line ? parse_command(step.line) : std::nullopt;
    const auto* entry = c ? command_table::find(c->name) : nullptr;
    if (step.what == line_reader::event::too_long ||
        (step.consumed > max_command_line && (!c || c->name != "AUTH"))) {
      bad("Command line too long");
    } else if (entry == nullptr) {
      bad("Unknown command");
    } else if ((entry->states & static_cast<unsigned>(state_)) == 0) {
      bad(state_ == state::authorization ? "Log in first" : "Not valid after login");
    } else {
      co_await (this->*entry->fn)(*c);
    }
    if (errors_ >= max_errors) {
      err("Too many invalid commands");
      break;
    }
    if (conn_->draining() && !stop_) {
      err(resp_code::sys_temp, "Server shutting down");
      break;
    }
  }
  spdlog::info("session={} event=disconnect user={}", id_, user_ ? user_->address : "-");
  co_await conn_->finish();
}

asio::awaitable<void> serve_connection(asio::ip::tcp::socket socket, listener_kind kind,
                                       services& svc) {
  auto admitted = net::admit(std::move(socket), svc.connections, svc.drain, autologout, "pop3",
                             kind == listener_kind::pop3
                                 ? "-ERR [SYS/TEMP] Too many connections, try again later\r\n"
                                 : "");
  if (!admitted.conn) {
    co_return;
  }
  session s(admitted.conn, kind, svc);
  co_await s.run();
}

}  // namespace copper::pop3
