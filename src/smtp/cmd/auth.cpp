// AUTH (RFC 4954) with PLAIN (RFC 4616) and LOGIN, only over TLS (or from
// loopback when configured), rate limited per client address and account.
#include <spdlog/spdlog.h>

#include "auth/sasl.h"
#include "core/log.h"
#include "net/worker.h"
#include "smtp/session.h"

namespace copper::smtp {
namespace {

constexpr std::size_t max_auth_line = 12288;  // RFC 4954 4

reply challenge(std::string_view text) { return {334, "", auth::encode_base64(text)}; }

}  // namespace

asio::awaitable<void> session::cmd_auth(const command& cmd) {
  if (kind_ == listener_kind::mx) {
    send_error(replies::not_implemented("AUTH not available here; use the submission port"));
    co_return;
  }
  if (user_) {
    send_error(replies::bad_sequence("Already authenticated"));
    co_return;
  }
  if (!auth_offered()) {
    send_error(replies::encryption_required());
    co_return;
  }
  if (!svc_.auth_failures.allowed(conn_->client_ip(), "")) {
    send_error(replies::auth_rate_limited());
    co_return;
  }

  std::string_view arg = cmd.argument;
  auto sp = arg.find(' ');
  std::string mech(arg.substr(0, sp));
  for (char& c : mech) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  std::optional<std::string> initial;
  if (sp != std::string_view::npos) {
    initial = std::string(arg.substr(sp + 1));
  }

  // Reads one client response to a 334 challenge; nullopt on cancel or error.
  // The caller sends the challenge: GCC 12 copies a class-type parameter of a
  // coroutine lambda bitwise, and the copy's destructor then frees a short
  // string's inline buffer ("free(): invalid pointer").
  auto respond = [this]() -> asio::awaitable<std::optional<std::string>> {
    auto [status, line] = co_await read_line(max_auth_line, false);
    if (status != line_status::ok) {
      co_return std::nullopt;
    }
    co_return std::optional<std::string>(std::move(line));
  };

  auth::credentials creds;
  if (mech == "PLAIN") {
    if (!initial) {
      send({334, "", ""});
      initial = co_await respond();
    }
    if (!initial || *initial == "*") {
      send_error(replies::auth_cancelled());
      co_return;
    }
    // RFC 4954 4: "=" is an empty initial response.
    auto decoded = *initial == "=" ? std::optional<std::string>("") : auth::decode_base64(*initial);
    auto parsed = decoded ? auth::parse_plain(*decoded) : std::nullopt;
    if (!parsed) {
      send_error(replies::parameter_error("Malformed AUTH PLAIN response"));
      co_return;
    }
    creds = *parsed;  // a copy: both are wiped, a moved-from buffer might not be
  } else if (mech == "LOGIN") {
    std::optional<std::string> user = initial;
    if (!user) {
      send(challenge("Username:"));
      user = co_await respond();
    }
    if (!user || *user == "*") {
      send_error(replies::auth_cancelled());
      co_return;
    }
    send(challenge("Password:"));
    auto pass = co_await respond();
    if (!pass || *pass == "*") {
      send_error(replies::auth_cancelled());
      co_return;
    }
    auto u = auth::decode_base64(*user);
    auto p = auth::decode_base64(*pass);
    if (!u || !p || u->empty()) {
      send_error(replies::parameter_error("Malformed AUTH LOGIN response"));
      co_return;
    }
    creds.authcid = std::move(*u);
    creds.password = std::move(*p);
  } else {
    send_error(replies::auth_mechanism_unknown());
    co_return;
  }

  std::string account = to_lower_ascii(creds.authcid);
  if (!svc_.auth_failures.allowed(conn_->client_ip(), account)) {
    send_error(replies::auth_rate_limited());
    co_return;
  }
  // Proxy authorisation (authzid other than the user) is not offered.
  bool authz_ok = creds.authzid.empty() || to_lower_ascii(creds.authzid) == account;
  std::optional<directory::principal> who;
  if (authz_ok) {
    who = *co_await net::run_blocking(
        svc_.workers, [&] { return svc_.directory.authenticate(creds.authcid, creds.password); });
  }
  if (!who) {
    svc_.auth_failures.record_failure(conn_->client_ip(), account);
    svc_.counts.auth_failures.inc();
    spdlog::info("session={} event=auth_failed mechanism={} user={} client={}", id_, mech,
                 log::quote(account), conn_->client_ip());
    send_error(replies::auth_failed());
    co_return;
  }
  user_ = std::move(who);
  spdlog::info("session={} event=auth_ok mechanism={} user={}", id_, mech, user_->address);
  send(replies::auth_ok());
}

}  // namespace copper::smtp
