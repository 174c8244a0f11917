// LOGIN and AUTHENTICATE PLAIN (RFC 9051 6.2.2-6.2.3, RFC 4616, SASL-IR
// RFC 4959): only over TLS (or loopback when configured), rate limited with
// the same limiter as SMTP AUTH.
#include <spdlog/spdlog.h>

#include "auth/sasl.h"
#include "core/log.h"
#include "imap/session.h"

namespace copper::imap {

asio::awaitable<bool> session::finish_login(const command& c, std::string_view user,
                                            std::string_view password) {
  std::string account = to_lower_ascii(user);
  if (!svc_.auth_failures.allowed(conn_->client_ip(), account)) {
    no(c, "[UNAVAILABLE] Too many failed logins, try again later");
    co_return false;
  }
  std::string u(user);
  std::string p(password);
  auto who = *co_await blocking([&] { return svc_.directory.authenticate(u, p); });
  if (!who) {
    svc_.auth_failures.record_failure(conn_->client_ip(), account);
    svc_.auth_failure_count.inc();
    spdlog::info("session={} event=auth_failed protocol=imap user={} client={}", id_,
                 log::quote(account), conn_->client_ip());
    ++errors_;
    no(c, "[AUTHENTICATIONFAILED] Invalid credentials");
    co_return false;
  }
  user_ = std::move(who);
  state_ = state::authenticated;
  spdlog::info("session={} event=auth_ok protocol=imap user={}", id_, user_->address);
  ok(c, "[CAPABILITY " + capabilities() + "] Logged in");
  co_return true;
}

asio::awaitable<void> session::cmd_login(const command& c) {
  if (!login_allowed()) {
    // RFC 9051 6.2.3: LOGINDISABLED is advertised; refuse without checking.
    no(c, "[PRIVACYREQUIRED] Use STARTTLS first");
    co_return;
  }
  if (c.args.size() != 2 || !c.args[0].is_astring() || !c.args[1].is_astring()) {
    bad(c, "Syntax: LOGIN user password");
    co_return;
  }
  co_await finish_login(c, c.args[0].text, c.args[1].text);
}

asio::awaitable<void> session::cmd_authenticate(const command& c) {
  if (c.args.empty() || c.args.size() > 2 || !c.args[0].is_atom()) {
    bad(c, "Syntax: AUTHENTICATE mechanism [initial-response]");
    co_return;
  }
  if (!c.args[0].equals("PLAIN")) {
    no(c, "Unsupported mechanism");
    co_return;
  }
  if (!login_allowed()) {
    no(c, "[PRIVACYREQUIRED] Use STARTTLS first");
    co_return;
  }
  std::string response;
  if (c.args.size() == 2) {
    response = c.args[1].text;  // SASL-IR (RFC 4959); "=" is an empty response
  } else {
    conn_->write("+ \r\n");
    // The response is one line, read outside the command reader.
    for (;;) {
      auto& in = conn_->input();
      auto lf = in.find("\r\n");
      if (lf != std::string::npos) {
        response = in.substr(0, lf);
        in.erase(0, lf + 2);
        break;
      }
      if (in.size() > std::size_t{16} * 1024 || !co_await conn_->fill()) {
        bad(c, "Authentication response too long or connection lost");
        co_return;
      }
    }
  }
  if (response == "*") {
    bad(c, "Authentication cancelled");
    co_return;
  }
  auto decoded = response == "=" ? std::optional<std::string>("") : auth::decode_base64(response);
  auto creds = decoded ? auth::parse_plain(*decoded) : std::nullopt;
  if (!creds) {
    bad(c, "Malformed PLAIN response");
    co_return;
  }
  if (!creds->authzid.empty() && to_lower_ascii(creds->authzid) != to_lower_ascii(creds->authcid)) {
    no(c, "[AUTHORIZATIONFAILED] Proxy authorisation is not supported");
    co_return;
  }
  co_await finish_login(c, creds->authcid, creds->password);
}

}  // namespace copper::imap
