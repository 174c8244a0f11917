// RCPT TO (RFC 5321 4.1.1.3) with NOTIFY/ORCPT (RFC 3461). This is where the
// relay decision is made: local domains only, unless authenticated.
#include <spdlog/spdlog.h>

#include "net/worker.h"
#include "smtp/session.h"

namespace copper::smtp {
namespace {

bool valid_notify(std::string_view v) {
  // RFC 3461 4.1: "NEVER" alone, or a list of SUCCESS, FAILURE, DELAY.
  if (v == "NEVER") {
    return true;
  }
  while (!v.empty()) {
    auto comma = v.find(',');
    auto item = v.substr(0, comma);
    if (item != "SUCCESS" && item != "FAILURE" && item != "DELAY") {
      return false;
    }
    v = comma == std::string_view::npos ? std::string_view() : v.substr(comma + 1);
  }
  return true;
}

// The old tricks that make a local-looking address route elsewhere:
// "user%remote@local", "remote!user@local", "\"user@remote\"@local".
bool has_sender_routing(const mail_address& a) {
  return a.local.find_first_of("%!") != std::string::npos ||
         (a.quoted_local && a.local.find('@') != std::string::npos);
}

}  // namespace

asio::awaitable<std::optional<reply>> session::check_quota(const directory::resolution& target,
                                                           std::uint64_t size, bool at_data) {
  if (target.accounts.empty()) {
    co_return std::nullopt;
  }
  auto r = *co_await net::run_blocking(svc_.workers,
                                       [&] { return svc_.pipeline.check_quota(target, size); });
  if (r) {
    co_return std::nullopt;
  }
  // RFC 3463 4.2.2/5.2.2 "mailbox full": transient while the message might
  // still fit once the user cleans up; permanent when it never will, or at
  // DATA for a single recipient (a 4xx would only delay the same answer).
  if (at_data && envelope_.recipients.size() > 1) {
    co_return reply{452, "4.2.2", "Mailbox full for at least one recipient, try again later"};
  }
  if (at_data) {
    co_return reply{552, "5.2.2", "Mailbox full"};
  }
  if (size > 0) {
    // At RCPT a declared SIZE that alone does not fit is permanent; a
    // mailbox already full (bytes or message count) is transient.
    std::uint64_t one = 0;
    auto now = *co_await net::run_blocking(svc_.workers,
                                           [&] { return svc_.pipeline.check_quota(target, one); });
    if (now) {
      co_return reply{552, "5.2.2", "Mailbox full"};
    }
  }
  co_return reply{452, "4.2.2", "Mailbox full"};
}

std::optional<reply> session::check_rcpt_params(const command& cmd, delivery::recipient& rcpt) {
  for (const auto& p : cmd.params) {
    if (p.keyword == "NOTIFY") {
      if (!p.has_value || !valid_notify(p.value)) {
        return replies::parameter_error("Bad NOTIFY parameter");
      }
      rcpt.notify = p.value;
    } else if (p.keyword == "ORCPT") {
      auto semi = p.value.find(';');
      if (!p.has_value || semi == std::string::npos || semi == 0 || p.value.size() > 500 ||
          !decode_xtext(p.value.substr(semi + 1))) {
        return replies::parameter_error("Bad ORCPT parameter");
      }
      rcpt.orcpt = p.value;
    } else {
      return replies::parameter_not_implemented("Unsupported RCPT parameter " + p.keyword);
    }
  }
  return std::nullopt;
}

asio::awaitable<void> session::cmd_rcpt(const command& cmd) {
  if (envelope_.recipients.size() >= svc_.cfg.smtp.max_recipients) {
    send(replies::too_many_recipients());
    co_return;
  }
  delivery::recipient rcpt;
  if (auto err = check_rcpt_params(cmd, rcpt)) {
    send_error(*err);
    co_return;
  }

  if (cmd.postmaster) {
    // RFC 5321 4.1.1.3: "<Postmaster>" without a domain must be accepted.
    rcpt.address = {"postmaster", svc_.cfg.hostname, false};
  } else {
    auto addr = parse_mailbox(cmd.path, true);
    if (!addr) {
      send_error(replies::bad_address("Bad recipient address: " + addr.err().message));
      co_return;
    }
    if (!smtputf8_ && !is_ascii(cmd.path)) {
      send_error(replies::utf8_required());
      co_return;
    }
    rcpt.address = std::move(addr).value();
  }

  if (!user_ && has_sender_routing(rcpt.address)) {
    spdlog::info("session={} event=rcpt_refused reason=routing rcpt={}", id_, rcpt.address.wire());
    send_error(replies::routing_denied());
    co_return;
  }

  rcpt.target = svc_.directory.resolve(rcpt.address);
  if (cmd.postmaster && rcpt.target.kind != directory::resolution::outcome::local) {
    // No postmaster at the host name: try its parent domain.
    auto dot = svc_.cfg.hostname.find('.');
    if (dot != std::string::npos) {
      rcpt.address.domain = svc_.cfg.hostname.substr(dot + 1);
      rcpt.target = svc_.directory.resolve(rcpt.address);
    }
  }
  switch (rcpt.target.kind) {
    case directory::resolution::outcome::local:
      break;
    case directory::resolution::outcome::unknown_user:
      spdlog::info("session={} event=rcpt_refused reason=unknown rcpt={}", id_, rcpt.address.key());
      svc_.counts.unknown_recipient.inc();
      send_error(replies::mailbox_unavailable());
      co_return;
    case directory::resolution::outcome::not_local:
      if (!user_) {
        spdlog::info("session={} event=rcpt_refused reason=relay rcpt={} client={}", id_,
                     rcpt.address.wire(), conn_->client_ip());
        svc_.counts.relay_denied.inc();
        send_error(replies::relay_denied());
        co_return;
      }
      rcpt.remote = true;
      break;
  }
  if (auto full = co_await check_quota(rcpt.target, declared_size_, false)) {
    spdlog::info("session={} event=rcpt_refused reason=quota rcpt={}", id_, rcpt.address.key());
    send_error(*full);
    co_return;
  }
  envelope_.recipients.push_back(std::move(rcpt));
  send(replies::recipient_ok());
}

}  // namespace copper::smtp
