// USER/PASS (RFC 1939 7) and AUTH PLAIN (RFC 5034, RFC 4616): only over TLS
// (or loopback when configured), rate limited with the limiter SMTP and IMAP
// share, failures marked [AUTH] (RFC 3206 4). A successful login takes the
// snapshot of the INBOX that is the maildrop for the session.
#include <fmt/format.h>
#include <openssl/crypto.h>
#include <spdlog/spdlog.h>

#include "auth/sasl.h"
#include "core/address.h"
#include "core/log.h"
#include "pop3/session.h"

namespace copper::pop3 {
namespace {

constexpr std::string_view use_tls =
    "Plaintext authentication disallowed on non-secure connections, use STLS first";

}  // namespace

asio::awaitable<void> session::finish_login(std::string_view user, std::string_view password) {
  std::string account = to_lower_ascii(user);
  if (!svc_.auth_failures.allowed(conn_->client_ip(), account)) {
    err(resp_code::sys_temp, "Too many failed logins, try again later");
    co_return;
  }
  std::string u(user);
  std::string p(password);
  auto who = *co_await blocking([&] { return svc_.directory.authenticate(u, p); });
  OPENSSL_cleanse(p.data(), p.size());
  if (!who) {
    svc_.auth_failures.record_failure(conn_->client_ip(), account);
    svc_.auth_failure_count.inc();
    spdlog::info("session={} event=auth_failed protocol=pop3 user={} client={}", id_,
                 log::quote(account), conn_->client_ip());
    ++errors_;
    err(resp_code::auth, "Authentication failed");
    co_return;
  }
  auto id = who->id;
  auto snapshot = *co_await blocking([&]() -> std::optional<maildrop> {
    auto inbox = svc_.mailboxes.find_mailbox(id, "INBOX");
    if (!inbox) {
      return std::nullopt;
    }
    return maildrop(*inbox, svc_.mailboxes.messages(inbox->id));
  });
  if (!snapshot) {
    spdlog::error("session={} event=no_inbox user={}", id_, who->address);
    err(resp_code::sys_perm, "No INBOX for this account");
    co_return;
  }
  drop_ = std::make_unique<maildrop>(std::move(*snapshot));
  user_ = std::move(who);
  state_ = state::transaction;
  auto t = drop_->stat();
  spdlog::info("session={} event=auth_ok protocol=pop3 user={} messages={}", id_, user_->address,
               t.count);
  ok(fmt::format("Logged in, {} messages ({} octets)", t.count, t.octets));
}

asio::awaitable<void> session::cmd_user(const command& c) {
  if (!login_allowed()) {
    err(resp_code::auth, use_tls);
    co_return;
  }
  if (c.args.size() != 1) {
    bad("Syntax: USER name");
    co_return;
  }
  pending_user_ = c.args[0];
  ok("Send your password");
}

asio::awaitable<void> session::cmd_pass(const command& c) {
  if (!login_allowed()) {
    err(resp_code::auth, use_tls);
    co_return;
  }
  if (pending_user_.empty()) {
    bad("USER first");
    co_return;
  }
  // RFC 1939 7: the one argument may contain spaces.
  std::string user = std::exchange(pending_user_, {});
  co_await finish_login(user, c.rest);
}

asio::awaitable<void> session::cmd_auth(const command& c) {
  if (c.args.empty()) {
    // Not in RFC 5034, but clients still probe this way (as Dovecot answers).
    ok("");
    conn_->write(login_allowed() ? "PLAIN\r\n.\r\n" : ".\r\n");
    co_return;
  }
  if (c.args.size() > 2) {
    bad("Syntax: AUTH mechanism [initial-response]");
    co_return;
  }
  if (to_lower_ascii(c.args[0]) != "plain") {
    err("Unsupported authentication mechanism");
    co_return;
  }
  if (!login_allowed()) {
    err(resp_code::auth, use_tls);
    co_return;
  }
  std::string response;
  if (c.args.size() == 2) {
    response = c.args[1];  // RFC 5034 4: "=" is an empty initial response
  } else {
    conn_->write("+ \r\n");
    auto line = co_await read_line();
    if (!line) {
      bad("Authentication response too long");
      co_return;
    }
    response = std::move(*line);
  }
  if (response == "*") {
    err("Authentication cancelled");
    co_return;
  }
  auto decoded = response == "=" ? std::optional<std::string>("") : auth::decode_base64(response);
  auto creds = decoded ? auth::parse_plain(*decoded) : std::nullopt;
  if (!creds) {
    bad("Malformed PLAIN response");
    co_return;
  }
  if (!creds->authzid.empty() && to_lower_ascii(creds->authzid) != to_lower_ascii(creds->authcid)) {
    err(resp_code::auth, "Proxy authorisation is not supported");
    co_return;
  }
  co_await finish_login(creds->authcid, creds->password);
}

}  // namespace copper::pop3
